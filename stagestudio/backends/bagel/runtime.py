"""One loaded BAGEL model shared by every role it fills (planner, sketcher, inspector): the
weights are loaded once, on first use, and canvases are encoded into KV-cache contexts once
and reused by the plan, every inspection question and the next edit.

Two kinds of canvas context are cached (`ContextCache`, bounded in bytes, spilling to host
memory):

* understanding: the canvas through the ViT only, as the reference's understanding path lays it
  out ([image, text]); no random draw, so it is shared by every plan and inspection of that canvas;
* edit: the canvas through the VAE and the ViT. Encoding samples the VAE posterior, a random
  draw that belongs to the stage: the generator is seeded with the stage's seed first, and the
  entry is keyed by that seed and keeps the generator state after the draw. A cache hit restores
  that state, so the noise that follows is the same as on a fresh build: a stage's images depend
  on its inputs and its seed only, never on what ran before or on cache hits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from stagestudio.backends.base import StageHooks
from stagestudio.backends.bagel.context_cache import MIB, CachedContext, ContextCache


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
    max_graph_tokens: int = 400
    max_think_tokens: int = 300
    graph: str = "model"
    context_cache_mib: int = 512  # canvases kept on the GPU between stages
    context_spill_mib: int = 8192  # and in host memory beyond that
    vae_tile: int | None = None  # decode in tiles of this many pixels (None: whole image)
    download: bool = False
    lora: str | None = None  # a LoRA adapter folder put on the model when it loads
    merge_lora: bool = False


class BagelRuntime:
    """The model (loaded lazily) and its per-canvas context cache."""

    def __init__(self, settings: BagelSettings, inferencer: Any | None = None) -> None:
        self.settings = settings
        self._inferencer = inferencer
        self.contexts = ContextCache(settings.context_cache_mib * MIB, settings.context_spill_mib * MIB)
        if inferencer is not None:
            self._configure(inferencer)

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
            self._configure(self._inferencer)
        return self._inferencer

    def _configure(self, inferencer) -> None:
        if inferencer.vae is not None:
            inferencer.vae.set_tiling(self.settings.vae_tile)

    def close(self) -> None:
        self.contexts.clear()
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

    # --- canvas contexts -------------------------------------------------------------------------

    def understanding_context(self, image: Image.Image | None):
        """[image] through the ViT only (empty for no image); no random draw."""
        inf = self.inferencer
        if image is None:
            return inf.new_contexts()
        key = f"und:{image_key(image)}"
        entry = self.contexts.get(key, inf.model.device)
        if entry is None:
            entry = CachedContext(inf.add_image(inf.new_contexts(), image, vae=False, vit=True))
            self.contexts.put(key, entry)
        return entry.state

    def edit_context(self, image: Image.Image, seed: int):
        """[image] through the VAE and the ViT, its posterior drawn from `seed`. Leaves the
        inferencer's generator where a fresh build would, so the noise drawn next is the same."""
        inf = self.inferencer
        key = f"edit:{image_key(image)}:{int(seed)}"
        entry = self.contexts.get(key, inf.model.device)
        if entry is None:
            inf.seed(seed)
            state = inf.add_image(inf.new_contexts(), image, vae=True, vit=True)
            entry = CachedContext(state, inf.generator.get_state())
            self.contexts.put(key, entry)
        else:
            inf.generator.set_state(entry.generator_state)
        return entry.state

    # --- images -----------------------------------------------------------------------------------

    def text_to_image(self, text: str, seed: int, hooks: StageHooks | None) -> Image.Image:
        inf = self.inferencer
        state = inf.add_text(inf.new_contexts(), text)
        return self._generate(state, seed, editing=False, hooks=hooks)

    def edit(self, image: Image.Image, instruction: str, seed: int, hooks: StageHooks | None) -> Image.Image:
        """The reference's edit layout, [image, instruction]: nothing else in the context."""
        state = self.inferencer.add_text(self.edit_context(image, seed), instruction)
        return self._generate(state, None, editing=True, hooks=hooks)

    def _generate(self, inputs_state, seed: int | None, editing: bool, hooks: StageHooks | None) -> Image.Image:
        hooks = hooks or StageHooks()
        side = self.settings.resolution
        result = self.inferencer.generate_image(
            inputs_state,
            self.generation_settings(editing),
            seed=seed,  # None: continue after the context's own draws (edits)
            image_shape=(side, side),
            progress=hooks.progress,
            cancel=hooks.cancel,
        )
        return result.image
