"""The parser's ninth round, part C: parts, counts, measurements and product listings.

Each group checks one general mechanism on prompts invented for it, in other domains than the
gold sets' prompts (none is taken from them); each prompt failed before the change it tests.
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _object(graph: SceneGraph, name: str):
    return next((o for o in graph.objects if o.name == name), None)


# --- what comes "with" a made thing rather than being fitted to it -------------------------------
# (counted things and a listing's bare container are objects of their own; a counted part, a part
# that is a holder, stay parts)
@pytest.mark.parametrize("prompt,owner,thing,count", [
    ("a smoke detector with two batteries on a ceiling", "detector", "battery", 2),
    ("Badminton racket with 3 shuttlecocks", "tennis racket", "shuttlecock", 3),
    ("Camping lantern with 4 spare bulbs", "lantern", "bulb", 4),
    ("Hiking boots, size 10, with storage bag", "boot", "bag", 1),
    ("Electric guitar, sunburst, with gig bag", "guitar", "bag", 1),
    # (a holder WordNet lists first as an event or a state: "case")
    ("Binoculars 10x42, with carry case", "binoculars", "case", 1),
    ("Tablet, 11 in, with folio case", "tablet", "case", 1),
    ("Flute, silver plated, with hard case", "flute", "case", 1),
])
def test_what_comes_with_a_product_is_an_object(prompt: str, owner: str, thing: str, count: int) -> None:
    graph = parse_prompt(prompt)
    found = _object(graph, thing)
    assert found is not None and found.count == count, graph.objects
    assert not any(thing in part for part in _object(graph, owner).attributes.parts)


@pytest.mark.parametrize("prompt,owner,part", [
    ("a stool with three legs", "stool", "3 legs"),
    ("a rucksack with two side pockets", "backpack", "2 side pockets"),
    ("a dresser with three drawers", "dresser", "3 drawers"),
])
def test_counted_parts_stay_parts(prompt: str, owner: str, part: str) -> None:
    graph = parse_prompt(prompt)
    assert [o.name for o in graph.objects] == [owner]
    assert part in graph.objects[0].attributes.parts


# --- "in" after a bare number, with no phrase after it, is the inch -------------------------------
@pytest.mark.parametrize("prompt,owner,sizes", [
    ("Cutting board, 12x18 in, maple", "cutting board", ["12 in", "18 in"]),
    ("Canvas panel 11 x 14 in, primed", "panel", ["11 in", "14 in"]),
    ("Cast iron skillet, 10 in, preseasoned", "skillet", ["10 in"]),
    ("a 5 in tall cactus in a pot", "cactus", ["5 in tall"]),
])
def test_inches_written_in(prompt: str, owner: str, sizes: list[str]) -> None:
    found = _object(parse_prompt(prompt), owner)
    assert found is not None and found.attributes.measurements == sizes


def test_a_number_in_a_place_is_no_inch() -> None:
    graph = parse_prompt("four kids, two in the pool")
    assert all(not o.attributes.measurements for o in graph.objects)


# --- a listing's count given as a fragment of its own counts the product -------------------------
@pytest.mark.parametrize("prompt,thing,count", [
    ("Ceramic mug, set of 4", "cup", 4),
    ("Kitchen knife set in a walnut block, 5 pieces", "knife", 5),
    ("Wine glass (set of 2), crystal", "wine glass", 2),
    ("Sketchbook 9x12 in, spiral bound, pack of 3", "sketchbook", 3),
])
def test_a_count_fragment_counts_the_product(prompt: str, thing: str, count: int) -> None:
    found = _object(parse_prompt(prompt), thing)
    assert found is not None and found.count == count


def test_a_count_past_the_limit_counts_no_product() -> None:
    assert _object(parse_prompt("Jigsaw puzzle, 1000 pieces"), "jigsaw puzzle").count == 1


# --- a listing fragment naming where the product has a feature ("spiral top", "flexible tip") ----
# (the noun could be a verb too, and WordNet's first sense of it is a location)
@pytest.mark.parametrize("prompt,owner,part", [
    ("Ski pole, carbon shaft, rounded tip", "pole", "rounded tip"),
    ("Hiking pole, cork grip, tungsten tip", "pole", "tungsten tip"),
    ("Paddle board, 10 ft, soft top, with leash", "board", "soft top"),
    ("Workbench, butcher block top, steel legs", "workbench", "butcher block top"),
])
def test_a_listed_region_is_a_part(prompt: str, owner: str, part: str) -> None:
    graph = parse_prompt(prompt)
    assert [o.name for o in graph.objects] == [owner]
    assert part in graph.objects[0].attributes.parts


# --- a listed count of the product's own noun is how many of it ("Mug set, 4 mugs") --------------
@pytest.mark.parametrize("prompt,thing,count", [
    ("Coffee mug set, 4 mugs, speckled stoneware", "cup", 4),
    ("Bamboo coaster set, 6 coasters, with holder", "coaster", 6),
    ("Glass storage jar set, 3 jars, airtight lids", "jar", 3),
    ("Cereal bowl set, 4 bowls, matte blue", "bowl", 4),
])
def test_a_listed_count_of_the_product(prompt: str, thing: str, count: int) -> None:
    graph = parse_prompt(prompt)
    assert [(o.name, o.count) for o in graph.objects if o.name == thing] == [(thing, count)]
