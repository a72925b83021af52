"""What an English word can be: the parser's grounding in a real lexicon.

Two sources, both installed with the code and read without any download:

- `lemminflect` (PyPI): which parts of speech a word form can have and its lemma
  ("simmering" is only a verb, "subtly" only an adverb, "tomatoes" the plural of "tomato"),
  and verb inflection ("rode" -> "riding").
- WordNet 3.0 noun categories (`data/wordnet_nouns.tsv.gz`, built by
  `tools/build_noun_lexicon.py` from Debian's `wordnet-base`): for each noun its most
  frequent senses' lexicographer category (animal, artifact, attribute, act...), whether it
  is a part, something worn, a container, a unit, a place, a mass, large or a proper name,
  the wholes it is part of and is (meronyms), and the GenEval class it belongs to; and each
  verb's category (`data/wordnet_verbs.tsv.gz`: "chew" is consumption, "sit" contact).

The parser asks this module whether a word can name a thing to draw; every word list in
`lexicon.py` stays an override on top of it.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import lemminflect

_NOUN_TABLE = Path(__file__).with_name("data") / "wordnet_nouns.tsv.gz"

# WordNet lexicographer files (noun.*) by number.
ANIMAL, ARTIFACT, BODY, FOOD, OBJECT, PERSON, PLANT, SUBSTANCE, TIME = 5, 6, 8, 13, 17, 18, 20, 27, 28
# noun.communication: WordNet files many things one holds or hangs there, by what they say
# rather than what they are ("medal", "buoy", "poster", "ticket", "scroll", "bible")
COMMUNICATION = 10
# noun.possession: money one holds ("coin", "banknote") beside what is only owned ("property")
POSSESSION = 21
# noun.act and noun.event: what happens ("show", "auction", "race"), no thing
ACT, EVENT = 4, 11
# Senses that are things one can draw.
_THING_FILES = frozenset({ANIMAL, ARTIFACT, BODY, FOOD, OBJECT, PERSON, PLANT, SUBSTANCE})


@dataclass(frozen=True)
class NounSense:
    lexfile: int
    flags: str  # p part, c worn, k container, u unit, l place, m mass or meal
    # the GenEval class the sense descends from ("fisherman" -> person), if any
    geneval_class: str | None = None
    # WordNet's part-of relations as ids of wholes: those this part belongs to, and those this
    # thing is (a headlight is part of a motor vehicle; a truck is one)
    part_of: frozenset[str] = frozenset()
    wholes: frozenset[str] = frozenset()
    # the one kind of animal a young animal's sense is the young of ("piglet" -> "pig")
    young_of: str | None = None

    @property
    def is_thing(self) -> bool:
        return self.lexfile in _THING_FILES


class NounKind(str, Enum):
    THING = "thing"  # the first sense is something to draw: dog, rock, lily pad
    WEAK = "weak"  # a thing in a later sense only: book (first a written work), newspaper, light
    ABSTRACT = "abstract"  # never a thing: finish, contrast, realism, snowfall
    PLACE = "place"  # a location or landform: savanna, hill, lake
    UNIT = "unit"  # a measure: centimeter, inch, hour
    UNKNOWN = "unknown"  # not in WordNet: a name, a coinage


_VERB_TABLE = Path(__file__).with_name("data") / "wordnet_verbs.tsv.gz"
CONSUMPTION = 34  # WordNet's verb.consumption: eat, drink, chew, sip
# verb.communication, verb.consumption, verb.creation: verbs that act on a thing they are "on"
ACTING_CATEGORIES = frozenset({32, CONSUMPTION, 36})


@lru_cache(maxsize=1)
def _verb_table() -> dict[str, tuple[int, str]]:
    with gzip.open(_VERB_TABLE, "rt", encoding="utf-8") as fh:
        return {lemma: (int(code), flags)
                for lemma, code, flags in (line.rstrip("\n").split("\t") for line in fh)}


def verb_category(lemma: str) -> int | None:
    """The lexicographer file of the verb's first WordNet sense (34 consumption, 35 contact...)."""
    entry = _verb_table().get(lemma)
    return entry[0] if entry else None


def _verb_flags(lemma: str) -> str:
    entry = _verb_table().get(lemma)
    return entry[1] if entry else ""


