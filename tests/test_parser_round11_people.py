"""The parser's eleventh round: people missed or invented. Each group checks one general
mechanism on prompts invented for it (none is taken from the gold sets)."""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.spelling import correct


def _names(graph: SceneGraph) -> list[str]:
    return [o.name for o in graph.objects]


def _person_count(graph: SceneGraph) -> int | None:
    return next((o.count for o in graph.objects if o.name == "person"), None)


# --- an agent noun ("-er" of a verb) names its person before a rarer plant or state -----------
@pytest.mark.parametrize("prompt,count", [
    ("two climbers hauling a sled up the slope", 2),
    ("a founder pouring bronze into a mould", 1),
    ("three coopers stacking casks by a wall", 3),
    ("a couple of skinners scraping a hide", 2),
    ("two rock climbers resting on a ledge", 2),
])
def test_agent_noun_is_a_person(prompt: str, count: int) -> None:
    assert _person_count(parse_prompt(prompt)) == count


@pytest.mark.parametrize("word", ["setter", "badger", "remover", "poster", "better", "warbler"])
def test_agent_noun_with_animal_or_thing_sense_stays(word: str) -> None:
    assert english.geneval_class(word) != "person"


def test_compound_selects_the_heads_person_sense() -> None:
    graph = parse_prompt("a turtle gliding past a scuba diver")
    assert "person" in _names(graph)
    # (a "black belt" names its wearer, but "belt" has no person sense: it stays a belt)
    assert _names(parse_prompt("a small woman with a black belt")).count("person") == 1


# --- a slip inside a word the lexicon only guesses as a compound ("stud" + "net") -------------
@pytest.mark.parametrize("typo,meant", [
    ("studnets", "students"), ("teachres", "teachers"), ("docotr", "doctor"), ("swimemr", "swimmer"),
])
def test_slip_beats_a_guessed_compound(typo: str, meant: str) -> None:
    assert correct(typo) == meant


@pytest.mark.parametrize("word", ["nightstand", "dishrack", "toybox", "dogwalker", "beachgoer"])
def test_guessed_compound_without_a_slip_stays(word: str) -> None:
    assert correct(word) == word


# --- people listed by another noun are others, not more of the first ---------------------------
@pytest.mark.parametrize("prompt,first,others", [
    ("a chef, two waiters and a table", "chef", "waiter"),
    ("1 teacher, 2 pupils, 4 desks", "teacher", "pupil"),
    ("one nurse, 3 patients, two beds", "nurse", "patient"),
    ("a surgeon, two nurses, an operating table", "surgeon", "nurse"),
])
def test_listed_people_by_other_nouns_stay_apart(prompt: str, first: str, others: str) -> None:
    people = {o.noun or o.name: o.count for o in parse_prompt(prompt).objects if o.name == "person"}
    assert people[first] == 1
    assert people[others] > 1


# --- "a third" after a group of two is one more of them; after three, one of them -------------
def test_further_ordinal_adds_one_more_of_the_group() -> None:
    graph = parse_prompt("two guards stand at the gate and a third paces the wall")
    assert sorted(o.count for o in graph.objects if o.name == "person") == [1, 2]


def test_ordinal_within_the_group_is_one_of_them() -> None:
    graph = parse_prompt("three hikers rest; a third ties her boot")
    assert [o.count for o in graph.objects if o.name == "person"] == [3]


@pytest.mark.parametrize("prompt", ["a third of the cake sits on a plate", "a second later the door opens"])
def test_ordinal_without_its_own_verb_adds_no_one(prompt: str) -> None:
    assert "person" not in _names(parse_prompt(prompt))


# --- a verb's doer coined with "-er" is no typo --------------------------------------------------
@pytest.mark.parametrize("word", ["grazer", "grazers", "brayer", "scroller"])
def test_agent_noun_coinage_is_no_slip(word: str) -> None:
    assert correct(word) == word


# --- an adverb of place after someone's noun says where they are -------------------------------
@pytest.mark.parametrize("prompt,noun", [
    ("a male dancer lifting a ballerina high over his head", "ballerina"),
    ("a ballerina high above the stage", "ballerina"),
])
def test_adverb_after_someone_leaves_their_noun_the_head(prompt: str, noun: str) -> None:
    assert noun in [o.noun for o in parse_prompt(prompt).objects if o.name == "person"]


def test_adjective_before_a_thing_stays_its_adjective() -> None:
    shelf = next(o for o in parse_prompt("a high shelf over the desk").objects if o.name == "shelf")
    assert "high" in shelf.attributes.adjectives
