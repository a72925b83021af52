"""Relate: a sentence's resolved items -> relations between objects (pass 3). `process_sentence`
reads one sentence: resolve (`resolve.py`), then relate."""

from __future__ import annotations

import itertools

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import is_spatial
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.actions import (
    aimed_at_position,
    more_action_objects,
    relate_action,
)
from stagestudio.scene.parsing.arc_relations import arc_relations, unread_actions
from stagestudio.scene.parsing.arcs import sentence_arcs
from stagestudio.scene.parsing.datives import prepositional_datives
from stagestudio.scene.parsing.items import (
    Action,
    Adjectives,
    Break,
    Item,
    Possessive,
    Prep,
    Rel,
    mark_neighbours,
)
from stagestudio.scene.parsing.left_out_objects import both_meant, figure_overhead_or_below
from stagestudio.scene.parsing.listing_parts import product_of_trailing_colour
from stagestudio.scene.parsing.parts import part_head
from stagestudio.scene.parsing.positions import (
    after_undrawn_subject,
    agent_of,
    between_end,
    clause_subject_ref,
    coordinated_groups,
    holder_of,
    holders_after,
    hung_on_object,
    is_contents,
    is_held,
    is_kept,
    is_placed,
    list_after,
    listed_objects,
    listed_with,
    moved_stuff,
    of_dropped_portion,
    opens_clause,
    side_anchor,
)
from stagestudio.scene.parsing.preposition_relations import (
    relate_grown_or_served_in,
    relate_seat_from,
)
from stagestudio.scene.parsing.pronoun_groups import meant_by
from stagestudio.scene.parsing.reference import antecedent
from stagestudio.scene.parsing.relations import DIRECTIONAL, POSITIONAL, RelPhrase
from stagestudio.scene.parsing.resolve import resolve_sentence
from stagestudio.scene.parsing.state import ParsedObject, Ref, State
from stagestudio.scene.parsing.with_places import with_object_places


def _alive(obj: ParsedObject) -> bool:
    return obj.is_alive


def process_sentence(items: list[Item], state: State, counter: list[int]) -> None:
    """Read one sentence: resolve its items to objects, then relate the objects; then what the
    dependency parse relates that the rules did not (`arc_relations.py`)."""
    items = prepositional_datives(items)
    resolved = resolve_sentence(items, state, counter)
    mark_neighbours(items)
    made: dict[int, list[tuple[str, str, str]]] = {}
    _relate_resolved(resolved, state, made)
    arcs = sentence_arcs(items, resolved)
    if arcs is not None:
        arc_relations(arcs, made, state)
        with_object_places(arcs, made, state)
        unread_actions(arcs, state)


def _relate_resolved(resolved: list, state: State, made: dict[int, list[tuple[str, str, str]]]) -> None:
    """Pass 3: the relations between the objects of one resolved sentence; `made` gets the
    relations each item's handling added."""
    state.coordinated.extend(coordinated_groups(resolved))
    clause_start = 0
    consumed: set[int] = set()  # relation phrases an action took over
    for k, item in enumerate(resolved):
        known = len(state.relations)
        _relate_item(k, item, resolved, state, consumed, clause_start)
        if isinstance(item, Break):
            # a relative clause is about the noun it follows: "a dome that sits on a plate"
            relative = item.word in _RELATIVE_PRONOUNS and k > 0 and is_kept(resolved[k - 1])
            # ("his little son, who grips a pole": the same, after a comma)
            after_comma = (item.word in _RELATIVE_PRONOUNS and k > 1 and isinstance(resolved[k - 1], Break)
                           and resolved[k - 1].word == "," and is_kept(resolved[k - 2]))
            clause_start = k - 1 if relative else k - 2 if after_comma else k + 1
        made[k] = state.relations[known:]


