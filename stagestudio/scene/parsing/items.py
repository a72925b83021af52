"""What the scanner turns tokens into: noun phrases, relation phrases, breaks, prepositions."""

from __future__ import annotations

from dataclasses import dataclass

from stagestudio.scene.parsing.relations import RelPhrase


@dataclass
class NounPhrase:
    head: str  # canonical name
    is_class: bool
    plural: bool
    count: int | None  # explicit number, if any
    determiner: str  # "indefinite", "definite", "another", "none"
    modifiers: list[str]
    pronoun: str | None = None  # "it" / "they" when the phrase is a pronoun
    vague_count: int | None = None


@dataclass
class Rel:
    phrase: RelPhrase


@dataclass
class Break:
    """A clause break: comma, "and", "while", a relative pronoun."""

    word: str = ","


@dataclass
class Prep:
    word: str


@dataclass
class Possessive:
    """The "'s" after a noun phrase, or "whose": the next noun is a part of it ("the dog's
    tail", "a cat whose fur is orange")."""

    word: str = "'s"


@dataclass
class Adjectives:
    """Attribute words not followed by a noun: "the cat is white", "red in colour"."""

    words: list[str]
    # from "in a bright blue hue" / "of blue colour": belongs to the object even after a preposition
    colour_phrase: bool = False


Item = NounPhrase | Rel | Break | Prep | Possessive | Adjectives
