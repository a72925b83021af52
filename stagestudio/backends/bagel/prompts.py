"""Text the BAGEL planner writes to the model and reads back: the <ins>/<des> prompt and its
parser. Pure functions, so parsing is tested without a model. (The inspector's questions and
answer handling are shared by every model inspector: `stagestudio.inspector.questions`,
`answers` and `corrections`.)"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep

MAX_INSTRUCTION_CHARS = 300
MAX_DESCRIPTION_CHARS = 1200


# --- planning -------------------------------------------------------------------------------
def plan_prompt(prompt: str, graph: SceneGraph, done: list[PlanStep], proposal: PlanStep) -> str:
    """Ask the model for the next step. The offline planner's proposal is given as a hint:
    the model may rephrase or reorder, and its answer is checked before it is used."""
    lines = [
        "You are planning a picture step by step.",
        f"Final prompt: {prompt}",
        f"Scene: {graph.describe()}",
    ]
    if done:
        lines.append("Steps already drawn:")
        lines.extend(f"{i + 1}. {s.instruction}" for i, s in enumerate(done))
    else:
        lines.append("Nothing is drawn yet.")
    lines.append(f"Suggested next step: {proposal.instruction}")
    lines.append(
        "Write the next step as <ins>one short drawing instruction</ins> followed by "
        "<des>a description of the whole picture after this step</des>."
    )
    return "\n".join(lines)


@dataclass(frozen=True)
class ParsedPlan:
    instruction: str
    description: str


_TAG = r"<{0}>\s*(.*?)\s*(?:</{0}>|(?=<\w+>)|$)"


def parse_plan(text: str) -> ParsedPlan | None:
    """Read `<ins>...</ins><des>...</des>` (closing tags optional, any order, extra text
    around them ignored). None when the output is unusable."""
    if not text:
        return None
    ins = re.search(_TAG.format("ins"), text, flags=re.S | re.I)
    des = re.search(_TAG.format("des"), text, flags=re.S | re.I)
    if not ins or not des:
        return None
    instruction = " ".join(ins.group(1).split())
    description = " ".join(des.group(1).split())
    if not instruction or not description:
        return None
    if len(instruction) > MAX_INSTRUCTION_CHARS or len(description) > MAX_DESCRIPTION_CHARS:
        return None
    if not re.search(r"[A-Za-z]{2}", instruction):
        return None
    return ParsedPlan(instruction, description)


def plan_is_faithful(parsed: ParsedPlan, step: PlanStep, graph: SceneGraph) -> bool:
    """The model's instruction must still name every object the step adds; otherwise
    the step would silently drop part of the scene graph."""
    text = parsed.instruction.lower()
    for object_id in step.object_ids:
        name = graph.object(object_id).name
        if name.split()[-1] not in text:
            return False
    return True


# --- refining ---------------------------------------------------------------------------------
def refine_instruction(step_instruction: str, correction: str) -> str:
    """The edit instruction of a refinement: the step's own instruction, then the correction,
    so the edit knows both what the step was meant to draw and what to change."""
    parts = [p.strip() for p in (step_instruction, correction) if p and p.strip()]
    return " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts)
