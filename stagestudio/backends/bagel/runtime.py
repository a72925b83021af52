"""One loaded BAGEL model shared by every role it fills (planner, sketcher, inspector): the
weights are loaded once, on first use, and canvases are encoded into KV-cache contexts once
and reused by the plan, every inspection question and the next edit."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from stagestudio.backends.base import StageHooks

_CONTEXT_CACHE_SIZE = 8


def image_key(image: Image.Image | None) -> str:
    if image is None:
        return "blank"
    return hashlib.sha256(image.tobytes() + repr((image.size, image.mode)).encode()).hexdigest()


@dataclass
class BagelSettings:
    """What the roles need to know about how to run the model."""

    model_source: str
    precision: str = "nf4"
    device: str | None = None
    offload: bool = False
    resolution: int = 1024
    num_timesteps: int = 50
    timestep_shift: float = 3.0
    cfg_text_scale: float = 4.0
    max_plan_tokens: int = 200
    max_answer_tokens: int = 12
    download: bool = False
    lora: str | None = None  # a LoRA adapter folder put on the model when it loads
    merge_lora: bool = False


class BagelRuntime:
    """The model (loaded lazily) and its per-canvas context cache."""

    def __init__(self, settings: BagelSettings, inferencer: Any | None = None) -> None:
        self.settings = settings
        self._inferencer = inferencer
        # canvas hash -> GuidedContexts holding the canvas (VAE + ViT); bounded LRU.
        self._contexts: OrderedDict[str, Any] = OrderedDict()

    @property
    def inferencer(self):
        if self._inferencer is None:
            from stagestudio.backends.bagel.golden import golden_transforms
            from stagestudio.backends.bagel.inferencer import InterleavedInferencer
            from stagestudio.backends.bagel.loader import load_bagel

            s = self.settings
            loaded = load_bagel(s.model_source, precision=s.precision, device=s.device, offload=s.offload,
                                download=s.download, lora=s.lora, merge_lora=s.merge_lora)
            # A checkpoint folder may carry its own image-transform sizes (the tiny test model does).
            self._inferencer = InterleavedInferencer(
                loaded.model, loaded.tokenizer, loaded.vae, golden_transforms(Path(loaded.folder))
            )
        return self._inferencer

    def close(self) -> None:
        self._contexts.clear()
        self._inferencer = None
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass

    def generation_settings(self, editing: bool):
        from stagestudio.backends.bagel.sampler import GenerationSettings

        s = self.settings
        make = GenerationSettings.edit if editing else GenerationSettings.text_to_image
        return make(num_timesteps=s.num_timesteps, timestep_shift=s.timestep_shift, cfg_text_scale=s.cfg_text_scale)

    def image_context(self, image: Image.Image | None, prompt: str, vae: bool = True):
        """Contexts holding the prompt and `image` (encoded once, then reused)."""
        key = f"{image_key(image)}:{vae}:{hashlib.sha256(prompt.encode()).hexdigest()[:16]}"
        if key in self._contexts:
            self._contexts.move_to_end(key)
            return self._contexts[key]
        inf = self.inferencer
        state = inf.add_text(inf.new_contexts(), prompt)
        if image is not None:
            state = inf.add_image(state, image, vae=vae, vit=True)
        self._contexts[key] = state
        while len(self._contexts) > _CONTEXT_CACHE_SIZE:
            self._contexts.popitem(last=False)
        return state

    def generate(self, inputs_state, seed: int, editing: bool, hooks: StageHooks | None) -> Image.Image:
        hooks = hooks or StageHooks()
        side = self.settings.resolution
        result = self.inferencer.generate_image(
            inputs_state,
            self.generation_settings(editing),
            seed=seed,
            image_shape=(side, side),
            progress=hooks.progress,
            cancel=hooks.cancel,
        )
        return result.image
