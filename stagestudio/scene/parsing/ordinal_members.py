"""One more member of a group, named by an ordinal alone: "two climbers sit on the bench while a
third melts snow". Read here as a "one" phrase whose word is the ordinal; `resolve` makes it one more
of the group's kind, or one of the group where the group is that large already."""

from __future__ import annotations

from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.items import FURTHER_ORDINALS, NounPhrase


def further_member_at(tokens: list[str], i: int) -> tuple[NounPhrase, int] | None:
    """"a"/"another" and an ordinal with no noun after it, before its own verb (so not "a third
    of the cake", "a second later"): the phrase and the index after it."""
    j = i + 1
    if (tokens[i] not in ("a", "an", "another") or j + 1 >= len(tokens) or tokens[j] not in FURTHER_ORDINALS
            or not english.is_finite_form(tokens[j + 1], plural_subject=False)):
        return None
    return NounPhrase(head="", is_class=False, plural=False, count=1, determiner="indefinite",
                      modifiers=[], pronoun="one", pronoun_word=tokens[j]), j + 1
