"""Round 11 (listing helper): colour words that state no colour, listing counts and colours,
and action relations the parser missed while both objects were found."""

from __future__ import annotations

import pytest

from stagestudio.scene.parser import parse_prompt


def _colours(prompt: str) -> dict[str, str | None]:
    return {o.name: o.attributes.color for o in parse_prompt(prompt).objects}


@pytest.mark.parametrize(("prompt", "name"), [
    ("a red deer sniffing a fallen log", "red deer"),  # a species WordNet names by a colour
    ("a lone white spruce on a ridge", "spruce"),  # a tree's kind
    ("a red fox trotting past a barn", "fox"),
])
def test_a_colour_that_names_a_species_is_no_colour(prompt, name):
    assert _colours(prompt)[name] is None


@pytest.mark.parametrize(("prompt", "name", "colour"), [
    ("a black cat asleep on a step", "cat", "black"),  # WordNet's "black cat" is another animal
    ("three white lilies in a jar", "lily", "white"),  # a flower's colour is what one sees
    ("a single red maple leaf on a bench", "leaf", "red"),  # a tree's kind before another noun
    ("a salmon pink scarf on a hook", "scarf", "pink"),  # a shade before its family colour
    ("a mustard yellow chair by the door", "chair", "yellow"),
])
def test_colours_that_stay(prompt, name, colour):
    assert _colours(prompt)[name] == colour


def test_a_colour_word_opening_a_longer_name_is_part_of_it():
    assert _colours("a tray of lemon meringue pies")["pie"] is None


@pytest.mark.parametrize(("prompt", "name"), [
    ("two ash buckets beside the stove", "ash bucket"),  # a substance a container holds
    ("a coffee grinder on the counter", "coffee grinder"),  # a food a device works on
    ("a chocolate melter next to a bowl", "chocolate melter"),
])
def test_a_colour_word_naming_contents_or_what_is_worked_is_part_of_the_name(prompt, name):
    assert _colours(prompt)[name] is None


def test_a_charcoal_sweater_stays_gray():
    assert _colours("a charcoal sweater on a chair")["sweater"] == "gray"


@pytest.mark.parametrize(("prompt", "name", "colour"), [
    ("a photo of a brown bear", "bear", "brown"),  # GenEval's classes keep the colour stated
    ("a photo of a black kite", "kite", "black"),
])
def test_geneval_classes_keep_a_species_colour(prompt, name, colour):
    assert _colours(prompt)[name] == colour


def _counts(prompt: str) -> dict[str, int]:
    return {o.name: o.count for o in parse_prompt(prompt).objects}


@pytest.mark.parametrize(("prompt", "name", "count"), [
    ("Steel spoon set of 6, mirror finish", "spoon", 6),  # a singular product, then "set of N"
    ("Tennis ball 4-pack, yellow", "sports ball", 4),
    ("a trio of sheep by a pond", "sheep", 3),  # an animal whose plural is itself
    ("a pair of deer at the edge of a wood", "deer", 2),
    ("garden shears on a bench", "scissors", 1),  # a tool WordNet names only in the plural
    ("20-odd pigeons on a roof", "bird", 20),  # a round number given roughly
])
def test_listing_and_quantity_counts(prompt, name, count):
    assert _counts(prompt)[name] == count


@pytest.mark.parametrize(("prompt", "name"), [
    ("Tea set of 4 cups, white porcelain", "tea set"),  # WordNet's "tea set" is one thing
    ("a 1967 muscle car", "car"),  # a year is a label
])
def test_counts_that_stay_one(prompt, name):
    assert _counts(prompt)[name] == 1


def _relations(prompt: str) -> set[tuple[str, str, str]]:
    graph = parse_prompt(prompt)
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


@pytest.mark.parametrize(("prompt", "relation"), [
    ("a man writing in a notebook", ("person", "writing in", "book")),  # a thing with pages
    ("a poet scribbling in a diary by the window", ("person", "scribbling in", "book")),
    ("a girl sketching in her sketchbook on a bench", ("person", "sketching in", "sketchbook")),
    ("a jellyfish drifting past a diver", ("jellyfish", "drifting past", "diver")),  # a motion past
    ("a fox trotting past a barn", ("fox", "trotting past", "barn")),
])
def test_actions_with_their_preposition(prompt, relation):
    assert relation in _relations(prompt)


def test_writing_in_a_place_is_no_action():
    assert not any(r[1].startswith("writing") for r in _relations("a boy writing in the garden"))

@pytest.mark.parametrize(("prompt", "relation"), [
    ("a nurse spoon-feeding an old man", ("person", "feeding", "person")),  # noun + verb as one word
    ("a man hand-washing a red car", ("person", "washing", "car")),
    ("a boy free-climbing a boulder", ("person", "climbing", "boulder")),
])
def test_a_noun_verb_compound_before_its_object_is_the_verb(prompt, relation):
    assert relation in _relations(prompt)


def test_a_noun_verb_compound_after_an_article_stays_an_adjective():
    assert {o.name for o in parse_prompt("a fire-breathing dragon over a castle").objects} == {"dragon", "castle"}
