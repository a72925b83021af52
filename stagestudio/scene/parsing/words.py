"""Single-word tests the scanner uses: attribute words, verb forms, compound heads, numbers."""

from __future__ import annotations

from functools import lru_cache

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import Break, Item, NounPhrase, Rel
from stagestudio.scene.parsing.nouns import match_noun, singular_form
from stagestudio.scene.parsing.relations import match_relation

_PARTICLES = frozenset({"in", "up", "out", "on", "off", "down", "over"})


# words that pick one thing out of a row by its place ("the middle one", "the last one"): one of
# the group named, not another thing of its kind
RANK_WORDS = frozenset({"middle", "centre", "center", "left", "right", "leftmost", "rightmost", "nearest",
                        "farthest", "front", "back", "first", "last", "second", "third", "end"})


def is_attribute_word(tok: str) -> bool:
    return (tok in lx.COLOR_WORDS or tok in lx.MATERIAL_WORDS or tok in lx.SIZE_WORDS
            or tok in lx.COMMON_ADJECTIVES or tok in lx.COLOR_SHADES or hyphen_colour(tok) is not None
            or _compound_adjective(tok))


def _compound_adjective(tok: str) -> bool:
    """"lived-in", "sun-dappled", "flour-dusted", "half-eaten": a hyphenated word ending in a
    participle or a particle describes; it names nothing."""
    if "-" not in tok or english.has_noun_entry(tok):
        return False
    last = tok.rsplit("-", 1)[1]
    return last in _PARTICLES or (last.endswith(("ed", "en", "ing")) and english.verb_lemma(last) not in (None, last))


def hyphen_colour(tok: str) -> str | None:
    """The colour of a hyphenated colour word: "dark-blue", "bright-red", "blue-green"."""
    if "-" not in tok or tok in lx.COLOR_WORDS:
        return None
    last = tok.rsplit("-", 1)[1]
    return lx.COLOR_WORDS.get(last)


@lru_cache(maxsize=8192)
def is_verb_form(tok: str) -> bool:
    """Whether `tok` reads as a verb here: a form of one of the lexicon's scene verbs (sits,
    sitting), or an inflected form of any English verb that is not also a thing's noun
    ("simmering", "burning", "slicing"; not "building", "flowers", "benches")."""
    if _scene_verb_form(tok):
        return True
    lemma = english.verb_lemma(tok)
    if lemma is None or lemma == tok:
        return False
    if not english.parts_of_speech(tok) and not english.has_noun_entry(tok):
        return True  # an -ing form no dictionary lists, of a noun's or a verb's stem ("pipetting")
    if not english.can_be_noun(tok):
        return True
    if not tok.endswith(("s", "ing")) and not english.has_noun_entry(tok) and not english.noun_senses(english.noun_lemma(tok)):
        return True  # a past form no noun sense reads otherwise: "a trowel stuck upright" ("stuck" is listed as a noun too)
    if english.has_noun_entry(tok) and english.noun_kind(tok) == NounKind.THING:
        return False  # a plural WordNet lists as a thing of its own: "sprinkles", "fries", "clothes"
    kind = english.noun_kind(english.noun_lemma(tok))
    if kind == NounKind.WEAK:
        # a thing only in a later sense: the -s form is the verb where that is much the commoner
        # reading ("a leopard drags its prey"; "three books" stay books, a "product shot" a noun)
        return (tok.endswith("s") and english.verb_commoner_than_noun(lemma)
                # an -ing form whose noun is first an act or an event: the participle ("lights flashing")
                or tok.endswith("ing") and english.noun_senses(tok)[0].lexfile in _ACT_OR_EVENT)
    # (a unit's plural measures: "a few meters to its right")
    return kind not in (NounKind.THING, NounKind.UNKNOWN, NounKind.UNIT)


_MADE_OR_NATURAL_OBJECT = frozenset({english.ARTIFACT, english.OBJECT})
_ACT_OR_EVENT = frozenset({4, 11})  # WordNet's noun.act and noun.event


