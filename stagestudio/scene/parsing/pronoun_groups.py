"""What "them" or "their" stands for once a pronoun has an antecedent: that object, each of the
things named together with it, a pair placed side by side, or the two people just named."""

from __future__ import annotations

from stagestudio.scene.parsing.state import Ref, State


def meant_by(pronoun: str | None, object_id: str | None, state: State, *, exclude: set[str],
             before: list | None = None) -> list[str | None]:
    """What a pronoun resolved to `object_id` stands for: that object, or, for "them"/"their"
    pointing at a single thing named together with others ("a cup and a saucer"), each of them;
    or, where a living thing was named alone, each single living thing it was placed beside ("a
    mare lies beside a foal. A farmhand kneels next to them": the two are a pair; a canoe beside a
    dock is no pair "them" means)."""
    if pronoun == "they" and object_id is not None and _stale_for_them(object_id, state):
        pair = _recent_pair(state, exclude, before or [])
        if pair:
            # "A coach adjusts the elbow of an archer. To their left, a quiver": the two just
            # named, where no group was named lately
            return pair
    if pronoun == "they" and object_id is not None and state.get(object_id).count == 1:
        group = state.group_of(object_id)
        if len(group) == 1 and state.get(object_id).is_alive:
            group = (object_id, *(other for s_, p, o in state.relations if p in _PAIRING and object_id in (s_, o)
                                  for other in (s_, o) if other != object_id and state.get(other).count == 1
                                  and state.get(other).is_alive))
        return [o for o in dict.fromkeys(group) if o not in exclude]
    return [object_id]


def _stale_for_them(object_id: str, state: State) -> bool:
    """Whether "them" resolved to `object_id` only for want of better: one thing named alone, or
    a group last named before the previous sentence."""
    obj = state.get(object_id)
    if obj.count == 1:
        return len(state.group_of(object_id)) == 1
    return object_id not in state.recent()


def _recent_pair(state: State, exclude: set[str], before: list) -> list[str]:
    """The two single people mentioned in the sentence before and this one up to the pronoun
    (the items `before` it), when there are exactly two and no group is mentioned there ("them"
    means a group first)."""
    earlier = state.mentions[state.sentence_starts[-2]:state.sentence_start] if len(state.sentence_starts) > 1 else []
    named = [r.object_id for r in before if isinstance(r, Ref) and r.object_id is not None]
    recent = [state.get(i) for i in dict.fromkeys([*earlier, *named]) if i not in exclude]
    if any(o.count > 1 for o in recent):
        return []
    people = [o.id for o in recent if o.is_someone]
    return people if len(people) == 2 else []


_PAIRING = {"next to", "near"}  # side by side: what a plural pronoun may take as a pair
