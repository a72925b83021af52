"""Interleaved context: a KV cache plus the bookkeeping of what is in it.

Two counters matter and differ as soon as an image is present (README §6):
* `kv_len`: number of cached entries (every token, patch, latent and marker);
* `next_rope`: the RoPE position the next entry gets (a text token takes one position each,
  a whole image block takes exactly one).

Contexts are immutable values: appending returns a new `Context`. Their keys and values live in
a `KVStorage`, per-layer buffers with spare capacity that every context extending the same
conversation shares. A context is a *length* into its storage, so:

* appending writes the new entries into the spare capacity in place (no copy of the cache),
  provided no live context already extends this one further (then it copies once: copy on
  write, the only case where a prefix is copied);
* text decoding writes one entry per token into capacity reserved up front: no re-concatenation
  of the cache per token;
* a block that is *not* kept (a denoising query, inspection questions) is written into the spare
  capacity as scratch when this context owns the storage's tail, so attention reads one
  contiguous buffer; otherwise the block's keys are concatenated to a view for that call only;
* forking is free and rewinding is a view (`truncated`).

Which contexts are alive is tracked with weak references, so "no live context extends this one"
is exact: a temporary context (a question, a plan prompt) releases the tail when it is dropped.

`GuidedContexts` keeps the three contexts that classifier-free guidance needs, updated with the
reference inferencer's rules:
* cond: everything;
* cfg_text: the cond context as it stood before the last text input (images after it stay);
* cfg_img: texts only (and the think system prompt), no images, positions re-packed.
When no image has been added, cfg_img *is* cond (the same object), so its text is run once and
the sampler knows the image-free branch equals the conditional one.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import Tensor

from .qwen2_mot import LayerKV

SegmentKind = Literal["text", "vae_image", "vit_image"]

# Spare entries allocated past what a write needs, so short appends (a question, a plan prompt)
# and decoding do not reallocate. 512 entries of BAGEL-7B are 29 MB of bf16 keys and values.
HEADROOM = 512


@dataclass(frozen=True)
class Segment:
    """One block written into a context."""

    kind: SegmentKind
    kv_offset: int
    length: int
    rope_position: int
    text: str | None = None
    token_ids: tuple[int, ...] | None = None
    image_index: int | None = None


class KVStorage:
    """Per-layer key and value buffers, head-major `[kv_heads, capacity, head_dim]` (what attention
    reads without a transpose), shared by the contexts of one conversation. Entries beyond every
    live context's length are free space."""

    def __init__(self, keys: list[Tensor], values: list[Tensor]) -> None:
        self.keys = keys
        self.values = values
        self._holders: weakref.WeakSet[KVCache] = weakref.WeakSet()

    @classmethod
    def allocate(cls, num_layers: int, like: Tensor, capacity: int) -> "KVStorage":
        """Buffers for blocks shaped like `like` ([n, kv_heads, head_dim])."""
        shape = (like.shape[1], capacity, like.shape[2])
        make = lambda: torch.empty(shape, dtype=like.dtype, device=like.device)  # noqa: E731
        return cls([make() for _ in range(num_layers)], [make() for _ in range(num_layers)])

    @property
    def capacity(self) -> int:
        return int(self.keys[0].shape[1])

    @property
    def device(self) -> torch.device:
        return self.keys[0].device

    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in (*self.keys, *self.values))

    def register(self, cache: "KVCache") -> None:
        self._holders.add(cache)

    def live_length(self) -> int:
        """The longest live context's length: everything past it may be overwritten."""
        return max((c.length for c in list(self._holders)), default=0)

    def reserve(self, capacity: int) -> None:
        """Grow to at least `capacity` entries (one copy of the live entries); every context
        sharing this storage keeps working (views taken before stay valid: they keep the
        old buffers alive)."""
        if capacity <= self.capacity:
            return
        used = self.live_length()
        for buffers in (self.keys, self.values):
            for i, old in enumerate(buffers):
                new = torch.empty((old.shape[0], capacity, old.shape[2]), dtype=old.dtype, device=old.device)
                new[:, :used] = old[:, :used]
                buffers[i] = new

    def to(self, device: torch.device | str) -> None:
        """Move every buffer (spill to the CPU, or back); pinned host memory when spilling
        from a GPU, so the way back is a fast DMA copy."""
        device = torch.device(device)
        if self.device == device:
            return
        pin = device.type == "cpu" and self.device.type == "cuda"
        for buffers in (self.keys, self.values):
            for i, old in enumerate(buffers):
                if pin:
                    new = torch.empty(old.shape, dtype=old.dtype, device="cpu", pin_memory=True)
                    new.copy_(old)
                else:
                    new = old.to(device)
                buffers[i] = new


