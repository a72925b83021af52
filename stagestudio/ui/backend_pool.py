"""The backends the studio runs on: one shared instance per backend name (models are expensive
to load), each serialised so two browser sessions never run two stages on one model at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from stagestudio.backends.base import Backend, BackendStatus, SingleModelBackend
from stagestudio.scene.graph import SceneGraph
from stagestudio.ui.backend_settings import settings_key, status_for, validate_settings

# factory(name, **settings) -> a new backend (settings omitted for backends without a form).
BackendFactory = Callable[..., Backend]


class SerializedBackend(SingleModelBackend):
    """A shared backend that runs one stage at a time: two browser sessions may drive the
    same model instance, and a model (one GPU, one KV cache) must not run two stages at once."""

    def __init__(self, inner: Backend) -> None:
        super().__init__()
        self.inner = inner
        self.name = inner.name
        self._lock = threading.Lock()
        # Runs using this instance, and whether the pool replaced it: a replaced instance is
        # closed (its model freed) once the last run on it ends, never under a running stage.
        self._leases = 0
        self._retired = False
        self.closed = False
        self._lease_lock = threading.Lock()

    def acquire(self) -> None:
        with self._lease_lock:
            self._leases += 1

    def release(self) -> None:
        with self._lease_lock:
            self._leases = max(0, self._leases - 1)
            close_now = self._retired and self._leases == 0
        if close_now:
            self.close()

    def retire(self) -> None:
        """The pool no longer hands this instance out; close it when no run uses it."""
        with self._lease_lock:
            self._retired = True
            close_now = self._leases == 0
        if close_now:
            self.close()

    def settings(self) -> dict[str, Any]:
        return self.inner.settings()

    def extract_graph(self, prompt: str) -> SceneGraph:
        with self._lock:
            return self.inner.extract_graph(prompt)

    def plan(self, request):  # type: ignore[override]
        with self._lock:
            return self.inner.plan(request)

    def sketch(self, request, hooks=None):  # type: ignore[override]
        with self._lock:
            return self.inner.sketch(request, hooks)

    def inspect(self, request, hooks=None):  # type: ignore[override]
        with self._lock:
            return self.inner.inspect(request, hooks)

    def refine(self, request, hooks=None):  # type: ignore[override]
        with self._lock:
            return self.inner.refine(request, hooks)

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                self.inner.close()


class BackendPool:
    """Backend instances keyed by (name, settings), shared by every browser session: model
    backends are expensive to load, and the sketchbook is cheap either way.

    At most one instance per name is kept: asking for other settings builds a fresh instance
    and retires the old one, which is closed as soon as no run uses it, so two BAGEL
    configurations never hold GPU memory at once."""

    def __init__(self, factory: Callable[..., Backend] | None = None) -> None:
        # With the registry, a backend whose status is not 'ready' is refused up front with
        # its reason (e.g. missing weights), instead of failing halfway through a run.
        self.checks_status = factory is None
        if factory is None:
            from stagestudio.backends.registry import create_backend

            factory = create_backend
        self._factory = factory
        # name -> (settings key, instance): the live instance of each backend.
        self._instances: dict[str, tuple[tuple, SerializedBackend]] = {}
        self._lock = threading.Lock()

    def status(self, name: str, settings: dict[str, Any] | None = None) -> BackendStatus | None:
        """The status of `name` as configured (BAGEL's depends on its model folder)."""
        if not self.checks_status:
            return None
        return status_for(name, settings)

    def get(self, name: str, settings: dict[str, Any] | None = None) -> SerializedBackend:
        """The shared instance of `name` with `settings` (validated, over the defaults);
        SettingsError for a bad setting. Other settings than the live instance's replace it."""
        settings = validate_settings(name, settings)
        key = settings_key(settings)
        replaced = None
        with self._lock:
            current = self._instances.get(name)
            if current is not None and current[0] == key:
                return current[1]
            # A test factory may take the name only; registry backends always get settings.
            inner = self._factory(name, **settings) if settings else self._factory(name)
            backend = SerializedBackend(inner)
            self._instances[name] = (key, backend)
            replaced = current[1] if current is not None else None
        if replaced is not None:
            replaced.retire()  # outside the pool lock: it may wait for a running stage
        return backend

    def live(self) -> dict[str, dict[str, Any]]:
        """name -> settings of the instances held now (diagnostics, tests)."""
        with self._lock:
            return {name: dict(key) for name, (key, _) in self._instances.items()}

    def close(self) -> None:
        with self._lock:
            instances = [backend for _, backend in self._instances.values()]
            self._instances.clear()
        for backend in instances:
            try:
                backend.close()
            except Exception:  # closing is best effort at shutdown
                pass
