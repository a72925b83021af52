"""What a word can be inside a noun phrase: a bare noun, a head the lexicon grounds, a verb
that opens a clause after it ("a woman painting a portrait"), or a noun after all ("rain cover")."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.relations import match_relation
from stagestudio.scene.parsing.words import (
    gerund_names_a_kind,
    is_attribute_word,
    is_number,
    is_verb_form,
    noun_starts_at,
    plural_of_a_thing,
)

FUNCTION_WORDS = (lx.FILLER_WORDS | lx.CLAUSE_BREAKERS | lx.ATTACHING_PREPOSITIONS | lx.INDEFINITE_DETERMINERS
                  | lx.DEFINITE_DETERMINERS | lx.POSSESSIVE_PRONOUNS | lx.PRONOUNS_SINGULAR | lx.PRONOUNS_PLURAL
                  | lx.PRONOUNS_PERSON | lx.HARD_BOUNDARIES)


def is_bare_noun(word: str) -> bool:
    """A word that opens a noun phrase with no determiner: a noun the lexicon grounds as a
    thing and that does not read as a verb here ("armor", "tomatoes"; not "simmering")."""
    if (word in FUNCTION_WORDS or word in lx.SETTING_NOUNS or not word.isalpha()
            or is_verb_form(word) and not plural_of_a_thing(word) or english.is_name(word)):
        return False
    if "ADJ" in english.parts_of_speech(word) or "ADV" in english.parts_of_speech(word):
        return False  # "minimalist", "moody": with no determiner such a word is the adjective
    return grounded_head(word) in (NounKind.THING, NounKind.WEAK)


def noun_can_follow(tokens: list[str], j: int) -> bool:
    """Whether tokens[j] can continue an open noun phrase as a noun."""
    if j >= len(tokens):
        return False
    return noun_starts_at(tokens, j) or (tokens[j] not in FUNCTION_WORDS and grounded_head(tokens[j]) is not None)


def grounded_head(word: str) -> NounKind | None:
    """What an open-class word is as the head of a noun phrase, or None when it cannot be one
    (an adverb, an adjective, a verb form): the lexicon grounds every head outside the classes."""
    if word in lx.SETTING_NOUNS and not english.is_building(word):
        return NounKind.PLACE
    if not english.can_be_noun(word) or english.is_adverb_only(word):
        return None
    lemma = english.noun_lemma(word)
    kind = english.noun_kind(lemma)
    if kind == NounKind.PLACE and english.is_artifact(lemma):
        # a bounded made place the setting words do not list ("kiln", "cage", "hutch", "locker",
        # "cabin", "witness box"): WordNet files it as a place one is in, but it is a thing a
        # picture draws wherever it is named (a room or a street is a setting word, above)
        return NounKind.THING
    return kind


# the modal auxiliaries (a closed class): each takes a bare verb after it
MODALS = frozenset({"can", "could", "will", "would", "shall", "should", "may", "might", "must"})


def modal_without_its_verb(tokens: list[str], j: int) -> bool:
    """A modal at j that no bare verb follows is a noun ("an oil can and a logbook")."""
    return tokens[j] in MODALS and no_verb_can_follow(tokens, j + 1)


def no_verb_can_follow(tokens: list[str], j: int) -> bool:
    """Whether the word at j cannot be the verb an auxiliary before it takes: the end, a
    boundary, a determiner or a relation's word, or a verb form that is not the base ("an oil
    can and a logbook", "a paint can on the step", "a fuel can sits by the door"; a modal's verb
    is bare: "the dog can swim")."""
    if j >= len(tokens):
        return True
    word = tokens[j]
    if (word in lx.HARD_BOUNDARIES or word in lx.CLAUSE_BREAKERS or word in lx.INDEFINITE_DETERMINERS
            or word in lx.DEFINITE_DETERMINERS or is_number(word) or match_relation(tokens, j) is not None):
        return True
    lemma = english.verb_lemma(word)
    return (word.isalpha() and lemma is not None and lemma != word and word != "not"
            and "ADV" not in english.parts_of_speech(word))


SHADE_NOUNS = frozenset({"light"})  # a shade before a colour, a noun elsewhere


def verb_opens_clause(tokens: list[str], j: int, *, after_noun: bool) -> bool:
    """Whether the -ing word at tokens[j] is a verb starting a clause rather than part of a
    noun: "a woman painting a portrait", "a mechanic fixing a car" (an object phrase follows),
    "a firefighter spraying water" (after a noun, what follows is its object). "A cozy reading
    nook" and "a charging case" name kinds."""
    tok = tokens[j] if j < len(tokens) else ""
    if not tok.endswith("ing") or english.verb_lemma(tok) in (None, tok) or j + 1 >= len(tokens):
        return False
    nxt = tokens[j + 1]
    if nxt in lx.INDEFINITE_DETERMINERS or nxt in lx.DEFINITE_DETERMINERS or is_number(nxt):
        return True
    if english.has_noun_entry(f"{tok} {english.noun_lemma(nxt)}"):
        return False  # "a marble cutting board": the -ing word names a kind with the noun after it
    if after_noun and gerund_names_a_kind(tokens, j):
        return False  # "a walnut serving tray": the -ing word names the tray's kind
    # after a noun, what follows is the verb's object or place: "a firefighter spraying water",
    # "fresh bread cooling on a wire rack"
    return after_noun and (nxt not in FUNCTION_WORDS or match_relation(tokens, j + 1) is not None)


