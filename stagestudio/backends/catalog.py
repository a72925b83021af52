"""What can fill each loop role, with each choice's options: the single source the CLI flags,
the studio's settings panel and the composed backend read.

A choice is (role, kind): `("sketcher", "flux2-klein")`. Its options are `RoleOption`s (name,
kind, default, choices, help), so any front end can render and check them without importing a
model library. Models are built elsewhere (`compose.py`); this module imports neither torch nor
diffusers."""

from __future__ import annotations

import os
from dataclasses import dataclass

from stagestudio.backends.diffusers.families import FAMILIES, SKETCHER_FAMILIES, PipelineFamily
from stagestudio.backends.options import RoleOption

ROLES: tuple[str, ...] = ("planner", "sketcher", "inspector")
BAGEL_MODEL_ENV = "STAGESTUDIO_BAGEL_MODEL"
BAGEL_REPO = "ByteDance-Seed/BAGEL-7B-MoT"
QWEN3_VL_REPO = "Qwen/Qwen3-VL-8B-Instruct"

HF_PRECISIONS = ("bf16", "fp16", "fp32", "nf4")
BAGEL_PRECISIONS = ("nf4", "int8", "bf16", "fp32")
DETECTORS = ("mask2former", "owlv2")


@dataclass(frozen=True)
class RoleChoice:
    role: str
    kind: str
    title: str
    help: str
    options: tuple[RoleOption, ...] = ()
    # The model a choice loads (None: no weights); its hub id default and download command.
    default_model: str | None = None

    def option(self, name: str) -> RoleOption:
        return next(o for o in self.options if o.name == name)


def bagel_default_model() -> str:
    return os.environ.get(BAGEL_MODEL_ENV) or BAGEL_REPO


# --- shared option blocks -------------------------------------------------------------------
def _model(default: str, what: str) -> RoleOption:
    return RoleOption("model", "text", default, f"the {what} weights: a Hugging Face hub id (from the HF cache) "
                                                f"or a local folder (default {default})")


def _device() -> RoleOption:
    return RoleOption("device", "text", None, "torch device, e.g. cuda:1 (default: the GPU when there is one, else CPU)",
                      optional=True)


def _hf_precision(default: str = "bf16") -> RoleOption:
    return RoleOption("precision", "choice", default, "bf16 | fp16 (GPUs older than Ampere) | fp32 (CPU) | "
                                                      "nf4 (bitsandbytes 4-bit, CUDA only)", choices=HF_PRECISIONS)


def _bagel_load() -> tuple[RoleOption, ...]:
    return (
        RoleOption("model", "text", None, f"BAGEL weights folder or hub id (default ${BAGEL_MODEL_ENV} or {BAGEL_REPO})",
                   optional=True),
        RoleOption("precision", "choice", "nf4", "nf4 | int8 | bf16 | fp32", choices=BAGEL_PRECISIONS),
        RoleOption("offload", "bool", False, "keep BAGEL's decoder layers in CPU memory (fp32/bf16 only)"),
    )


def _vqa_mode() -> tuple[RoleOption, ...]:
    return (
        RoleOption("mode", "choice", "vqa", "vqa: the model answers one yes/no question per fact; both: also a "
                                            "detector + the scene-graph checker, disagreements reported",
                   choices=("vqa", "both")),
        RoleOption("detector", "choice", "mask2former", "the detector of mode both", choices=DETECTORS),
    )


def _diffusers_sketcher(family: PipelineFamily) -> RoleChoice:
    t2i = ("the text-to-image model that draws the first step (this pipeline only edits), e.g. Qwen/Qwen-Image"
           if not family.text_to_image else "optional: another text-to-image model for the first step")
    return RoleChoice(
        "sketcher", family.kind, family.title,
        f"{family.title} through diffusers' {family.pipeline_class}" + (
            "" if family.text_to_image else " (edits only: needs a text-to-image model for the first step)"),
        options=(
            _model(family.default_model, family.title),
            _hf_precision(),
            _device(),
            RoleOption("offload", "bool", False, "model CPU offload: each component moves to the GPU only while it runs"),
            RoleOption("size", "int", 1024, "image side in pixels", minimum=family.min_side, maximum=2048, multiple_of=16),
            RoleOption("steps", "int", 0, f"denoising steps (0: {family.default_steps}, the recommended number)",
                       minimum=0, maximum=200),
            RoleOption("guidance", "float", None, f"guidance scale (empty: {family.default_guidance:g})",
                       minimum=0.0, maximum=30.0, optional=True),
            RoleOption("t2i_model", "text", None, t2i, optional=True),
            RoleOption("t2i_steps", "int", 0, "denoising steps of the text-to-image model (0: its recommended number)",
                       minimum=0, maximum=200),
        ),
        default_model=family.default_model,
    )


