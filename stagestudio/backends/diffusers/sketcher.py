"""A sketcher on a diffusers editing pipeline (FLUX.2 [klein], FLUX.1 Kontext, Qwen-Image-Edit).

* sketch, first step — text-to-image from the step's scene description, by the pipeline itself
  when it can draw from text, else by the text-to-image model the settings name;
* sketch, later steps — an edit of the canvas with the step's instruction;
* refine — an edit of the failed sketch with the corrective instruction.

Every call is seeded by the stage's seed alone, so a stage gives the same picture whatever ran
before it."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from stagestudio.backends.base import RefineRequest, Sketcher, SketchRequest, StageHooks
from stagestudio.backends.diffusers.families import FAMILIES, PipelineFamily
from stagestudio.backends.diffusers.pipeline import PipelineRunner, PipelineSpec, text_to_image_family
from stagestudio.backends.hf.loading import ModelLoadError


@dataclass(frozen=True)
class DiffusersSettings:
    model: str
    precision: str = "bf16"
    device: str | None = None
    offload: bool = False
    size: int = 1024
    steps: int = 0  # 0: the family's recommended number
    guidance: float | None = None  # None: the family's recommended scale
    t2i_model: str | None = None  # draws the first step when the pipeline cannot
    t2i_steps: int = 0  # 0: the text-to-image family's recommended number


class DiffusersSketcher(Sketcher):
    def __init__(self, family: PipelineFamily | str, settings: DiffusersSettings) -> None:
        self.family = FAMILIES[family] if isinstance(family, str) else family
        self.settings = settings
        f, s = self.family, settings
        if s.size < f.min_side:
            raise ModelLoadError(f"{f.title} needs images of at least {f.min_side} px; size is {s.size}")
        if not f.text_to_image and not s.t2i_model:
            raise ModelLoadError(
                f"{f.title} only edits: it cannot draw the first step from text. Name a text-to-image "
                f"model for it (--t2i-model-sketcher, e.g. Qwen/Qwen-Image or black-forest-labs/FLUX.2-klein-4B)"
            )
        t2i_family = text_to_image_family(s.t2i_model, "text-to-image") if s.t2i_model else None
        if t2i_family is not None and s.size < t2i_family.min_side:
            raise ModelLoadError(f"{t2i_family.title} needs images of at least {t2i_family.min_side} px")
        self.runner = PipelineRunner(PipelineSpec(f, s.model, s.precision, s.device, s.offload))
        self.t2i: PipelineRunner | None = None
        if t2i_family is not None and s.t2i_model != s.model:
            self.t2i = PipelineRunner(PipelineSpec(t2i_family, s.t2i_model, s.precision, s.device, s.offload))

    def _steps(self, runner: PipelineRunner, override: int) -> int:
        return override or runner.spec.family.default_steps

    def _edit(self, prompt: str, image: Image.Image, seed: int, hooks: StageHooks | None) -> Image.Image:
        s = self.settings
        guidance = s.guidance if s.guidance is not None else self.family.default_guidance
        return self.runner.draw(prompt, image, s.size, self._steps(self.runner, s.steps), guidance, seed, hooks)

    def sketch(self, request: SketchRequest, hooks: StageHooks | None = None) -> Image.Image:
        if request.canvas is not None:
            return self._edit(request.step.instruction, request.canvas, request.seed, hooks)
        prompt = request.step.description or request.step.instruction
        s = self.settings
        if self.t2i is not None:  # the named text-to-image model, at its own recommended guidance
            family = self.t2i.spec.family
            return self.t2i.draw(prompt, None, s.size, self._steps(self.t2i, s.t2i_steps),
                                 family.default_guidance, request.seed, hooks)
        guidance = s.guidance if s.guidance is not None else self.family.default_guidance
        return self.runner.draw(prompt, None, s.size, self._steps(self.runner, s.steps), guidance, request.seed, hooks)

    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image:
        return self._edit(request.correction, request.image, request.seed, hooks)

    def close(self) -> None:
        self.runner.close()
        if self.t2i is not None:
            self.t2i.close()
