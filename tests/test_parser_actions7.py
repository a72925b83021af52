"""The parser's sixth round, part C: mechanisms for actions and parts that must hold on prompts
nobody tuned against.

Each group checks one general mechanism on prompts written for it, in other domains than the
gold sets' prompts (none is taken from them): who acts when the subject wears a list of things,
whose participle follows a comma in a later clause, and the others below.
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


def _parts(graph: SceneGraph, name: str) -> list[str]:
    return [p for o in graph.objects if o.name == name for p in o.attributes.parts]


# --- a thing listed after something worn or carried is worn too, never the agent --------------
@pytest.mark.parametrize("prompt,relation,not_agent", [
    ("A beekeeper in a veil and thick gloves lifts a wooden crate.", ("person", "lifting", "crate"),
     "baseball glove"),
    ("A mechanic in overalls and a cap holds a wrench.", ("person", "holding", "wrench"), "cap"),
    ("A cyclist with a backpack and a helmet pushes a bicycle up the hill.", ("person", "pushing", "bicycle"),
     "helmet"),
])
def test_a_list_after_a_worn_thing_does_not_take_the_action(prompt, relation, not_agent):
    relations = _relations(parse_prompt(prompt))
    assert relation in relations
    assert not any(s == not_agent for s, _, _ in relations)


def test_a_clause_joined_by_and_still_has_its_own_subject():
    # "above the fireplace and a sofa faces it": "and" opens a clause, the sofa is its subject
    relations = _relations(parse_prompt("The clock hangs above the dresser and a cat watches it from the bed"))
    assert ("cat", "watching", "clock") in relations


# --- a participle after a comma belongs to the clause the comma ends --------------------------
@pytest.mark.parametrize("prompt,relation,wrong_agent", [
    ("A kayak rests on the shore, and a fisherman sits on a rock, holding a rod.",
     ("person", "holding", "rod"), "boat"),
    ("A tractor waits by the gate, and a farmer in overalls stands beside it, carrying a bucket.",
     ("person", "carrying", "bucket"), "tractor"),
    ("A piano stands in the hall while a girl sits on its bench, turning a page of the score.",
     ("person", "turning", "page"), "piano"),
])
def test_a_comma_participle_acts_through_its_own_clause_subject(prompt, relation, wrong_agent):
    relations = _relations(parse_prompt(prompt))
    assert relation in relations
    assert not any(wrong_agent in (s, o) and p == relation[1] for s, p, o in relations)


def test_a_comma_participle_after_one_clause_acts_through_the_sentence_subject():
    relations = _relations(parse_prompt("A potter sits at her wheel, shaping a tall vase."))
    assert ("person", "shaping", "vase") in relations
