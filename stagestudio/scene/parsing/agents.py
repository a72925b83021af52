"""Who does an action: the agent of a verb among the objects of its sentence ("a technician in
safety goggles holds a flask", "..., and a student stands on a ladder, pulling a volume",
"holds the leash and strokes its back", "with a cat peering out")."""

from __future__ import annotations

from stagestudio.scene.parsing.items import Action, Break, Possessive, Prep, Rel
from stagestudio.scene.parsing.positions import LIST_BREAKS
from stagestudio.scene.parsing.state import Ref, State


def choose_agent(resolved: list, k: int, clause_start: int, nxt: Ref, state: State) -> Ref | None:
    """The reference to whoever does the action at `k` to `nxt`: the clause's latest object that
    nothing places, else the subject the clause goes on from (a verb after "and", a participle
    after a comma, a fronted participle, a clause after an aside); None when there is none."""
    before = [r for r in resolved[clause_start:k] if isinstance(r, Ref) and r.object_id is not None]
    if before and before[0] is resolved[clause_start] and _opens_relative_clause(resolved, clause_start, k) \
            and before[0].object_id != nxt.object_id and not resolved[k].fronted:
        # "waving at a skater who is clinging to the boards": the noun a relative clause is about
        # does its verb, though an action before placed it
        return before[0]
    if _someone_addressed_before(resolved, k, state):
        return resolved[k - 1]
    shared = coordinated_agent(resolved, k)
    if not before and shared is not None:
        before = [Ref(shared)]  # "holds the dog's leash and strokes its back": the same agent
    elif not before and k > 0 and isinstance(resolved[k - 1], Break) and resolved[k - 1].word == ",":
        # "A man leans against the door, checking his phone": a participle after a comma is
        # what the subject of the clause the comma ends does
        before = comma_clause_subject(resolved, k, state)
    if before and not resolved[k].fronted and all(
            _placed(resolved, m, state) for m in range(clause_start, k) if isinstance(resolved[m], Ref)
            and resolved[m].object_id is not None):
        # "The pilot, in a leather jacket, kneels on one of the floats tightening a rope": a
        # clause with nothing but places acts through the sentence's subject
        before = comma_clause_subject(resolved, k, state) or before
    if resolved[k].fronted:
        # "Holding a pair of tweezers, he sets ...": the agent is the main clause's subject
        before = _main_clause_subject(resolved, k)
    if not before and not resolved[k].fronted and _follows_aside(resolved, clause_start):
        before = _sentence_subject(resolved, k)  # "The diver, in a wetsuit, floats above a reef holding ..."
    if not before:
        before = [r for r in resolved[:k] if isinstance(r, Ref) and r.object_id is not None]
    if resolved[k].infinitive and before:
        return before[-1]  # "teaching his son to ride a bike": the son rides
    if _with_absolute(resolved, k, state):
        return resolved[k - 1]  # "a carrier on a chair, with a cat peering out": the cat
    candidates = _unplaced(before, resolved, nxt, state)
    return candidates[-1] if candidates else None


def _someone_addressed_before(resolved: list, k: int, state: State) -> bool:
    """Whether a participle at `k` follows someone named after a preposition that is no place
    ("bags a comic for a girl holding a skateboard"): the one right before does it, where a
    thing a place phrase names does not ("kneels on one of the floats tightening a rope")."""
    return (k >= 2 and not resolved[k].finite and isinstance(resolved[k - 2], Prep)
            and isinstance(resolved[k - 1], Ref) and resolved[k - 1].object_id is not None
            and state.get(resolved[k - 1].object_id).is_someone)


def _opens_relative_clause(resolved: list, clause_start: int, k: int) -> bool:
    """Whether the clause the verb at `k` ends is a relative clause about the noun at
    `clause_start` ("a skater who is clinging", "a gull that is pecking"), with no other verb
    before `k`."""
    opener = clause_start + 1
    if opener + 1 < k and isinstance(resolved[opener], Break) and resolved[opener].word == ",":
        opener += 1  # "his son, who grips a pole"
    return (opener < k and isinstance(resolved[opener], Break) and resolved[opener].word in RELATIVE_PRONOUNS
            and not any(isinstance(r, (Action, Break)) for r in resolved[opener + 1:k]))


# the words that open a relative clause about the noun before them (a closed class)
RELATIVE_PRONOUNS = frozenset({"that", "which", "who"})


def co_agents(resolved: list, k: int, agent: Ref) -> list[Ref]:
    """The others named with the agent right before the verb at `k` as one subject ("a puppy and
    a toddler tugging on a rope", "a cat, a dog and a rabbit eating grass"): each acts too."""
    a = k - 1
    if resolved[a] is not agent or not (a >= 2 and isinstance(resolved[a - 1], Break)
                                        and resolved[a - 1].word in ("and", "&")):
        return []
    found: list[Ref] = []
    while a >= 2 and isinstance(resolved[a - 1], Break) and resolved[a - 1].word in LIST_BREAKS:
        a -= 2
        ref = resolved[a]
        if not (isinstance(ref, Ref) and ref.object_id is not None and not ref.attached and not _placed(resolved, a)):
            return []  # ("a woman walks past a bench and a dog chasing a ball": no list of subjects)
        found.append(ref)
    return found


