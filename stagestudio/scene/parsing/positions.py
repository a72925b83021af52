"""Where a reference stands among a sentence's resolved items: placed, held, listed, a
holder's contents, or the clause's subject. Read by both the resolving and the relating pass."""

from __future__ import annotations

from stagestudio.scene.parsing.items import Action, Break, Possessive, Prep, Rel
from stagestudio.scene.parsing.relations import RelPhrase
from stagestudio.scene.parsing.state import Ref, State

LIST_BREAKS = {",", "and", "&"}


HOLDING = {"holding", "containing", "cradling", "carrying", "supporting", "bearing"}


def clause_subject_ref(resolved: list) -> str | None:
    """The current clause's subject so far: its first object no relation, action or preposition
    introduces."""
    start = max((m for m, r in enumerate(resolved) if isinstance(r, Break)), default=-1) + 1
    for m in range(start, len(resolved)):
        r = resolved[m]
        if isinstance(r, Ref) and r.object_id is not None:
            return None if m > start and isinstance(resolved[m - 1], (Rel, Action, Prep)) else r.object_id
    return None


def is_contents(resolved: list, ref: Ref) -> bool:
    """Whether `ref` is what a holder holds: right after "of" / "filled with", or listed after such."""
    m = next(i for i, r in enumerate(resolved) if r is ref)
    while ref.attached and m >= 2 and isinstance(resolved[m - 1], Break) and resolved[m - 1].word in LIST_BREAKS:
        m -= 2  # ("filled with oranges and lemons"; not "a bowl of eggs and a bag of flour")
    return m >= 1 and isinstance(resolved[m - 1], Rel) and resolved[m - 1].phrase.kind == "contents"


def holder_of(resolved: list, ref: Ref) -> Ref | None:
    """The holder whose contents `ref` is ("crates of crabs and mussels": the crates), else None."""
    if not is_contents(resolved, ref):
        return None
    m = next(i for i, r in enumerate(resolved) if r is ref)
    while m >= 2 and isinstance(resolved[m - 1], Break) and resolved[m - 1].word in LIST_BREAKS:
        m -= 2
    if ref.determined and not (isinstance(resolved[m], Ref) and resolved[m].determined):
        return None  # ("a bucket of sand and a small shovel": the shovel is no content, see list_after)
    holder = resolved[m - 2] if m >= 2 else None
    return holder if isinstance(holder, Ref) and holder.object_id is not None else None


def is_placed(resolved: list, ref: Ref) -> bool:
    """Whether `ref` is the object of a relation, an action or a preposition ("on a mat")."""
    m = next(i for i, r in enumerate(resolved) if r is ref)
    # (a phrase that names no object of its own places nothing after it: "a gauge to its left
    # and a mast to its right" lost its "and")
    return m > 0 and isinstance(resolved[m - 1], (Rel, Action, Prep)) and not (
        isinstance(resolved[m - 1], Rel) and resolved[m - 1].phrase.kind in _COMPLETE_PHRASES)


_COMPLETE_PHRASES = {"owner_pronoun", "absolute", "dangling", "mutual"}


def opens_clause(resolved: list, ref: Ref) -> bool:
    """Whether `ref` heads a clause: first in the sentence, or after a break or a phrase that is
    complete without it ("a mast to its right"), not right after another noun."""
    m = next(i for i, r in enumerate(resolved) if r is ref)
    before = resolved[m - 1] if m > 0 else None
    return before is None or isinstance(before, Break) or isinstance(before, Rel) and before.phrase.kind in _COMPLETE_PHRASES


def is_held(resolved: list, ref: Ref) -> bool:
    """Whether `ref` is what a holding action holds ("holding an umbrella")."""
    m = next(i for i, r in enumerate(resolved) if r is ref)
    return m > 0 and isinstance(resolved[m - 1], Action) and resolved[m - 1].predicate.split()[0] in HOLDING


def agent_of(resolved: list, ref: Ref) -> Ref | None:
    """When `ref` is what an action acts on ("playing guitar"), the agent of that action (the
    latest object before the verb in the sentence that is not itself placed); else None."""
    m = next(i for i, r in enumerate(resolved) if r is ref)
    if m == 0 or not isinstance(resolved[m - 1], Action):
        return None
    agents = [r for i, r in enumerate(resolved[:m - 1])
              if isinstance(r, Ref) and r.object_id is not None and r.object_id != ref.object_id and not is_placed(resolved, r)]
    return agents[-1] if agents else None