def _relate_item(k: int, item, resolved: list, state: State, consumed: set[int], clause_start: int) -> None:
    """The relations one item of the sentence makes."""
    if isinstance(item, Adjectives):
        _colour_from_adjectives(item, resolved, k, clause_start, state)
        return
    if isinstance(item, Action):
        aimed_at = aimed_at_position(resolved, k, state)
        if aimed_at is not None:
            # "spraying water on a burning car", "drinking milk from a saucer": the verb's
            # object is not drawn, so the action goes to what it is aimed at
            consumed.add(aimed_at)
            relate_action(resolved, k, clause_start, item.predicate, state, target=aimed_at + 1)
        else:
            relate_action(resolved, k, clause_start, item.predicate, state)
            for m in more_action_objects(resolved, k):
                # "wears sunglasses and a white scarf", "holds his hand and a shopping bag"
                relate_action(resolved, k, clause_start, item.predicate, state, target=m)
        return
    if isinstance(item, Prep) and item.word == "from":
        relate_seat_from(resolved, k, clause_start, state)
        return
    if isinstance(item, Prep) and item.word == "with":
        relate_grown_or_served_in(resolved, k, state)
        return
    if isinstance(item, Rel) and k not in consumed:
        _relate_phrase(item.phrase, resolved, k, clause_start, state)


def _after_with(resolved: list, ref: Ref) -> bool:
    """Whether `ref` is named right after "with" ("a piano with a rose")."""
    m = next(i for i, r in enumerate(resolved) if r is ref)
    return m > 0 and isinstance(resolved[m - 1], Prep) and resolved[m - 1].word == "with"


# WordNet's verb.body, verb.communication, verb.consumption, verb.perception: what only a living
# thing does (sleep, bark, eat, watch)
_LIVING_ACTS = frozenset({29, 32, 34, 39})


def _living_act_of_a_thing(phrase: RelPhrase, named_with: ParsedObject) -> bool:
    """Whether the participle leading `phrase` is an act only a living thing does, said after a
    thing named with "with": "a retriever with a purple bandana sleeping on a couch" is the dog's."""
    lemma = english.verb_lemma(phrase.participle.lower()) if phrase.participle else None
    return lemma is not None and english.verb_category(lemma) in _LIVING_ACTS and not _alive(named_with)


def _colour_from_adjectives(item: Adjectives, resolved: list, k: int, clause_start: int, state: State) -> None:
    """Colour words said apart from any noun ("its weathered wood faded to a soft gray") go to
    the object they describe."""
    prev = resolved[k - 1] if k > 0 else None
    if not item.colour_phrase and (
            isinstance(prev, Prep) or (isinstance(prev, Rel) and not prev.phrase.needs_class_object)):
        return  # "with mustard", "of gold": a detail, not the object's colour
    before = [r for r in resolved[:k] if is_kept(r)]
    after = [r for r in resolved[k + 1:] if is_kept(r)]
    target = before[-1] if before else (after[0] if after else None)
    product = product_of_trailing_colour(resolved, k, state)
    if product is not None:
        target = Ref(product)  # ("label printer with 3 tape rolls, blue": the printer's)
    described = next((r for r in reversed(resolved[clause_start:k]) if isinstance(r, Ref)), None)
    if described is not None and described.object_id is None:
        if described.owner is None:
            return  # "the dry earth glows orange": the colour of what is not drawn
        target = Ref(described.owner)  # "its weathered wood faded to a soft gray": the bench's
    if target is not None:
        obj = state.get(target.object_id)  # type: ignore[union-attr]
        obj.modifiers.extend(w for w in item.words if w not in obj.modifiers)


