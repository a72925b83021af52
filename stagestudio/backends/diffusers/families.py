"""The diffusers pipelines a sketcher can run, and how each is called.

A family is one pipeline class with what differs between them: whether it draws from text
alone, whether it edits, its recommended steps and guidance, the smallest image it takes, which
components 4-bit quantization shrinks, and the keyword arguments of a call. The sketcher
itself (`sketcher.py`) is the same for all of them.

Pure data and small functions: importing this module imports neither torch nor diffusers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image

# (prompt, image or None, side, guidance) -> the pipeline-specific keyword arguments.
CallArguments = Callable[[str, Image.Image | None, int, float], dict[str, Any]]


def _flux2_klein(prompt: str, image: Image.Image | None, side: int, guidance: float) -> dict[str, Any]:
    # Reference images go in a list (klein takes several); distilled checkpoints ignore guidance.
    return {"prompt": prompt, "image": None if image is None else [image], "guidance_scale": guidance}


def _flux_kontext(prompt: str, image: Image.Image | None, side: int, guidance: float) -> dict[str, Any]:
    # Kontext scales height x width to `max_area` and, by default, snaps the input image to one
    # of its training resolutions; the canvas is already the size we draw at, so keep both.
    return {"prompt": prompt, "image": image, "guidance_scale": guidance, "max_area": side * side,
            "_auto_resize": False}


def _flux(prompt: str, image: Image.Image | None, side: int, guidance: float) -> dict[str, Any]:
    return {"prompt": prompt, "guidance_scale": guidance}


def _qwen_true_cfg(prompt: str, image: Image.Image | None, side: int, guidance: float) -> dict[str, Any]:
    # Qwen-Image runs true classifier-free guidance only when a negative prompt is given.
    kwargs: dict[str, Any] = {"prompt": prompt, "true_cfg_scale": guidance, "negative_prompt": " "}
    if image is not None:
        kwargs["image"] = [image]
    return kwargs


@dataclass(frozen=True)
class PipelineFamily:
    kind: str  # the name users choose: "flux2-klein"
    title: str
    pipeline_class: str  # the diffusers class in model_index.json
    default_model: str  # hub id
    text_to_image: bool
    edits: bool
    default_steps: int
    default_guidance: float
    min_side: int  # the smallest canvas side the pipeline accepts
    quantized_components: tuple[str, ...]  # what nf4 shrinks (the transformer and big text encoder)
    call_arguments: CallArguments
    # The pipeline's processor component is a Qwen-VL processor, built by us (see hf.qwen_vl_inputs).
    qwen_vl_processor: bool = False
    license: str = ""

    def arguments(self, prompt: str, image: Image.Image | None, side: int, guidance: float) -> dict[str, Any]:
        if image is None and not self.text_to_image:
            raise ValueError(f"{self.title} cannot draw from text alone")
        if image is not None and not self.edits:
            raise ValueError(f"{self.title} cannot edit an image")
        return self.call_arguments(prompt, image, side, guidance) | {"height": side, "width": side}


FAMILIES: dict[str, PipelineFamily] = {
    f.kind: f
    for f in (
        PipelineFamily(
            "flux2-klein", "FLUX.2 [klein]", "Flux2KleinPipeline", "black-forest-labs/FLUX.2-klein-4B",
            text_to_image=True, edits=True, default_steps=4, default_guidance=1.0, min_side=64,
            quantized_components=("transformer", "text_encoder"), call_arguments=_flux2_klein,
            license="Apache-2.0 (4B); the 9B variants are non-commercial",
        ),
        PipelineFamily(
            "flux-kontext", "FLUX.1 Kontext [dev]", "FluxKontextPipeline", "black-forest-labs/FLUX.1-Kontext-dev",
            text_to_image=True, edits=True, default_steps=28, default_guidance=2.5, min_side=16,
            quantized_components=("transformer", "text_encoder_2"), call_arguments=_flux_kontext,
            license="FLUX.1 [dev] non-commercial license (gated on the Hub)",
        ),
        PipelineFamily(
            "qwen-image-edit", "Qwen-Image-Edit", "QwenImageEditPlusPipeline", "Qwen/Qwen-Image-Edit-2509",
            text_to_image=False, edits=True, default_steps=40, default_guidance=4.0, min_side=32,
            quantized_components=("transformer", "text_encoder"), call_arguments=_qwen_true_cfg,
            qwen_vl_processor=True, license="Apache-2.0",
        ),
        # Text-to-image only: usable as the first-step model of an edit-only sketcher.
        PipelineFamily(
            "flux", "FLUX.1", "FluxPipeline", "black-forest-labs/FLUX.1-dev",
            text_to_image=True, edits=False, default_steps=28, default_guidance=3.5, min_side=16,
            quantized_components=("transformer", "text_encoder_2"), call_arguments=_flux,
        ),
        PipelineFamily(
            "qwen-image", "Qwen-Image", "QwenImagePipeline", "Qwen/Qwen-Image",
            text_to_image=True, edits=False, default_steps=50, default_guidance=4.0, min_side=32,
            quantized_components=("transformer", "text_encoder"), call_arguments=_qwen_true_cfg,
        ),
    )
}

# The families a sketcher can be (it must edit); the rest only serve as text-to-image models.
SKETCHER_FAMILIES: tuple[str, ...] = tuple(k for k, f in FAMILIES.items() if f.edits)


def family_of_class(class_name: str) -> PipelineFamily | None:
    return next((f for f in FAMILIES.values() if f.pipeline_class == class_name), None)


def text_to_image_classes() -> list[str]:
    return [f.pipeline_class for f in FAMILIES.values() if f.text_to_image]