def only_intransitive(lemma: str) -> bool:
    """No sense of the verb takes a direct object ("glow", "rise", "howl"; not "ride", "stir",
    "fly" a kite); a verb WordNet does not know is given the benefit of the doubt."""
    return lemma in _verb_table() and "t" not in _verb_flags(lemma)


def verb_commoner_than_noun(lemma: str) -> bool:
    """WordNet's sense-tagged corpus has the word far more often as a verb than as a noun
    ("drag", "paint", "lift"; not "sign", "rock" or "book")."""
    return "v" in _verb_flags(lemma)


def takes_object_and_infinitive(lemma: str) -> bool:
    """"somebody teaches somebody to ride": the infinitive says what the object does."""
    return "o" in _verb_flags(lemma)


@lru_cache(maxsize=1)
def _noun_table() -> dict[str, str]:
    """lemma -> its senses as stored ("05,18"); decoded on lookup, since a parse asks about a
    few dozen of the 114k lemmas and decoding them all would double the start-up time."""
    with gzip.open(_NOUN_TABLE, "rt", encoding="utf-8") as fh:
        return dict(line.rstrip("\n").split("\t", 1) for line in fh)


@lru_cache(maxsize=16384)
def noun_senses(lemma: str) -> tuple[NounSense, ...]:
    """WordNet's first senses of a noun lemma ("oak tree", "dog"), most frequent first."""
    # (WordNet writes some names with their hyphen only: "t-shirt", "go-kart", "yo-yo")
    senses = _noun_table().get(lemma.replace("-", " ")) or _noun_table().get(lemma)
    if senses is None and lemma.endswith("s") and " " not in lemma and noun_lemma(lemma) != lemma:
        # a plural-only name WordNet files under its singular ("overalls", "tweezers")
        senses = _noun_table().get(noun_lemma(lemma))
    if senses is None and " " in lemma and lemma.isascii():
        # a compound WordNet lists in the plural only ("french fries", "hash browns")
        senses = _noun_table().get(_compound_plural(lemma.replace("-", " ")))
    if senses is None and lemma.replace("-", " ").count(" ") == 1 and lemma.isascii():
        senses = _spaced_closed_compound(lemma.replace("-", " "))
    if senses is None and lemma.count(" ") == 1:
        return _worn_on_body_part(*lemma.split(" "))
    if senses is None:
        return _closed_compound_senses(lemma)
    return tuple(_decode_sense(code) for code in senses.lstrip("?").split(","))


def _worn_on_body_part(part: str, doer: str) -> tuple[NounSense, ...]:
    """"ear defender", "knee protector", "shin defender": after a body part's noun, a noun that
    is only the doer of a verb (one who defends, protects) names what is worn there to do it,
    a garment, where WordNet has no such compound of its own ("a ball boy" is none: "ball" is
    no body part; "hand warmer" is already a made thing by "warmer")."""
    if not part.isalpha() or not doer.endswith(("er", "or")):
        return ()
    part_senses, senses = noun_senses(part), noun_senses(doer)
    if (not part_senses or part_senses[0].lexfile != BODY or not senses or senses[0].lexfile != PERSON
            or any(s.lexfile == ARTIFACT for s in senses)
            or not any(stem in _verb_table() for stem in (doer[:-2], doer[:-1]))):
        return ()
    return (NounSense(ARTIFACT, "c", None, frozenset(), frozenset(), None),)


def _spaced_closed_compound(compound: str) -> str | None:
    """The stored senses of a compound WordNet writes closed, written as two words ("barber
    shop" -> "barbershop", "rain coat" -> "raincoat"), where both words are nouns of their own."""
    first, second = compound.split(" ")
    if (len(first) < _MIN_COMPOUND_PART or len(second) < _MIN_COMPOUND_PART or not has_noun_entry(first)
            or is_participle_or_finite(second)):
        return None  # ("the sun sets" is no sunset)
    closed = _noun_table().get(first + second)
    # (only a thing's name: "back seat" is not "backseat", first an inferior position)
    if closed is None or _decode_sense(closed.lstrip("?").split(",")[0]).lexfile not in _THING_FILES:
        return None
    return closed


_MIN_COMPOUND_PART = 3


