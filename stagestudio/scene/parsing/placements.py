"""Whole-prompt passes over the relations once every sentence is read: absolute placements
("on the left") paired into relations, and vague duplicates dropped."""

from __future__ import annotations

from stagestudio.scene.parsing.relations import DIRECTIONAL, MIDDLE
from stagestudio.scene.parsing.state import State


def pair_placements(state: State) -> None:
    """Turn absolute placements into relations: "a cat on the left and a dog on the right"
    -> cat left of dog (the first mentioned is the subject). Things "in the middle" stand
    between the two ends of the row they share an axis with, so each end relates to them, not
    to the other end: "a laptop on the left, a notebook in the middle, a phone on the right"."""
    order = {o.id: n for n, o in enumerate(state.objects)}
    middle = list(dict.fromkeys(oid for oid, p in state.placements if p == MIDDLE))
    middle_used = False
    for first, second in (("left of", "right of"), ("above", "below")):
        ones = [oid for oid, p in state.placements if p == first]
        others = [oid for oid, p in state.placements if p == second]
        ones = list(dict.fromkeys(o for o in ones if o not in middle))
        others = list(dict.fromkeys(o for o in others if o not in ones and o not in middle))
        if middle and not middle_used and (ones or others):
            middle_used = True  # (the row is horizontal when it has a left or right end)
            for centre in middle:
                for a in ones:
                    state.relate(a, first, centre)
                for b in others:
                    state.relate(centre, first, b)
            continue
        if ones and others:
            for a in ones:
                for b in others:
                    if order[a] <= order[b]:
                        state.relate(a, first, b)
                    else:
                        state.relate(b, second, a)
            continue
        placed = ones or others
        predicate = first if ones else second
        if len(placed) == 1 and len(state.objects) == 2:
            a = placed[0]
            b = next(o.id for o in state.objects if o.id != a)
            if not any({s, o} == {a, b} for s, _, o in state.relations):
                state.relate(a, predicate, b)


def drop_vague_duplicates(state: State) -> None:
    """"A dog next to a bear, on the bear's right": the left/right/above/below relation says
    more than next to / near, so the vaguer one goes."""
    directional = {frozenset((s, o)) for s, p, o in state.relations if p in DIRECTIONAL}
    state.relations = [
        (s, p, o) for s, p, o in state.relations
        if not (p in ("next to", "near") and frozenset((s, o)) in directional)
    ]
