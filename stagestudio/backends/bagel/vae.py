"""FLUX autoencoder used by BAGEL, built on diffusers' ``AutoencoderKL``.

BAGEL ships the VAE as the original Black Forest Labs ``ae.safetensors`` (keys such as
``encoder.down.0.block.0.norm1.weight``). We build the diffusers model from the size
parameters (``ae_params.json`` format) and convert the original keys ourselves, strictly,
so that any size (the real ch 128 / [1,2,4,4] model, or a tiny test model) loads without
network access and without a hidden fallback config.

Latent convention (as in the reference): ``z = scale * (sample - shift)`` on encode and
``decoder(z / scale + shift)`` on decode.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

import torch

CONFIG_DIR = Path(__file__).resolve().parent / "flux_vae_config"
"""Package folder holding the FLUX VAE ``config.json`` (diffusers format, real sizes)."""


@dataclass(frozen=True)
class FluxVAEParams:
    """Size parameters of a FLUX autoencoder, in the ``ae_params.json`` / reference format."""

    resolution: int = 256
    in_channels: int = 3
    downsample: int = 8
    ch: int = 128
    out_ch: int = 3
    ch_mult: tuple[int, ...] = (1, 2, 4, 4)
    num_res_blocks: int = 2
    z_channels: int = 16
    scale_factor: float = 0.3611
    shift_factor: float = 0.1159

    def __post_init__(self) -> None:
        object.__setattr__(self, "ch_mult", tuple(int(m) for m in self.ch_mult))
        if not self.ch_mult:
            raise ValueError("FluxVAEParams.ch_mult must list at least one level")
        expected_downsample = 2 ** (len(self.ch_mult) - 1)
        if self.downsample != expected_downsample:
            raise ValueError(
                f"FluxVAEParams: downsample={self.downsample} does not match "
                f"ch_mult {list(self.ch_mult)} ({len(self.ch_mult)} levels give {expected_downsample})"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FluxVAEParams":
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown FLUX VAE parameter(s) {unknown}; expected keys {sorted(known)}")
        return cls(**dict(data))

    @classmethod
    def from_json(cls, path: str | Path) -> "FluxVAEParams":
        with open(path, encoding="utf-8") as fh:
            return cls.from_dict(json.load(fh))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ch_mult"] = list(self.ch_mult)
        return data

    @property
    def num_levels(self) -> int:
        return len(self.ch_mult)

    @property
    def block_out_channels(self) -> list[int]:
        return [self.ch * m for m in self.ch_mult]


REAL_FLUX_VAE_PARAMS = FluxVAEParams()
"""The BAGEL-7B-MoT / FLUX.1 autoencoder sizes."""


def load_base_config() -> dict[str, Any]:
    """The shipped FLUX VAE diffusers config (real sizes)."""
    with open(CONFIG_DIR / "config.json", encoding="utf-8") as fh:
        return json.load(fh)


def diffusers_config(params: FluxVAEParams) -> dict[str, Any]:
    """``AutoencoderKL`` constructor arguments for ``params``.

    Starts from the shipped FLUX config (activation, quant convs off, group count) and
    replaces every size that ``params`` determines.
    """
    config = {k: v for k, v in load_base_config().items() if not k.startswith("_")}
    levels = params.num_levels
    config.update(
        in_channels=params.in_channels,
        out_channels=params.out_ch,
        block_out_channels=params.block_out_channels,
        down_block_types=["DownEncoderBlock2D"] * levels,
        up_block_types=["UpDecoderBlock2D"] * levels,
        layers_per_block=params.num_res_blocks,
        latent_channels=params.z_channels,
        scaling_factor=params.scale_factor,
        shift_factor=params.shift_factor,
    )
    groups = config["norm_num_groups"]
    bad = [c for c in params.block_out_channels if c % groups]
    if bad:
        raise ValueError(f"FLUX VAE channel counts {bad} are not divisible by {groups} GroupNorm groups")
    return config


# --- key conversion ---------------------------------------------------------------------

_RESNET_PARTS = {"norm1": "norm1", "conv1": "conv1", "norm2": "norm2", "conv2": "conv2",
                 "nin_shortcut": "conv_shortcut"}
_ATTN_PARTS = {"norm": "group_norm", "q": "to_q", "k": "to_k", "v": "to_v", "proj_out": "to_out.0"}
_PLAIN = {"conv_in": "conv_in", "conv_out": "conv_out", "norm_out": "conv_norm_out"}


def original_to_diffusers_key(key: str, num_levels: int) -> str:
    """Map one original (BFL/BAGEL) autoencoder key to the diffusers ``AutoencoderKL`` key.

    The decoder's ``up`` list is indexed by resolution level in the original (0 = full
    resolution) but in execution order in diffusers (0 = lowest resolution), hence the flip.
    """
    m = re.fullmatch(r"(encoder|decoder)\.(.+)\.(weight|bias)", key)
    if m is None:
        raise KeyError(f"not a FLUX autoencoder key: {key!r}")
    side, body, leaf = m.groups()

    def resnet(part: str) -> str:
        if part not in _RESNET_PARTS:
            raise KeyError(f"unknown resnet part in {key!r}")
        return _RESNET_PARTS[part]

    if body in _PLAIN:
        mapped = _PLAIN[body]
    elif mm := re.fullmatch(r"mid\.block_([12])\.(\w+)", body):
        mapped = f"mid_block.resnets.{int(mm.group(1)) - 1}.{resnet(mm.group(2))}"
    elif mm := re.fullmatch(r"mid\.attn_1\.(\w+)", body):
        if mm.group(1) not in _ATTN_PARTS:
            raise KeyError(f"unknown attention part in {key!r}")
        mapped = f"mid_block.attentions.0.{_ATTN_PARTS[mm.group(1)]}"
    elif side == "encoder" and (mm := re.fullmatch(r"down\.(\d+)\.block\.(\d+)\.(\w+)", body)):
        mapped = f"down_blocks.{mm.group(1)}.resnets.{mm.group(2)}.{resnet(mm.group(3))}"
    elif side == "encoder" and (mm := re.fullmatch(r"down\.(\d+)\.downsample\.conv", body)):
        mapped = f"down_blocks.{mm.group(1)}.downsamplers.0.conv"
    elif side == "decoder" and (mm := re.fullmatch(r"up\.(\d+)\.block\.(\d+)\.(\w+)", body)):
        level = num_levels - 1 - int(mm.group(1))
        mapped = f"up_blocks.{level}.resnets.{mm.group(2)}.{resnet(mm.group(3))}"
    elif side == "decoder" and (mm := re.fullmatch(r"up\.(\d+)\.upsample\.conv", body)):
        level = num_levels - 1 - int(mm.group(1))
        mapped = f"up_blocks.{level}.upsamplers.0.conv"
    else:
        raise KeyError(f"unrecognised FLUX autoencoder key: {key!r}")
    return f"{side}.{mapped}.{leaf}"


def convert_original_state_dict(
    state_dict: Mapping[str, torch.Tensor], params: FluxVAEParams
) -> dict[str, torch.Tensor]:
    """Rename original keys to diffusers keys; 1×1 attention convs become Linear weights."""
    converted: dict[str, torch.Tensor] = {}
    for key, tensor in state_dict.items():
        new_key = original_to_diffusers_key(key, params.num_levels)
        if ".mid_block.attentions.0.to_" in new_key and new_key.endswith(".weight") and tensor.ndim == 4:
            tensor = tensor.reshape(tensor.shape[0], tensor.shape[1])
        if new_key in converted:
            raise KeyError(f"two original keys map to {new_key!r}")
        converted[new_key] = tensor
    return converted


def build_autoencoder(params: FluxVAEParams, device: str | torch.device = "cpu"):
    """An uninitialised diffusers ``AutoencoderKL`` of the given sizes (``device='meta'`` is free)."""
    from diffusers import AutoencoderKL

    with torch.device(device):
        model = AutoencoderKL(**diffusers_config(params))
    return model.eval().requires_grad_(False)


# --- runtime wrapper --------------------------------------------------------------------


class FluxVAE:
    """Encode pixels to BAGEL latents and decode latents to pixels."""

    tile_px: int | None = None  # see set_tiling

    def __init__(self, model: Any, params: FluxVAEParams) -> None:
        self.model = model
        self.params = params

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        params: FluxVAEParams | Mapping[str, Any] | None = None,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> "FluxVAE":
        """Load an original-layout ``ae.safetensors``; ``params`` defaults to the real FLUX sizes."""
        from safetensors.torch import load_file

        if params is None:
            params = REAL_FLUX_VAE_PARAMS
        elif not isinstance(params, FluxVAEParams):
            params = FluxVAEParams.from_dict(params)
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"FLUX VAE weights not found: {path}")
        original = load_file(str(path), device="cpu")
        converted = convert_original_state_dict(original, params)
        # Cast before assigning so diffusers never sees a whole-model dtype change.
        converted = {k: v.to(dtype) for k, v in converted.items()}
        model = build_autoencoder(params, device="meta")
        expected = model.state_dict()
        missing = sorted(set(expected) - set(converted))
        unexpected = sorted(set(converted) - set(expected))
        wrong_shape = sorted(
            k for k in set(expected) & set(converted) if tuple(expected[k].shape) != tuple(converted[k].shape)
        )
        if missing or unexpected or wrong_shape:
            raise ValueError(
                f"{path} does not match FLUX VAE params {params.to_dict()}: "
                f"missing {missing[:5]}{'...' if len(missing) > 5 else ''} ({len(missing)}), "
                f"unexpected {unexpected[:5]}{'...' if len(unexpected) > 5 else ''} ({len(unexpected)}), "
                f"wrong shape {wrong_shape[:5]} ({len(wrong_shape)}); pass the matching ae_params"
            )
        model.load_state_dict(converted, strict=True, assign=True)
        model = model.to(device=device).eval().requires_grad_(False)
        return cls(model, params)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    @torch.no_grad()
    def encode(self, pixels: torch.Tensor) -> torch.Tensor:
        """Pixels ``[B,3,H,W]`` in [-1,1] -> moments ``[B, 2·z_channels, H/8, W/8]`` (mean, logvar)."""
        if pixels.ndim != 4:
            raise ValueError(f"encode expects [B,3,H,W] pixels, got shape {tuple(pixels.shape)}")
        # FLUX config has no quant_conv: the encoder output is the moments tensor.
        return self.model.encoder(pixels.to(device=self.device, dtype=self.dtype))

    def split_moments(self, moments: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mean, logvar)``: the first and second half of the channel axis."""
        mean, logvar = torch.chunk(moments, 2, dim=1)
        return mean, logvar

    def sample_latent(
        self,
        moments: torch.Tensor,
        eps: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """``z = scale·(mean + exp(logvar/2)·eps − shift)``.

        ``eps`` is the standard-normal draw. When omitted it is drawn from ``generator`` on
        the generator's own device (so a CPU generator gives the same latent on any GPU), or,
        without a generator, like the reference's ``randn_like(mean)``.
        """
        mean, logvar = self.split_moments(moments)
        if eps is None and generator is not None:
            eps = torch.randn(mean.shape, generator=generator, device=generator.device, dtype=torch.float32)
        elif eps is None:
            eps = torch.randn_like(mean)
        elif eps.shape != mean.shape:
            raise ValueError(f"eps shape {tuple(eps.shape)} does not match latent shape {tuple(mean.shape)}")
        sample = mean + torch.exp(0.5 * logvar) * eps.to(device=mean.device, dtype=mean.dtype)
        return self.params.scale_factor * (sample - self.params.shift_factor)

    def mode_latent(self, moments: torch.Tensor) -> torch.Tensor:
        """Deterministic latent ``scale·(mean − shift)`` (not what BAGEL's context uses)."""
        mean, _ = self.split_moments(moments)
        return self.params.scale_factor * (mean - self.params.shift_factor)

    def set_tiling(self, tile_px: int | None) -> None:
        """Decode pictures larger than `tile_px` in overlapping tiles of that size (diffusers'
        tiled decoding, 1/4 overlap blended), or whole (None). Tiling bounds the decoder's
        activation memory, which at 1024x1024 comes on top of the live KV contexts at the end
        of every denoising run; the blend changes pixels slightly near tile borders."""
        if tile_px is not None and (tile_px < 64 or tile_px % self.params.downsample):
            raise ValueError(f"VAE tile size must be a multiple of {self.params.downsample} of at least 64 pixels")
        self.tile_px = tile_px
        if tile_px is not None:
            self.model.tile_sample_min_size = tile_px
            self.model.tile_latent_min_size = tile_px // self.params.downsample
            self.model.tile_overlap_factor = 0.25

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Latent ``[B, z_channels, h, w]`` -> raw decoder output ``[B,3,8h,8w]`` (about [-1,1])."""
        if z.ndim != 4:
            raise ValueError(f"decode expects [B,C,h,w] latents, got shape {tuple(z.shape)}")
        z = z.to(device=self.device, dtype=self.dtype)
        # No post_quant_conv in the FLUX config: undo the scale/shift and run the decoder.
        z = z / self.params.scale_factor + self.params.shift_factor
        tile = self.tile_px
        if tile is not None and max(z.shape[-2:]) * self.params.downsample > tile:
            return self.model.tiled_decode(z, return_dict=False)[0]
        return self.model.decoder(z)

    @staticmethod
    def to_uint8(decoded: torch.Tensor) -> torch.Tensor:
        """Decoder output ``[B,3,H,W]`` or ``[3,H,W]`` -> uint8 HWC (``[B,H,W,3]`` or ``[H,W,3]``).

        ``clamp(x·0.5+0.5, 0, 1)·255`` then a truncating cast, exactly like the reference.
        """
        if decoded.ndim not in (3, 4):
            raise ValueError(f"to_uint8 expects [B,3,H,W] or [3,H,W], got shape {tuple(decoded.shape)}")
        scaled = (decoded.float() * 0.5 + 0.5).clamp(0, 1) * 255
        return scaled.movedim(-3, -1).to(torch.uint8).cpu()

    def decode_to_pil(self, z: torch.Tensor):
        """Decode one latent ``[1,C,h,w]`` to a PIL RGB image."""
        from PIL import Image

        pixels = self.to_uint8(self.decode(z))
        if pixels.shape[0] != 1:
            raise ValueError(f"decode_to_pil takes one latent, got a batch of {pixels.shape[0]}")
        return Image.fromarray(pixels[0].numpy())

