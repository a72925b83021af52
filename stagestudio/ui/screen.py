"""The whole studio screen as a function of one workspace: every output's value, and a key
that says whether it changed.

A tab's stream (stream.py) calls `compose` after every change and sends only the outputs whose
key differs from what it sent last, in one ordered stream. Nothing else writes these outputs,
so a newer screen can never be overwritten by an older one. `Screen.summary` describes the
same screen in plain data, for tests that compare a page with the server."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from stagestudio.scene.graph import SceneGraph
from stagestudio.ui import render
from stagestudio.ui.backend_settings import form_values
from stagestudio.ui.graph_view import graph_html
from stagestudio.ui.session import StudioSession
from stagestudio.ui.timeline import StepView, TimelineView

# The buttons whose state the screen sets, by output name.
BUTTONS = ("accept", "override", "resketch", "correct", "skip", "rewind", "run", "pause", "stop")
MESSAGE_OUTPUTS = {"main": "message", "run": "run_message", "graph": "graph_message", "steer": "steer_message"}


@dataclass(frozen=True)
class Part:
    """One output: `key` decides whether it changed, `update` is what to send when it did."""

    key: Hashable
    update: Any


@dataclass
class Screen:
    parts: dict[str, Part]
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScreenContext:
    """What the screen needs besides the workspace."""

    image_file: Callable[[Any], str]  # a picture -> a file path the browser can fetch
    form_fields: Sequence[tuple[str, str]] = ()  # the backend-settings form, (backend, setting) in order
    backend_values: frozenset[str] = frozenset()  # backends the picker offers
    history: Callable[[StudioSession], list[render.HistoryItem]] = lambda ws: []


# --- graph drawings are the slowest part: keep the recent ones ---------------------------
_GRAPH_HTML: OrderedDict[str, str] = OrderedDict()
_GRAPH_LOCK = threading.Lock()


def cached_graph_html(graph: SceneGraph | None) -> str:
    key = graph.model_dump_json() if graph is not None else ""
    with _GRAPH_LOCK:
        if key in _GRAPH_HTML:
            _GRAPH_HTML.move_to_end(key)
            return _GRAPH_HTML[key]
    out = graph_html(graph)
    with _GRAPH_LOCK:
        _GRAPH_HTML[key] = out
        while len(_GRAPH_HTML) > 64:
            _GRAPH_HTML.popitem(last=False)
    return out


def _value(value: Any) -> Part:
    return Part(value, value)


def _button(on: bool, label: str) -> Part:
    return Part((on, label), gr.update(interactive=on, value=label))


def _shown_step(view: TimelineView, sess: StudioSession, waiting_index: int | None) -> StepView | None:
    """The step the detail and the large image show: the one waiting for a decision, else the
    one the person opened, else the newest."""
    index = waiting_index if waiting_index is not None else sess.selected_step
    step = view.step(index) if isinstance(index, int) else None
    if step is None and view.steps and sess.selected_step != "final":
        step = view.steps[-1]
    return step


def _big_picture(view: TimelineView, sess: StudioSession, step: StepView | None, waiting: str | None,
                 running: bool) -> tuple[Any, str]:
    """The large image and its label: the final picture when a run is done (or the Final card
    is open), else the shown step's sketch, else the canvas so far."""
    finished = not running and view.status is not None
    if sess.selected_step == "final" or (finished and sess.selected_step is None and view.final_image is not None):
        return view.final_image, "Final picture"
    if step is not None and step.shown is not None and step.shown.image is not None and waiting != "plan":
        attempt = step.shown.attempt
        which = "sketch" if attempt == 0 else f"attempt {attempt}"
        return step.shown.image, f"Step {step.index + 1} · {which}"
    canvas = view.final_image
    return canvas, "Canvas so far" if canvas is not None else "Picture"


def _decision_labels(waiting: str | None, verdict_label: str | None, attempts_left: int) -> dict[str, str]:
    """What each decision button does at this review point, in its label."""
    labels = {"accept": "✓ Accept", "override": "✓ Keep this picture", "resketch": "Edit instruction & re-sketch",
              "correct": "Refine with my correction", "skip": "Skip step"}
    if waiting == "plan":
        labels.update(accept="✓ Sketch this step", resketch="Edit instruction & sketch")
    elif waiting == "verdict":
        if verdict_label == "pass":
            labels.update(accept="✓ Accept & continue", override="✗ Reject & refine")
        elif verdict_label == "unsure":
            labels.update(accept="Continue (unconfirmed)")
        elif attempts_left > 0:
            labels.update(accept="↻ Refine (suggested fix)")
        else:
            labels.update(accept="Continue (step stays failed)")
    return labels


