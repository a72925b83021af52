"""Relate: a sentence's resolved items -> relations between objects."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import (
    Action,
    Adjectives,
    Break,
    Item,
    Measure,
    NounPhrase,
    Possessive,
    Prep,
    Rel,
)
from stagestudio.scene.parsing.relations import DIRECTIONAL, POSITIONAL, RelPhrase
from stagestudio.scene.parsing.state import Ref, State, resolve_phrase
from stagestudio.scene.parsing.words import hyphen_colour


def _anchors_relation(phrase: RelPhrase, np_: NounPhrase) -> bool:
    """Whether a noun outside the classes right after `phrase` is the relation's object.

    A thing the lexicon knows is, whatever the relation: "a fox asleep beneath an oak tree",
    "a frog on a lily pad", "a cat next to a lamp", "a basket of bread". Setting words and
    places are not ("on the grass", "in a park", "under a blue sky"), nor abstractions. After
    a bare "in" only a container is ("flowers in a vase", not "a knight in armour"). A word the
    lexicon does not know is an object only after a positional predicate ("a cat next to a
    pikachu"), where nothing else can be meant."""
    if np_.kind in (NounKind.ABSTRACT, NounKind.PLACE, NounKind.UNIT) or np_.head in lx.SETTING_NOUNS:
        return False
    if phrase.kind == "contents":
        return True
    if phrase.needs_class_object:
        return english.is_container(np_.head)
    if np_.kind == NounKind.UNKNOWN:
        return phrase.predicate in POSITIONAL
    return True


_PART_PREPOSITIONS = {"with", "has", "have", "having"}


_PART_PLACES = {"front", "rear", "back", "left", "right", "top", "bottom", "upper", "lower", "side", "inner", "outer"}


def _owner_of_part(np_: NounPhrase, prev: object, state: State, subject: str | None | bool) -> str | None:
    """The object whose part a definite relation object names ("a dog beside the front tire"
    after a truck was mentioned), or None. Only for a part no object of that name exists for."""
    if not isinstance(prev, Rel) or np_.determiner != "definite" or np_.possessive or np_.pronoun is not None:
        return None
    surface = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    if not english.is_part(surface) or any(o.name == np_.head for o in state.objects):
        return None
    senses = english.noun_senses(surface)
    # a body part, or a part named by its place on the whole ("the front tire"); "the door" may
    # well be a door of its own
    if not (set(np_.modifiers) & _PART_PLACES or senses and senses[0].lexfile == english.BODY):
        return None
    return state.latest(exclude={subject} if isinstance(subject, str) else set())


def _part_owner(np_: NounPhrase, prev: object, last_kept: str | None) -> str | None:
    """The object a part or something worn belongs to, or None when `np_` is not one: "a mug
    with its handle", "a bench with four sturdy legs", "the dog's tail", "a knight in shining
    armour"."""
    if last_kept is None or np_.is_class or np_.pronoun is not None:
        return None
    if not (english.is_part(np_.head) or english.is_worn(np_.head)):
        return None
    owned = (isinstance(prev, Possessive) or np_.possessive
             or isinstance(prev, Prep) and prev.word in _PART_PREPOSITIONS
             or isinstance(prev, Rel) and prev.phrase.needs_class_object and english.is_worn(np_.head))
    return last_kept if owned else None


def process_sentence(items: list[Item], state: State, counter: list[int]) -> None:
    # Pass 2: resolve noun phrases. A class noun is always an object. A noun outside the
    # classes ("castle", "lamp", "tree") is an object only where it is what the clause is
    # about: its first object ("a castle on a hill", "a photo of a castle"), or the object of
    # a positional relation ("a cat next to a lamp", see _anchors_relation). Elsewhere it is a
    # detail or the setting ("a dog with a red collar", "in a park", "adds a splash of colour").
    resolved: list[Item | Ref] = []
    last_kept: str | None = None
    kept_in_clause = False
    inverted_clause = True  # the clause opened with a relation ("Above the sheep hangs a lantern")
    dropped_before_of: str | None = None  # head of a dropped phrase right before "of"
    pending_measures: list[str] = []
    last_was_detail = False  # the latest noun phrase was dropped as a detail of an object
    for k, item in enumerate(items):
        if isinstance(item, Break):
            kept_in_clause = False
        if isinstance(item, (Break, Rel)):
            inverted_clause = isinstance(item, Rel) and (k == 0 or isinstance(items[k - 1], Break))
        if isinstance(item, Adjectives) and k > 0 and isinstance(items[k - 1], Prep):
            last_was_detail = True  # "with mustard": a colour-like word read as a detail
        if isinstance(item, Measure):
            # "each measuring 150 centimeters in length": a size of the object described
            if last_kept is not None:
                state.get(last_kept).measurements.append(item.text)
            else:
                pending_measures.append(item.text)
            resolved.append(item)
            continue
        if isinstance(item, NounPhrase):
            prev = items[k - 1] if k > 0 else None
            nxt = items[k + 1] if k + 1 < len(items) else None
            owner_id = _part_owner(item, prev, last_kept if last_kept is not None or not item.possessive
                                   else state.latest())
            if owner_id is not None:
                owner = state.get(owner_id)
                if item.head in lx.COLOUR_BEARING_PARTS:
                    # "a cow with blue fur": the part's colour is the object's
                    owner.modifiers.extend(w for w in item.modifiers if w not in owner.modifiers
                                           and (w in lx.COLOR_WORDS or hyphen_colour(w) or w in lx.MATERIAL_WORDS))
                if item.text() not in owner.parts:
                    owner.parts.append(item.text())
                resolved.append(Ref(None))
                continue
            detail = False
            if isinstance(prev, Possessive):
                detail = True
            elif isinstance(prev, Prep) and (last_kept is not None or item.determiner == "none"):
                # "a desk with a lamp" draws the lamp; "with a red collar", "with mustard" are details
                detail = not (prev.word == "with" and item.kind == NounKind.THING and item.determiner != "none"
                              and item.head not in lx.SETTING_NOUNS)
            elif isinstance(prev, Rel):
                detail = not _anchors_relation(prev.phrase, item)
            elif isinstance(prev, Action):
                detail = item.kind not in (NounKind.THING, NounKind.WEAK, NounKind.UNKNOWN)
            elif isinstance(prev, Prep) and prev.word == "of" and dropped_before_of is not None:
                detail = True  # "the warm glow of the setting sun", "a sense of calm": a quality's owner
            elif kept_in_clause and not (inverted_clause and k >= 2 and isinstance(items[k - 2], Rel)):
                detail = True
            elif (last_was_detail and isinstance(prev, Break) and prev.word in (",", "and", "or", "&")
                  and item.determiner == "none" and item.count is None and not item.is_class):
                detail = True  # "with mustard and ketchup": the list goes on with details
            possessor = isinstance(nxt, Possessive) and nxt.word == "'s"
            if (detail and not item.is_class and item.head in lx.COLOUR_BEARING_PARTS and last_kept is not None
                    and (isinstance(prev, Prep) and prev.word == "with" or isinstance(prev, Possessive))):
                # "a cow with blue fur", "a car whose paint is red": the part's colour is the object's
                owner = state.get(last_kept)
                owner.modifiers.extend(w for w in item.modifiers if w not in owner.modifiers
                                       and (w in lx.COLOR_WORDS or hyphen_colour(w) or w in lx.MATERIAL_WORDS))
            whole = _owner_of_part(item, prev, state, kept_in_clause and last_kept)
            if whole is not None:
                # "beside the front tire", "on the seat": a relation to a part is one to its owner
                resolved.append(Ref(whole))
                continue
            ref = resolve_phrase(item, state, counter, detail=detail, reference_only=possessor,
                                 anchored=isinstance(prev, (Rel, Action)))
            ref.attached = isinstance(prev, Prep) and last_kept is not None
            last_was_detail = detail and ref.object_id is None and isinstance(prev, (Prep, Possessive))
            dropped_before_of = (item.head if ref.object_id is None and item.head not in lx.DEPICTION_NOUNS
                                 and isinstance(nxt, Prep) and nxt.word == "of" else None)
            if ref.object_id is not None:
                last_kept = ref.object_id
                kept_in_clause = True
                state.get(last_kept).measurements.extend(pending_measures)
                pending_measures.clear()
            resolved.append(ref)
        else:
            resolved.append(item)

    def kept(x: object) -> bool:
        return isinstance(x, Ref) and x.object_id is not None

    # Pass 3: relations.
    clause_start = 0
    for k, item in enumerate(resolved):
        if isinstance(item, Break):
            clause_start = k + 1
            continue
        if isinstance(item, Adjectives):
            prev = resolved[k - 1] if k > 0 else None
            if not item.colour_phrase and (
                    isinstance(prev, Prep) or (isinstance(prev, Rel) and not prev.phrase.needs_class_object)):
                continue  # "with mustard", "of gold": a detail, not the object's colour
            before = [r for r in resolved[:k] if kept(r)]
            after = [r for r in resolved[k + 1:] if kept(r)]
            target = before[-1] if before else (after[0] if after else None)
            if target is not None:
                obj = state.get(target.object_id)  # type: ignore[union-attr]
                obj.modifiers.extend(w for w in item.words if w not in obj.modifiers)
            continue
        if isinstance(item, Action):
            _relate_action(resolved, k, clause_start, item.predicate, state)
            continue
        if not isinstance(item, Rel):
            continue
        phrase = item.phrase
        if phrase.kind == "contents":
            # "a basket of bread": the bread (after) is inside the basket (before)
            container = resolved[k - 1] if k > 0 else None
            contents = resolved[k + 1] if k + 1 < len(resolved) else None
            if kept(container) and kept(contents):
                state.relate(contents.object_id, phrase.predicate, container.object_id)  # type: ignore[union-attr]
            continue
        state.seen_predicates.append(phrase.predicate)
        in_clause = [r for r in resolved[clause_start:k] if kept(r)]
        in_sentence_before = [r for r in resolved[:k] if kept(r)]
        following = [(m, r) for m, r in enumerate(resolved) if m > k and kept(r)]

        if phrase.kind == "owner_before":
            # "... the bench's left": owner is the phrase right before; subject the one before it
            owner = resolved[k - 1] if k > 0 and kept(resolved[k - 1]) else None
            if owner is None:
                continue
            earlier = [r for r in resolved[clause_start:k - 1] if kept(r)]
            subject = earlier[-1] if earlier else (following[0][1] if following else None)
            if subject is not None:
                state.relate(subject.object_id, phrase.predicate, owner.object_id)  # type: ignore[union-attr]
            continue

        if phrase.kind == "owner_pronoun":
            if in_clause:
                subject_id = in_clause[-1].object_id  # type: ignore[union-attr]
            elif following:
                subject_id = following[0][1].object_id  # type: ignore[union-attr]
            else:
                continue
            owner_id = _antecedent(resolved, k, state, exclude={subject_id})
            state.relate(subject_id, phrase.predicate, owner_id)
            continue

        if phrase.kind == "sequence":
            listed = [r for _, r in following] or in_sentence_before
            for first, second in zip(listed, listed[1:]):
                state.relate(first.object_id, phrase.predicate, second.object_id)  # type: ignore[union-attr]
            continue

        if phrase.kind in ("absolute", "dangling"):
            if in_clause:
                placed = in_clause[-1].object_id  # type: ignore[union-attr]
            else:
                right_after = resolved[k + 1] if k + 1 < len(resolved) else None
                before = resolved[k - 1] if k > 0 else None
                new_clause = not isinstance(before, Break) or before.word not in (",", "(")
                if kept(right_after):
                    # "on the right is a dog", "on the left there is a cat"
                    placed = right_after.object_id  # type: ignore[union-attr]
                elif in_sentence_before and not new_clause:
                    # "A dog, on the left, and ...", "a dog (on the left)": an aside about the one before
                    placed = in_sentence_before[-1].object_id  # type: ignore[union-attr]
                elif following:
                    # "On the left, a cat", "..., and on the right, a dog"
                    placed = following[0][1].object_id  # type: ignore[union-attr]
                elif in_sentence_before:
                    placed = in_sentence_before[-1].object_id  # type: ignore[union-attr]
                else:
                    continue
            state.placements.append((placed, phrase.predicate))  # type: ignore[arg-type]
            continue

        # an ordinary relation: its object is the noun phrase right after it
        nxt = resolved[k + 1] if k + 1 < len(resolved) else None
        if not isinstance(nxt, Ref):
            # "a kite with a dog below": the object is implicit; treat it as a placement
            if phrase.predicate in ("left of", "right of", "above", "below") and in_clause:
                state.placements.append((in_clause[-1].object_id, phrase.predicate))  # type: ignore[arg-type]
            continue
        if nxt.object_id is None:
            continue  # "in a park": the object was dropped, so is the relation
        # a pronoun object ("below it") is resolved after the subject is known
        obj_id = nxt.object_id if nxt.pronoun is None else None
        subject_ref: Ref | None = None
        candidates = [r for r in in_clause if r.object_id != obj_id]  # type: ignore[union-attr]
        # "a table with a suitcase resting on it": with a pronoun object the latest object is
        # the subject even when it hangs off another by "with"
        main = [r for r in candidates if not r.attached or nxt.pronoun is not None]  # type: ignore[union-attr]
        if nxt.pronoun == "person":
            # "a pot simmering on the stove behind him": the clause's subject, not the stove
            main = [r for r in main if not isinstance(resolved[resolved.index(r) - 1], Rel)] or main
        if main or candidates:
            subject_ref = (main or candidates)[-1]  # type: ignore[assignment]
        else:
            # inverted order: "Below the tv, a clock hangs"
            after_obj = [r for m, r in following if m > k + 1 and r.object_id != obj_id]  # type: ignore[union-attr]
            if after_obj:
                subject_ref = after_obj[0]  # type: ignore[assignment]
            else:
                earlier = [r for r in in_sentence_before if r.object_id != obj_id]  # type: ignore[union-attr]
                if earlier:
                    subject_ref = earlier[-1]  # type: ignore[assignment]
        if subject_ref is None:
            continue
        subject_id = subject_ref.object_id
        if nxt.pronoun is not None:
            obj_id = _antecedent(resolved, k + 1, state, exclude={subject_id},  # type: ignore[arg-type]
                                 plural=nxt.pronoun == "they", person=nxt.pronoun == "person")
        for member in _listed_with(resolved, clause_start, subject_ref, obj_id):
            # "a wallet, a pen and car keys on a desk": the place phrase describes every member
            state.relate(member, phrase.predicate, obj_id)
        state.relate(subject_id, phrase.predicate, obj_id)


def _antecedent(resolved: list, position: int, state: State, *, exclude: set[str],
                plural: bool | None = None, person: bool = False) -> str | None:
    """What "it"/"its" at `position` refers to: the latest object mentioned before it, preferring
    one that was not itself a relation's object ("a backpack hangs on a hook, and a cat naps
    underneath it": the backpack)."""
    if person:
        # "behind him": the latest person (or animal), wherever the sentence put it
        return state.latest(exclude=exclude, person=True)
    candidates = [(m, item) for m, item in enumerate(resolved[:position])
                  if isinstance(item, Ref) and item.object_id is not None and item.object_id not in exclude
                  and item.pronoun is None]
    subjects = [item for m, item in candidates if not (m > 0 and isinstance(resolved[m - 1], (Rel, Action)))]
    if subjects:
        return subjects[-1].object_id
    if candidates:
        return candidates[-1][1].object_id
    return state.latest(exclude=exclude, plural=plural)


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


_HOLDING = {"holding", "containing", "cradling", "carrying", "supporting", "bearing"}


def _listed_with(resolved: list, clause_start: int, subject: Ref, obj_id: str | None) -> list[str]:
    """Objects listed before `subject` in the same sentence ("a wallet, a pen and car keys"):
    kept noun phrases separated only by commas and "and", right up to the subject's clause."""
    if clause_start < 2 or resolved[clause_start] is not subject:
        return []
    members: list[str] = []
    k = clause_start - 1
    while k >= 1 and isinstance(resolved[k], Break) and resolved[k].word in (",", "and", "&"):
        ref = resolved[k - 1]
        if not (isinstance(ref, Ref) and ref.object_id is not None and ref.pronoun is None) or ref.object_id == obj_id:
            return []
        members.append(ref.object_id)
        k -= 2
        if k >= 0 and not isinstance(resolved[k], Break):
            break
    if k >= 0 and (isinstance(resolved[k], (Rel, Action)) or isinstance(resolved[k], Ref) and resolved[k].object_id):
        return []  # the list is itself a relation's object ("a table holds books and a cup on it")
    # "a jar and a cat asleep on a couch" may be about the cat alone; a longer list with commas
    # ("a wallet, a pen and car keys on a desk") is one group
    return members if len(members) >= 2 else []


def _relate_action(resolved: list, k: int, clause_start: int, predicate: str, state: State) -> None:
    """"an astronaut riding a horse": the action's subject is the clause's latest object (the
    one the verb follows), its object the phrase right after the verb."""
    nxt = resolved[k + 1] if k + 1 < len(resolved) else None
    if not isinstance(nxt, Ref) or nxt.object_id is None:
        return
    before = [r for r in resolved[clause_start:k] if isinstance(r, Ref) and r.object_id is not None]
    if not before:
        before = [r for r in resolved[:k] if isinstance(r, Ref) and r.object_id is not None]
    main = [r for r in before if not r.attached and r.object_id != nxt.object_id]
    candidates = main or [r for r in before if r.object_id != nxt.object_id]
    # the agent is what the clause is about, not the object of a place phrase ("a monkey sitting
    # on a branch eating a banana")
    agents = [r for r in candidates
              if not (resolved.index(r) > 0 and isinstance(resolved[resolved.index(r) - 1], (Rel, Action)))]
    candidates = agents or candidates
    if not candidates:
        return
    subject_id = candidates[-1].object_id
    obj_id = nxt.object_id
    if nxt.pronoun is not None:
        obj_id = _antecedent(resolved, k + 1, state, exclude={subject_id}, plural=nxt.pronoun == "they")
    if obj_id is None:
        return
    obj = state.get(obj_id)
    subject = state.get(subject_id)
    if predicate.split()[0] in _HOLDING and not english.is_animate(subject.name) and subject.name != "person":
        # "a glass bowl holds three eggs", "a side table holds books": a holder, not an agent
        inside = english.is_container(subject.name) or subject.name in ("bowl", "cup", "vase", "bottle")
        state.relate(obj_id, "inside" if inside else "on", subject_id)
        return
    if obj.name == "computer mouse" and obj.surface in ("mouse", "mice") and english.is_animate(
            state.get(subject_id).name) and state.get(subject_id).name != "person":
        # "a cat chasing a mouse": an animal's mouse is the animal
        obj.name, obj.is_class = "mouse", False
    state.relate(subject_id, predicate, obj_id)
