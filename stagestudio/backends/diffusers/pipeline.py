"""One diffusers pipeline, checked when configured and loaded on first use: a hub id (from the
HF cache) or a local folder, at bf16 / fp16 / fp32 or bitsandbytes NF4 (diffusers'
`PipelineQuantizationConfig`), on the GPU or with model CPU offload. A call draws one image
with a generator seeded by the stage's seed and reports every denoising step through
`callback_on_step_end`, where a cancel request stops the run within one step."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from stagestudio.backends.base import StageHooks
from stagestudio.backends.diffusers.families import PipelineFamily, family_of_class, text_to_image_classes
from stagestudio.backends.hf.loading import (
    ModelLoadError, Placement, choose_placement, missing_pipeline_files, release_memory, resolve_folder)


@dataclass(frozen=True)
class PipelineSpec:
    """What to load: which family, from where, how."""

    family: PipelineFamily
    model: str
    precision: str
    device: str | None = None
    offload: bool = False


def pipeline_class_in(folder: Path) -> str | None:
    try:
        return json.loads((folder / "model_index.json").read_text(encoding="utf-8")).get("_class_name")
    except (OSError, ValueError, AttributeError):
        return None


def text_to_image_family(source: str, what: str) -> PipelineFamily:
    """The family of the text-to-image pipeline at `source`, read from its model_index.json."""
    folder = resolve_folder(source, what, pipeline=True)
    name = pipeline_class_in(folder)
    family = family_of_class(name or "")
    if family is None or not family.text_to_image:
        raise ModelLoadError(f"{what} model {source} holds a {name or 'folder without model_index.json'}; "
                             f"a text-to-image model must be one of {', '.join(text_to_image_classes())}")
    return family


class PipelineRunner:
    """A pipeline checked now (folder, files, precision on this device), loaded on first call."""

    def __init__(self, spec: PipelineSpec, option_hint: str = "--precision-sketcher") -> None:
        self.spec = spec
        what = spec.family.title
        self.folder = resolve_folder(spec.model, what, pipeline=True)
        missing = missing_pipeline_files(self.folder, spec.family.pipeline_class)
        if missing:
            raise ModelLoadError(f"{spec.model} is not a complete {what} pipeline; missing: {'; '.join(missing)}")
        self.placement: Placement = choose_placement(spec.precision, spec.device, what, option_hint)
        if spec.offload and not self.placement.device.startswith("cuda"):
            raise ModelLoadError(f"{what}: CPU offload moves parts of the model to a GPU as needed, "
                                 "and there is no CUDA GPU here; turn offload off")
        self._pipe: Any | None = None

    @property
    def pipe(self):
        if self._pipe is None:
            self._pipe = self._load()
        return self._pipe

    def _load(self):
        import diffusers

        spec, placement = self.spec, self.placement
        cls = getattr(diffusers, spec.family.pipeline_class)
        kwargs: dict[str, Any] = {"dtype": placement.dtype}
        if placement.nf4:
            import torch
            from diffusers.quantizers import PipelineQuantizationConfig

            kwargs["quantization_config"] = PipelineQuantizationConfig(
                quant_backend="bitsandbytes_4bit",
                quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4",
                              "bnb_4bit_compute_dtype": placement.dtype or torch.bfloat16},
                components_to_quantize=list(spec.family.quantized_components),
            )
        if spec.family.qwen_vl_processor:
            kwargs["processor"] = None  # transformers' processor needs torchvision: ours is set below
        try:
            pipe = cls.from_pretrained(str(self.folder), **kwargs)
            if spec.family.qwen_vl_processor:
                from stagestudio.backends.hf.qwen_vl_inputs import QwenVLInputs

                pipe.processor = QwenVLInputs.from_folder(self.folder / "processor")
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(f"cannot load {spec.family.title} from {self.folder}: {exc}") from exc
        pipe.set_progress_bar_config(disable=True)
        if spec.offload:
            pipe.enable_model_cpu_offload(device=placement.device)
        else:
            pipe.to(placement.device)
        return pipe

    def draw(self, prompt: str, image: Image.Image | None, side: int, steps: int, guidance: float,
             seed: int, hooks: StageHooks | None) -> Image.Image:
        """One image: text-to-image when `image` is None, else an edit of `image`."""
        import torch

        hooks = hooks or StageHooks()
        if hooks.cancel:
            hooks.cancel.raise_if_cancelled()
        if image is not None:
            image = image.convert("RGB")
        family = self.spec.family
        kwargs = family.arguments(prompt, image, side, guidance)

        def on_step_end(pipe, step: int, timestep, tensors: dict) -> dict:
            if hooks.progress:
                hooks.progress(step + 1, steps)
            if hooks.cancel:
                hooks.cancel.raise_if_cancelled()  # propagates out of the pipeline call
            return {}

        # A CPU generator gives the same starting noise on every device.
        generator = torch.Generator(device="cpu").manual_seed(int(seed))
        result = self.pipe(**kwargs, num_inference_steps=steps, generator=generator,
                           callback_on_step_end=on_step_end, output_type="pil")
        return result.images[0].convert("RGB")

    def close(self) -> None:
        if self._pipe is None:
            return
        self._pipe = None
        release_memory()