def plural_with_a_thing_sense(tok: str) -> bool:
    """An -s word whose singular has any drawable sense in WordNet ("lines", "buoys", "rolls"):
    looser than `plural_of_a_thing`, for places where no verb can stand (after a number and a
    singular noun, after a bare "the")."""
    lemma = english.noun_lemma(tok)
    return tok.isalpha() and tok.endswith("s") and lemma != tok and english.has_thing_sense(lemma)


def plural_of_a_thing(tok: str) -> bool:
    """"blocks", "rocks", "frames", "sticks": the -s form of a scene verb that is first the
    plural of a made or a natural object's noun, so that it opens a bare noun phrase where one
    can start ("a boy holding rocks", "children collecting sticks"); after a noun it stays the
    verb ("a woman props pillows"). Not a body part's or a food's ("the couch faces the tv",
    "one chews on a leaf"), whose verb is the commoner reading."""
    if not tok.endswith("s") or tok.endswith("ss"):
        return False
    lemma = english.noun_lemma(tok)
    senses = english.noun_senses(lemma)
    # (only where WordNet orders the senses by frequency: "gathers" lists a sewing gather first)
    return (lemma != tok and bool(senses) and senses[0].lexfile in _MADE_OR_NATURAL_OBJECT
            and english.senses_ordered(lemma) and "NOUN" in english.parts_of_speech(tok))


def _scene_verb_form(tok: str) -> bool:
    verbs = lx.SCENE_VERBS
    if tok in verbs:
        return True
    stems = []
    if tok.endswith("ies"):
        stems.append(tok[:-3] + "y")
    if tok.endswith("es"):
        stems.append(tok[:-2])
    if tok.endswith("s"):
        stems.append(tok[:-1])
    if tok.endswith("ing"):
        stem = tok[:-3]
        stems += [stem, stem + "e"]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            stems.append(stem[:-1])  # "sitting" -> "sit"
    if tok.endswith("ed"):
        stem = tok[:-2]
        stems += [stem, stem + "e", tok[:-1]]
        if tok.endswith("ied"):
            stems.append(tok[:-3] + "y")
        if len(stem) > 2 and stem[-1] == stem[-2]:
            stems.append(stem[:-1])
    return any(s in verbs for s in stems)


PORTIONS = {"half", "quarter", "floret", "peel", "crust", "bite", "crumb", "segment", "morsel", "sliver",
             "fillet", "strip", "cube", "ring", "chip", "stick", "bar", "roll", "top", "bottom", "side", "front",
             "back", "end", "edge", "part", "corner", "center", "centre", "middle", "shape", "size", "type", "kind"}
POSTPOSITIVE_ADJECTIVES = {"asleep", "awake", "alone", "alive", "ablaze", "afloat", "aglow", "apart", "aside", "ajar",
                 "upright", "sideways", "overhead", "outdoors", "indoors", "upstairs", "downstairs", "today",
                 "tonight", "again", "instead", "versus", "vs", "alike", "galore", "aloft", "abreast", "proper"}


_SINGULAR_DETERMINERS = frozenset({"a", "an", "one", "each", "every", "this", "that", "another"})
_OBJECT_OPENERS = lx.INDEFINITE_DETERMINERS | lx.DEFINITE_DETERMINERS | lx.POSSESSIVE_PRONOUNS
_PHRASE_EDGES = (_OBJECT_OPENERS | lx.FILLER_WORDS | lx.HARD_BOUNDARIES | lx.CLAUSE_BREAKERS | lx.ATTACHING_PREPOSITIONS
                 | _SINGULAR_DETERMINERS)


def _opened_by_singular(tokens: list[str], j: int) -> bool:
    """Whether the words before tokens[j] are a phrase opened by a singular determiner ("a
    yellow excavator", "one small dog"), read back over words to the nearest function word."""
    k = j - 1
    while k >= 0 and tokens[k].isalpha() and tokens[k] not in _PHRASE_EDGES and match_relation(tokens, k) is None:
        k -= 1
    return k >= 0 and tokens[k] in _SINGULAR_DETERMINERS and k < j - 1


