"""Reading the words of one noun phrase, one rule at a time: determiner, number, adjectives, head noun.

phrases.parse_noun_phrase decides what the phrase read here names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.context_words import modifies_next_noun, modifies_people_group, noun_head_after, tagged_run_head
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.filler_heads import filler_heads_phrase
from stagestudio.scene.parsing.items import Measure, NounPhrase
from stagestudio.scene.parsing.nouns import match_noun, singular_form
from stagestudio.scene.parsing.phrase_endings import (
    adverb_of_place_after_someone,
    finished_phrase,
    one_then_verb,
    read_unknown_word,
    verb_before_reciprocal,
)
from stagestudio.scene.parsing.phrase_quantities import (
    measurement_at,
    read_determiner,
    read_measure_after_count,
    read_pair_or_group,
    read_quantity,
)
from stagestudio.scene.parsing.phrase_state import (
    NEXT,
    STOP,
    OpenPhrase,
    Outcome,
    PhraseRead,
    names_colour,
)
from stagestudio.scene.parsing.phrase_words import (
    FUNCTION_WORDS,
    SHADE_NOUNS,
    acts_after,
    compound_name,
    grounded_head,
    is_bare_noun,
    modal_without_its_verb,
    noun_after_singular,
    noun_can_follow,
    noun_only,
    participle_after_her,
    verb_of_joined_subjects,
    verb_opens_clause,
)
from stagestudio.scene.parsing.relations import MUTUAL_PLACES, match_relation
from stagestudio.scene.parsing.words import (
    PORTIONS,
    adverb_before_description,
    bare_participle,
    colour_fragment_ends,
    compound_head,
    holder_named_by_its_use,
    hyphen_colour,
    is_attribute_word,
    is_number,
    is_verb_form,
    landscape_compound_head,
    name_span,
    noun_between_describer_and_noun,
    noun_starts_at,
    plural_of_a_thing,
    plural_with_a_thing_sense,
    verb_agrees_after_noun,
)

if TYPE_CHECKING:
    from stagestudio.scene.parsing.nouns import _NounEntry


_NUMBER_COMPOUND = re.compile(r"(\d+)-([a-z]+)")


def _completes_compound(modifiers: list[str], tok: str) -> bool:
    """Whether `tok` completes a compound noun with the word before it: "pocket watches", "music
    stand", "tin can", "cinnamon rolls" (a food or a made thing, not "a bird calls")."""
    if not modifiers:
        return False
    compound = f"{modifiers[-1]} {english.noun_lemma(tok)}"
    return ((tok in lx.FILLER_WORDS or is_verb_form(tok) and names_a_made_thing(compound))
            and english.has_noun_entry(compound)
            and (not is_attribute_word(modifiers[-1]) or english.noun_kind(f"{modifiers[-1]} {tok}") == NounKind.THING))


def names_a_made_thing(compound: str) -> bool:
    """A food or an artifact ("ice cream", "sour cream"), not a species ("small white" is a butterfly)."""
    senses = english.noun_senses(compound)
    return bool(senses) and senses[0].lexfile in (english.FOOD, english.ARTIFACT)



def read_noun_phrase(tokens: list[str], i: int) -> PhraseRead:
    """Read the words of one phrase from tokens[i], one reading rule at a time, and make the phrase
    they form; parse_noun_phrase then decides what it names."""
    if i >= len(tokens):
        return None, i  # (a verb's "each other" may end the sentence)
    opening = _read_pronoun_or_measure(tokens, i)
    if opening is not None:
        return opening
    p = OpenPhrase(j=i)
    while p.j < len(tokens):
        # the rules run in this order; the first that applies decides
        outcome = (_read_size_or_joiner(tokens, p) or _ends_at_boundary(tokens, i, p)
                   or read_measure_after_count(tokens, p) or _ends_after_modifiers(tokens, i, p)
                   or read_pair_or_group(tokens, p) or read_determiner(tokens, p) or read_quantity(tokens, p)
                   or _read_known_noun(tokens, p) or _read_modifier_word(tokens, i, p)
                   or _read_compound_or_verb(tokens, p) or read_unknown_word(tokens, i, p))
        if isinstance(outcome, tuple):
            return outcome
        if outcome == STOP:
            break
    return finished_phrase(tokens, i, p)


