"""A verb-like word that is, in its sentence, the head noun of the words before it.

The phrase rules end a noun phrase at a filler verb ("stand", "rest", "lines", "set", "watch"),
since after a noun such a word is usually that noun's verb ("a cat rests on the mat"). But many
of these words also name made things, and after a modifier that the tagger attaches to them they
head the phrase: "a shoeshine stand", "on a lacquered stand", "the hand rest", "drying on six
lines". Both sources must agree: the tagger reads the word as a noun that the word before
modifies, and WordNet gives it a drawable sense.
"""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.phrase_words import verb_of_joined_subjects
from stagestudio.scene.parsing.relations import match_relation
from stagestudio.scene.parsing.tagging import tag_sentence
from stagestudio.scene.parsing.words import is_number

_NOUN_TAGS = frozenset({"NN", "NNS"})
# arcs by which a word modifies the noun right after it
_MODIFYING_ARCS = frozenset({"compound", "amod", "nmod", "nummod"})
# after these only a singular noun's verb ("stands") can follow, never "stand" or "rest"
_SINGULAR_OPENERS = frozenset({"a", "an", "one", "another", "each", "every"})


def _made_thing_sense(word: str, modifier_arc: str) -> bool:
    """WordNet has a made thing's sense for the word: first among its senses, or later ("rest"
    is first a pause, then a support) when a noun before it names the kind ("a hand rest";
    after an adjective, "a short rest" is the pause)."""
    lemma = english.noun_lemma(word)
    senses = english.noun_senses(lemma)
    # (a word first an animal, "fly", would be drawn as the animal: the verb reading is kept)
    if not any(s.lexfile == english.ARTIFACT for s in senses) or senses[0].lexfile == english.ANIMAL:
        return False
    return english.noun_kind(lemma) in (NounKind.THING, NounKind.WEAK) or modifier_arc == "compound"


def _first_sense_made(word: str) -> bool:
    return english.noun_kind(english.noun_lemma(word)) in (NounKind.THING, NounKind.WEAK)


def _complement_follows(tokens: list[str], j: int) -> bool:
    """What a verb would take comes next: an article, a number or a relation word."""
    if j + 1 >= len(tokens):
        return False
    after = tokens[j + 1]
    return (after in lx.INDEFINITE_DETERMINERS or after in lx.DEFINITE_DETERMINERS or is_number(after)
            or match_relation(tokens, j + 1) is not None)


def _verb_cannot_agree(tokens: list[str], start: int, j: int) -> bool:
    """A bare verb form after a phrase opened by "a" or "one" cannot be its verb ("a shoeshine
    stand beside ..."; a verb there would be "stands")."""
    word = tokens[j]
    # (after "and" the phrase may be the last of several subjects: "the chef, a waiter and a
    # busboy stand by the door")
    joined = start > 0 and tokens[start - 1] in ("and", ",", "&")
    return tokens[start] in _SINGULAR_OPENERS and not joined and not word.endswith("s") and english.is_known_word(word)


def filler_heads_phrase(tokens: list[str], start: int, j: int) -> bool:
    """Whether the filler word at tokens[j] is the head noun of the phrase opened at `start`."""
    if j >= len(tokens):
        return False
    word = tokens[j]
    if j <= start or word not in lx.FILLER_WORDS or word in lx.QUANTIFIER_NOUNS or not word.isalpha():
        return False  # ("a tool set", "a set of": a group's noun, which the quantity rules read)
    if match_relation(tokens, j) is not None:
        return False  # ("a cell phone right of a chair": a relation, never a head)
    tags = tag_sentence(tokens)
    if not tags or len(tags) != len(tokens):
        return False
    before = tags[j - 1]
    if tags[j].tag not in _NOUN_TAGS or before.head != j or before.dep not in _MODIFYING_ARCS:
        return False
    if not _made_thing_sense(word, before.dep) or english.is_animate(english.noun_lemma(tokens[j - 1])):
        return False  # (after a person or an animal the word is its verb: "a busboy stand by")
    if verb_of_joined_subjects(tokens, j):
        return False  # "an oil can and a logbook rest on the ledge": the verb the two share
    # (a word whose thing is a later sense keeps its verb reading before a complement)
    return not _complement_follows(tokens, j) or _first_sense_made(word) and _verb_cannot_agree(tokens, start, j)

