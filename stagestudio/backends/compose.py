"""A backend composed of roles from different models: e.g. FLUX.2 [klein] sketching, Qwen3-VL
inspecting, the offline planner planning; or BAGEL sketching with a Qwen3-VL inspector.

Its settings are plain JSON, one object per role with the chosen kind and every option:

    {"planner":   {"kind": "offline"},
     "sketcher":  {"kind": "flux2-klein", "model": "...", "precision": "nf4", "size": 1024, ...},
     "inspector": {"kind": "qwen3-vl", "model": "...", "precision": "bf16", "mode": "vqa", ...}}

`settings()` returns them complete (defaults filled in), so `sessions rerun` rebuilds exactly
the same backend. A combination that cannot run is refused when the backend is built, before any
run starts, with the reason; model folders are checked then too, while weights load on first use.

One model that fills several roles is loaded once: roles that name the same BAGEL checkpoint
(model, precision, offload) share one `BagelRuntime` — its weights and its KV-cache contexts —
and roles that name the same Qwen3-VL checkpoint share one `Qwen3VLRuntime`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from stagestudio.backends.base import Backend, BackendError, BackendStatus, Inspector, Planner, Sketcher
from stagestudio.backends.catalog import ROLES, bagel_default_model, choice
from stagestudio.backends.diffusers.families import FAMILIES
from stagestudio.backends.options import OptionError, check_options

RoleSettings = dict[str, Any]
DEFAULT_KINDS = {"planner": "offline", "sketcher": "sketchbook"}


class CompositionError(BackendError, ValueError):
    """These roles cannot run together (or one is misconfigured); the message says why."""


# --- settings ---------------------------------------------------------------------------------
def _default_inspector(sketcher_kind: str) -> str:
    if sketcher_kind in ("sketchbook", "bagel"):
        return sketcher_kind  # the sketcher's own model inspects (BAGEL shares its weights)
    raise CompositionError(f"choose an inspector for the {sketcher_kind} sketcher: qwen3-vl, bagel or detector")


def resolve_roles(planner: RoleSettings | None = None, sketcher: RoleSettings | None = None,
                  inspector: RoleSettings | None = None) -> dict[str, RoleSettings]:
    """Complete, checked settings for each role (kind + every option). Raises CompositionError."""
    given = {"planner": planner, "sketcher": sketcher, "inspector": inspector}
    resolved: dict[str, RoleSettings] = {}
    for role in ROLES:
        raw = dict(given[role] or {})
        if not isinstance(given[role] or {}, dict):
            raise CompositionError(f"{role} settings must be an object with a 'kind', got {given[role]!r}")
        kind = str(raw.pop("kind", "") or "").strip().lower()
        if not kind:
            kind = DEFAULT_KINDS.get(role) or _default_inspector(resolved["sketcher"]["kind"])
        try:
            spec = choice(role, kind)
            options = check_options(spec.options, raw, f"{role} {kind}")
        except (ValueError, OptionError) as exc:
            raise CompositionError(str(exc)) from exc
        if kind == "bagel" and not options.get("model"):
            options["model"] = bagel_default_model()  # stored resolved, so a rerun loads the same weights
        resolved[role] = {"kind": kind, **options}
    check_combination(resolved)
    return resolved


def check_combination(roles: dict[str, RoleSettings]) -> None:
    """Refuse what would fake a role: say why before anything runs."""
    sketcher, inspector = roles["sketcher"], roles["inspector"]
    if inspector["kind"] == "sketchbook" and sketcher["kind"] != "sketchbook":
        raise CompositionError(
            f"the sketchbook inspector only recognises the sketchbook's own sprites; to judge {sketcher['kind']} "
            "pictures choose qwen3-vl, bagel or detector")
    family = FAMILIES.get(sketcher["kind"])
    if family is not None and not family.text_to_image and not sketcher.get("t2i_model"):
        raise CompositionError(
            f"{family.title} only edits: it cannot draw the first step from text. Name a text-to-image model "
            "for it (--t2i-model-sketcher, e.g. Qwen/Qwen-Image or black-forest-labs/FLUX.2-klein-4B)")


# --- building ---------------------------------------------------------------------------------
class ModelPool:
    """Loaded-model runtimes by identity, so roles naming the same model share one."""

    def __init__(self) -> None:
        self._runtimes: dict[tuple, Any] = {}

    def get(self, key: tuple, build: Callable[[], Any]) -> Any:
        if key not in self._runtimes:
            self._runtimes[key] = build()
        return self._runtimes[key]


def _bagel_runtime(role: str, s: RoleSettings, roles: dict[str, RoleSettings], pool: ModelPool):
    from stagestudio.backends.bagel.loader import resolve_checkpoint
    from stagestudio.backends.bagel.runtime import BagelRuntime, BagelSettings

    key = ("bagel", s["model"], s["precision"], s["offload"])

    def build() -> BagelRuntime:
        resolve_checkpoint(s["model"])  # a missing or incomplete folder is reported now
        # Generation settings come from the BAGEL sketcher when it shares this model.
        sketcher = roles["sketcher"]
        draws = sketcher["kind"] == "bagel" and (sketcher["model"], sketcher["precision"], sketcher["offload"]) == key[1:]
        generation = {k: sketcher[k] for k in ("resolution", "num_timesteps", "timestep_shift", "cfg_text_scale")} if draws else {}
        return BagelRuntime(BagelSettings(model_source=s["model"], precision=s["precision"], offload=s["offload"],
                                          **generation))

    return pool.get(key, build)


def _qwen3vl_runtime(role: str, s: RoleSettings, pool: ModelPool):
    from stagestudio.backends.qwen3vl.runtime import Qwen3VLRuntime, Qwen3VLSettings

    settings = Qwen3VLSettings(model=s["model"], precision=s["precision"], device=s["device"])
    return pool.get(("qwen3-vl", settings), lambda: Qwen3VLRuntime(settings, option_hint=f"--precision-{role}"))


def _detector_checker(name: str):
    from stagestudio.backends.bagel.roles import _LazyDetector
    from stagestudio.inspector.checker import SceneGraphChecker
    from stagestudio.inspector.detectors import create_detector

    return SceneGraphChecker(_LazyDetector(lambda: create_detector(name, color=True), name))


def _build_planner(s: RoleSettings, roles: dict[str, RoleSettings], pool: ModelPool) -> Planner:
    kind = s["kind"]
    if kind == "offline":
        from stagestudio.backends.offline import OfflinePlanner

        return OfflinePlanner()
    if kind == "bagel":
        from stagestudio.backends.bagel.roles import BagelPlanner

        return BagelPlanner(_bagel_runtime("planner", s, roles, pool))
    from stagestudio.backends.qwen3vl.planner import Qwen3VLPlanner

    return Qwen3VLPlanner(_qwen3vl_runtime("planner", s, pool), graph=s["graph"], rewrite=s["rewrite"])


def _build_sketcher(s: RoleSettings, roles: dict[str, RoleSettings], pool: ModelPool) -> Sketcher:
    kind = s["kind"]
    if kind == "sketchbook":
        from stagestudio.backends.sketchbook.backend import SketchbookSketcher

        return SketchbookSketcher(error_rate=s["error_rate"], size=s["size"])
    if kind == "bagel":
        from stagestudio.backends.bagel.roles import BagelSketcher

        return BagelSketcher(_bagel_runtime("sketcher", s, roles, pool))
    from stagestudio.backends.diffusers.sketcher import DiffusersSettings, DiffusersSketcher

    return DiffusersSketcher(kind, DiffusersSettings(
        model=s["model"], precision=s["precision"], device=s["device"], offload=s["offload"], size=s["size"],
        steps=s["steps"], guidance=s["guidance"], t2i_model=s["t2i_model"], t2i_steps=s["t2i_steps"]))


def _build_inspector(s: RoleSettings, roles: dict[str, RoleSettings], pool: ModelPool) -> Inspector:
    kind = s["kind"]
    if kind == "sketchbook":
        from stagestudio.backends.offline import CheckerInspector
        from stagestudio.backends.sketchbook.detector import SketchbookDetector
        from stagestudio.inspector.checker import SceneGraphChecker

        return CheckerInspector(SceneGraphChecker(SketchbookDetector()))
    if kind == "detector":
        from stagestudio.backends.offline import CheckerInspector

        return CheckerInspector(_detector_checker(s["detector"]))
    if kind == "bagel":
        from stagestudio.backends.bagel.roles import bagel_inspector

        return bagel_inspector(_bagel_runtime("inspector", s, roles, pool), mode=s["mode"], detector=s["detector"])
    from stagestudio.backends.qwen3vl.inspector import Qwen3VLInspector

    checker = _detector_checker(s["detector"]) if s["mode"] == "both" else None
    return Qwen3VLInspector(_qwen3vl_runtime("inspector", s, pool), mode=s["mode"], checker=checker,
                            correction=s["correction"])


class ComposedBackend(Backend):
    """Planner, sketcher and inspector chosen one by one (see the module docstring)."""

    name = "composed"

    def __init__(self, planner: RoleSettings | None = None, sketcher: RoleSettings | None = None,
                 inspector: RoleSettings | None = None) -> None:
        self.roles = resolve_roles(planner, sketcher, inspector)
        pool = ModelPool()
        built: list[Any] = []
        try:
            # The sketcher first: a BAGEL runtime it shares takes its generation settings.
            sketcher_role = _build_sketcher(self.roles["sketcher"], self.roles, pool)
            built.append(sketcher_role)
            planner_role = _build_planner(self.roles["planner"], self.roles, pool)
            built.append(planner_role)
            inspector_role = _build_inspector(self.roles["inspector"], self.roles, pool)
        except (BackendError, ValueError, OSError) as exc:
            for role in built:
                role.close()
            if isinstance(exc, CompositionError):
                raise
            # One error type (a ValueError too), so `sessions rerun` reports it as a bad setting.
            raise CompositionError(str(exc)) from exc
        super().__init__(planner=planner_role, sketcher=sketcher_role, inspector=inspector_role)

    @classmethod
    def status(cls) -> BackendStatus:
        return BackendStatus(name=cls.name, state="ready",
                             detail="planner, sketcher and inspector chosen one by one; each model is checked when chosen")

    def settings(self) -> dict[str, Any]:
        return copy.deepcopy(self.roles)
