"""HTML for the studio's read-only panels: timeline cards, step detail, progress, status.

Plain functions of view-model data, so they are unit-tested without a browser. Every
user-supplied string goes through `html.escape`."""

from __future__ import annotations

import base64
import html
import io
from datetime import datetime, timezone

from PIL import Image

from stagestudio.inspector.verdict import Verdict
from stagestudio.loop.engine import Progress
from stagestudio.ui.timeline import StepView, TimelineView

BADGE_LABEL = {
    "pass": "pass",
    "fail": "fail",
    "overridden": "overridden",
    "skipped": "skipped",
    "pending": "working…",
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
THUMB_PX = 168


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def image_data_uri(image: Image.Image, max_px: int = THUMB_PX) -> str:
    thumb = image.copy()
    thumb.thumbnail((max_px, max_px))
    buf = io.BytesIO()
    thumb.convert("RGB").save(buf, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def badge(kind: str) -> str:
    return f'<span class="ss-badge ss-badge-{esc(kind)}">{esc(BADGE_LABEL.get(kind, kind))}</span>'


def _attempt_chips(step: StepView) -> str:
    chips = []
    for a in step.attempts:
        if a.verdict is None:
            state = "pending"
        elif a.overridden_to is not None:
            state = "overridden"
        else:
            state = "pass" if a.verdict.passed else "fail"
        label = "sketch" if a.attempt == 0 else f"refine {a.attempt}" if a.stage == "refine" else f"re-sketch {a.attempt}"
        chips.append(f'<span class="ss-chip ss-chip-{state}" title="{esc(a.instruction)}">{esc(label)}</span>')
    return "".join(chips)


def timeline_html(view: TimelineView, selected: int | None = None, waiting_step: int | None = None) -> str:
    """One clickable card per step (data-step carries the index for the click handler)."""
    if not view.steps:
        if view.session_id is None:
            return (
                '<div class="ss-empty"><div class="ss-empty-title">No steps yet</div>'
                "<div>Write a prompt and press <b>Run</b>: each planned step appears here with its sketch "
                "and the inspector's verdict.</div></div>"
            )
        return '<div class="ss-empty"><div class="ss-empty-title">Planning the first step…</div></div>'
    cards = []
    for step in view.steps:
        shown = step.shown
        if shown is not None and shown.image is not None:
            thumb = f'<img class="ss-thumb" alt="sketch of step {step.index + 1}" src="{image_data_uri(shown.image)}"/>'
        elif step.outcome == "skipped":
            thumb = '<div class="ss-thumb ss-thumb-empty">skipped</div>'
        else:
            thumb = '<div class="ss-thumb ss-thumb-empty"><span class="ss-spinner"></span></div>'
        classes = ["ss-card"]
        if selected == step.index:
            classes.append("ss-card-selected")
        if waiting_step == step.index:
            classes.append("ss-card-waiting")
        cards.append(
            f'<div class="{" ".join(classes)}" data-step="{step.index}" role="button" tabindex="0" '
            f'title="Open step {step.index + 1}">'
            f'<div class="ss-card-head"><span class="ss-step-no">Step {step.index + 1}</span>{badge(step.badge)}</div>'
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
        facts = sum(f.passed for f in final.facts)
        cards.append(
            '<div class="ss-card ss-card-final">'
            f'<div class="ss-card-head"><span class="ss-step-no">Final</span>{badge("pass" if final.passed else "fail")}</div>'
            f'<div class="ss-final-score">{facts}/{len(final.facts)}</div>'
            '<div class="ss-card-des">facts of the whole prompt hold</div>'
            "</div>"
        )
    return f'<div class="ss-timeline">{"".join(cards)}</div>'


def verdict_html(verdict: Verdict | None, overridden_to: bool | None = None) -> str:
    if verdict is None:
        return '<div class="ss-muted">Not inspected yet.</div>'
    rows = []
    for f in verdict.facts:
        mark = "✓" if f.passed else "✗"
        detail = ""
        if f.expected or f.observed:
            detail = f'<span class="ss-muted">expected {esc(f.expected or "—")} · saw {esc(f.observed or "—")}</span>'
        rows.append(
            f'<li class="ss-fact ss-fact-{"ok" if f.passed else "bad"}"><span class="ss-mark">{mark}</span>'
            f'<span class="ss-kind">{esc(f.kind)}</span><span class="ss-fact-text">{esc(f.fact)}</span>{detail}</li>'
        )
    head = badge("pass" if verdict.passed else "fail")
    if overridden_to is not None:
        head += " " + badge("overridden") + f' <span class="ss-muted">→ {"pass" if overridden_to else "fail"}</span>'
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
        f'<div class="ss-detail-title">Step {step.index + 1} {badge(step.badge)}'
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
            img = f'<img src="{image_data_uri(a.image, 72)}"/>' if a.image is not None else ""
            state = "…" if a.verdict is None else ("pass" if a.verdict.passed else "fail")
            label = "sketch" if a.attempt == 0 else f"attempt {a.attempt} ({a.stage})"
            items.append(
                f'<div class="ss-attempt">{img}<div><b>{esc(label)}</b> · {esc(state)}'
                f'<div class="ss-muted">{esc(a.instruction)}</div></div></div>'
            )
        parts.append(f'<div class="ss-attempts"><div class="ss-subhead">Attempts</div>{"".join(items)}</div>')
    return "".join(parts)


def progress_html(progress: Progress | None, view: TimelineView, running: bool, paused: bool,
                  waiting: str | None) -> str:
    """The loop bar (step i of n, stage) and, for model backends, the denoising bar."""
    if not running:
        if view.status is None and view.session_id is None:
            return '<div class="ss-progress ss-idle">Ready.</div>'
        if view.status is None:  # a loaded, unfinished session
            return '<div class="ss-progress ss-idle">This session did not finish.</div>'
        label = STATUS_LABEL.get(view.status, view.status)
        verdict = ""
        if view.passed is not None:
            verdict = " — final inspection " + badge("pass" if view.passed else "fail")
        steps = len(view.steps)
        return (
            f'<div class="ss-progress ss-done-{esc(view.status)}"><b>{esc(label)}</b> · {steps} step(s){verdict}'
            '<div class="ss-bar"><div class="ss-bar-fill" style="width:100%"></div></div></div>'
        )
    if progress is None:
        return ('<div class="ss-progress"><b>Starting…</b>'
                '<div class="ss-bar"><div class="ss-bar-fill ss-bar-indef"></div></div></div>')
    total = max(progress.steps_hint, progress.step_index + 1)
    stage_share = {"plan": 0.05, "sketch": 0.3, "inspect": 0.6, "refine": 0.75, "final": 0.95}.get(progress.stage, 0.5)
    fraction = 1.0 if progress.stage == "final" else (progress.step_index + stage_share) / total
    step_text = "final inspection" if progress.stage == "final" else f"step {progress.step_index + 1} of {total}"
    stage = STAGE_LABEL.get(progress.stage, progress.stage)
    if progress.attempt:
        stage += f" (attempt {progress.attempt})"
    state = ""
    if waiting:
        state = ' <span class="ss-wait">waiting for you: ' + ("review the plan" if waiting == "plan" else "review the verdict") + "</span>"
    elif paused:
        state = ' <span class="ss-wait">paused — will stop at the next review point</span>'
    out = (
        f'<div class="ss-progress"><b>{esc(step_text)}</b> · {esc(stage)}{state}'
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
    return "".join(f'<div class="ss-alert">{esc(m)}</div>' for m in seen)


def header_html(view: TimelineView) -> str:
    if view.session_id is None:
        return ""
    fork = ""
    if view.parent_session_id:
        fork = (f' · <span class="ss-fork">branched from {esc(view.parent_session_id)} '
                f'at step {(view.branch_step or 0) + 1}</span>')
    from stagestudio.ui.backend_settings import non_default_summary

    changed = non_default_summary(view.backend, view.backend_settings)
    settings = f' <span class="ss-settings">({esc(changed)})</span>' if changed else ""
    return (
        f'<div class="ss-session-head">session <code>{esc(view.session_id)}</code> · '
        f'{esc(view.backend)}{settings} · seed {esc(view.seed)}{fork}</div>'
    )


def format_time(ts: float | str | datetime | None) -> str:
    if ts is None:
        return ""
    if isinstance(ts, str):
        return ts[:16].replace("T", " ")
    if isinstance(ts, datetime):
        return ts.strftime("%Y-%m-%d %H:%M")
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")
