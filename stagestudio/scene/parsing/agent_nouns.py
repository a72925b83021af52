"""Agent nouns: a noun made of a verb and "-er"/"-or" names, first of all, the one who does it
("climber", "diver", "founder", "cooper"). WordNet lists such a word's senses with no attested
order, or puts a rare state or a surname first ("founder" is first a horse's laminitis,
"cooper" first the novelist), so its first sense alone would hide the person a picture shows.

Split from `english` (which re-exports every name here) to keep one idea per file."""

from __future__ import annotations

from functools import lru_cache

from stagestudio.scene.parsing.english import (
    COMMUNICATION,
    PERSON,
    PLANT,
    NounSense,
    _verb_table,
    noun_lemma,
    noun_senses,
    parts_of_speech,
    senses_ordered,
)

# (how many of WordNet's senses an agent noun's person must compete with: the rest are rare)
_COMPETING_SENSES = 4


def is_agent_noun(lemma: str) -> bool:
    """A verb's stem with "-er" or "-or": "climb-er", "dive-r", "swimm-er", "found-er"."""
    if not lemma.isalpha() or len(lemma) < 5 or not lemma.endswith(("er", "or")):
        return False
    stems = [lemma[:-2], lemma[:-1]]
    if lemma[-3] == lemma[-4]:
        stems.append(lemma[:-3])  # a doubled consonant: "swimmer", "skinner"
    return any(stem in _verb_table() for stem in stems)


def _common_senses(lemma: str) -> tuple[NounSense, ...]:
    return tuple(s for s in noun_senses(lemma) if "i" not in s.flags)


@lru_cache(maxsize=8192)
def agent_noun_is_person(lemma: str) -> bool:
    """An agent noun that names a person before anything else one could draw: a person is among
    its first two common senses, and nothing drawable among its first four but a person or a
    plant (a "climber" is also a vine), where WordNet attests no order of senses or lists an
    undrawable sense first ("founder": laminitis). Not where an animal, a made thing, a body
    part or a substance competes ("setter", "badger", "knocker", "remover"), nor a word that is
    also an adjective ("better"), nor one first a written thing ("poster", "flyer")."""
    senses = _common_senses(lemma)
    if not senses or not is_agent_noun(lemma) or "ADJ" in parts_of_speech(lemma):
        return False
    if not any(s.lexfile == PERSON for s in senses[:2]):
        return False
    if any(s.is_thing and s.lexfile not in (PERSON, PLANT) for s in senses[:_COMPETING_SENSES]):
        return False
    first = senses[0]
    return not senses_ordered(lemma) or not first.is_thing and first.lexfile != COMMUNICATION


def surname_is_agent_noun(word: str, senses: tuple[NounSense, ...]) -> bool:
    """A surname that is also an agent noun WordNet lists as a common person ("cooper",
    "carter", "skinner", "wheeler"): written lower case in a prompt it names the trade."""
    word = noun_lemma(word)  # ("coopers")
    # (WordNet makes some trades verbs of their own: one "coopers" a barrel)
    trade = is_agent_noun(word) or word.endswith("er") and word in _verb_table()
    return trade and any(s.lexfile == PERSON and "i" not in s.flags
                                       for s in senses[1:_COMPETING_SENSES])