def _relate_phrase(phrase: RelPhrase, resolved: list, k: int, clause_start: int, state: State) -> None:
    """The relation phrase at `k`, by its kind: a holder's contents, a place named by its owner,
    things side by side, between or in sequence, an absolute place, or an ordinary relation."""
    if phrase.kind == "contents":
        _relate_contents(phrase, resolved, k, clause_start, state)
        return
    state.seen_predicates.append(phrase.predicate)
    in_clause = [r for r in resolved[clause_start:k] if is_kept(r)]
    in_sentence_before = [r for r in resolved[:k] if is_kept(r)]
    following = [(m, r) for m, r in enumerate(resolved) if m > k and is_kept(r)]

    if phrase.kind == "owner_before":
        # "... the bench's left": owner is the phrase right before; subject the one before it
        owner = resolved[k - 1] if k > 0 and is_kept(resolved[k - 1]) else None
        if owner is None:
            return
        earlier = [r for r in resolved[clause_start:k - 1] if is_kept(r)]
        subject = earlier[-1] if earlier else (following[0][1] if following else None)
        if subject is not None:
            state.relate(subject.object_id, phrase.predicate, owner.object_id)  # type: ignore[union-attr]
        return

    if phrase.kind == "owner_pronoun":
        members: list[str] = []
        if in_clause:
            # what the clause is about, not a holder's contents ("a bag of flour ... to her left",
            # "with a vase of daisies to their right")
            subject_ref = ([r for r in in_clause if not is_contents(resolved, r)] or in_clause)[-1]
            subject_id = subject_ref.object_id  # type: ignore[union-attr]
            members = listed_with(resolved, clause_start, subject_ref, None, state)  # type: ignore[arg-type]
        elif following:
            subject_id = following[0][1].object_id  # type: ignore[union-attr]
        else:
            return
        owner_id = _relative_head(resolved, clause_start, phrase, state, exclude={subject_id, *members}) or antecedent(
            phrase.owner or "it", resolved, k, state, exclude={subject_id, *members}, word=phrase.owner_word)
        # ("a kettle and a teapot ..., and a cat sleeps to their left": left of each)
        for owner in meant_by(phrase.owner, owner_id, state, exclude={subject_id, *members}, before=resolved[:k]):
            for member in (*members, subject_id):
                state.relate(member, phrase.predicate, owner)
            whole = state.get(owner) if owner is not None else None
            if phrase.body_part and whole is not None and _alive(whole) and phrase.body_part not in whole.parts:
                whole.parts.append(phrase.body_part)  # "a terrier sits at her feet": her feet too
        return

    if phrase.kind == "mutual":
        # "a green apple and a red apple side by side": the things just named, pairwise
        named = [r.object_id for r in in_sentence_before if not is_placed(resolved, r)]
        for first, second in itertools.pairwise(named):
            state.relate(first, phrase.predicate, second)  # type: ignore[arg-type]
        return

    if phrase.kind == "between":
        # "a puppy between two cats", "a lamp between the bed and the chair": next to each
        members = holders_after(resolved, k + 1)
        first = resolved[k + 1] if k + 1 < len(resolved) else None
        if is_kept(first) and first.pronoun is not None:  # type: ignore[union-attr]
            members = [first.object_id]  # type: ignore[union-attr]
        if in_clause:
            subject_id = in_clause[-1].object_id
        else:
            # inverted: "Between the two beds stands a lamp", "Between them, a table sits"
            after = [r for m, r in following if m > k + 1 and r.object_id not in members
                     and not isinstance(resolved[m - 1], (Rel, Action, Prep))]
            subject_id = after[0].object_id if after else None
            heads = [r for r in in_sentence_before if r.object_id not in members and not is_placed(resolved, r)]
            if subject_id is None and heads and isinstance(resolved[k - 1], Break) and resolved[k - 1].word == ",":
                # "the trophy stands on the shelf, between a photo and a clock": an aside about
                # what the sentence is about
                subject_id = heads[0].object_id
        if is_kept(first) and first.pronoun == "they" and state.get(members[0]).count == 1:  # type: ignore[union-attr]
            # "a sofa faces a fireplace. Between them, a table": "them" are the two things just named
            other = antecedent("it", resolved, k + 1, state, exclude={members[0], subject_id})  # type: ignore[arg-type]
            members = [members[0], other] if other is not None else members  # type: ignore[list-item]
        for member in members:
            state.relate(subject_id, phrase.predicate, member)  # type: ignore[arg-type]
        return

    if phrase.kind == "sequence":
        # the list after it ("from left to right: a toaster, a kettle and a microwave on the
        # counter": not the counter), else the things named before it
        listed = (list_after(resolved, following[0][0]) if following
                  else [r.object_id for r in in_sentence_before])  # type: ignore[misc]
        for first, second in itertools.pairwise(listed):
            state.relate(first, phrase.predicate, second)
        return

    if phrase.kind == "dangling" or (phrase.kind == "object" and _left_out(phrase) and not isinstance(
            resolved[k + 1] if k + 1 < len(resolved) else None, Ref)):
        # "a stack of pancakes with a strawberry on top", "each with a mirror above", "a wok
        # with a spatula resting inside": the object left out is what the subject hangs on
        subject_ref = in_clause[-1] if in_clause else None
        figure = figure_overhead_or_below(phrase, resolved, k, subject_ref, state)
        if figure is not None:  # "an umbrella propped overhead": above the one it shades
            state.relate(subject_ref.object_id, phrase.predicate, figure)  # type: ignore[union-attr]
            return
        hung_on = hung_on_object(resolved, subject_ref)
        if hung_on is not None:
            state.relate(subject_ref.object_id, phrase.predicate, hung_on)  # type: ignore[union-attr]
            return
    if phrase.kind in ("absolute", "dangling"):
        if in_clause:
            placed = in_clause[-1].object_id  # type: ignore[union-attr]
        else:
            right_after = resolved[k + 1] if k + 1 < len(resolved) else None
            before = resolved[k - 1] if k > 0 else None
            new_clause = not isinstance(before, Break) or before.word not in (",", "(")
            if is_kept(right_after):
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
                return
        anchor = side_anchor(phrase, resolved, k, placed)
        if anchor is not None:
            state.relate(placed, phrase.predicate, anchor)  # type: ignore[arg-type]
            return
        state.placements.append((placed, phrase.predicate))  # type: ignore[arg-type]
        return

    nxt = resolved[k + 1] if k + 1 < len(resolved) else None
    if phrase.distributive and not in_clause and is_kept(nxt) and nxt.pronoun is None:  # type: ignore[union-attr]
        # "a tumbleweed left of a skull, both in front of a wheel": each thing named before it
        named = [r.object_id for r in in_sentence_before
                 if not r.attached and r.pronoun is None and r.object_id != nxt.object_id]  # type: ignore[union-attr]
        for member in dict.fromkeys(named):
            state.relate(member, phrase.predicate, nxt.object_id)  # type: ignore[union-attr]
        if named:
            return
    _relate_to_object(phrase, resolved, k, clause_start, in_clause, in_sentence_before, following, state)


