"""HTML for the studio's read-only panels: timeline cards, step and final detail, progress,
status, the review point's title, recent results.

Plain functions of view-model data, so they are unit-tested without a browser. Every
user-supplied string goes through `html.escape`."""

from __future__ import annotations

import base64
import html
import io
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timezone

from PIL import Image

from stagestudio.inspector.verdict import FactResult, Verdict
from stagestudio.loop.engine import Progress
from stagestudio.ui.timeline import StepView, TimelineView

BADGE_LABEL = {
    "pass": "pass",
    "fail": "fail",
    "unsure": "unsure",
    "overridden": "overridden",
    "skipped": "skipped",
    "working": "working…",
    "review": "your turn",
    "stopped": "not finished",
}
STAGE_LABEL = {
    "plan": "planning",
    "sketch": "sketching",
    "inspect": "inspecting",
    "refine": "refining",
    "final": "final inspection",
}
STATUS_LABEL = {
    "completed": "Completed",
    "stopped": "Stopped",
    "cancelled": "Stopped",
    "failed": "Failed",
}
FACT_MARK = {"pass": "✓", "fail": "✗", "unsure": "?", "unchecked": "–"}
FACT_WORD = {"pass": "holds", "fail": "fails", "unsure": "unsure", "unchecked": "not checked"}
THUMB_PX = 168


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


# Thumbnails of images still alive, so redrawing a timeline does not re-encode every card.
_THUMBS: dict[tuple[int, int], tuple[weakref.ref, str]] = {}
_THUMBS_LOCK = threading.Lock()
MAX_THUMBS = 512


def image_data_uri(image: Image.Image, max_px: int = THUMB_PX) -> str:
    key = (id(image), max_px)
    with _THUMBS_LOCK:
        known = _THUMBS.get(key)
        if known is not None and known[0]() is image:
            return known[1]
    thumb = image.copy()
    thumb.thumbnail((max_px, max_px))
    buf = io.BytesIO()
    thumb.convert("RGB").save(buf, format="JPEG", quality=85)
    uri = "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    with _THUMBS_LOCK:
        if len(_THUMBS) >= MAX_THUMBS:
            _THUMBS.clear()
        _THUMBS[key] = (weakref.ref(image), uri)
    return uri


def badge(kind: str) -> str:
    return f'<span class="ss-badge ss-badge-{esc(kind)}">{esc(BADGE_LABEL.get(kind, kind))}</span>'


def step_badge(step: StepView, running: bool, waiting_plan_step: int | None) -> str:
    """The badge kind of a card: its verdict or outcome, else what the run is doing with it
    (working on it, waiting for the person to review its plan, or ended before finishing it)."""
    kind = step.badge
    if kind != "pending":
        return kind
    if waiting_plan_step == step.index:
        return "review"
    return "working" if running else "stopped"


def _attempt_chips(step: StepView) -> str:
    chips = []
    for a in step.attempts:
        if a.verdict is None:
            state = "pending"
        elif a.overridden_to is not None:
            state = "overridden"
        else:
            state = a.verdict.label
        label = "sketch" if a.attempt == 0 else f"refine {a.attempt}" if a.stage == "refine" else f"re-sketch {a.attempt}"
        chips.append(f'<span class="ss-chip ss-chip-{state}" title="{esc(a.instruction)}">{esc(label)}</span>')
    return "".join(chips)


def _card_attrs(key: str, label: str, classes: list[str]) -> str:
    # Cards open with a click, Enter or Space (the page's script turns those into select_step).
    return (f'class="{" ".join(classes)}" data-step="{esc(key)}" role="button" tabindex="0" '
            f'aria-label="{esc(label)}" title="{esc(label)}"')


