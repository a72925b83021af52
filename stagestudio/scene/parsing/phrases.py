"""Reading one noun phrase: determiner, number, adjectives, head noun."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import Adjectives, Measure, NounPhrase
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


def measurement_at(tokens: list[str], j: int) -> int:
    """End of a measurement starting at tokens[j] ("150 centimeters in length", "two hours",
    "34 inches tall"), or j when none starts there."""
    n = len(tokens)
    if j + 1 >= n or not (is_number(tokens[j]) or tokens[j] in ("a", "an", "half")):
        return j
    unit = tokens[j + 1]
    if unit in ("in", "a", "an") or not english.is_unit(english.noun_lemma(unit)):
        return j
    end = j + 2
    if end < n and tokens[end] in lx.MEASURE_DIMENSIONS:
        end += 1
    elif end + 1 < n and tokens[end] in ("in", "of") and tokens[end + 1] in lx.MEASURE_NOUNS:
        end += 2
    return end


_FUNCTION_WORDS = (lx.FILLER_WORDS | lx.CLAUSE_BREAKERS | lx.ATTACHING_PREPOSITIONS | lx.INDEFINITE_DETERMINERS
                   | lx.DEFINITE_DETERMINERS | lx.POSSESSIVE_PRONOUNS | lx.PRONOUNS_SINGULAR | lx.PRONOUNS_PLURAL
                   | lx.PRONOUNS_PERSON | lx.HARD_BOUNDARIES)


def is_bare_noun(word: str) -> bool:
    """A word that opens a noun phrase with no determiner: a noun the lexicon grounds as a
    thing and that does not read as a verb here ("armor", "tomatoes"; not "simmering")."""
    if word in _FUNCTION_WORDS or word in lx.SETTING_NOUNS or not word.isalpha() or is_verb_form(word):
        return False
    if "ADJ" in english.parts_of_speech(word) or "ADV" in english.parts_of_speech(word):
        return False  # "minimalist", "moody": with no determiner such a word is the adjective
    return _grounded_head(word) in (NounKind.THING, NounKind.WEAK)


def _noun_can_follow(tokens: list[str], j: int) -> bool:
    """Whether tokens[j] can continue an open noun phrase as a noun."""
    if j >= len(tokens):
        return False
    return noun_starts_at(tokens, j) or (tokens[j] not in _FUNCTION_WORDS and _grounded_head(tokens[j]) is not None)


def _grounded_head(word: str) -> NounKind | None:
    """What an open-class word is as the head of a noun phrase, or None when it cannot be one
    (an adverb, an adjective, a verb form): the lexicon grounds every head outside the classes."""
    if word in lx.SETTING_NOUNS:
        return NounKind.PLACE
    if not english.can_be_noun(word) or english.is_adverb_only(word):
        return None
    return english.noun_kind(english.noun_lemma(word))


def _compound_name(first: str, head: str) -> str | None:
    """The two-word noun "first head" when WordNet lists it as a different kind of thing from
    the head alone ("lily pad": a plant, not a pad; "cutting board": a utensil, not a
    committee); None when the head alone says it ("apple tree" is a tree, "top hat" a hat) or
    `first` is an attribute ("oak tree", whose "oak" is the material)."""
    if is_attribute_word(first) or first in _FUNCTION_WORDS:
        return None
    name = f"{first} {head}"
    senses, head_senses = english.noun_senses(name), english.noun_senses(head)
    if not senses or (head_senses and head_senses[0].lexfile == senses[0].lexfile
                      and english.noun_kind(head) == english.noun_kind(name)):
        return None
    return name


def parse_noun_phrase(tokens: list[str], i: int) -> tuple[NounPhrase | Adjectives | Measure | None, int]:
    """Read one noun phrase starting at tokens[i]; (None, i) when none starts there."""
    n = len(tokens)
    j = i
    determiner = "none"
    count: int | None = None
    vague: int | None = None
    pair_of: int | None = None
    modifiers: list[str] = []
    measurements: list[str] = []
    possessive = False
    unknown_seen = False
    started = False  # a determiner, number or adjective opened the phrase

    tok = tokens[i]
    measured = measurement_at(tokens, i)
    if measured > i and not (measured < n and (noun_starts_at(tokens, measured)
                                               or is_attribute_word(tokens[measured]))):
        # "150 centimeters in length": a size, never a count of centimeters
        return Measure(" ".join(tokens[i:measured])), measured
    person_pronoun = tok in lx.PRONOUNS_PERSON or (
        tok == "her" and (i + 1 >= n or not (noun_starts_at(tokens, i + 1) or is_attribute_word(tokens[i + 1])
                                             or english.can_be_noun(tokens[i + 1]))))
    if person_pronoun:
        return NounPhrase(head="", is_class=False, plural=False, count=None, determiner="definite",
                          modifiers=[], pronoun="person"), i + 1
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
                possessive = tok in lx.POSSESSIVE_PRONOUNS
                if tok == "both":
                    count = 2
                j += 1
                continue
            quantifier = tok if tok in lx.QUANTIFIER_NOUNS else english.noun_lemma(tok)
            if quantifier in lx.QUANTIFIER_NOUNS and j + 1 < n and tokens[j + 1] == "of" and (
                    tok == quantifier or tok not in ("lots", "pairs")):
                implied = lx.QUANTIFIER_NOUNS[quantifier] if tok == quantifier else None
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
            measured = measurement_at(tokens, j)
            if measured > j:
                # "a 10 foot statue": the size belongs to the noun that follows
                measurements.append(" ".join(tokens[j:measured]))
                started = True
                j = measured
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
                              determiner=determiner, modifiers=modifiers, vague_count=vague,
                              possessive=possessive, surface=surface, measurements=measurements), after
        if is_attribute_word(tok):
            modifiers.append(tok)
            started = True
            j += 1
            continue
        if (not unknown_seen and tok.endswith(("ing", "ed")) and j + 1 < n
                and (tok in lx.FILLER_WORDS or is_verb_form(tok))
                and (started and (noun_starts_at(tokens, j + 1) or is_attribute_word(tokens[j + 1])
                                  or is_bare_noun(tokens[j + 1]) and match_relation(tokens, j + 1) is None)
                     or not started and is_bare_noun(tokens[j + 1]))):
            modifiers.append(tok)  # "a sleeping cat", "a steaming cup": a participle used as adjective
            started = True
            j += 1
            continue
        if started and english.is_adverb_only(tok) and j + 1 < n and (
                is_attribute_word(tokens[j + 1]) or tokens[j + 1].endswith(("ed", "ing"))):
            j += 1  # "a beautifully carved chair": the adverb describes the adjective
            continue
        if tok in lx.FILLER_WORDS or tok in lx.CLAUSE_BREAKERS or tok in lx.ATTACHING_PREPOSITIONS:
            break
        if tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL or tok in lx.POSSESSIVE_PRONOUNS:
            break
        if (started and j + 1 < n and tokens[j + 1] not in _FUNCTION_WORDS
                and english.noun_senses(f"{tok} {english.noun_lemma(tokens[j + 1])}")):
            modifiers.extend(tokens[j:j + 2])  # "a cozy living room", "a cutting board": one noun
            unknown_seen = True
            j += 2
            continue
        if (started and tok.endswith("ing") and j + 1 < n and tokens[j + 1] not in _FUNCTION_WORDS
                and english.noun_kind(english.noun_lemma(tokens[j + 1])) == NounKind.THING
                and not is_verb_form(tokens[j + 1]) and match_relation(tokens, j + 1) is None):
            modifiers.append(tok)  # "a cozy reading nook", "a charging case": a gerund naming a kind
            unknown_seen = True
            j += 1
            continue
        if (unknown_seen and tok.endswith("s") and not modifiers[-1].endswith("s") and english.verb_lemma(tok)
                and (j + 1 >= n or tokens[j + 1] in lx.ATTACHING_PREPOSITIONS
                     or match_relation(tokens, j + 1) is not None or english.is_adverb_only(tokens[j + 1]))):
            break  # "soft light filters through the trees": a singular noun's -s verb
        if unknown_seen and is_verb_form(tok) and (tok not in lx.SCENE_VERBS or modifiers[-1].endswith("s")
                                                   or tok.endswith("ing")):
            # "a pure white coat gallops": an inflected verb ends the phrase; a bare verb form
            # after a singular noun is a noun itself ("the Eiffel Tower")
            break
        if (started and _grounded_head(tok) is None and not tok.endswith(("ed", "ing"))
                and not _noun_can_follow(tokens, j + 1)):
            break  # "trees after a snowfall", "a glossy finish, subtly": no noun closes the phrase here
        if not started and j == i and is_bare_noun(tok):
            started = True  # "in shining armor", "slicing tomatoes": a noun needs no determiner
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
        grounded = [k for k, w in enumerate(modifiers) if not is_attribute_word(w) and _grounded_head(w) is not None]
        head_index = grounded[-1] if grounded else max(k for k, w in enumerate(modifiers) if not is_attribute_word(w))
        head_word = modifiers[head_index]
        mods = modifiers[:head_index] + modifiers[head_index + 1:]
        singular, was_plural = singular_form(head_word)
        kind = _grounded_head(head_word) or NounKind.ABSTRACT
        if pair_of is not None and was_plural and english.noun_kind(head_word) == NounKind.THING:
            # "a pair of sunglasses", "a pair of jeans": one thing whose name is plural
            singular, was_plural, count = head_word, False, pair_of
        compound = _compound_name(mods[head_index - 1], singular) if head_index > 0 else None
        if compound is not None:
            # "lily pad", "log cabin", "top hat": WordNet names the pair as one thing
            singular, kind, head_word = compound, _grounded_head(compound) or kind, f"{mods[head_index - 1]} {head_word}"
            mods = mods[:head_index - 1] + mods[head_index:]
        return NounPhrase(head=singular, is_class=False, plural=was_plural, count=count,
                          determiner=determiner, modifiers=mods, vague_count=vague, kind=kind,
                          possessive=possessive, surface=head_word, measurements=measurements), j
    last = modifiers[-1] if modifiers else ""
    if determiner != "none" and last and not (
            last in lx.COLOR_WORDS or last in lx.MATERIAL_WORDS or last in lx.SIZE_WORDS):
        # "the light", "a fluffy": an adjective-like word used as a noun
        singular, was_plural = singular_form(last)
        kind = _grounded_head(last) or NounKind.ABSTRACT
        return NounPhrase(head=singular, is_class=False, plural=was_plural, count=count,
                          determiner=determiner, modifiers=modifiers[:-1], vague_count=vague, kind=kind,
                          possessive=possessive, surface=last, measurements=measurements), j
    if len(modifiers) >= 2 and determiner != "none":
        name = f"{modifiers[-2]} {singular_form(modifiers[-1])[0]}"
        if english.noun_kind(name) == NounKind.THING:
            # "a scoop of ice cream": two attribute-like words that name a thing together
            return NounPhrase(head=name, is_class=False, plural=singular_form(modifiers[-1])[1], count=count,
                              determiner=determiner, modifiers=modifiers[:-2], vague_count=vague,
                              possessive=possessive, surface=" ".join(modifiers[-2:]),
                              measurements=measurements), j
    if modifiers:
        return Adjectives(modifiers), j
    return None, j if j > i else i
