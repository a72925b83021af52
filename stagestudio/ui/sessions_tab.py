"""The Sessions tab: every stored run — search, replay, open (or re-attach to a live run), fork,
export, import, delete.

A thin layer over the session store and the studio's workspaces. Replays keep their events
without pictures and decode pictures lazily through a bounded cache (replay_memory.py); a
tab's replay is freed when the tab goes away."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from stagestudio.ui import render
from stagestudio.ui.outputs import StudioFiles
from stagestudio.ui.replay_memory import ImageCache, ReplayState, ReplayStates
from stagestudio.ui.session import StudioError
from stagestudio.ui.timeline import build_timeline
from stagestudio.ui.workspaces import Workspaces

SESSION_COLUMNS = ["id", "created (UTC)", "status", "steps", "final", "prompt", "branched from"]
STATUS_FILTERS = ["any", "completed", "stopped", "cancelled", "failed", "interrupted", "running", "damaged"]
# Events that change nothing on the replay's picture: Play steps over them.
_BOOKKEEPING = ("session_started", "intervention", "refinement_planned")


class FilterError(ValueError):
    pass


def _parse_day(text: str, field_name: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise FilterError(f"{field_name} {text!r} is not a date; use YYYY-MM-DD") from exc


def filter_sessions(summaries: list[Any], query: str = "", status: str = "any", date_from: str = "",
                    date_to: str = "") -> list[Any]:
    """Sessions whose prompt (or id) contains `query`, with `status`, created between the
    two days inclusive (UTC)."""
    start, end = _parse_day(date_from, "From"), _parse_day(date_to, "To")
    words = (query or "").lower().split()
    out = []
    for s in summaries:
        haystack = f"{s.prompt} {s.id}".lower()
        if any(w not in haystack for w in words):
            continue
        if status and status != "any" and s.status != status:
            continue
        day = dt.datetime.fromtimestamp(s.created_at, tz=dt.timezone.utc).date()
        if (start and day < start) or (end and day > end):
            continue
        out.append(s)
    return out


def sessions_rows(summaries: list[Any], live: dict[str, Any] | None = None) -> list[list[Any]]:
    """Table rows; a run live in this studio says whether it waits for the person, and a row
    the store cannot read says why (it is listed, never hidden)."""
    rows = []
    for s in summaries:
        final = "—" if s.passed is None else ("pass" if s.passed else "fail")
        parent = f"{s.parent_session_id} @ step {(s.branch_step or 0) + 1}" if s.parent_session_id else ""
        status = s.status
        workspace = (live or {}).get(s.id)
        if workspace is not None:
            status = "waiting for you" if workspace.waiting is not None else "running"
        problem = getattr(s, "problem", None)
        if problem:
            status = f"{status}: {problem}"
        rows.append([s.id, render.format_time(s.created_at), status, s.step_count, final, s.prompt, parent])
    return rows


def import_message(exc: Exception, upload_path: str) -> str:
    """An import error for the person: the server's temporary upload path becomes the file's name."""
    text = str(exc)
    name = Path(upload_path).name
    for shown in {upload_path, str(Path(upload_path).resolve())}:
        text = text.replace(shown, name)
    return f"Import failed: {text}"


def descendants(store: Any, session_id: str) -> list[str]:
    """Every fork of `session_id`, and their forks."""
    found: list[str] = []
    frontier = [session_id]
    while frontier:
        kids = store.children(frontier.pop())
        found.extend(kids)
        frontier.extend(kids)
    return found


class SessionsTab:
    def __init__(self, store: Any, files: StudioFiles | None = None) -> None:
        self.store = store
        self.files = files or StudioFiles()
        self.replays = ReplayStates()
        self.images = ImageCache(store.load_image if store is not None else (lambda sha: None))
        with gr.Tab("Sessions", id="sessions", elem_id="ss-tab-sessions") as self.tab:
            if store is None:
                gr.Markdown("Sessions are not stored in this app (it was started without a database).")
                self.enabled = False
                return
            self.enabled = True
            with gr.Row(equal_height=True, elem_classes="ss-filters"):
                self.search = gr.Textbox(label="Search prompts", placeholder="bear, spoon… or a session id", scale=4,
                                         elem_id="ss-search", min_width=160)
                self.status = gr.Dropdown(STATUS_FILTERS, value="any", label="Status", scale=1, elem_id="ss-status",
                                          min_width=110)
                self.date_from = gr.Textbox(label="From", placeholder="YYYY-MM-DD", scale=1, elem_id="ss-date-from",
                                            min_width=110)
                self.date_to = gr.Textbox(label="To", placeholder="YYYY-MM-DD", scale=1, elem_id="ss-date-to",
                                          min_width=110)
                self.refresh = gr.Button("↻ Refresh", size="sm", scale=0, min_width=100, elem_id="ss-refresh")
            self.table = gr.Dataframe(headers=SESSION_COLUMNS, value=[], type="array", interactive=False,
                                      label="Stored sessions — click a row to pick it", elem_id="ss-sessions",
                                      column_count=len(SESSION_COLUMNS), wrap=True, max_height=300,
                                      column_widths=["12%", "13%", "10%", "6%", "6%", "37%", "16%"])
            self.notice = gr.HTML("", elem_id="ss-sessions-message", js_on_load=None)
            with gr.Row(equal_height=True, elem_classes="ss-actions"):
                self.selected = gr.Textbox(label="Session", placeholder="click a row", scale=2, min_width=150,
                                           elem_id="ss-selected-session")
                self.open_btn = gr.Button("▶ Replay", variant="primary", size="sm", scale=0, min_width=96,
                                          elem_id="ss-open")
                self.studio_btn = gr.Button("Open in Studio", size="sm", scale=0, min_width=120,
                                            elem_id="ss-open-studio")
                self.fork_step = gr.Number(value=1, precision=0, minimum=1, label="From step", scale=0, min_width=90,
                                           elem_id="ss-fork-step")
                self.fork_btn = gr.Button("Fork", size="sm", scale=0, min_width=80, elem_id="ss-fork")
                self.export_btn = gr.Button("⤓ Export", size="sm", scale=0, min_width=90, elem_id="ss-export")
                self.import_btn = gr.UploadButton("⤒ Import", file_types=[".zip"], size="sm", scale=0, min_width=90,
                                                  elem_id="ss-import")
                self.delete_btn = gr.Button("Delete…", variant="stop", size="sm", scale=0, min_width=90,
                                            elem_id="ss-delete")
                self.cascade = gr.Checkbox(label="with its forks", value=False, scale=0, min_width=120,
                                           elem_id="ss-cascade")
            with gr.Row(visible=False, elem_id="ss-delete-confirm", elem_classes="ss-confirm") as self.confirm_row:
                self.confirm_text = gr.HTML("", elem_id="ss-delete-question")
                self.confirm_btn = gr.Button("Delete for good", variant="stop", size="sm", scale=0, min_width=130,
                                             elem_id="ss-delete-yes")
                self.cancel_btn = gr.Button("Keep it", size="sm", scale=0, min_width=90, elem_id="ss-delete-no")
            self.export_file = gr.File(label="Exported archive", interactive=False, elem_id="ss-export-file",
                                       height=60, visible=False)
            with gr.Column(elem_classes="ss-panel"):
                gr.Markdown("**Replay**", elem_classes="ss-section-title")
                with gr.Row(equal_height=True):
                    self.slider = gr.Slider(0, 1, value=0, step=1, label="Event", scale=6, elem_id="ss-replay-slider")
                    self.play_btn = gr.Button("▶ Play", size="sm", scale=0, min_width=100, elem_id="ss-replay-play")
                self.replay_head = gr.HTML("", elem_id="ss-replay-head", js_on_load=None)
                self.replay_timeline = gr.HTML(
                    '<div class="ss-empty"><div class="ss-empty-title">Nothing to replay yet</div>'
                    'Pick a session above and press <b>Replay</b> to step through it event by event.</div>',
                    elem_id="ss-replay-timeline",
                    js_on_load=CARD_CLICKS_JS,
                )
                with gr.Row(equal_height=False, elem_classes="ss-replay-stage"):
                    with gr.Column(scale=5, min_width=260):
                        self.replay_image = gr.Image(label="Canvas", type="filepath", interactive=False,
                                                     elem_id="ss-replay-image", height=360)
                    with gr.Column(scale=6, min_width=260):
                        self.replay_detail = gr.HTML("", elem_id="ss-replay-detail", js_on_load=None)
            self.play_timer = gr.Timer(0.5, active=False)

    # --- helpers ----------------------------------------------------------------------
    def _replay(self, request: gr.Request | None) -> ReplayState:
        return self.replays.get((request.session_hash if request is not None else None) or "default")

    def forget(self, request: gr.Request | None) -> None:
        """The tab went away: free its replay."""
        self.replays.drop((request.session_hash if request is not None else None) or "default")

    def _list(self, query: str, status: str, date_from: str, date_to: str, live: dict[str, Any] | None = None):
        try:
            found = filter_sessions(self.store.list_sessions(), query, status, date_from, date_to)
        except FilterError as exc:
            return gr.update(), render.message_html(str(exc))
        except Exception as exc:  # locked / unreadable database
            return gr.update(), render.message_html(f"Could not read the session list: {exc}")
        return sessions_rows(found, live), ""

    def _replay_views(self, state: ReplayState, move_slider: bool = True) -> list[Any]:
        """The replay's outputs. `move_slider=False` when the person moved the slider: writing
        its own value back could undo a key press made in the meantime."""
        if state.session_id is None:
            return [gr.update(), "", gr.update(), None, ""]
        shown = state.events[: state.position]
        view = build_timeline(shown, load_image=self.images.get)
        picked = view.step(state.selected) if isinstance(state.selected, int) else None
        last_step = picked or (view.steps[-1] if view.steps else None)
        if state.selected == "final" or (picked is None and view.status is not None):
            image = view.final_image
        else:
            image = last_step.shown.image if last_step is not None and last_step.shown is not None else None
        head = (f'<div class="ss-session-head">replaying <code>{render.esc(state.session_id)}</code> — '
                f'{render.esc(state.prompt)} · event {state.position} of {len(state.events)}</div>')
        detail = render.final_detail_html(view) if state.selected == "final" else render.step_detail_html(last_step)
        selected = "final" if state.selected == "final" else (last_step.index if last_step else None)
        slider = (gr.update(maximum=max(1, len(state.events)), value=state.position) if move_slider
                  else gr.update(maximum=max(1, len(state.events))))
        return [
            slider,
            head,
            render.timeline_html(view, selected=selected),
            self.files.image_file(image) if image is not None else None,
            detail,
        ]

    # --- wiring -----------------------------------------------------------------------
    def wire(self, workspaces: Workspaces, tabs: gr.Tabs, on_change: Callable[[], None]) -> None:
        """Connect the tab's events. `on_change` is called after a session is imported or
        deleted (the studio's recent-results strip reads the list again)."""
        if not self.enabled:
            return
        filters = [self.search, self.status, self.date_from, self.date_to]
        list_outputs = [self.table, self.notice]
        replay_outputs = [self.slider, self.replay_head, self.replay_timeline, self.replay_image, self.replay_detail]
        quiet = dict(show_progress="hidden", concurrency_limit=None)

        def refresh(query, status, date_from, date_to):
            return self._list(query, status, date_from, date_to, workspaces.live())

        for event in (self.refresh.click, self.search.submit, self.status.change, self.date_from.submit,
                      self.date_to.submit):
            event(refresh, inputs=filters, outputs=list_outputs, **quiet)

        self.tab.select(refresh, inputs=filters, outputs=list_outputs, **quiet)
        self.table.select(self._on_row, inputs=None, outputs=[self.selected], **quiet)

        def open_replay(session_id: str, request: gr.Request):
            state = self._replay(request)
            session_id = (session_id or "").strip()
            if not session_id:
                return [*self._replay_views(state), render.message_html("Pick a session first (click a row).")]
            try:
                events = list(self.store.replay(session_id, with_images=False, include_history=True))
            except Exception as exc:
                return [*self._replay_views(state), render.message_html(f"Could not open {session_id}: {exc}")]
            state.session_id, state.events, state.position, state.playing = session_id, events, len(events), False
            state.selected = None
            return [*self._replay_views(state), ""]

        self.open_btn.click(open_replay, inputs=[self.selected], outputs=[*replay_outputs, self.notice], **quiet)

        def seek(position, request: gr.Request):
            state = self._replay(request)
            state.position = max(0, min(int(position or 0), len(state.events)))
            state.selected = None
            return self._replay_views(state, move_slider=False)

        # `input` fires for typing a number, arrow keys and dragging; `release` ends a drag.
        self.slider.input(seek, inputs=[self.slider], outputs=replay_outputs, trigger_mode="always_last", **quiet)
        self.slider.release(seek, inputs=[self.slider], outputs=replay_outputs, **quiet)

        def pick(evt: gr.EventData, request: gr.Request):
            state = self._replay(request)
            step = picked_step(evt)
            state.selected = step
            return self._replay_views(state)

        self.replay_timeline.select_step(pick, outputs=replay_outputs, **quiet)

        def play(request: gr.Request):
            state = self._replay(request)
            if state.session_id is None:
                return [gr.update(), gr.update(active=False), *self._replay_views(state)]
            state.playing = not state.playing
            state.selected = None
            if state.playing and state.position >= len(state.events):
                state.position = 0
            label = "Pause" if state.playing else "▶ Play"
            return [gr.update(value=label), gr.update(active=state.playing), *self._replay_views(state)]

        self.play_btn.click(play, outputs=[self.play_btn, self.play_timer, *replay_outputs], **quiet)

        def advance(request: gr.Request):
            state = self._replay(request)
            if not state.playing:
                return [gr.update(value="▶ Play"), gr.update(active=False), *[gr.skip()] * len(replay_outputs)]
            state.position += 1
            while state.position < len(state.events) and state.events[state.position - 1].type in _BOOKKEEPING:
                state.position += 1
            if state.position >= len(state.events):
                state.position = len(state.events)
                state.playing = False
            label = "Pause" if state.playing else "▶ Play"
            return [gr.update(value=label), gr.update(active=state.playing), *self._replay_views(state)]

        self.play_timer.tick(advance, outputs=[self.play_btn, self.play_timer, *replay_outputs], **quiet)

        def studio_action(fn: Callable[..., None]):
            """Open something in the studio for this tab; the tab's stream draws it."""

            def handler(request: gr.Request, *args):
                try:
                    fn(request.session_hash or "default", *args)
                except (StudioError, ValueError) as exc:
                    return gr.update(), render.message_html(str(exc))
                return gr.Tabs(selected="studio"), ""

            return handler

        def open_in_studio(key: str, session_id: str) -> None:
            session_id = _required(session_id)
            tab = workspaces.tab(key)
            opened = workspaces.open(session_id, reuse=tab.workspace, running_only=True)
            opened.refill_form()
            workspaces.switch(key, opened)

        def fork(key: str, session_id: str, step: Any) -> None:
            session_id = _required(session_id)
            try:
                events = list(self.store.replay(session_id, include_history=True))
            except Exception as exc:
                raise StudioError(f"Could not open session {session_id}: {exc}") from exc
            current = workspaces.tab(key).workspace
            target = current if not current.running else workspaces.new()  # never stop a live run
            target.load(events)
            target.rewind(max(0, int(step or 1) - 1))
            workspaces.switch(key, target)

        self.studio_btn.click(studio_action(open_in_studio), inputs=[self.selected], outputs=[tabs, self.notice],
                              **quiet)
        self.fork_btn.click(studio_action(fork), inputs=[self.selected, self.fork_step], outputs=[tabs, self.notice],
                            **quiet)

        def export(session_id):
            from stagestudio.store import export_session

            session_id = (session_id or "").strip()
            if not session_id:
                return gr.update(value=None, visible=False), render.message_html("Pick a session to export.")
            try:
                target = self.files.export_path(f"stagestudio-{session_id}.zip")
                path = export_session(self.store, session_id, target)
            except Exception as exc:
                return gr.update(value=None, visible=False), render.message_html(f"Export failed: {exc}")
            return gr.update(value=str(path), visible=True), ""

        self.export_btn.click(export, inputs=[self.selected], outputs=[self.export_file, self.notice], **quiet)

        def do_import(upload, query, status, date_from, date_to):
            from stagestudio.store import SessionExistsError, import_session

            if upload is None:
                return gr.update(), gr.update(), render.message_html("No file was uploaded.")
            path = upload if isinstance(upload, str) else getattr(upload, "name", str(upload))
            note = ""
            try:
                try:
                    result = import_session(self.store, path)
                except SessionExistsError:
                    result = import_session(self.store, path, new_id=True)
                    note = " as a copy with a new id (the archive's session is already in this store)"
            except Exception as exc:
                rows, _ = self._list(query, status, date_from, date_to, workspaces.live())
                return rows, gr.update(), render.message_html(import_message(exc, path))
            on_change()
            rows, _ = self._list(query, status, date_from, date_to, workspaces.live())
            ok = f'<div class="ss-ok">Imported session {render.esc(result.session_id)}{render.esc(note)}.</div>'
            return rows, result.session_id, ok

        self.import_btn.upload(do_import, inputs=[self.import_btn, *filters],
                               outputs=[self.table, self.selected, self.notice], **quiet)

        confirm_outputs = [self.confirm_row, self.confirm_text, self.notice]

        def ask_delete(session_id, cascade):
            session_id = (session_id or "").strip()
            if not session_id:
                return gr.update(visible=False), "", render.message_html("Pick a session to delete.")
            try:
                forks = descendants(self.store, session_id)
            except Exception as exc:
                return gr.update(visible=False), "", render.message_html(f"Not deleted: {exc}")
            if forks and not cascade:
                return gr.update(visible=False), "", render.message_html(
                    f"Session {session_id} has {len(forks)} fork(s) that share its steps "
                    f"({', '.join(forks[:5])}{'…' if len(forks) > 5 else ''}). Tick “with its forks” to delete "
                    "them too, or delete the forks first (export them to keep a copy).")
            what = f"session {session_id}" + (f" and its {len(forks)} fork(s)" if forks else "")
            question = (f'<div class="ss-confirm-question">Delete {render.esc(what)}? '
                        "Its pictures go too; this cannot be undone.</div>")
            return gr.update(visible=True), question, ""

        self.delete_btn.click(ask_delete, inputs=[self.selected, self.cascade], outputs=confirm_outputs, **quiet)
        self.cancel_btn.click(lambda: (gr.update(visible=False), "", ""), outputs=confirm_outputs, **quiet)

        def delete(session_id, cascade, query, status, date_from, date_to):
            session_id = (session_id or "").strip()
            hidden = gr.update(visible=False)
            if session_id in workspaces.live():
                return gr.update(), gr.update(), hidden, render.message_html(
                    f"Session {session_id} is running in the studio; stop it there first.")
            try:
                report = self.store.delete_session(session_id, cascade=bool(cascade))
            except Exception as exc:
                return gr.update(), gr.update(), hidden, render.message_html(f"Not deleted: {exc}")
            on_change()
            rows, _ = self._list(query, status, date_from, date_to, workspaces.live())
            gone = ", ".join(report.deleted_sessions)
            return rows, "", hidden, f'<div class="ss-ok">Deleted {render.esc(gone)}.</div>'

        self.confirm_btn.click(delete, inputs=[self.selected, self.cascade, *filters],
                               outputs=[self.table, self.selected, self.confirm_row, self.notice], **quiet)

    @staticmethod
    def _on_row(evt: gr.SelectData) -> Any:
        row = evt.row_value if evt.row_value is not None else None
        if not row:
            return gr.update()
        return row[0]


CARD_CLICKS_JS = (
    # Cards (data-step) open with a click, Enter or Space.
    "const pick = (card) => trigger('select_step', {step: card.dataset.step});"
    "element.addEventListener('click', (e) => { const c = e.target.closest('[data-step]'); if (c) pick(c); });"
    "element.addEventListener('keydown', (e) => {"
    " if (e.key !== 'Enter' && e.key !== ' ') return;"
    " const c = e.target.closest('[data-step]'); if (c) { e.preventDefault(); pick(c); } });"
)


def picked_step(evt: gr.EventData) -> int | str | None:
    """The card a select_step event names: a step index, 'final', or None."""
    data = getattr(evt, "_data", None) or {}
    step = data.get("step") if isinstance(data, dict) else None
    if step == "final":
        return "final"
    try:
        return int(step)
    except (TypeError, ValueError):
        return None


def _required(session_id: str | None) -> str:
    session_id = (session_id or "").strip()
    if not session_id:
        raise ValueError("Pick a session first (click a row).")
    return session_id
