"""The loop on BAGEL-7B-MoT: one model plans in text, sketches and edits images, and answers
questions about them (see `roles.py` for what each role asks of the model).

The model is loaded on first use, so `status()` and settings are cheap, and one
`BagelRuntime` is shared by the three roles.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from stagestudio.backends.bagel.adapter_roles import adapter_aware_roles
from stagestudio.backends.bagel.roles import GRAPH_SOURCES, BagelPlanner, BagelSketcher, bagel_inspector
from stagestudio.backends.bagel.runtime import BagelRuntime, BagelSettings
from stagestudio.backends.base import Backend, BackendError, BackendStatus
from stagestudio.inspector.model_inspector import MODES as INSPECTORS

DEFAULT_MODEL = "ByteDance-Seed/BAGEL-7B-MoT"
MODEL_ENV = "STAGESTUDIO_BAGEL_MODEL"


# Above this side the quantized modes decode the picture in 512 px tiles: a whole 1024x1024 decode
# needs about 3.8 GiB of activations in float32 (measured on the CPU: bench notes in the README),
# about 1.9 GiB in bf16, on top of the weights and the live contexts at the end of denoising;
# tiles need about a quarter. bf16/fp32 users have the memory and keep the exact whole decode.
VAE_TILE_PX = 512


def vae_tile_for(precision: str, resolution: int) -> int | None:
    """The VAE decode tile size for a precision and output side (None: decode whole)."""
    return VAE_TILE_PX if precision in ("nf4", "int8") and resolution > VAE_TILE_PX else None


def _is_repo_id(text: str) -> bool:
    return text.count("/") == 1 and not text.startswith((".", "/", "~")) and not text.endswith("/")


class BagelBackend(Backend):
    name = "bagel"

    def __init__(
        self,
        model: str | None = None,
        precision: str = "nf4",
        device: str | None = None,
        offload: bool = False,
        resolution: int = 1024,
        num_timesteps: int = 50,
        timestep_shift: float = 3.0,
        cfg_text_scale: float = 4.0,
        max_plan_tokens: int = 200,
        max_graph_tokens: int = 400,
        max_think_tokens: int = 300,
        inspector: str = "vqa",
        detector: str = "mask2former",
        graph: str = "model",
        context_cache_mib: int = 512,
        context_spill_mib: int = 8192,
        download: bool = False,
        lora: str | None = None,
        merge_lora: bool = False,
        _inferencer: Any | None = None,
    ) -> None:
        if inspector not in INSPECTORS:
            raise BackendError(f"unknown inspector {inspector!r}; choose one of {', '.join(INSPECTORS)}")
        if graph not in GRAPH_SOURCES:
            raise BackendError(f"unknown scene-graph source {graph!r}; choose one of {', '.join(GRAPH_SOURCES)}")
        if resolution < 16 or resolution > 1024:
            raise BackendError("resolution must be between 16 and 1024 pixels (BAGEL's latent grid is 64x64 at most)")
        if min(max_plan_tokens, max_graph_tokens, max_think_tokens) < 1:
            raise BackendError("token limits must be at least 1")
        self.runtime = BagelRuntime(
            BagelSettings(
                model_source=model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL,
                precision=precision, device=device, offload=offload, resolution=resolution,
                num_timesteps=num_timesteps, timestep_shift=timestep_shift, cfg_text_scale=cfg_text_scale,
                max_plan_tokens=max_plan_tokens, max_graph_tokens=max_graph_tokens,
                max_think_tokens=max_think_tokens, graph=graph, context_cache_mib=context_cache_mib,
                context_spill_mib=context_spill_mib, vae_tile=vae_tile_for(precision, resolution), download=download,
                lora=lora or None, merge_lora=merge_lora,
            ),
            inferencer=_inferencer,
        )
        self.detector = detector
        super().__init__(*adapter_aware_roles(
            self.runtime, BagelPlanner(self.runtime), BagelSketcher(self.runtime),
            bagel_inspector(self.runtime, mode=inspector, detector=detector),
        ))

    @classmethod
    def with_inferencer(cls, inferencer, **settings: Any) -> "BagelBackend":
        """A backend over an already built inferencer (benchmarks, tests, notebooks)."""
        return cls(**settings, _inferencer=inferencer)

    # --- status / settings ---------------------------------------------------------------
    @classmethod
    def status(cls) -> BackendStatus:
        return cls.status_for(None)

    @classmethod
    def status_for(cls, model: str | None) -> BackendStatus:
        """Whether BAGEL can run from `model` (a folder or a Hub repo id; empty: the
        $STAGESTUDIO_BAGEL_MODEL folder or the Hub repo). Cheap: no model load, no download."""
        source = (model or "").strip() or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
        try:
            import torch
        except ImportError:
            return BackendStatus(name=cls.name, state="missing dependency", detail="torch is not installed")
        from stagestudio.backends.bagel.loader import find_in_hf_cache, missing_checkpoint_files

        def missing(detail: str) -> BackendStatus:
            return BackendStatus(name=cls.name, state="missing weights", detail=detail)

        path = Path(source).expanduser()
        if path.is_dir():
            folder: Path | None = path
        elif path.exists():
            return missing(f"{path} is a file; give the checkpoint folder (the one holding ema.safetensors)")
        elif _is_repo_id(source):
            folder = find_in_hf_cache(source)
            if folder is None:
                return missing(f"{source} is not in the Hugging Face cache; download it (about 29 GB) "
                               f"or give the folder that holds it (or set {MODEL_ENV})")
        else:
            return missing(f"folder {path} does not exist")
        absent = missing_checkpoint_files(folder)
        if absent:
            return missing(f"{folder} lacks {', '.join(absent)}")
        if not torch.cuda.is_available():
            return BackendStatus(
                name=cls.name, state="no GPU",
                detail=f"weights at {folder}, but no CUDA GPU: BAGEL-7B on CPU is impractically slow",
            )
        from stagestudio.backends.bagel.loader import bf16_problem

        problem = bf16_problem(torch.device("cuda"))
        if problem:
            return BackendStatus(name=cls.name, state="error", detail=problem)
        return BackendStatus(name=cls.name, state="ready", detail=f"weights at {folder}")

    def settings(self) -> dict[str, Any]:
        s = self.runtime.settings
        mode = self.inspector.mode
        return {
            "model": str(s.model_source),
            "precision": s.precision,
            "offload": s.offload,
            "resolution": s.resolution,
            "num_timesteps": s.num_timesteps,
            "timestep_shift": s.timestep_shift,
            "cfg_text_scale": s.cfg_text_scale,
            "inspector": mode,
            "detector": self.detector if mode != "vqa" else None,
            "graph": s.graph,
            # Only sessions run with an adapter record it, so older settings stay as they were.
            **({"lora": s.lora, "merge_lora": s.merge_lora} if s.lora else {}),
        }

    def check_ready(self) -> None:
        if self.runtime._inferencer is not None:
            return  # built from an inferencer already in memory
        status = self.status_for(self.runtime.settings.model_source)
        if status.state in ("missing weights", "missing dependency", "error"):
            raise BackendError(f"BAGEL cannot run: {status.detail}")

    @property
    def inferencer(self):
        """The loaded model's inferencer (loads it on first use)."""
        return self.runtime.inferencer
