"""What the scanner turns tokens into: noun phrases, relation phrases, breaks, prepositions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.relations import RelPhrase


@dataclass
class _ReadItem:
    """What every scanned item has: the tokens [start, end) it was read from (see `set_span`),
    for asking the dependency parse; keyword-only, and not part of what the item means."""

    span: tuple[int, int] | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass
class NounPhrase(_ReadItem):
    head: str  # canonical name
    is_class: bool
    plural: bool
    count: int | None  # explicit number, if any
    determiner: str  # "indefinite", "definite", "another", "none"
    modifiers: list[str]
    pronoun: str | None = None  # "it" / "they" / "person" (he, him, she) when the phrase is a pronoun
    vague_count: int | None = None
    # what the lexicon says the head is (class names are always things)
    kind: NounKind = NounKind.THING
    # owned through "its" / "their" / "his", "her": the kind of owner ("it", "they", "person"),
    # None when the phrase has no possessive determiner
    possessive: str | None = None
    # the head as written ("mice"), for senses decided by context
    surface: str = ""
    # sizes said inside the phrase: "a 10 foot statue"
    measurements: list[str] = field(default_factory=list)
    # a part of it that a relation named first: "over one arm of the chair" -> "one arm"
    portion: str | None = None
    # the class comes from the noun's first WordNet sense, not from its name ("a hood" is first
    # a hoodlum), so another sense may fit where the context asks for a part or something worn
    class_by_sense: bool = False
    # the pronoun as written ("her", "his", "it"), for a pronoun or a possessive determiner
    pronoun_word: str = ""
    # parts an adjective names: "a red-haired woman" -> "red hair"
    parts: list[str] = field(default_factory=list)
    # one of a group named before: "one of them", "one of the dogs", "the other" (a singular
    # subject that means the group's object)
    member: bool = False
    # a setting word a positional relation makes a bounded thing to draw ("beside a dry stone wall")
    placed_structure: bool = False


    def text(self) -> str:
        """The phrase as a short description: "four sturdy legs", "pink nose"."""
        number = str(self.count) if self.count and self.count > 1 else ""
        words = [number, *self.modifiers, self.surface or self.head]
        return " ".join(w for w in words if w)


@dataclass
class Rel(_ReadItem):
    phrase: RelPhrase


@dataclass
class Break(_ReadItem):
    """A clause break: comma, "and", "while", a relative pronoun."""

    word: str = ","


@dataclass
class Prep(_ReadItem):
    word: str
    # the word right before it, as written ("watches" in "watches from a stool"); set before relating
    after_word: str = ""


@dataclass
class Possessive(_ReadItem):
    """The "'s" after a noun phrase, or "whose": the next noun is a part of it ("the dog's
    tail", "a cat whose fur is orange")."""

    word: str = "'s"


@dataclass
class Adjectives(_ReadItem):
    """Attribute words not followed by a noun: "the cat is white", "red in colour"."""

    words: list[str]
    # from "in a bright blue hue" / "of blue colour": belongs to the object even after a preposition
    colour_phrase: bool = False


@dataclass
class Measure(_ReadItem):
    """A measurement, quantity or duration: "150 centimeters in length", "two hours". It
    describes an object; it is never a count."""

    text: str


@dataclass
class Action(_ReadItem):
    """A verb that relates its subject to the noun phrase after it: "riding", "looking at"."""

    predicate: str
    # its object is a setting word that names nothing to draw ("spraying water on a car")
    dropped_object: bool = False
    # it opens the sentence, so its agent is the main clause's subject ("Holding a cup, she ...")
    fronted: bool = False
    # an infinitive after another action's object, whose action it is ("teaching his son to ride a bike")
    infinitive: bool = False
    # a passive with its agent after "by" ("a plow guided by a farmer"): the phrase after it acts
    passive: bool = False
    # the object found to do it, once related (a verb joined to it by "and" has the same agent)
    agent: str | None = None
    # its object is "each other" / "one another": the subjects named together act on each other
    mutual: bool = False
    # the clause's own verb ("watches", "climbs"), not a participle: what comes right before it
    # in a "with"-phrase is no agent of it ("a hiker with a headlamp climbs a hill")
    finite: bool = False


Item = NounPhrase | Rel | Break | Prep | Possessive | Adjectives | Measure | Action


def set_span(item: Item, start: int, end: int) -> None:
    """Record the tokens [start, end) an item was read from, so the relating step can ask the
    dependency parse how they attach (items read from one stretch share it)."""
    item.span = (start, end)


def span_of(item: object) -> tuple[int, int] | None:
    """The tokens an item was read from; None for one made up by the reading, or for a reference
    the resolving step put in its place."""
    return getattr(item, "span", None)


class Scanned(list):
    """A sentence's items, with the tokens they were read from (for the dependency parse)."""

    def __init__(self, items: list[Item], tokens: list[str]) -> None:
        super().__init__(items)
        self.tokens = tuple(tokens)


def mark_neighbours(items: list[Item]) -> None:
    """Flag each relation phrase that starts where the noun phrase before it ends (see
    `RelPhrase.follows_noun`); give each preposition the word before it (`Prep.after_word`)."""
    tokens = getattr(items, "tokens", ())
    for item in items:
        span = span_of(item)
        if isinstance(item, Prep) and span is not None and 0 < span[0] <= len(tokens):
            item.after_word = tokens[span[0] - 1]
    for before, item in itertools.pairwise(items):
        ends, starts = span_of(before), span_of(item)
        if isinstance(item, Rel) and isinstance(before, NounPhrase) and ends and starts and ends[1] == starts[0]:
            item.phrase.follows_noun = True


# (a closed class: the ordinals a further member of a small group is counted by: "a third")
FURTHER_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
