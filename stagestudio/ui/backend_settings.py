"""Per-backend settings the studio lets a person choose: their defaults, their validation
(with messages that say what to type instead), a hashable key so the backend pool can tell
one configuration from another, and a BAGEL status that follows the chosen model folder.

Settings are plain dicts of constructor keyword arguments (what `create_backend(name,
**settings)` takes), and the same shape `backend.settings()` stores with each session, so a
stored session can be re-run or forked with exactly its settings."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from stagestudio.backends.base import BackendStatus

# Mirrors of the backends' own choices, kept here so validating a form never imports torch.
BAGEL_PRECISIONS: tuple[str, ...] = ("nf4", "int8", "bf16", "fp32")
BAGEL_INSPECTORS: tuple[str, ...] = ("vqa", "detector", "both")
BAGEL_DETECTORS: tuple[str, ...] = ("mask2former", "owlv2", "sketchbook")
BAGEL_GRAPH_SOURCES: tuple[str, ...] = ("model", "parser")
BAGEL_MODEL_ENV = "STAGESTUDIO_BAGEL_MODEL"
BAGEL_DEFAULT_REPO = "ByteDance-Seed/BAGEL-7B-MoT"

class SettingsError(ValueError):
    """A setting the backend cannot take; the message names it and the allowed values."""


def bagel_default_model() -> str:
    """The BAGEL checkpoint used when the form's model box is empty: $STAGESTUDIO_BAGEL_MODEL
    (which `app.py --model` sets) or the Hub repo id."""
    return os.environ.get(BAGEL_MODEL_ENV) or BAGEL_DEFAULT_REPO


def default_settings(name: str) -> dict[str, Any]:
    if name == "composed":
        from stagestudio.ui.composed_settings import default_roles

        return default_roles()
    if name == "remote":
        from stagestudio.ui.remote_form import default_settings as remote_defaults

        return remote_defaults()
    if name == "sketchbook":
        return {"error_rate": 0.3, "size": 512}
    if name == "bagel":
        return {
            "model": bagel_default_model(),
            "precision": "nf4",
            "offload": False,
            "resolution": 1024,
            "num_timesteps": 50,
            "timestep_shift": 3.0,
            "cfg_text_scale": 4.0,
            "inspector": "vqa",
            "detector": "mask2former",
            "graph": "model",
            "lora": None,
            "merge_lora": False,
        }
    return {}


# --- field checks -------------------------------------------------------------------------
def _number(label: str, value: Any) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SettingsError(f"{label} is empty; enter a number")
    if isinstance(value, bool):
        raise SettingsError(f"{label} must be a number, not {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{label} must be a number, got {value!r}") from None


def _float_in(label: str, value: Any, low: float, high: float) -> float:
    number = _number(label, value)
    if not low <= number <= high:
        raise SettingsError(f"{label} must be between {low:g} and {high:g}, got {number:g}")
    return number


def _int_in(label: str, value: Any, low: int, high: int, multiple_of: int = 1) -> int:
    number = _number(label, value)
    if number != int(number):
        raise SettingsError(f"{label} must be a whole number, got {number:g}")
    whole = int(number)
    if not low <= whole <= high:
        raise SettingsError(f"{label} must be between {low} and {high}, got {whole}")
    if whole % multiple_of:
        below = whole - whole % multiple_of
        raise SettingsError(f"{label} must be a multiple of {multiple_of} (e.g. {max(below, low)} or "
                            f"{min(below + multiple_of, high)}), got {whole}")
    return whole


def _choice(label: str, value: Any, choices: tuple[str, ...]) -> str:
    text = str(value).strip().lower() if value is not None else ""
    if text not in choices:
        raise SettingsError(f"{label} must be one of {', '.join(choices)}, got {value!r}")
    return text


def _flag(label: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise SettingsError(f"{label} must be on or off (true/false), got {value!r}")


def _model(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    return text or bagel_default_model()


_CHECKS: dict[str, dict[str, Any]] = {
    "sketchbook": {
        "error_rate": lambda v: _float_in("Error rate", v, 0.0, 1.0),
        "size": lambda v: _int_in("Image size", v, 128, 2048),
    },
    "bagel": {
        "model": _model,
        "precision": lambda v: _choice("Precision", v, BAGEL_PRECISIONS),
        "offload": lambda v: _flag("Offload", v),
        # The VAE downsamples 8x and the latent is patched 2x2: 16 px per latent token, and
        # BAGEL's latent position grid ends at 64x64 tokens (1024 px).
        "resolution": lambda v: _int_in("Resolution", v, 16, 1024, multiple_of=16),
        "num_timesteps": lambda v: _int_in("Timesteps", v, 1, 200),
        "timestep_shift": lambda v: _float_in("Timestep shift", v, 0.1, 20.0),
        "cfg_text_scale": lambda v: _float_in("Text guidance scale", v, 0.0, 20.0),
        "inspector": lambda v: _choice("Inspector", v, BAGEL_INSPECTORS),
        # Stored vqa-only sessions record detector=None: it is unused then, so keep the default.
        "detector": lambda v: "mask2former" if v is None else _choice("Detector", v, BAGEL_DETECTORS),
        "graph": lambda v: _choice("Scene graph", v, BAGEL_GRAPH_SOURCES),
        # A LoRA adapter folder from `psir train` (empty: none).
        "lora": lambda v: str(v).strip() or None if v is not None else None,
        "merge_lora": lambda v: _flag("Merge LoRA", v),
    },
}


def validate_settings(name: str, raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The complete, checked settings for backend `name`: `raw` over the defaults.

    Raises SettingsError naming the first bad setting. Backends this module does not know
    (a test's scripted backend) get `raw` back unchanged: their constructor checks it."""
    raw = dict(raw or {})
    if name in ("composed", "remote"):
        return _validate_model_settings(name, raw)
    checks = _CHECKS.get(name)
    if checks is None:
        return raw
    unknown = sorted(set(raw) - set(checks))
    if unknown:
        raise SettingsError(f"unknown {name} setting(s) {', '.join(unknown)}; known: {', '.join(checks)}")
    settings = default_settings(name)
    for key, value in raw.items():
        settings[key] = checks[key](value)
    return settings


