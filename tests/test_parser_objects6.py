"""The parser's sixth round, part A: which objects a prompt names, and how many, from general signals.

Each group checks one mechanism on prompts written for it (none is taken from the gold sets,
and each group spans other domains than the prompts whose failures suggested it).
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.parsing import english


def _objects(graph: SceneGraph) -> list[tuple[str, int]]:
    return sorted((o.name, o.count) for o in graph.objects)


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


# --- "N of them": how many of the thing a knowledge prompt describes -------------------------
@pytest.mark.parametrize("prompt,name,count", [
    ("The vegetable that rabbits love in cartoons, four of them on a wooden board", "vegetable", 4),
    ("The bird that cannot fly and lives in the Antarctic, two of them on an iceberg", "bird", 2),
    ("The tool a carpenter uses to drive nails, a pair of them on a workbench", "tool", 2),
    ("The flower that follows the sun, five of them in a tall vase", "flower", 5),
])
def test_counted_group_pronoun_sets_the_described_things_count(prompt: str, name: str, count: int) -> None:
    graph = parse_prompt(prompt)
    assert (name, count) in _objects(graph)


def test_counted_group_pronoun_means_what_the_sentence_is_about() -> None:
    # "spins silk, three of them": the creatures, not the silk named last
    graph = parse_prompt("The creature that spins silk, three of them hanging from a branch")
    assert ("creature", 3) in _objects(graph)
    assert all(count == 1 for name, count in _objects(graph) if name != "creature")


def test_counted_group_pronoun_never_lowers_a_written_count() -> None:
    # "six cupcakes on a tray, two of them with candles": two of the six, still six
    graph = parse_prompt("six cupcakes on a tray, two of them next to a candle")
    assert ("cake", 6) in _objects(graph)


def test_participle_after_counted_group_is_no_object() -> None:
    # "landing" is also a noun (a stair landing); before "on" it is how the group is placed
    graph = parse_prompt("The bug with red wings and black spots, three of them landing on a leaf")
    names = {name for name, _ in _objects(graph)}
    assert "landing" not in names


# --- a holder in its made sense: "in a crock" (WordNet's first "crock" is soot) ---------------
@pytest.mark.parametrize("prompt,relation", [
    ("a wooden whisk standing in a stoneware crock", ("whisk", "inside", "crock")),
    ("three pencils in a tin on a windowsill", ("pencil", "inside", "tin")),
    ("a pair of chopsticks in a crock", ("chopstick", "inside", "crock")),
])
def test_holder_in_its_made_sense_is_drawn(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(parse_prompt(prompt))


def test_made_thing_that_holds_nothing_is_no_holder() -> None:
    # a drum is a made thing, but no container: "a key in a drum" keeps no drum to hold it
    assert not english.is_made_holder("drum")
    assert english.is_made_holder("crock")


# --- shade names a product listing gives on their own --------------------------------------
@pytest.mark.parametrize("prompt,name,colour", [
    ("Canvas messenger bag, camel, brass buckles", "bag", "brown"),
    ("Suede loafers, mocha, rubber sole, size 42", "loafer", "brown"),
    ("Cotton hoodie in blush with a front pocket", "hoodie", "pink"),
    ("Chelsea boots, oxblood, leather, size 9", "boot", "red"),
])
def test_shade_name_in_a_listing_is_the_colour(prompt: str, name: str, colour: str) -> None:
    graph = parse_prompt(prompt)
    found = {o.name: o.attributes.color for o in graph.objects}
    assert found.get(name) == colour, found


@pytest.mark.parametrize("prompt,name", [
    ("a camel next to a palm tree", "camel"),
    ("two camels resting beside a tent", "camel"),
    ("a mug of mocha on a saucer", "cup"),
])
def test_shade_name_with_an_article_stays_the_thing(prompt: str, name: str) -> None:
    graph = parse_prompt(prompt)
    assert name in {o.name for o in graph.objects}
    assert all(o.attributes.color is None for o in graph.objects)


# --- "a flour dusted counter": a covering noun and its participle, written apart, describe ------
@pytest.mark.parametrize("prompt,drawn,covering", [
    ("a clay jug on a flour dusted table", "dining table", "flour"),
    ("a sugar coated donut on a plate", "donut", "sugar"),
    ("a red bicycle leaning on a moss covered rock", "rock", "moss"),
    ("a lantern on a frost covered bench", "bench", "frost"),
])
def test_covering_noun_before_participle_is_an_attribute(prompt: str, drawn: str, covering: str) -> None:
    graph = parse_prompt(prompt)
    names = {o.name for o in graph.objects}
    assert drawn in names and covering not in names


def test_colour_before_participle_stays_the_colour() -> None:
    graph = parse_prompt("an orange potted plant next to a black spoon")
    plant = next(o for o in graph.objects if o.name == "potted plant")
    assert plant.attributes.color == "orange"


# --- a document things lie on: "on an open bible" ------------------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a brass key on an old certificate", ("key", "on", "certificate")),
    ("a pair of glasses resting on an open bible", ("glasses", "on", "bible")),
    ("a silver key on a crumpled ticket", ("key", "on", "ticket")),
])
def test_thing_on_a_document_draws_the_document(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(parse_prompt(prompt))


def test_lighthouse_on_a_point_draws_no_point() -> None:
    # "point" is first an abstraction, not a document: "on a rocky point" is where it stands
    names = {o.name for o in parse_prompt("a white lighthouse on a rocky point").objects}
    assert "point" not in names


# --- money one holds: WordNet files "coin" and "banknote" under possession --------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a ceramic piggy bank beside three coins", ("piggy bank", "next to", "coin")),
    ("a leather wallet next to a pile of coins", ("wallet", "next to", "coin")),
    ("a magnifying glass beside a banknote", ("magnifying glass", "next to", "banknote")),
])
def test_money_placed_by_a_relation_is_drawn(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(parse_prompt(prompt))


# --- "is a step too late": a noun that measures a degree names nothing ----------------------
@pytest.mark.parametrize("prompt,measure", [
    ("A goalkeeper dives for the ball but is a step too slow.", "step"),
    ("The cake on the counter is a touch too dark.", "touch"),
    ("A runner reaches the tape, a stride ahead of a rival who was a beat too late.", "beat"),
])
def test_degree_noun_before_too_is_no_object(prompt: str, measure: str) -> None:
    assert measure not in {o.name for o in parse_prompt(prompt).objects}


# --- "two apartment blocks": after a number above one, a thing's -s form heads the phrase -----
@pytest.mark.parametrize("prompt,name,count", [
    ("a crane above three office blocks", "block", 3),
    ("two garden hoses and a bucket", "hose", 2),
    ("four concrete pipes stacked by a road", "pipe", 4),
])
def test_plural_head_after_a_number_is_the_noun(prompt: str, name: str, count: int) -> None:
    assert (name, count) in _objects(parse_prompt(prompt))


def test_singular_subject_keeps_its_verb() -> None:
    # one noun before a thing's -s form: the verb ("a boulder blocks the road")
    graph = parse_prompt("a fallen boulder blocks a narrow road near a red car")
    assert "block" not in {o.name for o in graph.objects}


def test_paddleboard_is_no_surfboard() -> None:
    # a paddleboard is a board of its own; named beside surfboards, both stay
    graph = parse_prompt("a yellow paddleboard next to two surfboards on a rack")
    assert {("paddleboard", 1), ("surfboard", 2)} <= set(_objects(graph))


# --- "a Bluetooth speaker": a made thing's noun or an unknown brand word picks the made sense --
@pytest.mark.parametrize("prompt,thing", [
    ("a bluetooth speaker on a wet rock", "speaker"),
    ("a stereo speaker next to a sofa", "speaker"),
    ("a laptop speaker on a desk", "speaker"),
])
def test_device_word_picks_the_made_sense(prompt: str, thing: str) -> None:
    names = {o.name for o in parse_prompt(prompt).objects}
    assert thing in names and "person" not in names


def test_person_word_keeps_the_person_sense() -> None:
    # "guest" is a person, not a made thing: a guest speaker is someone
    names = {o.name for o in parse_prompt("a guest speaker at a wooden podium").objects}
    assert "person" in names and "speaker" not in names
