"""One noun phrase: its words are read in phrase_reading; here is decided what it names
(a GenEval class, people, a made thing, parts and plant kinds)."""

from __future__ import annotations

import re

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.colour_names import holds_or_works_on
from stagestudio.scene.parsing.context_words import not_a_noun_here
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import Adjectives, Measure, NounPhrase
from stagestudio.scene.parsing.nouns import singular_form
from stagestudio.scene.parsing.phrase_reading import (
    names_a_made_thing,
    read_noun_phrase,
)
from stagestudio.scene.parsing.phrase_words import grounded_head, verb_opens_clause
from stagestudio.scene.parsing.relations import match_relation
from stagestudio.scene.parsing.words import holder_named_by_its_use, is_verb_form


def parse_noun_phrase(tokens: list[str], i: int) -> tuple[NounPhrase | Adjectives | Measure | None, int]:
    """Read one noun phrase starting at tokens[i]; (None, i) when none starts there. A noun
    WordNet files under a GenEval class is named by the class ("a fisherman" -> person, "a
    terrier" -> dog), as the annotation conventions name it."""
    phrase, end = read_noun_phrase(tokens, i)
    if isinstance(phrase, Measure) and _measured_thing_at(tokens, end):
        # "36V battery", "with 30 m hose": a size before a thing's noun is that thing's
        measured, end = parse_noun_phrase(tokens, end)
        if isinstance(measured, NounPhrase):
            measured.measurements.insert(0, phrase.text)
        return measured, end
    births = _multiple_birth(tokens, i, phrase)
    if births is not None:
        return births
    if phrase is None and _doer_before_its_verb(tokens, i):
        # (read as after an article, which leaves the word no adjective reading)
        phrase, end = read_noun_phrase(["the", *tokens[i:]], 0)
        end = i + end - 1
        if isinstance(phrase, NounPhrase):
            phrase.determiner = "none"
    if (isinstance(phrase, NounPhrase) and phrase.pronoun is None and end > i and phrase.surface
            and tokens[end - 1] == phrase.surface.split()[-1]
            and not_a_noun_here(tokens, end - 1, bare=phrase.determiner == "none" and phrase.count is None)):
        # "waves a camper van forward", "tumbles wet laundry until it is dry", "the crew can wash
        # it": the tagger reads the last word as no noun in this sentence; the phrase ends before it
        cut = end - 1
        while cut > i and not_a_noun_here(tokens, cut - 1, bare=False):
            cut -= 1  # ("the stone is still": neither word is a noun here)
        if cut > i and (phrase.modifiers or phrase.determiner != "none" or phrase.count is not None):
            return parse_noun_phrase(tokens[:cut], i)
        return None, i
    if isinstance(phrase, NounPhrase) and _wood_fragment(tokens, i, end, phrase):
        # "Puzzle box, walnut, 3 drawers", "gavel, solid walnut, 26 cm": a listing's lone
        # fragment naming a tree is the wood the product is made of, no object
        return Adjectives([*phrase.modifiers, tokens[end - 1]]), end
    if isinstance(phrase, NounPhrase):
        if _number_is_a_label(phrase):
            phrase.count = None
        phrase.modifiers = _joined_compounds(phrase.modifiers)
        if (phrase.kind in (NounKind.PLACE, NounKind.WEAK, NounKind.ABSTRACT) and not phrase.is_class
                and any(english.is_material(w, lx.MATERIAL_WORDS) for w in phrase.modifiers)
                and phrase.head not in lx.SETTING_NOUNS
                and english.can_be_made_thing(phrase.head)):
            phrase.kind = NounKind.THING  # "a wooden post", "a stone cabin": a material makes it a made thing
        if phrase.kind in (NounKind.WEAK, NounKind.ABSTRACT) and holder_named_by_its_use(phrase.head, phrase.modifiers):
            phrase.kind = NounKind.THING  # "a charging case", "a phone case"
        if (not phrase.is_class and phrase.modifiers and phrase.modifiers[-1].isalpha()
                and english.is_worn(worn := f"{english.noun_lemma(phrase.modifiers[-1])} {phrase.head}", senses=1)
                and not english.is_worn(phrase.head)):
            # "ear defenders": worn on the ear, a garment named by the pair, not a person
            phrase.head, phrase.kind = worn, NounKind.THING
            phrase.modifiers.pop()
        if _made_figure_of_animal(phrase):
            # "a rubber duck", "a porcelain swan": a figure of the animal, not the living class
            phrase.head, phrase.is_class = english.noun_lemma(phrase.surface.split()[-1]), False
        if _fruit_portion_or_wood(phrase):
            # "two lime wedges", "solid cherry wood": the fruit or the tree a shade is named
            # after, before a portion of it or its wood, is that fruit or tree, no colour
            phrase.head, phrase.kind = f"{phrase.modifiers.pop()} {phrase.head}", NounKind.THING
        if not phrase.is_class and holds_or_works_on(phrase.modifiers, written := phrase.surface.split()[-1] if phrase.surface else phrase.head):
            # "charcoal sacks", "a coffee roaster": a colour word that says what the thing holds
            # or works on is part of its name, no colour
            phrase.head = f"{phrase.modifiers.pop()} {english.noun_lemma(written)}"
        if _named_in_the_plural(phrase):
            # "a smoker with leather bellows", "a man in chest waders": WordNet names the thing by
            # its plural; the singular is another word (a roar, a wading bird)
            phrase.head, phrase.plural = phrase.surface, False
            phrase.kind = english.noun_kind(phrase.surface)
        if phrase.pronoun is not None or phrase.possessive is not None:
            phrase.pronoun_word = tokens[i]
        _parts_from_adjectives(phrase)
        _name_plant_kinds(phrase)
        if (not phrase.plural and phrase.count is None and _group_of(tokens[i:end])
                and (phrase.is_class or english.has_sense_of(phrase.head, english.ANIMAL))):
            # "a school of fish", "a herd of deer": the members are many; "a pile of mohair",
            # "a heap of hay" is one mass (only an animal's name is its own plural)
            phrase.plural = True
    if (isinstance(phrase, NounPhrase) and not phrase.is_class and phrase.pronoun is None
            and (english.is_people_group(_with_compound(phrase)) or _group_of_people_named_by_modifier(phrase))
            and (end >= len(tokens) or tokens[end] != "of")
            and not _premises_of_group(tokens, i, phrase)
            # ("a silicone band"; WordNet's own "brass band" is the players)
            and (_with_compound(phrase) != phrase.head
                 or not any(english.is_material(w, lx.MATERIAL_WORDS) for w in phrase.modifiers))):
        # "the family sat down", "a couple walking their dog", "a band on stage": WordNet's
        # social groups are people
        implied = lx.QUANTIFIER_NOUNS.get(phrase.surface.split()[-1] if phrase.surface else "")  # ("string quartet")
        phrase.head, phrase.is_class, phrase.kind, phrase.plural = "person", True, NounKind.THING, True
        if isinstance(implied, int) and phrase.count is None:
            phrase.count = implied  # "a couple": two
        return phrase, end
    if (isinstance(phrase, NounPhrase) and not phrase.is_class and phrase.pronoun is None
            and phrase.head not in lx.SETTING_NOUNS and not english.is_name(phrase.head)
            and _plain_noun(phrase.surface.split()[-1] if phrase.surface else phrase.head)
            and not english.made_sense_by_material(phrase.head, phrase.modifiers, lx.MATERIAL_WORDS, phrase.measurements)):
        cls = english.geneval_class(phrase.head) or _person_by_compound(phrase)
        if cls is not None and not (cls == "person" and _product_title(tokens, i, end, phrase, phrase.head)
                                    or cls != phrase.head and _figure_of(phrase.head, phrase.modifiers)):
            phrase.head, phrase.is_class, phrase.kind = cls, True, NounKind.THING
            phrase.class_by_sense = True
    elif (isinstance(phrase, NounPhrase) and phrase.head == "person" and phrase.surface
          and _product_title(tokens, i, end, phrase, english.noun_lemma(phrase.surface.split()[-1]))):
        phrase.head, phrase.is_class = english.noun_lemma(phrase.surface.split()[-1]), False  # ("speaker")
    return phrase, end