def _read_pronoun_or_measure(tokens: list[str], i: int) -> PhraseRead | None:
    """A measurement or a pronoun that is the whole phrase; None when the phrase opens otherwise."""
    n = len(tokens)
    tok = tokens[i]
    if tok == "one" and i + 1 < n and one_then_verb(tokens, i + 1):
        # "Two divers hover above the deck; one holds a slate": one of them, then its verb
        return NounPhrase(head="", is_class=False, plural=True, count=None, determiner="definite", modifiers=[],
                          pronoun="they", pronoun_word="them", member=True), i + 1
    measured = measurement_at(tokens, i)
    if measured > i and not (measured < n and (noun_starts_at(tokens, measured)
                                               or is_attribute_word(tokens[measured]))):
        # "150 centimeters in length": a size, never a count of centimeters
        return Measure(" ".join(tokens[i:measured])), measured
    person_pronoun = tok in lx.PRONOUNS_PERSON or (
        tok == "her" and (i + 1 >= n or not tokens[i + 1].isalpha() or tokens[i + 1] in _OBJECT_OPENERS or not (
            noun_starts_at(tokens, i + 1) or is_attribute_word(tokens[i + 1]) or english.can_be_noun(tokens[i + 1]))
            or participle_after_her(tokens, i + 1) and not _opens_clause(tokens, i)
            or _verb_then_article(tokens, i + 1)))
    if person_pronoun:
        return NounPhrase(head="", is_class=False, plural=False, count=None, determiner="definite",
                          modifiers=[], pronoun="person"), i + 1
    if tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL:
        pronoun = "it" if tok in lx.PRONOUNS_SINGULAR else "they"
        return NounPhrase(head="", is_class=False, plural=pronoun == "they", count=None,
                           determiner="definite", modifiers=[], pronoun=pronoun), i + 1
    return None


def _verb_then_article(tokens: list[str], j: int) -> bool:
    """A verb form at tokens[j] with an article right after it: "in front of her stand a rack",
    "beside her sits a cat" - "her" is the object, the verb opens an inverted clause."""
    return (j + 1 < len(tokens) and english.verb_lemma(tokens[j]) is not None
            and (tokens[j + 1] in lx.INDEFINITE_DETERMINERS or tokens[j + 1] in lx.DEFINITE_DETERMINERS
                 or is_number(tokens[j + 1])))


def _opens_clause(tokens: list[str], i: int) -> bool:
    """Whether tokens[i] opens its sentence or clause, where "her" owns what follows ("Her hiking
    boots stand by the door"): an object pronoun needs a verb or a preposition before it."""
    return i == 0 or tokens[i - 1] in lx.HARD_BOUNDARIES or tokens[i - 1] in lx.CLAUSE_BREAKERS


def _read_size_or_joiner(tokens: list[str], p: OpenPhrase) -> Outcome:
    """A size compound ("a 3-story house") or a word joining attributes ("black and white", "plump, fluffy")."""
    n = len(tokens)
    tok = tokens[p.j]
    compound_size = _NUMBER_COMPOUND.fullmatch(tok)
    if compound_size and p.j + 1 < n and tokens[p.j + 1].isalpha():
        # "a 3-story house", "a 5-star hotel": a size of the noun, never its count
        number, word = compound_size.groups()
        p.measurements.append(f"{number} {word}")
        p.started = True
        p.j += 1
        return NEXT
    # colour pairs inside a phrase: "a black and white cat"
    if (tok == "and" and p.modifiers and p.modifiers[-1] in lx.COLOR_WORDS and p.j + 1 < n
            and tokens[p.j + 1] in lx.COLOR_WORDS and p.j + 2 < n
            and (noun_starts_at(tokens, p.j + 2) or is_attribute_word(tokens[p.j + 2])
                 or english.has_noun_entry(english.noun_lemma(tokens[p.j + 2])))):
        p.j += 1
        return NEXT
    if _comma_joins_adjectives(tokens, p):
        p.j += 1  # "two plump, fluffy sheep": a comma between adjectives (not after a noun: "her head, copper pots")
        return NEXT
    return None


