"""The training forward of BAGEL: a packed sequence, the language loss and the flow-matching loss,
as the reference training code defines them (ByteDance-Seed/Bagel `Bagel.forward` and
`PackedDataset.pack_sequence`; read to learn, written here from scratch).

A sequence is a list of *splits*, each with an attention mode:

* text (causal): `<|im_start|> tokens <|im_end|>` at consecutive RoPE positions. When the model
  must produce it, the language loss (cross-entropy) is taken at `<|im_start|>` and every token,
  predicting the next token and finally `<|im_end|>`: exactly what decoding does.
* ViT image (full): `<|vision_start|> patches <|vision_end|>`, one RoPE position, then +1.
* clean VAE image (full): the same markers around latent tokens at timestep 0 (generation expert).
* noised VAE image (noise): a picture the model must produce. Its latent x0 is mixed with noise
  at t = shift·s / (1 + (shift − 1)·s), s = sigmoid(N(0, 1)) (logit-normal, one t per picture),
  x_t = (1 − t)·x0 + t·ε; the flow-matching loss is the per-token mean of (v̂ − (ε − x0))² over
  its latent tokens. It takes the current RoPE position without advancing it, and no other
  split can see it (so a clean copy of the same picture may follow for later context).

Masks: each split sees every earlier split except noised ones, and itself (causally for text,
fully otherwise). Losses: CE averaged over CE tokens, MSE over latent tokens, combined as
`ce_weight·CE + mse_weight·MSE` (reference defaults 1.0 and 1.0).

The reference trains in one packed forward with flex-attention; we run one example per forward
with a dense boolean mask (SDPA), which is simpler and fits the example sizes of LoRA training.
Expert routing here takes any set of rows (a sequence holds several images), so it does not use
the inference path's block routing.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor
from torch.utils.checkpoint import checkpoint

from .qwen2_mot import apply_rope

AttnMode = Literal["causal", "full", "noise"]

# Reference defaults (train/pretrain_unified_navit.py): loss weights, training timestep shift,
# and the conditioning dropout that keeps classifier-free guidance working.
CE_WEIGHT = 1.0
MSE_WEIGHT = 1.0
TRAIN_TIMESTEP_SHIFT = 1.0
TEXT_COND_DROPOUT = 0.1
VIT_COND_DROPOUT = 0.3
VAE_COND_DROPOUT = 0.3


@dataclass(frozen=True)
class LossSettings:
    ce_weight: float = CE_WEIGHT
    mse_weight: float = MSE_WEIGHT
    timestep_shift: float = TRAIN_TIMESTEP_SHIFT
    text_cond_dropout: float = TEXT_COND_DROPOUT
    vit_cond_dropout: float = VIT_COND_DROPOUT
    vae_cond_dropout: float = VAE_COND_DROPOUT


@dataclass
class VaeImage:
    """A picture as VAE latents: encoder moments (the latent is sampled per step), grid ids,
    where its tokens sit in the sequence, and whether the model must produce it."""

    moments: Tensor  # [1, 2C, h, w] encoder output
    height: int  # pixels after the VAE resize rule
    width: int
    position_ids: Tensor  # [N] latent grid ids
    rows: Tensor  # [N] sequence rows of its latent tokens
    target: bool


@dataclass
class VitImage:
    patches: Tensor  # [n, 588]
    position_ids: Tensor  # [n]
    rows: Tensor  # [n]


@dataclass
class PackedSequence:
    """One training example laid out as the model sees it."""

    length: int
    text_ids: Tensor  # [Nt] token ids of every text row (markers included)
    text_rows: Tensor  # [Nt]
    positions: Tensor  # [L] RoPE positions
    split_lens: list[int]
    split_modes: list[AttnMode]
    ce_rows: Tensor  # [Nc] rows whose next token is a label
    ce_labels: Tensor  # [Nc]
    vit_images: list[VitImage] = field(default_factory=list)
    vae_images: list[VaeImage] = field(default_factory=list)
    weight: float = 1.0

    @property
    def gen_rows(self) -> Tensor:
        """Rows of the generation expert: every latent token, clean or noised (markers excluded)."""
        rows = [img.rows for img in self.vae_images]
        return torch.cat(rows).sort().values if rows else torch.empty(0, dtype=torch.long)

    @property
    def num_mse_tokens(self) -> int:
        return sum(int(img.rows.numel()) for img in self.vae_images if img.target)

    def attention_mask(self, device: torch.device | str = "cpu") -> Tensor:
        """[L, L] bool, True = the query row may attend to the key column."""
        mask = torch.zeros(self.length, self.length, dtype=torch.bool, device=device)
        start = 0
        for length, mode in zip(self.split_lens, self.split_modes):
            end = start + length
            mask[start:end, :start] = True
            if mode == "causal":
                mask[start:end, start:end] = torch.ones(length, length, dtype=torch.bool, device=device).tril()
            else:
                mask[start:end, start:end] = True
            start = end
        start = 0
        for length, mode in zip(self.split_lens, self.split_modes):
            if mode == "noise":  # invisible to everybody but itself
                mask[:, start:start + length] = False
                mask[start:start + length, start:start + length] = True
            start += length
        return mask


@dataclass(frozen=True)
class Draws:
    """Every random number one forward uses: the posterior sample of each VAE image, and for
    each noised picture its flow time and noise. Drawn from one generator, so a training step
    is a pure function of its seed (and resuming reproduces it)."""

    latent_eps: list[Tensor]  # per VAE image, like its latent [1, C, h, w]
    timesteps: list[float]  # per VAE image (0.0 for clean ones)
    noise: list[Tensor | None]  # per VAE image, [N, 64] for noised ones


def sample_timestep(generator: torch.Generator, shift: float) -> float:
    s = torch.sigmoid(torch.randn((), generator=generator)).item()
    return shift * s / (1 + (shift - 1) * s)


def sample_draws(packed: PackedSequence, generator: torch.Generator, shift: float, token_dim: int) -> Draws:
    eps, times, noise = [], [], []
    for img in packed.vae_images:
        c2, h, w = img.moments.shape[1:]
        eps.append(torch.randn((1, c2 // 2, h, w), generator=generator))
        if img.target:
            times.append(sample_timestep(generator, shift))
            noise.append(torch.randn((int(img.rows.numel()), token_dim), generator=generator))
        else:
            times.append(0.0)
            noise.append(None)
    return Draws(eps, times, noise)


@dataclass
class TrainingOutput:
    ce: Tensor | None  # mean CE over CE tokens (None: no text to learn)
    mse: Tensor | None  # mean per-token MSE over noised latent tokens
    ce_tokens: int
    mse_tokens: int
    loss: Tensor  # weighted sum, times the example weight
    hidden: Tensor | None = None  # final-norm hidden states (kept for tests)
    velocities: list[Tensor] = field(default_factory=list)  # predicted v per noised picture


# --- packing ------------------------------------------------------------------------------


class SequencePacker:
    """Turns an example (text and image parts, see `psir.examples`) into a `PackedSequence`
    for one model: tokenizer, image transforms, VAE. VAE moments are cached per image file."""

    def __init__(self, inferencer, settings: LossSettings = LossSettings(), max_image_side: int | None = None,
                 cache_size: int = 512) -> None:
        self.inf = inferencer
        self.model = inferencer.model
        self.settings = settings
        # Pictures larger than this are scaled down first (then the model's resize rule applies):
        # the number of latent and ViT tokens, and so memory, grows with the square of the side.
        self.max_image_side = max_image_side
        self._moments: OrderedDict[str, tuple[Tensor, int, int]] = OrderedDict()
        self._cache_size = cache_size

    def _open(self, path: Path) -> Image.Image:
        with Image.open(path) as img:
            img.load()
            if self.max_image_side and max(img.size) > self.max_image_side:
                scale = self.max_image_side / max(img.size)
                img = img.convert("RGB").resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                                                Image.Resampling.BICUBIC)
            return self.inf.prepare_image(img)

    @torch.no_grad()
    def _moments_of(self, path: Path) -> tuple[Tensor, int, int]:
        key = str(path)
        if key in self._moments:
            self._moments.move_to_end(key)
            return self._moments[key]
        prepared = self._open(path)
        pixels = self.inf.transforms.vae_pixels(prepared).unsqueeze(0)
        moments = self.inf.vae.encode(pixels).float().cpu()
        value = (moments, prepared.height, prepared.width)
        self._moments[key] = value
        while len(self._moments) > self._cache_size:
            self._moments.popitem(last=False)
        return value

    def pack(self, example, generator: torch.Generator | None = None, weight: float | None = None) -> PackedSequence:
        """Lay out `example`; with a `generator`, conditioning parts marked `cfg` are dropped at the
        reference's rates (text: skipped; image: skipped but its RoPE position still advances)."""
        from stagestudio.psir.examples import ImagePart, TextPart

        special = self.inf.special
        s = self.settings
        text_ids: list[int] = []
        text_rows: list[int] = []
        positions: list[int] = []
        ce_rows: list[int] = []
        ce_labels: list[int] = []
        split_lens: list[int] = []
        split_modes: list[AttnMode] = []
        vit_images: list[VitImage] = []
        vae_images: list[VaeImage] = []
        row = 0
        rope = 0

        def dropped(rate: float) -> bool:
            return generator is not None and rate > 0 and float(torch.rand((), generator=generator)) < rate

        def add_markers_around(n: int) -> tuple[int, Tensor]:
            nonlocal row
            text_ids.extend([special.start_of_image, special.end_of_image])
            text_rows.extend([row, row + n + 1])
            inner = torch.arange(row + 1, row + 1 + n)
            row += n + 2
            return n + 2, inner

        for part in example.parts:
            if isinstance(part, TextPart):
                if part.cfg and dropped(s.text_cond_dropout):
                    continue
                ids = [special.bos, *self.inf.tokenizer.encode(part.text), special.eos]
                text_ids.extend(ids)
                text_rows.extend(range(row, row + len(ids)))
                if part.loss:
                    ce_rows.extend(range(row, row + len(ids) - 1))
                    ce_labels.extend(ids[1:])
                positions.extend(range(rope, rope + len(ids)))
                split_lens.append(len(ids))
                split_modes.append("causal")
                row += len(ids)
                rope += len(ids)
                continue
            assert isinstance(part, ImagePart)
            if part.target:
                moments, h, w = self._moments_of(part.path)
                n = self.inf.layout.num_tokens(h, w)
                length, inner = add_markers_around(n)
                vae_images.append(VaeImage(moments, h, w, self.inf.layout.position_ids(h, w), inner, target=True))
                positions.extend([rope] * length)  # a noised picture does not advance the position
                split_lens.append(length)
                split_modes.append("noise")
                continue
            if part.vae:
                if part.cfg and dropped(s.vae_cond_dropout):
                    rope += 1
                else:
                    moments, h, w = self._moments_of(part.path)
                    n = self.inf.layout.num_tokens(h, w)
                    length, inner = add_markers_around(n)
                    vae_images.append(VaeImage(moments, h, w, self.inf.layout.position_ids(h, w), inner, target=False))
                    positions.extend([rope] * length)
                    split_lens.append(length)
                    split_modes.append("full")
                    rope += 1
            if part.vit:
                if part.cfg and dropped(s.vit_cond_dropout):
                    rope += 1
                else:
                    patches, pos = self.inf.vit_patch_tokens(self._open(part.path))
                    length, inner = add_markers_around(int(patches.shape[0]))
                    vit_images.append(VitImage(patches, pos, inner))
                    positions.extend([rope] * length)
                    split_lens.append(length)
                    split_modes.append("full")
                    rope += 1

        long = torch.long
        return PackedSequence(
            length=row, text_ids=torch.tensor(text_ids, dtype=long), text_rows=torch.tensor(text_rows, dtype=long),
            positions=torch.tensor(positions, dtype=long), split_lens=split_lens, split_modes=split_modes,
            ce_rows=torch.tensor(ce_rows, dtype=long), ce_labels=torch.tensor(ce_labels, dtype=long),
            vit_images=vit_images, vae_images=vae_images,
            weight=float(example.weight if weight is None else weight),
        )


