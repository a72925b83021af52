"""Terminal rendering of loop events, shared by `run` and `sessions replay`."""

from __future__ import annotations

from stagestudio.loop.events import Event

GREEN, RED, YELLOW, DIM, BOLD, RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[1m", "\033[0m"


class EventPrinter:
    def __init__(self, color: bool = False) -> None:
        self.color = color

    def _c(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.color else text

    def format(self, event: Event) -> str | None:
        t = event.type
        if t == "session_started":
            lines = [self._c(BOLD, f"session {event.session_id}  backend={event.backend}  seed={event.seed}"),
                     f"prompt: {event.prompt}", "scene graph:"]
            for o in event.graph.objects:
                attrs = o.attributes.phrase()
                lines.append(f"  {o.id}: {o.count} x {o.name}" + (f" [{attrs}]" if attrs else ""))
            for r in event.graph.relations:
                lines.append(f"  {r.subject} --{r.predicate}--> {r.object}")
            if event.parent_session_id:
                lines.append(f"branched from {event.parent_session_id} at step {event.branch_step}")
            return "\n".join(lines)
        if t == "step_planned":
            s = event.step
            src = "" if s.source == "planner" else f" ({s.source})"
            return (self._c(BOLD, f"\n[step {s.index + 1}] plan{src}: {s.instruction}")
                    + "\n" + self._c(DIM, f"          scene: {s.description}"))
        if t == "sketch_ready":
            label = "sketch" if event.stage == "sketch" else f"refine #{event.attempt}"
            return f"  {label}: done in {event.duration_s * 1000:.0f} ms (seed {event.seed})"
        if t == "verdict_ready":
            v = event.verdict
            badge = self._c(GREEN, "PASS") if v.passed else self._c(RED, "FAIL")
            text = f"  inspect: {badge}  " + ", ".join(
                f"{'ok' if f.passed else 'X'} {f.fact}" for f in v.facts
            )
            if not v.passed and v.critique:
                text += "\n" + self._c(YELLOW, f"    critique: {v.critique}")
            return text
        if t == "refinement_planned":
            return self._c(YELLOW, f"  correction: {event.correction}")
        if t == "intervention":
            return self._c(YELLOW, f"  intervention: {event.kind} {event.after or ''}".rstrip())
        if t == "step_completed":
            return f"  step {event.step_index + 1}: {event.outcome}"
        if t == "final_verdict":
            v = event.verdict
            badge = self._c(GREEN, "PASS") if v.passed else self._c(RED, "FAIL")
            out = f"\nfinal inspection: {badge}"
            if not v.passed and v.critique:
                out += f" — {v.critique}"
            return out
        if t == "error":
            return self._c(RED, f"error in {event.stage}: {event.message}")
        if t == "session_done":
            return f"session {event.status}" + ("" if event.passed is None else f", final {'pass' if event.passed else 'fail'}")
        return None