def _comma_joins_adjectives(tokens: list[str], p: OpenPhrase) -> bool:
    """Whether the comma at tokens[p.j] stands between adjectives of one phrase."""
    n = len(tokens)
    tok = tokens[p.j]
    return (tok == "," and bool(p.modifiers) and p.j + 1 < n
            # ("..., matte olive green, bamboo lid": a bare colour fragment of a listing ends at
            # its comma when a material or a noun follows; "two plump, fluffy sheep" goes on)
            and not (p.determiner == "none" and p.count is None and names_colour(p.modifiers)
                     and (tokens[p.j + 1] in lx.MATERIAL_WORDS or noun_starts_at(tokens, p.j + 1)
                          or colour_fragment_ends(tokens, p.j, p.modifiers)
                          or tokens[p.j + 1] in lx.COLOR_WORDS  # ("natural beige, black leather handles")
                          # ("mustard yellow, front zip pocket": the next fragment has a noun of its own)
                          or isinstance(read_noun_phrase(tokens, p.j + 1)[0], NounPhrase)))
            and (is_attribute_word(tokens[p.j + 1]) or noun_starts_at(tokens, p.j + 1)
                 or "ADJ" in english.parts_of_speech(tokens[p.j + 1])
                 or "-" in tokens[p.j + 1] and not tokens[p.j + 1][0].isdigit()
                 or english.is_past_participle(tokens[p.j + 1]) and is_attribute_word(p.modifiers[-1]))
            and (is_attribute_word(p.modifiers[-1])
                 # ("a cozy, lived-in feeling": another adjective follows; not "her head, copper pots")
                 or "ADJ" in english.parts_of_speech(p.modifiers[-1]) and (
                     "-" in tokens[p.j + 1] or "ADJ" in english.parts_of_speech(tokens[p.j + 1])
                     and "NOUN" not in english.parts_of_speech(tokens[p.j + 1]))
                 # ("black mesh back, adjustable armrests": "back" was the head noun)
                 and not (len(p.modifiers) > 1 and "NOUN" in english.parts_of_speech(p.modifiers[-1])
                          and english.noun_kind(english.noun_lemma(p.modifiers[-1])) == NounKind.THING)
                 or p.started and grounded_head(p.modifiers[-1]) not in (NounKind.THING, NounKind.WEAK)
                 and english.noun_kind(english.noun_lemma(p.modifiers[-1])) != NounKind.THING
                 # (a word that is only a noun ends its phrase: "their charging case, minimalist")
                 and ("ADJ" in english.parts_of_speech(p.modifiers[-1]) or "NOUN" not in english.parts_of_speech(p.modifiers[-1]))))


def _ends_at_boundary(tokens: list[str], i: int, p: OpenPhrase) -> Outcome:
    """A boundary word, a possessive or a relation word ends the phrase."""
    tok = tokens[p.j]
    if (tok == "'s" and p.j - 3 >= i and tokens[p.j - 2] == "of" and tokens[p.j - 3] in lx.QUANTIFIER_NOUNS
            and p.j + 1 < len(tokens) and noun_can_follow(tokens, p.j + 1)):
        p.j += 1  # "a trio of harris's hawks": a kind named after someone; the quantifier counts the hawks
        return NEXT
    if tok in lx.HARD_BOUNDARIES or tok == "'s":
        return STOP
    if p.j > i and (match_relation(tokens, p.j) is not None and not noun_starts_at(tokens, p.j)
                    and not _completes_compound(p.modifiers, tok)  # ("fish sticks in the freezer")
                    and not noun_between_describer_and_noun(tokens, p.j)  # ("a red down suit")
                    or tuple(tokens[p.j:p.j + 3]) in MUTUAL_PLACES or tuple(tokens[p.j:p.j + 4]) in MUTUAL_PLACES):
        return STOP  # ("a teapot side by side": the phrase ends before the place)
    if p.j > i and verb_before_reciprocal(tokens, p.j):
        return STOP  # "a fox and a hare chase one another": the verb, no noun
    if (p.j > i and p.j + 1 < len(tokens) and tokens[p.j + 1] == "by" and not english.has_noun_entry(tok)
            and (english.is_past_participle(tok) or tok.endswith("ed"))):
        return STOP  # "a pond ringed by pines": a passive participle (one the lexicon lacks too), no noun
    return None


