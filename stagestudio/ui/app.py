"""The studio: a Gradio Blocks app over workspaces (live runs) and the session store.

How the page stays current: each tab runs one long-lived stream (stream.py) that sends the
screen of its workspace in order, whenever it changed; it is the only writer of the studio's
outputs. Buttons only act on the workspace (they return nothing), and a decision carries the
review point it was drawn for, so neither a late reply nor a double click can put an old state
on screen or act on the wrong step. The page's URL names the session (`?session=ID`), so a
reload finds the same workspace, run and all."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from stagestudio.backends.base import Backend  # noqa: E402
from stagestudio.scene.graph import SceneGraphError  # noqa: E402
from stagestudio.ui import render  # noqa: E402
from stagestudio.ui.backend_pool import BackendPool  # noqa: E402
from stagestudio.ui.backend_settings import form_settings  # noqa: E402
from stagestudio.ui.graph_edits import (  # noqa: E402
    add_object_row,
    add_relation_row,
    has_rows,
    remove_row,
    same_rows,
)
from stagestudio.ui.graph_view import (  # noqa: E402
    OBJECT_COLUMNS,
    OBJECT_DATATYPES,
    RELATION_COLUMNS,
    graph_to_tables,
    tables_to_graph,
)
from stagestudio.ui.history import RecentResults  # noqa: E402
from stagestudio.ui.host_guard import HostGuard, allowed_host_names  # noqa: E402
from stagestudio.ui.outputs import StudioFiles  # noqa: E402
from stagestudio.ui.screen import ScreenContext, compose  # noqa: E402
from stagestudio.ui.session import RunRequest, StudioError, StudioSession, strip_markup  # noqa: E402
from stagestudio.ui.sessions_tab import CARD_CLICKS_JS, SessionsTab, picked_step  # noqa: E402
from stagestudio.ui.settings_form import backend_choices, backend_status_md, form_checks, settings_form  # noqa: E402
from stagestudio.ui.stream import TabStream  # noqa: E402
from stagestudio.ui.workspaces import Workspaces  # noqa: E402

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "ui"
CSS_PATH = ASSETS / "studio.css"
JS_PATH = ASSETS / "studio.js"
EXAMPLE_PROMPTS = [
    "a brown bear above a silver spoon",
    "two red apples to the left of a blue cup",
    "a cat on a wooden table next to three books",
]
log = logging.getLogger(__name__)

# Timeline cards open on click / Enter / Space; after each redraw the card that matters
# (waiting, else selected) is scrolled into the strip's view, sideways only.
TIMELINE_JS = CARD_CLICKS_JS + (
    "watch('value', () => { const row = element.querySelector('.ss-timeline'); if (!row) return;"
    " const c = row.querySelector('.ss-card-waiting') || row.querySelector('.ss-card-selected');"
    " if (!c) return; const left = c.offsetLeft - row.offsetLeft;"
    " if (left < row.scrollLeft || left + c.offsetWidth > row.scrollLeft + row.clientWidth)"
    " row.scrollLeft = Math.max(0, left - 12); });"
)
HISTORY_JS = (
    "const open = (t) => trigger('open_session', {session: t.dataset.session});"
    "element.addEventListener('click', (e) => { const t = e.target.closest('[data-session]'); if (t) open(t); });"
    "element.addEventListener('keydown', (e) => { if (e.key !== 'Enter' && e.key !== ' ') return;"
    " const t = e.target.closest('[data-session]'); if (t) { e.preventDefault(); open(t); } });"
)
# The address bar follows the session shown, so a reload (or a bookmark) finds it again.
URL_JS = (
    "(sid) => { const url = new URL(window.location.href);"
    " if (sid) { url.searchParams.set('session', sid); } else { url.searchParams.delete('session'); }"
    " if (url.href !== window.location.href) { window.history.replaceState(null, '', url.href); } }"
)
REUSE_SEED_JS = "() => { const s = document.querySelector('#ss-header .ss-seed-used'); return s ? s.innerText : '-1'; }"


def studio_theme() -> gr.themes.Base:
    # System fonts only: no web-font download when the page opens.
    return gr.themes.Soft(
        primary_hue="indigo",
        neutral_hue="slate",
        font=["Inter", "ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    )


def launch_options(host: str = "127.0.0.1", allowed_hosts: Iterable[str] = (), share: bool = False) -> dict[str, Any]:
    """What Gradio 6 takes in `launch()`: theme, CSS, the page script, no run history kept in
    the browser, and the Host/Origin guard for the names this studio answers to."""
    guard = Middleware(HostGuard, allowed=allowed_host_names(host, allowed_hosts), allow_share=share)
    return {
        "theme": studio_theme(),
        "css_paths": [str(CSS_PATH)],
        "js": JS_PATH.read_text(encoding="utf-8"),
        "footer_links": [],
        "run_history": False,
        "app_kwargs": {"middleware": [guard]},
    }


def build_app(
    db_path: str | os.PathLike[str] | None = "sessions/studio.db",
    default_backend: str = "sketchbook",
    *,
    backend_factory: Callable[..., Backend] | None = None,
    db_images: str | os.PathLike[str] | None = None,
) -> gr.Blocks:
    """The studio app. `db_path` is a SQLite file or a PostgreSQL URL (`db_images`: that store's
    shared images folder); `db_path=None` keeps sessions in memory only (no Sessions tab data);
    `backend_factory(name, **settings)` replaces the registry (tests use a scripted backend;
    backends the settings form does not know are built with `backend_factory(name)`)."""
    from stagestudio.store import cleanup_stale_exports

    cleanup_stale_exports()  # the folders of studios that are no longer running
    files = StudioFiles()
    store = _open_store(db_path, db_images) if db_path is not None else None
    pool = BackendPool(backend_factory)
    recent = RecentResults(store)

    def run_ended(workspace: StudioSession) -> None:
        if workspace.session_id is not None and not workspace.forgotten:
            recent.remember(workspace.session_id, workspace.timeline().final_image)

    workspaces = Workspaces(lambda: StudioSession(pool, store, on_run_end=run_ended), store)

    try:
        choices = backend_choices() if backend_factory is None else [(default_backend, default_backend)]
    except Exception:
        choices = [(default_backend, default_backend)]

    with gr.Blocks(title="StageStudio", fill_width=True, analytics_enabled=False) as demo:
        with gr.Row(elem_id="ss-title"):
            gr.Markdown(
                "# StageStudio\nPlan → sketch → inspect → refine, one scene-graph step at a time. "
                "Watch the loop and steer it."
            )
        with gr.Tabs(elem_id="ss-tabs") as tabs:
            with gr.Tab("Studio", id="studio", elem_id="ss-tab-studio"):
                with gr.Row(elem_id="ss-main", equal_height=False):
                    # ---- prompt and run controls (first on a phone, then the results) ----
                    with gr.Column(elem_id="ss-controls", elem_classes="ss-panel", min_width=0):
                        prompt = gr.Textbox(label="Prompt", placeholder="a brown bear above a silver spoon", lines=3,
                                            elem_id="ss-prompt", info="Ctrl+Enter runs")
                        with gr.Column(elem_id="ss-examples", min_width=0):
                            gr.Examples(EXAMPLE_PROMPTS, inputs=prompt, label="Try")
                        mode = gr.Radio(
                            choices=[("Auto — run to the end (pausable)", "auto"),
                                     ("Step — stop at every plan and verdict", "step")],
                            value="auto", label="Mode", elem_id="ss-mode",
                        )
                        with gr.Row(elem_id="ss-run-row"):
                            run_btn = gr.Button("▶ Run", variant="primary", elem_id="ss-run", min_width=0)
                            pause_btn = gr.Button("Pause", elem_id="ss-pause", interactive=False, min_width=0)
                            stop_btn = gr.Button("■ Stop", variant="stop", elem_id="ss-stop", interactive=False,
                                                 min_width=0)
                        # The composed roles' verdict: what Run would refuse, said before Run.
                        run_verdict = gr.HTML("", elem_id="ss-run-verdict")
                        run_message = gr.HTML("", elem_id="ss-run-message")
                    # ---- options: seed, refinements, backend (after the results on a phone) ----
                    with gr.Column(elem_id="ss-options", elem_classes="ss-panel", min_width=0):
                        with gr.Row(elem_id="ss-seed-row"):
                            seed = gr.Textbox(value="0", label="Seed", info="-1 = random", max_lines=1,
                                              elem_id="ss-seed", min_width=0)
                            seed_random = gr.Button("Random", elem_id="ss-seed-random", min_width=0, size="sm")
                            seed_reuse = gr.Button("Last seed", elem_id="ss-seed-reuse", min_width=0, size="sm")
                        max_refines = gr.Slider(0, 5, value=2, step=1, label="Max refinements",
                                                elem_id="ss-max-refines", min_width=0)
                        backend = gr.Dropdown(choices=choices, value=default_backend, label="Backend",
                                              elem_id="ss-backend")
                        backend_info = gr.Markdown(
                            backend_status_md(default_backend) if backend_factory is None else "",
                            elem_id="ss-backend-status",
                        )
                        settings_ui = settings_form(default_backend)
                    # ---- results ----
                    with gr.Column(elem_id="ss-results", min_width=0):
                        with gr.Column(elem_classes="ss-statusbar"):
                            progress = gr.HTML(render.progress_html(None, _empty_view(), False, False, None),
                                               elem_id="ss-progress")
                            message = gr.HTML("", elem_id="ss-message")
                            header = gr.HTML("", elem_id="ss-header")
                        # The picture, the decision (what the run waits for and the buttons) and the
                        # editors: side by side on a desktop; decision, picture, editors on a phone.
                        with gr.Row(elem_id="ss-stage", elem_classes="ss-panel", equal_height=False):
                            with gr.Column(elem_id="ss-picture", min_width=0):
                                sketch = gr.Image(label="Picture", type="filepath", interactive=False,
                                                  elem_id="ss-sketch", height=440,
                                                  buttons=["download", "fullscreen"])
                            with gr.Column(elem_id="ss-decide", min_width=0):
                                steer_title = gr.HTML(render.steer_title_html(_empty_view(), None, None, 0, False),
                                                      elem_id="ss-steer-title")
                                with gr.Row(elem_id="ss-decisions"):
                                    accept_btn = gr.Button("✓ Accept", variant="primary", elem_id="ss-accept",
                                                           interactive=False, min_width=0)
                                    override_btn = gr.Button("✓ Keep this picture", elem_id="ss-override",
                                                             interactive=False, min_width=0)
                                    skip_btn = gr.Button("Skip step", elem_id="ss-skip", interactive=False,
                                                         min_width=0)
                                steer_message = gr.HTML("", elem_id="ss-steer-message")
                            with gr.Column(elem_id="ss-edit", min_width=0):
                                instruction = gr.Textbox(label="Instruction", lines=2, elem_id="ss-instruction")
                                resketch_btn = gr.Button("Edit instruction & re-sketch", size="sm",
                                                         elem_id="ss-resketch", interactive=False)
                                correction = gr.Textbox(label="Corrective instruction", lines=2,
                                                        elem_id="ss-correction")
                                with gr.Row():
                                    correct_btn = gr.Button("Refine with my correction", size="sm",
                                                            elem_id="ss-correct", interactive=False, min_width=0)
                                    rewind_btn = gr.Button("↺ Rewind to here", size="sm", elem_id="ss-rewind",
                                                           interactive=False, min_width=0)
                        timeline = gr.HTML(render.timeline_html(_empty_view()), elem_id="ss-timeline",
                                           js_on_load=TIMELINE_JS)
                        detail = gr.HTML(render.step_detail_html(None), elem_id="ss-detail",
                                         elem_classes="ss-panel")
                        history = gr.HTML("", elem_id="ss-history", js_on_load=HISTORY_JS)
                    # ---- scene graph ----
                    with gr.Column(elem_id="ss-graph-panel", elem_classes="ss-panel", min_width=0):
                        gr.Markdown("**Scene graph**", elem_classes="ss-section-title")
                        graph = gr.HTML("", elem_id="ss-graph")
                        objects_df = gr.Dataframe(
                            headers=OBJECT_COLUMNS, value=[], type="array", interactive=True,
                            label="Objects", elem_id="ss-objects", column_count=len(OBJECT_COLUMNS),
                            datatype=OBJECT_DATATYPES, wrap=True,
                        )
                        with gr.Row(elem_classes="ss-table-buttons"):
                            add_object_btn = gr.Button("+ Object", size="sm", elem_id="ss-add-object", min_width=0)
                            remove_object_btn = gr.Button("− Remove object", size="sm", elem_id="ss-remove-object",
                                                          min_width=0)
                        relations_df = gr.Dataframe(
                            headers=RELATION_COLUMNS, value=[], type="array", interactive=True,
                            label="Relations", elem_id="ss-relations", column_count=len(RELATION_COLUMNS), wrap=True,
                        )
                        with gr.Row(elem_classes="ss-table-buttons"):
                            add_relation_btn = gr.Button("+ Relation", size="sm", elem_id="ss-add-relation",
                                                         min_width=0)
                            remove_relation_btn = gr.Button("− Remove relation", size="sm",
                                                            elem_id="ss-remove-relation", min_width=0)
                        graph_message = gr.HTML("", elem_id="ss-graph-message")
                        with gr.Row():
                            parse_btn = gr.Button("Parse prompt", size="sm", elem_id="ss-parse", min_width=0)
                            apply_btn = gr.Button("Apply graph edits", size="sm", variant="primary",
                                                  elem_id="ss-apply-graph", min_width=0)
                # Hidden: the review point the buttons act on, and the session the address names.
                review_token = gr.Textbox(visible="hidden", elem_id="ss-review-token")
                url_session = gr.Textbox(visible="hidden", elem_id="ss-url-session")
            sessions_ui = SessionsTab(store, files)

        form = settings_ui.fields
        settings_groups = settings_ui.groups
        form_fields = settings_ui.names
        form_inputs = settings_ui.inputs
        backend_values = frozenset(value for _, value in choices)

        # ---- the stream: the only writer of these outputs ----
        named = {
            "progress": progress, "message": message, "run_message": run_message, "graph_message": graph_message,
            "steer_message": steer_message, "header": header, "image": sketch, "steer_title": steer_title,
            "timeline": timeline, "detail": detail, "history": history, "instruction": instruction,
            "correction": correction, "accept": accept_btn, "override": override_btn, "resketch": resketch_btn,
            "correct": correct_btn, "skip": skip_btn, "rewind": rewind_btn, "run": run_btn, "pause": pause_btn,
            "stop": stop_btn, "graph": graph, "objects": objects_df, "relations": relations_df, "prompt": prompt,
            "seed": seed, "max_refines": max_refines, "mode": mode, "backend": backend,
            **{f"form:{b}:{s}": component for b, s, component in form},
            "review_token": review_token, "url_session": url_session,
        }
        context = ScreenContext(image_file=files.image_file, form_fields=form_fields, backend_values=backend_values,
                                history=lambda ws: recent.items())
        stream = TabStream(workspaces, list(named), lambda ws: compose(ws, context))
        demo.load(stream.run, inputs=None, outputs=list(named.values()), show_progress="hidden",
                  concurrency_limit=None, api_visibility="private")

        # ---- actions: they change the workspace and return nothing ----
        def act(fn: Callable[..., Any], area: str = "main") -> Callable[..., None]:
            def handler(request: gr.Request, *args: Any) -> None:
                sess = workspaces.tab(request.session_hash or "default").workspace
                try:
                    fn(sess, *args)
                except StudioError as exc:
                    sess.set_message(str(exc), exc.area)
                except (SceneGraphError, ValueError) as exc:
                    sess.set_message(str(exc), "graph" if isinstance(exc, SceneGraphError) else area)
                except Exception as exc:  # keep the workspace; say what went wrong
                    log.exception("studio action failed")
                    sess.set_message(f"Unexpected error: {type(exc).__name__}: {exc}", area)

            return handler

        def listen(event: Callable[..., Any], fn: Callable[..., Any], inputs: list[Any], area: str = "main",
                   **kwargs: Any) -> None:
            event(act(fn, area), inputs=inputs, outputs=None, show_progress="hidden", concurrency_limit=None,
                  api_visibility="private", **kwargs)

        def chosen_settings(name: str, values: tuple[Any, ...]) -> dict[str, Any]:
            return form_settings(name, form_fields, values)

        def edited_graph(sess: StudioSession, objs: Any, rels: Any):
            """The graph the tables describe: the workspace's own when untouched, else the
            person's edit (source 'user')."""
            if sess.graph is not None and same_rows((objs, rels), graph_to_tables(sess.graph)):
                return sess.graph
            return tables_to_graph(objs, rels, based_on=sess.graph)

        def do_run(sess: StudioSession, prompt_v, backend_v, seed_v, refines_v, mode_v, objs, rels,
                   *form_values) -> None:
            name = backend_v or default_backend
            request = RunRequest(prompt=prompt_v or "", backend=name, seed=seed_v,
                                 max_refines=int(refines_v or 0), step_mode=mode_v == "step",
                                 backend_settings=chosen_settings(name, form_values))
            graph_v = None
            if sess.graph is not None and sess.graph_prompt == strip_markup(prompt_v or "") and has_rows(objs):
                graph_v = edited_graph(sess, objs, rels)  # the person's table edits re-plan the run
            sess.start(request, graph=graph_v)

        def do_parse(sess: StudioSession, prompt_v, backend_v, *form_values) -> None:
            name = backend_v or default_backend
            sess.parse(prompt_v, name, chosen_settings(name, form_values))
            sess.set_message(None)

        def do_apply(sess: StudioSession, prompt_v, objs, rels, mode_v) -> None:
            sess.apply_graph(edited_graph(sess, objs, rels), prompt_v, step_mode=mode_v == "step")

        def do_pause(sess: StudioSession) -> None:
            sess.resume() if sess.paused else sess.pause()

        def do_rewind(sess: StudioSession, mode_v: str) -> None:
            view = sess.timeline()
            picked = sess.selected_step if isinstance(sess.selected_step, int) else None
            index = picked if picked is not None else (view.steps[-1].index if view.steps else 0)
            sess.rewind(index, step_mode=mode_v == "step")

        listen(run_btn.click, do_run, [prompt, backend, seed, max_refines, mode, objects_df, relations_df,
                                       *form_inputs], "run")
        listen(prompt.submit, do_parse, [prompt, backend, *form_inputs], "run")
        listen(parse_btn.click, do_parse, [prompt, backend, *form_inputs], "graph")
        listen(apply_btn.click, do_apply, [prompt, objects_df, relations_df, mode], "graph")
        listen(pause_btn.click, do_pause, [], "run")
        listen(stop_btn.click, lambda s: s.stop(), [], "run")
        listen(accept_btn.click, lambda s, token: s.accept(token), [review_token], "steer")
        listen(resketch_btn.click, lambda s, ins, token: s.edit_instruction(ins, token), [instruction, review_token],
               "steer")
        listen(override_btn.click, lambda s, token: s.override(token=token), [review_token], "steer")
        listen(correct_btn.click, lambda s, corr, token: s.correct(corr, token), [correction, review_token], "steer")
        listen(skip_btn.click, lambda s, token: s.skip(token), [review_token], "steer")
        listen(rewind_btn.click, do_rewind, [mode], "steer")

        # Table rows: added and removed on the server, so the stream stays the tables' one writer.
        listen(add_object_btn.click, lambda s, o, r: s.set_tables(add_object_row(o), r), [objects_df, relations_df],
               "graph")
        listen(add_relation_btn.click, lambda s, o, r: s.set_tables(o, add_relation_row(o, r)),
               [objects_df, relations_df], "graph")
        listen(remove_object_btn.click,
               lambda s, o, r: s.set_tables(remove_row(o, s.selected_rows.get("objects")), r),
               [objects_df, relations_df], "graph")
        listen(remove_relation_btn.click,
               lambda s, o, r: s.set_tables(o, remove_row(r, s.selected_rows.get("relations"))),
               [objects_df, relations_df], "graph")

        def remember_row(table: str) -> Callable[..., None]:
            def handler(evt: gr.SelectData, request: gr.Request) -> None:
                sess = workspaces.tab(request.session_hash or "default").workspace
                index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
                sess.selected_rows[table] = int(index) if index is not None else None

            return handler

        objects_df.select(remember_row("objects"), inputs=None, outputs=None, show_progress="hidden",
                          concurrency_limit=None, api_visibility="private")
        relations_df.select(remember_row("relations"), inputs=None, outputs=None, show_progress="hidden",
                            concurrency_limit=None, api_visibility="private")

        def on_card(evt: gr.EventData, request: gr.Request) -> None:
            act(lambda s: s.select(picked_step(evt)))(request)

        timeline.select_step(on_card, inputs=None, outputs=None, show_progress="hidden", concurrency_limit=None,
                             api_visibility="private")

        def on_history(evt: gr.EventData, request: gr.Request) -> None:
            data = getattr(evt, "_data", None) or {}
            key = request.session_hash or "default"
            session_id = str(data.get("session") or "") if isinstance(data, dict) else ""
            try:
                current = workspaces.tab(key).workspace
                workspaces.switch(key, workspaces.open(session_id, reuse=current, running_only=True))
            except StudioError as exc:
                workspaces.tab(key).workspace.set_message(str(exc))

        history.open_session(on_history, inputs=None, outputs=None, show_progress="hidden", concurrency_limit=None,
                             api_visibility="private")

        # Pure page-side helpers: no server round trip, nothing the stream also writes.
        seed_random.click(None, inputs=None, outputs=seed, js="() => '-1'")
        seed_reuse.click(None, inputs=None, outputs=seed, js=REUSE_SEED_JS)
        url_session.change(None, inputs=url_session, outputs=None, js=URL_JS)

        readiness = [settings_ui.roles.readiness[role] for role in settings_ui.roles.readiness]

        def checks(name: str, *form_values: Any) -> list[Any]:
            if backend_factory is not None or not name:
                return ["", "", *(gr.skip() for _ in readiness)]
            return form_checks(name, form_fields, form_values)

        def on_backend(name: str, *form_values: Any) -> list[Any]:
            # Only the chosen backend's settings are shown.
            shown = [gr.update(visible=group_backend == name) for group_backend, _ in settings_groups]
            return [*checks(name, *form_values), *shown]

        # The checks have several writers (picker, each field): one at a time, in the order
        # they were triggered, so an older check never replaces a newer one.
        check_outputs = [backend_info, run_verdict, *readiness]
        in_order = dict(show_progress="hidden", concurrency_limit=1, concurrency_id="ss-backend-status")
        backend.change(on_backend, inputs=[backend, *form_inputs],
                       outputs=[*check_outputs, *(group for _, group in settings_groups)], **in_order)
        for _, _, component in form:
            # A text box is checked when the person leaves it, not at every keystroke.
            triggers = [component.blur, component.submit] if isinstance(component, gr.Textbox) else [component.change]
            for trigger in triggers:
                trigger(checks, inputs=[backend, *form_inputs], outputs=check_outputs, **in_order)
        demo.load(checks, inputs=[backend, *form_inputs], outputs=check_outputs, **in_order)

        # A role shows the options of the kind chosen for it, and only those.
        def show_kind(groups: list[tuple[str, Any]]) -> Callable[[str], list[Any]]:
            return lambda kind: [gr.update(visible=k == kind) for k, _ in groups]

        for role, kind_field in settings_ui.roles.kinds.items():
            groups = settings_ui.roles.kind_groups[role]
            kind_field.change(show_kind(groups), inputs=kind_field, outputs=[g for _, g in groups],
                              show_progress="hidden", concurrency_limit=None, api_visibility="private")

        def forget(request: gr.Request) -> None:
            workspaces.detach(request.session_hash or "default")
            sessions_ui.forget(request)

        demo.unload(forget)
        sessions_ui.wire(workspaces, tabs, recent.refresh)

    demo.queue(default_concurrency_limit=None)
    demo.studio_workspaces = workspaces  # for tests and diagnostics
    demo.studio_pool = pool
    demo.studio_store = store
    demo.studio_files = files
    demo.studio_replays = sessions_ui.replays
    demo.studio_screen = lambda ws: compose(ws, context)
    demo.studio_ready = _warm_up(pool, default_backend)
    return demo


