"""Round 12 (people helper): objects invented in paragraph prompts - a group of people named as
the building it meets in, a group's noun before the thing it names, people named by a
collective noun and the word before it."""

from __future__ import annotations

import pytest

from stagestudio.scene.parser import parse_prompt


def _people(prompt: str) -> list[tuple[int, str | None]]:
    return [(o.count, o.noun) for o in parse_prompt(prompt).objects if o.name == "person"]


def _names(prompt: str) -> list[str]:
    return [o.name for o in parse_prompt(prompt).objects]


@pytest.mark.parametrize(("prompt", "people"), [
    # the building a group meets in is the setting, no people
    ("In the back room of a chess club, an old man sets up a board.", [(1, "old man")]),
    ("Inside a crowded auction house, a clerk types at a desk.", [(1, "clerk")]),
    ("A waiter carries a tray in a jazz club.", [(1, "waiter")]),
])
def test_a_group_named_as_its_building_is_no_people(prompt, people):
    assert _people(prompt) == people


@pytest.mark.parametrize(("prompt", "people"), [
    ("A boy waits in a crowd by the gate.", [(1, "boy"), (2, "crowd")]),
    ("The captain of a rowing team holds an oar.", [(1, "captain"), (2, "team")]),
])
def test_a_group_of_people_stays_people(prompt, people):
    assert _people(prompt) == people


def test_a_groups_noun_before_a_thing_names_that_thing():
    # the tagger reads "hut" as a verb; the dictionary knows it only as a noun
    assert _names("Inside a ski patrol hut, two patrollers sit by a stove.") == ["hut", "person", "oven"]
    assert _people("A pit crew refuels the car.") == [(2, "crew")]


@pytest.mark.parametrize("prompt", [
    "A school group sits on the museum steps.",
    "A youth group hikes up the trail.",
])
def test_a_collective_noun_after_a_people_word_is_people(prompt):
    assert _people(prompt) == [(2, "group")]


def test_a_group_of_things_is_no_people():
    assert _names("A group of trees stands on the hill.") == ["tree"]


@pytest.mark.parametrize(("prompt", "noun"), [
    # a fronted place's comma is no list's; a verb the rules could take for a plural noun
    # ("slices", "bags") is no list member either
    ("Behind the counter, the baker, a tall man in an apron, slices a loaf.", "baker"),
    ("In the kitchen, the cook, a plump woman in an apron, stirs a pot.", "cook"),
    ("At the front desk, the receptionist, a young woman with a headset, smiles at a guest.", "receptionist"),
])
def test_a_person_renamed_after_a_fronted_place_is_one_person(prompt, noun):
    people = _people(prompt)
    assert people[0] == (1, noun)
    assert len(people) == (2 if "guest" in prompt else 1)


def test_a_list_of_people_stays_a_list():
    assert _people("The chef, a waiter and a busboy stand by the door.") == [(1, "chef"), (1, "waiter"), (1, "busboy")]


@pytest.mark.parametrize(("prompt", "part"), [
    ("A boy in a dinosaur sweater holds a balloon.", "dinosaur sweater"),
    ("A girl in a superhero T-shirt waves at a bus.", "superhero t-shirt"),
])
def test_a_living_things_noun_before_a_garment_names_no_one(prompt, part):
    graph = parse_prompt(prompt)
    assert [o.name for o in graph.objects].count("person") == 1
    assert part in graph.objects[0].attributes.parts


@pytest.mark.parametrize(("prompt", "names"), [
    # a word first a made thing is that thing where a noun before it says which
    ("A fox sleeps by the den. Radios and a first-aid kit hang on the wall.", ["fox", "radio", "kit"]),
    ("A dog naps by a drum kit.", ["dog", "kit"]),
    # the young of whatever animal the prompt is about, as before
    ("An elephant crosses a riverbed. A tiny calf walks beside her.", ["elephant", "elephant"]),
])
def test_a_kit_with_a_noun_before_it_is_no_young_animal(prompt, names):
    assert _names(prompt) == names


@pytest.mark.parametrize(("prompt", "names"), [
    # what happens, named by the animal it is about, draws no animal of its own
    ("An indoor horse show, the final round of show jumping. A grey mare clears a fence.", ["horse", "fence"]),
    ("A cattle auction in a barn, a farmer points at a cow.", ["person", "cow"]),
    # a verb after its subject stays the verb
    ("A horse shows its teeth.", ["horse"]),
    ("Two dogs race across the snow.", ["dog"]),
])
def test_an_event_named_by_an_animal_draws_no_animal(prompt, names):
    assert _names(prompt) == names


def test_a_plain_verb_after_joined_subjects_is_no_event():
    people = _people("A woman and her boyfriend search for clues by the door.")
    assert [noun for _, noun in people] == ["woman", "boyfriend"]


@pytest.mark.parametrize(("prompt", "names"), [
    # "under" and a bare act or event: what is being done to the thing, no place
    ("A new house still under construction. An electrician on a stepladder pulls cables.",
     ["house", "person", "stepladder", "cable"]),
    ("A bridge under repair spans the river.", ["bridge"]),
    # a place under a thing stays
    ("A cat sleeps under a bench.", ["cat", "bench"]),
])
def test_under_an_act_is_a_state_not_a_place(prompt, names):
    assert _names(prompt) == names
