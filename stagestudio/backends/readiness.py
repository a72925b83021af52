"""Is each configured role ready to run here? Files present, precision possible on this
machine, and the GPU memory its model needs (an estimate, labelled with how it was made; BAGEL's
are measured). Cheap: nothing is loaded and nothing downloaded. `doctor` prints it; the studio
can show it beside each role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stagestudio.backends.base import BackendStatus
from stagestudio.backends.compose import CompositionError, resolve_roles
from stagestudio.backends.diffusers.families import FAMILIES
from stagestudio.backends.estimates import (
    BAGEL_MEASURED_PEAK_GIB, VLM_WORKING_GIB, MemoryEstimate, component_counts, estimate, sketch_working_gib)
from stagestudio.backends.hf.loading import ModelLoadError, choose_placement, missing_pipeline_files, missing_vlm_files, resolve_folder


@dataclass(frozen=True)
class RoleReadiness:
    role: str
    kind: str
    model: str | None
    status: BackendStatus
    memory: MemoryEstimate | None = None

    def line(self) -> str:
        what = f"{self.role:<9} {self.kind}" + (f" ({self.model})" if self.model else "")
        memory = f"; GPU memory {self.memory.gib:.1f} GiB ({self.memory.basis})" if self.memory else ""
        detail = f": {self.status.detail}" if self.status.detail else ""
        return f"{what} — {self.status.state}{detail}{memory}"


def _status(kind: str, state: str, detail: str) -> BackendStatus:
    return BackendStatus(name=kind, state=state, detail=detail)  # type: ignore[arg-type]


def _folder_or_problem(source: str, what: str, missing_files, pipeline: bool = False
                       ) -> tuple[Path | None, BackendStatus | None]:
    try:
        folder = resolve_folder(source, what, pipeline)
    except ModelLoadError as exc:
        return None, _status(what, "missing weights", str(exc))
    missing = missing_files(folder)
    if missing:
        return folder, _status(what, "missing weights", f"{folder} lacks {'; '.join(missing)}")
    return folder, None


def _placement_problem(precision: str, device: str | None, kind: str, role: str) -> BackendStatus | None:
    try:
        placement = choose_placement(precision, device, kind, f"--precision-{role}")
    except ModelLoadError as exc:
        return _status(kind, "no GPU" if "GPU" in str(exc) else "error", str(exc))
    if not placement.device.startswith("cuda"):
        return _status(kind, "ready", "files complete; no CUDA GPU, so it runs on the CPU (very slowly at full size)")
    return None


def _diffusers(role: str, s: dict[str, Any]) -> RoleReadiness:
    family = FAMILIES[s["kind"]]
    working = sketch_working_gib(s["size"])
    folder, problem = _folder_or_problem(s["model"], family.title,
                                         lambda f: missing_pipeline_files(f, family.pipeline_class), pipeline=True)
    counts = component_counts(folder if problem is None else None, s["model"])
    memory = None
    if counts is not None:
        memory = estimate(counts[0], s["precision"], family.quantized_components, s["offload"], working, counts[1])
    if s.get("t2i_model") and s["t2i_model"] != s["model"]:
        t2i = _t2i_memory(s)
        if memory is not None and t2i is not None:
            if s["offload"]:  # one component on the GPU at a time, whichever pipeline it is in
                memory = MemoryEstimate(max(memory.gib, t2i.gib), memory.basis + "; either pipeline's largest")
            else:
                memory = MemoryEstimate(memory.gib + t2i.gib - working,
                                        memory.basis + "; plus the text-to-image model, loaded beside it")
    status = problem or _placement_problem(s["precision"], s["device"], family.title, role)
    return RoleReadiness(role, s["kind"], s["model"], status or _status(family.title, "ready", f"weights at {folder}"),
                         memory)


def _t2i_memory(s: dict[str, Any]) -> MemoryEstimate | None:
    from stagestudio.backends.diffusers.pipeline import pipeline_class_in

    try:
        folder = resolve_folder(s["t2i_model"], "text-to-image", pipeline=True)
    except ModelLoadError:
        folder = None
    family = None
    if folder is not None:
        from stagestudio.backends.diffusers.families import family_of_class

        family = family_of_class(pipeline_class_in(folder) or "")
    counts = component_counts(folder, s["t2i_model"])
    if counts is None:
        return None
    quantized = family.quantized_components if family else ("transformer", "text_encoder", "text_encoder_2")
    return estimate(counts[0], s["precision"], quantized, s["offload"], sketch_working_gib(s["size"]), counts[1])


def _qwen3vl(role: str, s: dict[str, Any]) -> RoleReadiness:
    folder, problem = _folder_or_problem(s["model"], "Qwen3-VL", missing_vlm_files)
    counts = component_counts(folder if problem is None else None, s["model"])
    memory = estimate(counts[0], s["precision"], ("model",), False, VLM_WORKING_GIB, counts[1]) if counts else None
    status = problem or _placement_problem(s["precision"], s["device"], "Qwen3-VL", role)
    return RoleReadiness(role, s["kind"], s["model"], status or _status("qwen3-vl", "ready", f"weights at {folder}"),
                         memory)


def _bagel(role: str, s: dict[str, Any]) -> RoleReadiness:
    from stagestudio.backends.bagel.backend import BagelBackend

    peak = BAGEL_MEASURED_PEAK_GIB.get(s["precision"])
    memory = None if peak is None else MemoryEstimate(
        peak, "measured at 1024² on an H200 with random full-size weights (bench/results/bagel_gpu.json)")
    return RoleReadiness(role, "bagel", s["model"], BagelBackend.status_for(s["model"]), memory)


def role_readiness(roles: dict[str, dict[str, Any]]) -> list[RoleReadiness]:
    """One line of readiness per role of a composed backend (its settings, as stored)."""
    try:
        resolved = resolve_roles(**roles)
    except CompositionError as exc:
        return [RoleReadiness("roles", "composed", None, _status("composed", "error", str(exc)))]
    out: list[RoleReadiness] = []
    for role, s in resolved.items():
        kind = s["kind"]
        if kind in FAMILIES:
            out.append(_diffusers(role, s))
        elif kind == "qwen3-vl":
            out.append(_qwen3vl(role, s))
        elif kind == "bagel":
            out.append(_bagel(role, s))
        elif kind == "detector":
            out.append(RoleReadiness(role, kind, s["detector"], _status(
                kind, "ready", "detector weights are read from the HF cache when first used")))
        else:
            out.append(RoleReadiness(role, kind, None, _status(kind, "ready", "no model")))
    by_model: dict[tuple, list[str]] = {}
    for role, s in resolved.items():
        if s["kind"] in ("bagel", "qwen3-vl"):
            by_model.setdefault((s["kind"], s["model"], s["precision"]), []).append(role)
    for (kind, model, _), roles_of_model in by_model.items():
        if len(roles_of_model) > 1:  # loaded once: its memory counts once
            out.append(RoleReadiness("shared", kind, model, _status(
                kind, "ready", f"the {' and '.join(roles_of_model)} share one loaded model")))
    return out