def timeline_html(view: TimelineView, selected: int | str | None = None, waiting_step: int | None = None,
                  running: bool = False, waiting_kind: str | None = None) -> str:
    """One clickable card per step and one for the final inspection (data-step carries the
    step index, or "final", for the click handler)."""
    if not view.steps:
        if view.session_id is None:
            return (
                '<div class="ss-empty"><div class="ss-empty-title">No steps yet</div>'
                "<div>Write a prompt and press <b>Run</b> (or Ctrl+Enter): each planned step appears here with its "
                "sketch and the inspector's verdict.</div></div>"
            )
        if not running:
            return '<div class="ss-empty"><div class="ss-empty-title">The run ended before its first step.</div></div>'
        return '<div class="ss-empty"><div class="ss-empty-title">Planning the first step…</div></div>'
    waiting_plan = waiting_step if waiting_kind == "plan" else None
    cards = []
    for step in view.steps:
        shown = step.shown
        if shown is not None and shown.image is not None:
            thumb = f'<img class="ss-thumb" alt="sketch of step {step.index + 1}" src="{image_data_uri(shown.image)}"/>'
        elif step.outcome == "skipped":
            thumb = '<div class="ss-thumb ss-thumb-empty">skipped</div>'
        elif running and waiting_plan != step.index:
            thumb = '<div class="ss-thumb ss-thumb-empty"><span class="ss-spinner"></span></div>'
        else:
            thumb = '<div class="ss-thumb ss-thumb-empty">no sketch</div>'
        classes = ["ss-card"]
        if selected == step.index:
            classes.append("ss-card-selected")
        if waiting_step == step.index:
            classes.append("ss-card-waiting")
        kind = step_badge(step, running, waiting_plan)
        cards.append(
            f"<div {_card_attrs(str(step.index), f'Open step {step.index + 1}', classes)}>"
            f'<div class="ss-card-head"><span class="ss-step-no">Step {step.index + 1}</span>{badge(kind)}</div>'
            f"{thumb}"
            f'<div class="ss-card-ins">{esc(step.instruction)}</div>'
            f'<div class="ss-card-des">{esc(step.description)}</div>'
            f'<div class="ss-chips">{_attempt_chips(step)}'
            + ('<span class="ss-chip ss-chip-inherited" title="done in the parent session">from parent</span>'
               if step.inherited else "")
            + "</div>"
            "</div>"
        )
    if view.final_verdict is not None:
        final = view.final_verdict
        holds = sum(f.passed for f in final.facts)
        classes = ["ss-card", "ss-card-final"] + (["ss-card-selected"] if selected == "final" else [])
        cards.append(
            f"<div {_card_attrs('final', 'Open the final inspection', classes)}>"
            f'<div class="ss-card-head"><span class="ss-step-no">Final</span>{badge(final.label)}</div>'
            f'<div class="ss-final-score">{holds}/{len(final.facts)}</div>'
            '<div class="ss-card-des">facts of the whole prompt hold — open to see each</div>'
            "</div>"
        )
    return f'<div class="ss-timeline">{"".join(cards)}</div>'


def fact_html(f: FactResult) -> str:
    """One fact: its mark and status word, and on hover (and in the text, for model
    inspectors) the question asked, the raw answer and p(yes)."""
    hover = []
    if f.question:
        hover.append(f"Q: {f.question}")
    if f.answer:
        hover.append(f"A: {f.answer}")
    if f.p_yes is not None:
        hover.append(f"p(yes) = {f.p_yes:.2f}")
    detail = ""
    if f.expected or f.observed:
        detail = f'<span class="ss-muted">expected {esc(f.expected or "—")} · saw {esc(f.observed or "—")}</span>'
    if f.p_yes is not None:
        detail += f' <span class="ss-pyes">p(yes) {f.p_yes:.2f}</span>'
    title = f' title="{esc(" · ".join(hover))}"' if hover else ""
    return (
        f'<li class="ss-fact ss-fact-{esc(f.status)}"{title}><span class="ss-mark">{FACT_MARK[f.status]}</span>'
        f'<span class="ss-kind">{esc(f.kind)}</span><span class="ss-fact-text">{esc(f.fact)}</span>'
        f'<span class="ss-fact-status">{esc(FACT_WORD[f.status])}</span>{detail}</li>'
    )


def verdict_html(verdict: Verdict | None, overridden_to: bool | None = None) -> str:
    if verdict is None:
        return '<div class="ss-muted">Not inspected yet.</div>'
    # Failed facts first: they are what a person opens the verdict for.
    order = {"fail": 0, "unsure": 1, "unchecked": 2, "pass": 3}
    rows = [fact_html(f) for f in sorted(verdict.facts, key=lambda f: order[f.status])]
    head = badge(verdict.label)
    if overridden_to is not None:
        head += " " + badge("overridden") + f' <span class="ss-muted">→ {"kept" if overridden_to else "rejected"}</span>'
    parts = [f'<div class="ss-verdict-head">Inspector verdict {head}</div>', f'<ul class="ss-facts">{"".join(rows)}</ul>']
    if verdict.critique:
        tone = "ss-critique-ok" if verdict.passed else "ss-critique"
        parts.append(f'<div class="{tone}"><b>Critique.</b> {esc(verdict.critique)}</div>')
    if verdict.correction:
        parts.append(f'<div class="ss-correction"><b>Corrective instruction.</b> {esc(verdict.correction)}</div>')
    return "".join(parts)


