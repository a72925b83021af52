"""Which sense of a noun its context selects: a material, a size or a device word before it
picks a made thing over a person or an animal ("a brass knocker", "a 30 cm ruler", "a Bluetooth
speaker"), an introduction picks a picture word's made thing ("a camera on a rail"), and an
owner picks the sense in which a word is its part ("the head" of a bird, "the rim" of a cup).

Split from `english` (which re-exports every name here) to keep one idea per file: `english`
reads the lexicon, this module chooses among what it read."""

from __future__ import annotations

from functools import lru_cache

from stagestudio.scene.parsing.english import (
    ANIMAL,
    ARTIFACT,
    BODY,
    COMMUNICATION,
    FOOD,
    OBJECT,
    PERSON,
    PLANT,
    SUBSTANCE,
    TIME,
    has_sense_of,
    is_material,
    is_name,
    noun_lemma,
    noun_senses,
    parts_of_speech,
    verb_category,
    verb_lemma,
)


def picture_word_named_as_thing(lemma: str, determiner: str, count: int | None, after_objects: bool) -> bool:
    """"a camera on a rail", "a poster ... hangs on the wall", "lifting a frame out of a hive": a
    word that may name the picture itself (camera, frame, poster, canvas) is a made thing where
    WordNet makes it one first (an artifact, or a document or sign) and the prompt introduces it
    ("a", a number) after something else is drawn; opening a prompt ("a poster of a cat") or
    definite ("facing the camera") it is the picture."""
    senses = noun_senses(lemma)
    if not after_objects or not senses or senses[0].lexfile not in (ARTIFACT, COMMUNICATION):
        return False
    return determiner == "indefinite" or count is not None


@lru_cache(maxsize=4)
def _made_kinds(*kinds: str) -> frozenset[str]:
    """The ids WordNet's made-thing senses of these kinds are (what a sense's `wholes` hold)."""
    return frozenset().union(*(s.wholes for k in kinds for s in noun_senses(k) if s.lexfile == ARTIFACT))


# verb.communication ("facing the camera", "filming the street") and verb.perception
# ("looking at the frame"): the picture or the place itself is meant
_SCENE_VERB_CATEGORIES = frozenset({32, 39})


def setting_word_handled(lemma: str, verb: str, determiner: str, count: int | None, modifiers: list[str]) -> bool:
    """"the keeper polishes the great glass lens", "holding up a frame", "oiling a squeaky
    rail": a word that may name the picture or the place (lens, frame, rail) is a made thing
    when an action handles it, WordNet's first sense is a made thing that is no place, and the
    phrase introduces or describes it (an article "a", a number, an adjective): "sweeping the
    floor", "facing the camera" stay the setting."""
    senses = noun_senses(lemma)
    if not senses or senses[0].lexfile != ARTIFACT or "l" in senses[0].flags:
        return False
    # (a way one travels, "crossing a busy street", or a building's part, "sweeping a dusty
    # floor", is the place however it is described)
    if senses[0].wholes & _made_kinds("way") or senses[0].part_of & _made_kinds("building", "room"):
        return False
    lemma_of_verb = verb_lemma(verb.split()[0]) if verb else None
    if lemma_of_verb is None or verb_category(lemma_of_verb) in _SCENE_VERB_CATEGORIES:
        return False
    return determiner == "indefinite" or count is not None or any(
        "ADJ" in parts_of_speech(m) or is_material(m) for m in modifiers)


def made_sense_by_material(lemma: str, modifiers: list[str], materials: frozenset[str] | dict,
                           measurements: list[str] = ()) -> bool:  # type: ignore[assignment]
    """A material before the noun selects its made thing's sense over a first one that is a
    person or an animal ("a bamboo organizer", "a brass knocker", "a wooden horse" stays a
    horse: WordNet's "horse" has no made sense), and so does a size in a unit of length, weight
    or volume ("a 30 cm ruler", "a 2 m speaker"; "a 5-year-old" is an age, "a 6-foot man" has no
    made sense)."""
    senses = noun_senses(lemma)
    if not senses or senses[0].lexfile not in (PERSON, ANIMAL) or not has_sense_of(lemma, ARTIFACT):
        return False
    return (any(is_material(w, materials) for w in modifiers) or _made_by_device_word(lemma, modifiers)
            or senses[0].lexfile == PERSON and _made_by_small_thing_word(lemma, modifiers)
            or any(_physical_size(m) for m in measurements))


def _physical_size(measurement: str) -> bool:
    """"30 cm", "1.5 m tall", "2 liters": a number and a unit that is no span of time."""
    words = measurement.split()
    if len(words) < 2 or not any(ch.isdigit() for ch in words[0]):
        return False
    senses = noun_senses(noun_lemma(words[1]))
    return bool(senses) and senses[0].lexfile != TIME and any("u" in s.flags for s in senses[:2]) \
        or words[1] in ("cm", "mm", "m", "km", "kg", "g", "ml", "l", "in", "ft", "oz", "lb", "lbs")