def _ends_after_modifiers(tokens: list[str], i: int, p: OpenPhrase) -> Outcome:
    """A number, a name or a participle with its phrase after the words read ends the phrase."""
    n = len(tokens)
    tok = tokens[p.j]
    if p.j > i and p.modifiers and is_number(tok):
        return STOP  # "a statue six feet tall": the number starts a measurement after the noun
    if p.j > i and name_span(tokens, p.j) and p.noun_end is not None:
        # "the hammer Thor carries", "the instrument Jimi Hendrix played": a name after a
        # noun starts a clause about it; a title goes with the name ("the sword King Arthur drew")
        if len(p.noun_ends) > 1 and english.geneval_class(p.modifiers[p.noun_end[1] - 1]) == "person":
            p.noun_end = p.noun_ends[-2]
        del p.modifiers[p.noun_end[1]:]
        p.j = p.noun_end[0]
        return STOP
    if (p.j > i and p.modifiers and tok not in lx.COMMON_ADJECTIVES and tok not in lx.SETTING_NOUNS
            and english.is_past_participle(tok) and p.j + 1 < n
            and (tokens[p.j + 1] in lx.ATTACHING_PREPOSITIONS or tokens[p.j + 1] in ("as", "in", "on"))):
        return STOP  # "the planet known for", "a tower built for": a participle with its phrase
    return None


def _read_known_noun(tokens: list[str], p: OpenPhrase) -> Outcome:
    """A lexicon noun: a modifier of a noun that follows, or the head that completes the phrase."""
    tok = tokens[p.j]
    noun = match_noun(tokens, p.j)
    if (noun is not None and noun[0].name in lx.COLOR_WORDS and noun[0].plural is False and p.determiner == "none"
            and p.count is None and (not p.started or p.modifiers and all(w in lx.COLOR_SHADES for w in p.modifiers))):
        # a bare "orange" with no article is the colour: "the cat is orange", "..., neon orange
        # with white soles"
        noun = None
    if noun is not None and noun[1] > 1:
        # overlapping names: "stuffed teddy bear" is a teddy bear, not a bear
        shifted = match_noun(tokens, p.j + 1)
        if shifted is not None and p.j + 1 + shifted[1] > p.j + noun[1]:
            p.modifiers.append(tok)
            p.started = True
            p.j += 1
            return NEXT
    if noun is not None:
        entry, length = noun
        after = p.j + length
        if p.modifiers and tokens[p.j - 1] == p.modifiers[-1] and (tagged_run_head(tokens, p.j) or 0) >= after:
            p.modifiers.extend(tokens[p.j:after])  # "orange sea fans": "sea" is no head here
            p.j = after
            return NEXT
        if filler_heads_phrase(tokens, _opener(tokens, p), after):
            p.modifiers.extend(tokens[p.j:after])  # "an umbrella stand", "a keyboard stand": the filler heads
            p.started = True
            p.j = after
            return NEXT
        # noun used as a modifier of a following noun: "glass vase", "orange cat", "dog bed"
        follows = _noun_modifies_next(tokens, p, entry, after)
        if follows and entry.plural is not True:
            p.modifiers.extend(tokens[p.j:after])
            p.started = True
            p.j = after
            return NEXT
        return _known_noun_phrase(tokens, p, entry, after)
    return None


def _opener(tokens: list[str], p: OpenPhrase) -> int:
    """The index of the phrase's first word: its article or number, else its first modifier."""
    first = max(0, p.j - len(p.modifiers))
    before = tokens[first - 1] if first > 0 else ""
    opens = before in lx.INDEFINITE_DETERMINERS or before in lx.DEFINITE_DETERMINERS or is_number(before)
    return first - 1 if opens else first


