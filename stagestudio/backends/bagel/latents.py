"""Token layouts and embeddings around the BAGEL LLM: patchify orders, position ids,
the frozen 2-D sin-cos tables and the timestep embedder.

Layouts (all row-major over the patch grid):

* latent tokens: a ``[C, 2h, 2w]`` VAE latent becomes ``h·w`` tokens; token ``(r, c)``
  holds the 2×2 patch as ``[p, q, channel]`` with the channel fastest (``p·p·C`` values);
* ViT tokens: the same order on ``[3, H, W]`` pixels with 14×14 patches (588 values),
  matching the Linear patch embedding whose weight is ``[hidden, 588]`` in (kh, kw, c) order;
* position ids: ``row · max_per_side + col`` (64 for latents, 70 for the ViT).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

TIMESTEP_FREQUENCY_SIZE = 256


# --- patchify ---------------------------------------------------------------------------


def patchify(image: torch.Tensor, patch_size: int, rows: int | None = None, cols: int | None = None) -> torch.Tensor:
    """``[C, H, W]`` (or ``[1, C, H, W]``) -> ``[rows·cols, p·p·C]`` tokens.

    ``rows``/``cols`` default to ``H // p`` and ``W // p``; anything beyond ``rows·p`` /
    ``cols·p`` is cropped (the reference crops a VAE latent to the token grid).
    """
    if image.ndim == 4:
        if image.shape[0] != 1:
            raise ValueError(f"patchify takes one image, got a batch of {image.shape[0]}")
        image = image[0]
    if image.ndim != 3:
        raise ValueError(f"patchify expects [C,H,W], got shape {tuple(image.shape)}")
    channels, height, width = image.shape
    p = patch_size
    rows = height // p if rows is None else rows
    cols = width // p if cols is None else cols
    if rows <= 0 or cols <= 0 or rows * p > height or cols * p > width:
        raise ValueError(f"cannot cut a {rows}x{cols} grid of {p}px patches from a {height}x{width} map")
    grid = image[:, : rows * p, : cols * p].reshape(channels, rows, p, cols, p)
    return grid.permute(1, 3, 2, 4, 0).reshape(rows * cols, p * p * channels)


def unpatchify(tokens: torch.Tensor, rows: int, cols: int, patch_size: int, channels: int) -> torch.Tensor:
    """Inverse of :func:`patchify`: ``[rows·cols, p·p·C]`` -> ``[1, C, rows·p, cols·p]``."""
    p = patch_size
    expected = (rows * cols, p * p * channels)
    if tuple(tokens.shape) != expected:
        raise ValueError(f"unpatchify expects tokens of shape {expected}, got {tuple(tokens.shape)}")
    grid = tokens.reshape(rows, cols, p, p, channels)
    return grid.permute(4, 0, 2, 1, 3).reshape(1, channels, rows * p, cols * p)


# --- grids and position ids ---------------------------------------------------------------


def token_grid(height: int, width: int, pixels_per_token: int) -> tuple[int, int]:
    """``(rows, cols)`` of the token grid for an image of ``height × width`` pixels.

    For latents ``pixels_per_token`` is the VAE downsample times the latent patch size
    (8·2 = 16); for the ViT it is the patch size (14).
    """
    if height < pixels_per_token or width < pixels_per_token:
        raise ValueError(f"a {height}x{width} image is smaller than one {pixels_per_token}px token")
    return height // pixels_per_token, width // pixels_per_token


def flattened_position_ids(rows: int, cols: int, max_per_side: int) -> torch.Tensor:
    """``row · max_per_side + col`` for a ``rows × cols`` grid, row-major, int64."""
    if rows > max_per_side or cols > max_per_side:
        raise ValueError(
            f"a {rows}x{cols} token grid exceeds the position table's {max_per_side} tokens per side"
        )
    row_ids = torch.arange(rows, dtype=torch.long)[:, None] * max_per_side
    return (row_ids + torch.arange(cols, dtype=torch.long)[None, :]).flatten()


def latent_position_ids(height: int, width: int, latent_downsample: int, max_latent_size: int) -> torch.Tensor:
    """Latent-token position ids for an image of ``height × width`` pixels."""
    rows, cols = token_grid(height, width, latent_downsample)
    return flattened_position_ids(rows, cols, max_latent_size)


def vit_position_ids(height: int, width: int, patch_size: int, max_per_side: int) -> torch.Tensor:
    """ViT patch position ids for ``[3, height, width]`` pixels."""
    rows, cols = token_grid(height, width, patch_size)
    return flattened_position_ids(rows, cols, max_per_side)


@dataclass(frozen=True)
class LatentLayout:
    """How VAE latents become LLM tokens, from BagelConfig / ae_params values.

    ``vae_downsample`` is the VAE's pixel-to-latent factor (8), ``patch_size`` the latent
    patch side (2), ``channels`` the latent channels (16), ``max_latent_size`` the side of
    the latent position table (64).
    """

    vae_downsample: int
    patch_size: int
    channels: int
    max_latent_size: int

    @property
    def pixels_per_token(self) -> int:
        return self.vae_downsample * self.patch_size

    @property
    def token_dim(self) -> int:
        return self.patch_size * self.patch_size * self.channels

    def grid(self, height: int, width: int) -> tuple[int, int]:
        """Token grid ``(rows, cols)`` of an image of ``height × width`` pixels."""
        return token_grid(height, width, self.pixels_per_token)

    def num_tokens(self, height: int, width: int) -> int:
        rows, cols = self.grid(height, width)
        return rows * cols

    def position_ids(self, height: int, width: int) -> torch.Tensor:
        rows, cols = self.grid(height, width)
        return flattened_position_ids(rows, cols, self.max_latent_size)

    def to_tokens(self, latent: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """VAE latent of an image of ``height × width`` pixels -> ``[rows·cols, token_dim]``."""
        rows, cols = self.grid(height, width)
        return patchify(latent, self.patch_size, rows, cols)

    def to_latent(self, tokens: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """Tokens of an image of ``height × width`` pixels -> VAE latent ``[1, C, 2·rows, 2·cols]``."""
        rows, cols = self.grid(height, width)
        return unpatchify(tokens, rows, cols, self.patch_size, self.channels)


# --- frozen sin-cos tables ------------------------------------------------------------------


def sincos_2d_table(embed_dim: int, grid_size: int) -> torch.Tensor:
    """``[grid_size², embed_dim]`` float32 table; row ``r·G + c`` is
    ``[sin(c·ω), cos(c·ω), sin(r·ω), cos(r·ω)]`` with ``ω_k = 10000^(−k/(D/4))``.

    The column (width) coordinate fills the first half. Computed in float64, then rounded
    once to float32, like the checkpoint's stored tables.
    """
    if embed_dim % 4:
        raise ValueError(f"sin-cos table width must be divisible by 4, got {embed_dim}")
    quarter = embed_dim // 4
    omega = 1.0 / 10000 ** (torch.arange(quarter, dtype=torch.float64) / quarter)
    coords = torch.arange(grid_size, dtype=torch.float64)
    rows = coords.repeat_interleave(grid_size)  # r for entry r·G + c
    cols = coords.repeat(grid_size)  # c for entry r·G + c

    def encode(pos: torch.Tensor) -> torch.Tensor:
        angles = pos[:, None] * omega[None, :]
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)

    return torch.cat([encode(cols), encode(rows)], dim=1).to(torch.float32)


class SinCosPositionTable(nn.Module):
    """Frozen 2-D sin-cos table looked up by flattened position id.

    The parameter is called ``pos_embed`` so that under ``latent_pos_embed`` /
    ``vit_pos_embed`` it matches the checkpoint names; the checkpoint stores the values.
    """

    def __init__(self, max_per_side: int, hidden_size: int) -> None:
        super().__init__()
        self.max_per_side = max_per_side
        self.hidden_size = hidden_size
        self.pos_embed = nn.Parameter(torch.empty(max_per_side**2, hidden_size), requires_grad=False)
        if self.pos_embed.device.type != "meta":
            self.reset_parameters()

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.pos_embed.copy_(sincos_2d_table(self.hidden_size, self.max_per_side))

    def forward(self, position_ids: torch.Tensor) -> torch.Tensor:
        return self.pos_embed[position_ids]


# --- timestep embedding ---------------------------------------------------------------------


def timestep_frequencies(t: torch.Tensor, dim: int = TIMESTEP_FREQUENCY_SIZE, max_period: float = 10000.0) -> torch.Tensor:
    """``[N] -> [N, dim]`` features ``[cos(t·f), sin(t·f)]`` (cos first), f_i = e^(−ln(P)·i/(dim/2)).

    ``t`` is the flow time in [0, 1] as used by BAGEL (not scaled by 1000).
    """
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half).to(t.device)
    args = t.reshape(-1, 1).float() * freqs[None]
    features = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        features = torch.cat([features, torch.zeros_like(features[:, :1])], dim=-1)
    return features


class TimestepEmbedder(nn.Module):
    """Sinusoidal features -> Linear -> SiLU -> Linear (names ``mlp.0`` / ``mlp.2`` as in the checkpoint)."""

    def __init__(self, hidden_size: int, frequency_size: int = TIMESTEP_FREQUENCY_SIZE) -> None:
        super().__init__()
        self.frequency_size = frequency_size
        self.mlp = nn.Sequential(
            nn.Linear(frequency_size, hidden_size, bias=True),
            nn.SiLU(),
            nn.Linear(hidden_size, hidden_size, bias=True),
        )

    def forward(self, t: torch.Tensor | float) -> torch.Tensor:
        """``t``: a scalar or ``[N]`` flow times -> ``[N, hidden]`` (``[1, hidden]`` for a scalar)."""
        weight = self.mlp[0].weight
        t = torch.as_tensor(t, dtype=torch.float32, device=weight.device)
        features = timestep_frequencies(t, self.frequency_size)
        return self.mlp(features.to(weight.dtype))