def _warm_up(pool: BackendPool, name: str) -> threading.Event:
    """Pay one-time import costs (inflect, fonts, sprites, the parser's tables) in the
    background, so the first Run is as quick as the later ones. Only the cheap offline backend
    is built and run; a model backend is left alone (it loads its weights, or calls its
    servers, on first use), and the offline parser warms the graph drawing instead."""
    import threading

    ready = threading.Event()

    def work() -> None:
        try:
            from stagestudio.scene.parser import parse_prompt
            from stagestudio.scene.text import noun_phrase
            from stagestudio.ui.graph_view import graph_html

            noun_phrase("cat", 2, "red")
            if name == "sketchbook":
                from stagestudio.loop.engine import LoopEngine, RunConfig

                backend = pool.get(name)
                for _ in LoopEngine(backend).run("a red cat left of a dog", config=RunConfig(max_refines=0)):
                    pass
            graph_html(parse_prompt("a red cat left of a dog"))
        except Exception:  # a broken backend is reported when the person presses Run
            pass
        finally:
            ready.set()

    threading.Thread(target=work, name="stagestudio-warmup", daemon=True).start()
    return ready


def _empty_view():
    from stagestudio.ui.timeline import TimelineView

    return TimelineView()


def _open_store(db_path: str | os.PathLike[str], images: str | os.PathLike[str] | None = None) -> Any:
    from stagestudio.store import open_store

    # A SQLite path (its folder is made) or a PostgreSQL URL, whose images live in `images`
    # (default $STAGESTUDIO_DB_IMAGES).
    return open_store(db_path, images=images)
