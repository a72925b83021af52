"""How a noun phrase ends: a word no rule read (an unknown head, a verb after the noun), and the phrase
made of the words read so far (phrase_reading reads them)."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import Adjectives, NounPhrase
from stagestudio.scene.parsing.nouns import singular_form
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
    compound_name,
    grounded_head,
    is_bare_noun,
    noun_after_singular,
    noun_can_follow,
    verb_opens_clause,
)
from stagestudio.scene.parsing.relations import match_relation
from stagestudio.scene.parsing.tagging import tag_sentence
from stagestudio.scene.parsing.words import (
    adverb_before_description,
    colour_noun_as_contents,
    colour_noun_before_participles,
    is_attribute_word,
    is_verb_form,
    noun_starts_at,
    opens_bare_compound,
    plural_of_a_thing,
)


# the reciprocal pronouns, a closed class of English: only a verb comes right before one
RECIPROCALS = frozenset({("each", "other"), ("one", "another")})


def one_then_verb(tokens: list[str], j: int) -> bool:
    """Whether tokens[j], after a bare "one", is a verb's -s form, so "one" is a pronoun subject
    ("one holds a slate", "one chews a bone"): "one" never counts a plural noun (but "one pants"
    names a thing: a plural-only noun stays one, and a word that is first a thing's plural is a
    verb only with an object opening after it)."""
    word = tokens[j]
    lemma, noun = english.verb_lemma(word), english.noun_lemma(word)
    if not (word.endswith("s") and lemma is not None and english.is_finite_form(word, plural_subject=False)
            and not english.plural_is_itself(word) and not english.has_flag(noun, "2", senses=2)):
        return False
    opener = j + 1 < len(tokens) and tokens[j + 1] in _OBJECT_OPENERS
    return opener or english.verb_commoner_than_noun(lemma) and english.noun_kind(noun) != NounKind.THING


_OBJECT_OPENERS = lx.INDEFINITE_DETERMINERS | lx.DEFINITE_DETERMINERS | lx.POSSESSIVE_PRONOUNS


def verb_before_reciprocal(tokens: list[str], j: int) -> bool:
    """Whether tokens[j] is a verb whose object is "each other" ("a boy and his grandfather wave
    at each other", "a fox and a hare chase one another"), so no noun of the phrase before it."""
    k = j + 2 if j + 1 < len(tokens) and tokens[j + 1] in lx.ACTION_PARTICLES else j + 1
    return tuple(tokens[k:k + 2]) in RECIPROCALS and english.verb_lemma(tokens[j]) is not None


# what opens and closes a listing's fragment ("Digital thermometer, flexible tip, in a pouch")
_FRAGMENT_OPENERS = frozenset({",", "(", ";"})
_FRAGMENT_CLOSERS = frozenset({",", ")", ";"})


def fragment_noun(tokens: list[str], k: int) -> bool:
    """Whether the word at k closes a listing fragment of two or three bare words as its noun,
    as the tagger reads the sentence, a word that could be a verb too: "flexible tip",
    "removable cover", "spiral top" (after a comma, before a comma or the end; after an
    adjective no verb can stand there with no subject)."""
    if k + 1 < len(tokens) and tokens[k + 1] not in _FRAGMENT_CLOSERS:
        return False
    start = k - 1
    while start > 0 and start > k - 3 and tokens[start - 1].isalpha():
        start -= 1
    if start < 1 or tokens[start - 1] not in _FRAGMENT_OPENERS or not all(w.isalpha() for w in tokens[start:k + 1]):
        return False
    tags = tag_sentence(tuple(tokens))
    return (tags is not None and tags[k].tag in ("NN", "NNS") and tags[k - 1].head == k
            and tags[k - 1].dep in ("amod", "compound") and english.has_noun_entry(english.noun_lemma(tokens[k])))


def adverb_of_place_after_someone(tokens: list[str], j: int, before: str) -> bool:
    """A word that is also an adverb ("high", "low", "upright") after a person's or an animal's
    noun and before a place says where they are; it is no noun their noun modifies."""
    if j + 1 >= len(tokens) or "ADV" not in english.parts_of_speech(tokens[j]) or not before.isalpha():
        return False
    someone = english.noun_lemma(before)
    return (english.is_person(someone) or english.is_animate(someone)) and match_relation(tokens, j + 1) is not None


def read_unknown_word(tokens: list[str], i: int, p: OpenPhrase) -> Outcome:
    """A word outside the lexicon: adjective or head of an open phrase; otherwise the phrase ends."""
    n = len(tokens)
    tok = tokens[p.j]
    if p.unknown_seen and adverb_before_description(tokens, p.j):
        return STOP  # "a loaf still warm": the adverb ends the noun's phrase
    if (p.started and grounded_head(tok) is None and not tok.endswith(("ed", "ing"))
            and not noun_can_follow(tokens, p.j + 1)):
        return STOP  # "trees after a snowfall", "a glossy finish, subtly": no noun closes the phrase here
    if p.j + 1 < n and english.is_name(tokens[p.j + 1]) and english.geneval_class(tok) == "person" and not p.modifiers:
        return STOP  # "King Arthur": a title with a name is the name
    if (not p.started and p.j == i and tok not in FUNCTION_WORDS and p.j + 1 < n
            and (english.is_adjective_only(tok) and (noun_starts_at(tokens, p.j + 1) or is_bare_noun(tokens[p.j + 1]))
                 or fragment_noun(tokens, p.j + 1))):
        p.modifiers.append(tok)  # "adjustable armrests", "ergonomic chairs": an adjective opens the phrase
        p.started = True
        p.j += 1
        return NEXT
    unknown_first = i == 0 and tok.isalpha() and not english.is_known_word(tok) and len(tok) > 3
    # ("Earth glows blue", "grass covers the hill": a bare place word is a phrase too, if no object)
    bare_place = tok in lx.PLACE_NOUNS and english.has_noun_entry(tok) and not is_verb_form(tok)
    if not p.started and p.j == i and (is_bare_noun(tok) or bare_place or opens_bare_compound(tokens, p.j) or unknown_first and (
            verb_opens_clause(tokens, p.j + 1, after_noun=True) and p.j + 2 < n and tokens[p.j + 2] not in lx.SETTING_NOUNS
            # a name the dictionary lacks heading a listing: "Smartwatch with a display", "Airpods, white"
            or p.j + 1 >= n or tokens[p.j + 1] in (",", "with", "on", "in", "and") or match_relation(tokens, p.j + 1))):
        # "in shining armor", "slicing tomatoes", "barista pouring latte": a noun needs no determiner
        p.started = True
    if p.started and p.modifiers and fragment_noun(tokens, p.j):
        # "..., flexible tip, ...": the fragment's noun, and its end (no comma joins it to the next)
        p.take_noun(tok)
        return STOP
    if p.started and (p.determiner != "none" or p.count is not None or not is_verb_form(tok) or p.j == i and plural_of_a_thing(tok)
                      or p.modifiers and noun_after_singular(p.modifiers[-1], tok, tokens, p.j)
                      # after adjectives alone a thing's noun must come ("stacking wooden blocks")
                      or p.modifiers and all(is_attribute_word(w) for w in p.modifiers)
                      and grounded_head(tok) == NounKind.THING and tok.endswith("s")):
        p.modifiers.append(tok)  # an unknown word inside an open phrase: adjective or head
        p.unknown_seen = True
        p.j += 1
        if grounded_head(tok) in (NounKind.THING, NounKind.WEAK) and not english.is_name(tok):
            p.noun_end = (p.j, len(p.modifiers))
            p.noun_ends.append(p.noun_end)
        return NEXT
    return STOP


def finished_phrase(tokens: list[str], i: int, p: OpenPhrase) -> PhraseRead:
    """What the words read make once reading stopped: a noun phrase, attributes alone, or nothing."""
    if p.j == i:
        return None, i
    if (len(p.modifiers) == 1 and p.modifiers[0].endswith("ing") and is_verb_form(p.modifiers[0]) and p.count is None
            and english.verb_lemma(p.modifiers[0]) != p.modifiers[0]):
        return None, i  # "each measuring 150 cm": a verb, not a noun ("the building" is one)
    if p.unknown_seen:
        return unknown_head_phrase(tokens, i, p)
    return attribute_words_phrase(tokens, i, p)


def unknown_head_phrase(tokens: list[str], i: int, p: OpenPhrase) -> PhraseRead:
    """The phrase whose head is a noun outside the lexicon."""
    n = len(tokens)
    # a noun outside the lexicon ("a tall stone castle"): its head is the last word that
    # is not a known adjective, since adjectives come before their noun
    grounded = [k for k, w in enumerate(p.modifiers)
                if (not is_attribute_word(w) or w in SHADE_NOUNS) and grounded_head(w) is not None
                and not english.is_name(w)]
    if not grounded and all(english.is_name(w) or is_attribute_word(w) for w in p.modifiers):
        return None, i  # "Jimi Hendrix": a name identifies, it is nothing to draw
    if (p.determiner == "indefinite" and names_colour(p.modifiers) and (p.j >= n or not noun_can_follow(tokens, p.j))
            and all(grounded_head(w) in (None, NounKind.PLACE, NounKind.ABSTRACT)
                    for w in p.modifiers if not is_attribute_word(w))):
        return Adjectives(p.modifiers, colour_phrase=True), p.j  # "a deep forest green"
    head_index = grounded[-1] if grounded else max(k for k, w in enumerate(p.modifiers) if not is_attribute_word(w))
    head_word = p.modifiers[head_index]
    mods = p.modifiers[:head_index] + p.modifiers[head_index + 1:]
    singular, was_plural = singular_form(head_word)
    kind = grounded_head(head_word) or NounKind.ABSTRACT
    if was_plural and english.is_pair_noun(head_word, after_pair_of=p.pair_of is not None):
        # "a pair of tweezers", "jeans": one thing whose name is plural
        singular, was_plural, p.count = head_word, False, p.pair_of or p.count
    elif was_plural and p.determiner == "indefinite" and english.has_flag(head_word, "2", senses=1):
        # "a leather bellows", "a gallows": "a" before a name WordNet gives only in the plural
        singular, was_plural, kind = head_word, False, english.noun_kind(head_word)
    compound = compound_name(mods[head_index - 1], singular) if head_index > 0 else None
    if compound is not None:
        # "lily pad", "log cabin", "top hat": WordNet names the pair as one thing
        singular, kind, head_word = compound, grounded_head(compound) or kind, f"{mods[head_index - 1]} {head_word}"
        mods = mods[:head_index - 1] + mods[head_index:]
    return NounPhrase(head=singular, is_class=False, plural=was_plural, count=p.count,
                      determiner=p.determiner, modifiers=mods, vague_count=p.vague, kind=kind,
                      possessive=p.possessive, surface=head_word, measurements=p.measurements), p.j


def attribute_words_phrase(tokens: list[str], i: int, p: OpenPhrase) -> PhraseRead:
    """The phrase made of attribute-like words alone: a material or adjective used as a noun, or a colour phrase."""
    head_at = colour_noun_before_participles(p.modifiers, p.determiner, tokens[p.j] if p.j < len(tokens) else "")
    if head_at is not None:  # "a camel sleeping in the shade": the participle starts the clause
        p.j, p.modifiers = p.j - (len(p.modifiers) - head_at - 1), p.modifiers[:head_at + 1]
    if (len(p.modifiers) >= 2 and p.modifiers[-2] in lx.MATERIAL_WORDS and not english.can_be_noun(p.modifiers[-1])
            and english.noun_kind(p.modifiers[-2]) == NounKind.THING):
        # "its weathered wood faded to gray": a participle after the material that heads the phrase
        p.modifiers, p.j = p.modifiers[:-1], p.j - 1
    last = p.modifiers[-1] if p.modifiers else ""
    if p.determiner != "none" and last in lx.MATERIAL_WORDS and english.noun_kind(last) == NounKind.THING:
        # "resting on a slate stone", "on a white marble": a material named as a thing
        return NounPhrase(head=last, is_class=False, plural=False, count=p.count, determiner=p.determiner,
                          modifiers=p.modifiers[:-1], vague_count=p.vague, kind=NounKind.THING, possessive=p.possessive,
                          surface=last, measurements=p.measurements), p.j
    if p.determiner != "none" and last and not (
            last in lx.COLOR_WORDS or last in lx.MATERIAL_WORDS or last in lx.SIZE_WORDS):
        # "the light", "a fluffy": an adjective-like word used as a noun
        singular, was_plural = singular_form(last)
        kind = grounded_head(last) or NounKind.ABSTRACT
        return NounPhrase(head=singular, is_class=False, plural=was_plural, count=p.count,
                          determiner=p.determiner, modifiers=p.modifiers[:-1], vague_count=p.vague, kind=kind,
                          possessive=p.possessive, surface=last, measurements=p.measurements), p.j
    if len(p.modifiers) >= 2 and p.determiner != "none":
        name = f"{p.modifiers[-2]} {singular_form(p.modifiers[-1])[0]}"
        if english.noun_kind(name) == NounKind.THING:
            # "a scoop of ice cream": two attribute-like words that name a thing together
            return NounPhrase(head=name, is_class=False, plural=singular_form(p.modifiers[-1])[1], count=p.count,
                              determiner=p.determiner, modifiers=p.modifiers[:-2], vague_count=p.vague,
                              possessive=p.possessive, surface=" ".join(p.modifiers[-2:]),
                              measurements=p.measurements), p.j
    if p.modifiers:
        # "faded to a soft gray", "glazed a deep green": with an article, a colour is a colour
        # phrase, which belongs to the object described even after a preposition
        # ("the lemon on a plate": with "the" too, so a colour word that is first a thing can be it)
        return Adjectives(p.modifiers, colour_phrase=p.determiner in ("indefinite", "definite") and names_colour(p.modifiers)
                          or head_at is not None or colour_noun_as_contents(tokens, i, p.modifiers)), p.j
    return None, max(i, p.j)