def step_detail_html(step: StepView | None) -> str:
    if step is None:
        return '<div class="ss-empty ss-empty-small">Click a step in the timeline to open it.</div>'
    shown = step.shown
    parts = [
        f'<div class="ss-detail-title">Step {step.index + 1} {badge(step.badge if step.badge != "pending" else "working")}'
        + (' <span class="ss-src">edited by you</span>' if step.source == "user" else "")
        + "</div>",
        f'<div class="ss-detail-ins">{esc(step.instruction)}</div>',
        f'<div class="ss-detail-des">{esc(step.description)}</div>',
    ]
    if shown is not None:
        parts.append(verdict_html(shown.verdict, shown.overridden_to))
    if len(step.attempts) > 1:
        items = []
        for a in step.attempts:
            img = f'<img src="{image_data_uri(a.image, 72)}" alt=""/>' if a.image is not None else ""
            state = "…" if a.verdict is None else a.verdict.label
            label = "sketch" if a.attempt == 0 else f"attempt {a.attempt} ({a.stage})"
            items.append(
                f'<div class="ss-attempt">{img}<div><b>{esc(label)}</b> · {esc(state)}'
                f'<div class="ss-muted">{esc(a.instruction)}</div></div></div>'
            )
        parts.append(f'<div class="ss-attempts"><div class="ss-subhead">Attempts</div>{"".join(items)}</div>')
    return "".join(parts)


def final_detail_html(view: TimelineView) -> str:
    """The final inspection of the whole prompt: every fact, failed ones first."""
    if view.final_verdict is None:
        return '<div class="ss-empty ss-empty-small">There is no final inspection for this session.</div>'
    final = view.final_verdict
    holds = sum(f.passed for f in final.facts)
    return (
        f'<div class="ss-detail-title">Final inspection {badge(final.label)}</div>'
        f'<div class="ss-detail-des">{holds} of {len(final.facts)} facts of the whole prompt hold on the final picture.'
        "</div>" + verdict_html(final)
    )


def progress_html(progress: Progress | None, view: TimelineView, running: bool, paused: bool,
                  waiting: str | None, version: int | None = None, workspace: str | None = None) -> str:
    """The loop bar (step i of n, stage) and, for model backends, the denoising bar.
    `version` and `workspace` stamp what was drawn (tests and debugging read them)."""
    stamp = f' data-version="{version}"' if version is not None else ""
    stamp += f' data-workspace="{esc(workspace)}"' if workspace is not None else ""
    if not running:
        if view.status is None and view.session_id is None:
            return f'<div class="ss-progress ss-idle"{stamp}>Ready.</div>'
        if view.status is None:  # a loaded, unfinished session
            return f'<div class="ss-progress ss-idle"{stamp}>This session did not finish.</div>'
        label = STATUS_LABEL.get(view.status, view.status)
        verdict = ""
        if view.final_verdict is not None:
            verdict = " — final inspection " + badge(view.final_verdict.label)
        elif view.passed is not None:
            verdict = " — final inspection " + badge("pass" if view.passed else "fail")
        steps = len(view.steps)
        return (
            f'<div class="ss-progress ss-done-{esc(view.status)}"{stamp}><b>{esc(label)}</b> · {steps} step(s){verdict}'
            '<div class="ss-bar"><div class="ss-bar-fill" style="width:100%"></div></div></div>'
        )
    if waiting:
        # The engine is idle: what counts is that it waits for the person, not a stage.
        step_text = f"step {view.steps[-1].index + 1 if view.steps else 1}"
        if progress is not None:
            step_text = f"step {progress.step_index + 1} of {max(progress.steps_hint, progress.step_index + 1)}"
        what = "review the plan" if waiting == "plan" else "review the verdict"
        return (f'<div class="ss-progress ss-waiting"{stamp}><b>{esc(step_text)}</b> · '
                f'<span class="ss-wait">waiting for you: {what}</span>'
                '<div class="ss-bar"><div class="ss-bar-fill ss-bar-wait" style="width:100%"></div></div></div>')
    if progress is None:
        return (f'<div class="ss-progress"{stamp}><b>Starting…</b>'
                '<div class="ss-bar"><div class="ss-bar-fill ss-bar-indef"></div></div></div>')
    total = max(progress.steps_hint, progress.step_index + 1)
    stage_share = {"plan": 0.05, "sketch": 0.3, "inspect": 0.6, "refine": 0.75, "final": 0.95}.get(progress.stage, 0.5)
    fraction = 1.0 if progress.stage == "final" else (progress.step_index + stage_share) / total
    step_text = "final inspection" if progress.stage == "final" else f"step {progress.step_index + 1} of {total}"
    stage = STAGE_LABEL.get(progress.stage, progress.stage)
    if progress.attempt:
        stage += f" (attempt {progress.attempt})"
    state = ' <span class="ss-wait">paused — will stop at the next review point</span>' if paused else ""
    out = (
        f'<div class="ss-progress"{stamp}><b>{esc(step_text)}</b> · {esc(stage)}{state}'
        f'<div class="ss-bar"><div class="ss-bar-fill" style="width:{fraction * 100:.1f}%"></div></div>'
    )
    if progress.denoise_total:
        d = (progress.denoise_step or 0) / progress.denoise_total
        out += (
            f'<div class="ss-denoise">denoising {progress.denoise_step}/{progress.denoise_total}'
            f'<div class="ss-bar ss-bar-thin"><div class="ss-bar-fill" style="width:{d * 100:.1f}%"></div></div></div>'
        )
    return out + "</div>"