def _unplaced(before: list[Ref], resolved: list, nxt: Ref, state: State) -> list[Ref]:
    """Of the objects before the verb, those it can be about: not the thing acted on, not a
    detail reached through "with", not the object of a place phrase ("a monkey sitting on a
    branch eating a banana") nor something worn ("in safety goggles and a lab coat")."""
    # (a pronoun object is resolved once the agent is known: "a sofa faces it")
    other = None if nxt.pronoun is not None else nxt.object_id
    main = [r for r in before if not r.attached and r.object_id != other]
    candidates = main or [r for r in before if r.object_id != other]
    agents = [r for r in candidates
              if not (resolved.index(r) > 0 and isinstance(resolved[resolved.index(r) - 1], (Rel, Action))
                      or _listed_after_placed(resolved, resolved.index(r), state))]
    return agents or candidates


def _main_clause_subject(resolved: list, k: int) -> list[Ref]:
    """The subject of the clause after the comma that closes a fronted phrase at `k`, as a
    one-item list (empty when there is none)."""
    comma = next((m for m in range(k + 1, len(resolved)) if isinstance(resolved[m], Break)), None)
    if comma is None:
        return []
    for m in range(comma + 1, len(resolved)):
        r = resolved[m]
        if isinstance(r, Ref) and r.object_id is not None:
            return [] if isinstance(resolved[m - 1], (Rel, Action, Prep)) else [r]
        if isinstance(r, Break):
            return []
    return []


def _placed(resolved: list, m: int, state: State | None = None) -> bool:
    """Whether resolved[m] is the object of a relation, an action, a preposition or a possessive;
    with `state`, also a thing listed after one ("in orange vests and white hard hats": the hats
    are worn too, so not the clause's subject)."""
    if m > 0 and isinstance(resolved[m - 1], (Rel, Action, Prep, Possessive)):
        return True
    return state is not None and _listed_after_placed(resolved, m, state)


def _listed_after_placed(resolved: list, m: int, state: State) -> bool:
    """A thing (no one who can act) in a list whose first member is placed: "a technician in
    safety goggles and a lab coat", "with a pen, a ruler and a stapler"."""
    ref = resolved[m]
    if not isinstance(ref, Ref) or ref.object_id is None or state.get(ref.object_id).is_alive:
        return False
    while m >= 2 and isinstance(resolved[m - 1], Break) and resolved[m - 1].word in LIST_BREAKS \
            and isinstance(resolved[m - 2], Ref):
        m -= 2
        link = resolved[m - 1] if m > 0 else None
        # (worn or carried: "in safety goggles and a lab coat"; "above the fireplace and a sofa
        # faces it" joins a clause)
        if isinstance(link, Prep) and link.word == "with" or isinstance(link, Rel) and link.phrase.predicate == "inside":
            return True
    return False


def _follows_aside(resolved: list, clause_start: int) -> bool:
    """Whether the clause at `clause_start` comes after its subject and an aside between commas
    ("The diver, in a wetsuit and flippers, floats ...")."""
    commas = [m for m in range(clause_start) if isinstance(resolved[m], Break) and resolved[m].word == ","]
    return (len(commas) >= 2 and commas[-1] == clause_start - 1 and commas[-2] == 1
            and isinstance(resolved[0], Ref) and resolved[0].object_id is not None)


def _sentence_subject(resolved: list, k: int, state: State | None = None, start: int = 0) -> list[Ref]:
    """The sentence's first object before `k` (from `start`) that nothing places, as a one-item list."""
    return [r for m, r in enumerate(resolved[:k]) if m >= start
            and isinstance(r, Ref) and r.object_id is not None and not _placed(resolved, m, state)][:1]


def comma_clause_subject(resolved: list, k: int, state: State) -> list[Ref]:
    """Who does what a participle after a comma at `k` says: the subject of the clause the comma
    ends ("a ladder leans against a shelf, and a student stands on it, pulling a volume": the
    student), else the sentence's."""
    joins = [m for m in range(k - 1) if isinstance(resolved[m], Break) and resolved[m].word not in (",", "&")]
    # the latest clause with a subject of its own: an "and" inside a list ("kneels on it with a
    # palm and needle, sewing a patch") opens none
    for join in reversed(joins):
        found = _sentence_subject(resolved, k, state, join + 1)
        if found:
            return found
    return _sentence_subject(resolved, k, state)


def coordinated_agent(resolved: list, k: int) -> str | None:
    """The agent of the action before "and" when the action at `k` follows it with no subject of
    its own ("holds a lamp and opens the gate"); None otherwise."""
    if not (k > 1 and isinstance(resolved[k - 1], Break) and resolved[k - 1].word == "and"):
        return None
    for m in range(k - 2, -1, -1):
        if isinstance(resolved[m], Action):
            return resolved[m].agent
        if isinstance(resolved[m], Break) and resolved[m].word not in LIST_BREAKS:
            return None
    return None


def _with_absolute(resolved: list, k: int, state: State) -> bool:
    """"..., with a gray cat peering out", "a woman with a dog pulling at its leash": someone
    named after "with" right before a participle is who does it."""
    return (k >= 2 and isinstance(resolved[k - 2], Prep) and resolved[k - 2].word == "with"
            and isinstance(resolved[k - 1], Ref) and resolved[k - 1].object_id is not None
            and state.get(resolved[k - 1].object_id).is_alive)
