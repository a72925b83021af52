"""Offline prompt -> scene graph parser: rules over a real English lexicon, no model.

The lexicon (`parsing/english.py`) is lemminflect (parts of speech, lemmas, inflection) and
tables built from WordNet 3.0 by `tools/build_noun_lexicon.py`: each noun's senses with their
category (thing, abstraction, place, unit, mass, proper name...), the wholes it is part of
(meronyms: a headlight is part of a motor vehicle), the GenEval class it falls under (a
fisherman is a person, a terrier a dog), and each verb's category. `lexicon.py` holds the
word lists that override or complete it.

The parser works sentence by sentence in three passes:

1. *Scan* (`parsing/scan.py`, `clauses.py`, `verbs.py`, `phrases.py`,
   `phrase_reading.py`, `phrase_state.py`, `phrase_endings.py`, `phrase_words.py`): tokens
   (accents folded, one-edit typos of known words corrected) become items: noun phrases
   (determiner, number, adjectives, head noun, sizes), relation phrases ("to the left of",
   "beneath", "on its right", "filled with"), actions ("riding", "chewing on"), clause breaks
   and prepositions.
2. *Resolve* (`resolve.py`, `parts.py`, `state.py`): noun phrases become objects, refer back
   to one ("the cat", "the stack", pronouns by salience and agreement: `reference.py`), or are
   dropped: parts and worn things go to their owner's `parts` ("its rim", "the truck's bumper",
   "with a navy dial and a leather strap", "office chair, chrome base"); masses, meals, picture
   words, abstractions, names and the setting ("in a park") are not drawn.
3. *Relate* (`relate.py`, `actions.py`): each relation phrase gets a subject and an object: the
   clause's object it follows (by size for "X on Y next to Z", the agent for a place after an
   action's object), the object after it in an inverted clause ("Behind her, a dog..."), the
   sentence's subject for a clause after a comma with none of its own ("..., standing on its
   launch pad"), the owner of a part named ("beside the front tire" -> the truck, "near the
   barn door" -> the barn: `placed.py`), each of the things "them" stands for ("a cup and a
   saucer ... beside them"). Absolute placements ("on the left ... in the middle ... on the
   right") are paired at the end (`placements.py`).

Relation predicates are canonical: every vertical paraphrase becomes GenEval's `above` /
`below`, every horizontal one `left of` / `right of`; contact is `on`, containment `inside`;
other verbs are free-form action predicates ("riding", "looking at").

A class noun is always an object. Another drawable noun is one where the clause is about it
or where an explicit relation places it ("a fox beneath an oak tree", "on a lily pad"). A
prompt left with nothing is read again drawing its abstract subject ("currency"), then its
setting words ("a sunset over the ocean"); only one with no noun at all is an error.
"""

from __future__ import annotations

from stagestudio.scene.parsing.errors import PromptError
from stagestudio.scene.parsing.parse import MAX_PROMPT_CHARS, parse_prompt

__all__ = ["MAX_PROMPT_CHARS", "PromptError", "parse_prompt"]