@dataclass(frozen=True, eq=False)
class KVCache:
    """The first `length` entries of a `KVStorage` (keys after qk-norm and RoPE). Identity
    semantics (eq=False): liveness is tracked per object."""

    storage: KVStorage | None = None
    length: int = 0

    def __post_init__(self) -> None:
        if self.storage is not None:
            self.storage.register(self)

    @property
    def layers(self) -> tuple[LayerKV, ...]:
        """Per-layer (keys, values) as `[length, kv_heads, head_dim]` views (no copy)."""
        if self.storage is None or self.length == 0:
            return ()
        n = self.length
        return tuple((k[:, :n].transpose(0, 1), v[:, :n].transpose(0, 1))
                     for k, v in zip(self.storage.keys, self.storage.values))

    def owns_tail(self) -> bool:
        """No live context extends this one: the storage past `length` is free to write."""
        return self.storage is not None and self.storage.live_length() <= self.length

    def truncated(self, length: int) -> "KVCache":
        if length == 0:
            return KVCache()
        if length > self.length:
            raise ValueError(f"cannot truncate a cache of {self.length} entries to {length}")
        return KVCache(self.storage, length)

    def writer(self, num_new: int, keep: bool, headroom: int = HEADROOM) -> "BlockWriter":
        return BlockWriter(self, num_new, keep, headroom)


class BlockWriter:
    """How one block's keys and values meet the cache in each layer (`qwen2_mot.KVSink`).

    `keep=True`: the block is appended (in place when this cache owns the storage's tail and
    it fits; into a grown or copied storage otherwise) and `result()` is the longer cache.
    `keep=False`: the block is only attended to: written as scratch past the end when that is
    free and fits, else concatenated to a view for this call only; the cache is unchanged.
    """

    def __init__(self, cache: KVCache, num_new: int, keep: bool, headroom: int = HEADROOM) -> None:
        self.cache = cache
        self.num_new = num_new
        self.keep = keep
        self.headroom = headroom
        self.start = cache.length
        storage = cache.storage
        fits = storage is not None and storage.capacity >= self.start + num_new
        owner = cache.owns_tail()
        if storage is None:
            self.mode = "fresh" if keep else "alone"
        elif owner and (fits or keep):
            self.mode = "in_place"
            if keep and not fits:
                storage.reserve(self.start + num_new + headroom)
        elif keep:
            self.mode = "copy"  # another live context extends this prefix: copy on write
        else:
            self.mode = "concat"
        self.target: KVStorage | None = storage if self.mode == "in_place" else None

    def __call__(self, layer: int, k: Tensor, v: Tensor, num_layers: int) -> LayerKV:
        """Head-major keys/values `[kv_heads, L, head_dim]` to attend over for `layer`: the cache
        followed by this block (`k`, `v`: `[n, kv_heads, head_dim]`)."""
        end = self.start + self.num_new
        k, v = k.transpose(0, 1), v.transpose(0, 1)
        if self.mode == "alone":
            return k, v
        if self.mode == "concat":
            ck, cv = self.cache.storage.keys[layer], self.cache.storage.values[layer]
            return (torch.cat([ck[:, : self.start], k.to(ck.dtype)], dim=1),
                    torch.cat([cv[:, : self.start], v.to(cv.dtype)], dim=1))
        if self.target is None:  # fresh or copy: allocate on first use
            self.target = KVStorage.allocate(num_layers, k.transpose(0, 1), end + self.headroom)
        if self.mode == "copy":
            src = self.cache.storage
            self.target.keys[layer][:, : self.start] = src.keys[layer][:, : self.start]
            self.target.values[layer][:, : self.start] = src.values[layer][:, : self.start]
        keys, values = self.target.keys[layer], self.target.values[layer]
        keys[:, self.start:end] = k
        values[:, self.start:end] = v
        return keys[:, :end], values[:, :end]

    def result(self) -> KVCache:
        """The cache with this block appended (only for keep=True)."""
        if not self.keep:
            raise RuntimeError("a block written with keep=False is not part of any cache")
        if self.target is None:  # an empty block
            return self.cache
        return KVCache(self.target, self.start + self.num_new)


