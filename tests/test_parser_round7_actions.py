"""The parser's seventh round, part C: mechanisms for action relations and parts that must hold
on prompts nobody tuned against.

Each group checks one general mechanism on prompts invented for it, in other domains than the
gold sets' prompts (none is taken from them).
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


# --- a reciprocal object: those named together act on each other ---------------------------------
@pytest.mark.parametrize("prompt,first,second,predicate", [
    ("a boy and a girl looking at each other", "person", "person", "looking at"),
    ("a cat and a dog staring at one another across a fence", "cat", "dog", "staring at"),
    ("a knight and a dragon fighting each other in a cave", "person", "dragon", "fighting"),
    ("A fox and a hare chase one another around a tree.", "fox", "hare", "chasing"),
    ("A boy and his grandfather wave at each other from across the street.", "person", "person", "waving at"),
])
def test_each_other_relates_the_subjects_both_ways(prompt, first, second, predicate):
    graph = parse_prompt(prompt)
    names = {o.id: o.name for o in graph.objects}
    pairs = {(r.subject, r.object) for r in graph.relations if r.predicate == predicate}
    assert len(pairs) == 2
    assert {(names[s], names[o]) for s, o in pairs} == {(first, second), (second, first)}


def test_each_other_within_one_group_relates_nothing():
    # one object stands for the group: a relation of it to itself says nothing
    graph = parse_prompt("two chairs facing each other")
    assert [o.name for o in graph.objects] == ["chair"]
    assert graph.relations == []
