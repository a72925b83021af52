"""Relations that a bare preposition makes between the objects around it: "with" plants or food
after a container puts them in it, and someone watching "from" a seat sits on it."""

from __future__ import annotations

from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.items import Action
from stagestudio.scene.parsing.positions import clause_subject_ref, is_kept, list_after
from stagestudio.scene.parsing.state import Ref, State


def relate_grown_or_served_in(resolved: list, k: int, state: State) -> None:
    """"three clay pots with succulents", "a bowl with apples and pears": plants or food named
    with a container are in it (not "a mug with a handle", "a jar with a cat beside it")."""
    if not (0 < k < len(resolved) - 1 and is_kept(resolved[k - 1]) and is_kept(resolved[k + 1])
            and resolved[k + 1].pronoun is None):
        return
    holder = state.get(resolved[k - 1].object_id)
    if not english.is_container(holder.word):
        return
    for member in list_after(resolved, k + 1):
        senses = english.noun_senses(state.get(member).word)
        if senses and senses[0].lexfile in (english.PLANT, english.FOOD) and not state.get(member).is_alive:
            state.relate(member, "inside", holder.id)


_PERCEPTION = 39  # WordNet's verb.perception: watch, look, peer, gaze
# what one looks out of, not stands on ("watches from a window")
_OPENINGS = {"window", "doorway", "door", "porthole", "hatch", "gap", "opening", "hole", "skylight"}


def relate_seat_from(resolved: list, k: int, clause_start: int, state: State) -> None:
    """"a customer watches from a stool", "substitutes cheer from the bench": whoever watches
    from a seat sits on it, and a watcher is on whatever it watches from."""
    seat = resolved[k + 1] if k + 1 < len(resolved) else None
    if not is_kept(seat) or seat.pronoun is not None:  # type: ignore[union-attr]
        return
    # (one who watches from a thing is on it: "a cat watches from a stack of crates", "a robin
    # watches from the handle of a spade"; a verb of perception says where the watcher is)
    perceiving = _perceiving(resolved[k].after_word) or _perceives_what_is_named_before(resolved, k)
    place = state.get(seat.object_id)  # type: ignore[union-attr]
    if not (english.is_seat(place.word) or perceiving and not place.is_alive and place.word not in _OPENINGS):
        return
    someone = clause_subject_ref(resolved[:k])
    if someone is not None and state.get(someone).is_alive:
        # (one watches from inside a cage or a hutch: "a rabbit watches them from its hutch")
        predicate = "inside" if english.is_enclosure(place.word) and not english.is_seat(place.word) else "on"
        state.relate(someone, predicate, seat.object_id)  # type: ignore[union-attr]


def _perceiving(verb: str) -> bool:
    return english.verb_category(english.verb_lemma(verb) or "") == _PERCEPTION


def _perceives_what_is_named_before(resolved: list, k: int) -> bool:
    """Whether "from" follows the object of a verb of perception: "a hamster watches them from
    its cage", "a toucan watches her from a branch" (the place is still the watcher's)."""
    if k < 2 or not isinstance(resolved[k - 1], Ref):
        return False
    verb = resolved[k - 2]
    return isinstance(verb, Action) and not verb.passive and _perceiving(verb.predicate.split()[0])