def verb_agrees_after_noun(tokens: list[str], j: int) -> bool:
    """Whether the -s word at tokens[j], right after a singular noun, is that noun's verb rather
    than the plural head of a compound: "an excavator digs into", "my dog refuses to get out",
    "a crane lifts the crate" (not "dog treats in a bowl", "a box of cat toys"). After "a" or
    "one" a plural head cannot stand, so any verb agrees; otherwise the clause after it must be
    a verb's (its object's determiner, or "to" and a verb) and the verb the commoner reading."""
    tok = tokens[j] if j < len(tokens) else ""
    before = tokens[j - 1] if j >= 1 else ""
    if not tok.endswith("s") or tok.endswith("ss") or not before.isalpha() or before.endswith("s") \
            or is_verb_form(before) or not english.is_finite_form(tok, plural_subject=False):
        return False
    nxt = tokens[j + 1] if j + 1 < len(tokens) else ""
    opens_object = nxt in _OBJECT_OPENERS or is_number(nxt) or nxt in lx.PRONOUNS_PERSON
    infinitive = nxt == "to" and j + 2 < len(tokens) and english.verb_lemma(tokens[j + 2]) == tokens[j + 2] \
        and english.noun_kind(tokens[j + 2]) != NounKind.THING
    if _opened_by_singular(tokens, j):
        # ("a leather bellows hangs": a thing named only in the plural is no verb before a verb)
        return bool(nxt) and not is_verb_form(nxt) and nxt not in lx.HARD_BOUNDARIES
    lemma = english.verb_lemma(tok) or ""
    return (opens_object or infinitive) and english.verb_commoner_than_noun(lemma)


_NAMED_AFTER_KINDS = frozenset({english.ANIMAL, english.PLANT, english.FOOD})


def colour_named_after_thing(word: str) -> bool:
    """A shade named after an animal, a plant or a fruit that is first that thing in WordNet
    ("camel", "lavender", "salmon", "plum"; not "rust", "chocolate" the drink, or "red")."""
    if lx.COLOR_WORDS.get(word, word) == word or english.is_mass(word):
        return False
    sense = next((s for s in english.noun_senses(word) if s.is_thing), None)
    return sense is not None and sense.lexfile in _NAMED_AFTER_KINDS and english.noun_kind(word) == NounKind.THING


def _participle(word: str) -> bool:
    return word.endswith(("ing", "ed")) and english.verb_lemma(word) not in (None, word)


def colour_noun_before_participles(modifiers: list[str], determiner: str, after: str) -> int | None:
    """Where a phrase of attribute-like words alone ends in participles (or stops before one,
    `after`) after a shade named after a thing, the index of that word, which is the phrase's
    noun: "a camel sleeping in the shade", "the salmon leaping upstream" (a participle describes
    a noun, it names none)."""
    if determiner == "none" or not modifiers or not (_participle(modifiers[-1]) or _participle(after)):
        return None
    k = len(modifiers) - 1
    while k > 0 and _participle(modifiers[k]):
        k -= 1
    ok = colour_named_after_thing(modifiers[k]) and all(w in lx.SIZE_WORDS for w in modifiers[:k])
    return k if ok else None


def colour_noun_as_contents(tokens: list[str], i: int, modifiers: list[str]) -> bool:
    """"a vase of lavender", "a bowl of plums": a bare shade named after a plant or a fruit, after
    a container's "of", is what the container holds, not its colour."""
    return (len(modifiers) == 1 and colour_named_after_thing(modifiers[0]) and i >= 2 and tokens[i - 1] == "of"
            and english.is_container(english.noun_lemma(tokens[i - 2]), senses=2))


