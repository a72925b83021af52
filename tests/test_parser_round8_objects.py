"""The parser's eighth round, part A: which words become objects and what they are named, decided
with the contextual tagger's reading where the lexicon alone cannot tell.

Each group checks one general mechanism on prompts invented for it, in other domains than the
gold sets' prompts (none is taken from them). Without the tagger the rules read as before, so
these groups are skipped where the pipeline is not installed.
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.parsing.tagging import tag_sentence

pytestmark = pytest.mark.skipif(tag_sentence(["a", "cat"]) is None, reason="contextual tagger not installed")


def _names(graph: SceneGraph) -> list[str]:
    return [o.name for o in graph.objects]


def _colour(graph: SceneGraph, name: str) -> str | None:
    return next(o.attributes.color for o in graph.objects if o.name == name)


# --- a colour or material word that is also a noun, before the noun it describes -----------------
@pytest.mark.parametrize("prompt,thing,colour,not_a_thing", [
    ("an orange ice hockey puck on a bench", "hockey puck", "orange", "orange"),
    ("an orange float bobbing in a pond", "float", "orange", "orange"),
    ("a glass float resting on a shelf", "float", None, "wine glass"),
    ("a glass float hanging in a window", "float", None, "wine glass"),
    # through a gerund modifier, and before a participle describing the thing
    ("an orange sleeping bag on a cot", "bag", "orange", "orange"),
    ("an orange ironing board in a laundry room", "ironing board", "orange", "orange"),
    ("the bright orange ring thrown to a swimmer", "ring", "orange", "orange"),
    # a noun no dictionary knows, which the tagger reads as the noun
    ("a row of orange lifejackets on hooks", "lifejacket", "orange", "orange"),
    ("a heap of orange lifejackets on a jetty", "lifejacket", "orange", "orange"),
])
def test_attribute_word_before_a_noun_describes_it(prompt, thing, colour, not_a_thing):
    graph = parse_prompt(prompt)
    assert thing in _names(graph)
    assert not_a_thing not in _names(graph)
    assert _colour(graph, thing) == colour


@pytest.mark.parametrize("prompt,not_a_thing", [
    ("soft green light filters through the pines", "filter"),
    ("a red toy fire truck and a doll lie scattered on a rug", "lie"),
    ("its black boiler gleams in the sun", "gleam"),
])
def test_a_noun_s_verb_after_a_colour_is_no_noun(prompt, not_a_thing):
    assert not_a_thing not in _names(parse_prompt(prompt))


# --- a word the tagger reads as no noun in its sentence heads no phrase --------------------------
@pytest.mark.parametrize("prompt,thing,not_a_thing", [
    ("a shepherd waving a flock of sheep forward through a gate", "sheep", "forward"),
    ("a sailor steering a dinghy forward into the wind", "boat", "forward"),
    ("a baker kneading dough until it is smooth, beside a flour sack", "dough", "until"),
    ("two boxers trading punches mid-round under a spotlight", "punch", "mid-round"),
    ("the canoe is flipped over on the dock so the kids can paint it", "boat", "paint"),
    # a verb with a pronoun subject
    ("the spice that makes you sneeze when you grind it, in a bowl", "spice", "person"),
])
def test_adverb_conjunction_or_verb_is_no_object(prompt, thing, not_a_thing):
    names = _names(parse_prompt(prompt))
    assert thing in names
    assert not_a_thing not in names


# --- a thing WordNet names by its plural, whose singular means something else ---------------------
@pytest.mark.parametrize("prompt,not_a_thing", [
    ("a blacksmith pumping the bellows beside a forge", "bellow"),
    ("a trout angler in green waders standing in a river", "bird"),
    ("a fisherman in rubber waders casting a line from a riverbank", "bird"),
    ("a hiker in waders crossing a stream", "bird"),
])
def test_plural_name_is_not_its_singular(prompt, not_a_thing):
    assert not_a_thing not in _names(parse_prompt(prompt))


def test_plural_of_a_person_stays_people():
    graph = parse_prompt("two boxers trading punches in a ring")
    assert [(o.name, o.count) for o in graph.objects if o.name == "person"] == [("person", 2)]


# --- a colour word that is also an animal or a plant, before a material and a made thing ----------
@pytest.mark.parametrize("prompt,thing,colour", [
    ("a teal enamel colander hanging on a hook", "colander", "green"),
    ("a teal enamel saucepan on a stove", "saucepan", "green"),
    ("a mint enamel bread bin on a counter", "bin", "green"),
    ("a teal enamel bucket by a well", "bucket", "green"),
])
def test_colour_before_a_material_colours_the_made_thing(prompt, thing, colour):
    assert _colour(parse_prompt(prompt), thing) == colour


def test_colour_word_naming_a_plant_part_stays_the_plant():
    assert "olive branch" in _names(parse_prompt("an olive branch in a vase"))


# --- a setting word (picture, place) that an action handles is a made thing ----------------------
@pytest.mark.parametrize("prompt,thing", [
    ("a carpenter sanding a wooden frame in the garage", "frame"),
    ("a restorer gilding an ornate frame", "frame"),
    ("a sailor varnishing a teak rail on the deck", "rail"),
    ("a woman carrying a large canvas up the stairs", "canvas"),
    ("a jeweller polishing a tiny glass lens", "lens"),
])
def test_setting_word_handled_by_a_doer_is_drawn(prompt, thing):
    graph = parse_prompt(prompt)
    assert thing in _names(graph)
    thing_id = next(o.id for o in graph.objects if o.name == thing)
    assert any(r.subject == "o1" and r.object == thing_id for r in graph.relations)


@pytest.mark.parametrize("prompt,setting", [
    ("a woman smiling at the camera", "camera"),  # looked at: the picture itself
    ("a man sweeping the dusty floor", "floor"),  # a building's part
    ("a boy crossing a busy street", "street"),  # a way one travels
    ("a painter painting a white wall", "wall"),
])
def test_setting_word_acted_on_stays_the_setting(prompt, setting):
    assert setting not in _names(parse_prompt(prompt))


# --- a modal that no bare verb follows is a noun --------------------------------------------------
@pytest.mark.parametrize("prompt,not_a_thing", [
    ("a rusty fuel can and a tow rope in the trunk", "fuel"),
    ("a paint can on the step of a ladder", "paint"),
    ("a dented oil can beside a lawnmower", "oil"),
    ("a gas can sits by the generator", "gas"),
])
def test_modal_without_its_verb_is_the_noun(prompt, not_a_thing):
    names = _names(parse_prompt(prompt))
    assert not_a_thing not in names
    assert any(name == "can" or name.endswith(" can") for name in names)


@pytest.mark.parametrize("prompt", ["the dog can swim across the lake", "a boy who can juggle three balls"])
def test_modal_before_its_verb_stays_the_modal(prompt):
    assert not any(name.endswith("can") for name in _names(parse_prompt(prompt)))
