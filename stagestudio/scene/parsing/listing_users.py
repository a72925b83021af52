"""Whom a listed product is for: "Stethoscope for paramedics", "Planetarium star projector for
kids", "Heated pet bed for cats and small dogs". A listing says whom the product suits; it shows
the product, not them (as "a kids' bunk bed" shows no kids). Where a verb acts or a relation
places something ("a chef plating a steak for a customer", "a dog bowl for the puppy next to
the door"), the sentence is no bare listing and is read as before."""

from __future__ import annotations

from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.items import Action, Break, Item, NounPhrase, Prep, Rel
from stagestudio.scene.parsing.state import Ref, State

_USER_JOINS = frozenset({"and", "or", "&"})


def _someone(np_: NounPhrase) -> bool:
    return np_.pronoun is None and np_.possessive is None and (
        np_.head == "person" or english.is_animate(np_.head))


def _after_for(items: list[Item], k: int) -> bool:
    """Whether the phrase at `k` follows "for", or joins ("and", "or") a someone that does."""
    prev = items[k - 1] if k > 0 else None
    if isinstance(prev, Prep):
        return prev.word == "for"
    if isinstance(prev, Break) and prev.word in _USER_JOINS and k >= 2:
        before = items[k - 2]
        return isinstance(before, NounPhrase) and _someone(before) and _after_for(items, k - 2)
    return False


def for_whom_listed(np_: NounPhrase, items: list[Item], k: int, resolved: list, state: State) -> bool:
    """Whether the noun phrase at `k` names whom a listed made product is for: someone after
    "for", in a sentence whose first object is a made thing, where nothing acts or is placed
    before, and who does not act or is not placed themselves."""
    if not (_someone(np_) and _after_for(items, k)):
        return False
    nxt = items[k + 1] if k + 1 < len(items) else None
    if any(isinstance(item, (Action, Rel)) for item in items[:k]) or isinstance(nxt, (Action, Rel)):
        return False  # (someone acting or placed is there: "for a customer waiting at the bar")
    kept = [r.object_id for r in resolved if isinstance(r, Ref) and r.object_id is not None]
    if not kept:
        return False
    product = state.get(kept[0])
    # (the compound as written where WordNet has it: a "birthday cake" is food)
    written = product.surface if english.noun_senses(product.surface) else product.word
    return _made_product(written)


def _made_product(word: str) -> bool:
    """A made thing first, or in a later sense where the first is no food or plant ("scale" is
    first a magnitude; "a birthday cake for a little girl" is a cake, and the girl may be there)."""
    senses = english.noun_senses(word)
    return bool(senses) and (senses[0].lexfile == english.ARTIFACT or english.has_sense_of(word, english.ARTIFACT)
                             and senses[0].lexfile not in (english.FOOD, english.PLANT, english.PERSON,
                                                           english.ANIMAL))