def counted_plural_head(tokens: list[str], j: int) -> bool:
    """Whether the plural thing noun at tokens[j] heads a phrase counted above one whose noun
    before it is singular: "10 glass slides", "three paper lanterns", "two stone lions" (a count
    above one needs a plural head, so the singular noun before it modifies; "10 glass" is none)."""
    tok, before = tokens[j], tokens[j - 1] if j >= 1 else ""
    lemma = english.noun_lemma(tok)
    if (not tok.endswith("s") or lemma == tok or not before.isalpha() or singular_form(before)[1]
            or before in lx.INVARIANT_NOUNS):
        return False
    # (the thing may be the pair's: a "seat" is first a place to sit, a "car seat" a made thing)
    if NounKind.THING not in (english.noun_kind(lemma), english.noun_kind(f"{before} {lemma}")):
        return False
    k = j - 2
    # (over adjectives and participles used as adjectives: "four matching car seats")
    while k >= 0 and (is_attribute_word(tokens[k]) or tokens[k].endswith(("ing", "ed"))
                      and english.verb_lemma(tokens[k]) not in (None, tokens[k])):
        k -= 1
    return k >= 0 and is_number(tokens[k]) and number_value(tokens[k]) > 1


_RESULT_PARTICLES = frozenset({"in", "into", "open", "apart", "up", "off", "down", "across", "over", "through"})


def bare_participle(tokens: list[str], j: int) -> bool:
    """Whether tokens[j] is a past participle spelt like its verb's base ("cut", "split",
    "spread", "set") with a particle or a place after it, right after a noun: "a melon cut in
    half", "a log split open", "a blanket spread over the grass" (not "a chess set on a table":
    WordNet names the pair)."""
    tok = tokens[j]
    if j < 1 or j + 1 >= len(tokens) or tokens[j + 1] not in _RESULT_PARTICLES or english.verb_lemma(tok) != tok:
        return False
    if not english.is_participle_form_of_base(tok) or english.has_noun_entry(f"{tokens[j - 1]} {tok}"):
        return False
    return tokens[j - 1].isalpha() and english.noun_kind(english.noun_lemma(tokens[j - 1])) == NounKind.THING


def opens_bare_compound(tokens: list[str], j: int) -> bool:
    """Whether tokens[j], opening the prompt (or after an owner's "'s") with no determiner, is a
    noun modifying the thing noun after it: "Yoga mat, 183 x 61 cm", "Bluetooth speaker,
    waterproof", "Girls' party dress in pink" (a listing names its product so). Any noun or unknown word may modify (an activity, a brand);
    a plural ("birds nest in the eaves") or a verb form ("smoke rises") is the clause's instead."""
    if (j + 1 >= len(tokens) or not tokens[j].isalpha() or not tokens[j + 1].isalpha() or len(tokens[j]) < 3
            or j > 0 and tokens[j - 1] != "'s"):
        return False  # (only the phrase a prompt or its owner opens: a later fragment may be a part)
    tok, head = tokens[j], tokens[j + 1]
    if (english.noun_kind(f"{tok} {singular_form(head)[0]}") == NounKind.THING and match_relation(tokens, j + 1) is None
            and not english.is_participle_or_finite(head)):
        return True  # one made thing WordNet names by the two words: "Picture frame, 5x7 in" (a verb's form alone)
    if (tok in _PHRASE_EDGES or tok in lx.NUMBER_WORDS or is_attribute_word(tok) or is_verb_form(tok)
            or singular_form(tok)[1] or not english.can_be_noun(tok) or english.parts_of_speech(tok) & {"ADJ", "ADV"}):
        return False  # (an adjective opens its phrase as it always did: "National flag of ...")
    singular, _ = singular_form(head)
    if english.is_people_group(singular) and match_relation(tokens, j + 1) is None:
        return True  # "Pit crew changing the tyres": the group a noun before it names
    return (english.noun_kind(singular) == NounKind.THING and not is_verb_form(head) and head not in _PHRASE_EDGES
            and match_relation(tokens, j + 1) is None and not english.is_participle_or_finite(head))


def colour_fragment_ends(tokens: list[str], comma: int, modifiers: list[str]) -> bool:
    """Whether the comma at tokens[comma] ends a listing's bare colour fragment: "Insulated lunch
    bag, 8 L, mustard yellow, front zip pocket", "leather belt, dark brown, brushed nickel buckle"
    (the colour is the product's, not the next fragment's). Only a fragment of colour words alone
    between commas: "two plump, fluffy sheep" and "a red, white and blue flag" read on."""
    start = comma - len(modifiers)
    colours = all(w in lx.COLOR_WORDS or w in lx.COLOR_SHADES or hyphen_colour(w) for w in modifiers)
    return bool(modifiers) and colours and start > 0 and tokens[start - 1] == "," and tokens[start:comma] == modifiers


