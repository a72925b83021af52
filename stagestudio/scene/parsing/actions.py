"""Action relations: an action's agent and object ("an astronaut riding a horse"), and what an
action whose own object is not drawn is aimed at ("spraying water on a burning car")."""

from __future__ import annotations

from functools import lru_cache

from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.agents import (
    choose_agent,
    co_agents,
    comma_clause_subject,
)
from stagestudio.scene.parsing.items import Action, Break, Possessive, Prep, Rel
from stagestudio.scene.parsing.parts import part_head
from stagestudio.scene.parsing.positions import HOLDING, LIST_BREAKS
from stagestudio.scene.parsing.reference import antecedent
from stagestudio.scene.parsing.state import Ref, State

AIMING_PREPOSITIONS = {"from", "into", "onto", "to", "toward", "towards", "on", "over"}

# WordNet kinds of made things that move or grip what they hold, as the ids of the wholes each
# kind's own sense is: a robot or android holds as a person does, a crane or hoist lifts, and a
# vehicle, boat or lift carries its load ("a forklift carries a pallet" is carrying, not inside)
_GRIPPING_KINDS = ("automaton", "lifting device")
_CONVEYING_KINDS = ("conveyance",)
_TRANSPORT_VERBS = {"carrying", "bearing"}


@lru_cache(maxsize=4)  # a fixed few kinds, asked for at every holding action
def _kind_ids(kinds: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(s.wholes for k in kinds for s in english.noun_senses(k) if s.lexfile == english.ARTIFACT))


def _acts_as_carrier(name: str, predicate: str) -> bool:
    """Whether a made thing that holds something is doing so as an agent (a robot, a crane, a
    truck carrying) rather than as a holder (a bowl, a shelf, a table); by its first made sense.
    A vehicle only carries: "a cart holding groceries" stays a holder of what is in it."""
    sense = next((s for s in english.noun_senses(name) if s.lexfile == english.ARTIFACT), None)
    if sense is None:
        return False
    if sense.wholes & _kind_ids(_GRIPPING_KINDS):
        return True
    return predicate.split()[0] in _TRANSPORT_VERBS and bool(sense.wholes & _kind_ids(_CONVEYING_KINDS))


def aimed_at_position(resolved: list, k: int, state: State | None = None) -> int | None:
    """For the action at `k` whose object was dropped ("spraying water", "pouring latte art"),
    the index of the relation or preposition that names what it is aimed at ("on a car",
    "into a cup", "from a saucer", "for a couple"), or of the one who is fed ("feeding fish to a
    sea lion"); None otherwise."""
    recipient = _recipient_at(resolved, k, state)
    if recipient is not None:
        return recipient
    if resolved[k].dropped_object:
        k -= 1  # the object was not even read as a noun phrase ("spraying water on ...")
    elif not (k + 1 < len(resolved) and isinstance(resolved[k + 1], Ref) and resolved[k + 1].object_id is None
              and resolved[k + 1].acted_whole is None):
        return None  # (a part acted on is not dropped: "strokes its back" reaches the dog)
    m = k + 2
    while m + 1 < len(resolved) and isinstance(resolved[m], Prep) and resolved[m].word == "of" \
            and isinstance(resolved[m + 1], Ref) and resolved[m + 1].object_id is None:
        m += 2  # what a dropped portion is of ("pouring a splash of rum into a glass")
    first = _aim_at(resolved, m)
    if first is None and _undrawn_aim(resolved, m):
        # "pouring hot water over the leaves in a clay pot": what it lands on is a mass, so it is
        # aimed at that mass's holder
        first = _aim_at(resolved, m + 2)
    if first is not None and isinstance(resolved[first], Prep) and resolved[first].word == "from":
        # "pouring liquid from a beaker into a flask": where it goes, rather than where it comes from
        return _aim_at(resolved, first + 2) or first
    return first


def _recipient_at(resolved: list, k: int, state: State | None) -> int | None:
    """The "to"/"for" before a person or an animal who receives what the action at `k` gives:
    whatever is poured or served "for" someone ("pouring wine for a couple"), and the food of a
    verb of feeding "to" someone ("feeding fish to a sea lion": the sea lion is fed; "handing a
    parcel to a woman" hands the parcel)."""
    m = k + 1 if resolved[k].dropped_object else k + 2
    if state is None or m + 1 >= len(resolved) or not isinstance(resolved[m], Prep):
        return None
    target = resolved[m + 1]
    if not (isinstance(target, Ref) and target.object_id is not None and (
            state.get(target.object_id).is_alive or english.has_sense_of(state.get(target.object_id).word, english.ANIMAL))):
        return None  # (who is fed is alive, in a later sense too: "a fish to a seal")
    dropped = resolved[k].dropped_object or isinstance(resolved[k + 1], Ref) and resolved[k + 1].object_id is None
    feeding = english.verb_category(english.verb_lemma(resolved[k].predicate.split()[0]) or "") == english.CONSUMPTION
    return m if resolved[m].word == "for" and dropped or resolved[m].word in ("to", "for") and feeding else None