def _fruit_portion_or_wood(phrase: NounPhrase) -> bool:
    """Whether the phrase's last modifier is a shade named after a fruit or a tree ("lime",
    "lemon", "cherry", "olive") right before a noun that is, in a later sense, a portion of food
    ("wedge", "slice": first a shape, a share) or is a material ("wood"); not a thing one colours
    ("a lime dress") nor a food of its own ("a lemon cake")."""
    if phrase.is_class or not phrase.modifiers or " " in phrase.head or phrase.modifiers[-1] not in lx.COLOR_WORDS:
        return False
    shade = phrase.modifiers[-1]
    if lx.COLOR_WORDS[shade] == shade or not any(s.lexfile in (english.FOOD, english.PLANT)
                                                 for s in english.noun_senses(shade)[:english.WEAK_SENSES]):
        return False
    senses = english.noun_senses(phrase.head)
    # (a food in its second sense: "wedge" of lemon; a "jacket" is a potato's skin only fourth)
    portion = len(senses) > 1 and senses[0].lexfile != english.FOOD and senses[1].lexfile == english.FOOD
    return portion or english.is_material(phrase.head)


def _wood_fragment(tokens: list[str], i: int, end: int, phrase: NounPhrase) -> bool:
    """Whether the phrase is a listing fragment after the product's (between commas, no article,
    no number, singular) whose noun is a tree in one of its first senses and no GenEval class
    ("cedar", "walnut", "teak"; "apple" stays an apple)."""
    if (i < 2 or tokens[i - 1] != "," or end < len(tokens) and tokens[end] != "," or phrase.determiner != "none"
            or phrase.count is not None or phrase.plural or phrase.is_class or phrase.pronoun is not None
            or not all(w.isalpha() and "ADJ" in english.parts_of_speech(w) for w in phrase.modifiers)):
        return False
    word = tokens[end - 1]
    senses = english.noun_senses(word)
    return (word.isalpha() and english.geneval_class(word) is None
            and any(s.lexfile == english.PLANT for s in senses[:3])
            and all(s.lexfile in (english.PLANT, english.FOOD, english.SUBSTANCE) for s in senses[:3]))