def _closed_compound_senses(word: str) -> tuple[NounSense, ...]:
    """The senses of a closed compound WordNet 3.0 lacks ("nightstand", "dishrack", "toybox",
    and their plurals): those of its last noun, where the word splits into two nouns WordNet
    knows and the last one is first a made thing or a food (what a compound of two nouns names).
    Where the last noun is first an animal or an abstraction ("moonwalk"), or a person other than
    a verb's doer, the word stays unknown: such a split is as likely a name or a coinage as a
    compound."""
    if not word.isascii() or not word.isalpha() or not word.islower() or parts_of_speech(word):
        return ()
    for form in (word, word[:-1]) if word.endswith("s") else (word,):
        for cut in range(_MIN_COMPOUND_PART, len(form) - _MIN_COMPOUND_PART + 1):
            first, last = form[:cut], form[cut:]
            senses = _noun_table().get(last)
            if senses is None or not has_noun_entry(first) or is_name(first):
                continue
            decoded = tuple(_decode_sense(code) for code in senses.lstrip("?").split(","))
            if decoded[0].lexfile in (ARTIFACT, FOOD) and "i" not in decoded[0].flags or _agent_of(last, decoded):
                return decoded
    return ()


def _agent_of(last: str, senses: tuple[NounSense, ...]) -> bool:
    """A person named as the doer of a verb ("keeper", "walker", "goer"): after a noun it makes
    one who does that to or at the thing ("zookeeper", "dogwalker", "beachgoer"), as WordNet's
    own "shopkeeper" and "beekeeper" do; a bare person noun ("man", "smith") could be a surname."""
    if senses[0].lexfile != PERSON or "i" in senses[0].flags or not last.endswith("er") or len(last) < 5:
        return False
    return any(stem in _verb_table() for stem in (last[:-2], last[:-1]))


def _compound_plural(compound: str) -> str:
    head = compound.rsplit(" ", 1)[-1]
    if head.endswith(("s", "x", "z", "ch", "sh")):
        return compound + "es"
    if head.endswith("y") and len(head) > 1 and head[-2] not in "aeiou":
        return compound[:-1] + "ies"
    return compound + "s"


def has_noun_entry(lemma: str) -> bool:
    """Whether WordNet lists the lemma as a noun (a plain look-up, no decoding)."""
    return lemma.replace("-", " ") in _noun_table()


def senses_ordered(lemma: str) -> bool:
    """Whether WordNet orders the lemma's senses by attested frequency (else the first sense
    is not the most likely one: "hanger" lists the person first)."""
    return not _noun_table().get(lemma.replace("-", " "), "").startswith("?")


def _decode_sense(code: str) -> NounSense:
    """"06p<1a.2b>3c=person^pig": lexicographer file, flags, part of, is a, GenEval class, young of."""
    code, _, young_of = code.partition("^")
    body, _, cls = code.partition("=")
    body, _, wholes = body.partition(">")
    body, _, part_of = body.partition("<")
    if body[:2] == "18" and not cls and not wholes and "i" not in body[2:]:
        # a person WordNet files under "operator", a causal agent, not under "person" ("driver",
        # "trucker", "chauffeur", "telephonist"); imaginary beings keep their is-a ("elf", "alien")
        cls = "person"
    return NounSense(int(body[:2]), body[2:], cls or None, frozenset(part_of.split(".")) if part_of else frozenset(),
                     frozenset(wholes.split(".")) if wholes else frozenset(), young_of or None)


@lru_cache(maxsize=8192)
def noun_kind(lemma: str) -> NounKind:
    senses = noun_senses(lemma)
    if not senses:
        return NounKind.UNKNOWN
    first = senses[0]
    if "u" in first.flags:
        return NounKind.UNIT
    if "l" in first.flags and not _made_sense_unordered(lemma, senses):
        return NounKind.PLACE
    if first.is_thing or "l" in first.flags:  # (the place listed first only for want of an order)
        return NounKind.THING
    if _drawn_sense_unordered(lemma, senses):
        return NounKind.THING
    if any(s.is_thing for s in senses[1:WEAK_SENSES]):
        return NounKind.WEAK
    return NounKind.ABSTRACT


