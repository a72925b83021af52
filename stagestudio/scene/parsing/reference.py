"""What a pronoun points at: "it", "its", "them", "their", "him", "her", "his".

The most salient earlier object that agrees in number and kind (docs/scene_graph_conventions.md,
"Pronouns"): first what the sentence so far is about (objects that are not the object of a
relation or an action, nor a detail named with "with"), then the rest of the sentence so far,
then the previous sentence's subject, then everything mentioned before, latest first. Agreement
is tried strictly first ("her" -> a person, "its" -> one thing that is not a person, "their" ->
a group), then loosely ("her" -> an animal, "its" -> anything single), then not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.items import Action, Break, Item, NounPhrase, Possessive, Rel
from stagestudio.scene.parsing.relations import POSITIONAL
from stagestudio.scene.parsing.state import ParsedObject, Ref, State


def _is_person(obj: ParsedObject) -> bool:
    return obj.is_someone


def _agreement_tiers(kind: str, state: State) -> tuple[Callable[[ParsedObject], bool], ...]:
    if kind == "person":
        return (_is_person, lambda o: o.is_alive)
    if kind == "they":
        # a group, else things named together ("a cup and a saucer ... beside them"); people
        # named together who were what the previous sentence was about are as much a group ("a
        # father and daughter sit on buckets. ... A tent stands behind them": not the buckets)
        subject = state.previous_subject
        return (lambda o: o.count > 1 or o.id == subject and o.is_someone and len(state.group_of(o.id)) > 1,
                lambda o: len(state.group_of(o.id)) > 1)
    # "it" is no person whatever the count says ("a 1967 muscle car ... they stand beneath it",
    # "a herd of goats ... a boy sits near it"): kind first, then number
    return (lambda o: o.count == 1 and not _is_person(o), lambda o: not _is_person(o), lambda o: o.count == 1)


def _listed(resolved: Sequence[object], m: int) -> bool:
    """Whether the item at `m` follows a list word after another object ("a hammer and a saw")."""
    return (m >= 2 and isinstance(resolved[m - 1], Break) and resolved[m - 1].word in _LIST_WORDS
            and isinstance(resolved[m - 2], Ref) and resolved[m - 2].object_id is not None
            # ("To the right of the skeleton, a case ...": a fronted place is no list member)
            and not (resolved[m - 1].word == "," and m >= 3 and isinstance(resolved[m - 3], Rel)
                     and (m == 3 or isinstance(resolved[m - 4], Break))))


def _after_relation(resolved: Sequence[object], m: int) -> bool:
    """Whether the item at `m` is a relation's or an action's object, also past a possessor
    ("rests on the director's chair": the chair is placed as "on the chair" is)."""
    if m >= 3 and isinstance(resolved[m - 1], Possessive):
        m -= 2
    return m > 0 and isinstance(resolved[m - 1], (Rel, Action))


def _salience_order(resolved: Sequence[object], position: int, state: State, *,
                    singular: bool = False, person: bool = False, plural: bool = False) -> Iterator[str]:
    local = [(m, item) for m, item in enumerate(resolved[:position])
             if isinstance(item, Ref) and item.object_id is not None and item.pronoun is None]
    placed = {m for m, item in local if _after_relation(resolved, m) or item.attached}
    for m, _ in local:
        # the rest of a list a relation or an action took ("holds a lamp, a laptop and a clock")
        if m - 2 in placed and _listed(resolved, m):
            placed.add(m)
    # members of a coordinated subject ("a hammer and a saw lie by the box, and a can stands
    # behind it"): together they are plural, so a singular pronoun means them last
    coordinated = {m for m, _ in local if m not in placed and _listed(resolved, m)}
    coordinated |= {m - 2 for m in coordinated}
    if not singular:
        coordinated = set()
    for m, item in reversed(local):
        if m not in placed and m not in coordinated:
            yield item.object_id  # type: ignore[misc]
    for m, item in reversed(local):
        if m in placed:
            yield item.object_id  # type: ignore[misc]
    for m, item in reversed(local):
        if m in coordinated:
            yield item.object_id  # type: ignore[misc]
    # "he"/"she" carries on whom the previous sentence was about ("A model leans on a tower. The
    # photographer crouches in front of her"), in both passes over the sentence; a thing's "it"
    # or "them" is the latest mention first ("A lamp behind the sofa. A rug in front of it")
    latest_subject = state.previous_subject if person else (state.subjects[-1] if state.subjects else None)
    if latest_subject is not None:
        yield latest_subject
    if plural and state.previous_subject is not None and state.get(state.previous_subject).is_someone:
        # "them" carries on the people the previous sentence was about before things merely
        # mentioned in it ("A young couple pushes a trolley loaded with lemon trees. Behind them,
        # ...": the couple); while relating, `subjects[-1]` is this sentence's own subject. (Of
        # things, the latest mention stays first: "flags are strung above the tents. Behind
        # them, ..." are the tents.)
        yield state.previous_subject
    # earlier mentions, latest first; what a holder holds after the holder ("A shelf holds a
    # vase and a candle. A cat sleeps beside it": the shelf)
    earlier = list(reversed(state.mentions[:state.sentence_start]))
    yield from (i for i in earlier if i not in state.held)
    yield from (i for i in earlier if i in state.held)


_LIST_WORDS = {",", "and", "&"}
_GENDERS = {"she": "f", "her": "f", "herself": "f", "hers": "f", "he": "m", "him": "m", "his": "m", "himself": "m",
            # ("Their father films them": the group "their" meant, as "her" keeps its woman)
            "they": "p", "them": "p", "their": "p", "theirs": "p", "themselves": "p"}


def antecedent(kind: str, resolved: Sequence[object], position: int, state: State, *,
               exclude: set[str] | frozenset[str] = frozenset(),
               can_own: str | None = None, word: str = "") -> str | None:
    """The object a pronoun of `kind` refers to (see `_antecedent`). Within one sentence "her"
    (and "she") keeps meaning whom it meant first, and so do "he", "him" and "his": "a calf
    walks beside her, its trunk around her tail" is one mother."""
    gender = _GENDERS.get(word)
    earlier = state.gendered.get(gender) if gender else None
    if earlier is not None and earlier not in exclude:
        return earlier
    # whom the other gender's pronoun meant in this sentence this one does not mean: "a climber
    # above her belay partner, a coil of rope at his feet" (the partner's feet)
    other = next((i for g, i in state.gendered.items() if gender and g != gender), None)
    if other is not None:
        exclude = {*exclude, other}
    found = _antecedent(kind, resolved, position, state, exclude=exclude, can_own=can_own)
    # (a group is set by its possessive only: "Their father films them"; a "them" read before the
    # sentence's relations are known may still be revised by them)
    if gender and found is not None and (gender != "p" or word in ("their", "theirs")):
        state.gendered[gender] = found
    return found