def _made_figure_of_animal(phrase: NounPhrase) -> bool:
    """Whether a material before an animal's noun makes a figure of it ("a rubber duck", "a
    porcelain swan"), not the class of the living animal (a bird); where the noun is its class's
    own name ("a wooden horse") the class stays."""
    if not phrase.is_class or not phrase.surface or " " in phrase.surface:
        return False
    lemma = english.noun_lemma(phrase.surface)
    return lemma != phrase.head and _figure_of(lemma, phrase.modifiers)


def _figure_of(lemma: str, modifiers: list[str]) -> bool:
    """A material's noun (no adjective: "golden", "silver" also name a coat, "a golden
    retriever") right before an animal's noun that WordNet does not pair with it."""
    if not modifiers or not english.has_sense_of(lemma, english.ANIMAL):
        return False
    word = modifiers[-1]
    return (english.is_material(word, lx.MATERIAL_WORDS) and "ADJ" not in english.parts_of_speech(word)
            and not english.noun_senses(f"{word} {lemma}"))


def _named_in_the_plural(phrase: NounPhrase) -> bool:
    """Whether the plural the phrase ends in is a made thing WordNet lists under the plural
    ("bellows", "waders", "pants") while the singular first means something else; not a part
    ("tree trunks") nor a person ("two boxers")."""
    surface = phrase.surface
    if phrase.is_class or not phrase.plural or not surface or " " in surface or surface == phrase.head \
            or not english.has_flag(surface, "2", senses=1):
        return False
    own, single = english.noun_senses(surface), english.noun_senses(phrase.head)
    if not own or own[0].lexfile != english.ARTIFACT or not single or single[0].lexfile == english.ARTIFACT:
        return False
    cls = english.geneval_class(phrase.head)
    return not english.is_part(phrase.head) and (cls is None or cls != "person" and english.is_worn(surface))


