"""Round 12 (listing helper): product listings whose users, classifiers or trailing colour were
read as things of their own."""

from __future__ import annotations

import pytest

from stagestudio.scene.parser import parse_prompt


def _names(prompt: str) -> list[str]:
    return [o.name for o in parse_prompt(prompt).objects]


def _colours(prompt: str) -> dict[str, str | None]:
    return {o.name: o.attributes.color for o in parse_prompt(prompt).objects}


@pytest.mark.parametrize(("prompt", "names"), [
    ("Kids plastic tool bench with 2 screwdrivers", ["bench", "screwdriver"]),
    ("girls party dress with a satin sash, pink", ["dress"]),
    ("mens leather wallet, brown", ["wallet"]),
    ("kids bikes leaning on a wall", ["bicycle"]),
])
def test_plural_people_before_a_made_thing_say_whom_it_is_for(prompt, names):
    assert _names(prompt) == names


@pytest.mark.parametrize("prompt", [
    "kids ice skating on a pond",  # an activity, no made thing
    "two kids fly kites on a hill",  # counted people, and a verb between
    "Gulls wheel above the flare stack",  # a plural that names birds too
])
def test_plural_people_that_are_there_stay(prompt):
    names = _names(prompt)
    assert "person" in names or "bird" in names


@pytest.mark.parametrize(("prompt", "product"), [
    ("Digital thermometer for babies, flexible tip", "thermometer"),
    ("Heated dog bed for puppies and old dogs, 60 cm", "bed"),
    ("Travel pillow for adults and teens, memory foam, navy", "pillow"),
])
def test_whom_a_listed_product_is_for_is_not_drawn(prompt, product):
    names = _names(prompt)
    assert product in names and "person" not in names and "dog" not in names


@pytest.mark.parametrize("prompt", [
    "a birthday cake for a little girl",  # food, no listing of a made thing
    "a leash for a dog waiting by the door",  # the dog is placed
])
def test_someone_a_thing_is_for_who_is_there_stays(prompt):
    names = _names(prompt)
    assert "person" in names or "dog" in names


@pytest.mark.parametrize(("prompt", "product", "accessory", "colour"), [
    ("Electric kettle with 2 spare filters, white", "kettle", "filter", "white"),
    ("Camping lantern with a hanging hook and 3 batteries, orange", "lantern", "battery", "orange"),
    ("Stethoscope for paramedics, dual head, 80 cm tubing, navy", "stethoscope", None, "blue"),
])
def test_a_listing_trailing_colour_is_the_product_s(prompt, product, accessory, colour):
    colours = _colours(prompt)
    assert colours[product] == colour
    if accessory is not None:
        assert colours[accessory] is None


@pytest.mark.parametrize(("prompt", "members"), [
    ("Picnic set - wicker basket, 2 plates, thermos and a checkered blanket", ["basket", "plate", "thermos", "blanket"]),
    ("Home espresso station: grinder, tamper, milk jug", ["grinder", "tamper"]),
])
def test_members_listed_after_an_undrawn_heading_are_things_of_their_own(prompt, members):
    names = _names(prompt)
    assert all(m in names for m in members)


def test_a_picture_heading_lists_the_product_s_features():
    graph = parse_prompt("Product photo: ceramic mug, matte glaze, bamboo lid")
    assert [o.name for o in graph.objects] == ["cup"]
    assert "bamboo lid" in graph.objects[0].attributes.parts


@pytest.mark.parametrize(("prompt", "name", "count"), [
    ("Hair clip x4, tortoiseshell", "clip", 4),
    ("Ceramic mug x 2, matte black", "cup", 2),
])
def test_a_multiplier_after_a_singular_listed_noun_counts_it(prompt, name, count):
    objects = parse_prompt(prompt).objects
    assert [(o.name, o.count) for o in objects] == [(name, count)]


@pytest.mark.parametrize(("prompt", "name"), [
    ("Karaoke speaker with mic, 30W", "speaker"),  # first a person who speaks
    ("Insulated tumbler, 500 ml, sage green", "cup"),
])
def test_a_listed_noun_measured_as_only_made_things_are_is_the_made_thing(prompt, name):
    assert _names(prompt)[0] == name


def test_a_person_measured_by_height_stays_a_person():
    assert _names("Basketball player, 2 m tall, in a red jersey") == ["person"]
