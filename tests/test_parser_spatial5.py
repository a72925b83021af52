"""Spatial relations, round 5 (issue 9): mechanisms found on prompts the rules were not written
for, each checked on prompts written for these tests (other domains than the gold sets')."""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


def _actions(graph: SceneGraph) -> set[str]:
    return {r.predicate for r in graph.relations if not r.is_spatial}


# --- "X is to its right": "be" with a side phrase is a place, never an action "being to"; the
# definite subject of such a phrase is drawn, and "its" means the earlier clause's subject
@pytest.mark.parametrize("prompt,expected", [
    ("the kettle is on the counter and the toaster is to its left", ("toaster", "left of", "kettle")),
    ("the anvil is near the forge and the bucket is to its right", ("bucket", "right of", "anvil")),
    ("the scanner is on the desk and the shredder is to its left", ("shredder", "left of", "scanner")),
    ("the tent is by the lake and the canoe is to its right", ("boat", "right of", "tent")),
])
def test_a_side_phrase_after_is_places_the_clause_subject(prompt, expected):
    graph = parse_prompt(prompt)
    assert expected in _relations(graph)
    assert not any(a.startswith("being") for a in _actions(graph))


# --- a row with a middle: each end relates to the middle, never the ends to each other
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a red mug on the left, a teapot in the middle and a sugar bowl on the right",
     {("cup", "left of", "teapot"), ("teapot", "left of", "bowl")}, ("cup", "left of", "bowl")),
    ("a saddle at the top, a bridle in the middle and a bucket at the bottom",
     {("saddle", "above", "bridle"), ("bridle", "above", "bucket")}, ("saddle", "above", "bucket")),
    ("violin on the left, cello in the centre, harp on the right",
     {("violin", "left of", "cello"), ("cello", "left of", "harp")}, ("violin", "left of", "harp")),
    ("a drum in the middle and a trumpet on the right", {("drum", "left of", "trumpet")}, None),
])
def test_a_middle_placement_stands_between_the_ends_of_its_row(prompt, expected, absent):
    relations = _relations(parse_prompt(prompt))
    assert expected <= relations
    assert absent not in relations


def test_a_lone_middle_placement_relates_nothing():
    assert _relations(parse_prompt("a birthday cake in the middle")) == set()
