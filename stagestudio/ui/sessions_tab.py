"""The Sessions tab: every stored run — search, replay, open, fork, export, import, delete.

A thin layer over the session store; the replay position per browser session is the only
state kept here."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from stagestudio.loop.events import Event
from stagestudio.ui import render
from stagestudio.ui.timeline import build_timeline

SESSION_COLUMNS = ["id", "created (UTC)", "status", "steps", "final", "prompt", "branched from"]
STATUS_FILTERS = ["any", "completed", "stopped", "cancelled", "failed", "interrupted", "running"]


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


def sessions_rows(summaries: list[Any]) -> list[list[Any]]:
    rows = []
    for s in summaries:
        final = "—" if s.passed is None else ("pass" if s.passed else "fail")
        parent = f"{s.parent_session_id} @ step {(s.branch_step or 0) + 1}" if s.parent_session_id else ""
        rows.append([s.id, render.format_time(s.created_at), s.status, s.step_count, final, s.prompt, parent])
    return rows


@dataclass
class ReplayState:
    session_id: str | None = None
    events: list[Event] = field(default_factory=list)
    position: int = 0  # number of events shown
    playing: bool = False
    selected: int | None = None  # a step the person clicked; None follows the newest


class SessionsTab:
    def __init__(self, store: Any) -> None:
        self.store = store
        self._replays: dict[str, ReplayState] = {}
        self._lock = threading.Lock()
        self._export_dir = Path(tempfile.mkdtemp(prefix="stagestudio-export-"))
        with gr.Tab("Sessions", id="sessions", elem_id="ss-tab-sessions") as self.tab:
            if store is None:
                gr.Markdown("Sessions are not stored in this app (it was started without a database).")
                self.enabled = False
                return
            self.enabled = True
            with gr.Row(equal_height=True, elem_classes="ss-filters"):
                self.search = gr.Textbox(label="Search prompts", placeholder="bear, spoon… or a session id", scale=4,
                                         elem_id="ss-search")
                self.status = gr.Dropdown(STATUS_FILTERS, value="any", label="Status", scale=1, elem_id="ss-status")
                self.date_from = gr.Textbox(label="From", placeholder="YYYY-MM-DD", scale=1, elem_id="ss-date-from")
                self.date_to = gr.Textbox(label="To", placeholder="YYYY-MM-DD", scale=1, elem_id="ss-date-to")
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
                self.delete_btn = gr.Button("Delete", variant="stop", size="sm", scale=0, min_width=80,
                                            elem_id="ss-delete")
                self.cascade = gr.Checkbox(label="with its forks", value=False, scale=0, min_width=120,
                                           elem_id="ss-cascade")
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
                    js_on_load=(
                        "element.addEventListener('click', (e) => {"
                        " const card = e.target.closest('[data-step]');"
                        " if (card) { trigger('select_step', {step: parseInt(card.dataset.step)}); } });"
                    ),
                )
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5, min_width=260):
                        self.replay_image = gr.Image(label="Canvas", type="pil", interactive=False, format="jpeg",
                                                     elem_id="ss-replay-image", height=360)
                    with gr.Column(scale=6, min_width=300):
                        self.replay_detail = gr.HTML("", elem_id="ss-replay-detail", js_on_load=None)
            self.play_timer = gr.Timer(0.5, active=False)

    # --- helpers ----------------------------------------------------------------------
    def _replay(self, request: gr.Request | None) -> ReplayState:
        key = (request.session_hash if request is not None else None) or "default"
        with self._lock:
            return self._replays.setdefault(key, ReplayState())

    def _list(self, query: str, status: str, date_from: str, date_to: str) -> tuple[list[list[Any]], str]:
        try:
            found = filter_sessions(self.store.list_sessions(), query, status, date_from, date_to)
        except FilterError as exc:
            return gr.update(), render.message_html(str(exc))
        except Exception as exc:  # locked / unreadable database
            return gr.update(), render.message_html(f"Could not read the session list: {exc}")
        return sessions_rows(found), ""

    def _replay_views(self, state: ReplayState) -> list[Any]:
        if state.session_id is None:
            return [gr.update(), "", gr.update(), None, ""]
        shown = state.events[: state.position]
        view = build_timeline(shown)
        picked = view.step(state.selected) if state.selected is not None else None
        last_step = picked or (view.steps[-1] if view.steps else None)
        if picked is None and view.status is not None:
            image = view.final_image
        else:
            image = last_step.shown.image if last_step is not None and last_step.shown is not None else None
        head = (f'<div class="ss-session-head">replaying <code>{render.esc(state.session_id)}</code> — '
                f'{render.esc(view.prompt)} · event {state.position} of {len(state.events)}</div>')
        return [
            gr.update(maximum=max(1, len(state.events)), value=state.position),
            head,
            render.timeline_html(view, selected=last_step.index if last_step else None),
            image,
            render.step_detail_html(last_step),
        ]

    # --- wiring -----------------------------------------------------------------------
    def wire(self, registry: Any, memory: Callable[[Any], Any], draw: Callable[..., list[Any]],
             studio_outputs: list[Any], tabs: gr.Tabs) -> None:
        if not self.enabled:
            return
        filters = [self.search, self.status, self.date_from, self.date_to]
        list_outputs = [self.table, self.notice]
        replay_outputs = [self.slider, self.replay_head, self.replay_timeline, self.replay_image, self.replay_detail]

        def refresh(query, status, date_from, date_to):
            return self._list(query, status, date_from, date_to)

        for event in (self.refresh.click, self.search.submit, self.status.change, self.date_from.submit,
                      self.date_to.submit):
            event(refresh, inputs=filters, outputs=list_outputs, show_progress="hidden", concurrency_limit=None)

        self.tab.select(refresh, inputs=filters, outputs=list_outputs, show_progress="hidden", concurrency_limit=None)
        self.table.select(self._on_row, inputs=None, outputs=[self.selected], show_progress="hidden",
                          concurrency_limit=None)

        def open_replay(session_id: str, request: gr.Request):
            state = self._replay(request)
            session_id = (session_id or "").strip()
            if not session_id:
                return [*self._replay_views(state), render.message_html("Pick a session first (click a row).")]
            try:
                events = list(self.store.replay(session_id, include_history=True))
            except Exception as exc:
                return [*self._replay_views(state), render.message_html(f"Could not open {session_id}: {exc}")]
            state.session_id, state.events, state.position, state.playing = session_id, events, len(events), False
            state.selected = None
            return [*self._replay_views(state), ""]

        self.open_btn.click(open_replay, inputs=[self.selected], outputs=[*replay_outputs, self.notice],
                            show_progress="hidden", concurrency_limit=None)

        def seek(position, request: gr.Request):
            state = self._replay(request)
            state.position = max(0, min(int(position or 0), len(state.events)))
            return self._replay_views(state)

        def pick(evt: gr.EventData, request: gr.Request):
            state = self._replay(request)
            data = getattr(evt, "_data", None) or {}
            step = data.get("step") if isinstance(data, dict) else None
            state.selected = int(step) if step is not None else None
            return self._replay_views(state)

        self.replay_timeline.select_step(pick, outputs=replay_outputs, show_progress="hidden",
                                         concurrency_limit=None)

        self.slider.release(seek, inputs=[self.slider], outputs=replay_outputs, show_progress="hidden",
                            concurrency_limit=None)

        def play(request: gr.Request):
            state = self._replay(request)
            if state.session_id is None:
                return [gr.update(), gr.update(active=False), *self._replay_views(state)]
            state.playing = not state.playing
            state.selected = None
            if state.playing and state.position >= len(state.events):
                state.position = 0
            label = "⏸ Pause" if state.playing else "▶ Play"
            return [gr.update(value=label), gr.update(active=state.playing), *self._replay_views(state)]

        self.play_btn.click(play, outputs=[self.play_btn, self.play_timer, *replay_outputs], show_progress="hidden",
                            concurrency_limit=None)

        def advance(request: gr.Request):
            state = self._replay(request)
            if not state.playing:
                return [gr.update(value="▶ Play"), gr.update(active=False), *[gr.skip()] * len(replay_outputs)]
            # Jump to the next event that changes the picture (skip bookkeeping events).
            state.position += 1
            while state.position < len(state.events) and state.events[state.position - 1].type in (
                    "session_started", "intervention", "refinement_planned"):
                state.position += 1
            if state.position >= len(state.events):
                state.position = len(state.events)
                state.playing = False
            label = "⏸ Pause" if state.playing else "▶ Play"
            return [gr.update(value=label), gr.update(active=state.playing), *self._replay_views(state)]

        self.play_timer.tick(advance, outputs=[self.play_btn, self.play_timer, *replay_outputs],
                             show_progress="hidden", concurrency_limit=None)

        def studio_action(fn):
            def handler(request: gr.Request, *args):
                sess = registry.get(request)
                note = ""
                switch = gr.update()
                try:
                    fn(sess, *args)
                    switch = gr.Tabs(selected="studio")
                except Exception as exc:
                    note = render.message_html(str(exc))
                return [*draw(sess, memory(request), force=True), switch, note]

            return handler

        def open_in_studio(sess, session_id):
            sess.load(self._events(session_id))

        def fork(sess, session_id, step):
            sess.load(self._events(session_id))
            k = int(step or 1) - 1
            sess.rewind(k)
            sess.wait_until(lambda s: s.first_step_at is not None or s.waiting is not None or not s.running,
                            timeout=0.8)

        self.studio_btn.click(studio_action(open_in_studio), inputs=[self.selected],
                              outputs=[*studio_outputs, tabs, self.notice], show_progress="hidden",
                              concurrency_limit=None)
        self.fork_btn.click(studio_action(fork), inputs=[self.selected, self.fork_step],
                            outputs=[*studio_outputs, tabs, self.notice], show_progress="hidden",
                            concurrency_limit=None)

        def export(session_id):
            from stagestudio.store import export_session

            session_id = (session_id or "").strip()
            if not session_id:
                return gr.update(value=None, visible=False), render.message_html("Pick a session to export.")
            try:
                path = export_session(self.store, session_id, self._export_dir / f"stagestudio-{session_id}.zip")
            except Exception as exc:
                return gr.update(value=None, visible=False), render.message_html(f"Export failed: {exc}")
            return gr.update(value=str(path), visible=True), ""

        self.export_btn.click(export, inputs=[self.selected], outputs=[self.export_file, self.notice],
                              show_progress="hidden", concurrency_limit=None)

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
                rows, _ = self._list(query, status, date_from, date_to)
                return rows, gr.update(), render.message_html(f"Import failed: {exc}")
            rows, _ = self._list(query, status, date_from, date_to)
            ok = f'<div class="ss-ok">Imported session {render.esc(result.session_id)}{render.esc(note)}.</div>'
            return rows, result.session_id, ok

        self.import_btn.upload(do_import, inputs=[self.import_btn, *filters],
                               outputs=[self.table, self.selected, self.notice], show_progress="hidden",
                               concurrency_limit=None)

        def delete(session_id, cascade, query, status, date_from, date_to):
            session_id = (session_id or "").strip()
            if not session_id:
                return gr.update(), gr.update(), render.message_html("Pick a session to delete.")
            try:
                report = self.store.delete_session(session_id, cascade=bool(cascade))
            except Exception as exc:
                return gr.update(), gr.update(), render.message_html(f"Not deleted: {exc}")
            rows, _ = self._list(query, status, date_from, date_to)
            gone = ", ".join(report.deleted_sessions)
            return rows, "", f'<div class="ss-ok">Deleted {render.esc(gone)}.</div>'

        self.delete_btn.click(delete, inputs=[self.selected, self.cascade, *filters],
                              outputs=[self.table, self.selected, self.notice], show_progress="hidden",
                              concurrency_limit=None)

    def _events(self, session_id: str) -> list[Event]:
        session_id = (session_id or "").strip()
        if not session_id:
            raise ValueError("Pick a session first (click a row).")
        return list(self.store.replay(session_id, include_history=True))

    @staticmethod
    def _on_row(evt: gr.SelectData) -> Any:
        row = evt.row_value if evt.row_value is not None else None
        if not row:
            return gr.update()
        return row[0]