def _drawn_sense_unordered(lemma: str, senses: tuple[NounSense, ...]) -> bool:
    """Where WordNet attests no order of senses, a first sense that is an emblem, a quantity or
    a quality is no likelier than a made thing, a food, an animal or a plant among the next ones
    ("donkey": the party's emblem, then the animal; "keg": a measure, then the barrel). Not a
    word that is also an adjective or a verb ("low", "keep"), nor one whose ending makes it an
    abstraction ("elongation", "rarity"), nor by a proper name's sense."""
    if senses_ordered(lemma) or not parts_of_speech(lemma) <= {"NOUN"} or lemma.endswith(_ABSTRACT_ENDINGS):
        return False
    return any(s.lexfile in _DRAWN_FILES and "i" not in s.flags for s in senses[1:WEAK_SENSES])


# (closed classes: English's suffixes that make a noun of a state, an act or a quality)
_ABSTRACT_ENDINGS = ("tion", "sion", "ment", "ity", "ness", "ance", "ence", "ism", "osis", "age", "ure")
_DRAWN_FILES = frozenset({ANIMAL, ARTIFACT, FOOD, PLANT})


def _made_sense_unordered(lemma: str, senses: tuple[NounSense, ...]) -> bool:
    """Whether WordNet lists a place first only for want of frequency data, with a seat, a holder
    or something worn among the next senses ("hammock": a hill, then the hanging bed): where no
    order is attested the first sense is no likelier, and the made thing is what a picture draws."""
    # (only a made thing one sits in, wears or fills: a "harbour" or a "plaza" stays a place)
    return not senses_ordered(lemma) and any(s.lexfile == ARTIFACT and "l" not in s.flags and set(s.flags) & set("skc")
                                             for s in senses[1:WEAK_SENSES])


# A noun is a thing "in a later sense" (WEAK) when one of its first four senses is; rarer ones
# (a "case" is a container in its fifth, "wind" an instrument in its sixth) only count where
# a relation places something by the noun (`has_thing_sense`).
WEAK_SENSES = 4


def has_thing_sense(lemma: str) -> bool:
    """Whether some sense of the noun can be drawn: a thing's, or a communication's, since a
    sign, an emblem, an award or a document that something is placed by is the made object
    ("next to a red buoy", "rings on an open bible", "beside a bronze medal")."""
    return any(s.is_thing or s.lexfile in (COMMUNICATION, POSSESSION) for s in noun_senses(lemma))


def has_flag(lemma: str, flag: str, *, senses: int = 2) -> bool:
    """Whether one of the lemma's first `senses` senses carries `flag`."""
    return any(flag in s.flags for s in noun_senses(lemma)[:senses])


def is_part(lemma: str) -> bool:
    """A part or feature of something else: handle, leg, nose, wheel, petal, fur."""
    return has_flag(lemma, "p")


def geneval_class(lemma: str) -> str | None:
    """The GenEval class a noun names by its first sense ("fisherman" -> person, "terrier" ->
    dog), or by its second when the first is the food made of it ("duckling" -> bird)."""
    # a proper name's sense says nothing about the common noun: "fry" (Roger Fry), "bacon"
    # (Francis Bacon) are foods, not people
    senses = tuple(s for s in noun_senses(lemma) if "i" not in s.flags)
    if not senses:
        return None
    if agent_noun_is_person(lemma):
        return "person"  # ("climber", "founder": see agent_nouns)
    if senses[0].geneval_class is None and senses[0].lexfile == FOOD and len(senses) > 1 \
            and senses[1].lexfile == ANIMAL:
        return senses[1].geneval_class
    # a word whose next sense is a made holder is left as it is: a "pitcher" may be a jug, a
    # "stroller" a pram; so is one whose senses come in no attested order and include another
    # drawable thing ("hanger")
    if len(senses) > 1 and (senses[1].lexfile == ARTIFACT and "k" in senses[1].flags
                            or senses[0].geneval_class == "person" and senses[1].lexfile == ANIMAL):
        return None  # (a "whale" is first, in WordNet, a very large person)
    if not senses_ordered(lemma) and any(s.is_thing and s.geneval_class != senses[0].geneval_class
                                         for s in senses[1:]):
        return None
    return senses[0].geneval_class


def plural_by_nature(lemma: str) -> bool:
    """A made thing whose name is plural by nature ("goggles", "tongs", "jeans")."""
    return _plural_by_nature(lemma)


def _plural_by_nature(lemma: str) -> bool:
    sense = next((s for s in noun_senses(lemma) if s.is_thing), None)
    return sense is not None and "2" in sense.flags


