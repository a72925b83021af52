"""Modifier words -> ObjectAttributes (colour, material, size, adjectives)."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import ObjectAttributes
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.colour_names import (
    names_a_species,
    opens_a_longer_name,
    shade_of_next_colour,
)
from stagestudio.scene.parsing.words import hyphen_colour

_NOT_ADJECTIVES = {"single", "lone", "solitary", "one", "same", "other", "own", "real", "actual",
                   "whole", "entire", "visible", "various", "different", "certain", "just", "only"}


def _names_a_purpose(word: str, head: str | None) -> bool:
    """"a coffee dripper", "a milk jug", "an espresso machine": a drink named right before a made
    thing (not a food) says what the thing is for, not its colour ("a chocolate cake" is brown)."""
    if head is None or not english.is_mass(word) or not english.noun_senses(word)[0].lexfile == english.FOOD:
        return False
    last = head.split()[-1]  # (a name WordNet lacks, "dripper", is taken for a made thing too)
    return (english.is_artifact(last) or not english.noun_senses(last)) and not english.has_sense_of(last, english.FOOD)


_FAMILY_COLOURS = frozenset(lx.GENEVAL_COLORS) | {"gray", "grey"}


def _names_a_shade(word: str, next_word: str) -> bool:
    """"slate gray", "steel blue", "stone grey": a material noun right before a plain colour names
    the colour's shade (English puts the colour before the material: "a black leather bag"), so
    it is no material; an adjective of material stays one ("a wooden red chair")."""
    return (word in lx.MATERIAL_WORDS and next_word in _FAMILY_COLOURS
            and "ADJ" not in english.parts_of_speech(word))


def _names_a_kind(word: str, following: str | None) -> bool:
    """A metal word that, with the living thing's noun after it, names a kind in WordNet ("golden
    retriever", "silver birch"); "a golden cup" stays gold."""
    return bool(following) and english.is_living_or_food(following) and english.has_noun_entry(f"{word} {following}")


def _colour_names_no_colour(modifiers: list[str], k: int, following: str | None, noun: str | None) -> bool:
    """A colour word that states no colour of the object: part of a kind's or a dish's name, or a
    shade naming which of the family colour after it is meant (see colour_names)."""
    word = modifiers[k]
    last = k + 1 == len(modifiers)
    return (names_a_species(word, following, of_the_noun=last) or opens_a_longer_name(modifiers, k, noun)
            or not last and shade_of_next_colour(word, modifiers[k + 1]))


def attributes(modifiers: list[str], *, parts: list[str] | None = None,
               measurements: list[str] | None = None, head: str | None = None,
               noun: str | None = None) -> ObjectAttributes:
    """The attributes modifier words give the object `head` names (its name, if known; `noun`:
    the noun the prompt wrote, where it differs)."""
    color = material = size = None
    adjectives: list[str] = []
    for k, word in enumerate(modifiers):
        following = modifiers[k + 1] if k + 1 < len(modifiers) else noun or head
        if _names_a_purpose(word, head) or _names_a_shade(word, modifiers[k + 1] if k + 1 < len(modifiers) else ""):
            adjectives.append(word)
        elif _colour_names_no_colour(modifiers, k, following, noun or head):
            adjectives.append(word)  # "white pine", "lemon meringue pie", "coral pink"
        elif hyphen_colour(word) is not None and color is None:
            color = hyphen_colour(word)
            adjectives.extend(w for w in word.split("-")[:-1] if w not in adjectives)
        elif word in lx.COLOR_WORDS and color is None:
            color = lx.COLOR_WORDS[word]
        elif word in lx.MATERIAL_WORDS and _names_a_kind(word, modifiers[k + 1] if k + 1 < len(modifiers) else noun or head):
            adjectives.append(word)  # "golden retriever", "silver birch": a kind's name, no metal
        elif word in lx.MATERIAL_WORDS and material is None:
            material = lx.MATERIAL_WORDS[word]
        elif word in lx.SIZE_WORDS and size is None:
            size = word
        elif word in _NOT_ADJECTIVES or word.isdigit():
            continue
        elif word not in adjectives and (word not in lx.COLOR_WORDS or lx.COLOR_WORDS[word] != color):
            adjectives.append(word)  # a second colour ("black and white") is kept as a word
    return ObjectAttributes(color=color, material=material, size=size, adjectives=adjectives,
                            parts=list(parts or []), measurements=list(measurements or []))