def names_thing_with_noun_before(tokens: list[str], j: int) -> bool:
    """Whether WordNet names the noun before tokens[j] and tokens[j] together as a thing ("clock
    tower", "fire escape", "bus shelter"), so tokens[j] heads it even where it could be a verb
    ("the clock tower next to ..." is no clock that towers)."""
    before = tokens[j - 1] if j >= 1 else ""
    if not before.isalpha() or tokens[j].endswith("s") and english.is_finite_form(tokens[j], plural_subject=False):
        return False
    return english.noun_kind(f"{before} {english.noun_lemma(tokens[j])}") == NounKind.THING


def compound_head(tokens: list[str], j: int) -> bool:
    """Whether the unknown word at tokens[j] is the head of a compound whose first part is the
    noun before it ("glass jar", "dog collar", "car keys"). Inflected words (-ed, -ing, -ly), -s
    words that read as verbs, and known verbs are read as the start of the predicate instead ("a
    cat purrs", "a dog barking")."""
    if j >= len(tokens):
        return False
    tok = tokens[j]
    if (not tok.isalpha() or len(tok) < 3 or tok.endswith(("ed", "ing", "ly")) or verb_agrees_after_noun(tokens, j)
            or bare_participle(tokens, j) or adverb_before_description(tokens, j)):
        return False
    if counted_plural_head(tokens, j) or names_thing_with_noun_before(tokens, j):
        return True
    if (j + 1 < len(tokens) and english.has_noun_entry(tok) and tokens[j + 1].isalpha()
            and english.noun_kind(english.noun_lemma(tokens[j + 1])) == NounKind.THING
            and match_relation(tokens, j) is None and tok not in lx.FILLER_WORDS):
        return True  # "a glass display counter": a noun between two nouns is part of the compound
    if tok.endswith("s") and (is_verb_form(tok) or english.noun_kind(english.noun_lemma(tok)) != NounKind.THING
                              or english.noun_lemma(tok) == tok) and not english.is_pair_noun(tok):
        return False  # (a thing named in the plural by nature is a head: "ski goggles", "garden shears")
    if (tok in lx.FILLER_WORDS or tok in lx.CLAUSE_BREAKERS or tok in lx.ATTACHING_PREPOSITIONS
            or tok in lx.HARD_BOUNDARIES or tok in POSTPOSITIVE_ADJECTIVES or tok in lx.NUMBER_WORDS
            or tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL or tok in lx.POSSESSIVE_PRONOUNS
            or tok in lx.INDEFINITE_DETERMINERS or tok in lx.DEFINITE_DETERMINERS
            or is_attribute_word(tok) or is_verb_form(tok)
            or lx.QUANTIFIER_NOUNS.get(tok, 0) == 1 or tok in PORTIONS):
        return False  # ("a cake slice" is still cake)
    return match_relation(tokens, j) is None and match_noun(tokens, j) is None


def landscape_compound_head(tok: str) -> bool:
    """"apple tree(s)", "dog house": a landscape noun after a noun is the head of a compound,
    unless it is a verb's -s form ("a boat rocks on the waves")."""
    return singular_form(tok)[0] in lx.LANDSCAPE_OBJECTS and not (tok.endswith("s") and is_verb_form(tok))


