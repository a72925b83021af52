"""Typed events the loop engine emits, in order, for one session.

The CLI prints them, the session store commits each one as it arrives, and the UI redraws
from them. Images travel in memory (`image`, excluded from JSON); everything else is JSON.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal, Union

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep


class _Event(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    session_id: str
    seq: int = 0  # position in the session's event log, assigned by the engine
    at: float = Field(default_factory=time.time)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"image"})


class SessionStarted(_Event):
    type: Literal["session_started"] = "session_started"
    prompt: str
    graph: SceneGraph
    seed: int
    backend: str
    settings: dict[str, Any] = Field(default_factory=dict)
    max_refines: int = 2
    max_steps: int = 8
    # Set when this session continues another one from a step (rewind/fork/resume).
    parent_session_id: str | None = None
    branch_step: int | None = None


class StepPlanned(_Event):
    type: Literal["step_planned"] = "step_planned"
    step: PlanStep
    seed: int
    duration_s: float = 0.0


class Intervention(_Event):
    """A person (or controller) changed the course of the run."""

    type: Literal["intervention"] = "intervention"
    kind: Literal["accept", "edit", "override", "correct", "resketch", "skip", "stop", "rewind", "edit_graph"]
    step_index: int | None = None
    attempt: int | None = None
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)


class SketchReady(_Event):
    type: Literal["sketch_ready"] = "sketch_ready"
    step_index: int
    attempt: int  # 0 = first sketch, 1.. = refinements
    stage: Literal["sketch", "refine"]
    instruction: str
    seed: int
    duration_s: float = 0.0
    image: Image.Image | None = Field(default=None, exclude=True)
    # Content hash of the PNG, filled in by whoever stores the image.
    image_sha256: str | None = None


class VerdictReady(_Event):
    type: Literal["verdict_ready"] = "verdict_ready"
    step_index: int
    attempt: int
    verdict: Verdict
    seed: int
    duration_s: float = 0.0


class RefinementPlanned(_Event):
    type: Literal["refinement_planned"] = "refinement_planned"
    step_index: int
    attempt: int  # the attempt this correction will produce
    correction: str


class StepCompleted(_Event):
    type: Literal["step_completed"] = "step_completed"
    step_index: int
    # unsure: nothing failed but the inspector could not confirm every fact; the image is
    # kept without a refinement (a correction would rest on no evidence).
    outcome: Literal["passed", "failed", "overridden", "skipped", "unsure"]
    accepted_attempt: int | None = None  # whose image became the canvas; None when skipped


class FinalVerdict(_Event):
    type: Literal["final_verdict"] = "final_verdict"
    verdict: Verdict
    seed: int
    duration_s: float = 0.0


class SessionDone(_Event):
    type: Literal["session_done"] = "session_done"
    # interrupted: the backend's service went away mid-stage (BackendUnavailable); the
    # session can be resumed from its last completed step.
    status: Literal["completed", "stopped", "cancelled", "failed", "interrupted"]
    passed: bool | None = None
    steps: int = 0


class ErrorEvent(_Event):
    type: Literal["error"] = "error"
    stage: str
    message: str
    step_index: int | None = None
    recoverable: bool = False


Event = Annotated[
    Union[
        SessionStarted,
        StepPlanned,
        Intervention,
        SketchReady,
        VerdictReady,
        RefinementPlanned,
        StepCompleted,
        FinalVerdict,
        SessionDone,
        ErrorEvent,
    ],
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def event_from_json(data: dict[str, Any]) -> Event:
    """Rebuild an event from its JSON form (images are not included)."""
    return EVENT_ADAPTER.validate_python(data)