def _undrawn_aim(resolved: list, m: int) -> bool:
    """Whether a contact or direction word at `m` aims at something not drawn ("over the leaves")
    with a place phrase right after it ("in a clay pot")."""
    return (m + 3 < len(resolved) and (isinstance(resolved[m], Prep) and resolved[m].word in AIMING_PREPOSITIONS
                                        or isinstance(resolved[m], Rel) and resolved[m].phrase.kind == "object")
            and isinstance(resolved[m + 1], Ref) and resolved[m + 1].object_id is None and resolved[m + 1].owner is None
            and isinstance(resolved[m + 2], Rel))


def _aim_at(resolved: list, m: int) -> int | None:
    """`m` when a relation or preposition there names a drawn thing an action is aimed at."""
    if m + 1 >= len(resolved):
        return None
    link, target = resolved[m], resolved[m + 1]
    # contact and direction ("on a car", "into a cup"), not a place ("eating dinner around a table")
    # ("fanning the coals under a grill": the grill)
    aims = (isinstance(link, Rel) and link.phrase.kind == "object"
            and link.phrase.predicate in ("on", "inside", "above", "below")
            or isinstance(link, Prep) and link.word in AIMING_PREPOSITIONS)
    if (isinstance(target, Ref) and target.object_id is None and m + 3 < len(resolved)
            and isinstance(resolved[m + 2], Possessive) and isinstance(resolved[m + 3], Ref)):
        target = resolved[m + 3]  # "into his cat's bowl": the bowl, whoever owns it
    return m if aims and isinstance(target, Ref) and target.object_id is not None else None


def more_action_objects(resolved: list, k: int) -> list[int]:
    """The positions of the objects listed after an action's first one ("and a white scarf"),
    up to one that is the subject of an action of its own ("... and a man walking a dog")."""
    found: list[int] = []
    if resolved[k].mutual:
        return found
    m = k + 1
    while (m + 2 < len(resolved) and isinstance(resolved[m], Ref) and isinstance(resolved[m + 1], Break)
           and resolved[m + 1].word in LIST_BREAKS and isinstance(resolved[m + 2], Ref)):
        if m + 3 < len(resolved) and isinstance(resolved[m + 3], Action):
            break
        if resolved[m + 1].word == "," and m + 3 < len(resolved) and isinstance(resolved[m + 3], Rel):
            # "reads a textbook, her phone on the desk": a comma clause that places its own
            # noun is an aside about the scene, no second thing read
            break
        m += 2
        if resolved[m].object_id is not None and resolved[m].pronoun is None:
            found.append(m)
    return found














def _acted_on(resolved: list, m: int) -> Ref | None:
    """What the action whose object phrase is at `m` acts on: the phrase's object; the thing after
    a possessive that is no part of its owner ("holds the dog's leash": the leash); the owner of
    a part ("strokes its back": the dog, as "brushing a horse's mane" is the horse)."""
    nxt = resolved[m] if m < len(resolved) else None
    if not isinstance(nxt, Ref):
        return None
    if (m + 2 < len(resolved) and isinstance(resolved[m + 1], Possessive) and isinstance(resolved[m + 2], Ref)
            and resolved[m + 2].object_id is not None):
        return resolved[m + 2]
    if nxt.object_id is None:
        return Ref(nxt.acted_whole) if nxt.acted_whole is not None else None
    return nxt




def _relate_passive(resolved: list, k: int, agent: Ref, predicate: str, state: State) -> None:
    """"a carriage pulled by two horses": the horses pull the carriage, the phrase the participle
    follows; after a comma ("a plow in a field, guided by a farmer") the clause's subject."""
    prev = resolved[k - 1] if k > 0 else None
    if (k >= 3 and isinstance(resolved[k - 2], Rel) and resolved[k - 2].phrase.kind == "contents"
            and isinstance(resolved[k - 3], Ref) and resolved[k - 3].object_id is not None):
        prev = resolved[k - 3]  # "a basket of apples carried by a girl": she carries the basket
    patient = [prev] if isinstance(prev, Ref) and prev.object_id is not None else comma_clause_subject(resolved, k, state)
    if not patient or agent.object_id is None:
        return
    agent_id = agent.object_id if agent.pronoun is None else antecedent(
        agent.pronoun, resolved, k + 1, state, exclude={patient[0].object_id})
    if agent_id is not None:
        _relate_acting(agent_id, predicate, patient[0].object_id, state)


