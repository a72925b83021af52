"""Whether each composed role can run here, as the studio shows it beside the role: its files
(present, or what is missing and how to get it), whether its precision runs on this machine,
and its GPU memory (always labelled with how the figure was made). Also the whole combination's
verdict shown next to Run, and the status Run itself checks, so the page says beforehand
exactly what Run would refuse.

The facts come from the backends (`readiness.role_readiness`, `hf.loading.choose_placement`,
BAGEL's loader rules); this module only gathers and words them. Nothing is loaded or downloaded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stagestudio.backends.base import BackendStatus
from stagestudio.backends.catalog import ROLES
from stagestudio.ui.composed_settings import ComposedSettingsError, validate_roles
from stagestudio.ui.render import esc

# Partners for checking one role on its own: roles that can run beside any kind, so a problem
# elsewhere in the combination never hides this role's files, precision or memory.
_NEUTRAL = {"planner": {"kind": "offline"}, "sketcher": {"kind": "sketchbook"}, "inspector": {"kind": "detector"}}


@dataclass(frozen=True)
class RoleLine:
    """One role's readiness, in words."""

    role: str
    kind: str
    state: str  # BackendStatus.state, or "invalid" when the role's own options are wrong
    detail: str
    precision: str | None = None  # "runs here ..." or why not; None when the kind loads no model
    precision_ok: bool = True
    memory: str | None = None  # "11.8 GiB (basis)"; None when there is no figure

    @property
    def ready(self) -> bool:
        return self.state == "ready" and self.precision_ok

    def html(self) -> str:
        icon = "✓" if self.ready else "⚠"
        cls = "ss-ready-ok" if self.ready else "ss-ready-bad"
        parts = [f'<span class="{cls}">{icon} {esc(self.state)}</span>'
                 + (f": {esc(self.detail)}" if self.detail else "")]
        if self.precision is not None:
            mark = "" if self.precision_ok else "⚠ "
            parts.append(f"{mark}precision: {esc(self.precision)}")
        if self.memory is not None:
            parts.append(f"GPU memory estimate: {esc(self.memory)}")
        items = "".join(f"<li>{p}</li>" for p in parts)
        return f'<ul class="ss-readiness" data-role="{esc(self.role)}" data-state="{esc(self.state)}">{items}</ul>'


def _alone(role: str, settings: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    combo = {r: dict(_NEUTRAL[r]) for r in ROLES}
    combo[role] = dict(settings)
    if role == "inspector" and settings.get("kind") == "sketchbook":
        combo["sketcher"] = {"kind": "sketchbook"}  # the sprite detector judges the sketchbook only
    return combo


def _precision(kind: str, settings: Mapping[str, Any], role: str) -> tuple[str | None, bool]:
    """Whether the role's precision runs on this machine, in words (None: it loads no model)."""
    precision = settings.get("precision")
    if precision is None:
        return None, True
    if kind == "bagel":
        return _bagel_precision(str(precision), bool(settings.get("offload")))
    from stagestudio.backends.hf.loading import ModelLoadError, choose_placement

    try:
        placement = choose_placement(str(precision), settings.get("device"), kind, "precision")
    except ModelLoadError as exc:
        return str(exc), False
    where = "on the GPU" if placement.device.startswith("cuda") else "on the CPU (no CUDA GPU; slow at full size)"
    return f"{precision} runs here, {where}", True


def _bagel_precision(precision: str, offload: bool) -> tuple[str, bool]:
    # BAGEL's loader rules (backends/bagel/loader.py), asked before anything loads.
    import torch

    if offload and precision in ("nf4", "int8"):
        return "CPU offload works with fp32/bf16 only", False
    if not torch.cuda.is_available():
        return f"{precision}: no CUDA GPU here (the studio runs BAGEL on a GPU only)", False
    if precision != "fp32":
        from stagestudio.backends.bagel.loader import bf16_problem

        problem = bf16_problem(torch.device("cuda"))
        if problem:
            return problem, False
    return f"{precision} runs here, on the GPU", True


def role_line(role: str, settings: Mapping[str, Any]) -> RoleLine:
    """The readiness of one role (its settings as the form holds them)."""
    from stagestudio.backends.readiness import role_readiness

    kind = str(settings.get("kind") or "")
    try:
        resolved = validate_roles(_alone(role, settings))[role]
    except ComposedSettingsError as exc:
        return RoleLine(role, kind, "invalid", str(exc))
    found = next(r for r in role_readiness(_alone(role, resolved)) if r.role == role)
    precision, precision_ok = _precision(kind, resolved, role)
    memory = f"{found.memory.gib:.1f} GiB ({found.memory.basis})" if found.memory is not None else None
    return RoleLine(role, kind, found.status.state, found.status.detail, precision, precision_ok, memory)


def role_lines(roles: Mapping[str, Mapping[str, Any]]) -> dict[str, RoleLine]:
    return {role: role_line(role, roles.get(role) or {"kind": ""}) for role in ROLES}


def shared_models(roles: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """'the sketcher and inspector share one loaded bagel' lines (a model is loaded once)."""
    from stagestudio.backends.readiness import role_readiness

    return [f"The {r.status.detail.removeprefix('the ')} ({r.kind})" for r in role_readiness(dict(roles))
            if r.role == "shared"]


def composed_status(roles: Mapping[str, Mapping[str, Any]]) -> BackendStatus:
    """What Run checks: 'ready' when every role is, else the first state and every role's reason."""
    try:
        resolved = validate_roles(roles)
    except ComposedSettingsError as exc:
        return BackendStatus(name="composed", state="error", detail=str(exc))
    lines = role_lines(resolved)
    bad = [line for line in lines.values() if not line.ready]
    if not bad:
        return BackendStatus(name="composed", state="ready", detail="; ".join(
            f"{line.role} {line.kind}" for line in lines.values()))
    first = bad[0]
    state = first.state if first.state != "ready" else ("no GPU" if "GPU" in (first.precision or "") else "error")
    reasons = "; ".join(f"{line.role} {line.kind}: {line.detail if line.state != 'ready' else line.precision}"
                        for line in bad)
    return BackendStatus(name="composed", state=state, detail=reasons)  # type: ignore[arg-type]


def combination_html(status: BackendStatus, roles: Mapping[str, Mapping[str, Any]]) -> str:
    """The combination's verdict, shown next to Run, from its status (`composed_status(roles)`):
    that these roles can run (and which of them share one loaded model), or what Run would refuse."""
    if not status.ready:
        return refusal_html(f"{status.state} — {status.detail}")
    shared = " ".join(f"{esc(text)}." for text in shared_models(roles))
    return (f'<div class="ss-verdict ss-verdict-ok" role="status">✓ These roles can run here: '
            f'{esc(status.detail)}.{" " + shared if shared else ""}</div>')


def refusal_html(reason: str) -> str:
    """The one-line refusal Run would give, shown next to Run before it is pressed."""
    return f'<div class="ss-verdict ss-verdict-bad" role="status">⚠ Run will refuse: {esc(reason)}</div>'
