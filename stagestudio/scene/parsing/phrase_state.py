"""A noun phrase while its words are read: what the reading rules share (phrase_reading, phrase_endings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing.items import Adjectives, Measure, NounPhrase
from stagestudio.scene.parsing.words import hyphen_colour


def names_colour(words: list[str]) -> bool:
    """The words read so far end in a colour ("deep green", "blue-gray")."""
    return bool(words) and (words[-1] in lx.COLOR_WORDS or hyphen_colour(words[-1]) is not None)


@dataclass
class OpenPhrase:
    """A noun phrase still being read: the words gathered so far and the next token to read."""

    j: int
    determiner: str = "none"
    count: int | None = None
    vague: int | None = None
    pair_of: int | None = None
    modifiers: list[str] = field(default_factory=list)
    measurements: list[str] = field(default_factory=list)
    possessive: str | None = None
    unknown_seen: bool = False
    started: bool = False  # a determiner, number or adjective opened the phrase
    singular_article: bool = False  # "a", "an", "another": no plural noun can come in the phrase
    noun_end: tuple[int, int] | None = None  # (token index, modifiers) just after the latest noun read
    noun_ends: list[tuple[int, int]] = field(default_factory=list)

    def take_noun(self, tok: str) -> None:
        """Read `tok` as a noun the phrase may end on (a later noun may still head it)."""
        self.modifiers.append(tok)
        self.unknown_seen = True
        self.j += 1
        self.noun_end = (self.j, len(self.modifiers))
        self.noun_ends.append(self.noun_end)


PhraseRead = tuple[NounPhrase | Adjectives | Measure | None, int]
# What one reading rule tells the loop: it read words and reading goes on (NEXT), the phrase
# ends before this word (STOP), the phrase is complete (a PhraseRead), or the rule does not apply (None).
NEXT, STOP = "next", "stop"
Outcome = str | PhraseRead | None