def _product_title(tokens: list[str], i: int, end: int, phrase: NounPhrase, noun: str) -> bool:
    """"Gaming controller, wireless, purple", "Wireless speaker, waterproof": a bare phrase that
    opens a listing of comma fragments names the product, so a noun that is first a person but
    also a made thing (a controller, a speaker, a driver) is the made thing."""
    # (the title may open with a word read apart: "Wireless speaker, ...")
    opening = i <= 2 and all(t.isalpha() and t not in lx.INDEFINITE_DETERMINERS and t not in lx.DEFINITE_DETERMINERS
                             for t in tokens[:i])
    # (a fragment saying what someone does describes a person: "Guest speaker, smiling", "...,
    # holding a microphone"; a gerund naming a kind, "with charging dock", does not)
    determiners = lx.INDEFINITE_DETERMINERS | lx.DEFINITE_DETERMINERS
    acting = any(tokens[k].endswith("ing") and is_verb_form(tokens[k])
                 and (tokens[k - 1] == "," or k + 1 < len(tokens) and tokens[k + 1] in determiners)
                 for k in range(end + 1, len(tokens)))
    return (opening and not acting and phrase.determiner == "none" and end < len(tokens) and tokens[end] == ","
            and english.has_sense_of(noun, english.ARTIFACT))


def _measured_thing_at(tokens: list[str], j: int) -> bool:
    """Whether a made or natural thing's noun that no verb or relation reading claims stands at
    tokens[j], after a measurement ("36 v battery"; not "5 kg capacity", "80 cm wide", "3 cm in")."""
    if j >= len(tokens) or not tokens[j].isalpha() or is_verb_form(tokens[j]) or match_relation(tokens, j) is not None:
        return False
    return (grounded_head(tokens[j]) in (NounKind.THING, NounKind.WEAK)
            and english.has_sense_of(english.noun_lemma(tokens[j]), english.ARTIFACT)
            and "ADJ" not in english.parts_of_speech(tokens[j]))


# The words for children of one birth say how many they are (a closed class: "twins" is two).
_MULTIPLE_BIRTHS = {"twins": 2, "triplets": 3, "quadruplets": 4, "quintuplets": 5, "sextuplets": 6}


def _multiple_birth(tokens: list[str], i: int, phrase: object) -> tuple[NounPhrase, int] | None:
    """"quadruplets asleep in car seats", "the twins on a swing": that many people, where no other
    noun follows ("twin girls" are counted by the number reading)."""
    if i >= len(tokens):  # (asked past the end: "facing each other" reads on from its last word)
        return None
    j = i + 1 if tokens[i] in lx.DEFINITE_DETERMINERS and i + 1 < len(tokens) else i
    count = _MULTIPLE_BIRTHS.get(tokens[j])
    if count is None or isinstance(phrase, NounPhrase) and phrase.surface != tokens[j]:
        return None
    return NounPhrase(head="person", is_class=True, plural=True, count=count,
                      determiner="definite" if j > i else "none", modifiers=[], kind=NounKind.THING,
                      surface=tokens[j]), j + 1


def _number_is_a_label(phrase: NounPhrase) -> bool:
    """"a 1967 muscle car", "2019 pickup truck": a number that cannot count its singular noun
    (after "a", or in the thousands) names a year or a model; the noun is one thing."""
    if phrase.count is None or phrase.count < 2 or phrase.plural or (phrase.surface or "").endswith("s"):
        return False
    last = (phrase.surface or phrase.head).split()[-1]
    if phrase.count < 1000 and english.plural_is_itself(last) and english.is_animate(last):
        return False  # ("a trio of sheep", "a pair of water buffalo": an animal's plural is itself)
    return phrase.determiner == "indefinite" or phrase.count >= 1000


