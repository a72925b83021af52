"""StudioSession: one browser session's run — the engine in a background thread, an
InteractiveController the UI steers, every event recorded (in memory and in the store), and
the current progress. The Gradio callbacks only call these methods and render the result."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from stagestudio.backends.base import Backend, BackendStatus, SingleModelBackend
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
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep
from stagestudio.ui.backend_settings import SettingsError, settings_key, status_for, validate_settings
from stagestudio.ui.timeline import StepView, TimelineView, build_timeline

# factory(name, **settings) -> a new backend (settings omitted for backends without a form).
BackendFactory = Callable[..., Backend]


class StudioError(Exception):
    """Something the person asked for cannot be done now; the message says why and what to do."""


@dataclass(frozen=True)
class RunRequest:
    prompt: str
    backend: str
    seed: int = 0
    max_refines: int = 2
    step_mode: bool = False
    max_steps: int = 8
    # Constructor settings of the backend (e.g. {"error_rate": 0.0}); missing ones keep their defaults.
    backend_settings: dict[str, Any] = field(default_factory=dict)


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
    """Thread-safe state of one browser session. `version` bumps on every change so a
    polling UI redraws only when something happened."""

    def __init__(self, backends: BackendPool, store: Any = None) -> None:
        self.backends = backends
        self.store = store
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self.controller: InteractiveController | None = None
        self.events: list[Event] = []
        self.progress: Progress | None = None
        self.message: str | None = None  # the latest error/notice for the person
        self.request: RunRequest | None = None
        self.graph: SceneGraph | None = None  # the graph the next run uses (parsed or edited)
        self.graph_prompt: str | None = None  # the prompt `graph` was parsed from
        self.version = 0
        self._paused = False
        self.loaded_token = 0  # bumps when a stored session is opened (the UI refills prompt/seed)
        self.selected_step: int | None = None  # the step the person opened in the timeline
        # Steps a branch inherits from its parent (shown before its own steps).
        self.inherited: list[StepView] = []
        self.started_at: float | None = None
        self.first_step_at: float | None = None

    # --- state -------------------------------------------------------------------------
    def _touch(self) -> None:
        self.version += 1

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

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
        return ctl.waiting if ctl is not None and self.running else None

    @property
    def paused(self) -> bool:
        """An auto-mode run the person paused (it now holds at every review point)."""
        return self._paused and self.running

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

    def select(self, step_index: int | None) -> None:
        with self._lock:
            self.selected_step = step_index
            self._touch()

    def set_message(self, message: str | None) -> None:
        with self._lock:
            self.message = message
            self._touch()

    # --- scene graph -------------------------------------------------------------------
    def parse(self, prompt: str, backend_name: str, settings: dict[str, Any] | None = None) -> SceneGraph:
        """Parse `prompt` with the backend's extractor; PromptError etc. become StudioError."""
        if not prompt or not prompt.strip():
            raise StudioError('The prompt is empty — describe a scene, e.g. "a brown bear above a silver spoon".')
        backend = self._backend(backend_name, settings)
        try:
            graph = backend.extract_graph(prompt.strip())
        except Exception as exc:  # PromptError / SceneGraphError carry the actionable message
            raise StudioError(f"Could not read the prompt: {exc}") from exc
        with self._lock:
            self.graph = graph
            self.graph_prompt = prompt.strip()
            self._touch()
        return graph

    def set_graph(self, graph: SceneGraph, prompt: str) -> None:
        graph.validate_graph()
        with self._lock:
            self.graph = graph
            self.graph_prompt = prompt.strip()
            self._touch()

    def apply_graph(self, graph: SceneGraph, prompt: str, step_mode: bool | None = None) -> bool:
        """Use an edited graph. Before a run it is what the next Run plans from; during a run
        the run is stopped and branched: completed steps are kept and the rest is re-planned
        on the edited graph. True when a branch was started."""
        try:
            graph.validate_graph()
        except ValueError as exc:
            raise StudioError(f"The scene graph is not valid: {exc}") from exc
        if not self.running:
            self.set_graph(graph, prompt or self.graph_prompt or "")
            self.set_message(None)
            return False
        self.controller.cancel.cancel()
        if not self.wait(15):
            raise StudioError("The run did not stop in time; try again in a moment.")
        done = sum(1 for s in self.timeline().steps if s.outcome is not None)
        self.rewind(done, graph=graph, step_mode=step_mode)
        return True

    def _backend(self, name: str, settings: dict[str, Any] | None = None) -> SerializedBackend:
        try:
            settings = validate_settings(name, settings)
        except SettingsError as exc:
            raise StudioError(f"Backend settings: {exc}.") from exc
        status = self.backends.status(name, settings)
        if status is not None and not status.ready:
            detail = f" — {status.detail}" if status.detail else ""
            raise StudioError(f"The {name} backend is not available here ({status.state}{detail}). "
                              "Pick another backend, or fix that first.")
        try:
            return self.backends.get(name, settings)
        except Exception as exc:
            raise StudioError(f"The {name} backend could not start: {type(exc).__name__}: {exc}") from exc

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
        first (empty/bad prompt, unavailable backend, a run already going)."""
        if self.running:
            raise StudioError("A run is already going — stop it first (or wait for it to finish).")
        try:
            config = RunConfig(seed=int(request.seed), max_refines=int(request.max_refines), max_steps=request.max_steps)
        except ValueError as exc:
            raise StudioError(f"Invalid setting: {exc}") from exc
        prompt = request.prompt.strip()
        if graph is None:
            with self._lock:
                reuse = self.graph if self.graph is not None and self.graph_prompt == prompt else None
            graph = reuse if reuse is not None else self.parse(prompt, request.backend, request.backend_settings)
        try:
            graph.validate_graph()
        except ValueError as exc:
            raise StudioError(f"The scene graph is not valid: {exc}") from exc
        backend = self._backend(request.backend, request.backend_settings)
        controller = InteractiveController(step_mode=request.step_mode, poll_s=0.05)
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
            self._paused = False
            self.events = []
            self.inherited = []
            self.progress = None
            self.message = None
            self.request = request
            self.graph = graph
            self.graph_prompt = prompt
            self.started_at = time.perf_counter()
            self.first_step_at = None
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
                    self._touch()
        except Exception as exc:  # e.g. the database is locked: keep what we have and say so
            with self._lock:
                self.message = (
                    f"The run stopped: {type(exc).__name__}: {exc}. "
                    f"The {len(self.events)} event(s) so far are kept on screen."
                )
                self._touch()
        finally:
            events.close() if hasattr(events, "close") else None
            if backend is not None:
                backend.release()
            with self._lock:
                self.progress = None
                self._touch()

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
            raise StudioError("Nothing is running.")
        if self.request is not None and self.request.step_mode:
            raise StudioError("Step mode already stops at every plan and verdict.")
        self.controller.step_mode = True
        with self._lock:
            self._paused = True
            self.message = None
            self._touch()

    def resume(self) -> None:
        if self.controller is None or not self.running:
            raise StudioError("Nothing is running.")
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
            raise StudioError("Nothing is running.")
        self.controller.cancel.cancel()
        self._touch()

    def decide(self, decision: PlanDecision | VerdictDecision) -> None:
        waiting = self.waiting
        if waiting is None:
            raise StudioError("The run is not waiting for a decision (use step mode, or Pause first).")
        kind, _ = waiting
        if kind == "plan" and isinstance(decision, (OverrideVerdict, Correct)):
            raise StudioError("There is no verdict yet: this step has not been sketched.")
        if kind == "plan" and isinstance(decision, Resketch):
            decision = EditPlan(decision.instruction, decision.description)
        self.controller.decide(decision)
        # Wait (briefly) until the engine took it, so the next redraw shows the effect.
        self.wait_until(lambda s: s.waiting is None or s.waiting[1] is not waiting[1], timeout=2.0)
        self._touch()

    def accept(self) -> None:
        self.decide(Proceed())

    def edit_instruction(self, instruction: str) -> None:
        instruction = (instruction or "").strip()
        if not instruction:
            raise StudioError("The instruction is empty.")
        waiting = self.waiting
        if waiting is not None and waiting[0] == "verdict":
            self.decide(Resketch(instruction))
        else:
            self.decide(EditPlan(instruction))

    def override(self, reason: str = "") -> None:
        waiting = self.waiting
        if waiting is None or waiting[0] != "verdict" or waiting[1].verdict is None:
            raise StudioError("There is no verdict to override right now.")
        self.decide(OverrideVerdict(passed=not waiting[1].verdict.passed, reason=reason or "overridden in the studio"))

    def correct(self, correction: str) -> None:
        correction = (correction or "").strip()
        if not correction:
            raise StudioError("The correction is empty.")
        self.decide(Correct(correction))

    def skip(self) -> None:
        self.decide(Skip())

    def stop_here(self) -> None:
        self.decide(Stop())

    # --- branching ---------------------------------------------------------------------
    def rewind(self, branch_step: int, request: RunRequest | None = None, graph: SceneGraph | None = None,
               step_mode: bool | None = None) -> None:
        """Start a new session forked from this one: steps before `branch_step` are kept,
        the run continues from `branch_step`. Uses the store's fork history when stored."""
        if self.running:
            raise StudioError("Stop the run before rewinding.")
        events = self.snapshot_events()
        started = self._started()
        if started is None:
            raise StudioError("There is no session to rewind.")
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
                    raise StudioError(f"Cannot fork: {exc}") from exc
        return history_from_events(events, branch_step)

    def load(self, events: list[Event]) -> None:
        """Show a stored session (its images already attached) as the current one."""
        if self.running:
            raise StudioError("Stop the run before opening another session.")
        with self._lock:
            self.loaded_token += 1
            self.selected_step = None
            self.inherited = []
            self.events = list(events)
            self.controller = None
            self.progress = None
            self.message = None
            first = next((e for e in reversed(events) if e.type == "session_started"), None)
            if first is not None:
                self.request = RunRequest(prompt=first.prompt, backend=first.backend, seed=first.seed,
                                          max_refines=first.max_refines, max_steps=first.max_steps,
                                          backend_settings=dict(first.settings))
                self.graph = first.graph
                self.graph_prompt = first.prompt
            self._touch()

    def close(self) -> None:
        if self.controller is not None and self.running:
            self.controller.cancel.cancel()
