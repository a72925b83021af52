"""Offline prompt -> scene graph parser: word lists (`lexicon.py`) plus a few rules, no model.

The parser works sentence by sentence in three passes:

1. *Scan*: tokens become items: noun phrases (determiner, number, adjectives, head noun),
   relation phrases ("to the left of", "beneath", "on its right"), clause breaks and
   prepositions. Multi-word names and relation phrases are matched longest first.
2. *Resolve*: noun phrases become objects (or refer back to one: "the cat", "it"); nouns that
   name the picture or the setting ("a photo of", "in a park") and details attached to an
   object ("with a red collar") are dropped.
3. *Relate*: each relation phrase gets a subject (the latest object of its clause, or the
   object after it when the sentence is inverted: "Below the tv, a clock hangs") and an
   object (the noun phrase after it, or the owner of "its"). Absolute placements ("on the
   left ... on the right") are paired at the end.

Relation predicates are canonical: every vertical paraphrase becomes GenEval's `above` /
`below`, every horizontal one `left of` / `right of`; bare contact "on" stays `on`.

Which nouns become objects: a noun naming one of GenEval's 80 classes (or a synonym) always
does. Any other drawable noun does where the clause is about it (its first object: "a tree
next to a house", "a photo of a castle") or where it is the object of a positional relation:
left of, right of, above, below, next to, near, in front of, behind ("a cat next to a lamp",
"two stars above the moon"). Left out are setting words (`lexicon.PLACE_NOUNS`: park, sky,
grass, floor, kitchen...) and picture words, details ("with a red collar", "the dog's tail"),
nouns after contact or containment ("on the grass", "in a park"), landscape things after a
sheltering phrase ("resting under a tree", "under the stars"), and a definite noun that points
at nothing drawn ("next to the mirror"), so long descriptive prompts yield the objects they
are about. A prompt left with nothing ("a sunset over the ocean") is read again keeping its
setting words; only one with no drawable noun at all ("a photo of") is an error.
"""

from __future__ import annotations

from stagestudio.scene.parsing.errors import PromptError
from stagestudio.scene.parsing.parse import MAX_PROMPT_CHARS, parse_prompt

__all__ = ["MAX_PROMPT_CHARS", "PromptError", "parse_prompt"]
