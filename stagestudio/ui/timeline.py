"""The timeline view model: a session's event log folded into one card per step.

Pure data, built the same way from a live run (images in memory) and from a stored session
(images loaded by hash), so live view, replay and tests all share one fold."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from stagestudio.inspector.verdict import Verdict
from stagestudio.loop.events import Event
from stagestudio.scene.graph import SceneGraph

ImageLoader = Callable[[str], Image.Image | None]


@dataclass
class AttemptView:
    attempt: int  # 0 = first sketch, 1.. = refinements
    stage: str  # sketch | refine
    instruction: str  # the instruction (attempt 0 / re-sketch) or the correction it was refined with
    seed: int
    duration_s: float
    image: Image.Image | None = None
    verdict: Verdict | None = None
    overridden_to: bool | None = None  # set when a person overrode this attempt's verdict


@dataclass
class StepView:
    index: int
    instruction: str
    description: str
    source: str = "planner"
    object_ids: list[str] = field(default_factory=list)  # the objects this step draws
    attempts: list[AttemptView] = field(default_factory=list)
    outcome: str | None = None  # passed | failed | overridden | skipped | unsure; None while running
    accepted_attempt: int | None = None
    interventions: list[str] = field(default_factory=list)
    inherited: bool = False  # a fork's step that was done in its parent session

    @property
    def latest(self) -> AttemptView | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def shown(self) -> AttemptView | None:
        """The attempt whose image represents the step: the accepted one, else the latest."""
        if self.accepted_attempt is not None:
            for a in self.attempts:
                if a.attempt == self.accepted_attempt:
                    return a
        return self.latest

    @property
    def badge(self) -> str:
        """pass | fail | unsure | overridden | skipped | pending: what the card's badge says
        (pending: no verdict yet — the page tells working, waiting and stopped apart)."""
        if self.outcome == "passed":
            return "pass"
        if self.outcome == "failed":
            return "fail"
        if self.outcome in ("overridden", "skipped", "unsure"):
            return self.outcome
        latest = self.latest
        if latest is not None and latest.overridden_to is not None:
            return "overridden"
        if latest is not None and latest.verdict is not None:
            return latest.verdict.label
        return "pending"


@dataclass
class TimelineView:
    session_id: str | None = None
    prompt: str = ""
    graph: SceneGraph | None = None
    seed: int | None = None
    backend: str = ""
    backend_settings: dict[str, Any] = field(default_factory=dict)
    parent_session_id: str | None = None
    branch_step: int | None = None
    steps: list[StepView] = field(default_factory=list)
    final_verdict: Verdict | None = None
    status: str | None = None  # None while running
    passed: bool | None = None
    errors: list[str] = field(default_factory=list)

    def step(self, index: int) -> StepView | None:
        for s in self.steps:
            if s.index == index:
                return s
        return None

    @property
    def final_image(self) -> Image.Image | None:
        for s in reversed(self.steps):
            if s.outcome not in (None, "skipped") and s.shown is not None and s.shown.image is not None:
                return s.shown.image
        return None


def build_timeline(events: Sequence[Event], load_image: ImageLoader | None = None) -> TimelineView:
    """Fold `events` (in seq order) into a TimelineView. Sketch images come from the event
    itself or, for stored sessions, from `load_image(image_sha256)`."""
    view = TimelineView()
    current: dict[int, StepView] = {}
    for event in events:
        t = event.type
        if t == "session_started":
            view.session_id = event.session_id
            view.prompt = event.prompt
            view.graph = event.graph
            view.seed = event.seed
            view.backend = event.backend
            view.backend_settings = dict(event.settings)
            view.parent_session_id = event.parent_session_id
            view.branch_step = event.branch_step
        elif t == "step_planned":
            step = StepView(
                index=event.step.index,
                instruction=event.step.instruction,
                description=event.step.description,
                source=event.step.source,
                object_ids=list(event.step.object_ids),
            )
            current[step.index] = step
            view.steps.append(step)
        elif t == "sketch_ready":
            step = current.get(event.step_index)
            if step is None:
                continue
            image = event.image
            if image is None and event.image_sha256 and load_image is not None:
                image = load_image(event.image_sha256)
            step.attempts.append(
                AttemptView(
                    attempt=event.attempt,
                    stage=event.stage,
                    instruction=event.instruction,
                    seed=event.seed,
                    duration_s=event.duration_s,
                    image=image,
                )
            )
        elif t == "verdict_ready":
            step = current.get(event.step_index)
            if step is not None and step.latest is not None:
                step.latest.verdict = event.verdict
        elif t == "intervention":
            step = current.get(event.step_index) if event.step_index is not None else None
            if step is None:
                continue
            step.interventions.append(event.kind)
            if event.kind == "edit":
                step.instruction = event.after.get("instruction", step.instruction)
                step.description = event.after.get("description", step.description)
                step.source = "user"
            elif event.kind == "resketch":
                step.instruction = event.after.get("instruction", step.instruction)
                step.description = event.after.get("description", step.description)
                step.source = "user"
            elif event.kind == "override" and step.latest is not None:
                step.latest.overridden_to = bool(event.after.get("passed"))
        elif t == "step_completed":
            step = current.get(event.step_index)
            if step is not None:
                step.outcome = event.outcome
                step.accepted_attempt = event.accepted_attempt
        elif t == "final_verdict":
            view.final_verdict = event.verdict
        elif t == "error":
            where = f" (step {event.step_index + 1})" if event.step_index is not None else ""
            view.errors.append(f"{event.stage}{where}: {event.message}")
        elif t == "session_done":
            view.status = event.status
            view.passed = event.passed
    if view.branch_step is not None:
        for step in view.steps:
            step.inherited = step.index < view.branch_step
    return view
