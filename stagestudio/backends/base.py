"""The loop's one backend interface: three roles (planner, sketcher, inspector) and the
`Backend` that composes them. The loop engine talks to nothing else, so it knows no model."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from PIL import Image
from pydantic import BaseModel

from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep

# Called with (denoising step done, total) so UIs can draw a progress bar.
ProgressFn = Callable[[int, int], None]


class Cancelled(Exception):
    """The user cancelled the run; raised from inside a stage at a safe point."""


class BackendError(RuntimeError):
    """A backend failed in a way the user can act on; the message says how."""


class BackendUnavailable(BackendError):
    """The model's service went away (a server died, stopped answering in time, or is
    overloaded past every retry). Nothing about the session is wrong: the engine stores it
    as *interrupted*, so it can be resumed once a server answers again."""


class CancelToken:
    """Thread-safe cancel flag, checked by the engine between stages and by backends
    between denoising steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by user")


class BackendStatus(BaseModel):
    name: str
    state: Literal["ready", "missing weights", "no GPU", "missing dependency", "error"]
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.state == "ready"


@dataclass
class PlanRequest:
    prompt: str
    graph: SceneGraph
    done: list[PlanStep]  # steps already completed, in order
    realised_ids: list[str]  # object ids visible on the canvas so far
    canvas: Image.Image | None
    seed: int
    max_steps: int
    session_id: str = ""  # the session asking; lets a remote backend keep it on one server


@dataclass
class SketchRequest:
    prompt: str
    graph: SceneGraph
    step: PlanStep
    target: SceneGraph  # everything that must be visible after this step
    canvas: Image.Image | None  # the accepted image before this step (None at step 0)
    seed: int
    session_id: str = ""


@dataclass
class InspectRequest:
    prompt: str
    graph: SceneGraph
    target: SceneGraph  # what the image must show
    image: Image.Image
    seed: int
    step: PlanStep | None = None  # None for the final whole-prompt inspection
    session_id: str = ""


@dataclass
class RefineRequest:
    prompt: str
    graph: SceneGraph
    step: PlanStep
    target: SceneGraph
    canvas: Image.Image | None  # the accepted image before this step
    image: Image.Image  # the sketch that failed inspection
    verdict: Verdict
    correction: str  # the corrective instruction (possibly edited by a person)
    seed: int
    attempt: int = 1
    session_id: str = ""


@dataclass
class StageHooks:
    progress: ProgressFn | None = None
    cancel: CancelToken | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Planner(ABC):
    """Turns the prompt into a scene graph and proposes the next step."""

    @abstractmethod
    def extract_graph(self, prompt: str) -> SceneGraph: ...

    @abstractmethod
    def plan(self, request: PlanRequest) -> PlanStep | None:
        """The next step, or None when the graph is fully realised."""

    def close(self) -> None:
        """Release what this role holds (idempotent; roles may share one model)."""


class Sketcher(ABC):
    """Draws a step on the canvas and redraws a failed sketch with a correction."""

    @abstractmethod
    def sketch(self, request: SketchRequest, hooks: StageHooks | None = None) -> Image.Image: ...

    @abstractmethod
    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image: ...

    def close(self) -> None:
        """Release what this role holds (idempotent; roles may share one model)."""


class Inspector(ABC):
    """Judges a sketch against the target scene graph: one result per fact, a verdict,
    a critique and a corrective instruction."""

    @abstractmethod
    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict: ...

    def close(self) -> None:
        """Release what this role holds (idempotent; roles may share one model)."""


class Backend:
    """The loop's models: a planner, a sketcher and an inspector, each of which may come from
    a different model (one model that fills several roles is loaded once and shared by
    them). The engine talks only to this class, so it knows no model.

    A backend is built by name and settings through the registry (`create_backend`); the
    settings are stored with each session so the same backend can be rebuilt to re-run it.
    Named presets (`sketchbook`, `bagel`, ...) are subclasses that compose their roles in
    `__init__`.
    """

    name: str = "backend"
    # Whether several sessions may call one instance at once from different threads (a
    # remote client: yes; one local model on one GPU: no). The eval harness fans out only
    # over backends that say so.
    concurrent_sessions: bool = False

    def __init__(self, planner: Planner, sketcher: Sketcher, inspector: Inspector) -> None:
        self.planner = planner
        self.sketcher = sketcher
        self.inspector = inspector

    @classmethod
    def status(cls) -> BackendStatus:
        """Whether this backend can run here, and why not; cheap (no model load)."""
        return BackendStatus(name=cls.name, state="ready")

    def settings(self) -> dict[str, Any]:
        """JSON-serialisable settings, stored with each session so it can be re-run."""
        return {}

    def check_ready(self) -> None:
        """Raise BackendError, before any work, when this backend cannot run at all (e.g. its
        weights are missing). Cheap: no model is loaded."""

    # The loop's five calls, each answered by the role that owns it.
    def extract_graph(self, prompt: str) -> SceneGraph:
        return self.planner.extract_graph(prompt)

    def plan(self, request: PlanRequest) -> PlanStep | None:
        return self.planner.plan(request)

    def sketch(self, request: SketchRequest, hooks: StageHooks | None = None) -> Image.Image:
        return self.sketcher.sketch(request, hooks)

    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image:
        return self.sketcher.refine(request, hooks)

    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict:
        return self.inspector.inspect(request, hooks)

    def close(self) -> None:
        """Release models and memory (each role once, however many roles it fills)."""
        seen: set[int] = set()
        for role in (self.planner, self.sketcher, self.inspector):
            if id(role) not in seen:
                seen.add(id(role))
                role.close()


class SingleModelBackend(Planner, Sketcher, Inspector, Backend):
    """A backend whose one object fills every role (a remote client, a test double).

    The role bases come first, so each of the five role methods must be implemented here
    (none falls back to the `Backend` delegation) and `close` is the role's own."""

    def __init__(self) -> None:
        Backend.__init__(self, planner=self, sketcher=self, inspector=self)