def _noun_modifies_next(tokens: list[str], p: OpenPhrase, entry: _NounEntry, after: int) -> bool:
    """Whether the noun at tokens[p.j:after] modifies a noun that follows it."""
    n = len(tokens)
    if verb_of_joined_subjects(tokens, after):
        return False  # ("a nurse and a doctor talk beside a bed": the verb the two share)
    if noun_head_after(tokens, after - 1) is not None or modifies_people_group(tokens, after - 1):
        return True  # ("a rusty orange ice cream van", "a glass fishing float": the tagger reads the word as modifying a noun after it)
    if (modifies_next_noun(tokens, after - 1) and english.is_artifact(english.noun_lemma(tokens[after]))
            and english.verb_lemma(tokens[after]) is None):
        # "a superhero T-shirt", "a ferry railing": a made thing, no verb's form, that the tagger
        # reads the noun as modifying is the head, whatever the rules make of its spelling
        return True
    if after < n and _happening_named_by(tokens, p, after):
        return True  # "an indoor horse show", "a cattle auction": what happens there, no animal of its own
    follows = after < n and not verb_opens_clause(tokens, after, after_noun=True) and not verb_before_reciprocal(
        tokens, after) and not acts_after(
        entry.name, tokens, p.j, after) and (
        noun_starts_at(tokens, after) or (
        (tokens[after] in lx.SETTING_NOUNS or landscape_compound_head(tokens[after]))
        and match_relation(tokens, after) is None
        and tokens[after] not in lx.FILLER_WORDS and tokens[after] not in PORTIONS
        and not adverb_before_description(tokens, after))  # ("a foal still wet")
        # ^ "train station", "dog park": a place
        or compound_head(tokens, after))  # "glass jar", "laptop bag": the last noun is the head
    if not follows and entry.name in lx.COLOR_WORDS:
        k = after
        while k < n and k < after + 3 and is_attribute_word(tokens[k]):
            k += 1
        follows = k > after and noun_starts_at(tokens, k)
    return follows


def _known_noun_phrase(tokens: list[str], p: OpenPhrase, entry: _NounEntry, after: int) -> PhraseRead:
    """The phrase a lexicon noun heads: its number, a compound WordNet names, a sense its modifiers pick."""
    surface = " ".join(tokens[p.j:after])
    if p.pair_of is not None and entry.name in ("skis", "scissors"):
        p.count = p.pair_of  # a pair of scissors is one pair
    plural = bool(entry.plural)
    if entry.plural is None:
        # ("shears", like "scissors": a name WordNet gives only in the plural is one tool)
        plural = (surface.endswith("s") and surface not in ("scissors", "skis") and p.count is None
                  and not english.plural_by_nature(surface))
    if entry.name == "tv" and "tv" in p.modifiers:
        p.modifiers.remove("tv")
    name, is_class = entry.name, entry.is_class
    compound = compound_name(p.modifiers[-1], english.noun_lemma(surface)) if p.modifiers else None
    if compound is not None and english.geneval_class(compound) != name:
        # "a rocking horse", "a sea lion": WordNet names the pair as another kind of thing
        name, is_class, surface = compound, False, f"{p.modifiers[-1]} {surface}"
        p.modifiers = p.modifiers[:-1]
    other = lx.OTHER_SENSES.get(surface)
    if other is not None and (set(p.modifiers) & other[1] or (p.pair_of is not None and "pair" in other[1])):
        name, is_class = other[0], False
        if p.pair_of is not None and surface == "glasses":
            p.count = p.pair_of
    return NounPhrase(head=name, is_class=is_class, plural=plural, count=p.count,
                      determiner=p.determiner, modifiers=p.modifiers, vague_count=p.vague,
                      possessive=p.possessive, surface=surface, measurements=p.measurements), after


def _take_as_noun(p: OpenPhrase, tok: str) -> Outcome:
    p.take_noun(tok)
    return NEXT