def list_after(resolved: list, start: int, *, contents: bool = False) -> list[str]:
    """The objects listed from `start` on: "lemons and limes", "three eggs, a whisk and flour".
    `contents`: what a holder holds, which a bare noun begins and an article or number ends
    ("a bowl of cherries and a knife": the knife is no content)."""
    members: list[str] = []
    m = start
    while m < len(resolved) and isinstance(resolved[m], Ref):
        if resolved[m].object_id is None:
            break  # "bottles of red wine and a cheese board": the wine was not drawn, the board is no content
        if contents and members and resolved[m].determined and not resolved[start].determined:
            break
        if (members and m + 1 < len(resolved) and isinstance(resolved[m + 1], Rel)
                and resolved[m + 1].phrase.kind == "contents"):
            break  # "a bowl of eggs and a bag of flour": the bag holds its own ("laden with sacks of grain": the sacks)
        members.append(resolved[m].object_id)
        if not (m + 2 < len(resolved) and isinstance(resolved[m + 1], Break) and resolved[m + 1].word in LIST_BREAKS):
            break
        m += 2
    return members


def _holds_what_follows(resolved: list, m: int) -> bool:
    """Whether the member at `m` goes on to what it holds ("a bowl of bananas", "a can of soda"):
    then its phrase ends two items later."""
    return m + 2 < len(resolved) and (isinstance(resolved[m + 1], Rel) and resolved[m + 1].phrase.kind == "contents"
                                      or isinstance(resolved[m + 1], Prep) and resolved[m + 1].word == "of")


def holders_after(resolved: list, start: int) -> list[str]:
    """The objects listed from `start` on, each with what it holds skipped: "between a bowl of
    bananas and a jar of honey" -> the bowl and the jar."""
    members: list[str] = []
    m = start
    while m < len(resolved) and isinstance(resolved[m], Ref) and resolved[m].object_id is not None:
        members.append(resolved[m].object_id)
        m += 3 if _holds_what_follows(resolved, m) else 1  # (past what it holds: "of bananas")
        if not (m + 1 < len(resolved) and isinstance(resolved[m], Break) and resolved[m].word in LIST_BREAKS):
            break
        m += 1
    return members


def listed_objects(resolved: list, start: int) -> list[str]:
    """The objects listed after the relation object at `start`, which the relation takes too
    ("next to a dumbbell and a yoga block"); a member that goes on to a relation or an action of
    its own opens a clause and ends the list ("next to a lamp and a dog on the sofa")."""
    listed = holders_after(resolved, start)[1:]
    kept: list[str] = []
    closed = 0  # how many members up to the last one joined by "and": a list ends with "and"
    for member in listed:
        m = next(i for i in range(start + 1, len(resolved))
                 if isinstance(resolved[i], Ref) and resolved[i].object_id == member)
        ref = resolved[m]
        joined_by_and = getattr(resolved[m - 1], "word", None) in ("and", "&")
        if _holds_what_follows(resolved, m):
            m += 2  # what it holds ("a can of soda")
        after = resolved[m + 1] if m + 1 < len(resolved) else None
        # (the member's own reference: after "of", resolved[m] is whatever followed the contents)
        if isinstance(after, (Rel, Action, Possessive)) or ref.pronoun is not None:
            break
        kept.append(member)
        if joined_by_and:
            closed = len(kept)
    # ("behind a fallen tree, a cyclist squeezing past": a comma alone opens another clause)
    return kept[:closed]


def hung_on_object(resolved: list, subject: Ref | None) -> str | None:
    """The object `subject` was attached to with "with" ("pancakes with a strawberry"): the
    latest object before it in the sentence; None when the subject is not attached."""
    if subject is None or not subject.attached:
        return None
    position = next(m for m, r in enumerate(resolved) if r is subject)
    before = [r.object_id for r in resolved[:position]
              if isinstance(r, Ref) and r.object_id is not None and r.object_id != subject.object_id]
    return before[-1] if before else None