def _antecedent(kind: str, resolved: Sequence[object], position: int, state: State, *,
                exclude: set[str] | frozenset[str] = frozenset(),
                can_own: str | None = None) -> str | None:
    """The object a pronoun of `kind` ("it", "they", "person") at `position` of the sentence's
    items refers to; None when nothing was mentioned. `can_own`: the pronoun is a possessive
    before this noun ("its eyes"), so an object that can have one comes first (a dog, not the
    window just mentioned)."""
    order = list(dict.fromkeys(i for i in _salience_order(resolved, position, state, singular=kind == "it",
                                                          person=kind == "person", plural=kind == "they")
                               if i not in exclude))
    if not order:
        return None
    pools = [order]
    if can_own is not None:
        # an object the part belongs to in the part's commonest sense first ("its head": the
        # eagle's, not the branch's; "the bow": the boat's, not the railing's)
        ranks = {i: english.part_sense_rank(can_own, state.get(i).word) for i in order}
        order = sorted(order, key=lambda i: (ranks[i] is None, ranks[i] or (0, 0)))
        # what can have one is tried on its own first ("its paws": the pandas, though plural,
        # rather than the leaf just mentioned); "its" stays with it (the number of "its" is a weak
        # clue), "his"/"her" go on to everything ("his dog": the man's, not the newspaper's)
        owners = [i for i in order if ranks[i] is not None]
        pools = ([owners, order] if kind != "it" else [owners]) if owners else [order]
    # a group the sentence speaks of one member of ("the other sleeps with its face ...") is one
    members = {r.object_id for r in resolved[:position] if isinstance(r, Ref) and r.member} if kind == "it" else set()
    for pool in pools:
        for agrees in _agreement_tiers(kind, state):
            found = next((i for i in pool if agrees(state.get(i)) or i in members and not _is_person(state.get(i))), None)
            if found is not None:
                return found
    if kind == "person" and can_own is None:
        # "him" or "her" as an object is someone, never the violin just named; at worst a noun
        # someone is in a later sense ("a tall model in a red dress")
        return next((i for i in pools[0] if english.has_sense_of(state.get(i).word, english.PERSON)), None)
    return pools[0][0]


def placed_by_its_namesake(np_: NounPhrase, nxt: Item | None, after: Item | None, state: State) -> str | None:
    """"a vase on the top shelf and a clock on the shelf below it": a definite noun placed
    relative to "it", where "it" can only be the earlier thing of that name, names another one.
    Returns the earlier one (what "it" means), or None when the pattern does not apply."""
    # (not a possessed noun, nor a person "it" cannot mean: "a father and his daughter stand
    # beneath it" is below the car)
    if not (np_.determiner == "definite" and np_.pronoun is None and np_.possessive is None and isinstance(nxt, Rel)
            and nxt.phrase.kind == "object" and nxt.phrase.predicate in POSITIONAL
            and isinstance(after, NounPhrase) and after.pronoun == "it" and not after.member):
        return None
    same = [o for o in state.objects if o.name == np_.head and o.count == 1 and not o.is_someone]
    return max(same, key=lambda o: o.mention).id if same else None