def _relate_mutual(resolved: list, k: int, predicate: str, state: State) -> None:
    """"an umpire and a manager yelling at each other": each one named in the subject acts on
    every other one. One group ("two chairs facing each other") relates nothing: its members
    are one object."""
    agent = resolved[k - 1] if k > 0 else None
    if not (isinstance(agent, Ref) and agent.object_id is not None):
        return
    group = [agent.object_id, *(other.object_id for other in co_agents(resolved, k, agent))]
    for subject_id in group:
        for obj_id in group:
            if subject_id != obj_id:
                _relate_acting(subject_id, predicate, obj_id, state)


def _relate_acting(subject_id: str, predicate: str, obj_id: str, state: State) -> None:
    obj = state.get(obj_id)
    if obj.name == "computer mouse" and obj.surface in ("mouse", "mice") and english.is_animate(
            state.get(subject_id).name) and state.get(subject_id).name != "person":
        # "a cat chasing a mouse": an animal's mouse is the animal
        obj.name, obj.is_class = "mouse", False
    state.relate(subject_id, predicate, obj_id)


def _indirect_object(resolved: list, k: int, state: State) -> int | None:
    """"hands her a cup", "feeds the seal a fish": a verb with someone and then a thing after it
    acts on the thing given, except a verb of feeding, which feeds the one fed; None otherwise."""
    if not (k + 2 < len(resolved) and isinstance(resolved[k + 1], Ref) and isinstance(resolved[k + 2], Ref)
            and resolved[k + 2].object_id is not None and resolved[k + 2].pronoun is None):
        return None
    first = resolved[k + 1]
    if not (first.pronoun == "person" or first.object_id is not None and state.get(first.object_id).is_alive):
        return None  # ("with its dark brown body feathers": one phrase read as two)
    lemma = english.verb_lemma(resolved[k].predicate.split()[0]) or ""
    return k + 1 if english.verb_category(lemma) == english.CONSUMPTION else k + 2




def hold_instead(subject_id: str, predicate: str, obj_id: str, state: State) -> bool:
    """Whether a thing that "holds" something is its holder rather than an agent, and if so
    relate what it holds to it ("a glass bowl holds three eggs", "a side table holds books"; by
    its drawn sense: "a desk organizer holding pens" is a tray, not an organiser)."""
    subject = state.get(subject_id)
    if predicate.split()[0] not in HOLDING or subject.is_alive or _acts_as_carrier(subject.name, predicate):
        return False
    inside = english.is_container(subject.name) or subject.name in ("bowl", "cup", "vase", "bottle")
    state.relate(obj_id, "inside" if inside else "on", subject_id)
    state.held.add(obj_id)
    return True


def relate_action(resolved: list, k: int, clause_start: int, predicate: str, state: State, *,
                   target: int | None = None) -> None:
    """"an astronaut riding a horse": the action's subject is the clause's latest object (the
    one the verb follows), its object the phrase right after the verb (or at `target`)."""
    if resolved[k].mutual:
        _relate_mutual(resolved, k, predicate, state)
        return
    if target is None:
        target = _indirect_object(resolved, k, state)
    nxt = _acted_on(resolved, target if target is not None else k + 1)
    if nxt is None:
        return
    if resolved[k].passive:
        _relate_passive(resolved, k, nxt, predicate, state)
        return
    before = [r for r in resolved[clause_start:k] if isinstance(r, Ref) and r.object_id is not None]
    owner = part_head(resolved, clause_start, k)
    if not before and owner is not None and not resolved[k].fronted:
        # "Its long beak points at a fish": the bird does what its part does
        obj_id = nxt.object_id if nxt.pronoun is None else antecedent(nxt.pronoun, resolved, k + 1, state,
                                                                     exclude={owner})
        state.relate(owner, predicate, obj_id)
        return
    agent = choose_agent(resolved, k, clause_start, nxt, state)
    if agent is None:
        return
    subject_id = agent.object_id
    obj_id = nxt.object_id
    if nxt.pronoun is not None:
        obj_id = antecedent(nxt.pronoun, resolved, k + 1, state, exclude={subject_id}, word=nxt.pronoun_word)
    if obj_id is None:
        return
    if hold_instead(subject_id, predicate, obj_id, state):
        return
    _relate_acting(subject_id, predicate, obj_id, state)
    resolved[k].agent = subject_id
    for other in co_agents(resolved, k, agent):
        _relate_acting(other.object_id, predicate, obj_id, state)  # "a puppy and a toddler tugging on a rope"