LIST_ENDS = frozenset({",", "and", "or", ".", ";"})


def noun_after_singular(before: str, tok: str, tokens: list[str], j: int) -> bool:
    """A verb's base form right after a singular thing noun cannot be that noun's verb (it would
    take -s), so at the end of a listed phrase it is the head noun: "with rain cover and hip
    belt", "a brass door stop," (a plural's verb agrees: "its floppy ears fall")."""
    if english.verb_lemma(tok) != tok or before.endswith("s") or not english.can_be_noun(tok):
        return False
    if english.noun_kind(english.noun_lemma(tok)) not in (NounKind.THING, NounKind.WEAK):
        return False
    return j + 1 >= len(tokens) or tokens[j + 1] in LIST_ENDS


def acts_after(name: str, tokens: list[str], j: int, after: int) -> bool:
    """Whether the -ing word at tokens[after] is what the person or animal named by tokens[j:after]
    does, not a noun it modifies: "a woman painting", "a dog sleeping", "a man working on a car"
    (but "horse riding", "bird watching": WordNet names the pair as an activity)."""
    tok = tokens[after]
    if not tok.endswith("ing") or english.verb_lemma(tok) in (None, tok):
        return False
    if not (name == "person" or english.is_animate(name)):
        return False
    return not english.has_noun_entry(f"{english.noun_lemma(tokens[after - 1])} {tok}")


def noun_only(word: str) -> bool:
    """A head noun that is no adjective: "firefighter", "mechanic" (not "cozy", "fluffy")."""
    pos = english.parts_of_speech(word)
    return "ADJ" not in pos and (grounded_head(word) in (NounKind.THING, NounKind.WEAK)
                                 or not pos and grounded_head(word) == NounKind.UNKNOWN)


def compound_name(first: str, head: str) -> str | None:
    """The two-word noun "first head" when WordNet lists it as a different kind of thing from
    the head alone ("lily pad": a plant, not a pad; "cutting board": a utensil, not a
    committee); None when the head alone says it ("apple tree" is a tree, "top hat" a hat) or
    `first` is an attribute ("oak tree", whose "oak" is the material)."""
    if is_attribute_word(first) or first in FUNCTION_WORDS:
        return None
    name = f"{first} {head}"
    senses, head_senses = english.noun_senses(name), english.noun_senses(head)
    if (head in lx.SETTING_NOUNS or head in lx.FILLER_WORDS) and senses and english.noun_kind(name) == NounKind.THING:
        # "music stand", "bus stop": a thing, though the head alone is the setting or reads as a verb
        return name
    if not senses or (head_senses and head_senses[0].lexfile == senses[0].lexfile
                      and english.noun_kind(head) == english.noun_kind(name)):
        return None
    return name


def participle_after_her(tokens: list[str], j: int) -> bool:
    """"her" is the object and tokens[j] the participle of a new phrase: "beside her writing notes",
    "next to her reading a book" (not "her riding boots", "her sleeping bag": nouns)."""
    tok = tokens[j]
    if not tok.endswith("ing") or english.verb_lemma(tok) in (None, tok) or j + 1 >= len(tokens):
        return False
    nxt = tokens[j + 1]
    if nxt in lx.INDEFINITE_DETERMINERS or nxt in lx.DEFINITE_DETERMINERS or nxt in lx.POSSESSIVE_PRONOUNS:
        return True
    return nxt.isalpha() and not english.has_noun_entry(f"{tok} {english.noun_lemma(nxt)}") and english.can_be_noun(nxt)


def verb_of_joined_subjects(tokens: list[str], j: int) -> bool:
    """"a man and his son wait at the bus stop", "a nurse and a doctor talk beside a bed": after
    "and" and a singular noun of a person or an animal, a verb's bare form is the plural verb the
    two subjects share, not a compound's head ("son wait", "doctor talk"): such a word names no
    thing (WordNet's first sense of "wait", "talk", "search" is none) nor a pair WordNet knows,
    and a preposition, an object's article or the end follows it."""
    if j < 3 or j >= len(tokens):
        return False
    tok, before = tokens[j], tokens[j - 1]
    k = j - 2
    while k > 0 and k >= j - 4 and (tokens[k] in lx.INDEFINITE_DETERMINERS or tokens[k] in lx.DEFINITE_DETERMINERS
                                     or tokens[k] in lx.POSSESSIVE_PRONOUNS or is_attribute_word(tokens[k])):
        k -= 1
    if tokens[k] != "and" or not before.isalpha() or english.noun_lemma(before) != before:
        return False
    if not (english.is_person(before) or english.is_animate(before)):
        return False
    if (not tok.isalpha() or english.verb_lemma(tok) != tok or english.verb_category(tok) is None
            or english.noun_kind(tok) == NounKind.THING or english.has_noun_entry(f"{before} {tok}")):
        return False
    after = tokens[j + 1] if j + 1 < len(tokens) else None
    return (after is None or not after.isalpha() or after in lx.ATTACHING_PREPOSITIONS
            or match_relation(tokens, j + 1) is not None or after in lx.INDEFINITE_DETERMINERS
            or after in lx.DEFINITE_DETERMINERS or after in lx.POSSESSIVE_PRONOUNS or english.is_adverb_only(after))