def _read_modifier_word(tokens: list[str], i: int, p: OpenPhrase) -> Outcome:
    """Adjectives, participles, adverbs and compound words before the head; a verb or boundary ends the phrase."""
    n = len(tokens)
    tok = tokens[p.j]
    if tok in SHADE_NOUNS and not (p.j + 1 < n and (tokens[p.j + 1] in lx.COLOR_WORDS or hyphen_colour(tokens[p.j + 1]))):
        p.modifiers.append(tok)  # "soft light filters through": the noun, not a shade ("light blue")
        p.unknown_seen = True
        p.j += 1
        return NEXT
    if (p.modifiers and tokens[p.j - 1] == p.modifiers[-1]
            and adverb_of_place_after_someone(tokens, p.j, p.modifiers[-1])):
        return STOP  # "lifting a ballerina high over his head": where she is, no "ballerina high"
    if is_attribute_word(tok):
        p.modifiers.append(tok)
        p.started = True
        p.j += 1
        return NEXT
    if (not p.unknown_seen and tok.endswith(("ing", "ed")) and p.j + 1 < n
            and (tok in lx.FILLER_WORDS or is_verb_form(tok))
            and (p.started and (noun_starts_at(tokens, p.j + 1) or is_attribute_word(tokens[p.j + 1])
                                or is_bare_noun(tokens[p.j + 1]) and match_relation(tokens, p.j + 1) is None
                                or p.singular_article and not p.modifiers and _thing_after_article(tokens, p.j + 1))
                 or not p.started and is_bare_noun(tokens[p.j + 1]))):
        p.modifiers.append(tok)  # "a sleeping cat", "a steaming cup": a participle used as adjective
        p.started = True
        p.j += 1
        return NEXT
    if p.j > i and p.modifiers and tokens[p.j - 1] == p.modifiers[-1] and tagged_run_head(tokens, p.j) is not None:
        # "a cobalt blue glass float": the tagger reads the word as the noun the one before
        # modifies, though the word could be a verb
        return _take_as_noun(p, tok)
    if p.j > i and p.modifiers and tokens[p.j - 1] == p.modifiers[-1] and _happening_named_by(tokens, p):
        return _take_as_noun(p, tok)
    if p.j > i and verb_opens_clause(tokens, p.j, after_noun=bool(p.modifiers) and noun_only(p.modifiers[-1])):
        return STOP  # "a mechanic fixing a car", "a firefighter spraying water"
    if p.started and english.is_adverb_only(tok) and p.j + 1 < n and (
            is_attribute_word(tokens[p.j + 1]) or tokens[p.j + 1].endswith(("ed", "ing"))):
        p.j += 1  # "a beautifully carved chair": the adverb describes the adjective
        return NEXT
    if _completes_compound(p.modifiers, tok):
        p.modifiers.append(tok)
        p.unknown_seen = True
        p.j += 1
        return NEXT
    if (p.started and tok in lx.FILLER_WORDS and tok not in FUNCTION_WORDS - lx.FILLER_WORDS
            and (all(is_attribute_word(w) for w in p.modifiers) or modal_without_its_verb(tokens, p.j)) and tok.isalpha()
            and english.noun_kind(english.noun_lemma(tok)) == NounKind.THING
            # (a drink or a mass is a noun, and its -s verb follows: "black coffee stands")
            and not (p.modifiers and english.is_mass(p.modifiers[-1]) and tok.endswith("s"))):
        # after an article or adjectives no verb can stand: "a can of soda", "a gold watch",
        # "a folding stand" name things
        return _take_as_noun(p, tok)
    if (p.singular_article and len(p.modifiers) == 1 and tokens[p.j - 1] == p.modifiers[0]
            and p.modifiers[0].endswith("ed") and _thing_after_article(tokens, p.j)):
        return _take_as_noun(p, tok)  # "on a lacquered stand": the participle's noun
    if (tok in lx.FILLER_WORDS and (p.determiner in ("definite", "indefinite") and not p.singular_article
                                    or (p.count or 0) > 1)
            and not p.modifiers and plural_with_a_thing_sense(tok)):  # ("the peach rests": the colour noun's verb)
        return _take_as_noun(p, tok)  # "drying on 6 lines", "the lines": no verb's -s form after a number or "the"
    if (p.started and tok in lx.FILLER_WORDS and "ADJ" in english.parts_of_speech(tok)
            and "VERB" not in english.parts_of_speech(tok) and noun_can_follow(tokens, p.j + 1)):
        p.modifiers.append(tok)  # "the whole family", "a sharp knife": an adjective before its noun
        p.j += 1
        return NEXT
    if p.started and filler_heads_phrase(tokens, i, p.j):
        return _take_as_noun(p, tok)  # "a shoeshine stand", "the hand rest": a made thing, no verb
    if tok in lx.FILLER_WORDS or tok in lx.CLAUSE_BREAKERS or tok in lx.ATTACHING_PREPOSITIONS:
        return STOP
    if tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL or tok in lx.POSSESSIVE_PRONOUNS:
        return STOP
    return None