def _doer_before_its_verb(tokens: list[str], i: int) -> bool:
    """"mechanic lying under a car", "native carrying a basket": a bare word that is also an
    adjective, but first a person or an animal, right before an -ing verb with its object or
    place, is the one who does it (with no determiner such a word otherwise reads as the
    adjective: "minimalist", "moody")."""
    if i + 1 >= len(tokens) or not tokens[i].isalpha() or not english.senses_ordered(tokens[i]):
        return False
    return english.is_animate(english.noun_lemma(tokens[i])) and verb_opens_clause(tokens, i + 1, after_noun=True)


def _group_of(words: list[str]) -> bool:
    """Whether the words name a group of some number of things: "a school of", "a herd of"."""
    return any(w in lx.QUANTIFIER_NOUNS and lx.QUANTIFIER_NOUNS[w] is None and nxt == "of"
               for w, nxt in zip(words, words[1:]))


_HAVING_PART = re.compile(r"([a-z0-9]+)-([a-z]+)ed")


def _part_in(adjective: str) -> str | None:
    """The part a "-ed" compound adjective names: "red-haired" -> "red hair", "three-legged" ->
    "three leg", "long-tailed" -> "long tail"; None when its stem is no part in WordNet."""
    match = _HAVING_PART.fullmatch(adjective)
    if match is None:
        return None
    first, stem = match.groups()
    for noun in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
        if noun and english.is_part(noun):
            return f"{first} {noun}"
    return None


def _parts_from_adjectives(phrase: NounPhrase) -> None:
    """"a red-haired woman", "a long-tailed bird": the adjective names a part of the thing (and
    its colour is the part's)."""
    for word in list(phrase.modifiers):
        part = _part_in(word)
        if part is not None:
            phrase.parts.append(part)
            phrase.modifiers.remove(word)


def _person_by_compound(phrase: NounPhrase) -> str | None:
    """"person" where the head alone is ambiguous but WordNet names the pair with the modifier
    before it a person, in a sense the head has too ("scuba diver": a "diver" may be a loon;
    not "black belt", a belt that names its wearer)."""
    compound = _with_compound(phrase)
    if compound == phrase.head or english.geneval_class(compound) != "person":
        return None
    return "person" if english.has_sense_of(phrase.head, english.PERSON) else None


def _group_of_people_named_by_modifier(phrase: NounPhrase) -> bool:
    """"a school group", "a youth group", "the church class": a collective noun of people
    (`lx.PEOPLE_GROUPS`) WordNet files under no social group of its own ("group" is first an
    abstraction) is people when the noun before it names people or a social group first."""
    if phrase.head not in lx.PEOPLE_GROUPS or not phrase.modifiers:
        return False
    senses = english.noun_senses(phrase.modifiers[-1])
    return bool(senses) and (senses[0].lexfile == english.PERSON or "h" in senses[0].flags)


# Prepositions that put someone or something within a place: "in", "inside", "at" a club; the
# back room "of" a club
_WITHIN = frozenset({"in", "inside", "into", "at", "of", "outside"})


def _premises_of_group(tokens: list[str], i: int, phrase: NounPhrase) -> bool:
    """Whether a group of people is named as the building it meets in: "Inside a wood-panelled
    auction house", "the back room of a model railway club". After a preposition that places
    things within it, a group WordNet also names as a building (or whose head noun is one) is
    that building, the setting; "a boy in a crowd", "the captain of a team" stay people."""
    if i == 0 or tokens[i - 1] not in _WITHIN:
        return False
    return any("b" in sense.flags and sense.is_thing
               for word in {_with_compound(phrase), phrase.head.split()[-1]} for sense in english.noun_senses(word))