def is_pair_noun(word: str, *, after_pair_of: bool = False) -> bool:
    """A plural form that names one made thing ("tweezers", "jeans", "trousers", "pliers"):
    WordNet gives the thing only plural names, or a "pair of" one. After "a pair of", a plural
    WordNet lists with such a sense of its own counts too ("glasses", "shorts")."""
    if not word.endswith("s"):
        return False
    lemma = noun_lemma(word)
    if _plural_by_nature(word[:-1]) or _plural_by_nature(lemma) and lemma != word[:-1]:
        return True
    # (bare, only where no singular is a WordNet noun, or the singular is only a guess because
    # lemminflect does not know the form: "sunglasses", "earmuffs"; not "shorts" the short)
    return _plural_by_nature(word) and (after_pair_of or lemma == word or not has_noun_entry(lemma)
                                        or not parts_of_speech(word))


def young_of(lemma: str) -> str | None:
    """The kind of animal a noun names the young of, by its first sense ("piglet" -> "pig",
    "eaglet" -> "eagle", "cygnet" -> "swan"); None for a person first ("kid"), a colour first
    ("fawn"), or the young of several kinds ("cub", "calf": `is_young_of_several`)."""
    senses = noun_senses(lemma)
    if not senses or senses[0].lexfile != ANIMAL or not senses_ordered(lemma):
        return None
    return senses[0].young_of


def is_young_of_several(lemma: str) -> bool:
    """The young of several kinds of animal ("calf", "cub", "pup"): which kind, the context says."""
    return any("y" in s.flags for s in noun_senses(lemma))


def is_people_group(lemma: str) -> bool:
    """A group of people, named alone: WordNet's first sense is a social group, and so is its
    second or none of its senses is a thing ("family", "crew", "couple", "band", "crowd"; not
    "herd" or "pair", nor "branch", "church" or "court", which are also things)."""
    senses = noun_senses(lemma)
    if not senses or "h" not in senses[0].flags or not senses_ordered(lemma):
        return False  # (only where WordNet's order is attested: "obi" is first a people, then a sash)
    return len(senses) > 1 and "h" in senses[1].flags or not any(s.is_thing for s in senses)


def is_mass(lemma: str) -> bool:
    """A liquid, a drink, a sauce, a powder, particles, a vapour or a meal in its first sense
    ("milk", "coffee", "steam", "dinner"): drawn in a holder, not as an object of its own."""
    senses = noun_senses(lemma)
    return bool(senses) and "m" in senses[0].flags


def is_happening(lemma: str) -> bool:
    """An act or an event in its first sense ("show", "auction", "race"; not "farm" or "breed"),
    named by a noun of its own, not a verb's -ing form ("diving", "roping" say what someone does)."""
    if lemma.endswith("ing"):
        return False
    senses = noun_senses(lemma)
    return bool(senses) and senses[0].lexfile in (ACT, EVENT)


def is_substance(lemma: str) -> bool:
    """A substance in its first sense ("rust", "sand", "mote", "soap")."""
    senses = noun_senses(lemma)
    return bool(senses) and senses[0].lexfile == SUBSTANCE


def is_large(lemma: str) -> bool:
    """Furniture, a building or structure, a vehicle, a large appliance, in its first drawable
    sense: "a lamp on the nightstand next to the bed" places the nightstand by the bed, where
    "a mug on the table next to a notebook" places the mug by the notebook."""
    sense = next((s for s in noun_senses(lemma) if s.is_thing), None)
    return sense is not None and "g" in sense.flags


def is_seat(lemma: str) -> bool:
    """Something one sits on or in, in its first drawable sense: a chair, a sofa, a bed, a swing."""
    sense = next((s for s in noun_senses(lemma) if s.is_thing), None)
    return sense is not None and "s" in sense.flags


def is_living_or_food(lemma: str) -> bool:
    """A person, an animal, a plant or a food in its first drawable sense."""
    sense = next((s for s in noun_senses(lemma) if s.is_thing or s.geneval_class == "person"), None)
    return sense is not None and (sense.lexfile in (PERSON, ANIMAL, PLANT, FOOD) or sense.geneval_class is not None)


def is_building(lemma: str) -> bool:
    """A building in its first sense ("café", "shop", "garage"; not "kitchen", "wall" or "street")."""
    senses = noun_senses(lemma)
    return bool(senses) and "b" in senses[0].flags and "l" not in senses[0].flags


