"""Colour words that say no colour of the object they stand before: part of a kind's name
("white pine", "brown bear"), of a longer dish's name ("lemon meringue pie"), what a container
holds ("charcoal sacks") or what a device works on ("coffee roaster"), or a shade given to the
family colour that follows it ("coral pink")."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.agent_nouns import is_agent_noun

_FAMILY_COLOURS = frozenset(lx.GENEVAL_COLORS) | {"gray", "grey"}


def _singular(word: str) -> str:
    return english.noun_lemma(word) if word.endswith("s") else word


def names_a_species(word: str, following: str | None, *, of_the_noun: bool) -> bool:
    """"white pine", "brown bear", "red deer", "blue whale": a colour word that with the creature's
    noun after it is WordNet's name of a kind of that creature (an animal, or a tree: a plant
    WordNet also names as its wood, filed with the creature's own parts) names a species, whose
    colour the prompt does not state. "A black cat" stays black (WordNet's "black cat" is the
    fisher, no cat), so do GenEval's classes ("a brown bear" is a brown one) and flowers ("three
    white lilies": a flower's colour is what one sees of it).
    Before another noun a tree's kind keeps its colour ("a red maple leaf"), unless the tree is
    a wood ("white oak" of a sword)."""
    if not following or word not in lx.COLOR_WORDS:
        return False
    noun = _singular(following)
    if not english.has_noun_entry(f"{word} {noun}") or noun in lx.geneval_classes() or english.geneval_class(noun):
        return False  # (GenEval's "a brown bear", "a black kite", "a black swan" state colours)
    senses = english.noun_senses(noun)
    tree = sum(s.lexfile == english.PLANT for s in senses[:3]) >= 2 and (of_the_noun or noun in lx.MATERIAL_WORDS)
    creatures = [s for s in senses if s.lexfile == english.ANIMAL or s.lexfile == english.PLANT and tree]
    return any((k.lexfile, k.wholes) == (c.lexfile, c.wholes)
               for k in english.noun_senses(f"{word} {noun}") for c in creatures)


def opens_a_longer_name(modifiers: list[str], k: int, noun: str | None) -> bool:
    """"lemon meringue pies", "cherry blossom tree": a colour word that opens a name of three or
    more words WordNet lists, running to the noun, is part of that name (a flavour, a kind)."""
    if noun is None or k + 1 >= len(modifiers) or modifiers[k] not in lx.COLOR_WORDS:
        return False
    return english.has_noun_entry(" ".join([*modifiers[k:], _singular(noun)]))


def shade_of_next_colour(word: str, next_word: str) -> bool:
    """"coral pink", "lemon yellow", "navy blue": a shade name right before a family colour says
    which shade of that family it is; the family colour is the object's."""
    return word in lx.COLOR_WORDS and word not in _FAMILY_COLOURS and next_word in _FAMILY_COLOURS


def holds_or_works_on(modifiers: list[str], noun: str) -> bool:
    """Whether the last modifier, written right before the noun, says what the noun holds or
    works on ("charcoal sacks", "coffee roaster"); the caller names the thing by both words."""
    return bool(modifiers) and (names_contents(modifiers[-1], noun) or names_what_is_worked(modifiers[-1], noun))


def names_contents(word: str, noun: str | None) -> bool:
    """"charcoal sacks", "ash bucket": a substance (WordNet's first sense) right before a container
    that is not worn says what it holds ("a charcoal sweater", "a charcoal handbag" stay gray)."""
    if noun is None or word not in lx.COLOR_WORDS:
        return False
    senses = english.noun_senses(word)
    last = _singular(noun.split()[-1])
    return (bool(senses) and senses[0].lexfile == english.SUBSTANCE
            and english.is_container(last) and not english.is_worn(last))


def names_what_is_worked(word: str, noun: str | None) -> bool:
    """"coffee roaster", "pepper grinder", "chocolate melter": a food right before a doer's noun
    made from a verb ("-er": one that roasts, grinds) names what the thing works on, not its
    colour."""
    if noun is None or word not in lx.COLOR_WORDS:
        return False
    senses = english.noun_senses(word)
    last = _singular(noun.split()[-1])
    return bool(senses) and senses[0].lexfile == english.FOOD and last.endswith("er") and is_agent_noun(last)
