"""Qwen2 language model with BAGEL's Mixture-of-Transformers (MoT) layout.

Every decoder layer holds two full sets of weights: the plain Qwen2 ("und") weights and a
`*_moe_gen` copy used for image-latent tokens. A forward call processes one *block* of new tokens
against a KV cache of earlier blocks. In "und" mode every token uses the plain weights; in "gen" mode
the rows in `gen` (the latent tokens, one contiguous run) use the gen copy and the other rows (the image
markers) the plain weights. All rows share one attention call, so each expert sees the other's keys.

Parameter names equal the official checkpoint names (`language_model.model.layers.0.self_attn.
q_proj_moe_gen.weight` and so on, once nested under `BagelModel.language_model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import LlmConfig

LayerKV = tuple[Tensor, Tensor]  # keys (after qk-norm and RoPE) and values, [L, Hk, D] or head-major [Hk, L, D]


@dataclass(frozen=True)
class BlockRouting:
    """Which rows of a block go through which expert. `gen is None` means all "und"; otherwise
    the rows `gen` (one contiguous run: the latent tokens between their two image markers) use
    the gen copy and the rows around it the plain weights. Contiguous rows are sliced (views),
    never gathered or scattered through index tensors."""

    gen: slice | None = None

    @property
    def is_gen(self) -> bool:
        return self.gen is not None

    @staticmethod
    def und() -> "BlockRouting":
        return BlockRouting()

    @staticmethod
    def gen_rows(start: int, stop: int) -> "BlockRouting":
        return BlockRouting(gen=slice(start, stop))


class KVSink(Protocol):
    """Where a block's keys and values ([n, Hk, D]) go in each layer: returns the keys and values
    the block attends over (the cache followed by the block), head-major [Hk, L, D]. See
    `context.BlockWriter`."""

    def __call__(self, layer: int, k: Tensor, v: Tensor, num_layers: int) -> LayerKV: ...


class Qwen2RMSNorm(nn.Module):
    """RMSNorm as in Qwen2: statistics in float32, the weight applied in the input dtype.
    (Written here rather than imported: transformers' class may swap in hub kernels.)"""

    def __init__(self, size: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.variance_epsilon = eps

    def forward(self, x: Tensor) -> Tensor:
        # One fused kernel for the statistics (fewer small ops per decoded token).
        normed = F.rms_norm(x.to(torch.float32), (x.shape[-1],), eps=self.variance_epsilon)
        return self.weight * normed.to(x.dtype)


def route(x: Tensor, routing: BlockRouting, und_fn: Callable[[Tensor], Tensor],
          gen_fn: Callable[[Tensor], Tensor]) -> Tensor:
    """Apply `und_fn` to the und rows and `gen_fn` to the gen rows of `x`, keeping row order."""
    if routing.gen is None:
        return und_fn(x)
    start, stop = routing.gen.start, routing.gen.stop
    gen_out = gen_fn(x[start:stop])  # a view: the latent rows are contiguous
    und_out = und_fn(torch.cat([x[:start], x[stop:]]))  # the few marker rows
    return torch.cat([und_out[:start].to(gen_out.dtype), gen_out, und_out[start:].to(gen_out.dtype)])


class RotaryEmbedding(nn.Module):
    """Standard rotate-half RoPE; cos/sin are computed in float32 (precision at large positions)."""

    def __init__(self, head_dim: int, theta: float):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, positions: Tensor) -> tuple[Tensor, Tensor]:
        freqs = positions.to(torch.float32)[:, None] * self.inv_freq.to(positions.device)[None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        return emb.cos(), emb.sin()  # [L, D] each


def rotate_half(x: Tensor) -> Tensor:
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """x: [L, heads, D]; cos/sin: [L, D]. Computed in float32, returned in x's dtype."""
    xf = x.float()
    out = xf * cos[:, None, :] + rotate_half(xf) * sin[:, None, :]
    return out.to(x.dtype)


def attend(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None, is_causal: bool = False) -> Tensor:
    """Scaled dot-product attention with GQA in contiguous groups (query head h reads KV head
    h // (H / Hk)), which is SDPA's `enable_gqa` convention. q: [Lq, H, D]; k, v: head-major
    [Hk, Lk, D] (the KV storage layout); mask: bool [Lq, Lk] (True = may attend) or None
    (everything visible, or causal when `is_causal`: SDPA's own causal kernels, valid when
    Lq == Lk). Returns [Lq, H·D]."""
    heads, kv_heads, dim = q.shape[1], k.shape[0], q.shape[2]
    k, v = k.to(q.dtype), v.to(q.dtype)
    if q.shape[0] == 1 and mask is None and not is_causal and heads != kv_heads:
        # One query (a decoded token): each KV head's query group becomes a short sequence, so
        # attention reads the cache once per KV head, with no GQA expansion.
        out = F.scaled_dot_product_attention(q.reshape(kv_heads, heads // kv_heads, dim), k, v)
        return out.reshape(1, heads * dim)
    out = F.scaled_dot_product_attention(q.transpose(0, 1), k, v, attn_mask=mask, is_causal=is_causal,
                                         enable_gqa=heads != kv_heads)
    return out.transpose(0, 1).reshape(q.shape[0], heads * dim)


def block_mask(num_new: int, num_cached: int, causal: bool, device: torch.device,
               packed: tuple[int, ...] | None = None) -> Tensor | None:
    """Mask for a block of `num_new` queries whose keys are [cache..., block...].

    Causal blocks use bottom-right alignment (query i sees keys j <= i + num_cached), i.e. causal
    within the block and a full view of the cache. Bidirectional blocks see everything (None).
    `packed` splits a causal block into independent sequences of these lengths (questions over
    one shared context): each sees the whole cache and itself causally, never the others."""
    if packed is not None and len(packed) > 1:
        if sum(packed) != num_new:
            raise ValueError(f"packed lengths {packed} do not add up to the block's {num_new} rows")
        seq = torch.repeat_interleave(torch.arange(len(packed), device=device), torch.tensor(packed, device=device))
        rows = torch.arange(num_new, device=device)
        in_block = (seq[:, None] == seq[None, :]) & (rows[None, :] <= rows[:, None])
        cache = torch.ones(num_new, num_cached, dtype=torch.bool, device=device)
        return torch.cat([cache, in_block], dim=1)
    if not causal or num_new == 1:
        return None
    rows = torch.arange(num_new, device=device)[:, None]
    cols = torch.arange(num_cached + num_new, device=device)[None, :]
    return cols <= rows + num_cached


class Qwen2MLP(nn.Module):
    def __init__(self, hidden: int, intermediate: int):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, intermediate, bias=False)
        self.up_proj = nn.Linear(hidden, intermediate, bias=False)
        self.down_proj = nn.Linear(intermediate, hidden, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class MoTAttention(nn.Module):
    """Qwen2 attention with a gen-expert copy of q/k/v/o and of the per-head q/k norms."""

    def __init__(self, cfg: LlmConfig):
        super().__init__()
        self.num_heads = cfg.num_attention_heads
        self.num_kv_heads = cfg.num_key_value_heads
        self.head_dim = cfg.head_dim
        h, q_dim, kv_dim = cfg.hidden_size, cfg.num_attention_heads * cfg.head_dim, cfg.num_key_value_heads * cfg.head_dim
        self.q_proj = nn.Linear(h, q_dim, bias=True)
        self.k_proj = nn.Linear(h, kv_dim, bias=True)
        self.v_proj = nn.Linear(h, kv_dim, bias=True)
        self.o_proj = nn.Linear(q_dim, h, bias=False)
        self.q_norm = Qwen2RMSNorm(self.head_dim, eps=cfg.rms_norm_eps)
        self.k_norm = Qwen2RMSNorm(self.head_dim, eps=cfg.rms_norm_eps)
        self.q_norm_moe_gen = Qwen2RMSNorm(self.head_dim, eps=cfg.rms_norm_eps)
        self.k_norm_moe_gen = Qwen2RMSNorm(self.head_dim, eps=cfg.rms_norm_eps)
        self.q_proj_moe_gen = nn.Linear(h, q_dim, bias=True)
        self.k_proj_moe_gen = nn.Linear(h, kv_dim, bias=True)
        self.v_proj_moe_gen = nn.Linear(h, kv_dim, bias=True)
        self.o_proj_moe_gen = nn.Linear(q_dim, h, bias=False)

    def forward(self, x: Tensor, rope: tuple[Tensor, Tensor], routing: BlockRouting, layer: int,
                sink: KVSink | None, num_layers: int, causal: bool,
                packed: tuple[int, ...] | None = None) -> Tensor:
        n = x.shape[0]
        q = route(x, routing, self.q_proj, self.q_proj_moe_gen).view(n, self.num_heads, self.head_dim)
        k = route(x, routing, self.k_proj, self.k_proj_moe_gen).view(n, self.num_kv_heads, self.head_dim)
        v = route(x, routing, self.v_proj, self.v_proj_moe_gen).view(n, self.num_kv_heads, self.head_dim)
        q = route(q, routing, self.q_norm, self.q_norm_moe_gen)
        k = route(k, routing, self.k_norm, self.k_norm_moe_gen)
        cos, sin = rope
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        all_k, all_v = (k.transpose(0, 1), v.transpose(0, 1)) if sink is None else sink(layer, k, v, num_layers)
        num_cached = all_k.shape[1] - n
        if causal and num_cached == 0 and n > 1 and not (packed and len(packed) > 1):
            # A causal block with nothing cached (a first prompt): no mask tensor of n x n to
            # build, and SDPA may use its flash kernels.
            out = attend(q, all_k, all_v, None, is_causal=True).to(x.dtype)
        else:
            out = attend(q, all_k, all_v, block_mask(n, num_cached, causal, x.device, packed)).to(x.dtype)
        return route(out, routing, self.o_proj, self.o_proj_moe_gen)


class MoTDecoderLayer(nn.Module):
    def __init__(self, cfg: LlmConfig):
        super().__init__()
        self.self_attn = MoTAttention(cfg)
        self.mlp = Qwen2MLP(cfg.hidden_size, cfg.intermediate_size)
        self.mlp_moe_gen = Qwen2MLP(cfg.hidden_size, cfg.intermediate_size)
        self.input_layernorm = Qwen2RMSNorm(cfg.hidden_size, eps=cfg.rms_norm_eps)
        self.input_layernorm_moe_gen = Qwen2RMSNorm(cfg.hidden_size, eps=cfg.rms_norm_eps)
        self.post_attention_layernorm = Qwen2RMSNorm(cfg.hidden_size, eps=cfg.rms_norm_eps)
        self.post_attention_layernorm_moe_gen = Qwen2RMSNorm(cfg.hidden_size, eps=cfg.rms_norm_eps)

    def forward(self, x: Tensor, rope: tuple[Tensor, Tensor], routing: BlockRouting, layer: int,
                sink: KVSink | None, num_layers: int, causal: bool,
                packed: tuple[int, ...] | None = None) -> Tensor:
        h = route(x, routing, self.input_layernorm, self.input_layernorm_moe_gen)
        attn_out = self.self_attn(h, rope, routing, layer, sink, num_layers, causal, packed)
        x = x + attn_out.to(x.dtype)
        h = route(x, routing, self.post_attention_layernorm, self.post_attention_layernorm_moe_gen)
        h = route(h, routing, self.mlp, self.mlp_moe_gen)
        return x + h.to(x.dtype)


class Qwen2MoTModel(nn.Module):
    """`language_model.model`: embeddings, MoT layers, final norms (`norm` / `norm_moe_gen`)."""

    def __init__(self, cfg: LlmConfig):
        super().__init__()
        self.config = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(MoTDecoderLayer(cfg) for _ in range(cfg.num_hidden_layers))
        self.norm = Qwen2RMSNorm(cfg.hidden_size, eps=cfg.rms_norm_eps)
        self.norm_moe_gen = Qwen2RMSNorm(cfg.hidden_size, eps=cfg.rms_norm_eps)
        self.rotary_emb = RotaryEmbedding(cfg.head_dim, cfg.rope_theta)

    def forward(self, embeds: Tensor, positions: Tensor, routing: BlockRouting, sink: KVSink | None,
                causal: bool, packed: tuple[int, ...] | None = None) -> Tensor:
        """Run one block of `embeds` [L, hidden] at RoPE `positions` [L]; in each layer the
        block's keys and values go to `sink`, which says what the block attends over (None:
        the block alone). Returns the final-norm hidden states."""
        rope = self.rotary_emb(positions)
        x = embeds
        n = len(self.layers)
        for i, layer in enumerate(self.layers):
            x = layer(x, rope, routing, i, sink, n, causal, packed)
        return route(x, routing, self.norm, self.norm_moe_gen)


class Qwen2MoTForCausalLM(nn.Module):
    """`language_model`: the MoT model plus an untied `lm_head`."""

    def __init__(self, cfg: LlmConfig):
        super().__init__()
        self.config = cfg
        self.model = Qwen2MoTModel(cfg)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
