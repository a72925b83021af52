"""SigLIP vision encoder as BAGEL uses it (NaViT packing).

Several images of different sizes are processed in one call: their patch tokens are concatenated and
attention is bidirectional within each image only. The patch embedding is a Linear layer on flattened
(kh, kw, c) patches (BAGEL converts the original Conv2d), positions come from a learned table indexed
`row * (image_size / patch) + col` (no interpolation, no CLS token, no RoPE).

Parameter names equal the checkpoint's `vit_model.vision_model.*` names.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import VitConfig


def gelu_tanh(x: Tensor) -> Tensor:
    return F.gelu(x, approximate="tanh")


class SiglipEmbeddings(nn.Module):
    def __init__(self, cfg: VitConfig):
        super().__init__()
        self.patch_embedding = nn.Linear(cfg.patch_dim, cfg.hidden_size, bias=True)
        self.position_embedding = nn.Embedding(cfg.num_positions, cfg.hidden_size)

    def forward(self, patches: Tensor, position_ids: Tensor) -> Tensor:
        return self.patch_embedding(patches) + self.position_embedding(position_ids)


class SiglipAttention(nn.Module):
    def __init__(self, cfg: VitConfig):
        super().__init__()
        self.num_heads = cfg.num_attention_heads
        self.head_dim = cfg.head_dim
        h = cfg.hidden_size
        self.q_proj = nn.Linear(h, h)
        self.k_proj = nn.Linear(h, h)
        self.v_proj = nn.Linear(h, h)
        self.out_proj = nn.Linear(h, h)

    def forward(self, x: Tensor, mask: Tensor | None) -> Tensor:
        n = x.shape[0]

        def heads(t: Tensor) -> Tensor:
            return t.view(n, self.num_heads, self.head_dim).transpose(0, 1)

        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        out = F.scaled_dot_product_attention(q, k.to(q.dtype), v.to(q.dtype), attn_mask=mask)
        return self.out_proj(out.transpose(0, 1).reshape(n, -1).to(x.dtype))


class SiglipMLP(nn.Module):
    def __init__(self, cfg: VitConfig):
        super().__init__()
        if cfg.hidden_act not in ("gelu_pytorch_tanh", "gelu_tanh"):
            raise ValueError(f"unsupported ViT activation {cfg.hidden_act!r}")
        self.fc1 = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.fc2 = nn.Linear(cfg.intermediate_size, cfg.hidden_size)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(gelu_tanh(self.fc1(x)))


class SiglipEncoderLayer(nn.Module):
    def __init__(self, cfg: VitConfig):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.self_attn = SiglipAttention(cfg)
        self.layer_norm2 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.mlp = SiglipMLP(cfg)

    def forward(self, x: Tensor, mask: Tensor | None) -> Tensor:
        x = x + self.self_attn(self.layer_norm1(x), mask).to(x.dtype)
        return x + self.mlp(self.layer_norm2(x)).to(x.dtype)


class SiglipEncoder(nn.Module):
    def __init__(self, cfg: VitConfig):
        super().__init__()
        self.layers = nn.ModuleList(SiglipEncoderLayer(cfg) for _ in range(cfg.num_hidden_layers))


class SiglipVisionTransformer(nn.Module):
    """`vit_model.vision_model`."""

    def __init__(self, cfg: VitConfig):
        super().__init__()
        self.embeddings = SiglipEmbeddings(cfg)
        self.encoder = SiglipEncoder(cfg)
        self.post_layernorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)


def same_image_mask(seqlens: list[int], device: torch.device) -> Tensor | None:
    """Block-diagonal bool mask: a patch attends only to patches of its own image."""
    if len(seqlens) == 1:
        return None
    image_of = torch.repeat_interleave(torch.arange(len(seqlens), device=device),
                                       torch.tensor(seqlens, device=device))
    return image_of[:, None] == image_of[None, :]


class SiglipVisionModel(nn.Module):
    """`vit_model`: encodes packed patches of one or more images to [total_patches, vit_hidden]."""

    def __init__(self, cfg: VitConfig):
        super().__init__()
        self.config = cfg
        self.vision_model = SiglipVisionTransformer(cfg)

    def forward(self, patches: Tensor, position_ids: Tensor, seqlens: list[int]) -> Tensor:
        """patches: [sum(seqlens), patch_dim] in (kh, kw, c) order; position_ids: row·side+col."""
        vm = self.vision_model
        x = vm.embeddings(patches, position_ids)
        mask = same_image_mask(seqlens, x.device)
        for layer in vm.encoder.layers:
            x = layer(x, mask)
        return vm.post_layernorm(x)
