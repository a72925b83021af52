"""Reading a noun phrase's quantities: its determiner, its count ("three", "a pair of", "a dozen",
"a herd of") and a measurement that is no count ("150 centimeters in length"). Rules of
`phrase_reading.read_noun_phrase`, kept apart so that file stays one idea."""

from __future__ import annotations

import re

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import NounPhrase
from stagestudio.scene.parsing.phrase_state import (
    NEXT,
    OpenPhrase,
    Outcome,
)
from stagestudio.scene.parsing.phrase_words import (
    is_bare_noun,
    noun_can_follow,
)
from stagestudio.scene.parsing.words import (
    is_attribute_word,
    is_number,
    is_verb_form,
    noun_starts_at,
    number_value,
    shapes_what_follows,
)

_DECIMAL = re.compile(r"\d+\.\d+")


def _inches_at(tokens: list[str], j: int) -> bool:
    """Whether "in" after the number at tokens[j] is the inch: a number "in" that no phrase
    follows ("Cutting board, 12 in, maple", "8x10 in", "a 5 in tall cactus"), where "two in
    the pool", "4 in a row" place or group."""
    after = tokens[j + 2] if j + 2 < len(tokens) else ""
    return (tokens[j].isdigit() or bool(_DECIMAL.fullmatch(tokens[j]))) and (
        after in ("", ",", ")", ";") or after in lx.MEASURE_DIMENSIONS)


def measurement_at(tokens: list[str], j: int) -> int:
    """End of a measurement starting at tokens[j] ("150 centimeters in length", "two hours",
    "34 inches tall", "1.9 inch"), or j when none starts there."""
    n = len(tokens)
    if j + 1 >= n or not (is_number(tokens[j]) or tokens[j] in ("a", "an", "half") or _DECIMAL.fullmatch(tokens[j])):
        return j
    unit = tokens[j + 1]
    if unit in ("a", "an") or unit == "in" and not _inches_at(tokens, j):
        return j
    dimension_follows = j + 2 < n and (tokens[j + 2] in lx.MEASURE_DIMENSIONS or tokens[j + 2] in ("in", "of")
                                        and j + 3 < n and tokens[j + 3] in lx.MEASURE_NOUNS)
    lemma = english.noun_lemma(unit)
    if not (english.is_unit(lemma) or unit in lx.UNIT_ABBREVIATIONS
            or dimension_follows and english.is_measure_unit(lemma)):
        return j  # "two feet tall" measures; "a bird with two feet" counts
    end = j + 2
    if end < n and tokens[end] in lx.MEASURE_DIMENSIONS:
        end += 1
    elif end + 1 < n and tokens[end] in ("in", "of") and tokens[end + 1] in lx.MEASURE_NOUNS:
        end += 2
    return end


def _word_after_of(tokens: list[str], k: int) -> str:
    """The first word after "of", its articles and adjectives ("the rim of the bowl" -> "bowl",
    "a plume of white smoke" -> "smoke")."""
    while k < len(tokens) and (tokens[k] in ("a", "an", "the", "its", "their", "his", "her")
                               or is_attribute_word(tokens[k])):
        k += 1
    return tokens[k] if k < len(tokens) else ""


def read_measure_after_count(tokens: list[str], p: OpenPhrase) -> Outcome:
    """A measurement right after the count belongs to the phrase."""
    if p.count is not None and not p.modifiers and measurement_at(tokens, p.j) > p.j:
        # "four 2 liter bottles": a number after the count measures
        measured = measurement_at(tokens, p.j)
        p.measurements.append(" ".join(tokens[p.j:measured]))
        p.j = measured
        return NEXT
    return None


def read_pair_or_group(tokens: list[str], p: OpenPhrase) -> Outcome:
    """"two pairs of" doubles the count; "a large flock of" drops the adjectives the group had."""
    n = len(tokens)
    tok = tokens[p.j]
    if tok in ("pair", "pairs") and p.count is not None and not p.modifiers and p.j + 1 < n and tokens[p.j + 1] == "of":
        p.pair_of, p.count = p.count, 2 * p.count  # "two pairs of shoes": four shoes (two pairs of scissors: two)
        p.j += 2
        return NEXT
    if (p.modifiers and p.count is None and p.j + 1 < n and tokens[p.j + 1] == "of"
            and (tok in lx.QUANTIFIER_NOUNS or shapes_what_follows(tok, _word_after_of(tokens, p.j + 2)))
            and all(is_attribute_word(w) or "ADJ" in english.parts_of_speech(w)
                    and english.noun_kind(w) != NounKind.THING for w in p.modifiers)):
        # "a large flock of birds", "a bright school of fish": the adjectives describe the group
        p.modifiers, p.unknown_seen, p.noun_end, p.noun_ends = [], False, None, []
    return None