def bare_plural(tokens: list[str], i: int, items: list[Item]) -> NounPhrase | None:
    """An unknown plural with no article opening a clause and followed by a relation:
    "flowers in a vase", "stars above the moon". Elsewhere a bare -s word is more likely a
    verb ("a cat purrs"), so it is left alone."""
    tok = tokens[i]
    singular, was_plural = singular_form(tok)
    if (items and isinstance(items[-1], Rel) and i >= 1 and tokens[i - 1].isalpha() and not english.noun_senses(tokens[i - 1])
            and tok in lx.FILLER_WORDS and was_plural and tok.isalpha() and english.has_thing_sense(singular)):
        # right after a preposition no verb's -s form stands: "drying on lines" (a scene verb's
        # noun); after a relation that ends in its own noun it may ("to his left lies a chase")
        return NounPhrase(head=singular, is_class=False, plural=True, count=None, determiner="none", modifiers=[],
                          kind=english.noun_kind(singular), surface=tok)
    opens_clause = not items or isinstance(items[-1], (Break, Rel))
    if not opens_clause or i + 1 >= len(tokens) or match_relation(tokens, i + 1) is None:
        return None
    singular, was_plural = singular_form(tok)
    if (not was_plural or not tok.isalpha() or is_verb_form(tok) or tok in lx.FILLER_WORDS
            or tok in lx.CLAUSE_BREAKERS or tok in lx.ATTACHING_PREPOSITIONS or is_attribute_word(tok)
            or tok in lx.QUANTIFIER_NOUNS or match_noun(tokens, i) is not None):
        return None
    return NounPhrase(head=singular, is_class=False, plural=True, count=None, determiner="none", modifiers=[])


def name_span(tokens: list[str], j: int) -> int:
    """How many tokens from tokens[j] spell a proper name WordNet knows ("alexander graham bell",
    "king arthur", "thor"), longest first; 0 when none starts there."""
    for length in (3, 2, 1):
        if j + length <= len(tokens) and all(t.isalpha() for t in tokens[j:j + length]) \
                and english.is_name(" ".join(tokens[j:j + length])):
            return length
    return 0


def names_someone(tokens: list[str], j: int) -> int:
    """The length of a name at tokens[j] that identifies someone or somewhere rather than a made
    thing to draw ("Alexander Graham Bell", "Paris"; not "the Eiffel Tower"); 0 when none."""
    length = name_span(tokens, j)
    if not length:
        return 0
    senses = english.noun_senses(" ".join(tokens[j:j + length]))
    return 0 if senses and senses[0].lexfile == english.ARTIFACT else length


def is_number(tok: str) -> bool:
    return tok.isdigit() or (tok in lx.NUMBER_WORDS and tok not in lx.QUANTIFIER_NOUNS)


def number_value(tok: str) -> int:
    return int(tok) if tok.isdigit() else lx.NUMBER_WORDS[tok]


def _ends_phrase(tok: str) -> bool:
    return (tok in lx.HARD_BOUNDARIES or tok in lx.CLAUSE_BREAKERS or tok == "'s"
            or tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL)


def noun_starts_at(tokens: list[str], j: int) -> bool:
    return (j < len(tokens) and match_noun(tokens, j) is not None and not _ends_phrase(tokens[j])
            and not adverb_before_description(tokens, j))


def noun_between_describer_and_noun(tokens: list[str], j: int) -> bool:
    """"a blue down jacket", "a red down suit": a word that is also a relation's, between a
    describing word and a thing's noun, is a noun modifying that noun (no preposition follows an
    adjective and precedes a bare noun)."""
    if j < 1 or j + 1 >= len(tokens) or not english.has_noun_entry(tokens[j]) or not is_attribute_word(tokens[j - 1]):
        return False
    after = tokens[j + 1]
    return (after.isalpha() and not is_verb_form(after) and after not in lx.FILLER_WORDS
            and (match_noun(tokens, j + 1) is not None
                 or english.noun_kind(english.noun_lemma(after)) == NounKind.THING and "ADJ" not in english.parts_of_speech(after)))


def adverb_before_description(tokens: list[str], j: int) -> bool:
    """"a puppy still wet from the bath", "bread still warm": a word that can be an adverb, right
    before a word that describes (an adjective, no noun, no participle), is the adverb, not a
    noun after the noun before it ("a still life", "a counter next to" stay nouns)."""
    if j + 1 >= len(tokens) or "ADV" not in english.parts_of_speech(tokens[j]):
        return False
    after = tokens[j + 1]
    if english.is_participle_or_finite(after) or match_relation(tokens, j + 1) is not None:
        return False  # ("a display counter filled with watches", "a counter next to": a counter)
    return (is_attribute_word(after) or "ADJ" in english.parts_of_speech(after)) and match_noun(tokens, j + 1) is None


