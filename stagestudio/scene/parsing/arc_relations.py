"""Actions the dependency parse states between drawn objects (pass 3, after the hand rules).

The rules give an action to the clause's subject by position ("a man tows a dinghy carrying two
neighbours": the man, as the clause's subject). The parse says whose verb it is: the participle
"carrying" describes the dinghy, and "a woman who is tipping her bag" tips it, not the foreman
talking to her. Where the rules related the verb's own object to another doer than the one the
parse names, and the parse's doer is a drawn object, the action is the parse's doer's
(`arc_relations`). A verb the reading passed over altogether acts where the parse names its
subject and its object, both drawn (`unread_actions`). Place phrases are left to the rules: the
parser hangs most of them from the verb, where the conventions place them by what they follow."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import is_spatial
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.actions import hold_instead
from stagestudio.scene.parsing.arcs import SentenceArcs
from stagestudio.scene.parsing.items import Action, Break, span_of
from stagestudio.scene.parsing.state import State

Triple = tuple[str, str, str]


def arc_relations(arcs: SentenceArcs, made: dict[int, list[Triple]], state: State) -> None:
    """`made`: the relations the rules made for each item index of the sentence."""
    for k, item in enumerate(arcs.resolved):
        span = span_of(item)
        if span is not None and isinstance(item, Action) and not (item.passive or item.infinitive or item.mutual):
            _redo_action(arcs, span, made.get(k, []), state, _subordinate_start(arcs.resolved, k))


def _subordinate_start(resolved: list, k: int) -> int | None:
    """Where the subordinate clause with its own subject that the verb at `k` ends lies: the
    item after its opening word ("as a waiter in a white jacket carries a tray"), if the verb's
    clause opens so; None otherwise."""
    for m in range(k - 1, -1, -1):
        item = resolved[m]
        if isinstance(item, Break):
            return m + 1 if item.word in _SUBORDINATORS and m + 1 < k else None
        if isinstance(item, Action):
            return None
    return None


# words that open a clause with its own subject and verb (a closed class)
_SUBORDINATORS = frozenset({"as", "while", "whilst", "whereas", "when"})


def _redo_action(arcs: SentenceArcs, span: tuple[int, int], made: list[Triple], state: State,
                 clause_start: int | None = None) -> None:
    verb = next((t for t in range(*span) if arcs.tags[t].pos == "VERB"), None)
    if verb is None:
        return
    objects = arcs.children(verb, "dobj")
    doer = arcs.doer(verb)
    if doer is not None and clause_start is not None and arcs.item_at.get(doer, clause_start) < clause_start:
        # the verb's clause has its own subject after "as"/"while"; the statistical parse,
        # reading "as a waiter" as a preposition phrase, gives the verb the main clause's
        return
    subject = arcs.found(doer) if doer is not None else None
    if subject is not None and arcs.relative_word(verb) == "who" and not state.get(subject).is_alive:
        # "sit on a rug around their teacher, who holds up a book": "who" is someone, so the
        # parse hung the clause from the wrong noun and the rules' doer stands
        return
    obj = arcs.found(objects[0]) if objects else None
    if subject is not None and made and state.get(subject).is_alive and all(
            not is_spatial(p) and not state.get(s).is_alive for s, p, _ in made):
        # "a kid on the ski lift dropping his mitten": a living doer the parse names, where the
        # rules gave the verb to a thing
        _replace(made, [(subject, p, o) for _, p, o in made], state)
        return
    if subject is None or obj is None or subject == obj or not made:
        return
    if not all(o == obj and s != subject and not is_spatial(p) for s, p, o in made):
        return  # the rules agree with the parse, or related something the parse does not judge
    if any(subject in state.group_of(s) for s, _, _ in made):
        return  # one of the things named together with the rules' doer: they act together
    _replace(made, [(subject, made[0][1], obj)], state)


def _replace(made: list[Triple], by: list[Triple], state: State) -> None:
    for relation in made:
        if relation in state.relations:
            state.relations.remove(relation)
    for s, p, o in by:
        state.relate(s, p, o)


_ACTING_TAGS = ("VBG", "VBZ", "VBP")


def unread_actions(arcs: SentenceArcs, state: State) -> None:
    """A verb the reading passed over (no item was read from it) whose subject and object the
    parse names, both drawn objects: "a tattoo artist wiping down the back of a client" (the
    object through the part "the back of" it)."""
    for t, word in enumerate(arcs.tags):
        if t in arcs.item_at or word.pos != "VERB" or word.tag not in _ACTING_TAGS:
            continue
        lemma = english.verb_lemma(word.text.lower())
        if lemma is None or lemma in lx.NON_ACTION_VERBS or lemma in ("be", "have"):
            continue
        doer = arcs.doer(t, shared=True)
        subject = arcs.found(doer) if doer is not None else None
        objects = arcs.children(t, "dobj")
        if subject is not None and not objects:
            _aimed_at(arcs, t, lemma, subject, state)
        if subject is None or not objects:
            continue
        obj = arcs.found(objects[0])
        if obj is None and arcs.dropped(objects[0]):
            # "the back of a client": the part's owner is acted on
            owners = [o for p in arcs.children(objects[0], "prep") if arcs.tags[p].text == "of"
                      for o in arcs.children(p, "pobj")]
            obj = arcs.found(owners[0]) if owners else None
        if obj is None or obj == subject or any({s, o} == {subject, obj} for s, _, o in state.relations):
            continue
        particles = [arcs.tags[p].text for p in arcs.children(t, "prt")]
        predicate = " ".join([english.present_participle(lemma), *particles[:1]])
        if hold_instead(subject, predicate, obj, state):
            continue
        # ("a father and his daughter ..., shining a flashlight": each of them)
        for one in (subject, *(arcs.found(c) for c in arcs.joined(doer))):  # type: ignore[arg-type]
            if one is not None and one != obj:
                state.relate(one, predicate, obj)



# WordNet's verb.body, verb.communication, verb.perception: what such a verb is "at" is whom or
# what it is aimed at ("smiling at", "pointing at", "peeking at"), never where the doer is
_AIMED_CATEGORIES = frozenset({29, 32, 39})


def _aimed_at(arcs: SentenceArcs, t: int, lemma: str, subject: str, state: State) -> None:
    """A verb of the body, speech or sight the reading passed over, whose "at" the parse hangs
    from it past a place phrase: "peeking around a corner at her dad", "pointing across the room
    at him" (the rules read "at" only right after the verb)."""
    if english.verb_category(lemma) not in _AIMED_CATEGORIES:
        return
    for prep in arcs.children(t, "prep"):
        if arcs.tags[prep].text.lower() != "at":
            continue
        for target in arcs.children(prep, "pobj"):
            k = arcs.item_at.get(target)
            ref = arcs.resolved[k] if k is not None else None
            obj = getattr(ref, "object_id", None) if not getattr(ref, "via_part", False) else None
            if obj is None or obj == subject or any({s, o} == {subject, obj} for s, _, o in state.relations):
                continue
            state.relate(subject, f"{english.present_participle(lemma)} at", obj)
