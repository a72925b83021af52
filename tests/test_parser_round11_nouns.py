"""The parser's eleventh round, nouns: objects missed because of the word itself. Each group
checks one general mechanism on prompts invented for it (none is taken from the gold sets)."""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.parsing.spelling import correct


def _names(graph: SceneGraph) -> list[str]:
    return [o.name for o in graph.objects]


# --- a filler verb ("stand", "rest") that the tagger reads as the noun the word before modifies --
@pytest.mark.parametrize("prompt,thing", [
    ("a bonsai pine on a carved wooden stand", "stand"),
    ("a laptop on a folding stand beside a lamp", "stand"),
    ("a book on a reading stand by the window", "stand"),
    ("a phone lying on the foot rest", "foot rest"),
    ("a helmet hanging from the head rest of a motorcycle seat", "head rest"),
])
def test_filler_word_heads_its_phrase(prompt: str, thing: str) -> None:
    assert thing in _names(parse_prompt(prompt))


@pytest.mark.parametrize("prompt,absent", [
    ("two dogs stand beside a bench", "stand"),
    ("a cat rests on the mat", "rest"),
    ("a small oil can and a logbook rest on the ledge", "rest"),
    ("the rest of the cookies on a plate", "rest"),
])
def test_filler_word_stays_a_verb(prompt: str, absent: str) -> None:
    assert all(absent not in name.split() for name in _names(parse_prompt(prompt)))


# --- after a number above one, a noun's -s word is the plural head, not its verb -------------
@pytest.mark.parametrize("prompt,thing", [
    ("a couple dozen sourdough rolls on 2 sheet pans", "roll"),
    ("3 lobster buoys by the boathouse", "buoy"),
    ("two cheese rolls on a plate", "roll"),
    ("two marker buoys near the pier", "buoy"),
])
def test_plural_head_after_count(prompt: str, thing: str) -> None:
    assert thing in _names(parse_prompt(prompt))


# --- a typo's extra letter is a key beside its neighbours; a letter from afar is the word's own --
@pytest.mark.parametrize("typed,meant", [("bottlre", "bottle"), ("sandwhich", "sandwich"), ("chaiir", "chair")])
def test_extra_letter_struck_beside_is_a_typo(typed: str, meant: str) -> None:
    assert correct(typed) == meant


@pytest.mark.parametrize("word", ["brayer"])
def test_extra_letter_from_afar_stays(word: str) -> None:
    assert correct(word) == word


# --- a class noun before a filler word that heads the phrase modifies it -----------------------
@pytest.mark.parametrize("prompt", [
    "an umbrella stand by the door",
    "a tablet on a laptop stand next to a mug",
    "a cake on a tall cake stand",
    "a bike stand outside the cafe",
])
def test_class_noun_modifies_filler_head(prompt: str) -> None:
    assert "stand" in _names(parse_prompt(prompt))
