"""What an English word can be: the parser's grounding in a real lexicon.

Two sources, both installed with the code and read without any download:

- `lemminflect` (PyPI): which parts of speech a word form can have and its lemma
  ("simmering" is only a verb, "subtly" only an adverb, "tomatoes" the plural of "tomato"),
  and verb inflection ("rode" -> "riding").
- WordNet 3.0 noun categories (`data/wordnet_nouns.tsv.gz`, built by
  `tools/build_noun_lexicon.py` from Debian's `wordnet-base`): for each noun its most
  frequent senses' lexicographer category (animal, artifact, attribute, act...) and whether it
  is a part, something worn, a container, a unit or a place.

The parser asks this module whether a word can name a thing to draw; every word list in
`lexicon.py` stays an override on top of it.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import lemminflect

_NOUN_TABLE = Path(__file__).with_name("data") / "wordnet_nouns.tsv.gz"

# WordNet lexicographer files (noun.*) by number.
ANIMAL, ARTIFACT, BODY, FOOD, OBJECT, PERSON, PLANT, SUBSTANCE = 5, 6, 8, 13, 17, 18, 20, 27
# Senses that are things one can draw.
_THING_FILES = frozenset({ANIMAL, ARTIFACT, BODY, FOOD, OBJECT, PERSON, PLANT, SUBSTANCE})


@dataclass(frozen=True)
class NounSense:
    lexfile: int
    flags: str  # p part, c worn, k container, u unit, l place

    @property
    def is_thing(self) -> bool:
        return self.lexfile in _THING_FILES


class NounKind(str, Enum):
    THING = "thing"  # the first sense is something to draw: dog, rock, lily pad
    WEAK = "weak"  # a thing in a later sense only: book (first a written work), newspaper, light
    ABSTRACT = "abstract"  # never a thing: finish, contrast, realism, snowfall
    PLACE = "place"  # a location or landform: savanna, hill, lake
    UNIT = "unit"  # a measure: centimeter, inch, hour
    UNKNOWN = "unknown"  # not in WordNet: a name, a coinage


@lru_cache(maxsize=1)
def _noun_table() -> dict[str, str]:
    """lemma -> its senses as stored ("05,18"); decoded on lookup, since a parse asks about a
    few dozen of the 114k lemmas and decoding them all would double the start-up time."""
    with gzip.open(_NOUN_TABLE, "rt", encoding="utf-8") as fh:
        return dict(line.rstrip("\n").split("\t", 1) for line in fh)


@lru_cache(maxsize=16384)
def noun_senses(lemma: str) -> tuple[NounSense, ...]:
    """WordNet's first senses of a noun lemma ("oak tree", "dog"), most frequent first."""
    senses = _noun_table().get(lemma.replace("-", " "))
    if senses is None:
        return ()
    return tuple(NounSense(int(code[:2]), code[2:]) for code in senses.split(","))


@lru_cache(maxsize=8192)
def noun_kind(lemma: str) -> NounKind:
    senses = noun_senses(lemma)
    if not senses:
        return NounKind.UNKNOWN
    first = senses[0]
    if "u" in first.flags:
        return NounKind.UNIT
    if "l" in first.flags:
        return NounKind.PLACE
    if first.is_thing:
        return NounKind.THING
    if any(s.is_thing for s in senses[1:]):
        return NounKind.WEAK
    return NounKind.ABSTRACT


def has_flag(lemma: str, flag: str, *, senses: int = 2) -> bool:
    """Whether one of the lemma's first `senses` senses carries `flag`."""
    return any(flag in s.flags for s in noun_senses(lemma)[:senses])


def is_part(lemma: str) -> bool:
    """A part or feature of something else: handle, leg, nose, wheel, petal, fur."""
    return has_flag(lemma, "p")


def is_worn(lemma: str) -> bool:
    return has_flag(lemma, "c")


def is_container(lemma: str) -> bool:
    return has_flag(lemma, "k", senses=1)


def is_unit(lemma: str) -> bool:
    senses = noun_senses(lemma)
    return bool(senses) and "u" in senses[0].flags


def is_animate(lemma: str) -> bool:
    """A person or an animal in its first sense (the subject of "he", "she", "chasing")."""
    senses = noun_senses(lemma)
    return bool(senses) and senses[0].lexfile in (PERSON, ANIMAL)


def is_person(lemma: str) -> bool:
    senses = noun_senses(lemma)
    return bool(senses) and senses[0].lexfile == PERSON


# --------------------------------------------------------------------------------------------
# Parts of speech and inflection (lemminflect)
# --------------------------------------------------------------------------------------------
@lru_cache(maxsize=16384)
def parts_of_speech(word: str) -> frozenset[str]:
    """Universal POS tags the form can have ("NOUN", "VERB", "ADJ", "ADV", ...); empty when
    the word is not in lemminflect's dictionary."""
    return frozenset(lemminflect.getAllLemmas(word).keys())


def is_known_word(word: str) -> bool:
    return bool(parts_of_speech(word)) or bool(noun_senses(word))


def can_be_noun(word: str) -> bool:
    """Whether the form can be a noun at all. Unknown words (names, coinages) can."""
    pos = parts_of_speech(word)
    if not pos:
        return True
    return "NOUN" in pos or "PROPN" in pos or bool(noun_senses(noun_lemma(word)))


@lru_cache(maxsize=16384)
def noun_lemma(word: str) -> str:
    lemmas = lemminflect.getAllLemmas(word, upos="NOUN").get("NOUN")
    return lemmas[0] if lemmas else word


@lru_cache(maxsize=16384)
def verb_lemma(word: str) -> str | None:
    """The verb a form belongs to ("rides", "rode", "riding" -> "ride"); None when it is not a
    verb form."""
    lemmas = lemminflect.getAllLemmas(word, upos="VERB").get("VERB")
    return lemmas[0] if lemmas else None


def is_participle_or_finite(word: str) -> bool:
    """An inflected verb form (-ing, -ed, -s, or an irregular past) rather than a base form."""
    lemma = verb_lemma(word)
    return lemma is not None and word != lemma


@lru_cache(maxsize=4096)
def present_participle(lemma: str) -> str:
    forms = lemminflect.getInflection(lemma, tag="VBG")
    return forms[0] if forms else lemma + "ing"


def is_adverb_only(word: str) -> bool:
    pos = parts_of_speech(word)
    return bool(pos) and pos <= {"ADV"}


def is_adjective_only(word: str) -> bool:
    pos = parts_of_speech(word)
    return bool(pos) and "NOUN" not in pos and "ADJ" in pos and not noun_senses(word)
