"""Actions whose doer the dependency parse names (pass 3, after the hand rules).

The rules give an action to the clause's subject by position ("a man tows a dinghy carrying two
neighbours": the man, as the clause's subject). The parse says whose verb it is: the participle
"carrying" describes the dinghy, and "a woman who is tipping her bag" tips it, not the foreman
talking to her. Where the rules related the verb's own object to another doer than the one the
parse names, and the parse's doer is a drawn object, the action is the parse's doer's."""

from __future__ import annotations

from stagestudio.scene.graph import is_spatial
from stagestudio.scene.parsing.arcs import SentenceArcs
from stagestudio.scene.parsing.items import Action, span_of
from stagestudio.scene.parsing.state import State

Triple = tuple[str, str, str]


def arc_relations(arcs: SentenceArcs, made: dict[int, list[Triple]], state: State) -> None:
    """`made`: the relations the rules made for each item index of the sentence."""
    for k, item in enumerate(arcs.resolved):
        span = span_of(item)
        if span is not None and isinstance(item, Action) and not (item.passive or item.infinitive or item.mutual):
            _redo_action(arcs, span, made.get(k, []), state)


def _redo_action(arcs: SentenceArcs, span: tuple[int, int], made: list[Triple], state: State) -> None:
    verb = next((t for t in range(*span) if arcs.tags[t].pos == "VERB"), None)
    if verb is None:
        return
    objects = arcs.children(verb, "dobj")
    doer = arcs.doer(verb)
    subject = arcs.found(doer) if doer is not None else None
    obj = arcs.found(objects[0]) if objects else None
    if subject is None or obj is None or subject == obj or not made:
        return
    if not all(o == obj and s != subject and not is_spatial(p) for s, p, o in made):
        return  # the rules agree with the parse, or related something the parse does not judge
    for relation in made:
        if relation in state.relations:
            state.relations.remove(relation)
    state.relate(subject, made[0][1], obj)