@dataclass(frozen=True)
class ContextSnapshot:
    kv_len: int
    next_rope: int
    num_segments: int


@dataclass(frozen=True)
class Context:
    """An immutable context: every update returns a new `Context` sharing the old storage."""

    cache: KVCache = field(default_factory=KVCache)
    next_rope: int = 0
    segments: tuple[Segment, ...] = ()

    @property
    def kv_len(self) -> int:
        return self.cache.length

    def with_block(self, cache: KVCache, segment: Segment, rope_advance: int) -> "Context":
        return Context(cache, self.next_rope + rope_advance, self.segments + (segment,))

    def same_entries(self, other: "Context") -> bool:
        """Whether two contexts hold the same entries: the same object, or the same text-only
        segments (text blocks are deterministic functions of their tokens and positions)."""
        if self is other:
            return True
        return (self.next_rope == other.next_rope and self.segments == other.segments
                and all(s.kind == "text" for s in self.segments))

    def snapshot(self) -> ContextSnapshot:
        return ContextSnapshot(self.kv_len, self.next_rope, len(self.segments))

    def rewound(self, snap: ContextSnapshot) -> "Context":
        """This context as it was at `snap` (which must be an earlier snapshot of it)."""
        if snap.num_segments > len(self.segments) or snap.kv_len > self.kv_len:
            raise ValueError("snapshot is not an earlier state of this context")
        return Context(self.cache.truncated(snap.kv_len), snap.next_rope, self.segments[: snap.num_segments])

    def describe(self) -> str:
        parts = [f"{s.kind}@{s.rope_position}x{s.length}" for s in self.segments]
        return f"kv_len={self.kv_len} next_rope={self.next_rope} [{', '.join(parts)}]"


@dataclass(frozen=True)
class GuidedSnapshot:
    cond: ContextSnapshot
    cfg_text: ContextSnapshot
    cfg_img: ContextSnapshot
    num_images: int
    last_image_size: tuple[int, int] | None


@dataclass(frozen=True)
class GuidedContexts:
    """The cond / cfg_text / cfg_img contexts of one conversation (see module docstring)."""

    cond: Context = field(default_factory=Context)
    cfg_text: Context = field(default_factory=Context)
    cfg_img: Context | None = None  # None: the same as cond (no image added yet)
    num_images: int = 0
    last_image_size: tuple[int, int] | None = None  # (H, W) of the last image after the VAE rule

    def __post_init__(self) -> None:
        if self.cfg_img is None:
            object.__setattr__(self, "cfg_img", self.cond)

    @property
    def image_free_is_cond(self) -> bool:
        """The image-free context holds what cond holds (no image yet): its CFG branch would
        repeat the conditional one, so the sampler skips it."""
        return self.cfg_img.same_entries(self.cond)

    def storages(self) -> list[KVStorage]:
        """The distinct storages behind the three contexts (for memory accounting and spills)."""
        found: dict[int, KVStorage] = {}
        for ctx in (self.cond, self.cfg_text, self.cfg_img):
            if ctx.cache.storage is not None:
                found[id(ctx.cache.storage)] = ctx.cache.storage
        return list(found.values())

    def snapshot(self) -> GuidedSnapshot:
        return GuidedSnapshot(self.cond.snapshot(), self.cfg_text.snapshot(), self.cfg_img.snapshot(),
                              self.num_images, self.last_image_size)

    def rewound(self, snap: GuidedSnapshot) -> "GuidedContexts":
        """Cheap rewind: truncate each cache to its length at `snap` (views, no copies).

        cfg_text is always an earlier state of cond (cond only ever grows), so it is rebuilt as a
        prefix of cond."""
        cond = self.cond.rewound(snap.cond)
        shared = self.cfg_img is self.cond and snap.cfg_img == snap.cond
        return GuidedContexts(cond=cond, cfg_text=self.cond.rewound(snap.cfg_text),
                              cfg_img=cond if shared else self.cfg_img.rewound(snap.cfg_img),
                              num_images=snap.num_images, last_image_size=snap.last_image_size)
