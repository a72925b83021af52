"""The parser's naming, second pass of issue 9 round 4: mechanisms checked on prompts written
for these tests (none copied from the gold files)."""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.parsing import english


def _objects(prompt: str) -> dict[str, int]:
    """name -> count of each object the parser finds."""
    graph: SceneGraph = parse_prompt(prompt)
    return {o.name: o.count for o in graph.objects}


def _relations(prompt: str) -> set[tuple[str, str, str]]:
    graph = parse_prompt(prompt)
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


# --- a closed compound WordNet lacks takes the senses of its last noun -------------------------

@pytest.mark.parametrize(("prompt", "name", "count"), [
    ("a reading lamp on the nightstand", "nightstand", 1),
    ("a white mug on a dishrack by the sink", "dishrack", 1),
    ("two wooden toyboxes under a window", "toybox", 2),
    ("a folded facecloth on a sink", "facecloth", 1),
])
def test_closed_compound_wordnet_lacks_is_a_thing(prompt: str, name: str, count: int) -> None:
    assert _objects(prompt).get(name) == count


def test_closed_compound_is_placed_by_its_relation() -> None:
    assert ("vase", "on", "nightstand") in _relations("a blue vase on a nightstand beside the bed")


@pytest.mark.parametrize("word", ["housecat", "barncat", "gatsby", "instagram"])
def test_split_whose_last_noun_is_no_made_thing_stays_unknown(word: str) -> None:
    # an animal ("cat") or no split at all: as likely a name or a coinage
    assert english.noun_kind(word) == english.NounKind.UNKNOWN


# --- after a superlative, "in the world" is the ranking's domain, not a place ------------------

@pytest.mark.parametrize(("prompt", "kept"), [
    ("the tallest tower in the world at sunset", {"tower"}),
    ("the fastest bird on earth diving at a pigeon", {"bird"}),
    ("the biggest cake in the world on a table", {"cake", "dining table"}),
    ("the most expensive car on the planet parked beside a fountain", {"car", "fountain"}),
])
def test_superlative_domain_names_no_object(prompt: str, kept: set[str]) -> None:
    assert set(_objects(prompt)) == kept


@pytest.mark.parametrize("prompt", [
    "a globe on the desk next to a lamp",  # no superlative: the globe is a thing
    "the largest globe in the shop",  # the ranked thing itself
])
def test_world_noun_without_superlative_domain_stays(prompt: str) -> None:
    assert "globe" in _objects(prompt)


def test_superlative_is_recognised_by_its_inflection() -> None:
    assert all(english.is_superlative(w) for w in ("largest", "best", "priciest", "most"))
    assert not any(english.is_superlative(w) for w in ("forest", "honest", "nest", "interest"))


# --- the -s form of a scene verb that is first a thing's plural opens a bare noun phrase --------

@pytest.mark.parametrize(("prompt", "thing"), [
    ("a boy holding rocks", "rock"),
    ("children collecting sticks near a cabin", "stick"),
    ("a lighthouse on rocks", "rock"),
    ("a girl holding blocks", "block"),
])
def test_plural_of_a_thing_after_a_verb_or_preposition_is_a_noun(prompt: str, thing: str) -> None:
    assert _objects(prompt).get(thing) == 2


@pytest.mark.parametrize(("prompt", "relation"), [
    ("a woman props pillows on a bed", ("person", "propping", "pillow")),  # after a noun: the verb
    ("a girl gathers flowers in a basket", ("person", "gathering", "flower")),  # senses unordered
])
def test_scene_verb_after_a_noun_stays_the_verb(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(prompt)


# --- stacking and piling are things people do --------------------------------------------------

@pytest.mark.parametrize(("prompt", "relation"), [
    ("a child stacking wooden cubes on a rug", ("person", "stacking", "cube")),
    ("a boy stacking cups", ("person", "stacking", "cup")),
    ("a girl stacking the books", ("person", "stacking", "book")),
])
def test_stacking_is_an_action(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(prompt)


def test_stacked_things_are_still_placed_not_acted_on() -> None:
    assert _relations("books stacked on a desk") == {("book", "on", "desk")}


# --- a noun that is a holder only in a later sense is one when its use is named -----------------

@pytest.mark.parametrize(("prompt", "relation"), [
    ("a violin in a guitar case", ("violin", "inside", "case")),
    ("a gold watch in a jewelry case", ("watch", "inside", "case")),
    ("earphones in a charging case on a desk", ("earphone", "inside", "case")),
])
def test_holder_named_by_its_use_is_a_container(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(prompt)


@pytest.mark.parametrize("prompt", ["a strange case of a missing cat", "a cat in a big case"])
def test_case_without_a_use_is_no_holder(prompt: str) -> None:
    assert "case" not in _objects(prompt)


# --- slate is a rock like marble; a material right before a plain colour names its shade --------

def _attributes(prompt: str, name: str):
    return next(o.attributes for o in parse_prompt(prompt).objects if o.name == name)


@pytest.mark.parametrize(("prompt", "name"), [
    ("a wedge of brie on a slate platter", "platter"),
    ("a slate roof above a red door", "roof"),
])
def test_slate_before_a_noun_is_a_material(prompt: str, name: str) -> None:
    found = _attributes(prompt, name)
    assert (found.color, found.material) == (None, "slate")


@pytest.mark.parametrize(("prompt", "name", "colour"), [
    ("a slate gray sedan", "car", "gray"),
    ("a steel blue bicycle", "bicycle", "blue"),
    ("a stone grey vase", "vase", "gray"),
])
def test_material_noun_before_a_colour_is_its_shade(prompt: str, name: str, colour: str) -> None:
    found = _attributes(prompt, name)
    assert (found.color, found.material) == (colour, None)


def test_material_adjective_before_a_colour_stays_a_material() -> None:
    found = _attributes("a wooden red chair", "chair")
    assert (found.color, found.material) == ("red", "wooden")


# --- 'snowy' is covered with snow ------------------------------------------------------------

def test_a_snowy_thing_is_covered_with_snow_not_white() -> None:
    found = _attributes("a snowy bench beside a pine tree", "bench")
    assert found.color is None