def _subject_candidates(in_clause: list[Ref], obj_id: str | None, resolved: list, state: State) -> list[Ref]:
    """What in the clause may be a relation's subject: not its object, nor a pronoun another
    relation placed ("a cat sitting below it on the radiator"), nor a layer of stuff something
    lies on ("pumpkins sprawl across the straw beneath it"), unless nothing else is left."""
    candidates = [r for r in in_clause if r.object_id != obj_id]
    # the things something is between only frame it, so a place said after them is still the
    # framed thing's ("flags strung between two poles above the tents": the flags are above)
    candidates = [r for r in candidates if not between_end(resolved, r)] or candidates
    # (stuff an action moves is no such layer: "pouring a drop of acid into a beaker")
    return [r for r in candidates if not is_placed(resolved, r) or moved_stuff(resolved, r)
            or r.pronoun is None and not english.is_substance(state.get(r.object_id).word)] or candidates  # type: ignore[arg-type]


def _verbs_or_holders_subject(phrase: RelPhrase, pool: list[Ref], resolved: list, clause_start: int, k: int,
                              obj_id: str | None) -> Ref:
    """The latest of `pool`, or what stands for it: the holder of contents ("crates of crabs and
    mussels are stacked behind him": the crates), or a finite verb's subject rather than what
    it was placed by ("a microphone on a boom arm hangs in front of a couch")."""
    subject_ref = pool[-1]
    holder = holder_of(resolved, subject_ref)
    if holder is not None and holder.object_id != obj_id:
        subject_ref = holder
    unplaced = [r for r in pool if not is_placed(resolved, r)]
    # (after an action's object the "verb" is more likely a noun: "loading hay bales onto a truck")
    # ("stands in the corner to the left of the fireplace": a setting word right after another
    # noun phrase is the complement of a verb read between them, so the place is the verb's too)
    complement = k > 1 and isinstance(resolved[k - 1], Ref) and resolved[k - 1].object_id is None \
        and isinstance(resolved[k - 2], Ref)
    verbs = phrase.after_finite_verb or complement
    if verbs and unplaced and not any(isinstance(r, Action) for r in resolved[clause_start:k]):
        subject_ref = unplaced[-1]
    return subject_ref