def _thing_after_article(tokens: list[str], j: int) -> bool:
    """After "a" and a participle no verb can stand, so a word that names a thing is the head:
    "on a lacquered stand", "a painted line" (not the verbs "stand" and "line" here)."""
    tok = tokens[j]
    # (a verb the scene tables list is no function word here: "stand", "line")
    return (tok.isalpha() and not tok.endswith("s") and match_relation(tokens, j) is None
            and tok not in lx.ATTACHING_PREPOSITIONS and tok not in lx.CLAUSE_BREAKERS and tok not in lx.HARD_BOUNDARIES
            and "NOUN" in english.parts_of_speech(tok) and english.has_thing_sense(english.noun_lemma(tok)))


def _only_a_thing_noun(tokens: list[str], j: int) -> bool:
    """Whether tokens[j] is a word the dictionary knows only as a noun, naming a thing: after a
    group's noun it is the head the group names ("a ski patrol hut"), whatever the tagger makes
    of it, where "a pit crew refuels" ends on the group."""
    tok = tokens[j] if j < len(tokens) else ""
    return (tok.isalpha() and english.parts_of_speech(tok) == {"NOUN"} and not tok.endswith("s")
            and english.has_thing_sense(english.noun_lemma(tok)))


def _happening_named_by(tokens: list[str], p: OpenPhrase, j: int | None = None) -> bool:
    """Whether the word at j (default p.j) is an act or event the noun before it names, the
    tagger reading that noun as its modifier: "an indoor horse show", "a cattle auction" are no
    horse or cattle. Only after "a"/"an", where no verb in its plain form can follow ("a woman
    and her boyfriend search", "saris move" are the clause's verbs), and never an inflected
    verb ("his grandson kneels")."""
    j = p.j if j is None else j
    tok = tokens[j]
    return (p.singular_article and modifies_next_noun(tokens, j - 1)
            and english.is_happening(english.noun_lemma(tok)) and english.verb_lemma(tok) in (None, tok))


