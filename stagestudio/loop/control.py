"""Control points: where a person (or a policy) steers the loop.

Before each sketch the engine asks `review_plan`; after each verdict it asks
`review_verdict`. Decisions are small typed values, so the CLI, the UI and tests all steer
the same engine the same way.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, Union

from stagestudio.backends.base import CancelToken, Cancelled
from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.plan import PlanStep


# --- decisions before a sketch ---------------------------------------------------------
@dataclass(frozen=True)
class Proceed:
    """Go on as planned / as the inspector says. `by_person`: a person looked and accepted
    (recorded as an 'accept' intervention, which training-data export counts as a human
    decision); False when a policy or auto mode went on by itself."""

    by_person: bool = False


@dataclass(frozen=True)
class EditPlan:
    instruction: str
    description: str | None = None


@dataclass(frozen=True)
class Skip:
    """Drop this step: its objects are not drawn and the canvas stays as it was."""


@dataclass(frozen=True)
class Stop:
    """End the session here; what was done so far is kept."""


# --- decisions after a verdict -----------------------------------------------------------
@dataclass(frozen=True)
class OverrideVerdict:
    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class Correct:
    """Refine with this corrective instruction instead of the inspector's."""

    correction: str


@dataclass(frozen=True)
class Resketch:
    """Sketch the step again from scratch with an edited instruction."""

    instruction: str
    description: str | None = None


PlanDecision = Union[Proceed, EditPlan, Skip, Stop]
VerdictDecision = Union[Proceed, OverrideVerdict, Correct, Resketch, Skip, Stop]


@dataclass
class Review:
    """What a controller sees at a control point."""

    session_id: str
    step: PlanStep
    total_steps_hint: int
    attempt: int = 0
    verdict: Verdict | None = None
    attempts_left: int = 0


class Controller(Protocol):
    def review_plan(self, review: Review) -> PlanDecision: ...

    def review_verdict(self, review: Review) -> VerdictDecision: ...


class AutoController:
    """Runs to the end without asking anybody."""

    def review_plan(self, review: Review) -> PlanDecision:
        return Proceed()

    def review_verdict(self, review: Review) -> VerdictDecision:
        return Proceed()


class InteractiveController:
    """A controller a UI drives from another thread.

    In *step* mode every control point waits for `decide()`; in *auto* mode control points
    pass straight through unless `pause()` was called, in which case the engine waits at
    the next control point until `resume()` or `decide()`. `cancel` unblocks any wait.
    """

    def __init__(
        self,
        step_mode: bool = False,
        cancel: CancelToken | None = None,
        poll_s: float = 0.1,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.step_mode = step_mode
        self.cancel = cancel or CancelToken()
        self._decisions: queue.Queue[PlanDecision | VerdictDecision] = queue.Queue()
        self._paused = threading.Event()
        self._waiting_lock = threading.Lock()
        self._waiting: tuple[str, Review] | None = None
        self._poll_s = poll_s
        # Called (from the engine's thread) whenever a wait starts or ends, so a UI can redraw
        # at once instead of polling `waiting`.
        self._on_change = on_change
        # Counts the waits so far: identifies the review point a decision was meant for.
        self.review_number = 0

    # --- called by the UI ---
    def decide(self, decision: PlanDecision | VerdictDecision) -> None:
        self._decisions.put(decision)

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()
        self._decisions.put(Proceed())

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    @property
    def waiting(self) -> tuple[str, Review] | None:
        """('plan' | 'verdict', review) while the engine waits for a decision."""
        with self._waiting_lock:
            return self._waiting

    @property
    def waiting_number(self) -> int | None:
        """The number of the review point being waited at (None when not waiting)."""
        with self._waiting_lock:
            return self.review_number if self._waiting is not None else None

    # --- called by the engine ---
    def review_plan(self, review: Review) -> PlanDecision:
        decision = self._wait("plan", review)
        if isinstance(decision, (OverrideVerdict, Correct, Resketch)):
            return Proceed()  # not meaningful before a sketch
        return decision

    def review_verdict(self, review: Review) -> VerdictDecision:
        decision = self._wait("verdict", review)
        if isinstance(decision, EditPlan):
            return Resketch(decision.instruction, decision.description)
        return decision

    def _wait(self, kind: str, review: Review) -> PlanDecision | VerdictDecision:
        if not self.step_mode and not self._paused.is_set():
            # Auto mode: a decision queued ahead of time (e.g. Stop) still applies.
            try:
                return self._decisions.get_nowait()
            except queue.Empty:
                return Proceed()
        with self._waiting_lock:
            self._waiting = (kind, review)
            self.review_number += 1
        self._changed()
        try:
            while True:
                self.cancel.raise_if_cancelled()
                try:
                    decision = self._decisions.get(timeout=self._poll_s)
                except queue.Empty:
                    continue
                if isinstance(decision, Proceed) and self._paused.is_set() and not self.step_mode:
                    continue  # still paused: wait for resume()
                return decision
        finally:
            with self._waiting_lock:
                self._waiting = None
            self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


__all__ = [
    "AutoController",
    "Cancelled",
    "Controller",
    "Correct",
    "EditPlan",
    "InteractiveController",
    "OverrideVerdict",
    "PlanDecision",
    "Proceed",
    "Resketch",
    "Review",
    "Skip",
    "Stop",
    "VerdictDecision",
]