def is_artifact(lemma: str) -> bool:
    """Made by people, in the first sense: a curtain, a wheel, an awning (not a berry, a boat's
    load of fish, a person)."""
    senses = noun_senses(lemma)
    return bool(senses) and senses[0].lexfile == ARTIFACT


def has_sense_of(lemma: str, lexfile: int) -> bool:
    """Whether any stored sense of the noun is of that kind ("blade" is fourth a made thing)."""
    return any(s.lexfile == lexfile for s in noun_senses(lemma))


def physical_in_a_sense(lemma: str) -> bool:
    """A noun that is no adjective and names, in some sense, a sheet one holds or a made thing:
    a document in its first two senses ("a note", "a ballot", "a receipt", "a scroll") or a made thing among its
    senses ("a battery", "a case", "a newspaper"). Whether it is that thing here, the context says."""
    if "ADJ" in parts_of_speech(lemma):
        return False  # ("picks out the fine wrinkles": the adjective)
    return any(s.lexfile == COMMUNICATION for s in noun_senses(lemma)[:2]) or has_sense_of(lemma, ARTIFACT)


def is_material(word: str, materials: frozenset[str] | dict = frozenset()) -> bool:
    """What a thing is made of: a listed material word ("wooden", "golden") or a noun that is
    first a substance in WordNet ("silicone", "leather", "granite")."""
    if word in materials:
        return True
    senses = noun_senses(word)
    return bool(senses) and senses[0].lexfile == SUBSTANCE


def is_worn(lemma: str, *, senses: int = 2) -> bool:
    return has_flag(lemma, "c", senses=senses)


def is_container(lemma: str, *, senses: int = 1) -> bool:
    return has_flag(lemma, "k", senses=senses)


def is_enclosure(lemma: str) -> bool:
    """A made thing WordNet files first as a place one is shut in, not part of another: a cage,
    a hutch, a corral, a cupboard, a playpen; what is named "of" it is inside it."""
    senses = noun_senses(lemma)
    return bool(senses) and senses[0].lexfile == ARTIFACT and "l" in senses[0].flags and "p" not in senses[0].flags


def is_document(lemma: str) -> bool:
    """A noun WordNet files first under communication: a bible, a ticket, a note, a certificate,
    which a picture draws as the sheet or the book things lie on ("rings on an open bible")."""
    senses = noun_senses(lemma)
    return bool(senses) and senses[0].lexfile == COMMUNICATION


def is_made_holder(lemma: str) -> bool:
    """A noun whose first made-thing sense is a container, whatever comes before it: "a crock"
    is first soot in WordNet, but the crock a ladle stands in is the jar."""
    made = next((s for s in noun_senses(lemma) if s.lexfile == ARTIFACT), None)
    return made is not None and "k" in made.flags


def is_unit(lemma: str) -> bool:
    senses = noun_senses(lemma)
    return bool(senses) and "u" in senses[0].flags


@lru_cache(maxsize=8192)
def is_name(word: str) -> bool:
    """A proper name: WordNet's first sense is an instance (a person, a place, a planet, a god:
    "hendrix", "paris", "thor") and the word is no common noun ("newton" the unit, "jersey"
    the shirt are; nor is a word the dictionary knows in another part of speech: "wheeling" (the
    city) is first the verb's -ing form, "nice" an adjective). It identifies something rather
    than naming a thing to draw."""
    senses = noun_senses(word)
    # (a food or a made thing WordNet lists next is the common noun: "burger" is first a chief
    # justice, then the sandwich)
    if any(s.lexfile in (FOOD, ARTIFACT) and "i" not in s.flags for s in senses[1:3]):
        return False
    if surname_is_agent_noun(word, senses):
        return False  # ("cooper", "skinner": the trade)
    return bool(senses) and "i" in senses[0].flags and not parts_of_speech(word) - {"PROPN"}


def is_measure_unit(lemma: str) -> bool:
    """A unit in any stored sense, or a span of time ("foot", "degree", "year"): after a number
    and before a dimension ("6 feet tall") or in a hyphenated size ("a 10-year-old")."""
    senses = noun_senses(lemma)
    return any("u" in s.flags for s in senses) or bool(senses) and senses[0].lexfile == TIME


