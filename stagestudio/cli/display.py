"""Terminal rendering of loop events, shared by `run` and `sessions replay`, and escaping
of anything user-supplied before it reaches the terminal.

Prompts, instructions, critiques and ids can come from an imported archive or the studio's
API: printed raw, an ESC sequence in them could retitle, recolour or erase the terminal.
Every value that came from user data goes through `safe_text` (or `safe_json`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from stagestudio.loop.events import Event

GREEN, RED, YELLOW, DIM, BOLD, RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[1m", "\033[0m"

# C0 and C1 control characters and DEL, plus the invisible characters that reorder or
# break lines (bidi overrides and isolates, line/paragraph separators).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Inside JSON strings: json.dumps already escapes C0; these it leaves raw.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(value: Any) -> str:
    """`value` as text with every control character shown as an escape (\\x1b, \\n, ...)."""
    return _CONTROL.sub(_escape, str(value))


def safe_json(data: Any, **kwargs: Any) -> str:
    """json.dumps that leaves no raw control character in its output (still valid JSON)."""
    text = json.dumps(data, ensure_ascii=False, **kwargs)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line_message(text: Any) -> str:
    """An error message as one safe line (multi-line messages are joined with ' | ')."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return safe_text(" | ".join(lines))


class EventPrinter:
    def __init__(self, color: bool = False) -> None:
        self.color = color

    def _c(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.color else text

    def format(self, event: Event) -> str | None:
        u = safe_text  # every value below that came from a prompt, a model or a person
        t = event.type
        if t == "session_started":
            lines = [self._c(BOLD, f"session {u(event.session_id)}  backend={u(event.backend)}  seed={event.seed}"),
                     f"prompt: {u(event.prompt)}", "scene graph:"]
            for o in event.graph.objects:
                attrs = o.attributes.phrase()
                lines.append(f"  {u(o.id)}: {o.count} x {u(o.name)}" + (f" [{u(attrs)}]" if attrs else ""))
            for r in event.graph.relations:
                lines.append(f"  {u(r.subject)} --{u(r.predicate)}--> {u(r.object)}")
            if event.parent_session_id:
                lines.append(f"branched from {u(event.parent_session_id)} at step {event.branch_step}")
            return "\n".join(lines)
        if t == "step_planned":
            s = event.step
            src = "" if s.source == "planner" else f" ({u(s.source)})"
            return (self._c(BOLD, f"\n[step {s.index + 1}] plan{src}: {u(s.instruction)}")
                    + "\n" + self._c(DIM, f"          scene: {u(s.description)}"))
        if t == "sketch_ready":
            label = "sketch" if event.stage == "sketch" else f"refine #{event.attempt}"
            return f"  {label}: done in {event.duration_s * 1000:.0f} ms (seed {event.seed})"
        if t == "verdict_ready":
            v = event.verdict
            badge = self._c(GREEN, "PASS") if v.passed else self._c(RED, "FAIL")
            text = f"  inspect: {badge}  " + ", ".join(
                f"{'ok' if f.passed else 'X'} {u(f.fact)}" for f in v.facts
            )
            if not v.passed and v.critique:
                text += "\n" + self._c(YELLOW, f"    critique: {u(v.critique)}")
            return text
        if t == "refinement_planned":
            return self._c(YELLOW, f"  correction: {u(event.correction)}")
        if t == "intervention":
            return self._c(YELLOW, f"  intervention: {event.kind} {u(event.after or '')}".rstrip())
        if t == "step_completed":
            return f"  step {event.step_index + 1}: {event.outcome}"
        if t == "final_verdict":
            v = event.verdict
            badge = self._c(GREEN, "PASS") if v.passed else self._c(RED, "FAIL")
            out = f"\nfinal inspection: {badge}"
            if not v.passed and v.critique:
                out += f" — {u(v.critique)}"
            return out
        if t == "error":
            return self._c(RED, f"error in {u(event.stage)}: {u(event.message)}")
        if t == "session_done":
            return f"session {event.status}" + ("" if event.passed is None else f", final {'pass' if event.passed else 'fail'}")
        return None
