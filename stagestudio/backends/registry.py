"""Backend registry: names -> classes, imported lazily so a missing optional dependency of
one backend (e.g. CUDA for BAGEL) never breaks the others."""

from __future__ import annotations

import importlib
from typing import Any

from stagestudio.backends.base import Backend, BackendStatus

# name -> "module:Class"
BACKENDS: dict[str, str] = {
    "sketchbook": "stagestudio.backends.sketchbook.backend:SketchbookBackend",
    "bagel": "stagestudio.backends.bagel.backend:BagelBackend",
    "remote": "stagestudio.backends.remote.backend:RemoteBackend",
    # Planner, sketcher and inspector chosen one by one (diffusers, Qwen3-VL, BAGEL, offline).
    "composed": "stagestudio.backends.compose:ComposedBackend",
}
DEFAULT_BACKEND = "sketchbook"


class UnknownBackendError(ValueError):
    pass


def backend_names() -> list[str]:
    return list(BACKENDS)


def backend_class(name: str) -> type[Backend]:
    if name not in BACKENDS:
        raise UnknownBackendError(f"unknown backend {name!r}; available: {', '.join(BACKENDS)}")
    module_name, _, class_name = BACKENDS[name].partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name)


def backend_status(name: str) -> BackendStatus:
    """Whether `name` can run here; never raises."""
    try:
        cls = backend_class(name)
    except UnknownBackendError as exc:
        return BackendStatus(name=name, state="error", detail=str(exc))
    except ImportError as exc:
        return BackendStatus(name=name, state="missing dependency", detail=f"cannot import: {exc}")
    try:
        return cls.status()
    except Exception as exc:  # a status probe must never take the app down
        return BackendStatus(name=name, state="error", detail=f"{type(exc).__name__}: {exc}")


def create_backend(name: str, **settings: Any) -> Backend:
    return backend_class(name)(**settings)
