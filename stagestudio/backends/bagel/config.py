"""Model configuration of BAGEL-7B-MoT: the three JSON files plus the app-style overrides.

The published checkpoint ships `llm_config.json` (a Qwen2.5 `config.json`) and `vit_config.json`
(a SigLIP vision config). The official `app.py` then changes a few values before building the model
(qk-norm on, untied head, one ViT layer dropped, ViT RoPE off); those overrides are applied here so
every size used by the modules comes from these dataclasses and nothing is hard-coded.

The full-size JSON files are shipped as package data (`configs/`), so the 7B model can be built on
the meta device (manifest test, memory planning) without the checkpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGED_CONFIG_DIR = Path(__file__).resolve().parent / "configs"


@dataclass(frozen=True)
class LlmConfig:
    """Qwen2 language model sizes (after the app overrides: qk_norm on, untied lm_head)."""

    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    vocab_size: int
    rope_theta: float = 1_000_000.0
    rms_norm_eps: float = 1e-6
    hidden_act: str = "silu"
    qk_norm: bool = True
    tie_word_embeddings: bool = False

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_json_dict(cls, raw: dict[str, Any]) -> "LlmConfig":
        if raw.get("hidden_act", "silu") != "silu":
            raise ValueError(f"unsupported LLM activation {raw.get('hidden_act')!r} (BAGEL uses silu)")
        return cls(
            hidden_size=int(raw["hidden_size"]),
            intermediate_size=int(raw["intermediate_size"]),
            num_hidden_layers=int(raw["num_hidden_layers"]),
            num_attention_heads=int(raw["num_attention_heads"]),
            num_key_value_heads=int(raw.get("num_key_value_heads", raw["num_attention_heads"])),
            vocab_size=int(raw["vocab_size"]),
            rope_theta=float(raw.get("rope_theta", 10000.0)),
            rms_norm_eps=float(raw.get("rms_norm_eps", 1e-6)),
            # App overrides: BAGEL always runs with per-head q/k RMSNorm and an untied head.
            qk_norm=True,
            tie_word_embeddings=False,
        )


@dataclass(frozen=True)
class VitConfig:
    """SigLIP vision encoder sizes. `num_hidden_layers` is the number of layers actually built
    (the JSON value minus one: BAGEL drops SigLIP's last layer)."""

    hidden_size: int
    intermediate_size: int
    num_attention_heads: int
    num_hidden_layers: int
    patch_size: int
    image_size: int
    num_channels: int = 3
    layer_norm_eps: float = 1e-6
    hidden_act: str = "gelu_pytorch_tanh"

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @property
    def patch_dim(self) -> int:
        """Length of one flattened patch (kh, kw, c): 14·14·3 = 588."""
        return self.num_channels * self.patch_size**2

    @property
    def num_positions(self) -> int:
        return (self.image_size // self.patch_size) ** 2

    @classmethod
    def from_json_dict(cls, raw: dict[str, Any]) -> "VitConfig":
        return cls(
            hidden_size=int(raw["hidden_size"]),
            intermediate_size=int(raw["intermediate_size"]),
            num_attention_heads=int(raw["num_attention_heads"]),
            num_hidden_layers=int(raw["num_hidden_layers"]) - 1,  # app override
            patch_size=int(raw["patch_size"]),
            image_size=int(raw["image_size"]),
            num_channels=int(raw.get("num_channels", 3)),
            layer_norm_eps=float(raw.get("layer_norm_eps", 1e-6)),
            hidden_act=str(raw.get("hidden_act", "gelu_pytorch_tanh")),
        )


@dataclass(frozen=True)
class BagelConfig:
    """Everything needed to build the BAGEL model (LLM + ViT + latent/ViT glue)."""

    llm: LlmConfig
    vit: VitConfig
    latent_patch_size: int = 2
    max_latent_size: int = 64
    vit_max_num_patch_per_side: int = 70
    vae_downsample: int = 8
    latent_channels: int = 16
    timestep_frequency_size: int = 256
    connector_act: str = "gelu_pytorch_tanh"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def latent_downsample(self) -> int:
        """Pixels per latent token side: VAE downsampling × latent patch (8·2 = 16)."""
        return self.vae_downsample * self.latent_patch_size

    @property
    def patch_latent_dim(self) -> int:
        """Length of one latent token: 2·2·16 = 64."""
        return self.latent_patch_size**2 * self.latent_channels

    @classmethod
    def from_dicts(
        cls,
        llm: dict[str, Any],
        vit: dict[str, Any],
        bagel: dict[str, Any] | None = None,
        derived: dict[str, Any] | None = None,
    ) -> "BagelConfig":
        bagel = dict(bagel or {})
        derived = dict(derived or {})
        vae = bagel.get("vae_config", {})
        return cls(
            llm=LlmConfig.from_json_dict(llm),
            vit=VitConfig.from_json_dict(vit),
            latent_patch_size=int(bagel.get("latent_patch_size", 2)),
            max_latent_size=int(bagel.get("max_latent_size", 64)),
            vit_max_num_patch_per_side=int(bagel.get("vit_max_num_patch_per_side", 70)),
            vae_downsample=int(vae.get("downsample", 8)),
            latent_channels=int(vae.get("z_channels", 16)),
            connector_act=str(bagel.get("connector_act", "gelu_pytorch_tanh")),
            timestep_frequency_size=int(derived.get("timestep_embedder_frequency_size", 256)),
        )

    @classmethod
    def from_folder(cls, folder: str | Path) -> "BagelConfig":
        """Read `llm_config.json` and `vit_config.json` (required) and the optional
        `bagel_config.json` (fixture style: values under the key "bagel_config")."""
        folder = Path(folder)
        missing = [n for n in ("llm_config.json", "vit_config.json") if not (folder / n).is_file()]
        if missing:
            raise FileNotFoundError(f"{folder} lacks {', '.join(missing)}: not a BAGEL checkpoint folder")
        llm = json.loads((folder / "llm_config.json").read_text())
        vit = json.loads((folder / "vit_config.json").read_text())
        bagel: dict[str, Any] | None = None
        derived: dict[str, Any] | None = None
        bagel_path = folder / "bagel_config.json"
        if bagel_path.is_file():
            raw = json.loads(bagel_path.read_text())
            bagel = raw.get("bagel_config", raw)
            derived = raw.get("derived")
        if bagel is not None and bagel.get("connector_act", "gelu_pytorch_tanh") != "gelu_pytorch_tanh":
            raise ValueError(f"unsupported connector activation {bagel['connector_act']!r}")
        if bagel is not None and bagel.get("interpolate_pos", False):
            raise ValueError("interpolate_pos=True is not supported (BAGEL-7B-MoT uses extrapolated ViT ids)")
        return cls.from_dicts(llm, vit, bagel, derived)

    @classmethod
    def bagel_7b_mot(cls) -> "BagelConfig":
        """The published BAGEL-7B-MoT configuration (Qwen2.5-7B LLM, SigLIP-so400m ViT)."""
        return cls.from_folder(PACKAGED_CONFIG_DIR)
