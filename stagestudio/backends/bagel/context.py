"""Interleaved context: a KV cache plus the bookkeeping of what is in it.

Two counters matter and differ as soon as an image is present (README §6):
* `kv_len`: number of cached entries (every token, patch, latent and marker);
* `next_rope`: the RoPE position the next entry gets (a text token takes one position each,
  a whole image block takes exactly one).

Caches are append-only and their tensors are never modified in place (appending makes new tensors),
so forking a context is a cheap shallow copy and rewinding is a slice.

`GuidedContexts` keeps the three contexts that classifier-free guidance needs, updated with the
reference inferencer's rules:
* cond: everything;
* cfg_text: the cond context as it stood before the last text input (images after it stay);
* cfg_img: texts only (and the think system prompt), no images, positions re-packed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import torch

from .qwen2_mot import LayerKV

SegmentKind = Literal["text", "vae_image", "vit_image"]


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


@dataclass(frozen=True)
class KVCache:
    """Per-layer cached keys/values ([kv_len, kv_heads, head_dim] each); empty = no layers."""

    layers: tuple[LayerKV, ...] = ()

    @property
    def length(self) -> int:
        return int(self.layers[0][0].shape[0]) if self.layers else 0

    def as_past(self) -> list[LayerKV] | None:
        return list(self.layers) if self.layers else None

    def appended(self, new: list[LayerKV]) -> "KVCache":
        if not self.layers:
            return KVCache(tuple((k, v) for k, v in new))
        return KVCache(tuple(
            (torch.cat([k, nk.to(k.dtype)], dim=0), torch.cat([v, nv.to(v.dtype)], dim=0))
            for (k, v), (nk, nv) in zip(self.layers, new)
        ))

    def truncated(self, length: int) -> "KVCache":
        if length == 0:
            return KVCache()
        if length > self.length:
            raise ValueError(f"cannot truncate a cache of {self.length} entries to {length}")
        return KVCache(tuple((k[:length], v[:length]) for k, v in self.layers))


@dataclass(frozen=True)
class ContextSnapshot:
    kv_len: int
    next_rope: int
    num_segments: int


@dataclass(frozen=True)
class Context:
    """An immutable context: every update returns a new `Context` sharing the old tensors."""

    cache: KVCache = field(default_factory=KVCache)
    next_rope: int = 0
    segments: tuple[Segment, ...] = ()

    @property
    def kv_len(self) -> int:
        return self.cache.length

    def with_block(self, new_kv: list[LayerKV], segment: Segment, rope_advance: int) -> "Context":
        return Context(self.cache.appended(new_kv), self.next_rope + rope_advance,
                       self.segments + (segment,))

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
    cfg_img: Context = field(default_factory=Context)
    num_images: int = 0
    last_image_size: tuple[int, int] | None = None  # (H, W) of the last image after the VAE rule

    def snapshot(self) -> GuidedSnapshot:
        return GuidedSnapshot(self.cond.snapshot(), self.cfg_text.snapshot(), self.cfg_img.snapshot(),
                              self.num_images, self.last_image_size)

    def rewound(self, snap: GuidedSnapshot) -> "GuidedContexts":
        """Cheap rewind: truncate each cache to its length at `snap` (slices, no copies).

        cfg_text is always an earlier state of cond (cond only ever grows), so it is rebuilt as a
        prefix of cond."""
        return GuidedContexts(cond=self.cond.rewound(snap.cond), cfg_text=self.cond.rewound(snap.cfg_text),
                              cfg_img=self.cfg_img.rewound(snap.cfg_img), num_images=snap.num_images,
                              last_image_size=snap.last_image_size)
