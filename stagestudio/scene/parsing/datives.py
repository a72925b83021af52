"""Double objects: "a clerk handing a customer a bag" says what "handing a bag to a customer" says.

English puts the receiver right after the verb and the thing given after it. The relating rules
read the noun right after a verb as what it acts on, so the receiver took the action and the thing
given, named by nothing else, was lost. Before resolving, the two are put in the prepositional
order ("handing a bag to a customer"), which the rules already read: the verb acts on the thing,
a place said after it ("over the counter") is the thing's, and the receiver stays in the scene.
"""

from __future__ import annotations

from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import (
    Action,
    Item,
    NounPhrase,
    Prep,
    Rel,
    Scanned,
    span_of,
)

# object pronouns that name a receiver ("feeds her a spoonful"); "it" is a thing, not a receiver
_RECEIVER_PRONOUNS = {"him", "her", "them", "us", "me", "you"}
# possessive determiners read as a pronoun phrase before a bare noun ("throwing her dog a ball")
_POSSESSIVE_WORDS = {"her", "his", "their", "my", "our", "your"}


def _touching(first: Item, second: Item) -> bool:
    a, b = span_of(first), span_of(second)
    return a is not None and b is not None and a[1] == b[0]


def _animate(phrase: NounPhrase) -> bool:
    if phrase.pronoun is not None:
        return phrase.pronoun_word in _RECEIVER_PRONOUNS
    return phrase.head == "person" or english.is_animate(phrase.head)


def _receiver_end(items: list[Item], k: int) -> int | None:
    """Where the receiver after the verb at `k` ends (index past it), or None when the noun after
    the verb names no one ("her dog" is two phrases: the determiner, then the bare noun)."""
    first = items[k + 1] if k + 1 < len(items) else None
    if not isinstance(first, NounPhrase) or not _touching(items[k], first):
        return None
    nxt = items[k + 2] if k + 2 < len(items) else None
    if (first.pronoun is not None and first.pronoun_word in _POSSESSIVE_WORDS and isinstance(nxt, NounPhrase)
            and nxt.pronoun is None and nxt.determiner == "none" and _touching(first, nxt)):
        return k + 3 if _animate(nxt) else None
    return k + 2 if _animate(first) else None


def _given_end(items: list[Item], m: int) -> int | None:
    """Where the thing given, starting at `m`, ends with what it holds ("a bottle of wine"), or
    None when no thing given starts there: a noun phrase with its own determiner or number that
    names no one (a person there starts another clause: "a man walking his dog a woman jogging")
    and some thing ("a hug", "a forkful of cake" say how, not what)."""
    given = items[m] if m < len(items) else None
    if not (isinstance(given, NounPhrase) and given.pronoun is None and given.determiner != "none"
            and _touching(items[m - 1], given) and not _animate(given)):
        return None
    end = m + 1
    measures = isinstance(items[end] if end < len(items) else None, Prep)
    # a sheet or made thing in some sense is the thing given ("passing her a receipt"); a word the
    # lexicon lacks is a thing too, unless it measures what follows ("a forkful of")
    sheet_or_made = given.kind == NounKind.ABSTRACT and english.physical_in_a_sense(given.head)
    if given.kind in (NounKind.PLACE, NounKind.UNIT) or given.kind == NounKind.ABSTRACT and not sheet_or_made or (
            not given.is_class and not sheet_or_made and not english.has_thing_sense(given.head)
            and (english.noun_senses(given.head) or measures)):
        return None
    while end + 1 < len(items) and isinstance(items[end + 1], NounPhrase) and (
            isinstance(items[end], Prep) and items[end].word == "of"
            or isinstance(items[end], Rel) and items[end].phrase.kind == "contents"):
        end += 2
    return end


def prepositional_datives(items: list[Item]) -> list[Item]:
    """The sentence's items with each double object put in the prepositional order; the same list
    when there is none."""
    out = list(items)
    k = 0
    while k < len(out):
        if isinstance(out[k], Action):
            receiver_end = _receiver_end(out, k)
            given_end = _given_end(out, receiver_end) if receiver_end is not None else None
            if receiver_end is not None and given_end is not None:
                receiver = out[k + 1:receiver_end]
                out[k + 1:given_end] = [*out[receiver_end:given_end], Prep("to"), *receiver]
                k = given_end
        k += 1
    if len(out) == len(items) and all(a is b for a, b in zip(out, items)):
        return items
    tokens = getattr(items, "tokens", None)
    return Scanned(out, list(tokens)) if tokens is not None else out
