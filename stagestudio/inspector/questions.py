"""The questions a model inspector asks about a sketch: one yes/no question per fact of the
target scene graph (and one for the step's instruction).

Every question is a yes/no question, so any model that can answer in text can judge it, and a
model whose logits we can read decides it from p(yes) in one forward pass with no decoding
(`stagestudio.inspector.answers`). The question names only what it asks about: the prompt
is never part of the inspector's context, so the model cannot read the answer off the text.
Shared by every model inspector (BAGEL, Qwen3-VL, a remote server).
"""

from __future__ import annotations

from dataclasses import dataclass

from stagestudio.scene.graph import SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep
from stagestudio.scene.text import NUMBER_WORDS, definite, noun_phrase, plural, relation_words

ANSWER_INSTRUCTION = "Answer yes or no."


@dataclass(frozen=True)
class Question:
    """One yes/no question deciding one fact."""

    kind: str  # presence | count | color | relation | instruction
    fact: str  # the fact as a statement: "the car is red"
    text: str  # what the model is asked, answer instruction included
    object_ids: tuple[str, ...]
    expected: str  # the asked value: "yes", "3", "red", "above", the instruction


def _number(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def _be(count: int) -> str:
    return "is" if count == 1 else "are"


def _ask(body: str) -> str:
    return f"{body} {ANSWER_INSTRUCTION}"


def _presence(obj: SceneObject) -> Question:
    thing = noun_phrase(obj.called, 1) if obj.count == 1 else f"any {plural(obj.called)}"
    fact = f"there {'is' if obj.count == 1 else 'are'} {thing if obj.count == 1 else plural(obj.called)}"
    return Question("presence", fact, _ask(f"Is there {thing} in the image?"), (obj.id,), "yes")


def _count(obj: SceneObject) -> Question:
    n = _number(obj.count)
    return Question(
        "count", f"there are exactly {n} {plural(obj.called)}",
        _ask(f"Are there exactly {n} {plural(obj.called)} in the image?"), (obj.id,), str(obj.count),
    )


def _color(obj: SceneObject) -> Question:
    color = obj.attributes.color or ""
    the = definite(obj.called, obj.count)
    subject = the if obj.count == 1 else f"all of {the}"
    return Question(
        "color", f"{the} {_be(obj.count)} {color}",
        _ask(f"{_be(obj.count).capitalize()} {subject} {color}?"), (obj.id,), color,
    )


def _relation(graph: SceneGraph, subject_id: str, predicate: str, object_id: str) -> Question:
    s, o = graph.object(subject_id), graph.object(object_id)
    the_s, the_o = definite(s.called, s.count), definite(o.called, o.count)
    words = relation_words(predicate)
    fact = f"{the_s} {_be(s.count)} {words} {the_o}"
    return Question(
        "relation", fact, _ask(f"{_be(s.count).capitalize()} {the_s} {words} {the_o}?"), (s.id, o.id), predicate,
    )


def inspection_questions(target: SceneGraph, step: PlanStep | None = None) -> list[Question]:
    """Questions whose answers decide every fact of `target` (and `step`'s instruction).

    Count and colour are only asked where the graph fixes them (count > 1, a colour given);
    action relations ("riding") are asked like spatial ones, since a model can see them."""
    questions: list[Question] = []
    for obj in target.objects:
        questions.append(_presence(obj))
        if obj.count > 1:
            questions.append(_count(obj))
        if obj.attributes.color:
            questions.append(_color(obj))
    for rel in target.relations:
        questions.append(_relation(target, rel.subject, rel.predicate, rel.object))
    if step is not None and step.instruction.strip():
        instruction = step.instruction.strip()
        questions.append(Question(
            "instruction", f"the image follows \u201c{instruction}\u201d",
            _ask(f"Does the image show the result of this drawing instruction: \u201c{instruction}\u201d?"),
            tuple(step.object_ids), instruction,
        ))
    return questions