def _validate_model_settings(name: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Composed roles and remote endpoints are checked by the backends' own settings code."""
    from stagestudio.ui.composed_settings import ComposedSettingsError, validate_roles
    from stagestudio.ui.remote_form import RemoteSettingsError
    from stagestudio.ui.remote_form import validate as validate_remote

    try:
        return validate_roles(raw) if name == "composed" else validate_remote(raw)
    except (ComposedSettingsError, RemoteSettingsError) as exc:
        raise SettingsError(str(exc)) from exc


def settings_key(settings: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A hashable, order-independent identity of a settings dict (the backend pool's key)."""
    return tuple(sorted((str(k), v if isinstance(v, (str, int, float, bool, type(None))) else repr(v))
                        for k, v in settings.items()))


def form_settings(name: str, fields: Sequence[tuple[str, str]], values: Sequence[Any]) -> dict[str, Any]:
    """The settings of backend `name` out of a form: `fields` are its (backend, setting)
    pairs and `values` the form's values in the same order; other backends' fields are
    ignored. Not validated: pass the result to validate_settings."""
    if len(fields) != len(values):
        raise ValueError(f"the form has {len(fields)} fields but {len(values)} values")
    flat = {setting: value for (backend, setting), value in zip(fields, values, strict=True) if backend == name}
    if name == "composed":
        from stagestudio.ui.composed_settings import roles_from_form

        return roles_from_form(flat)
    if name == "remote" and "endpoints" in flat:
        from stagestudio.ui.remote_form import endpoints_from_text

        flat["endpoints"] = endpoints_from_text(flat["endpoints"])
    return flat


def form_values(name: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The form's field values (by setting name) that show stored `settings` of backend `name`:
    the inverse of form_settings, so opening a stored session refills the form exactly."""
    if name == "composed":
        from stagestudio.ui.composed_settings import form_from_roles

        return form_from_roles(settings)
    values = dict(settings)
    if name == "remote":
        from stagestudio.ui.remote_form import endpoints_to_text

        values["endpoints"] = endpoints_to_text(values.get("endpoints"))
        values["served_model"] = values.get("served_model") or ""
    return values


def non_default_summary(name: str, settings: Mapping[str, Any]) -> str:
    """The settings that differ from the defaults, short (for a session's header), e.g.
    'error_rate 0' or 'model BAGEL-7B-MoT, inspector both'; '' when all are defaults. Composed
    roles always name each role's kind, and remote sessions their endpoints."""
    if name == "composed":
        from stagestudio.ui.composed_settings import summary

        return summary(settings)
    if name == "remote":
        from stagestudio.ui.remote_form import summary as remote_summary

        return remote_summary(settings)
    defaults = default_settings(name)
    parts = []
    for key, value in settings.items():
        if value is None or (key in defaults and defaults[key] == value):
            continue
        if key == "model":
            value = Path(str(value)).name or value  # the folder's name says which checkpoint
        parts.append(f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}")
    return ", ".join(parts)


# --- status -------------------------------------------------------------------------------
def bagel_status(model: str | None = None) -> BackendStatus:
    """Whether BAGEL can run from `model` (the form's folder or Hub id; empty: the default).
    Never raises, never downloads."""
    try:
        from stagestudio.backends.bagel.backend import BagelBackend

        return BagelBackend.status_for((model or "").strip() or bagel_default_model())
    except Exception as exc:  # a status probe must never take the studio down
        return BackendStatus(name="bagel", state="error", detail=f"{type(exc).__name__}: {exc}")


def status_for(name: str, settings: Mapping[str, Any] | None = None) -> BackendStatus:
    """The status of backend `name` as configured by `settings`, checked ones (the model folder
    matters for BAGEL, each role's files and precision for composed, the endpoints for remote;
    the sketchbook's status does not depend on its settings)."""
    if name == "bagel":
        return bagel_status((settings or {}).get("model"))
    if name == "composed":
        from stagestudio.ui.role_readiness import composed_status

        return composed_status(settings or {})
    if name == "remote" and settings:
        from stagestudio.ui.remote_form import status as remote_status

        return remote_status(settings)
    from stagestudio.backends.registry import backend_status

    return backend_status(name)