def _relative_head(resolved: list, clause_start: int, phrase: RelPhrase, state: State, *,
                   exclude: set[str]) -> str | None:
    """In a relative clause ("a palm tree that has a kite tangled in its top"), the thing the
    clause is about, which its "its" means first; None elsewhere or when it does not agree."""
    head = resolved[clause_start] if clause_start + 1 < len(resolved) else None
    if not (is_kept(head) and isinstance(resolved[clause_start + 1], Break)
            and resolved[clause_start + 1].word in _RELATIVE_PRONOUNS):
        return None
    obj = state.get(head.object_id)  # type: ignore[union-attr]
    agrees = (obj.count == 1) == (phrase.owner == "it") if phrase.owner in ("it", "they") else obj.is_someone
    return obj.id if agrees and obj.id not in exclude else None


def _relate_contents(phrase: RelPhrase, resolved: list, k: int, clause_start: int, state: State) -> None:
    """"a basket of bread", "a bowl filled with lemons and limes": what comes after is inside
    (or on) the holder before."""
    before = [r for r in resolved[clause_start:k] if is_kept(r)]
    # right after its noun ("a basket of bread"), else after a verb: the clause's subject
    # ("a basket on the porch is full of apples")
    subject_id = clause_subject_ref(resolved[:k])
    holder = resolved[k - 1] if k > 0 and is_kept(resolved[k - 1]) and not phrase.after_verb else (
        Ref(subject_id) if subject_id is not None else (before[-1] if before else None))
    heads = [r for r in resolved[:k] if is_kept(r) and not is_placed(resolved, r)]
    if holder is None and heads and isinstance(resolved[k - 1], Break) and resolved[k - 1].word == ",":
        # "pancakes on a plate, topped with butter": an aside about the latest thing a clause was
        # about ("a gauge to its left and a mast to its right, topped with a vane": the mast)
        holder = ([r for r in heads if opens_clause(resolved, r)] or heads)[-1]
    if holder is None:
        return
    holding = state.get(holder.object_id)  # type: ignore[union-attr]
    # a serving surface carries things on it, and so does an animal; a load is on what carries
    # it ("a bicycle loaded with baskets", "a donkey laden with sacks") unless a small container
    # holds it ("a crate loaded with melons")
    small_container = english.is_container(holding.word) and not english.is_large(holding.word)
    carrier = (holding.is_alive or english.has_sense_of(holding.word, english.ANIMAL)
               or phrase.load and not small_container)
    predicate = "on" if holding.name in lx.SERVING_SURFACES or carrier else phrase.predicate
    for member in list_after(resolved, k + 1, contents=True):
        state.relate(member, predicate, holder.object_id)  # type: ignore[union-attr]
        state.held.add(member)