# --- the forward --------------------------------------------------------------------------


def _by_expert(x: Tensor, und: Tensor, gen: Tensor, und_fn, gen_fn) -> Tensor:
    """`und_fn` on the rows `und`, `gen_fn` on the rows `gen`, results back in row order."""
    if gen.numel() == 0:
        return und_fn(x)
    und_out = und_fn(x[und])
    gen_out = gen_fn(x[gen])
    out = gen_out.new_zeros((x.shape[0],) + tuple(gen_out.shape[1:]))
    return out.index_copy(0, und, und_out.to(out.dtype)).index_copy(0, gen, gen_out)


def _attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor) -> Tensor:
    """SDPA over the whole sequence with a boolean mask. The key/value heads are repeated to the
    query heads (contiguous groups, as in inference) rather than passed with `enable_gqa`, so the
    memory-efficient kernel, which takes arbitrary masks, can run instead of the L x L math path."""
    heads, kv_heads = q.shape[1], k.shape[1]
    if heads != kv_heads:
        k = k.repeat_interleave(heads // kv_heads, dim=1)
        v = v.repeat_interleave(heads // kv_heads, dim=1)
    out = F.scaled_dot_product_attention(q.transpose(0, 1), k.transpose(0, 1).to(q.dtype), v.transpose(0, 1).to(q.dtype),
                                         attn_mask=mask)
    return out.transpose(0, 1).reshape(q.shape[0], heads * q.shape[2])


def _layer_forward(layer, x: Tensor, cos: Tensor, sin: Tensor, und: Tensor, gen: Tensor, mask: Tensor) -> Tensor:
    """One MoT decoder layer over the whole sequence (the inference layer's maths with a
    free-form mask and any set of generation rows)."""
    attn = layer.self_attn
    n = x.shape[0]
    h = _by_expert(x, und, gen, layer.input_layernorm, layer.input_layernorm_moe_gen)
    q = _by_expert(h, und, gen, attn.q_proj, attn.q_proj_moe_gen).view(n, attn.num_heads, attn.head_dim)
    k = _by_expert(h, und, gen, attn.k_proj, attn.k_proj_moe_gen).view(n, attn.num_kv_heads, attn.head_dim)
    v = _by_expert(h, und, gen, attn.v_proj, attn.v_proj_moe_gen).view(n, attn.num_kv_heads, attn.head_dim)
    q = _by_expert(q, und, gen, attn.q_norm, attn.q_norm_moe_gen)
    k = _by_expert(k, und, gen, attn.k_norm, attn.k_norm_moe_gen)
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    out = _attention(q, k, v, mask).to(x.dtype)
    x = x + _by_expert(out, und, gen, attn.o_proj, attn.o_proj_moe_gen).to(x.dtype)
    h = _by_expert(x, und, gen, layer.post_attention_layernorm, layer.post_attention_layernorm_moe_gen)
    return x + _by_expert(h, und, gen, layer.mlp, layer.mlp_moe_gen).to(x.dtype)


def training_forward(model, vae, packed: PackedSequence, draws: Draws, settings: LossSettings = LossSettings(),
                     gradient_checkpointing: bool = False, keep_hidden: bool = False) -> TrainingOutput:
    """Losses of one packed example. Frozen parts (embeddings, ViT, VAE) run without gradients;
    gradients reach whatever is trainable in the decoder layers (the LoRA adapter)."""
    device = model.device
    lm = model.language_model.model
    dtype = model.dtype
    hidden_size = lm.embed_tokens.weight.shape[1]
    x = torch.zeros(packed.length, hidden_size, dtype=dtype, device=device)
    targets: list[tuple[Tensor, Tensor, Tensor]] = []  # (rows, x0, noise) of noised pictures
    with torch.no_grad():
        x[packed.text_rows.to(device)] = model.embed_tokens(packed.text_ids).to(dtype)
        for img in packed.vit_images:
            x[img.rows.to(device)] = model.vit_embeddings(img.patches, img.position_ids).to(dtype)
        layout = _layout(model)
        for img, eps, t, noise in zip(packed.vae_images, draws.latent_eps, draws.timesteps, draws.noise):
            z = vae.sample_latent(img.moments.to(vae.device), eps=eps.to(vae.device))
            x0 = layout.to_tokens(z.float().cpu(), img.height, img.width)
            if img.target:
                assert noise is not None
                x_t = (1 - t) * x0 + t * noise
                targets.append((img.rows, x0, noise))
            else:
                x_t = x0
            x[img.rows.to(device)] = model.latent_embeddings(x_t, img.position_ids, t).to(dtype)

    gen = packed.gen_rows.to(device)
    und = _complement(packed.length, packed.gen_rows).to(device)
    cos, sin = lm.rotary_emb(packed.positions.to(device))
    mask = packed.attention_mask(device)
    for layer in lm.layers:
        if gradient_checkpointing and torch.is_grad_enabled():
            x = checkpoint(_layer_forward, layer, x, cos, sin, und, gen, mask, use_reentrant=False)
        else:
            x = _layer_forward(layer, x, cos, sin, und, gen, mask)
    x = _by_expert(x, und, gen, lm.norm, lm.norm_moe_gen)

    loss = x.new_zeros((), dtype=torch.float32)
    ce = None
    if packed.ce_rows.numel():
        logits = model.language_model.lm_head(x[packed.ce_rows.to(device)]).float()
        ce = F.cross_entropy(logits, packed.ce_labels.to(device), reduction="mean")
        loss = loss + settings.ce_weight * ce
    mse = None
    velocities: list[Tensor] = []
    if targets:
        squared = []
        for rows, x0, noise in targets:
            v = model.llm2vae(x[rows.to(device)].to(model.llm2vae.weight.dtype)).float()
            velocities.append(v)
            # v = dx_t/dt points from data to noise: the target is noise - x0.
            squared.append(((v - (noise - x0).to(device)) ** 2).mean(dim=-1))
        mse = torch.cat(squared).mean()
        loss = loss + settings.mse_weight * mse
    return TrainingOutput(ce=ce, mse=mse, ce_tokens=int(packed.ce_rows.numel()), mse_tokens=packed.num_mse_tokens,
                          loss=loss * packed.weight, hidden=x if keep_hidden else None, velocities=velocities)


def _complement(length: int, rows: Tensor) -> Tensor:
    keep = torch.ones(length, dtype=torch.bool)
    keep[rows] = False
    return keep.nonzero().flatten()


def _layout(model):
    from .latents import LatentLayout

    cfg = model.config
    return LatentLayout(cfg.vae_downsample, cfg.latent_patch_size, cfg.latent_channels, cfg.max_latent_size)
