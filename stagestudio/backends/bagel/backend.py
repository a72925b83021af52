"""The loop on BAGEL-7B-MoT: one model plans in text, sketches and edits images, and answers
questions about them.

* plan    — the offline planner proposes the next step; BAGEL rewrites it as <ins>/<des> given the
            prompt, the scene and the canvas (ViT). Unusable or unfaithful output falls back to the
            proposal, and the step says so (`source="fallback"`).
* sketch  — step 0: text-to-image from the step's scene description; later steps: an edit of the
            canvas with the instruction (reference CFG defaults for generation vs editing).
* inspect — per-fact questions (presence, count, colour, relation, the instruction) answered by the
            model from the image; optionally combined with a real detector + the scene-graph checker,
            reporting where the two disagree.
* refine  — an edit of the failed sketch with the corrective instruction.

The model is loaded on first use, so `status()` and settings are cheap. Contexts are cached per
canvas: an image is encoded once and every question, plan and edit reuses its KV cache.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

from PIL import Image

from stagestudio.backends.base import (
    Backend,
    BackendError,
    BackendStatus,
    InspectRequest,
    PlanRequest,
    RefineRequest,
    SketchRequest,
    StageHooks,
)
from stagestudio.backends.bagel import prompts
from stagestudio.inspector.verdict import FactResult, Verdict
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep

DEFAULT_MODEL = "ByteDance-Seed/BAGEL-7B-MoT"
MODEL_ENV = "STAGESTUDIO_BAGEL_MODEL"
INSPECTORS = ("vqa", "detector", "both")
_CONTEXT_CACHE_SIZE = 8


def _is_repo_id(text: str) -> bool:
    return text.count("/") == 1 and not text.startswith((".", "/", "~")) and not text.endswith("/")


def _image_key(image: Image.Image | None) -> str:
    if image is None:
        return "blank"
    return hashlib.sha256(image.tobytes() + repr((image.size, image.mode)).encode()).hexdigest()


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
        max_answer_tokens: int = 12,
        inspector: str = "vqa",
        detector: str = "mask2former",
        download: bool = False,
    ) -> None:
        if inspector not in INSPECTORS:
            raise BackendError(f"unknown inspector {inspector!r}; choose one of {', '.join(INSPECTORS)}")
        if resolution < 16 or resolution > 1024:
            raise BackendError("resolution must be between 16 and 1024 pixels (BAGEL's latent grid is 64x64 at most)")
        self.model_source = model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
        self.precision = precision
        self.device = device
        self.offload = offload
        self.resolution = resolution
        self.num_timesteps = num_timesteps
        self.timestep_shift = timestep_shift
        self.cfg_text_scale = cfg_text_scale
        self.max_plan_tokens = max_plan_tokens
        self.max_answer_tokens = max_answer_tokens
        self.inspector = inspector
        self.detector_name = detector
        self.download = download
        self._inferencer = None
        self._checker = None
        # canvas hash -> GuidedContexts holding the canvas (VAE + ViT); bounded LRU.
        self._contexts: OrderedDict[str, Any] = OrderedDict()

    @classmethod
    def with_inferencer(cls, inferencer, **settings: Any) -> "BagelBackend":
        """A backend over an already built inferencer (benchmarks, tests, notebooks)."""
        backend = cls(**settings)
        backend._inferencer = inferencer
        return backend

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
        return BackendStatus(name=cls.name, state="ready", detail=f"weights at {folder}")

    def settings(self) -> dict[str, Any]:
        return {
            "model": str(self.model_source),
            "precision": self.precision,
            "offload": self.offload,
            "resolution": self.resolution,
            "num_timesteps": self.num_timesteps,
            "timestep_shift": self.timestep_shift,
            "cfg_text_scale": self.cfg_text_scale,
            "inspector": self.inspector,
            "detector": self.detector_name if self.inspector != "vqa" else None,
        }

    # --- model ---------------------------------------------------------------------------
    @property
    def inferencer(self):
        if self._inferencer is None:
            from stagestudio.backends.bagel.golden import golden_transforms
            from stagestudio.backends.bagel.inferencer import InterleavedInferencer
            from stagestudio.backends.bagel.loader import load_bagel

            loaded = load_bagel(
                self.model_source, precision=self.precision, device=self.device, offload=self.offload,
                download=self.download,
            )
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

    def _generation_settings(self, editing: bool):
        from stagestudio.backends.bagel.sampler import GenerationSettings

        make = GenerationSettings.edit if editing else GenerationSettings.text_to_image
        return make(num_timesteps=self.num_timesteps, timestep_shift=self.timestep_shift,
                    cfg_text_scale=self.cfg_text_scale)

    def _image_context(self, image: Image.Image | None, prompt: str, vae: bool = True):
        """Contexts holding the prompt and `image` (encoded once, then reused)."""
        key = f"{_image_key(image)}:{vae}:{hashlib.sha256(prompt.encode()).hexdigest()[:16]}"
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

    # --- stages --------------------------------------------------------------------------
    def extract_graph(self, prompt: str) -> SceneGraph:
        from stagestudio.scene.parser import parse_prompt

        return parse_prompt(prompt)

    def plan(self, request: PlanRequest) -> PlanStep | None:
        from stagestudio.scene.planner import next_planned_step

        proposal = next_planned_step(request.graph, request.done, request.max_steps, request.realised_ids)
        if proposal is None:
            return None
        inf = self.inferencer
        inf.seed(request.seed)
        state = self._image_context(request.canvas, request.prompt, vae=False)
        ask = prompts.plan_prompt(request.prompt, request.graph, request.done, proposal)
        answer = inf.generate_text(inf.append_text(state.cond, ask), max_length=self.max_plan_tokens).text
        parsed = prompts.parse_plan(answer)
        if parsed is None or not prompts.plan_is_faithful(parsed, proposal, request.graph):
            why = "unusable" if parsed is None else "did not name every object of the step"
            return proposal.model_copy(
                update={"source": "fallback", "note": f"model plan {why}: {answer[:160]!r}; used the offline planner"}
            )
        return proposal.model_copy(
            update={"instruction": parsed.instruction, "description": parsed.description, "source": "model"}
        )

    def _generate(self, inputs_state, seed: int, editing: bool, hooks: StageHooks | None) -> Image.Image:
        hooks = hooks or StageHooks()
        result = self.inferencer.generate_image(
            inputs_state,
            self._generation_settings(editing),
            seed=seed,
            image_shape=(self.resolution, self.resolution),
            progress=hooks.progress,
            cancel=hooks.cancel,
        )
        return result.image

    def sketch(self, request: SketchRequest, hooks: StageHooks | None = None) -> Image.Image:
        inf = self.inferencer
        if request.canvas is None:
            state = inf.add_text(inf.new_contexts(), request.step.description or request.step.instruction)
            return self._generate(state, request.seed, editing=False, hooks=hooks)
        state = self._image_context(request.canvas, request.prompt)
        state = inf.add_text(state, request.step.instruction)
        return self._generate(state, request.seed, editing=True, hooks=hooks)

    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image:
        inf = self.inferencer
        state = self._image_context(request.image, request.prompt)
        state = inf.add_text(state, request.correction)
        return self._generate(state, request.seed, editing=True, hooks=hooks)

    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict:
        facts: list[FactResult] = []
        instruction = request.step.instruction if request.step is not None else None
        if self.inspector in ("vqa", "both"):
            facts.extend(self._vqa_facts(request, instruction, hooks))
        if self.inspector in ("detector", "both"):
            detector_verdict = self._detector_checker().check(request.image, request.target, instruction)
            facts.extend(detector_verdict.facts)
        disagreements = _disagreements(facts) if self.inspector == "both" else []
        failed = [f for f in facts if not f.passed]
        critique, correction = prompts.critique_and_correction(failed, request.target)
        if disagreements:
            critique = (critique + " " if critique else "") + "Model and detector disagree on: " + "; ".join(disagreements) + "."
        return Verdict(passed=not failed, facts=facts, critique=critique, correction=correction)

    def _vqa_facts(self, request: InspectRequest, instruction: str | None, hooks: StageHooks | None) -> list[FactResult]:
        inf = self.inferencer
        inf.seed(request.seed)
        state = self._image_context(request.image, request.prompt, vae=False)
        facts = []
        for question in prompts.inspection_questions(request.target, instruction):
            if hooks and hooks.cancel:
                hooks.cancel.raise_if_cancelled()
            answer = inf.generate_text(inf.append_text(state.cond, question.text), max_length=self.max_answer_tokens).text
            facts.append(prompts.fact_from_answer(question, answer))
        return facts

    def _detector_checker(self):
        if self._checker is None:
            from stagestudio.inspector.checker import SceneGraphChecker
            from stagestudio.inspector.detectors import create_detector

            self._checker = SceneGraphChecker(create_detector(self.detector_name, color=True))
        return self._checker


def _disagreements(facts: list[FactResult]) -> list[str]:
    """Facts that the model (vqa) and the detector judged differently."""
    by_fact: dict[tuple[str, tuple[str, ...]], dict[str, bool]] = {}
    for f in facts:
        by_fact.setdefault((f.kind, tuple(f.object_ids)), {})[f.source] = f.passed
    out = []
    for (kind, ids), verdicts in by_fact.items():
        if "vqa" in verdicts and len(verdicts) > 1 and len(set(verdicts.values())) > 1:
            out.append(f"{kind} of {', '.join(ids)}")
    return out
