"""The trained formats: the text a model fine-tuned on PSIR data reads and writes, per task.

Training (`psir.examples`) and inference with an adapter (the BAGEL roles) use these same
functions, so a model is asked exactly what it was trained on. Layouts (each a sequence of
context items, then the output the model produces):

* plan    — [canvas (ViT), if any] [plan request] -> `<ins>…</ins><des>…</des>`
* sketch  — first step: [description] -> picture; later: [canvas (VAE+ViT)] [instruction] -> picture
            (the reference's text-to-image and [image, instruction] edit layouts)
* inspect — [sketch (ViT)] [inspection request] -> `<verdict>…</verdict>` with, when the sketch
            is inconsistent, `<facts>…</facts><critique>…</critique><correction>…</correction>`
* refine  — [failed sketch (VAE+ViT)] [refine request: instruction + correction] -> picture

`FORMATS_NAME` is written into every adapter trained on these formats; the BAGEL backend
switches to them only when a loaded adapter says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stagestudio.inspector.verdict import FactResult, Verdict, verdict_passes
from stagestudio.scene.graph import SceneGraph

FORMATS_NAME = "psir-v1"
TASKS: tuple[str, ...] = ("plan", "sketch", "inspect", "refine")

VERDICT_CONSISTENT = "consistent"
VERDICT_INCONSISTENT = "inconsistent"
VERDICT_UNSURE = "unsure"


# --- plan ---------------------------------------------------------------------------------
def plan_request(prompt: str, graph: SceneGraph, drawn: list[str]) -> str:
    done = "; ".join(drawn) if drawn else "nothing yet"
    return f"Plan the next drawing step.\nPrompt: {prompt}\nScene: {graph.describe()}\nDrawn so far: {done}"


def plan_answer(instruction: str, description: str) -> str:
    return f"<ins>{instruction.strip()}</ins><des>{description.strip()}</des>"


# --- sketch and refine --------------------------------------------------------------------
def sketch_request(instruction: str, description: str, has_canvas: bool) -> str:
    """A first step is drawn from its description (text-to-image); later steps edit the
    canvas with the instruction."""
    if has_canvas:
        return instruction.strip()
    return (description or instruction).strip()


def refine_request(instruction: str, correction: str) -> str:
    return f"{instruction.strip()} Correction: {correction.strip()}"


# --- inspect ------------------------------------------------------------------------------
def inspect_request(instruction: str, target: SceneGraph) -> str:
    return f"Inspect this picture.\nStep: {instruction.strip()}\nIt must show: {target.describe()}"


_FACT_LINE = "{kind} {status}: {fact}"
_FACT_RE = re.compile(r"^\s*(presence|count|color|relation|instruction)\s+(pass|fail|unsure|unchecked)\s*:\s*(.+?)\s*$")


def inspect_answer(label: str, facts: list[FactResult], critique: str = "", correction: str = "") -> str:
    """`label` is consistent / inconsistent / unsure. Facts, critique and correction are
    written for the inconsistent case only: a consistent sketch needs no explanation."""
    if label != VERDICT_INCONSISTENT:
        return f"<verdict>{label}</verdict>"
    fact_lines = " | ".join(_FACT_LINE.format(kind=f.kind, status=f.status, fact=f.fact) for f in facts)
    return (f"<verdict>{label}</verdict><facts>{fact_lines}</facts>"
            f"<critique>{critique.strip()}</critique><correction>{correction.strip()}</correction>")


def _tag(text: str, name: str) -> str | None:
    match = re.search(rf"<{name}>\s*(.*?)\s*(?:</{name}>|(?=<\w+>)|$)", text, flags=re.S | re.I)
    return " ".join(match.group(1).split()) if match else None


@dataclass(frozen=True)
class ParsedInspection:
    label: str
    facts: list[FactResult]
    critique: str
    correction: str

    def verdict(self, source: str) -> Verdict:
        """The answer as a `Verdict`; an inconsistent answer without failed facts still fails
        (the model said so) through one `instruction` fact."""
        facts = [f.model_copy(update={"source": source}) for f in self.facts]
        if self.label == VERDICT_CONSISTENT:
            facts = facts or [FactResult(kind="instruction", fact="the step is drawn as asked", status="pass",
                                         source=source)]
        elif not any(f.failed for f in facts):
            status = "unsure" if self.label == VERDICT_UNSURE else "fail"
            facts.append(FactResult(kind="instruction", fact="the step is drawn as asked", status=status, source=source))
        passed = verdict_passes(facts) and self.label == VERDICT_CONSISTENT
        return Verdict(passed=passed, facts=facts, critique=self.critique if not passed else "",
                       correction=self.correction if not passed and self.label == VERDICT_INCONSISTENT else "")


def parse_inspect_answer(text: str) -> ParsedInspection | None:
    """Read an inspection answer; None when the verdict is missing or an inconsistent
    verdict comes without a correction (a refinement would have nothing to do)."""
    label = (_tag(text or "", "verdict") or "").lower()
    if label not in (VERDICT_CONSISTENT, VERDICT_INCONSISTENT, VERDICT_UNSURE):
        return None
    facts: list[FactResult] = []
    for line in (_tag(text, "facts") or "").split("|"):
        match = _FACT_RE.match(line)
        if match:
            facts.append(FactResult(kind=match.group(1), status=match.group(2), fact=match.group(3)))
    critique = _tag(text, "critique") or ""
    correction = _tag(text, "correction") or ""
    if label == VERDICT_INCONSISTENT and not correction:
        return None
    return ParsedInspection(label, facts, critique, correction)
