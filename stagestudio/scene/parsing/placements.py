"""Whole-prompt passes over the relations once every sentence is read: absolute placements
("on the left") paired into relations, and vague duplicates dropped."""

from __future__ import annotations

from stagestudio.scene.parsing.relations import DIRECTIONAL
from stagestudio.scene.parsing.state import State


def pair_placements(state: State) -> None:
    """Turn absolute placements into relations: "a cat on the left and a dog on the right"
    -> cat left of dog (the first mentioned is the subject)."""
    order = {o.id: n for n, o in enumerate(state.objects)}
    for first, second in (("left of", "right of"), ("above", "below")):
        ones = [oid for oid, p in state.placements if p == first]
        others = [oid for oid, p in state.placements if p == second]
        ones = list(dict.fromkeys(ones))
        others = list(dict.fromkeys(o for o in others if o not in ones))
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