def gerund_names_a_kind(tokens: list[str], j: int) -> bool:
    """Whether the -ing word at tokens[j], between a noun that cannot act and a bare singular
    thing noun, names the kind of that thing with it ("a stoneware serving bowl", "a walnut
    serving tray", "a steel mixing bowl"), rather than starting a clause ("a firefighter
    spraying water", "a truck carrying logs", "a fountain spraying water")."""
    if j < 1 or j + 1 >= len(tokens):
        return False
    before, after = tokens[j - 1], tokens[j + 1]
    if not before.isalpha() or not after.isalpha() or is_verb_form(after) or match_relation(tokens, j + 1):
        return False
    if english.is_animate(english.noun_lemma(before)) or match_noun(tokens, j - 1) is not None:
        return False  # (a person, an animal or a class named before it acts: "a dog carrying a stick")
    singular, was_plural = singular_form(after)
    return (not was_plural and english.noun_kind(singular) == NounKind.THING and not english.is_mass(singular)
            and (j + 2 >= len(tokens) or tokens[j + 2] not in lx.INDEFINITE_DETERMINERS
                 and tokens[j + 2] not in lx.DEFINITE_DETERMINERS))


_SHAPE, _QUANTITY = 25, 23  # WordNet's noun.shape and noun.quantity


@lru_cache(maxsize=4096)
def shapes_what_follows(word: str, whole: str = "") -> bool:
    """"a coil of rope", "a plume of smoke", "a swirl of cream", "a mountain of pancakes": a noun
    that WordNet gives a shape or an amount in one of its first two senses says, before "of",
    how what follows (`whole`, its first word) lies; it is no thing of its own. Not a container or
    a serving surface (their "of" introduces contents: "a plate of cookies"), a class ("a cup of
    coffee") or a part or a portion of what follows ("the rim of the bowl", "the top of the hill")."""
    if word in lx.NUMBER_WORDS or not word.isalpha():
        return False  # ("three of the birds": a number counts)
    senses = english.noun_senses(word)[:2]
    return (any(s.lexfile in (_SHAPE, _QUANTITY) for s in senses) and not english.is_container(word, senses=4)
            and word not in lx.SERVING_SURFACES and word not in PORTIONS and match_noun([word], 0) is None
            and not (whole.isalpha() and english.is_part_of(word, english.noun_lemma(whole))))


_HOLDER_SENSES = 6  # ("case" is a container only in its fifth sense, after the legal one)


def holder_named_by_its_use(head: str, modifiers: list[str]) -> bool:
    """"a charging case", "a phone case", "a guitar case": a noun that is a container only in
    a later sense is that container when a word before it says what it holds or does, a made
    thing or a gerund, rather than an attribute ("a strange case", "a famous case")."""
    if not modifiers or not english.is_container(head, senses=_HOLDER_SENSES):
        return False
    use = modifiers[-1]
    if not use.isalpha() or is_attribute_word(use) or "ADJ" in english.parts_of_speech(use):
        return False
    gerund = use.endswith("ing") and english.verb_lemma(use) not in (None, use)
    return gerund or english.is_artifact(english.noun_lemma(use))


@lru_cache(maxsize=1)
def _support_ids() -> frozenset[str]:
    """The WordNet kind a stand is first made as (a support): shelves, sills and mantelpieces
    are that kind too, though WordNet also files them as parts of a bookcase or a wall."""
    return frozenset().union(*(s.wholes for s in english.noun_senses("stand") if s.lexfile == english.ARTIFACT))


def bears_things(head: str) -> bool:
    """"shelves of jars", "a windowsill of plants": a part that bears things holds them on it."""
    made = next((s for s in english.noun_senses(head) if s.lexfile == english.ARTIFACT), None)
    return made is not None and bool(made.wholes & _support_ids())
