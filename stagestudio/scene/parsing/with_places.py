"""Place phrases after a "with"-object (pass 3, after the hand rules).

The rules hang a place phrase after "X with Y" on X: a thing named after "with" is usually a
detail of X ("a dog with a blue collar on a couch": the dog is on the couch). But where the
dependency parse hangs the preposition from Y itself, or from a passive participle that
describes Y, the phrase places Y: "a houseboat with geraniums on the roof", "a falconer with a
hawk on her glove", "a piano with a rose laid across the music stand". The parse hangs a worn
thing's or a part's place on its owner ("a man with a beard on a bench"), so it tells the two
apart where position alone cannot.

Where the place is a part of X ("the roof" of the houseboat) or a thing X wears ("her glove"),
the relation is to X itself: a relation to a part is a relation to its owner.
"""

from __future__ import annotations

from stagestudio.scene.graph import is_spatial
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.arcs import SentenceArcs
from stagestudio.scene.parsing.items import Prep, Rel, span_of
from stagestudio.scene.parsing.state import Ref, State

Triple = tuple[str, str, str]


def with_object_places(arcs: SentenceArcs, made: dict[int, list[Triple]], state: State) -> None:
    """`made`: the relations the rules made for each item index of the sentence."""
    for k, item in enumerate(arcs.resolved):
        if not isinstance(item, Rel) or item.phrase.kind != "object":
            continue
        relations = made.get(k, [])
        if not relations or not all(is_spatial(p) for _, p, _ in relations):
            continue
        described = _with_object_described(arcs, k)
        if described is None:
            continue
        with_id, holder_id = described
        if english.is_part_of(state.get(with_id).word, state.get(holder_id).word, strict=True):
            continue  # "a typewriter with cream keys on a desk": its own part, so the typewriter's place
        if any(with_id in (s, o) for s, _, o in relations):
            continue  # the rules already placed it
        if not all(s == holder_id for s, _, _ in relations):
            continue  # the rules placed something else than the holder: not this reading
        place_token = _place_token(arcs, k)
        moved = [(with_id, p, holder_id if _holders_own(arcs, place_token, o, holder_id, state) else o)
                 for _, p, o in relations]
        for relation in relations:
            if relation in state.relations:
                state.relations.remove(relation)
        for s, p, o in moved:
            state.relate(s, p, o)


def _with_object_described(arcs: SentenceArcs, k: int) -> tuple[str, str] | None:
    """(the with-object, its holder) when the parse hangs the phrase at `k` from the drawn object
    named right after "with" (directly, or through a passive participle that describes it)."""
    span = span_of(arcs.resolved[k])
    if span is None:
        return None
    prep = next((t for t in range(*span) if arcs.tags[t].pos == "ADP"), None)
    if prep is None or arcs.tags[prep].dep != "prep":
        return None
    head = arcs.tags[prep].head
    if arcs.tags[head].tag == "VBN" and arcs.tags[head].dep == "acl":
        # "a rose laid across the music stand": the passive participle says where the rose is
        # (an -ing form the small parser hangs from the nearest noun, so it is not trusted)
        head = arcs.tags[head].head
    if not arcs.tags[head].is_noun:
        return None
    m = arcs.item_at.get(head)
    if m is None or m < 2 or m >= k or not isinstance(arcs.resolved[m - 1], Prep) or arcs.resolved[m - 1].word != "with":
        return None
    with_ref, holder_ref = arcs.resolved[m], arcs.resolved[m - 2]
    if not (_drawn(with_ref) and _drawn(holder_ref)):
        return None
    # "with" must describe the noun before it, not say what a verb is done with ("splits a
    # pork shoulder with a cleaver on a block": the shoulder is on the block)
    with_token = arcs.tags[head].head
    holder_token = arcs.tags[with_token].head
    if arcs.tags[with_token].text.lower() != "with" or arcs.item_at.get(holder_token) != m - 2:
        return None
    return with_ref.object_id, holder_ref.object_id  # type: ignore[union-attr,return-value]


def _drawn(ref: object) -> bool:
    return isinstance(ref, Ref) and ref.object_id is not None and ref.pronoun is None


def _place_token(arcs: SentenceArcs, k: int) -> int | None:
    """The noun the preposition of the phrase at `k` governs."""
    span = span_of(arcs.resolved[k])
    prep = next((t for t in range(*span) if arcs.tags[t].pos == "ADP"), None) if span else None
    objects = arcs.children(prep, "pobj") if prep is not None else []
    return objects[0] if objects else None


def _holders_own(arcs: SentenceArcs, place_token: int | None, place_id: str, holder_id: str, state: State) -> bool:
    """Whether the place is a part of the holder ("the roof" of a houseboat) or a thing the
    holder wears, owned by a possessive pronoun ("her glove" of a falconer)."""
    place, holder = state.get(place_id).word, state.get(holder_id).word
    if english.is_part_of(place, holder, strict=True):
        return True
    if place_token is None:
        return False
    possessed = any(arcs.tags[c].tag == "PRP$" for c in arcs.children(place_token, "poss"))
    definite = any(arcs.tags[c].text.lower() == "the" for c in arcs.children(place_token, "det"))
    # (the word as written: "glove" is drawn as a baseball glove, but worn as a glove)
    written = english.noun_lemma(arcs.tags[place_token].text.lower())
    if possessed and english.is_worn(written, senses=4) and state.get(holder_id).is_alive:
        return True
    return definite and english.is_part_of(place, holder)