def is_animate(lemma: str) -> bool:
    """A person or an animal in its first sense (the subject of "he", "she", "chasing")."""
    senses = noun_senses(lemma)
    return bool(senses) and (senses[0].lexfile in (PERSON, ANIMAL) or senses[0].geneval_class == "person"
                             or agent_noun_is_person(lemma))


def is_person(lemma: str) -> bool:
    senses = noun_senses(lemma)
    return bool(senses) and (senses[0].lexfile == PERSON or senses[0].geneval_class == "person"
                             or agent_noun_is_person(lemma))


# --------------------------------------------------------------------------------------------
# Parts of speech and inflection (lemminflect)
# --------------------------------------------------------------------------------------------
_ADJECTIVE_TABLE = Path(__file__).with_name("data") / "wordnet_adjectives.txt.gz"


@lru_cache(maxsize=1)
def _wordnet_adjectives() -> frozenset[str]:
    with gzip.open(_ADJECTIVE_TABLE, "rt", encoding="utf-8") as fh:
        return frozenset(line.rstrip("\n") for line in fh)


@lru_cache(maxsize=16384)
def parts_of_speech(word: str) -> frozenset[str]:
    """Universal POS tags the form can have ("NOUN", "VERB", "ADJ", "ADV", ...); empty when
    the word is not in lemminflect's dictionary. A noun lemminflect also tags as an adjective
    because it is often written before another noun ("a pilot whale", "a toy car", "a vintage
    port") is only a noun unless WordNet lists the adjective ("giant", "expert", "rustic")."""
    lemmas = lemminflect.getAllLemmas(word)
    tags = frozenset(lemmas.keys())
    if "ADJ" in tags and "NOUN" in tags and not any(a in _wordnet_adjectives() for a in lemmas["ADJ"]):
        return tags - {"ADJ"}
    return tags


def is_known_word(word: str) -> bool:
    return bool(parts_of_speech(word)) or bool(noun_senses(word))


def can_be_noun(word: str) -> bool:
    """Whether the form can be a noun at all. Unknown words (names, coinages) can."""
    pos = parts_of_speech(word)
    if not pos:
        return True
    return "NOUN" in pos or "PROPN" in pos or bool(noun_senses(noun_lemma(word)))


@lru_cache(maxsize=16384)
def noun_lemma(word: str) -> str:
    lemmas = lemminflect.getAllLemmas(word, upos="NOUN").get("NOUN")
    if lemmas and (has_noun_entry(lemmas[0]) or not word.endswith("s")):
        return lemmas[0]
    if word.endswith("s"):
        # lemminflect lacks some plurals ("pans") and keeps some plural-only words whole
        # ("tweezers", which WordNet files as "tweezer"): its rules, then the plain -s, give
        # the singular, kept when WordNet knows it as a noun
        guess = lemminflect.getLemma(word, upos="NOUN", lemmatize_oov=True)
        for candidate in (guess[0] if guess else word, word[:-1]):
            if candidate != word and has_noun_entry(candidate):
                return candidate
    return lemmas[0] if lemmas else word


@lru_cache(maxsize=16384)
def verb_lemma(word: str) -> str | None:
    """The verb a form belongs to ("rides", "rode", "riding" -> "ride"); None when it is not a
    verb form."""
    lemmas = lemminflect.getAllLemmas(word, upos="VERB").get("VERB")
    if lemmas:
        return lemmas[0]
    return _unlisted_ing_form(word)


def _unlisted_ing_form(word: str) -> str | None:
    """The verb of an -ing form lemminflect does not list, where its stem is a WordNet noun or
    verb: "pipetting" -> "pipet", "kayaking" -> "kayak" (a tool or a craft used as a verb), and of
    an -ed form whose stem is a WordNet verb ("ringed" -> "ring": "a pond ringed by pines").
    Names ("Beijing", "Mohammed") and coinages have no such stem."""
    ing = word.endswith("ing")
    if not (ing or word.endswith("ed")) or len(word) < 6 or not word.isalpha() or parts_of_speech(word) \
            or has_noun_entry(word):
        return None
    cut = word[:-3] if ing else word[:-2]
    rules = (cut, cut + "e", cut[:-1] if len(cut) > 2 and cut[-1] == cut[-2] else "")
    for stem in dict.fromkeys((*lemminflect.getAllLemmasOOV(word, upos="VERB").get("VERB", ()), *rules)):
        if stem and stem != word and (ing and has_noun_entry(stem) or stem in _verb_table()):
            return stem
    return None


