"""Reading one noun phrase: determiner, number, adjectives, head noun."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing.items import Adjectives, NounPhrase
from stagestudio.scene.parsing.nouns import match_noun, singular_form
from stagestudio.scene.parsing.relations import match_relation
from stagestudio.scene.parsing.words import (
    PORTIONS,
    compound_head,
    is_attribute_word,
    is_number,
    is_verb_form,
    landscape_compound_head,
    noun_starts_at,
    number_value,
)


def parse_noun_phrase(tokens: list[str], i: int) -> tuple[NounPhrase | Adjectives | None, int]:
    """Read one noun phrase starting at tokens[i]; (None, i) when none starts there."""
    n = len(tokens)
    j = i
    determiner = "none"
    count: int | None = None
    vague: int | None = None
    pair_of: int | None = None
    modifiers: list[str] = []
    unknown_seen = False
    started = False  # a determiner, number or adjective opened the phrase

    tok = tokens[i]
    if tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL:
        pronoun = "it" if tok in lx.PRONOUNS_SINGULAR else "they"
        return NounPhrase(head="", is_class=False, plural=pronoun == "they", count=None,
                           determiner="definite", modifiers=[], pronoun=pronoun), i + 1

    while j < n:
        tok = tokens[j]
        # colour pairs inside a phrase: "a black and white cat"
        if (tok == "and" and modifiers and modifiers[-1] in lx.COLOR_WORDS and j + 1 < n
                and tokens[j + 1] in lx.COLOR_WORDS and j + 2 < n
                and (noun_starts_at(tokens, j + 2) or is_attribute_word(tokens[j + 2]))):
            j += 1
            continue
        if (tok == "," and modifiers and j + 1 < n
                and (is_attribute_word(tokens[j + 1]) or noun_starts_at(tokens, j + 1))
                and (is_attribute_word(modifiers[-1]) or started)):
            j += 1  # "two plump, fluffy sheep": a comma between adjectives
            continue
        if tok in lx.HARD_BOUNDARIES or tok == "'s":
            break
        if j > i and match_relation(tokens, j) is not None and not noun_starts_at(tokens, j):
            break
        if not modifiers and count is None:
            if tok in ("a", "an") and determiner == "none":
                determiner, started = "indefinite", True
                j += 1
                continue
            if tok == "another" and determiner == "none":
                determiner, started = "another", True
                j += 1
                continue
            if tok in lx.INDEFINITE_DETERMINERS and determiner == "none":
                determiner, started = "indefinite", True
                vague = lx.VAGUE_COUNTS.get(tok)
                j += 1
                continue
            if tok in lx.DEFINITE_DETERMINERS and determiner == "none" and tok != "that":
                determiner, started = "definite", True
                if tok == "both":
                    count = 2
                j += 1
                continue
            if tok in lx.QUANTIFIER_NOUNS and j + 1 < n and tokens[j + 1] == "of":
                implied = lx.QUANTIFIER_NOUNS[tok]
                if tok in ("pair", "pairs"):
                    pair_of = count or 1
                if implied is not None:
                    count = implied
                started = True
                j += 2
                # "a pair of the dogs", "a group of three cats"
                while j < n and tokens[j] in ("the", "these", "those"):
                    j += 1
                if j < n and is_number(tokens[j]):
                    count = number_value(tokens[j])
                    j += 1
                continue
            if tok in ("lot", "lots") and j + 1 < n and tokens[j + 1] == "of":
                started, vague = True, 5
                j += 2
                continue
            number_word = is_number(tok) or (tok in lx.NUMBER_WORDS and (j + 1 >= n or tokens[j + 1] != "of"))
            if number_word and not (tok in ("single", "lone", "solitary") and count is not None):
                # "one" / "single" may follow an article: "a single cat"
                count = number_value(tok)
                started = True
                j += 1
                # "two of the dogs"
                if j + 1 < n and tokens[j] == "of" and tokens[j + 1] in ("the", "these", "those"):
                    j += 2
                continue
        noun = match_noun(tokens, j)
        if (noun is not None and noun[0].name in lx.COLOR_WORDS and noun[0].plural is False and not started
                and determiner == "none"):
            noun = None  # a bare "orange" with no article is the colour: "the cat is orange"
        if noun is not None and noun[1] > 1:
            # overlapping names: "stuffed teddy bear" is a teddy bear, not a bear
            shifted = match_noun(tokens, j + 1)
            if shifted is not None and j + 1 + shifted[1] > j + noun[1]:
                modifiers.append(tok)
                started = True
                j += 1
                continue
        if noun is not None:
            entry, length = noun
            after = j + length
            # noun used as a modifier of a following noun: "glass vase", "orange cat", "dog bed"
            follows = after < n and (noun_starts_at(tokens, after) or (
                (tokens[after] in lx.SETTING_NOUNS or landscape_compound_head(tokens[after]))
                and match_relation(tokens, after) is None
                and tokens[after] not in lx.FILLER_WORDS and tokens[after] not in PORTIONS)
                # ^ "train station", "dog park": a place
                or compound_head(tokens, after))  # "glass jar", "laptop bag": the last noun is the head
            if not follows and entry.name in lx.COLOR_WORDS:
                k = after
                while k < n and k < after + 3 and is_attribute_word(tokens[k]):
                    k += 1
                follows = k > after and noun_starts_at(tokens, k)
            if follows and entry.plural is not True:
                modifiers.extend(tokens[j:after])
                started = True
                j = after
                continue
            surface = " ".join(tokens[j:after])
            if pair_of is not None and entry.name in ("skis", "scissors"):
                count = pair_of  # a pair of scissors is one pair
            plural = bool(entry.plural)
            if entry.plural is None:
                plural = surface.endswith("s") and surface not in ("scissors", "skis") and count is None
            if entry.name == "tv" and "tv" in modifiers:
                modifiers.remove("tv")
            name, is_class = entry.name, entry.is_class
            other = lx.OTHER_SENSES.get(surface)
            if other is not None and (set(modifiers) & other[1] or (pair_of is not None and "pair" in other[1])):
                name, is_class = other[0], False
                if pair_of is not None and surface == "glasses":
                    count = pair_of
            return NounPhrase(head=name, is_class=is_class, plural=plural, count=count,
                               determiner=determiner, modifiers=modifiers, vague_count=vague), after
        if is_attribute_word(tok):
            modifiers.append(tok)
            started = True
            j += 1
            continue
        if (started and not unknown_seen and tok in lx.FILLER_WORDS and tok.endswith(("ing", "ed")) and j + 1 < n
                and (noun_starts_at(tokens, j + 1) or is_attribute_word(tokens[j + 1]))):
            modifiers.append(tok)  # "a sleeping cat", "a parked car": a participle used as adjective
            j += 1
            continue
        if tok in lx.FILLER_WORDS or tok in lx.CLAUSE_BREAKERS or tok in lx.ATTACHING_PREPOSITIONS:
            break
        if tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL or tok in lx.POSSESSIVE_PRONOUNS:
            break
        if unknown_seen and is_verb_form(tok) and (tok not in lx.SCENE_VERBS or modifiers[-1].endswith("s")):
            # "a pure white coat gallops": an inflected verb ends the phrase; a bare verb form
            # after a singular noun is a noun itself ("the Eiffel Tower")
            break
        if started and (determiner != "none" or count is not None or not is_verb_form(tok)):
            modifiers.append(tok)  # an unknown word inside an open phrase: adjective or head
            unknown_seen = True
            j += 1
            continue
        break

    if j == i:
        return None, i
    if unknown_seen:
        # a noun outside the lexicon ("a tall stone castle"): its head is the last word that
        # is not a known adjective, since adjectives come before their noun
        head_index = max(k for k, w in enumerate(modifiers) if not is_attribute_word(w))
        head_word = modifiers[head_index]
        mods = modifiers[:head_index] + modifiers[head_index + 1:]
        singular, was_plural = singular_form(head_word)
        return NounPhrase(head=singular, is_class=False, plural=was_plural, count=count,
                           determiner=determiner, modifiers=mods, vague_count=vague), j
    last = modifiers[-1] if modifiers else ""
    if determiner != "none" and last and not (
            last in lx.COLOR_WORDS or last in lx.MATERIAL_WORDS or last in lx.SIZE_WORDS):
        # "the light", "a fluffy": an adjective-like word used as a noun
        singular, was_plural = singular_form(last)
        return NounPhrase(head=singular, is_class=False, plural=was_plural, count=count,
                           determiner=determiner, modifiers=modifiers[:-1], vague_count=vague), j
    if modifiers:
        return Adjectives(modifiers), j
    return None, j if j > i else i
