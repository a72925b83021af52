"""The staged loop: PLAN -> SKETCH -> INSPECT -> (REFINE -> INSPECT)* per step, then a final
whole-prompt inspection. The engine knows only the Backend interface and a Controller; it
emits typed events and keeps no other record, so the CLI, the store and the UI all consume
the same stream."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from PIL import Image

from stagestudio.backends.base import (
    Backend,
    BackendUnavailable,
    CancelToken,
    Cancelled,
    InspectRequest,
    PlanRequest,
    RefineRequest,
    SketchRequest,
    StageHooks,
)
from stagestudio.inspector.verdict import Verdict
from stagestudio.loop.control import (
    AutoController,
    Controller,
    Correct,
    EditPlan,
    OverrideVerdict,
    Proceed,
    Resketch,
    Review,
    Skip,
    Stop,
)
from stagestudio.loop.events import (
    ErrorEvent,
    Event,
    FinalVerdict,
    Intervention,
    RefinementPlanned,
    SessionDone,
    SessionStarted,
    SketchReady,
    StepCompleted,
    StepPlanned,
    VerdictReady,
)
from stagestudio.loop.seeds import stage_seed
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep

T = TypeVar("T")

DEFAULT_MAX_REFINES = 2
DEFAULT_MAX_STEPS = 8
GENERIC_CORRECTION = "Redraw this step so that it matches the instruction and the scene description exactly."


@dataclass(frozen=True)
class RunConfig:
    seed: int = 0
    max_refines: int = DEFAULT_MAX_REFINES
    max_steps: int = DEFAULT_MAX_STEPS

    def __post_init__(self) -> None:
        if self.max_refines < 0:
            raise ValueError("max_refines must be >= 0")
        if not 1 <= self.max_steps <= 32:
            raise ValueError("max_steps must be between 1 and 32")


@dataclass
class CompletedStep:
    """A finished step, as a later branch or a resumed run needs it."""

    step: PlanStep
    outcome: str  # passed | failed | overridden | skipped
    image: Image.Image | None  # the canvas after this step (None when skipped)


@dataclass
class Progress:
    """Where the loop is, for progress bars. `denoise_*` are set during model sampling."""

    stage: str
    step_index: int
    steps_hint: int
    attempt: int = 0
    denoise_step: int | None = None
    denoise_total: int | None = None


@dataclass
class _RunState:
    session_id: str
    graph: SceneGraph
    config: RunConfig
    seq: int
    done: list[PlanStep] = field(default_factory=list)
    realised: list[str] = field(default_factory=list)
    canvas: Image.Image | None = None


class _StopRun(Exception):
    def __init__(self, status: str) -> None:
        self.status = status


class LoopEngine:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def prepare(self, prompt: str) -> SceneGraph:
        """The prompt's scene graph (raises the backend's prompt error on bad input)."""
        return self.backend.extract_graph(prompt)

    def run(
        self,
        prompt: str,
        *,
        graph: SceneGraph | None = None,
        config: RunConfig | None = None,
        controller: Controller | None = None,
        cancel: CancelToken | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        session_id: str | None = None,
        history: list[CompletedStep] | None = None,
        parent_session_id: str | None = None,
        branch_step: int | None = None,
        announce: bool = True,
        start_seq: int = 0,
    ) -> Iterator[Event]:
        """Run one session, yielding every event in order.

        `history` continues from earlier completed steps: a rewind/fork (a new session with
        `parent_session_id`/`branch_step`) or a resume (the same `session_id`,
        `announce=False` and `start_seq` after the last stored event).
        """
        config = config or RunConfig()
        controller = controller or AutoController()
        cancel = cancel or CancelToken()
        if graph is None:
            graph = self.prepare(prompt)
        graph.validate_graph()
        state = _RunState(session_id=session_id or uuid.uuid4().hex[:12], graph=graph, config=config, seq=start_seq)
        for past in history or []:
            state.done.append(past.step)
            if past.outcome != "skipped":
                state.realised.extend(i for i in past.step.object_ids if i not in state.realised)
            if past.image is not None:
                state.canvas = past.image

        def emit(event_cls: type[T], **fields) -> T:
            event = event_cls(session_id=state.session_id, seq=state.seq, **fields)
            state.seq += 1
            return event

        def progress(stage: str, index: int, attempt: int = 0) -> None:
            if on_progress is not None:
                on_progress(Progress(stage, index, self._steps_hint(state), attempt))

        if announce:
            yield emit(
                SessionStarted,
                prompt=prompt,
                graph=graph,
                seed=config.seed,
                backend=self.backend.name,
                settings=self.backend.settings(),
                max_refines=config.max_refines,
                max_steps=config.max_steps,
                parent_session_id=parent_session_id,
                branch_step=branch_step,
            )

        status = "completed"
        try:
            while len(state.done) < config.max_steps:
                cancel.raise_if_cancelled()
                index = len(state.done)
                progress("plan", index)
                seed = stage_seed(config.seed, index, 0, "plan")
                started = time.perf_counter()
                step = self._call(
                    "plan",
                    index,
                    lambda: self.backend.plan(
                        PlanRequest(
                            prompt=prompt,
                            graph=graph,
                            done=list(state.done),
                            realised_ids=list(state.realised),
                            canvas=state.canvas,
                            seed=seed,
                            max_steps=config.max_steps,
                            session_id=state.session_id,
                        )
                    ),
                )
                if step is None:
                    break
                step = step.model_copy(update={"index": index})
                yield emit(StepPlanned, step=step, seed=seed, duration_s=time.perf_counter() - started)
                yield from self._run_step(state, prompt, step, controller, cancel, emit, progress, on_progress)
            cancel.raise_if_cancelled()
        except _StopRun as stop:
            status = stop.status
        except Cancelled:
            status = "cancelled"
        except _StageFailed as failure:
            yield emit(ErrorEvent, stage=failure.stage, message=failure.message, step_index=failure.step_index,
                       recoverable=failure.resumable)
            status = failure.status

        passed: bool | None = None
        if status == "completed":
            if state.canvas is None:
                passed = False
            else:
                try:
                    final = yield from self._final_inspection(state, prompt, emit, progress)
                    passed = final.passed
                except _StageFailed as failure:
                    yield emit(ErrorEvent, stage=failure.stage, message=failure.message, step_index=None,
                               recoverable=failure.resumable)
                    status = failure.status
                except Cancelled:
                    status = "cancelled"
        yield emit(SessionDone, status=status, passed=passed, steps=len(state.done))

    # --- one step -----------------------------------------------------------------------
    def _run_step(self, state, prompt, step, controller, cancel, emit, progress, on_progress) -> Iterator[Event]:
        config = state.config
        index = step.index
        decision = controller.review_plan(Review(state.session_id, step, self._steps_hint(state)))
        if isinstance(decision, Proceed) and decision.by_person:
            yield emit(Intervention, kind="accept", step_index=index)
        if isinstance(decision, EditPlan):
            edited = _edited_step(step, decision)
            yield emit(Intervention, kind="edit", step_index=index, **_edit_change(step, edited))
            step = edited
        elif isinstance(decision, Skip):
            yield emit(Intervention, kind="skip", step_index=index)
            yield emit(StepCompleted, step_index=index, outcome="skipped", accepted_attempt=None)
            state.done.append(step)
            return
        elif isinstance(decision, Stop):
            yield emit(Intervention, kind="stop", step_index=index)
            raise _StopRun("stopped")

        target = step.target_graph(state.graph, state.realised)
        hooks = self._hooks(cancel, on_progress, "sketch", index, state)
        attempt = 0
        cancel.raise_if_cancelled()
        progress("sketch", index, attempt)
        image, sketch_event = yield from self._sketch(state, prompt, step, target, attempt, hooks, emit)
        outcome = "failed"
        while True:
            cancel.raise_if_cancelled()
            progress("inspect", index, attempt)
            verdict = yield from self._inspect(state, prompt, step, target, image, attempt, emit)
            attempts_left = config.max_refines - attempt
            decision = controller.review_verdict(
                Review(state.session_id, step, self._steps_hint(state), attempt, verdict, attempts_left)
            )
            correction: str | None = None
            if isinstance(decision, Proceed) and decision.by_person:
                yield emit(Intervention, kind="accept", step_index=index, attempt=attempt,
                           before={"passed": verdict.passed})
            if isinstance(decision, (Proceed, OverrideVerdict)):
                passed = verdict.passed
                if isinstance(decision, OverrideVerdict):
                    yield emit(
                        Intervention,
                        kind="override",
                        step_index=index,
                        attempt=attempt,
                        before={"passed": verdict.passed},
                        after={"passed": decision.passed, "reason": decision.reason},
                    )
                    passed = decision.passed
                if passed:
                    outcome = "overridden" if isinstance(decision, OverrideVerdict) else "passed"
                    break
                if verdict.unsure and not isinstance(decision, OverrideVerdict):
                    outcome = "unsure"
                    break
                if attempts_left <= 0:
                    outcome = "failed"
                    break
                correction = verdict.correction or GENERIC_CORRECTION
            elif isinstance(decision, Correct):
                # A person's explicit correction is honoured even past max_refines.
                yield emit(
                    Intervention,
                    kind="correct",
                    step_index=index,
                    attempt=attempt,
                    before={"correction": verdict.correction},
                    after={"correction": decision.correction},
                )
                correction = decision.correction
            elif isinstance(decision, Resketch):
                edited = _edited_step(step, decision)
                yield emit(Intervention, kind="resketch", step_index=index, attempt=attempt, **_edit_change(step, edited))
                step = edited
                attempt += 1
                progress("sketch", index, attempt)
                image, sketch_event = yield from self._sketch(state, prompt, step, target, attempt, hooks, emit)
                continue
            elif isinstance(decision, Skip):
                yield emit(Intervention, kind="skip", step_index=index, attempt=attempt)
                yield emit(StepCompleted, step_index=index, outcome="skipped", accepted_attempt=None)
                state.done.append(step)
                return
            elif isinstance(decision, Stop):
                yield emit(Intervention, kind="stop", step_index=index, attempt=attempt)
                raise _StopRun("stopped")

            # Refine with `correction`.
            attempt += 1
            yield emit(RefinementPlanned, step_index=index, attempt=attempt, correction=correction)
            cancel.raise_if_cancelled()
            progress("refine", index, attempt)
            seed = stage_seed(config.seed, index, attempt, "refine")
            refine_hooks = self._hooks(cancel, on_progress, "refine", index, state, attempt)
            started = time.perf_counter()
            failed_image = image
            image = self._call(
                "refine",
                index,
                lambda: self.backend.refine(
                    RefineRequest(
                        prompt=prompt,
                        graph=state.graph,
                        step=step,
                        target=target,
                        canvas=state.canvas,
                        image=failed_image,
                        verdict=verdict,
                        correction=correction,
                        seed=seed,
                        attempt=attempt,
                        session_id=state.session_id,
                    ),
                    refine_hooks,
                ),
            )
            yield emit(
                SketchReady,
                step_index=index,
                attempt=attempt,
                stage="refine",
                instruction=correction,
                seed=seed,
                duration_s=time.perf_counter() - started,
                image=image,
            )

        yield emit(StepCompleted, step_index=index, outcome=outcome, accepted_attempt=attempt)
        state.done.append(step)
        state.canvas = image
        state.realised.extend(i for i in step.object_ids if i not in state.realised)

    def _sketch(self, state, prompt, step, target, attempt, hooks, emit):
        seed = stage_seed(state.config.seed, step.index, attempt, "sketch")
        started = time.perf_counter()
        image = self._call(
            "sketch",
            step.index,
            lambda: self.backend.sketch(
                SketchRequest(prompt=prompt, graph=state.graph, step=step, target=target, canvas=state.canvas, seed=seed,
                              session_id=state.session_id),
                hooks,
            ),
        )
        event = emit(
            SketchReady,
            step_index=step.index,
            attempt=attempt,
            stage="sketch",
            instruction=step.instruction,
            seed=seed,
            duration_s=time.perf_counter() - started,
            image=image,
        )
        yield event
        return image, event

    def _inspect(self, state, prompt, step, target, image, attempt, emit):
        seed = stage_seed(state.config.seed, step.index, attempt, "inspect")
        started = time.perf_counter()
        verdict: Verdict = self._call(
            "inspect",
            step.index,
            lambda: self.backend.inspect(
                InspectRequest(prompt=prompt, graph=state.graph, target=target, image=image, seed=seed, step=step,
                               session_id=state.session_id)
            ),
        )
        yield emit(
            VerdictReady,
            step_index=step.index,
            attempt=attempt,
            verdict=verdict,
            seed=seed,
            duration_s=time.perf_counter() - started,
        )
        return verdict

    def _final_inspection(self, state, prompt, emit, progress):
        index = len(state.done)
        progress("final", index)
        seed = stage_seed(state.config.seed, index, 0, "final")
        started = time.perf_counter()
        verdict: Verdict = self._call(
            "final",
            None,
            lambda: self.backend.inspect(
                InspectRequest(prompt=prompt, graph=state.graph, target=state.graph, image=state.canvas, seed=seed,
                               session_id=state.session_id)
            ),
        )
        yield emit(FinalVerdict, verdict=verdict, seed=seed, duration_s=time.perf_counter() - started)
        return verdict

    # --- helpers ------------------------------------------------------------------------
    @staticmethod
    def _steps_hint(state: _RunState) -> int:
        """Best guess of the total number of steps, for progress display."""
        placed = {i for s in state.done for i in s.object_ids}
        remaining = len([o for o in state.graph.objects if o.id not in placed])
        return max(1, min(state.config.max_steps, len(state.done) + remaining))

    @staticmethod
    def _hooks(cancel, on_progress, stage, index, state, attempt: int = 0) -> StageHooks:
        def report(done: int, total: int) -> None:
            if on_progress is not None:
                on_progress(
                    Progress(stage, index, LoopEngine._steps_hint(state), attempt, denoise_step=done, denoise_total=total)
                )

        return StageHooks(progress=report, cancel=cancel)

    @staticmethod
    def _call(stage: str, step_index: int | None, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except (Cancelled, _StopRun):
            raise
        except MemoryError as exc:
            raise _StageFailed(stage, step_index, f"out of memory during {stage}: {exc}") from exc
        except BackendUnavailable as exc:  # the server went away: resumable, not the session's fault
            raise _StageFailed(stage, step_index, f"{type(exc).__name__}: {exc}", resumable=True) from exc
        except Exception as exc:  # the backend's own message is what the user needs to see
            raise _StageFailed(stage, step_index, f"{type(exc).__name__}: {exc}") from exc


def _edited_step(step: PlanStep, decision: EditPlan | Resketch) -> PlanStep:
    """`step` with a person's instruction (and description, when given)."""
    description = decision.description if decision.description is not None else step.description
    return step.model_copy(update={"instruction": decision.instruction, "description": description, "source": "user"})


def _edit_change(before: PlanStep, after: PlanStep) -> dict:
    """The before/after values an edit intervention records."""
    return {
        "before": {"instruction": before.instruction, "description": before.description},
        "after": {"instruction": after.instruction, "description": after.description},
    }


class _StageFailed(Exception):
    def __init__(self, stage: str, step_index: int | None, message: str, resumable: bool = False) -> None:
        super().__init__(message)
        self.stage = stage
        self.step_index = step_index
        self.message = message
        self.resumable = resumable

    @property
    def status(self) -> str:
        """How the session ends: interrupted (resume it later) or failed."""
        return "interrupted" if self.resumable else "failed"
