"""The studio: a Gradio Blocks app over StudioSession (live runs) and the session store.

Callbacks stay thin: they look up the browser session's StudioSession, call one method,
and redraw. A timer redraws while the engine thread works, skipping when nothing changed."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from stagestudio.backends.base import Backend  # noqa: E402
from stagestudio.scene.graph import SceneGraphError  # noqa: E402
from stagestudio.ui import render  # noqa: E402
from stagestudio.ui.backend_settings import (  # noqa: E402
    BAGEL_PRECISIONS,
    SettingsError,
    bagel_default_model,
    form_settings,
    status_for,
    validate_settings,
)
from stagestudio.ui.graph_view import (  # noqa: E402
    OBJECT_COLUMNS,
    RELATION_COLUMNS,
    draw_graph,
    graph_to_tables,
    tables_to_graph,
)
from stagestudio.ui.session import BackendPool, RunRequest, StudioError, StudioSession  # noqa: E402

CSS_PATH = Path(__file__).resolve().parents[2] / "assets" / "ui" / "studio.css"
TICK_S = 0.25
EXAMPLE_PROMPTS = [
    "a brown bear above a silver spoon",
    "two red apples to the left of a blue cup",
    "a cat on a wooden table next to three books",
]


def studio_theme() -> gr.themes.Base:
    # System fonts only: no web-font download when the page opens.
    return gr.themes.Soft(
        primary_hue="indigo",
        neutral_hue="slate",
        font=["Inter", "ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    )


def launch_options() -> dict[str, Any]:
    """Theme and CSS; Gradio 6 takes them in `launch()`, not in the Blocks constructor."""
    return {"theme": studio_theme(), "css_paths": [str(CSS_PATH)], "footer_links": []}


class SessionRegistry:
    """One StudioSession per browser session (Gradio's session hash)."""

    def __init__(self, make: Callable[[], StudioSession]) -> None:
        self._make = make
        self._sessions: dict[str, StudioSession] = {}
        self._lock = threading.Lock()

    def get(self, request: gr.Request | None) -> StudioSession:
        key = (request.session_hash if request is not None else None) or "default"
        with self._lock:
            if key not in self._sessions:
                self._sessions[key] = self._make()
            return self._sessions[key]

    def drop(self, request: gr.Request | None) -> None:
        key = (request.session_hash if request is not None else None) or "default"
        with self._lock:
            sess = self._sessions.pop(key, None)
        if sess is not None:
            sess.close()

    def __len__(self) -> int:
        return len(self._sessions)


class ViewMemory:
    """What this browser last drew, so a redraw leaves alone what the person may be typing."""

    def __init__(self) -> None:
        self.version = -1
        self.editor_key: object = None
        self.graph_key: str | None = None
        self.running: bool | None = None
        self.loaded_token = 0
        self.sent: dict[str, Any] = {}  # output name -> the value last sent (to skip repeats)
        # Handlers (ticks, clicks) run concurrently; drawing one at a time keeps the memory in
        # the order the replies go out.
        self.lock = threading.Lock()

    def changed(self, name: str, value: Any) -> bool:
        """Whether `value` differs from what was last sent for `name` (and remember it)."""
        key = id(value) if not isinstance(value, (str, bool, int, type(None), tuple)) else value
        if name in self.sent and self.sent[name] == key:
            return False
        self.sent[name] = key
        return True


def backend_choices() -> list[tuple[str, str]]:
    from stagestudio.backends.registry import backend_names, backend_status

    choices = []
    for name in backend_names():
        status = backend_status(name)
        choices.append((f"{name} — {status.state}", name))
    return choices


def backend_status_md(name: str, settings: dict[str, Any] | None = None) -> str:
    """The status line under the backend picker: the backend's state as configured (BAGEL's
    follows the model folder in the settings), or what is wrong with the settings."""
    try:
        checked = validate_settings(name, settings)
    except SettingsError as exc:
        return f"⚠️ **{name}** settings: {exc}."
    status = status_for(name, checked)
    icon = "🟢" if status.ready else "🟠"
    detail = f" — {status.detail}" if status.detail else ""
    return f"{icon} **{name}**: {status.state}{detail}"


def build_app(
    db_path: str | os.PathLike[str] | None = "sessions/studio.db",
    default_backend: str = "sketchbook",
    *,
    backend_factory: Callable[..., Backend] | None = None,
) -> gr.Blocks:
    """The studio app. `db_path=None` keeps sessions in memory only (no Sessions tab data);
    `backend_factory(name, **settings)` replaces the registry (tests use a scripted backend;
    backends the settings form does not know are built with `backend_factory(name)`)."""
    store = _open_store(db_path) if db_path is not None else None
    pool = BackendPool(backend_factory)
    registry = SessionRegistry(lambda: StudioSession(pool, store))
    memories: dict[str, ViewMemory] = {}

    def memory(request: gr.Request | None) -> ViewMemory:
        key = (request.session_hash if request is not None else None) or "default"
        return memories.setdefault(key, ViewMemory())

    try:
        choices = backend_choices() if backend_factory is None else [(default_backend, default_backend)]
    except Exception:
        choices = [(default_backend, default_backend)]

    with gr.Blocks(title="StageStudio", fill_width=True, analytics_enabled=False) as demo:
        with gr.Row(elem_id="ss-title"):
            gr.Markdown(
                "# 🎨 StageStudio\nPlan → sketch → inspect → refine, one scene-graph step at a time. "
                "Watch the loop and steer it."
            )
        with gr.Tabs(elem_id="ss-tabs") as tabs:
            with gr.Tab("Studio", id="studio", elem_id="ss-tab-studio"):
                with gr.Row(equal_height=False):
                    # ---- prompt panel ----
                    with gr.Column(scale=4, min_width=340):
                        with gr.Column(elem_classes="ss-panel"):
                            prompt = gr.Textbox(
                                label="Prompt",
                                placeholder="a brown bear above a silver spoon",
                                lines=3,
                                elem_id="ss-prompt",
                            )
                            gr.Examples(EXAMPLE_PROMPTS, inputs=prompt, label="Try")
                            backend = gr.Dropdown(
                                choices=choices, value=default_backend, label="Backend", elem_id="ss-backend"
                            )
                            backend_info = gr.Markdown(
                                backend_status_md(default_backend) if backend_factory is None else "",
                                elem_id="ss-backend-status",
                            )
                            form, settings_groups = _settings_form(default_backend)
                            with gr.Row():
                                seed = gr.Number(value=0, precision=0, label="Seed", elem_id="ss-seed", min_width=90)
                                max_refines = gr.Slider(0, 5, value=2, step=1, label="Max refinements",
                                                        elem_id="ss-max-refines")
                            mode = gr.Radio(
                                choices=[("Auto — run to the end (pausable)", "auto"),
                                         ("Step — stop at every plan and verdict", "step")],
                                value="auto",
                                label="Mode",
                                elem_id="ss-mode",
                            )
                            with gr.Row():
                                run_btn = gr.Button("▶ Run", variant="primary", elem_id="ss-run", scale=2)
                                pause_btn = gr.Button("⏸ Pause", elem_id="ss-pause", interactive=False, scale=1)
                                stop_btn = gr.Button("■ Stop", variant="stop", elem_id="ss-stop", interactive=False,
                                                     scale=1)
                        with gr.Column(elem_classes="ss-panel"):
                            gr.Markdown("**Scene graph**", elem_classes="ss-section-title")
                            graph_img = gr.Image(
                                value=draw_graph(None), label="Scene graph", show_label=False, type="pil", format="png",
                                interactive=False, elem_id="ss-graph", height=240,
                                buttons=["fullscreen"],
                            )
                            objects_df = gr.Dataframe(
                                headers=OBJECT_COLUMNS, value=[], type="array", interactive=True,
                                label="Objects", elem_id="ss-objects", column_count=len(OBJECT_COLUMNS),
                                datatype=["str", "str", "number", "str", "str", "str", "str"],
                            )
                            relations_df = gr.Dataframe(
                                headers=RELATION_COLUMNS, value=[], type="array", interactive=True,
                                label="Relations", elem_id="ss-relations", column_count=len(RELATION_COLUMNS),
                            )
                            with gr.Row():
                                parse_btn = gr.Button("Parse prompt", size="sm", elem_id="ss-parse")
                                apply_btn = gr.Button("Apply graph edits", size="sm", elem_id="ss-apply-graph")
                    # ---- run view ----
                    with gr.Column(scale=8, min_width=520):
                        with gr.Column(elem_classes="ss-statusbar"):
                            progress = gr.HTML(render.progress_html(None, _empty_view(), False, False, None),
                                               elem_id="ss-progress", js_on_load=None)
                            message = gr.HTML("", elem_id="ss-message", js_on_load=None)
                            header = gr.HTML("", elem_id="ss-header", js_on_load=None)
                        timeline = gr.HTML(
                            render.timeline_html(_empty_view()),
                            elem_id="ss-timeline",
                            js_on_load=(
                                "element.addEventListener('click', (e) => {"
                                " const card = e.target.closest('[data-step]');"
                                " if (card) { trigger('select_step', {step: parseInt(card.dataset.step)}); } });"
                            ),
                        )
                        with gr.Row(equal_height=False, elem_classes="ss-panel"):
                            with gr.Column(scale=5, min_width=260):
                                sketch = gr.Image(label="Sketch", type="pil", interactive=False, elem_id="ss-sketch", format="jpeg",
                                                  height=420, buttons=["download", "fullscreen"])
                            with gr.Column(scale=6, min_width=300):
                                detail = gr.HTML(render.step_detail_html(None), elem_id="ss-detail", js_on_load=None)
                                instruction = gr.Textbox(label="Instruction", lines=2, elem_id="ss-instruction",
                                                         interactive=True)
                                correction = gr.Textbox(label="Corrective instruction", lines=2,
                                                        elem_id="ss-correction", interactive=True)
                                with gr.Row(elem_id="ss-decisions"):
                                    accept_btn = gr.Button("✓ Accept", variant="primary", size="sm",
                                                           elem_id="ss-accept", interactive=False)
                                    resketch_btn = gr.Button("Edit instruction & re-sketch", size="sm",
                                                             elem_id="ss-resketch", interactive=False)
                                    override_btn = gr.Button("Override verdict", size="sm", elem_id="ss-override",
                                                             interactive=False)
                                with gr.Row():
                                    correct_btn = gr.Button("Edit correction & refine", size="sm",
                                                            elem_id="ss-correct", interactive=False)
                                    skip_btn = gr.Button("Skip step", size="sm", elem_id="ss-skip", interactive=False)
                                    rewind_btn = gr.Button("↺ Rewind to here", size="sm", elem_id="ss-rewind",
                                                           interactive=False)
            sessions_ui = _sessions_tab(store)

        timer = gr.Timer(TICK_S, active=False)  # runs only while the engine works

        form_fields = [(b, setting) for b, setting, _ in form]
        form_inputs = [component for _, _, component in form]
        backend_values = {value for _, value in choices}

        # ---- drawing ----
        outputs = [progress, message, header, timeline, sketch, detail, instruction, correction,
                   accept_btn, resketch_btn, override_btn, correct_btn, skip_btn, rewind_btn,
                   run_btn, pause_btn, stop_btn, graph_img, objects_df, relations_df, prompt, seed,
                   backend, *form_inputs, timer]

        def draw(sess: StudioSession, mem: ViewMemory, force: bool = False, light: bool = False) -> list[Any]:
            with mem.lock:
                return _draw(sess, mem, force, light)

        def _draw(sess: StudioSession, mem: ViewMemory, force: bool, light: bool) -> list[Any]:
            """Redraw what changed. `light` leaves the scene-graph picture and tables for the
            next tick (they are slow to encode) so a Run shows its first step sooner."""
            running = sess.running
            if not force and sess.version == mem.version and running == mem.running:
                if running:
                    return [gr.skip()] * len(outputs)  # nothing new yet: keep polling
                # The run is over but the timer still ticks: a reply drawn earlier may have
                # reached the browser after a newer one, so send the final state whole once
                # more (the redraw below also stops the timer).
                force = True
            if force:
                mem.sent.clear()
            mem.version, mem.running = sess.version, running
            view = sess.timeline()
            waiting = sess.waiting
            wait_kind, review = waiting if waiting else (None, None)
            # The detail shows the step waiting for a decision, else the clicked one, else the newest.
            shown_index = review.step.index if review is not None else sess.selected_step
            step = view.step(shown_index) if shown_index is not None else None
            if step is None and view.steps:
                step = view.steps[-1]
            image = step.shown.image if step is not None and step.shown is not None else None

            # Editors: refill only when what they edit changed, never under the person's cursor.
            editor_key = (sess.session_id, wait_kind, id(review) if review else None,
                          step.index if step is not None else None)
            if editor_key != mem.editor_key:
                mem.editor_key = editor_key
                if review is not None:
                    ins_value = review.step.instruction
                    corr_value = review.verdict.correction if review.verdict is not None else ""
                elif step is not None:
                    ins_value = step.instruction
                    latest = step.latest
                    corr_value = latest.verdict.correction if latest and latest.verdict else ""
                else:
                    ins_value, corr_value = "", ""
                ins_update, corr_update = gr.update(value=ins_value), gr.update(value=corr_value)
            else:
                ins_update, corr_update = gr.skip(), gr.skip()

            at_verdict = wait_kind == "verdict"
            can_rewind = (not running) and step is not None and view.session_id is not None
            graph_key = sess.graph.to_json() if sess.graph is not None else None
            if graph_key != mem.graph_key and not light:
                mem.graph_key = graph_key
                objs, rels = graph_to_tables(sess.graph)
                graph_updates = [draw_graph(sess.graph), gr.update(value=objs), gr.update(value=rels)]
            else:
                graph_updates = [gr.skip(), gr.skip(), gr.skip()]

            # A session opened from the Sessions tab brings its prompt, seed, backend and the
            # backend's settings along (a Run then repeats it unless the person changes them).
            if sess.loaded_token != mem.loaded_token and sess.request is not None:
                mem.loaded_token = sess.loaded_token
                loaded = sess.request
                known = loaded.backend in backend_values
                settings_updates = [
                    gr.update(value=loaded.prompt),
                    gr.update(value=loaded.seed),
                    gr.update(value=loaded.backend) if known else gr.skip(),
                    *(gr.update(value=loaded.backend_settings[setting])
                      if known and b == loaded.backend and setting in loaded.backend_settings else gr.skip()
                      for b, setting in form_fields),
                ]
            else:
                settings_updates = [gr.skip()] * (3 + len(form_fields))

            def value(name: str, v: Any) -> Any:
                return v if mem.changed(name, v) else gr.skip()

            def interactive(name: str, on: bool, label: str | None = None) -> Any:
                if not mem.changed(name, (on, label)):
                    return gr.skip()
                return gr.update(interactive=on) if label is None else gr.update(interactive=on, value=label)

            return [
                value("progress", render.progress_html(sess.progress, view, running, sess.paused, wait_kind)),
                value("message", render.message_html(sess.message, view.errors)),
                value("header", render.header_html(view)),
                value("timeline", render.timeline_html(view, selected=step.index if step else None,
                                                       waiting_step=review.step.index if review else None)),
                value("sketch", image),
                value("detail", render.step_detail_html(step)),
                ins_update,
                corr_update,
                interactive("accept", bool(waiting)),
                interactive("resketch", bool(waiting)),
                interactive("override", at_verdict),
                interactive("correct", at_verdict),
                interactive("skip", bool(waiting)),
                interactive("rewind", can_rewind),
                interactive("run", not running),
                interactive("pause", running and not (sess.request is not None and sess.request.step_mode),
                            "▶ Resume" if sess.paused else "⏸ Pause"),
                interactive("stop", running),
                *graph_updates,
                *settings_updates,
                gr.Timer(active=running or graph_key != mem.graph_key),
            ]

        def action(fn: Callable[..., Any], light: bool = False) -> Callable[..., list[Any]]:
            """Wrap a session call: StudioError becomes the on-screen message, then redraw."""

            def handler(request: gr.Request, *args: Any) -> list[Any]:
                sess = registry.get(request)
                try:
                    fn(sess, *args)
                except (StudioError, SceneGraphError) as exc:
                    sess.set_message(str(exc))
                except Exception as exc:  # keep the session; show what went wrong
                    sess.set_message(f"Unexpected error: {type(exc).__name__}: {exc}")
                return draw(sess, memory(request), force=True, light=light)

            return handler

        def listen(component_event: Callable[..., Any], fn: Callable[..., Any], inputs: list[Any],
                   light: bool = False) -> None:
            component_event(action(fn, light), inputs=inputs, outputs=outputs, show_progress="hidden",
                            concurrency_limit=None)

        def chosen_settings(name: str, values: tuple[Any, ...]) -> dict[str, Any]:
            return form_settings(name, form_fields, values)

        def do_run(sess: StudioSession, prompt_v, backend_v, seed_v, refines_v, mode_v, objs, rels,
                   *form_values) -> None:
            prompt_v = (prompt_v or "").strip()
            name = backend_v or default_backend
            graph = None
            if sess.graph is not None and sess.graph_prompt == prompt_v and has_rows(objs):
                graph = tables_to_graph(objs, rels)  # the person's table edits re-plan the run
            request = RunRequest(prompt=prompt_v, backend=name, seed=int(seed_v or 0),
                                 max_refines=int(refines_v or 0), step_mode=mode_v == "step",
                                 backend_settings=chosen_settings(name, form_values))
            sess.selected_step = None
            sess.start(request, graph=graph)
            # Hold the reply briefly so the first step usually arrives with it.
            sess.wait_until(lambda s: s.first_step_at is not None or s.waiting is not None or not s.running,
                            timeout=0.8)

        def do_parse(sess: StudioSession, prompt_v, backend_v, *form_values) -> None:
            name = backend_v or default_backend
            sess.parse(prompt_v, name, chosen_settings(name, form_values))

        def do_apply(sess: StudioSession, prompt_v, objs, rels, mode_v) -> None:
            sess.apply_graph(tables_to_graph(objs, rels), prompt_v, step_mode=mode_v == "step")

        def do_pause(sess: StudioSession) -> None:
            sess.resume() if sess.paused else sess.pause()

        def do_rewind(sess: StudioSession, mode_v: str) -> None:
            view = sess.timeline()
            index = sess.selected_step if sess.selected_step is not None else (view.steps[-1].index if view.steps else 0)
            sess.selected_step = None
            sess.rewind(index, step_mode=mode_v == "step")
            sess.wait_until(lambda s: s.first_step_at is not None or s.waiting is not None or not s.running,
                            timeout=0.8)

        def do_select(sess: StudioSession, evt: gr.EventData) -> None:
            data = getattr(evt, "_data", None) or {}
            step = data.get("step") if isinstance(data, dict) else None
            if step is not None:
                sess.select(int(step))

        listen(run_btn.click, do_run, [prompt, backend, seed, max_refines, mode, objects_df, relations_df, *form_inputs],
               light=True)
        listen(prompt.submit, do_parse, [prompt, backend, *form_inputs])
        listen(parse_btn.click, do_parse, [prompt, backend, *form_inputs])
        listen(apply_btn.click, do_apply, [prompt, objects_df, relations_df, mode])
        listen(pause_btn.click, do_pause, [])
        listen(stop_btn.click, lambda s: s.stop(), [])
        listen(accept_btn.click, lambda s: s.accept(), [])
        listen(resketch_btn.click, lambda s, ins: s.edit_instruction(ins), [instruction])
        listen(override_btn.click, lambda s: s.override(), [])
        listen(correct_btn.click, lambda s, corr: s.correct(corr), [correction])
        listen(skip_btn.click, lambda s: s.skip(), [])
        listen(rewind_btn.click, do_rewind, [mode])

        def on_select(evt: gr.EventData, request: gr.Request) -> list[Any]:
            return action(lambda s: do_select(s, evt))(request)

        timeline.select_step(on_select, inputs=None, outputs=outputs, show_progress="hidden", concurrency_limit=None)

        def tick(request: gr.Request) -> list[Any]:
            return draw(registry.get(request), memory(request))

        timer.tick(tick, outputs=outputs, show_progress="hidden", concurrency_limit=None)
        def status_line(name: str, *form_values: Any) -> str:
            if backend_factory is not None or not name:
                return ""
            return backend_status_md(name, chosen_settings(name, form_values))

        def on_backend(name: str, *form_values: Any) -> list[Any]:
            # Only the chosen backend's settings are shown.
            shown = [gr.update(visible=group_name == name) for group_name in settings_groups]
            return [status_line(name, *form_values), *shown]

        backend.change(on_backend, inputs=[backend, *form_inputs],
                       outputs=[backend_info, *settings_groups.values()], show_progress="hidden")
        for _, _, component in form:
            # A text box is checked when the person leaves it, not at every keystroke.
            triggers = [component.blur, component.submit] if isinstance(component, gr.Textbox) else [component.change]
            for trigger in triggers:
                trigger(status_line, inputs=[backend, *form_inputs], outputs=backend_info, show_progress="hidden")

        def forget(request: gr.Request) -> None:
            registry.drop(request)
            memories.pop(request.session_hash or "default", None)

        demo.unload(forget)
        if sessions_ui is not None:
            sessions_ui.wire(registry, memory, draw, outputs, tabs)

    demo.queue(default_concurrency_limit=None)
    demo.studio_registry = registry  # for tests and diagnostics
    demo.studio_store = store
    demo.studio_ready = _warm_up(pool, default_backend)
    return demo


def _settings_form(default_backend: str) -> tuple[list[tuple[str, str, Any]], dict[str, Any]]:
    """The "Backend settings" accordion: one group of fields per backend, only the chosen
    backend's visible. Returns the (backend, setting, component) fields in input order and
    backend -> its group. Values are checked by validate_settings, not by Gradio, so a bad
    value gets our message (Gradio's own min/max checks would reject it before our code)."""
    form: list[tuple[str, str, Any]] = []
    groups: dict[str, Any] = {}
    with gr.Accordion("Backend settings", open=False, elem_id="ss-backend-settings"):
        with gr.Column(visible=default_backend == "sketchbook", elem_id="ss-settings-sketchbook") as group:
            groups["sketchbook"] = group
            form.append(("sketchbook", "error_rate", gr.Slider(
                0, 1, value=0.3, step=0.05, label="Error rate", elem_id="ss-sb-error-rate",
                info="How often the simulator draws something wrong (0 = never, 1 = every object)."
            )))
        with gr.Column(visible=default_backend == "bagel", elem_id="ss-settings-bagel") as group:
            groups["bagel"] = group
            form.append(("bagel", "model", gr.Textbox(
                value=bagel_default_model(), label="Model", max_lines=1, elem_id="ss-bagel-model",
                info="A checkpoint folder, or a Hugging Face repo id already in the cache."
            )))
            with gr.Row():
                form.append(("bagel", "precision", gr.Dropdown(
                    choices=list(BAGEL_PRECISIONS), value="nf4", label="Precision", elem_id="ss-bagel-precision",
                    min_width=110)))
                form.append(("bagel", "resolution", gr.Number(
                    value=1024, precision=0, label="Resolution (px)", elem_id="ss-bagel-resolution", min_width=110)))
                form.append(("bagel", "num_timesteps", gr.Number(
                    value=50, precision=0, label="Timesteps", elem_id="ss-bagel-timesteps", min_width=90)))
            form.append(("bagel", "inspector", gr.Radio(
                choices=[("VQA (BAGEL answers questions)", "vqa"), ("Detector + scene-graph checker", "detector"),
                         ("Both (reports disagreements)", "both")],
                value="vqa", label="Inspector", elem_id="ss-bagel-inspector")))
            form.append(("bagel", "offload", gr.Checkbox(
                value=False, label="Offload to CPU (less GPU memory, slower)", elem_id="ss-bagel-offload",
                info="bf16/fp32 only. Streams ~26 GB of layers over PCIe for every model forward (seconds "
                     "each; minutes per image). Helps only to run bf16 on a card under 32 GB; nf4 fits 12 GB "
                     "and is far faster.")))
    return form, groups


def _warm_up(pool: BackendPool, name: str) -> threading.Event:
    """Create the default backend and pay one-time import costs (inflect, fonts, sprites) in
    the background, so the first Run is as quick as the later ones. Only the cheap offline
    backend is exercised; model backends load their weights on first use."""
    ready = threading.Event()

    def work() -> None:
        try:
            backend = pool.get(name)
            from stagestudio.scene.text import noun_phrase

            noun_phrase("cat", 2, "red")
            if name == "sketchbook":
                from stagestudio.loop.engine import LoopEngine, RunConfig

                for _ in LoopEngine(backend).run("a red cat left of a dog", config=RunConfig(max_refines=0)):
                    pass
        except Exception:  # a broken backend is reported when the person presses Run
            pass
        finally:
            ready.set()

    threading.Thread(target=work, name="stagestudio-warmup", daemon=True).start()
    return ready


def has_rows(table: Any) -> bool:
    """Whether a Dataframe value holds any non-empty cell."""
    if table is None:
        return False
    if hasattr(table, "values"):
        table = table.values.tolist()
    return any(str(c).strip() for row in table for c in row if c is not None)


def _empty_view():
    from stagestudio.ui.timeline import TimelineView

    return TimelineView()


def _open_store(db_path: str | os.PathLike[str]) -> Any:
    from stagestudio.store import open_store

    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    return open_store(db_path)


def _sessions_tab(store: Any) -> Any:
    from stagestudio.ui.sessions_tab import SessionsTab

    return SessionsTab(store)