def _read_compound_or_verb(tokens: list[str], p: OpenPhrase) -> Outcome:
    """Two-word nouns and gerunds that name a kind read on; a verb after the noun ends the phrase."""
    n = len(tokens)
    tok = tokens[p.j]
    if p.modifiers and tokens[p.j - 1] == p.modifiers[-1] and verb_of_joined_subjects(tokens, p.j):
        return STOP  # "a man and his son wait at the stop": the verb the two share
    if p.modifiers and tokens[p.j - 1] == p.modifiers[-1] and modifies_people_group(tokens, p.j - 1):
        # "a pit crew refuels", "the kitchen crew washing pans": the group the word before
        # names, no verb; the phrase ends there unless the group's noun modifies one after it
        p.take_noun(tok)
        return NEXT if modifies_next_noun(tokens, p.j - 1) or _only_a_thing_noun(tokens, p.j) else STOP
    if p.unknown_seen and (verb_agrees_after_noun(tokens, p.j) or bare_participle(tokens, p.j)):
        return STOP  # "an excavator digs into the clay", "a melon cut in half": the noun's verb
    if (p.started and p.j + 1 < n and tokens[p.j + 1] not in FUNCTION_WORDS
            and english.noun_senses(f"{tok} {english.noun_lemma(tokens[p.j + 1])}")):
        p.modifiers.extend(tokens[p.j:p.j + 2])  # "a cozy living room", "a cutting board": one noun
        p.unknown_seen = True
        p.j += 2
        return NEXT
    if (p.started and tok.endswith("ing") and p.j + 1 < n and tokens[p.j + 1] not in FUNCTION_WORDS
            and (english.noun_kind(english.noun_lemma(tokens[p.j + 1])) in (NounKind.THING, NounKind.PLACE)
                 or holder_named_by_its_use(english.noun_lemma(tokens[p.j + 1]), [tok]))  # ("a padded carrying case")
            and not is_verb_form(tokens[p.j + 1]) and match_relation(tokens, p.j + 1) is None
            # (after a living thing it is a participle with its object: "the largest land animal
            # spraying water", "an otter eating clams")
            # ("the ancient counting tool": an adjective whose use as a noun WordNet never saw
            # in its corpus is the adjective here; "animal" is a noun)
            and not any(english.is_animate(english.noun_lemma(w)) and not is_attribute_word(w)
                        and not ("ADJ" in english.parts_of_speech(w) and not english.senses_ordered(w))
                        for w in p.modifiers)):
        p.modifiers.append(tok)  # "a cozy reading nook", "a charging case": a gerund naming a kind
        p.unknown_seen = True
        p.j += 1
        return NEXT
    if (p.unknown_seen and tok.endswith("s") and not p.modifiers[-1].endswith("s") and english.verb_lemma(tok)
            # (a verb WordNet knows: "windows" in "its upper windows" is no verb's -s form; nor
            # is a plural WordNet lists as a noun of its own: "rainbow sprinkles")
            and english.verb_category(english.verb_lemma(tok)) is not None and not english.has_noun_entry(tok)
            and (p.count or 1) == 1  # ("six card slots": after a number above one the head is plural)
            and grounded_head(p.modifiers[-1]) in (NounKind.THING, NounKind.WEAK, NounKind.PLACE)
            # ("window boxes overflowing with": WordNet names the pair as a made thing, and no
            # preposition follows the -s word as one follows a verb: "soft light filters through")
            and not (p.j + 1 < n and tokens[p.j + 1] not in lx.ATTACHING_PREPOSITIONS
                     and match_relation(tokens, p.j + 1) is not None
                     and names_a_made_thing(f"{p.modifiers[-1]} {english.noun_lemma(tok)}"))
            and (p.j + 1 >= n or tokens[p.j + 1] in lx.ATTACHING_PREPOSITIONS
                 or match_relation(tokens, p.j + 1) is not None or english.is_adverb_only(tokens[p.j + 1])
                 # ("the groom feeds her a slice", "a potter shapes the clay": its object follows)
                 or tokens[p.j + 1] in _OBJECT_OPENERS)):
        return STOP  # "soft light filters through the trees": a singular noun's -s verb
    if (p.unknown_seen and p.modifiers[-1].endswith("s") and singular_form(p.modifiers[-1])[1]
            and english.verb_lemma(tok) == tok and not p.singular_article):
        # ("a backwards cap": after "a" the -s word is no plural noun, so the next word no verb)
        return STOP  # "its floppy ears fall forward": a plural noun's verb
    if (p.unknown_seen and p.j + 1 < n and tokens[p.j + 1] in _OBJECT_OPENERS and english.verb_lemma(tok) == tok
            and english.verb_category(tok) is not None
            and (english.verb_commoner_than_noun(tok) or english.is_animate(english.noun_lemma(p.modifiers[-1])))):
        return STOP  # "helping her father wash the car": after someone, a bare verb with its object
    if (p.unknown_seen and tok.endswith("ing") and is_attribute_word(p.modifiers[-1]) and english.has_noun_entry(tok)
            and not verb_opens_clause(tokens, p.j, after_noun=False)):
        p.modifiers.append(tok)  # "a cozy, lived-in feeling": after an adjective, the -ing noun is the head
        p.j += 1
        return NEXT
    if p.unknown_seen and is_verb_form(tok) and (tok not in lx.SCENE_VERBS or p.modifiers[-1].endswith("s")
                                                 or tok.endswith("ing")) and not english.has_flag(tok, "2", senses=1) \
            and not noun_after_singular(p.modifiers[-1], tok, tokens, p.j) \
            and not ((p.count or 1) > 1 and not p.modifiers[-1].endswith("s")
                     and (plural_of_a_thing(tok) or plural_with_a_thing_sense(tok))):
        # "a pure white coat gallops": an inflected verb ends the phrase; a bare verb form
        # after a singular noun is a noun itself ("the Eiffel Tower"), and so is a thing
        # WordNet names only in the plural ("a leather bellows", "steel tongs")
        return STOP
    return None


# words that open a verb's object, never a noun's next word
_OBJECT_OPENERS = frozenset({"a", "an", "the", "her", "him", "them", "his", "its", "their"})
