"""StudioSession: one studio workspace — the run it shows, the engine in a background thread, an
InteractiveController the person steers, every event recorded (in memory and in the store), the
scene graph and its tables as edited, and the current progress.

Browser tabs attach to a workspace and draw it; they never own it. A run keeps going (or keeps
waiting for a decision) while no tab is open, and a reloaded tab finds it again. Every change
bumps `version` and wakes the subscribed tabs, so a tab redraws when, and only when, something
happened."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from stagestudio.loop.control import (
    Correct,
    EditPlan,
    InteractiveController,
    OverrideVerdict,
    PlanDecision,
    Proceed,
    Resketch,
    Review,
    Skip,
    Stop,
    VerdictDecision,
)
from stagestudio.loop.engine import CompletedStep, LoopEngine, Progress, RunConfig
from stagestudio.loop.events import Event
from stagestudio.loop.seeds import RANDOM_SEED, resolve_seed
from stagestudio.scene.graph import SceneGraph, SceneGraphError
from stagestudio.scene.plan import PlanStep
from stagestudio.ui.backend_pool import BackendPool, SerializedBackend
from stagestudio.ui.backend_settings import SettingsError, validate_settings
from stagestudio.ui.graph_edits import first_changed_step
from stagestudio.ui.graph_view import graph_to_tables
from stagestudio.ui.timeline import StepView, TimelineView, build_timeline

# Where a message belongs on the page: "run" (next to Run), "graph" (the graph editor), "steer"
# (the decision buttons) or "main" (the results).
MessageArea = str
# A prompt's markup never reaches the parser: "<script>" must not become an object "script".
_MARKUP = re.compile(r"<[^<>]*>|[<>]")


class StudioError(Exception):
    """Something the person asked for cannot be done now; the message says why and what to do."""

    def __init__(self, message: str, area: MessageArea = "main") -> None:
        super().__init__(message)
        self.area = area


@dataclass(frozen=True)
class RunRequest:
    prompt: str
    backend: str
    # As typed (an int, or the seed box's text): -1 draws a random seed when the run starts;
    # resolve_seed says what anything else means.
    seed: int | str | None = 0
    max_refines: int = 2
    step_mode: bool = False
    max_steps: int = 8
    # Constructor settings of the backend (e.g. {"error_rate": 0.0}); missing ones keep their defaults.
    backend_settings: dict[str, Any] = field(default_factory=dict)


def strip_markup(prompt: str) -> str:
    """The prompt without HTML-like markup (tags and stray angle brackets), spaces tidied."""
    return " ".join(_MARKUP.sub(" ", prompt).split())


def history_from_events(events: Iterable[Event], branch_step: int) -> list[CompletedStep]:
    """The completed steps before `branch_step`, as the engine needs them to continue a
    branch: the step as finally run (edits applied) and the image it left on the canvas."""
    steps: dict[int, PlanStep] = {}
    images: dict[tuple[int, int], Image.Image | None] = {}
    done: list[CompletedStep] = []
    for event in events:
        if event.type == "step_planned":
            steps[event.step.index] = event.step
        elif event.type == "intervention" and event.kind in ("edit", "resketch") and event.step_index in steps:
            s = steps[event.step_index]
            steps[event.step_index] = s.model_copy(
                update={
                    "instruction": event.after.get("instruction", s.instruction),
                    "description": event.after.get("description", s.description),
                    "source": "user",
                }
            )
        elif event.type == "sketch_ready":
            images[(event.step_index, event.attempt)] = event.image
        elif event.type == "step_completed" and event.step_index < branch_step:
            image = None
            if event.accepted_attempt is not None:
                image = images.get((event.step_index, event.accepted_attempt))
                if image is None:
                    raise StudioError(f"the image of step {event.step_index + 1} is not available, so it cannot be branched")
            done.append(CompletedStep(step=steps[event.step_index], outcome=event.outcome, image=image))
    if len(done) < branch_step:
        raise StudioError(f"only {len(done)} step(s) were completed; cannot branch at step {branch_step + 1}")
    return done


class StudioSession:
    """Thread-safe state of one workspace. `version` bumps on every change and every
    subscriber is called, so an attached tab redraws only when something happened."""

    def __init__(self, backends: BackendPool, store: Any = None,
                 on_run_end: Callable[[StudioSession], None] | None = None) -> None:
        self.id = uuid.uuid4().hex[:12]  # the workspace (not a stored session)
        self._on_run_end = on_run_end  # e.g. the recent-results strip takes the final picture
        self.backends = backends
        self.store = store
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._active = False  # a run is going (set before its thread starts, cleared as it ends)
        self.controller: InteractiveController | None = None
        self._decided: int | None = None  # the review point a decision was already given for
        self.events: list[Event] = []
        self.progress: Progress | None = None
        self.message: str | None = None  # the latest error/notice for the person
        self.message_area: MessageArea = "main"
        self.message_is_note = False  # a neutral note ("Graph saved") rather than an error
        self.request: RunRequest | None = None
        self.run_seed: int | None = None  # the seed the shown run uses (drawn when -1 was asked)
        self.seed_drawn = False
        self.seed_note: str | None = None  # how the seed was obtained when not as typed
        self.graph: SceneGraph | None = None  # the graph the next run uses (parsed or edited)
        self.graph_prompt: str | None = None  # the prompt `graph` was parsed from
        # The tables as the person edits them: rows for the objects and relations tables.
        self.tables: tuple[list[list[Any]], list[list[Any]]] = ([], [])
        self.tables_version = 0
        self.version = 0
        self._paused = False
        self.loaded_token = 0  # bumps when the form should show this workspace's request again
        self.selected_step: int | str | None = None  # a step index, "final", or None (follow the run)
        self.selected_rows: dict[str, int | None] = {}  # table -> the row the person clicked last
        # Steps a branch inherits from its parent (shown before its own steps).
        self.inherited: list[StepView] = []
        self.started_at: float | None = None
        self.first_step_at: float | None = None
        self.forgotten = False  # the shown run was stopped before any sketch and not stored
        self.last_used = time.monotonic()
        self._subscribers: set[Callable[[], None]] = set()

    # --- state -------------------------------------------------------------------------
    def _touch(self) -> None:
        with self._lock:
            self.version += 1
            self.last_used = time.monotonic()
            subscribers = list(self._subscribers)
        for wake in subscribers:
            wake()

    def subscribe(self, wake: Callable[[], None]) -> None:
        """Call `wake()` (from any thread, must not block) after every change."""
        with self._lock:
            self._subscribers.add(wake)
            self.last_used = time.monotonic()

    def unsubscribe(self, wake: Callable[[], None]) -> None:
        with self._lock:
            self._subscribers.discard(wake)
            self.last_used = time.monotonic()

    @property
    def lock(self) -> threading.RLock:
        """Hold it to read several fields as of one moment (a screen is drawn that way)."""
        return self._lock

    @property
    def running(self) -> bool:
        return self._active

    @property
    def session_id(self) -> str | None:
        started = self._started()
        return started.session_id if started is not None else None

    def _started(self) -> Any:
        """The (last) SessionStarted shown: a loaded fork starts with its ancestors' history."""
        with self._lock:
            for event in reversed(self.events):
                if event.type == "session_started":
                    return event
        return None

    @property
    def waiting(self) -> tuple[str, Review] | None:
        ctl = self.controller
        return ctl.waiting if ctl is not None and self._active else None

    @property
    def review_token(self) -> str:
        """Names the review point the run waits at ('' when none): a decision button sends the
        token it was drawn with, so a click never lands on a later review point."""
        ctl = self.controller
        number = ctl.waiting_number if ctl is not None and self._active else None
        return "" if number is None else f"{self.id}:{number}"

    @property
    def paused(self) -> bool:
        """An auto-mode run the person paused (it now holds at every review point)."""
        return self._paused and self._active

    def snapshot_events(self) -> list[Event]:
        with self._lock:
            return list(self.events)

    def timeline(self) -> TimelineView:
        with self._lock:
            events, inherited = list(self.events), list(self.inherited)
        view = build_timeline(events)
        if inherited:
            kept = [s for s in inherited if view.branch_step is None or s.index < view.branch_step]
            for s in kept:
                s.inherited = True
            view.steps = kept + view.steps
        return view

    def select(self, step: int | str | None) -> None:
        with self._lock:
            self.selected_step = step
        self._touch()

    def set_message(self, message: str | None, area: MessageArea = "main", note: bool = False) -> None:
        with self._lock:
            self.message = message
            self.message_area = area
            self.message_is_note = note
        self._touch()

    # --- scene graph -------------------------------------------------------------------
    def parse(self, prompt: str, backend_name: str, settings: dict[str, Any] | None = None) -> SceneGraph:
        """Parse `prompt` with the backend's extractor; PromptError etc. become StudioError."""
        cleaned = self._clean_prompt(prompt)
        backend = self._backend(backend_name, settings)
        try:
            graph = backend.extract_graph(cleaned)
        except Exception as exc:  # PromptError / SceneGraphError carry the actionable message
            raise StudioError(f"Could not read the prompt: {exc}", "run") from exc
        self._set_graph(graph, cleaned)
        return graph

    @staticmethod
    def _clean_prompt(prompt: str | None) -> str:
        cleaned = strip_markup(prompt or "")
        if not cleaned:
            raise StudioError('The prompt is empty — describe a scene, e.g. "a brown bear above a silver spoon".',
                              "run")
        return cleaned

    def _set_graph(self, graph: SceneGraph, prompt: str) -> None:
        with self._lock:
            self.graph = graph
            self.graph_prompt = prompt
            self.tables = graph_to_tables(graph)
            self.tables_version += 1
        self._touch()

    def set_graph(self, graph: SceneGraph, prompt: str) -> None:
        graph.validate_graph()
        self._set_graph(graph, prompt.strip())

    def set_tables(self, objects: list[list[Any]], relations: list[list[Any]]) -> None:
        """The tables as the person edited them (a row added or removed); sent back to every tab."""
        with self._lock:
            self.tables = ([list(r) for r in objects], [list(r) for r in relations])
            self.tables_version += 1
        self._touch()

    def apply_graph(self, graph: SceneGraph, prompt: str, step_mode: bool | None = None) -> str:
        """Re-plan with an edited graph, and say what happened. With no run shown, the graph is
        what the next Run plans from. Otherwise a new branch starts at the first step the edit
        changes (earlier steps are kept); a running run is stopped first."""
        try:
            graph = graph.model_copy(update={"source": "user"}).validate_graph()
        except (ValueError, SceneGraphError) as exc:
            raise StudioError(f"The scene graph is not valid: {exc}", "graph") from exc
        if self.session_id is None:
            self.set_graph(graph, prompt or self.graph_prompt or "")
            self.set_message("Graph saved: press Run to plan a run from it.", "graph", note=True)
            return "saved"
        started = self._started()
        if not self.running and (graph.objects, graph.relations) == (started.graph.objects, started.graph.relations):
            raise StudioError("The tables hold the run's own graph: edit a cell, or add or remove a row, "
                              "then Apply re-plans.", "graph")
        if self.running:
            self.controller.cancel.cancel()
            if not self.wait(15):
                raise StudioError("The run did not stop in time; try again in a moment.", "graph")
        view = self.timeline()
        done = [s for s in view.steps if s.outcome is not None]
        branch = first_changed_step(started.graph, graph, [s.object_ids for s in done])
        sketched = any(e.type == "sketch_ready" for e in self.snapshot_events())
        if branch == 0 and not sketched:
            # Nothing was drawn yet, so there is nothing to branch from: plan afresh.
            base = self.request or RunRequest(prompt=started.prompt, backend=started.backend, seed=started.seed)
            request = RunRequest(prompt=started.prompt, backend=base.backend, seed=started.seed,
                                 max_refines=started.max_refines, max_steps=started.max_steps,
                                 step_mode=base.step_mode if step_mode is None else step_mode,
                                 backend_settings=dict(started.settings))
            self.start(request, graph=graph)
            return "restarted"
        self.rewind(branch, graph=graph, step_mode=step_mode)
        return "branched"

    def _backend(self, name: str, settings: dict[str, Any] | None = None) -> SerializedBackend:
        try:
            settings = validate_settings(name, settings)
        except SettingsError as exc:
            raise StudioError(f"Backend settings: {exc}.", "run") from exc
        status = self.backends.status(name, settings)
        if status is not None and not status.ready:
            detail = f" — {status.detail}" if status.detail else ""
            raise StudioError(f"The {name} backend is not available here ({status.state}{detail}). "
                              "Pick another backend, or fix that first.", "run")
        try:
            return self.backends.get(name, settings)
        except Exception as exc:
            raise StudioError(f"The {name} backend could not start: {type(exc).__name__}: {exc}", "run") from exc

    # --- running -----------------------------------------------------------------------
    def start(
        self,
        request: RunRequest,
        *,
        graph: SceneGraph | None = None,
        history: list[CompletedStep] | None = None,
        parent_session_id: str | None = None,
        branch_step: int | None = None,
    ) -> None:
        """Start a run in the background. Raises StudioError for anything the person must fix
        first (empty/bad prompt, bad seed, unavailable backend, a run already going)."""
        if self.running:
            raise StudioError("A run is already going — stop it first (or wait for it to finish).", "run")
        try:
            resolved = resolve_seed(request.seed)
        except ValueError as exc:
            raise StudioError(f"Seed: {exc}.", "run") from exc
        seed = resolved.seed
        try:
            config = RunConfig(seed=seed, max_refines=int(request.max_refines), max_steps=request.max_steps)
        except ValueError as exc:
            raise StudioError(f"Invalid setting: {exc}", "run") from exc
        prompt = self._clean_prompt(request.prompt)
        if graph is None:
            with self._lock:
                reuse = self.graph if self.graph is not None and self.graph_prompt == prompt else None
            graph = reuse if reuse is not None else self.parse(prompt, request.backend, request.backend_settings)
        try:
            graph.validate_graph()
        except ValueError as exc:
            raise StudioError(f"The scene graph is not valid: {exc}", "graph") from exc
        backend = self._backend(request.backend, request.backend_settings)
        controller = InteractiveController(step_mode=request.step_mode, poll_s=0.05, on_change=self._touch)
        engine = LoopEngine(backend)
        events = engine.run(
            prompt,
            graph=graph,
            config=config,
            controller=controller,
            cancel=controller.cancel,
            on_progress=self._on_progress,
            history=history,
            parent_session_id=parent_session_id,
            branch_step=branch_step,
        )
        with self._lock:
            self.controller = controller
            self._decided = None
            self._paused = False
            self.events = []
            self.inherited = []
            self.progress = None
            self.message = None
            self.request = request
            self.run_seed = seed
            self.seed_drawn = resolved.requested == RANDOM_SEED
            self.seed_note = resolved.note
            self.selected_step = None
            if graph is not self.graph:
                self.tables = graph_to_tables(graph)
                self.tables_version += 1
            self.graph = graph
            self.graph_prompt = prompt
            self.started_at = time.perf_counter()
            self.first_step_at = None
            self.forgotten = False
            self._active = True
        self._touch()
        backend.acquire()  # a settings change elsewhere must not close it under this run
        self._thread = threading.Thread(target=self._drive, args=(events, backend), name="stagestudio-engine",
                                        daemon=True)
        self._thread.start()

    def _recorded(self, events: Iterator[Event]) -> Iterator[Event]:
        if self.store is None:
            return events
        from stagestudio.store import SessionRecorder

        return SessionRecorder(self.store).record(events)

    def _drive(self, events: Iterator[Event], backend: SerializedBackend | None = None) -> None:
        try:
            for event in self._recorded(events):
                with self._lock:
                    self.events.append(event)
                    if event.type == "sketch_ready" and self.first_step_at is None:
                        self.first_step_at = time.perf_counter()
                    if event.type == "error":
                        self.message = f"The {event.stage} stage failed: {event.message}. Everything before it is kept."
                        self.message_area, self.message_is_note = "main", False
                self._touch()
        except Exception as exc:  # e.g. the database is locked: keep what we have and say so
            with self._lock:
                self.message = (
                    f"The run stopped: {type(exc).__name__}: {exc}. "
                    f"The {len(self.events)} event(s) so far are kept on screen."
                )
                self.message_area, self.message_is_note = "main", False
        finally:
            events.close() if hasattr(events, "close") else None
            if backend is not None:
                backend.release()
            self._forget_if_empty()
            if self._on_run_end is not None:
                try:
                    self._on_run_end(self)
                except Exception:  # a convenience must never break a run's ending
                    pass
            with self._lock:
                self.progress = None
                self._active = False
            self._touch()

    def _forget_if_empty(self) -> None:
        """A run stopped before its first sketch holds nothing worth a row in the Sessions
        list (which otherwise fills with 'cancelled, 0 steps'): remove it from the store."""
        events = self.snapshot_events()
        done = next((e for e in reversed(events) if e.type == "session_done"), None)
        sid = self.session_id
        if (self.store is None or sid is None or done is None or done.status not in ("cancelled", "stopped")
                or any(e.type == "sketch_ready" for e in events)):
            return
        try:
            if not self.store.children(sid):
                self.store.delete_session(sid)
                self.forgotten = True
        except Exception:  # keeping an empty row is harmless; never fail the run's ending over it
            pass

    def _on_progress(self, progress: Progress) -> None:
        with self._lock:
            self.progress = progress
        self._touch()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends (tests, CLI); True when it ended."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def wait_until(self, predicate: Callable[[StudioSession], bool], timeout: float = 10.0, poll_s: float = 0.01) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(poll_s)
        return predicate(self)

    # --- steering ----------------------------------------------------------------------
    def pause(self) -> None:
        """Hold an auto run at its next review point. While paused the run behaves like step
        mode (every decision button works, Accept moves one review point on) until resume()."""
        if self.controller is None or not self.running:
            raise StudioError("Nothing is running.", "run")
        if self.request is not None and self.request.step_mode:
            raise StudioError("Step mode already stops at every plan and verdict.", "run")
        self.controller.step_mode = True
        with self._lock:
            self._paused = True
            self.message = None
        self._touch()

    def resume(self) -> None:
        if self.controller is None or not self.running:
            raise StudioError("Nothing is running.", "run")
        if not self._paused:
            return
        self.controller.step_mode = False
        with self._lock:
            self._paused = False
        self._touch()
        if self.waiting is not None:
            self.controller.decide(Proceed())

    def stop(self) -> None:
        """End the run at the next safe point; what was done is kept (status 'cancelled')."""
        if self.controller is None or not self.running:
            raise StudioError("Nothing is running.", "run")
        self.controller.cancel.cancel()
        self._touch()

    def decide(self, decision: PlanDecision | VerdictDecision, token: str | None = None) -> None:
        """Hand `decision` to the waiting run. With `token` (what the page showed), a decision
        meant for an earlier review point is refused instead of landing on the current one, and
        a review point takes one decision only (a double click does not skip the next one)."""
        with self._lock:
            waiting = self.waiting
            if waiting is None:
                raise StudioError("The run is not waiting for a decision (use step mode, or Pause first).", "steer")
            current = self.review_token
            if token is not None and token != current:
                raise StudioError("That click was for an earlier review point; nothing was changed. "
                                  "The buttons now act on the one shown.", "steer")
            if self._decided == self.controller.waiting_number:
                raise StudioError("This review point already has a decision; the run is acting on it.", "steer")
            kind, _ = waiting
            if kind == "plan" and isinstance(decision, (OverrideVerdict, Correct)):
                raise StudioError("There is no verdict yet: this step has not been sketched.", "steer")
            if kind == "plan" and isinstance(decision, Resketch):
                decision = EditPlan(decision.instruction, decision.description)
            number = self._decided = self.controller.waiting_number
            self.message = None
            self.selected_step = None  # follow the run to its next stop
            controller = self.controller
            controller.decide(decision)
        self._touch()
        # Return once the engine took it (briefly): callers then see the run moving on.
        self.wait_until(lambda s: controller.waiting_number != number, timeout=2.0)

    def accept(self, token: str | None = None) -> None:
        """Go on as the run proposes: sketch the planned step; at a verdict, move on (a failed
        verdict with refinements left is refined with the inspector's correction)."""
        self.decide(Proceed(by_person=True), token)

    def edit_instruction(self, instruction: str, token: str | None = None) -> None:
        instruction = (instruction or "").strip()
        if not instruction:
            raise StudioError("The instruction is empty.", "steer")
        waiting = self.waiting
        if waiting is not None and waiting[0] == "verdict":
            self.decide(Resketch(instruction), token)
        else:
            self.decide(EditPlan(instruction), token)

    def override(self, reason: str = "", token: str | None = None) -> None:
        """Turn the verdict around: keep a failed (or unsure) picture as it is, or reject a
        passed one and refine it."""
        waiting = self.waiting
        if waiting is None or waiting[0] != "verdict" or waiting[1].verdict is None:
            raise StudioError("There is no verdict to override right now.", "steer")
        passed = waiting[1].verdict.passed
        default = "rejected in the studio" if passed else "kept in the studio"
        self.decide(OverrideVerdict(passed=not passed, reason=reason or default), token)

    def keep_picture(self, token: str | None = None) -> None:
        """Accept the sketch as it is, whatever the inspector said."""
        waiting = self.waiting
        if waiting is None or waiting[0] != "verdict" or waiting[1].verdict is None:
            raise StudioError("There is no sketch to keep right now.", "steer")
        self.decide(OverrideVerdict(passed=True, reason="kept in the studio"), token)

    def correct(self, correction: str, token: str | None = None) -> None:
        correction = (correction or "").strip()
        if not correction:
            raise StudioError("The correction is empty.", "steer")
        self.decide(Correct(correction), token)

    def skip(self, token: str | None = None) -> None:
        self.decide(Skip(), token)

    def stop_here(self, token: str | None = None) -> None:
        self.decide(Stop(), token)

    # --- branching ---------------------------------------------------------------------
    def rewind(self, branch_step: int, request: RunRequest | None = None, graph: SceneGraph | None = None,
               step_mode: bool | None = None) -> None:
        """Start a new session forked from this one: steps before `branch_step` are kept,
        the run continues from `branch_step`. Uses the store's fork history when stored."""
        if self.running:
            raise StudioError("Stop the run before rewinding.", "steer")
        events = self.snapshot_events()
        started = self._started()
        if started is None:
            raise StudioError("There is no session to rewind.", "steer")
        base = self.request or RunRequest(prompt=started.prompt, backend=started.backend, seed=started.seed)
        request = request or RunRequest(
            prompt=started.prompt,
            backend=base.backend,
            seed=started.seed,
            max_refines=started.max_refines,
            step_mode=base.step_mode if step_mode is None else step_mode,
            max_steps=started.max_steps,
            backend_settings=dict(started.settings),  # a branch runs with the parent's settings
        )
        history = self._fork_history(started.session_id, events, branch_step)
        inherited = [s for s in self.timeline().steps if s.index < branch_step]
        self.start(
            request,
            graph=graph or started.graph,
            history=history,
            parent_session_id=started.session_id,
            branch_step=branch_step,
        )
        with self._lock:
            self.inherited = inherited
        self._touch()

    def _fork_history(self, session_id: str, events: list[Event], branch_step: int) -> list[CompletedStep]:
        if self.store is not None:
            try:
                return list(self.store.fork_history(session_id, branch_step))
            except Exception as exc:
                if not events:
                    raise StudioError(f"Cannot fork: {exc}", "steer") from exc
        return history_from_events(events, branch_step)

    def load(self, events: list[Event]) -> None:
        """Show a stored session (its images already attached) as the current one."""
        if self.running:
            raise StudioError("Stop the run before opening another session.")
        first = next((e for e in reversed(events) if e.type == "session_started"), None)
        with self._lock:
            self.loaded_token += 1
            self.selected_step = None
            self.inherited = []
            self.events = list(events)
            self.controller = None
            self.progress = None
            self.message = None
            self.seed_drawn, self.seed_note = False, None
            if first is not None:
                self.request = RunRequest(prompt=first.prompt, backend=first.backend, seed=first.seed,
                                          max_refines=first.max_refines, max_steps=first.max_steps,
                                          backend_settings=dict(first.settings))
                self.run_seed = first.seed
                self.graph = first.graph
                self.graph_prompt = first.prompt
                self.tables = graph_to_tables(first.graph)
                self.tables_version += 1
        self._touch()

    def refill_form(self) -> None:
        """Show this workspace's run in the form again (prompt, seed, mode, backend, settings),
        as when a session is opened on purpose."""
        with self._lock:
            self.loaded_token += 1
        self._touch()

    def close(self) -> None:
        """Cancel a running run (the studio is shutting down, or the workspace expired)."""
        if self.controller is not None and self.running:
            self.controller.cancel.cancel()