def _with_compound(phrase: NounPhrase) -> str:
    """The head with the modifier before it when WordNet names the pair ("golf club"), else the head."""
    if phrase.modifiers and english.has_noun_entry(f"{phrase.modifiers[-1]} {phrase.head}"):
        return f"{phrase.modifiers[-1]} {phrase.head}"
    return phrase.head


def noun_of(words: Adjectives) -> NounPhrase:
    """The noun phrase attribute-like words make where a noun must stand ("drinking coffee",
    "catching a salmon"): the last word is the head."""
    last = words.words[-1]
    singular, plural = singular_form(last)
    return NounPhrase(head=singular, is_class=False, plural=plural, count=None, determiner="none",
                      modifiers=words.words[:-1], kind=grounded_head(singular) or NounKind.UNKNOWN, surface=last)


_KIND_HEADS = frozenset({english.PLANT, english.FOOD, english.BODY})


def _names_a_plant_or_animal(word: str) -> bool:
    """A colour word whose first drawable sense is a plant or an animal ("olive", "cherry",
    "mint", "salmon"), not a substance or a food that lends its colour ("chocolate", "cream")."""
    sense = next((s for s in english.noun_senses(word) if s.is_thing), None)
    return sense is not None and sense.lexfile in (english.PLANT, english.ANIMAL)


def _living_or_food(word: str) -> bool:
    sense = next((s for s in english.noun_senses(english.noun_lemma(word)) if s.is_thing), None)
    return sense is not None and sense.lexfile in (*_KIND_HEADS, english.ANIMAL)


def _name_plant_kinds(phrase: NounPhrase) -> None:
    """"an olive branch", "a mint leaf", "a cherry blossom tree", "a salmon fillet": a colour word
    that is a plant or an animal, before a plant, food or part noun, names what it is part of or
    made from, not a colour ("a salmon shirt", "a cherry dress" are colours)."""
    if phrase.is_class or not phrase.modifiers:
        return
    words = [*phrase.modifiers, phrase.surface.split()[-1] if phrase.surface else phrase.head]
    for k in range(len(words) - 2, -1, -1):
        word, after = words[k], english.noun_lemma(words[k + 1])
        sense = next((s for s in english.noun_senses(after) if s.is_thing), None)
        if (word not in lx.COLOR_WORDS or lx.COLOR_WORDS[word] == word or not _names_a_plant_or_animal(word)
                or sense is None or not (sense.lexfile in _KIND_HEADS or "p" in sense.flags)):
            continue
        if k < len(words) - 2 and not _living_or_food(words[-1]):
            continue  # ("teal enamel kettle": before a made thing's noun the colour is the thing's)
        if k == len(words) - 2:
            phrase.head, phrase.surface = f"{word} {phrase.head}", f"{word} {phrase.surface or phrase.head}"
            del phrase.modifiers[k]
        else:
            phrase.modifiers[k:k + 2] = [f"{word} {words[k + 1]}"]
        return


def _joined_compounds(modifiers: list[str]) -> list[str]:
    """Modifier pairs WordNet names as one noun keep together when the second is a colour word:
    "an ice cream cone" is no cream-white cone ("a red maple leaf" is red)."""
    out: list[str] = []
    k = 0
    while k < len(modifiers):
        pair = modifiers[k:k + 2]
        if (len(pair) == 2 and pair[1] in lx.COLOR_WORDS and pair[0] not in lx.COLOR_WORDS
                and pair[0] not in lx.SIZE_WORDS and pair[0] not in lx.COMMON_ADJECTIVES
                and names_a_made_thing(f"{pair[0]} {english.noun_lemma(pair[1])}")):
            out.append(" ".join(pair))
            k += 2
            continue
        out.append(modifiers[k])
        k += 1
    return out


def _plain_noun(word: str) -> bool:
    """A word that reads as a noun and nothing else far off: not an adjective or adverb read as
    a noun ("a gentle, peaceful atmosphere", "ears fall forward")."""
    pos = english.parts_of_speech(word)
    return "ADV" not in pos and (not pos or "NOUN" in pos)  # ("the dry": no noun for lemminflect)