def is_participle_or_finite(word: str) -> bool:
    """An inflected verb form (-ing, -ed, -s, or an irregular past) rather than a base form."""
    lemma = verb_lemma(word)
    return lemma is not None and word != lemma


@lru_cache(maxsize=8192)
def is_finite_form(word: str, *, plural_subject: bool) -> bool:
    """Whether `word` is a finite form of a verb that agrees with a subject of that number: "ladles",
    "faces", "rode" after one thing; "stir", "line", "rode" after several."""
    lemma = verb_lemma(word)
    if lemma is None:
        return False
    if word in lemminflect.getInflection(lemma, tag="VBD"):
        # a past form that is also the participle reads as one after a noun: "a garment tied
        # with an obi", "a car parked by the curb"
        return word not in lemminflect.getInflection(lemma, tag="VBN")
    if plural_subject:
        return word == lemma
    return word in lemminflect.getInflection(lemma, tag="VBZ")


def plural_is_itself(word: str) -> bool:
    """Whether lemminflect's plural of the noun is the word itself ("clothes", "jeans", "deer"),
    as it is not for a singular that happens to end in -s ("thermos" -> "thermoses")."""
    return word in lemminflect.getInflection(word, tag="NNS")


@lru_cache(maxsize=8192)
def is_past_participle(word: str) -> bool:
    """"known", "built", "made", "covered" (not "pancakes", a plural that is also a verb's -s)."""
    lemma = verb_lemma(word)
    return lemma is not None and lemma != word and word in lemminflect.getInflection(lemma, tag="VBN")


@lru_cache(maxsize=4096)
def is_participle_form_of_base(word: str) -> bool:
    """A verb whose past participle is spelt like its base: "cut", "split", "set", "spread"."""
    return verb_lemma(word) == word and word in lemminflect.getInflection(word, tag="VBN")


def verb_forms(*lemmas: str) -> list[str]:
    """Every inflected form of the verbs, base form included ("hang", "hangs", "hung", "hanging")."""
    forms: dict[str, None] = {}
    for lemma in lemmas:
        forms[lemma] = None
        for inflections in lemminflect.getAllInflections(lemma, upos="VERB").values():
            forms.update(dict.fromkeys(inflections))
    return list(forms)


def participle_forms(*lemmas: str) -> list[str]:
    """The past and -ing forms of the verbs ("stuck", "sticking"), without the base and -s forms,
    which are often nouns too ("a stick", "sticks")."""
    forms: dict[str, None] = {}
    for lemma in lemmas:
        for tag in ("VBD", "VBN", "VBG"):
            forms.update(dict.fromkeys(lemminflect.getInflection(lemma, tag=tag)))
    return list(forms)


@lru_cache(maxsize=4096)
def present_participle(lemma: str) -> str:
    forms = lemminflect.getInflection(lemma, tag="VBG")
    return forms[0] if forms else lemma + "ing"


@lru_cache(maxsize=4096)
def is_superlative(word: str) -> bool:
    """"largest", "best", "most": a superlative, which ranks a thing within some domain."""
    if word in ("most", "least"):
        return True
    lemmas = lemminflect.getAllLemmas(word).get("ADJ", ())
    return any(word in lemminflect.getAllInflections(lemma, upos="ADJ").get("JJS", ()) for lemma in lemmas
               if lemma != word)


def is_adverb_only(word: str) -> bool:
    pos = parts_of_speech(word)
    return bool(pos) and pos <= {"ADV"}


def is_adjective_only(word: str) -> bool:
    pos = parts_of_speech(word)
    return bool(pos) and "NOUN" not in pos and "ADJ" in pos and not noun_senses(word)


# Which sense of a noun the words around it select (a material, a size, an owner), kept in their
# own module; re-exported here, the parser's one door to the lexicon.
# (imported last: it reads the tables above)
from stagestudio.scene.parsing.agent_nouns import agent_noun_is_person, surname_is_agent_noun  # noqa: E402
from stagestudio.scene.parsing.sense_choice import (
    can_be_made_thing,  # noqa: F401
    is_part_of,  # noqa: F401
    made_sense_by_material,  # noqa: F401
    part_sense_rank,  # noqa: F401
    picture_word_named_as_thing,  # noqa: F401
    setting_word_handled,  # noqa: F401
)