def _relate_to_object(phrase: RelPhrase, resolved: list, k: int, clause_start: int, in_clause: list[Ref],
                      in_sentence_before: list[Ref], following: list[tuple[int, Ref]], state: State) -> None:
    """An ordinary relation: its object is the noun phrase right after it; its subject the
    clause's (or, inverted, the one named after it), with every member listed with the subject."""
    nxt = resolved[k + 1] if k + 1 < len(resolved) else None
    if not isinstance(nxt, Ref):
        # "a kite with a dog below": the object is implicit; treat it as a placement
        if phrase.predicate in ("left of", "right of", "above", "below") and in_clause:
            state.placements.append((in_clause[-1].object_id, phrase.predicate))  # type: ignore[arg-type]
        return
    # ("around a nurse's neck": the neck went to the nurse's parts)
    via_part = nxt.via_part or (k + 3 < len(resolved) and isinstance(resolved[k + 2], Possessive)
                                and isinstance(resolved[k + 3], Ref) and resolved[k + 3].object_id is None)
    if (k + 3 < len(resolved) and isinstance(resolved[k + 2], Possessive) and isinstance(resolved[k + 3], Ref)
            and resolved[k + 3].object_id is not None):
        nxt = resolved[k + 3]  # "on the dog's bed": on the bed (a part went to the dog's parts)
    if nxt.object_id is None:
        return  # "in a park": the object was dropped, so is the relation
    # a pronoun object ("below it") is resolved after the subject is known
    obj_id = nxt.object_id if nxt.pronoun is None else None
    owner = part_head(resolved, clause_start, k)
    if owner is not None and not in_clause:
        # "The cat's tail hangs over the shelf", "its head rests on a pillow": the owner is placed
        if nxt.pronoun is not None:
            obj_id = antecedent(nxt.pronoun, resolved, k + 1, state, exclude={owner}, word=nxt.pronoun_word)
        state.relate(owner, phrase.predicate, obj_id)
        return
    subject_ref: Ref | None = None
    inverted_list: list[str] = []
    candidates = _subject_candidates(in_clause, obj_id, resolved, state)
    # "a table with a suitcase resting on it": with a pronoun object the latest object is the
    # subject even when it hangs off another by "with" (not a holder's contents: "a can full
    # of nails stands behind it" is the can)
    main = [r for r in candidates if not r.attached or of_dropped_portion(resolved, r)  # type: ignore[union-attr]
            or nxt.pronoun is not None and not is_contents(resolved, r)
            or phrase.after_participle and r is candidates[-1] and _after_with(resolved, r)
            and not _living_act_of_a_thing(phrase, state.get(r.object_id))]  # type: ignore[arg-type]
    if nxt.pronoun == "person":
        # "a pot simmering on the stove behind him": the clause's subject, not the stove
        main = [r for r in main if not isinstance(resolved[resolved.index(r) - 1], Rel)] or main
    if main or candidates:
        subject_ref = _verbs_or_holders_subject(phrase, main or candidates, resolved, clause_start, k, obj_id)
        if phrase.predicate == "above" and candidates and is_held(resolved, candidates[-1]):
            subject_ref = candidates[-1]  # "holding an umbrella over a child": the umbrella is above
        before = resolved[k - 1] if k > 1 else None
        if (phrase.after_participle and candidates and before is candidates[-1] and before.pronoun is None
                and isinstance(resolved[k - 2], Prep) and resolved[k - 2].word not in ("of", "with")):
            # "walks past a horse grazing near the fence": a participle right after a noun opens
            # a clause about it (with "with" the rule above already holds)
            subject_ref = before
        agent = agent_of(resolved, subject_ref)
        acted_on = state.get(subject_ref.object_id)  # type: ignore[arg-type]
        if agent is not None and obj_id is not None and not phrase.fastened and (
                phrase.predicate in _AGENT_PLACES or phrase.doers_place
                or english.is_seat(state.get(obj_id).word) and not _alive(acted_on)
                # ("a cat watches them from the top of a bale": who "them" are was placed before;
                # "dropping them into a crate" puts them in it)
                or subject_ref.pronoun is not None and phrase.predicate != "inside"):
            # "a man playing guitar under a tree", "knitting a sweater in a rocking chair": the
            # place is the agent's ("slicing tomatoes on a cutting board" stays the tomatoes';
            # "helping an old man into a wheelchair" seats the man)
            subject_ref = agent
        # (only what was named before the phrase: "On a tray beside the sink lie two cups" places
        # the tray, whose cups come after)
        named_before = {r.object_id for r in in_sentence_before}
        resting = [s_ for s_, p, o in state.relations
                   if o == subject_ref.object_id and p == "on" and s_ in named_before]
        # (things on a surface share its height, so above and below describe the surface: "a
        # flask on a tripod over a burner")
        if (resting and is_placed(resolved, subject_ref) and phrase.predicate in _BESIDE and obj_id is not None
                and not english.is_large(state.get(obj_id).word) and not _alive(state.get(obj_id))
                # (one shelf below another: like things are placed relative to each other)
                and state.get(obj_id).name != state.get(subject_ref.object_id).name):  # type: ignore[arg-type]
            # "a mug on a table next to a notebook": the notebook is on the table too, so the
            # mug is by the notebook; "a lamp on the nightstand next to the bed" stays
            subject_ref = Ref(resting[-1])
    elif any(r.object_id == obj_id and not r.attached for r in in_clause):  # type: ignore[union-attr]
        return  # "the other sleeps with its face buried in its paws": one of its parts in another
    elif after_undrawn_subject(resolved, k):
        return  # "steam rising above the pot, a ladle ...": the subject is not drawn, nothing follows for it
    else:
        # inverted order: "Below the tv, a clock hangs"
        # (not a later relation's object: "Glass teapot, on a bamboo mat beside two cups")
        # (nor a possessor: "In the armchair, the baby's mother dozes" is the mother)
        after_obj = [r for m, r in following if m > k + 1 and r.object_id != obj_id  # type: ignore[union-attr]
                     and not isinstance(resolved[m - 1], (Rel, Action, Prep))
                     and not (m + 1 < len(resolved) and isinstance(resolved[m + 1], Possessive))]
        earlier = [r for r in in_sentence_before if r.object_id != obj_id]  # type: ignore[union-attr]
        heads = [r for r in earlier if not r.attached and not is_placed(resolved, r)]
        aside = (heads and k > 0 and isinstance(resolved[k - 1], Break) and resolved[k - 1].word == ","
                 and k + 2 < len(resolved) and isinstance(resolved[k + 2], Break))
        if phrase.after_finite_verb and heads and k > 0 and isinstance(resolved[k - 1], Break) \
                and resolved[k - 1].word == ",":
            # "The pilot, in a leather jacket, kneels on one of the floats": the verb's subject
            # is the one before the aside, not what follows nor what the aside names
            aside_start = max((m for m in range(k - 1) if isinstance(resolved[m], Break) and resolved[m].word == ","),
                              default=k - 1)
            subject_ref = ([r for r in heads if resolved.index(r) < aside_start] or heads)[-1]  # type: ignore[assignment]
        elif after_obj and not aside:
            subject_ref = after_obj[0]  # type: ignore[assignment]
            # "Inside the boat lie two oars and a fishing rod": every one listed ("a rack of
            # test tubes, a burner and a notebook": each holder, not what it holds)
            inverted_list = holders_after(resolved, resolved.index(subject_ref))[1:]
        else:
            # an aside between commas describes what the sentence is about, not a detail of it
            # or what follows ("Glass teapot with tea inside, on a bamboo tray, two cups beside it")
            if heads or earlier:
                subject_ref = (heads or earlier)[-1]  # type: ignore[assignment]
            if heads and k > 0 and isinstance(resolved[k - 1], Break) and resolved[k - 1].word == ",":
                # a clause after a comma with no subject of its own is about the sentence's
                # subject ("The rocket that carried the astronauts to the Moon, standing on its
                # launch pad": the rocket; "The gemstone that is a girl's best friend, set in a ring")
                subject_ref = heads[0]
    if subject_ref is None:
        return
    subject_id = subject_ref.object_id
    if nxt.pronoun is not None:
        # not what the subject is already placed by or places ("a helmet hangs on a hook above
        # it": not the helmet)
        placed_with = {s_ for s_, p, o in state.relations if o == subject_id and is_spatial(p)} | {
            o for s_, p, o in state.relations if s_ == subject_id and is_spatial(p)}
        # (nor what is named together with the subject: "axes and ropes lean on the wall behind them")
        placed_with |= set(listed_with(resolved, clause_start, subject_ref, None, state))
        obj_id = antecedent(nxt.pronoun, resolved, k + 1, state, exclude={subject_id, *placed_with},  # type: ignore[arg-type]
                            word=nxt.pronoun_word)
    predicate = phrase.predicate
    if phrase.needs_class_object and obj_id is not None and english.is_seat(state.get(obj_id).word):
        predicate = "on"  # "grandma in her rocking chair": one sits on a seat
    if phrase.foot and obj_id is not None and english.is_seat(state.get(obj_id).word):
        predicate = "next to"  # "standing at the foot of the bed": at its end, not under it
    fastened = state.get(subject_id)  # type: ignore[arg-type]
    if phrase.fastened and obj_id is not None and not (_alive(fastened) or english.is_large(fastened.word)) and (
            via_part or not _alive(state.get(obj_id))):
        # a small thing fastened to or wound round another, or a part of one, is on it ("a key
        # tied to its string", "a scarf around her neck", "a board clamped to the workbench");
        # a living or a large thing is beside what holds it ("a dog tied to a post", "a bike
        # chained to a railing", "chairs around a table")
        predicate = "on"
    members = [*listed_with(resolved, clause_start, subject_ref, obj_id, state, adjacent=phrase.follows_noun),
               *inverted_list]
    # ("a horse and a foal graze, and a cart stands behind them": behind each; "beside a sandwich
    # and a can of soda": beside each)
    targets = meant_by(nxt.pronoun, obj_id, state, exclude={subject_id, *members},  # type: ignore[arg-type]
                        before=resolved[:k])
    if nxt.pronoun_word == "both":
        # (a placed subject stands in for one left undrawn: "a mic on a boom arm above both" is no arm's)
        targets = [] if isinstance(resolved[resolved.index(subject_ref) - 1], Rel) else both_meant(
            resolved, k, {subject_id, *members, *placed_with}, state)  # type: ignore[arg-type]
    if nxt.pronoun is None and obj_id is not None:
        # (only things of the object's kind: "a cat under a parked car and a flying bat" names
        # the bat beside the cat, not under the car)
        targets += [t for t in listed_objects(resolved, k + 1) if t not in (subject_id, *members, *targets)
                    and _alive(state.get(t)) == _alive(state.get(obj_id))]
    for target in targets:
        for member in members:
            # "a wallet, a pen and car keys on a desk": the place phrase describes every member
            state.relate(member, predicate, target)
        state.relate(subject_id, predicate, target)


_RELATIVE_PRONOUNS = {"that", "which", "who"}


_BESIDE = POSITIONAL - {"above", "below"}
_AGENT_PLACES = {"below", "next to", "near", "behind", "in front of", "left of", "right of"}


def _left_out(phrase: RelPhrase) -> bool:
    """Whether the relation may stand as an adverb with its object left out: "with a mirror
    above", "with a cat inside" (not a bare "in": "sliced in half")."""
    return phrase.predicate in DIRECTIONAL or phrase.predicate == "inside" and not phrase.needs_class_object