def _made_by_device_word(lemma: str, modifiers: list[str]) -> bool:
    """"a Bluetooth speaker", "a laptop speaker": right before a noun that is first a person and
    next a made thing, a made thing's noun or a word WordNet lacks (a brand, a technology) picks the
    made thing, unless WordNet names the pair itself ("a bus driver" is a person)."""
    if not modifiers or len(senses := noun_senses(lemma)) < 2 or senses[1].lexfile != ARTIFACT:
        return False
    before = modifiers[-1]
    if not before.isalpha() or noun_senses(f"{before} {lemma}") or is_name(before):
        return False
    before_senses = noun_senses(before)
    return (before_senses[0].lexfile == ARTIFACT) if before_senses else not parts_of_speech(before)


PHENOMENON = 19  # WordNet's noun.phenomenon ("fume", "spark")
# What a small thing's noun is first, when it names what a made thing guards, covers or holds:
# a made thing, a substance, a food, a plant, a body part, a natural object or phenomenon ("fume")
_SMALL_THING_FILES = frozenset({ARTIFACT, SUBSTANCE, FOOD, PLANT, BODY, OBJECT, PHENOMENON})
# a made sense further down than this is a rare reading ("driver" as a golf club, "pilot" a light)
_MADE_SENSE_RANK = 4


def _made_by_small_thing_word(lemma: str, modifiers: list[str]) -> bool:
    """"blade guards", "a skate guard", "a fume hood", "a flower garland": right before a noun
    that is first a person but has a made thing among its first senses, a noun that is first a
    small thing (no building, vehicle, furniture or place: "a train driver", "a museum guard",
    "a dock welder" stay people) names what the made thing is for; unless WordNet names the
    pair itself ("security guard")."""
    senses = noun_senses(lemma)
    # (a small made thing: "a tennis coach" is no carriage)
    if not any(s.lexfile == ARTIFACT and "g" not in s.flags for s in senses[:_MADE_SENSE_RANK]) or not modifiers:
        return False
    before = modifiers[-1]
    if not before.isalpha() or is_name(before) or noun_senses(f"{before} {lemma}"):
        return False
    pos = parts_of_speech(before)
    first = next(iter(noun_senses(noun_lemma(before))), None)
    # (a building, a vehicle, a place or a facility is where a person works: "a museum guard")
    return ("NOUN" in pos and "ADJ" not in pos and first is not None and first.lexfile in _SMALL_THING_FILES
            and not set(first.flags) & set("gblmi") and not first.wholes & _made_kinds("facility"))


def can_be_made_thing(lemma: str) -> bool:
    """Whether a material word before the noun makes it a made thing: it has a made thing's
    sense, or a communication's ("a wooden post", "a stone cabin", "a bronze medal", "a metal sign")."""
    return any(s.lexfile in (ARTIFACT, COMMUNICATION) for s in noun_senses(lemma))


# Which kinds of part an owner of a kind has: a body part for a person or an animal, a made
# part for a made thing, a plant part for a plant or a fruit ("a vase with dried flowers" names
# flowers, not a flower-part of the vase; "a unicorn with a gold horn" names the animal's horn).
_PART_KINDS = {PERSON: {BODY, ANIMAL}, ANIMAL: {BODY, ANIMAL}, ARTIFACT: {ARTIFACT, OBJECT}, PLANT: {PLANT, BODY},
               FOOD: {FOOD, PLANT, BODY}}


def part_sense_rank(part: str, owner: str, *, strict: bool = False) -> tuple[int, int] | None:
    """How common the sense is in which `part` is a part of `owner` (0: its first sense), and
    then 0 where WordNet says so itself (1 where only the kinds fit); None when it is none:
    "head" is first a body part (of a bird), only later the top of something (a branch)."""
    owner_senses = noun_senses(owner)
    owner_sense = next((s for s in owner_senses if s.is_thing or s.geneval_class == "person"), None)
    if owner_sense is None:
        return None
    kinds = _PART_KINDS.get(PERSON if owner_sense.geneval_class == "person" else owner_sense.lexfile, set())
    for rank, sense in enumerate(noun_senses(part)):
        if sense.part_of & owner_sense.wholes:
            return rank, 0
        if "p" in sense.flags and sense.lexfile in kinds and not strict:
            return rank, 1
    return None


def is_part_of(part: str, owner: str, *, strict: bool = False) -> bool:
    """Whether `part` can be a part of `owner`: WordNet says so ("headlight" of a truck, "seat"
    of a bench, "leg" of a chair), or, where WordNet records no whole for the part's sense, the
    part is of the owner's kind ("tail" of a dog, "rim" of a cup, "horn" of a unicorn).
    `strict`: a part WordNet places on other wholes is not this owner's ("the door" after
    boots is a door). An owner the lexicon does not know takes any part in the first two senses."""
    # the owner's kind is its first drawable sense ("cup" is first a measure, then a vessel;
    # "person" is one of WordNet's top concepts)
    owner_senses = noun_senses(owner)
    owner_sense = next((s for s in owner_senses if s.is_thing or s.geneval_class == "person"), None)
    senses = noun_senses(part)
    if owner_sense is None:
        return any("p" in s.flags for s in senses[:2])
    if any(s.part_of & owner_sense.wholes for s in senses):
        return True
    kinds = _PART_KINDS.get(PERSON if owner_sense.geneval_class == "person" else owner_sense.lexfile, set())
    return any("p" in s.flags and s.lexfile in kinds and not (strict and s.part_of) for s in senses)