def listed_with(resolved: list, clause_start: int, subject: Ref, obj_id: str | None, state: State, *,
                adjacent: bool = False) -> list[str]:
    """Objects listed before `subject` in the same sentence ("a wallet, a pen and car keys"):
    kept noun phrases separated only by commas and "and", right up to the subject's clause.
    `adjacent`: the place phrase follows the last noun with no word between."""
    if clause_start < 2 or resolved[clause_start] is not subject:
        return []
    members: list[str] = []
    k = clause_start - 1
    while k >= 1 and isinstance(resolved[k], Break) and resolved[k].word in (",", "and", "&"):
        end = k - 1
        while (end >= 2 and isinstance(resolved[end], Ref) and isinstance(resolved[end - 1], Rel)
               and resolved[end - 1].phrase.kind == "contents"):
            end -= 2  # "a glass bowl of eggs and a bag of flour sit ...": the holder is the member
        if (end >= 2 and isinstance(resolved[end], Ref) and resolved[end].object_id is None
                and isinstance(resolved[end - 1], Prep) and resolved[end - 1].word == "of"):
            end -= 2  # "two bottles of red wine and a cheese board on a table": the bottles
        ref = resolved[end]
        if members and isinstance(ref, Break) and ref.word in LIST_BREAKS:
            # ", and a thermos and three mugs stand beside her": ", and" opened the clause,
            # so the list began after it
            break
        if resolved[k].word == "," and end >= 1 and isinstance(resolved[end - 1], (Rel, Action)):
            break  # "On the floor beside the bed, a pile of books and a truck lie on a rug": a fronted place ends it
        if not (isinstance(ref, Ref) and ref.object_id is not None and ref.pronoun is None) or ref.object_id == obj_id:
            return []
        members.append(ref.object_id)
        k = end - 1
        if k >= 0 and not isinstance(resolved[k], Break):
            break
    if k >= 0 and (isinstance(resolved[k], (Rel, Action)) or isinstance(resolved[k], Ref) and resolved[k].object_id):
        return []  # the list is itself a relation's object ("a table holds books and a cup on it")
    # a longer list with commas ("a wallet, a pen and car keys on a desk") is one group; a pair
    # is when its members are alike ("two dogs and a cat asleep on a sofa", "a teapot and two
    # cups on a tray"), not in "a jar and a cat asleep on a couch"; two counted plurals are
    # a tally of one scene's things ("five loaves and two fish in a basket"); with nothing
    # between the last noun and the place, the pair is one group ("a dinosaur and a spaceship
    # on a bed")
    # ("a cat, a red car left of a blue car": a comma alone joins no pair)
    if len(members) == 1 and not (adjacent and resolved[clause_start - 1].word in ("and", "&")):
        pair = [state.get(i) for i in (members[0], subject.object_id)]
        alike = len({o.is_alive for o in pair}) == 1
        return members if alike or all(o.count > 1 for o in pair) else []
    return members


def is_kept(x: object) -> bool:
    """Whether `x` is a reference to an object that is drawn."""
    return isinstance(x, Ref) and x.object_id is not None


def coordinated_groups(resolved: list) -> list[tuple[str, ...]]:
    """The objects named together with "and" in a sentence: "a horse and a foal", "a cup, a
    saucer and a spoon" (a chain of kept references joined by list words, one of them "and")."""
    groups: list[tuple[str, ...]] = []
    chain: list[str] = []
    joined_by_and = False
    for m, item in enumerate(resolved):
        if is_kept(item) and item.pronoun is None:
            if chain and not (isinstance(resolved[m - 1], Break) and resolved[m - 1].word in LIST_BREAKS
                              and is_kept(resolved[m - 2])):
                chain, joined_by_and = [], False
            chain.append(item.object_id)
            continue
        if isinstance(item, Break) and item.word in LIST_BREAKS and chain:
            joined_by_and = joined_by_and or item.word != ","
            continue
        if len(set(chain)) > 1 and joined_by_and:
            groups.append(tuple(dict.fromkeys(chain)))
        chain, joined_by_and = [], False
    if len(set(chain)) > 1 and joined_by_and:
        groups.append(tuple(dict.fromkeys(chain)))
    return groups


