"""Parser round 7, helper A: objects, names and listings, from mechanisms that generalise.

Each group checks one class of construction on prompts invented for it, in other domains than
the gold prompts whose failures pointed at the class.
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _objects(graph: SceneGraph) -> dict[str, object]:
    return {o.name: o for o in graph.objects}


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


# --- a spaced dash, a bar or a bullet separates a listing's fragments, as a comma does ----------
@pytest.mark.parametrize("prompt,name,colour", [
    ("Ceramic teapot | 1.2 L | white", "teapot", "white"),
    ("Leather office chair - black - adjustable armrests", "chair", "black"),
    ("Mountain bike | aluminium frame | red", "bicycle", "red"),
    ("Table lamp \u2014 dimmable \u2014 brass base \u2014 white", "lamp", "white"),
])
def test_listing_separators_split_fragments(prompt: str, name: str, colour: str) -> None:
    graph = parse_prompt(prompt)
    assert list(_objects(graph)) == [name]
    assert graph.objects[0].attributes.color == colour


def test_a_number_range_with_a_dash_is_still_a_range() -> None:
    graph = parse_prompt("Wool socks - sizes 4 - 10 - gray")
    assert [(o.name, o.attributes.color) for o in graph.objects] == [("sock", "gray")]


# --- what follows "'s" is its possessor's: a thing of its own, never an earlier object's part --
@pytest.mark.parametrize("prompt,thing,owner", [
    ("a kite on a boy's bed", "kite", "bed"),
    ("a hat on the doctor's desk", "hat", "desk"),
    ("a vase on my grandmother's piano", "vase", "piano"),
    ("a stethoscope on the nurse's trolley", "stethoscope", "trolley"),
])
def test_possessed_thing_is_drawn(prompt: str, thing: str, owner: str) -> None:
    graph = parse_prompt(prompt)
    assert set(_objects(graph)) == {thing, owner}
    assert (thing, "on", owner) in _relations(graph)
    assert not graph.objects[0].attributes.parts


def test_possessed_part_still_goes_to_its_owner() -> None:
    graph = parse_prompt("a robin perched on the scarecrow's hat brim and its arm")
    assert _relations(graph) == {("bird", "on", "scarecrow")}
    graph = parse_prompt("a dog beside the tractor's rear wheel")
    assert _relations(graph) == {("dog", "next to", "tractor")}
