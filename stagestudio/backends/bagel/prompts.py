"""Text the BAGEL backend writes to the model and reads back: the planner's <ins>/<des> prompt
and the inspector's per-fact questions. Pure functions, so parsing is tested without a model."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stagestudio.inspector.verdict import FactResult
from stagestudio.scene.graph import SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep
from stagestudio.scene.text import NUMBER_WORDS, definite, noun_phrase

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


# --- inspection --------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """One yes/no or short-answer question about one fact of the scene graph."""

    kind: str  # presence | count | color | relation | instruction
    fact: str
    text: str
    object_ids: tuple[str, ...]
    expected: str


def _question_suffix(kind: str) -> str:
    if kind == "count":
        return " Answer with a number."
    if kind == "color":
        return " Answer with one colour word."
    return " Answer yes or no."


def inspection_questions(target: SceneGraph, instruction: str | None = None) -> list[Question]:
    """Questions whose answers decide every fact of `target` (and the step instruction)."""
    questions: list[Question] = []
    for obj in target.objects:
        phrase = noun_phrase(obj.name, obj.count)
        questions.append(Question("presence", f"{phrase} present", f"Is there {_any(obj)} in the image?"
                                  + _question_suffix("presence"), (obj.id,), "yes"))
        if obj.count > 1:
            questions.append(Question("count", f"{obj.count} {_plural(obj)}",
                                      f"How many {_plural(obj)} are in the image?" + _question_suffix("count"),
                                      (obj.id,), str(obj.count)))
        if obj.attributes.color:
            questions.append(Question("color", f"{definite(obj.name, obj.count)} {'is' if obj.count == 1 else 'are'} "
                                      f"{obj.attributes.color}",
                                      f"What colour is {definite(obj.name, obj.count)}?" + _question_suffix("color"),
                                      (obj.id,), obj.attributes.color))
    for rel in target.relations:
        s, o = target.object(rel.subject), target.object(rel.object)
        verb = "is" if s.count == 1 else "are"
        fact = f"{definite(s.name, s.count)} {verb} {rel.predicate} {definite(o.name, o.count)}"
        questions.append(Question("relation", fact, f"{fact[0].upper()}{fact[1:]}: is that true?"
                                  + _question_suffix("relation"), (s.id, o.id), "yes"))
    if instruction:
        questions.append(Question("instruction", f"followed: {instruction}",
                                  f"Does the image follow this instruction: \"{instruction}\"?"
                                  + _question_suffix("instruction"), (), "yes"))
    return questions


def _any(obj: SceneObject) -> str:
    return noun_phrase(obj.name, 1) if obj.count == 1 else f"any {_plural(obj)}"


def _plural(obj: SceneObject) -> str:
    from stagestudio.scene.text import plural

    return plural(obj.name)


_YES = {"yes", "yeah", "yep", "true", "correct", "y"}
_NO = {"no", "nope", "false", "incorrect", "n", "not"}


def parse_answer(question: Question, answer: str) -> tuple[bool | None, str]:
    """(passed, observed) for a model answer; passed is None when the answer is unusable."""
    words = re.findall(r"[a-z]+|\d+", answer.lower())
    if not words:
        return None, ""
    if question.kind == "count":
        for w in words:
            if w.isdigit():
                return int(w) == int(question.expected), w
            if w in NUMBER_WORDS:
                n = NUMBER_WORDS.index(w)
                return n == int(question.expected), str(n)
        if words[0] in _NO or words[0] == "none":
            return int(question.expected) == 0, "0"
        return None, answer.strip()[:40]
    if question.kind == "color":
        return question.expected in words, next((w for w in words if w not in {"the", "it", "is", "a"}), words[0])
    first = words[0]
    if first in _YES:
        return True, "yes"
    if first in _NO:
        return False, "no"
    return None, answer.strip()[:40]


def fact_from_answer(question: Question, answer: str) -> FactResult:
    passed, observed = parse_answer(question, answer)
    return FactResult(
        kind=question.kind,  # type: ignore[arg-type]
        fact=question.fact,
        passed=bool(passed),
        object_ids=list(question.object_ids),
        expected=question.expected,
        observed=observed if passed is not None else f"unclear answer: {observed!r}",
        source="vqa",
    )


def critique_and_correction(failed: list[FactResult], target: SceneGraph) -> tuple[str, str]:
    """A sentence per failed fact, and one corrective instruction covering them all."""
    critiques: list[str] = []
    fixes: list[str] = []
    for f in failed:
        if f.kind == "presence":
            obj = target.object(f.object_ids[0])
            critiques.append(f"{noun_phrase(obj.name, obj.count, obj.attributes.phrase())} is missing.")
            fixes.append(f"add {noun_phrase(obj.name, obj.count, obj.attributes.phrase())}")
        elif f.kind == "count":
            obj = target.object(f.object_ids[0])
            critiques.append(f"Expected {f.expected} {_plural(obj)}, saw {f.observed}.")
            fixes.append(f"make it exactly {NUMBER_WORDS[obj.count] if obj.count < len(NUMBER_WORDS) else obj.count} {_plural(obj)}")
        elif f.kind == "color":
            obj = target.object(f.object_ids[0])
            critiques.append(f"{definite(obj.name, obj.count).capitalize()} should be {f.expected}, not {f.observed}.")
            fixes.append(f"make {definite(obj.name, obj.count)} {f.expected}")
        elif f.kind == "relation":
            critiques.append(f"It is not true that {f.fact}.")
            fixes.append(f"move things so that {f.fact}")
        else:
            critiques.append(f"The instruction was not followed ({f.fact.removeprefix('followed: ')}).")
            fixes.append("follow the step's instruction exactly")
    if not fixes:
        return "", ""
    correction = "; ".join(fixes)
    return " ".join(critiques), correction[0].upper() + correction[1:] + "."