def compose(sess: StudioSession, ctx: ScreenContext) -> Screen:
    with sess.lock:  # one consistent moment of the workspace
        version = sess.version
        running = sess.running
        waiting = sess.waiting
        token = sess.review_token
        paused = sess.paused
        progress = sess.progress
        message, area, note = sess.message, sess.message_area, sess.message_is_note
        view = sess.timeline()
        graph = sess.graph
        tables, tables_version = sess.tables, sess.tables_version
        request, loaded_token = sess.request, sess.loaded_token
        seed_drawn, seed_note = sess.seed_drawn, sess.seed_note
    wait_kind, review = waiting if waiting else (None, None)
    waiting_index = review.step.index if review is not None else None
    step = _shown_step(view, sess, waiting_index)
    parts: dict[str, Part] = {}

    parts["progress"] = _value(render.progress_html(progress, view, running, paused, wait_kind, version, sess.id))
    for where, name in MESSAGE_OUTPUTS.items():
        text = message if area == where else None
        errors = view.errors if where == "main" else None
        if note:
            parts[name] = _value(render.notice_html(text))
        else:
            parts[name] = _value(render.message_html(text, errors))
    parts["header"] = _value(render.header_html(view, seed_drawn, None if seed_drawn else seed_note))

    picture, label = _big_picture(view, sess, step, wait_kind, running)
    path = ctx.image_file(picture) if picture is not None else None
    parts["image"] = Part((path, label), gr.update(value=path, label=label))

    attempts_left = review.attempts_left if review is not None else 0
    parts["steer_title"] = _value(render.steer_title_html(view, wait_kind, step if review else None,
                                                          attempts_left, running))
    parts["timeline"] = _value(render.timeline_html(
        view, selected=sess.selected_step if sess.selected_step is not None else (step.index if step else None),
        waiting_step=waiting_index, running=running, waiting_kind=wait_kind))
    parts["detail"] = _value(render.final_detail_html(view) if sess.selected_step == "final"
                             else render.step_detail_html(step))
    history = ctx.history(sess)
    parts["history"] = _value(render.history_html(history, view.session_id))

    # Editors: refilled only when what they edit changed, never under the person's typing.
    editor_key = (sess.id, view.session_id, wait_kind, token, step.index if step is not None else None)
    if review is not None:
        ins_value = review.step.instruction
        corr_value = review.verdict.correction if review.verdict is not None else ""
    elif step is not None:
        ins_value = step.instruction
        latest = step.latest
        corr_value = latest.verdict.correction if latest and latest.verdict else ""
    else:
        ins_value, corr_value = "", ""
    parts["instruction"] = Part(editor_key, gr.update(value=ins_value))
    parts["correction"] = Part(editor_key, gr.update(value=corr_value))

    verdict = review.verdict if review is not None else None
    labels = _decision_labels(wait_kind, verdict.label if verdict is not None else None, attempts_left)
    at_verdict = wait_kind == "verdict"
    rewind_step = step.index if step is not None else None
    can_rewind = not running and rewind_step is not None and view.session_id is not None
    step_mode = request is not None and request.step_mode
    states = {
        "accept": (waiting is not None, labels["accept"]),
        "override": (at_verdict, labels["override"]),
        "resketch": (waiting is not None, labels["resketch"]),
        "correct": (at_verdict, labels["correct"]),
        "skip": (waiting is not None, labels["skip"]),
        "rewind": (can_rewind, f"↺ Rewind to step {rewind_step + 1}" if can_rewind else "↺ Rewind to here"),
        "run": (not running, "▶ Run"),
        "pause": (running and not step_mode, "▶ Resume" if paused else "Pause"),
        "stop": (running, "■ Stop"),
    }
    for name in BUTTONS:
        parts[name] = _button(*states[name])

    parts["graph"] = _value(cached_graph_html(graph))
    parts["objects"] = Part((sess.id, tables_version), gr.update(value=tables[0]))
    parts["relations"] = Part((sess.id, tables_version), gr.update(value=tables[1]))

    # The form shows the workspace's run again when a tab (re)attaches or a stored session is
    # opened; a run started from the form leaves what the person typed alone.
    form_key = (sess.id, loaded_token)
    for name, update in _form_updates(request, ctx).items():
        parts[name] = Part(form_key, update)

    parts["review_token"] = _value(token)
    parts["url_session"] = _value(view.session_id or "")

    cards = [render.step_badge(s, running, waiting_index if wait_kind == "plan" else None) for s in view.steps]
    summary = {
        "workspace": sess.id,
        "version": version,
        "session_id": view.session_id,
        "status": view.status,
        "running": running,
        "waiting": wait_kind,
        "review_token": token,
        "cards": cards + (["final:" + view.final_verdict.label] if view.final_verdict is not None else []),
        "buttons": {name: states[name] for name in BUTTONS},
    }
    return Screen(parts, summary)


def _form_updates(request: Any, ctx: ScreenContext) -> dict[str, Any]:
    names = ["prompt", "seed", "max_refines", "mode", "backend"] + [f"form:{b}:{s}" for b, s in ctx.form_fields]
    if request is None:
        return {name: gr.skip() for name in names}
    known = request.backend in ctx.backend_values
    updates: dict[str, Any] = {
        "prompt": gr.update(value=request.prompt),
        "seed": gr.update(value=str(request.seed if request.seed is not None else -1)),
        "max_refines": gr.update(value=request.max_refines),
        "mode": gr.update(value="step" if request.step_mode else "auto"),
        "backend": gr.update(value=request.backend) if known else gr.skip(),
    }
    shown = form_values(request.backend, request.backend_settings) if known else {}
    for backend, setting in ctx.form_fields:
        has = backend == request.backend and setting in shown
        updates[f"form:{backend}:{setting}"] = gr.update(value=shown[setting]) if has else gr.skip()
    return updates