CHOICES: dict[str, dict[str, RoleChoice]] = {
    "planner": {
        "offline": RoleChoice("planner", "offline", "offline parser", "the rule-based parser and step planner (no model)"),
        "bagel": RoleChoice("planner", "bagel", "BAGEL-7B-MoT",
                            "the offline planner's step rewritten by BAGEL as <ins>/<des>, looking at the canvas",
                            _bagel_load(), default_model=BAGEL_REPO),
        "qwen3-vl": RoleChoice(
            "planner", "qwen3-vl", "Qwen3-VL", "Qwen3-VL writes the scene graph and each step's <ins>/<des>",
            (
                _model(QWEN3_VL_REPO, "Qwen3-VL"), _hf_precision(), _device(),
                RoleOption("graph", "choice", "model", "model: Qwen3-VL writes the scene graph (checked, the parser as "
                                                       "fallback); parser: the offline parser", choices=("model", "parser")),
                RoleOption("rewrite", "bool", False, "first rewrite knowledge prompts so every object is named"),
            ),
            default_model=QWEN3_VL_REPO,
        ),
    },
    "sketcher": {
        "sketchbook": RoleChoice(
            "sketcher", "sketchbook", "sketchbook", "offline emoji-sprite simulator with seeded mistakes (no model)",
            (
                RoleOption("error_rate", "float", 0.3, "simulated mistake rate", minimum=0.0, maximum=1.0),
                RoleOption("size", "int", 512, "image side in pixels", minimum=128, maximum=2048),
            ),
        ),
        "bagel": RoleChoice(
            "sketcher", "bagel", "BAGEL-7B-MoT", "BAGEL draws the first step from text and edits the canvas after",
            _bagel_load() + (
                RoleOption("resolution", "int", 1024, "image side in pixels", minimum=16, maximum=1024, multiple_of=16),
                RoleOption("num_timesteps", "int", 50, "denoising schedule points", minimum=1, maximum=200),
                RoleOption("timestep_shift", "float", 3.0, "timestep shift", minimum=0.1, maximum=20.0),
                RoleOption("cfg_text_scale", "float", 4.0, "text guidance scale", minimum=0.0, maximum=20.0),
            ),
            default_model=BAGEL_REPO,
        ),
        **{kind: _diffusers_sketcher(FAMILIES[kind]) for kind in SKETCHER_FAMILIES},
    },
    "inspector": {
        "sketchbook": RoleChoice("inspector", "sketchbook", "sketchbook detector",
                                 "finds the sketchbook's own sprites in the pixels (only with the sketchbook sketcher)"),
        "detector": RoleChoice(
            "inspector", "detector", "detector + checker", "a real detector and the scene-graph checker",
            (RoleOption("detector", "choice", "mask2former", "mask2former (COCO) | owlv2 (open vocabulary)",
                        choices=DETECTORS),),
        ),
        "bagel": RoleChoice("inspector", "bagel", "BAGEL-7B-MoT", "BAGEL answers one yes/no question per fact",
                            _bagel_load() + _vqa_mode(), default_model=BAGEL_REPO),
        "qwen3-vl": RoleChoice(
            "inspector", "qwen3-vl", "Qwen3-VL",
            "Qwen3-VL answers one yes/no question per fact; p(yes) from the answer-token logits",
            (
                _model(QWEN3_VL_REPO, "Qwen3-VL"), _hf_precision(), _device(), *_vqa_mode(),
                RoleOption("correction", "choice", "rules", "rules: the shared rule-based corrective instruction; "
                                                           "model: Qwen3-VL writes it (checked, rules as fallback)",
                           choices=("rules", "model")),
            ),
            default_model=QWEN3_VL_REPO,
        ),
    },
}


def kinds(role: str) -> list[str]:
    return list(CHOICES[role])


def roles_of(kind: str) -> list[str]:
    """The roles a kind can fill (empty for an unknown name)."""
    return [role for role in ROLES if kind in CHOICES[role]]


def choice(role: str, kind: str) -> RoleChoice:
    """The choice, or a ValueError that says what `kind` can do instead."""
    if role not in CHOICES:
        raise ValueError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
    if kind in CHOICES[role]:
        return CHOICES[role][kind]
    can = roles_of(kind)
    if kind == "detector" and role == "planner":
        why = "a detector finds objects in a picture; it cannot turn a prompt into steps"
    elif can:
        why = f"{kind} can be the {' or the '.join(can)}, not the {role}"
    elif kind in FAMILIES:
        why = f"{FAMILIES[kind].title} only draws from text; it can serve as a sketcher's t2i_model"
    else:
        why = f"unknown {role} {kind!r}"
    raise ValueError(f"{why}; choose a {role} from: {', '.join(CHOICES[role])}")


def spec_json() -> dict[str, dict[str, dict]]:
    """Every role's choices and their options as plain JSON (for a UI built from data)."""
    return {
        role: {
            kind: {"title": c.title, "help": c.help, "options": [o.to_json_dict() for o in c.options]}
            for kind, c in CHOICES[role].items()
        }
        for role in ROLES
    }