# a side phrase's axis: "on the right" answers "left of", not "above"
_AXES = ({"left of", "right of"}, {"above", "below"})


def side_anchor(phrase: RelPhrase, resolved: list, k: int, placed: str | None) -> str | None:
    """What a side said without its object is the side of, when the sentence says it: the holder
    a "with"-detail hangs on ("a bowl with chopsticks to the left": left of the bowl), or the
    object of an earlier side relation on the same axis ("a copier left of the cooler and a fern
    on the right": right of the cooler). None leaves the side a place in the picture."""
    axis = next((a for a in _AXES if phrase.predicate in a), None)
    if placed is None or axis is None or phrase.kind != "absolute":
        return None
    m = next((i for i in range(k - 1, -1, -1) if isinstance(resolved[i], Ref) and resolved[i].object_id == placed), None)
    if m is not None and m == k - 1 and m >= 2 and isinstance(resolved[m - 1], Prep) and resolved[m - 1].word == "with":
        holder = hung_on_object(resolved, resolved[m])
        if holder is not None:
            return holder
    if m is not None and _in_with_list(resolved, m):
        return None  # ("a desk with a laptop, a cup right of it, and books on the left": the desk's left)
    for i in range(k - 1, 0, -1):
        if isinstance(resolved[i], Rel) and resolved[i].phrase.kind == "object" and resolved[i].phrase.predicate in axis:
            after = resolved[i + 1] if i + 1 < len(resolved) else None
            if is_kept(after) and after.object_id != placed and i + 1 < (m if m is not None else k):  # type: ignore[union-attr]
                return after.object_id  # type: ignore[union-attr]
            return None
    return None


def _in_with_list(resolved: list, m: int) -> bool:
    """Whether the object at `m` is one of a list opened by "with" ("a desk with a laptop, a cup
    ..., and three books"): nothing but list members, their relations and list words since it."""
    for i in range(m - 1, -1, -1):
        item = resolved[i]
        if isinstance(item, Prep) and item.word == "with":
            return True
        if isinstance(item, Action) or isinstance(item, Break) and item.word not in LIST_BREAKS:
            return False
    return False


def moved_stuff(resolved: list, ref: Ref) -> bool:
    """Whether `ref` is what an action acts on, directly or as what its undrawn portion is of."""
    m = next(i for i, r in enumerate(resolved) if r is ref)
    return m >= 1 and isinstance(resolved[m - 1], Action) or of_dropped_portion(resolved, ref)


def of_dropped_portion(resolved: list, ref: Ref) -> bool:
    """Whether `ref` is what an undrawn portion is of ("a drop of acid"): it stands for the portion."""
    m = next(i for i, r in enumerate(resolved) if r is ref)
    return (m >= 2 and isinstance(resolved[m - 1], Prep) and resolved[m - 1].word == "of"
            and isinstance(resolved[m - 2], Ref) and resolved[m - 2].object_id is None and resolved[m - 2].owner is None)


def between_end(resolved: list, ref: Ref) -> bool:
    """Whether `ref` is one of the things after "between" ("between the bed and the chair")."""
    m = next(i for i, r in enumerate(resolved) if r is ref)
    while m >= 2 and isinstance(resolved[m - 1], Break) and resolved[m - 1].word in ("and", "&") \
            and isinstance(resolved[m - 2], Ref):
        m -= 2
    return m >= 1 and isinstance(resolved[m - 1], Rel) and resolved[m - 1].phrase.kind == "between"


def after_undrawn_subject(resolved: list, k: int) -> bool:
    """Whether the relation at `k` follows a noun phrase that opens its clause and is not drawn
    ("steam rising above the pot"); not one that ends a list ("the mixture of vinegar and litmus
    solution in a glass": the list's head is placed)."""
    before = resolved[k - 1] if k > 0 else None
    if not (isinstance(before, Ref) and before.object_id is None and before.owner is None):
        return False
    opener = resolved[k - 2] if k > 1 else None
    listed = isinstance(opener, Break) and opener.word in ("and", "&") and k > 2 and isinstance(resolved[k - 3], Ref)
    return not isinstance(opener, (Rel, Action, Prep)) and not listed
