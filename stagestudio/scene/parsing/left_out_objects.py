"""Relations whose object the prompt leaves out or only points at: "a pink umbrella propped
overhead", "lowering a limb to the groundsman below", "a rack mounted above both"."""

from __future__ import annotations

from stagestudio.scene.parsing.items import Prep
from stagestudio.scene.parsing.positions import agent_of, clause_subject_ref, is_kept, is_placed
from stagestudio.scene.parsing.relations import RelPhrase
from stagestudio.scene.parsing.state import Ref, State

_VERTICAL = {"above", "below"}


def figure_overhead_or_below(phrase: RelPhrase, resolved: list, k: int, subject: Ref | None,
                             state: State) -> str | None:
    """What "overhead" or "below" with no object is relative to, for the thing right before it:
    the figure the sentence is about, seen from where it stands. That is the agent of the action
    the thing undergoes ("jerking a barbell overhead"), else the clause's subject ("a surgeon
    lowering a limb to the groundsman below"), else the sentence's ("a flower seller behind her
    buckets, an umbrella propped overhead"). Only a living figure has an overhead; None when
    there is none, or the thing hangs on another by "with" ("a kite with a dog below")."""
    if phrase.predicate not in _VERTICAL or subject is None or k < 1 or resolved[k - 1] is not subject:
        return None
    if subject.pronoun is not None or k >= 2 and isinstance(resolved[k - 2], Prep) and resolved[k - 2].word == "with":
        return None
    agent = agent_of(resolved, subject)
    candidates = [agent.object_id if agent is not None else None, clause_subject_ref(resolved[:k - 1])]
    # (the sentence's subject: its first object that nothing places or acts on)
    candidates += [r.object_id for r in resolved[:k - 1]
                   if is_kept(r) and not r.attached and r.pronoun is None and not is_placed(resolved, r)][:1]
    for figure in candidates:
        if figure is not None and figure != subject.object_id and state.get(figure).is_alive:
            return figure
    return None


def both_meant(resolved: list, k: int, exclude: set[str], state: State) -> list[str]:
    """What "both" means after the relation at `k`: the last two things the sentence is about so
    far, not placed by a relation or an action ("a cat on the sofa and a dog on the rug, a fan
    above both"), else a pair named as one ("two armchairs by the fire, a lamp above both"), else
    the last two named ("a uv lamp behind the hand rest, a rack mounted above both"). Never the
    relation's subject nor what hangs on a thing by "with" or "of" (the rack's bottles)."""
    refs = [r for r in resolved[:k]
            if is_kept(r) and r.pronoun is None and not r.attached and r.object_id not in exclude]
    unplaced = _latest_two([r.object_id for r in refs if not is_placed(resolved, r)])
    if len(unplaced) == 2:
        return unplaced
    if len(unplaced) == 1 and state.get(unplaced[0]).count == 2:
        return unplaced
    latest = _latest_two([r.object_id for r in refs])
    return latest if len(latest) == 2 else []


def _latest_two(ids: list[str]) -> list[str]:
    return list(reversed(list(dict.fromkeys(reversed(ids)))[:2]))
