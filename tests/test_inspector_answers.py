"""The judgment shared by every model inspector: which questions are asked, how an answer
(p(yes) from logits, or text) becomes pass / fail / unsure, and what the correction says."""

from __future__ import annotations

import pytest
from PIL import Image

from stagestudio.backends.base import InspectRequest
from stagestudio.inspector.answers import FAIL_AT, PASS_AT, fact_from_answer, read_yes_no, status_from_p_yes
from stagestudio.inspector.corrections import critique_and_correction
from stagestudio.inspector.model_inspector import ModelInspector, YesNoAnswer, YesNoModel
from stagestudio.inspector.questions import inspection_questions
from stagestudio.inspector.verdict import FactResult
from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep

GRAPH = SceneGraph(
    objects=[
        SceneObject(id="o1", name="bear"),
        SceneObject(id="o2", name="spoon", attributes=ObjectAttributes(material="silver")),
        SceneObject(id="o3", name="cup", count=2, attributes=ObjectAttributes(color="red")),
        SceneObject(id="o4", name="astronaut"),
    ],
    relations=[Relation(subject="o1", predicate="above", object="o2"),
               Relation(subject="o4", predicate="holding", object="o2")],
)
STEP = PlanStep(index=1, instruction="Add two red cups.", description="", object_ids=["o3"])


def test_questions_cover_every_fact_and_never_name_the_prompt():
    questions = inspection_questions(GRAPH, STEP)
    kinds = [q.kind for q in questions]
    assert kinds.count("presence") == 4 and kinds.count("count") == 1 and kinds.count("color") == 1
    assert kinds.count("relation") == 2 and kinds[-1] == "instruction"
    assert all(q.text.endswith("Answer yes or no.") for q in questions)
    by_kind = {q.kind: q for q in questions}
    assert by_kind["count"].text.startswith("Are there exactly two cups")
    assert by_kind["color"].text.startswith("Are all of the cups red?")
    action = [q for q in questions if q.kind == "relation"][1]
    assert action.text.startswith("Is the astronaut holding the spoon?") and action.expected == "holding"
    assert by_kind["instruction"].object_ids == ("o3",)


@pytest.mark.parametrize("answer, expected", [
    ("Yes", True), ("yes.", True), ("Yes, it is.", True), ("yes there is a bear", True), ("**Yes**", True),
    ("No", False), ("no.", False), ("No, there isn't.", False), ("no there is not", False),
    # garbage and hedges are not answers
    ("Y...", None), ("y", None), ("n", None), ("not", None), ("", None), ("&(<|im_start|>", None),
    ("No doubt, yes", None), ("It is not red, it is blue", None), ("yes it is not", None), ("Maybe", None),
])
def test_text_answers_are_read_strictly(answer, expected):
    assert read_yes_no(answer) is expected


def test_p_yes_bands():
    assert status_from_p_yes(PASS_AT) == "pass" and status_from_p_yes(0.99) == "pass"
    assert status_from_p_yes(FAIL_AT) == "fail" and status_from_p_yes(0.01) == "fail"
    assert status_from_p_yes(0.5) == "unsure"
    assert status_from_p_yes(float("nan")) == "unsure" and status_from_p_yes(1.5) == "unsure"


def test_fact_records_question_answer_and_p_yes():
    q = inspection_questions(GRAPH)[0]
    fact = fact_from_answer(q, p_yes=0.91, answer="Yes")
    assert fact.status == "pass" and fact.p_yes == pytest.approx(0.91)
    assert fact.question == q.text and fact.answer == "Yes" and fact.observed.startswith("yes (p(yes) = 0.91")
    unclear = fact_from_answer(q, answer="Y...")
    assert unclear.status == "unsure" and unclear.observed.startswith("unclear answer")
    # Records written before `status` existed still load.
    old = FactResult.model_validate({"kind": "presence", "fact": "x", "passed": False})
    assert old.status == "fail" and old.model_dump()["passed"] is False


def test_corrections_always_say_what_to_change():
    questions = inspection_questions(GRAPH, STEP)
    facts = [fact_from_answer(q, p_yes=0.02) for q in questions]
    critique, correction = critique_and_correction(facts, GRAPH, STEP)
    assert "There is no bear in the image." in critique
    assert "Add a bear above the spoon" in correction and "add two red cups" in correction
    assert "follow the step" not in correction.lower()
    # Only the instruction failed: the correction names the step's objects.
    only = [fact_from_answer(q, p_yes=0.02 if q.kind == "instruction" else 0.98) for q in questions]
    critique, correction = critique_and_correction(only, GRAPH, STEP)
    assert correction == "Redraw the step so that it clearly shows two red cups."
    # An action that failed is shown happening; a relation is moved.
    rel = [fact_from_answer(q, p_yes=0.02 if q.kind == "relation" else 0.98) for q in questions]
    _, correction = critique_and_correction(rel, GRAPH, STEP)
    assert correction == "Move the bear above the spoon; show the astronaut holding the spoon."
    # Unsure facts give no correction.
    unsure = [fact_from_answer(q, p_yes=0.5) for q in questions]
    assert critique_and_correction(unsure, GRAPH, STEP)[1] == ""


class FixedAnswers(YesNoModel):
    def __init__(self, p_yes):
        self.p_yes = p_yes
        self.asked = []

    def answer_yes_no(self, image, questions, seed, hooks=None):
        self.asked.append([q.text for q in questions])
        return [YesNoAnswer(p_yes=self.p_yes(q)) for q in questions]


def test_model_inspector_verdicts_pass_fail_unsure():
    image = Image.new("RGB", (8, 8))
    request = InspectRequest(prompt="a bear hovering above a silver spoon", graph=GRAPH, target=GRAPH,
                             image=image, seed=1, step=STEP)
    passing = ModelInspector(FixedAnswers(lambda q: 0.9)).inspect(request)
    assert passing.passed and passing.correction == ""
    model = FixedAnswers(lambda q: 0.1 if q.kind == "color" else 0.9)
    failing = ModelInspector(model).inspect(request)
    assert not failing.passed and failing.correction == "Make all of the cups red."
    assert not any("hovering" in text for text in model.asked[0])  # the prompt is never shown
    unsure = ModelInspector(FixedAnswers(lambda q: 0.5 if q.kind == "count" else 0.9)).inspect(request)
    assert unsure.unsure and unsure.label == "unsure" and unsure.correction == ""
    assert "Could not confirm: there are exactly two cups" in unsure.critique
