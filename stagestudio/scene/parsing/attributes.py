"""Modifier words -> ObjectAttributes (colour, material, size, adjectives)."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import ObjectAttributes
from stagestudio.scene.parsing.words import hyphen_colour

_NOT_ADJECTIVES = {"single", "lone", "solitary", "one", "same", "other", "own", "real", "actual",
                   "whole", "entire", "visible", "various", "different", "certain", "just", "only"}


def attributes(modifiers: list[str], *, parts: list[str] | None = None,
               measurements: list[str] | None = None) -> ObjectAttributes:
    color = material = size = None
    adjectives: list[str] = []
    for word in modifiers:
        if hyphen_colour(word) is not None and color is None:
            color = hyphen_colour(word)
            adjectives.extend(w for w in word.split("-")[:-1] if w not in adjectives)
        elif word in lx.COLOR_WORDS and color is None:
            color = lx.COLOR_WORDS[word]
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
