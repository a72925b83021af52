"""The one interface every backend implements: scene-graph extraction, plan, sketch,
inspect and refine. The loop engine talks to nothing else, so it knows no model."""

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


@dataclass
class SketchRequest:
    prompt: str
    graph: SceneGraph
    step: PlanStep
    target: SceneGraph  # everything that must be visible after this step
    canvas: Image.Image | None  # the accepted image before this step (None at step 0)
    seed: int


@dataclass
class InspectRequest:
    prompt: str
    graph: SceneGraph
    target: SceneGraph  # what the image must show
    image: Image.Image
    seed: int
    step: PlanStep | None = None  # None for the final whole-prompt inspection


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


@dataclass
class StageHooks:
    progress: ProgressFn | None = None
    cancel: CancelToken | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Backend(ABC):
    """A generator/inspector pair driven by the loop engine."""

    name: str = "backend"

    @classmethod
    def status(cls) -> BackendStatus:
        """Whether this backend can run here, and why not; cheap (no model load)."""
        return BackendStatus(name=cls.name, state="ready")

    def settings(self) -> dict[str, Any]:
        """JSON-serialisable settings, stored with each session so it can be re-run."""
        return {}

    @abstractmethod
    def extract_graph(self, prompt: str) -> SceneGraph: ...

    @abstractmethod
    def plan(self, request: PlanRequest) -> PlanStep | None:
        """The next step, or None when the graph is fully realised."""

    @abstractmethod
    def sketch(self, request: SketchRequest, hooks: StageHooks | None = None) -> Image.Image: ...

    @abstractmethod
    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict: ...

    @abstractmethod
    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image: ...

    def close(self) -> None:
        """Release models and memory."""