def message_html(message: str | None, errors: list[str] | None = None) -> str:
    items = [m for m in [message, *(errors or [])] if m]
    if not items:
        return ""
    seen: list[str] = []
    for m in items:
        if m not in seen and not any(m in s for s in seen):
            seen.append(m)
    return "".join(f'<div class="ss-alert" role="alert">{esc(m)}</div>' for m in seen)


def notice_html(message: str | None) -> str:
    """A neutral note (not an error), e.g. 'Graph saved'."""
    return f'<div class="ss-note" role="status">{esc(message)}</div>' if message else ""


def header_html(view: TimelineView, seed_drawn: bool = False, seed_note: str | None = None) -> str:
    if view.session_id is None:
        return ""
    fork = ""
    if view.parent_session_id:
        fork = (f' · <span class="ss-fork">branched from {esc(view.parent_session_id)} '
                f'at step {(view.branch_step or 0) + 1}</span>')
    from stagestudio.ui.backend_settings import non_default_summary

    changed = non_default_summary(view.backend, view.backend_settings)
    settings = f' <span class="ss-settings">({esc(changed)})</span>' if changed else ""
    random_note = ' <span class="ss-muted">(random: -1 drew it)</span>' if seed_drawn else ""
    if seed_note:
        random_note += f' <span class="ss-muted ss-seed-note">({esc(seed_note)})</span>'
    return (
        f'<div class="ss-session-head">session <code>{esc(view.session_id)}</code> · '
        f'{esc(view.backend)}{settings} · seed <code class="ss-seed-used">{esc(view.seed)}</code>{random_note}{fork}</div>'
    )


def steer_title_html(view: TimelineView, waiting: str | None, step: StepView | None, attempts_left: int | None,
                     running: bool) -> str:
    """What the decision buttons act on, in words: which step, and what the run waits for."""
    if waiting is None or step is None:
        if running:
            return '<div class="ss-steer-title ss-muted">The run is working; in step mode it stops here for you.</div>'
        return ('<div class="ss-steer-title ss-muted">Use <b>Step</b> mode (or Pause) to review each plan '
                "and verdict here.</div>")
    if waiting == "plan":
        return (f'<div class="ss-steer-title"><b>Step {step.index + 1}: review the plan.</b> '
                "Sketch it as planned, edit its instruction first, or skip it.</div>")
    latest = step.latest
    verdict = latest.verdict if latest is not None else None
    if verdict is None:
        return f'<div class="ss-steer-title"><b>Step {step.index + 1}: review the verdict.</b></div>'
    holds = sum(f.passed for f in verdict.facts)
    what = {"pass": "the inspector passed this sketch", "fail": "the inspector failed this sketch",
            "unsure": "the inspector could not confirm this sketch"}[verdict.label]
    left = ""
    if verdict.label == "fail":
        left = (f" {attempts_left} automatic refinement(s) left." if attempts_left
                else " No automatic refinements left.")
    return (f'<div class="ss-steer-title"><b>Step {step.index + 1}: {what}</b> {badge(verdict.label)} '
            f'<span class="ss-muted">({holds} of {len(verdict.facts)} facts hold.{left})</span></div>')


@dataclass(frozen=True)
class HistoryItem:
    session_id: str
    prompt: str
    status: str
    thumb: str | None  # a data URI, or None when the session has no picture


def history_html(items: list[HistoryItem], current: str | None = None) -> str:
    """Recent results as thumbnails; a click opens the session in the studio."""
    if not items:
        return ""
    tiles = []
    for item in items:
        picture = (f'<img src="{item.thumb}" alt=""/>' if item.thumb
                   else '<div class="ss-history-empty">no picture</div>')
        classes = "ss-history-item" + (" ss-history-current" if item.session_id == current else "")
        tiles.append(
            f'<div class="{classes}" data-session="{esc(item.session_id)}" role="button" tabindex="0" '
            f'title="{esc(item.prompt)} ({esc(item.status)})">{picture}'
            f'<div class="ss-history-prompt">{esc(item.prompt)}</div></div>'
        )
    return f'<div class="ss-history"><div class="ss-subhead">Recent results</div><div class="ss-history-row">{"".join(tiles)}</div></div>'


def format_time(ts: float | str | datetime | None) -> str:
    if ts is None:
        return ""
    if isinstance(ts, str):
        return ts[:16].replace("T", " ")
    if isinstance(ts, datetime):
        return ts.strftime("%Y-%m-%d %H:%M")
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")