def read_determiner(tokens: list[str], p: OpenPhrase) -> Outcome:
    """An article or determiner opening the phrase."""
    tok = tokens[p.j]
    if not p.modifiers and p.count is None:
        if tok in ("a", "an") and p.determiner == "none":
            p.determiner, p.started, p.singular_article = "indefinite", True, True
            p.j += 1
            return NEXT
        if tok == "another" and p.determiner == "none":
            p.determiner, p.started, p.singular_article = "another", True, True
            p.j += 1
            return NEXT
        if tok in lx.INDEFINITE_DETERMINERS and p.determiner == "none":
            p.determiner, p.started = "indefinite", True
            p.vague = lx.VAGUE_COUNTS.get(tok)
            p.j += 1
            return NEXT
        if tok in lx.DEFINITE_DETERMINERS and p.determiner == "none" and tok != "that":
            p.determiner, p.started = "definite", True
            p.possessive = lx.POSSESSIVE_KINDS.get(tok)
            if tok == "both":
                p.count = 2
            p.j += 1
            return NEXT
    return None


def read_quantity(tokens: list[str], p: OpenPhrase) -> Outcome:
    """A count, a quantity noun ("a group of"), or a size before the noun, opening the phrase."""
    n = len(tokens)
    tok = tokens[p.j]
    if not p.modifiers and p.count is None:
        quantifier = tok if tok in lx.QUANTIFIER_NOUNS else english.noun_lemma(tok)
        if (quantifier in lx.QUANTIFIER_NOUNS or shapes_what_follows(quantifier, _word_after_of(tokens, p.j + 2))) \
                and p.j + 1 < n \
                and tokens[p.j + 1] == "of" and (tok == quantifier or tok not in ("lots", "pairs")):
            implied = lx.QUANTIFIER_NOUNS.get(quantifier) if tok == quantifier else None
            if tok in ("pair", "pairs"):
                p.pair_of = p.count or 1
            if implied is not None:
                p.count = implied
            p.started = True
            p.j += 2
            # "a pair of the dogs", "a group of three cats"
            while p.j < n and tokens[p.j] in ("the", "these", "those"):
                p.j += 1
            if p.j < n and is_number(tokens[p.j]):
                p.count = number_value(tokens[p.j])
                p.j += 1
                if quantifier in lx.PEOPLE_GROUPS and (not noun_can_follow(tokens, p.j) or tokens[p.j].endswith("ing")
                                                       and is_verb_form(tokens[p.j]) and not noun_starts_at(tokens, p.j)) \
                        and not (p.j < n and is_attribute_word(tokens[p.j])):
                    # "a family of four": four people
                    return NounPhrase(head="person", is_class=True, plural=p.count > 1, count=p.count,
                                      determiner=p.determiner, modifiers=p.modifiers, surface=quantifier), p.j
            return NEXT
        if tok in ("lot", "lots") and p.j + 1 < n and tokens[p.j + 1] == "of":
            p.started, p.vague = True, 5
            p.j += 2
            return NEXT
        measured = measurement_at(tokens, p.j)
        if measured > p.j:
            # "a 10 foot statue": the size belongs to the noun that follows
            p.measurements.append(" ".join(tokens[p.j:measured]))
            p.started = True
            p.j = measured
            return NEXT
        # a number that is also a noun ("a couple", "a dozen") counts what follows it, if anything does
        number_word = is_number(tok) or (tok in lx.NUMBER_WORDS and p.j + 1 < n and tokens[p.j + 1] != "of" and (
            noun_starts_at(tokens, p.j + 1) or is_attribute_word(tokens[p.j + 1]) or is_bare_noun(tokens[p.j + 1])
            or tokens[p.j + 1].isdigit()
            # ("a dozen finished vases": a participle describing the noun counted)
            or english.is_past_participle(tokens[p.j + 1]) and p.j + 2 < n
            and (noun_starts_at(tokens, p.j + 2) or is_bare_noun(tokens[p.j + 2]))))
        if number_word and not (tok in ("single", "lone", "solitary") and p.count is not None):
            # "one" / "single" may follow an article: "a single cat"
            p.count = number_value(tok)
            p.started = True
            p.j += 1
            # "two of the dogs"
            if p.j + 1 < n and tokens[p.j] == "of" and tokens[p.j + 1] in ("the", "these", "those"):
                p.j += 2
            return NEXT
    return None
