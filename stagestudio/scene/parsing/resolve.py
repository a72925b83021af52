"""Resolve: a sentence's items -> references to the objects they name (pass 2 of reading a
sentence), with the parts, details and measurements that go to objects already named."""

from __future__ import annotations

from dataclasses import dataclass, field

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.appositions import apposed_by_parse
from stagestudio.scene.parsing.details import is_detail
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import (
    FURTHER_ORDINALS,
    Action,
    Adjectives,
    Break,
    Item,
    Measure,
    NounPhrase,
    Possessive,
    Prep,
    Rel,
    span_of,
)
from stagestudio.scene.parsing.listing_parts import (
    describes,
    listing_head,
)
from stagestudio.scene.parsing.listing_senses import made_sense_in_listing, made_sense_of_measured_product
from stagestudio.scene.parsing.listing_users import for_whom_listed
from stagestudio.scene.parsing.parts import (
    PART_PREPOSITIONS,
    comes_with,
    covers,
    fitted_onto_its_whole,
    instrument_user,
    moved_along,
    owner_of_part,
    owns_part,
    part_owner,
    placed_on_its_own,
    take_covering_colour,
    unowned_part_owner,
    with_on_own_body,
    worn_list_link,
)
from stagestudio.scene.parsing.placed import (
    owner_of_named_part,
    owner_of_unlisted_part,
    part_in_a_rare_sense,
    whole_named_before_part,
)
from stagestudio.scene.parsing.positions import (
    HOLDING,
    LIST_BREAKS,
    clause_subject_ref,
    is_kept,
    is_placed,
)
from stagestudio.scene.parsing.reference import antecedent, placed_by_its_namesake
from stagestudio.scene.parsing.relations import POSITIONAL
from stagestudio.scene.parsing.state import ParsedObject, Ref, State, resolve_phrase
from stagestudio.scene.parsing.words import RANK_WORDS


def _made(obj: ParsedObject) -> bool:
    """A made thing, or a product name the dictionary does not know ("smartwatch")."""
    return english.is_artifact(obj.word) or not english.noun_senses(obj.word) and not obj.is_class


def _latest_animal(state: State) -> ParsedObject | None:
    animals = [o for o in state.objects if o.name != "person" and english.is_animate(o.word)]
    return max(animals, key=lambda o: o.mention) if animals else None


_DRAWN_KINDS = (NounKind.THING, NounKind.WEAK, NounKind.UNKNOWN)
_ABOUT = {"about", "around"}
_WHERE_PREPOSITIONS = {"at", "against", "along", "toward", "towards"}
# "talking to the teacher", "waving at the umpire": whom a doer addresses is not the doer
_ADDRESSED = {"to", "at", "toward", "towards", "for", "from", "with"}


def _described_one(np_: NounPhrase, state: State, counter: list[int]) -> str | None:
    """The object "a red one" names: one of the group named last ("Two kayaks ..., a red one in
    front of a yellow one"). A pair splits into its two members: the first "one" is the group
    object, now one thing; later ones are new things of the same name. "The red one" is the
    one so described, if any."""
    if not state.objects:
        return None
    latest = max(state.objects, key=lambda o: o.mention)
    groups = [o for o in state.objects if o.count > 1]
    kind = max(groups, key=lambda o: o.mention) if groups else latest
    if latest.id in state.split and kind.count == 1:
        kind = latest  # ("a red one in front of a yellow one": the pair being split)
    if np_.pronoun_word in FURTHER_ORDINALS:
        # "two climbers ... a third": one more beside the group; "three climbers ... a third":
        # one of them (none where no group was named)
        if not groups or FURTHER_ORDINALS[np_.pronoun_word] > kind.count:
            return _new_one_of(kind, np_, state, counter) if groups else None
        state.touch(kind.id, counter)
        return kind.id
    if kind.count > 1 and np_.modifiers and set(np_.modifiers) <= RANK_WORDS:
        state.touch(kind.id, counter)
        return kind.id  # "three barrels in a row; a wheel leans against the middle one": one of them
    if np_.determiner == "definite":
        described = [o for o in state.objects if o.name == kind.name and set(np_.modifiers) <= set(o.modifiers)]
        if described:
            state.touch(described[-1].id, counter)
            return described[-1].id
    if kind.count > 2:
        state.touch(kind.id, counter)
        return kind.id  # "three apples ...; a green one sits on top": one of them, not a fourth
    if kind.count == 2 and kind.id not in state.split:
        kind.count = 1
        kind.modifiers.extend(w for w in np_.modifiers if w not in kind.modifiers)
        state.split.add(kind.id)
        state.touch(kind.id, counter)
        return kind.id
    return _new_one_of(kind, np_, state, counter)


def _new_one_of(kind: ParsedObject, np_: NounPhrase, state: State, counter: list[int]) -> str:
    counter[0] += 1
    obj = ParsedObject(id=f"o{len(state.objects) + 1}", name=kind.name, count=1, modifiers=list(np_.modifiers),
                       is_class=kind.is_class, mention=counter[0], surface=kind.surface)
    state.objects.append(obj)
    state.mentions.append(obj.id)
    state.split.add(obj.id)
    return obj.id


def _apposed(items: list[Item], k: int, resolved: list) -> str | None:
    """The object an indefinite phrase right after a comma renames ("Her lab partner, a boy with
    curly hair, stands ..."): a definite or possessed subject of the same class before the comma,
    in no list ("the chef, a waiter and a busboy" are three)."""
    item = items[k]
    if not (isinstance(item, NounPhrase) and item.determiner == "indefinite" and not item.plural and k >= 2
            and isinstance(items[k - 1], Break) and items[k - 1].word == ","):
        return None
    before = items[k - 2]
    if not (isinstance(before, NounPhrase) and before.head == item.head and before.pronoun is None
            and (before.determiner == "definite" or before.possessive is not None)
            and (k == 2 or isinstance(items[k - 3], Break))):
        return None
    following = next((m for m in range(k + 1, len(items)) if isinstance(items[m], Break)), None)
    if following is not None and (items[following].word != "," or following + 1 < len(items)
                                  and isinstance(items[following + 1], NounPhrase)):
        return None
    ref = resolved[-2] if len(resolved) >= 2 else None
    return ref.object_id if isinstance(ref, Ref) else None


@dataclass
class Reading:
    """What reading one sentence's items carries from each to the next."""

    last_kept: str | None = None  # the latest object drawn
    kept_in_clause: bool = False  # an object was drawn since the clause began
    inverted_clause: bool = True  # the clause opened with a relation ("Above the sheep hangs a lantern")
    dropped_before_of: str | None = None  # head of a dropped phrase right before "of"
    pending_measures: list[str] = field(default_factory=list)  # sizes said before their object
    namesake: str | None = None  # what "it" means in "the shelf below it" (reference.placed_by_its_namesake)
    last_was_detail: bool = False  # the latest noun phrase was dropped as a detail of an object
    # what a coordinated list of parts hangs on: "with a navy dial and a leather strap", "the
    # truck's chrome bumper and round headlights", "its white head and yellow beak"
    list_head: Item | None = None
    list_possessive: str | None = None
    part_subject: str | None = None  # owner of the part the current clause is about
    list_owner: str | None = None  # who the parts of an aside "with"-list belong to
    part_heads: list[str] = field(default_factory=list)  # owners of parts that head a clause ("Its wheels spin")
    carried: bool = False  # the latest phrase is carried on its owner's body ("with a lamp in his hand")
    on_body: bool = False  # the next phrase is that body part


def resolve_sentence(items: list[Item], state: State, counter: list[int]) -> list[Item | Ref]:
    """Pass 2: resolve noun phrases. A class noun is always an object. A noun outside the
    classes ("castle", "lamp", "tree") is an object only where it is what the clause is
    about: its first object ("a castle on a hill", "a photo of a castle"), or the object of
    a positional relation ("a cat next to a lamp", see anchors_relation). Elsewhere it is a
    detail or the setting ("a dog with a red collar", "in a park", "adds a splash of colour").
    Records the sentence's subject in `state.subjects`."""
    resolved: list[Item | Ref] = []
    state.sentence_start = len(state.mentions)
    state.sentence_starts.append(state.sentence_start)
    state.previous_subject = state.subjects[-1] if state.subjects else None
    state.gendered.clear()
    reading = Reading()
    for k, item in enumerate(items):
        if isinstance(item, Break) and item.word not in LIST_BREAKS:
            reading.part_subject = None
        if isinstance(item, Break) and item.word not in LIST_BREAKS or isinstance(item, Action) or (
                isinstance(item, Prep) and item.word not in PART_PREPOSITIONS):
            reading.list_head, reading.list_possessive, reading.list_owner = None, None, None
        if isinstance(item, Break):
            reading.kept_in_clause = False
        if isinstance(item, (Break, Rel)):
            # (a chain of fronted places stays inverted: "On a shelf above the sink stand three jars")
            reading.inverted_clause = isinstance(item, Rel) and (
                k == 0 or isinstance(items[k - 1], Break)
                or reading.inverted_clause and k >= 2 and isinstance(items[k - 2], Rel))
        if isinstance(item, Adjectives) and k > 0 and isinstance(items[k - 1], Prep):
            reading.last_was_detail = True  # "with mustard": a colour-like word read as a detail
        if isinstance(item, Measure):
            # "a 65 inch tv", "each measuring 150 centimeters in length": a size of the object
            # described; after a clause break, of what the sentence is about
            subjects = [r.object_id for m, r in enumerate(resolved)
                        if isinstance(r, Ref) and r.object_id is not None and not is_placed(resolved, r)]
            opener = k - 2 if k > 1 and isinstance(items[k - 1], Prep) and items[k - 1].word in _ABOUT else k - 1
            # ("a cow that weighs 450 kg": a relative clause's size is its antecedent's)
            relative = opener >= 0 and isinstance(items[opener], Break) and items[opener].word in ("that", "which")
            if relative and reading.last_kept is not None:
                state.get(reading.last_kept).measurements.append(item.text)
            elif opener >= 0 and isinstance(items[opener], Break) and subjects:  # (", about 3 inches tall")
                state.get(subjects[0]).measurements.append(item.text)
            elif reading.last_kept is not None:
                state.get(reading.last_kept).measurements.append(item.text)
            else:
                reading.pending_measures.append(item.text)
            resolved.append(item)
            continue
        if isinstance(item, Rel) and reading.carried:
            # "with an oil lamp in his hand": where the lamp is carried, no relation to draw
            reading.carried, reading.on_body = False, True
            resolved.append(Prep("with"))
            continue
        if isinstance(item, NounPhrase):
            _resolve_noun_phrase(item, items, k, resolved, reading, state, counter)
            if reading.on_body:
                reading.on_body = False
                resolved[-1] = Ref(None)  # (the hand, recorded as the owner's part)
        else:
            resolved.append(item)

    # the sentence's subject: its first object that is not placed by a relation or an action,
    # else the owner of a part it is about ("Its wheels spin fast": the train)
    subjects = [r.object_id for m, r in enumerate(resolved)
                if is_kept(r) and not (m > 0 and isinstance(resolved[m - 1], (Rel, Action, Prep)))]
    state.subjects.append(subjects[0] if subjects else (reading.part_heads[0] if reading.part_heads else None))
    return resolved


def _resolve_noun_phrase(item: NounPhrase, items: list[Item], k: int, resolved: list[Item | Ref],
                         reading: Reading, state: State, counter: list[int]) -> None:
    """Resolve the noun phrase at `k` to a reference (appended to `resolved`): an object, a
    part, detail or feature of one, or nothing drawn."""
    prev = items[k - 1] if k > 0 else None
    nxt = items[k + 1] if k + 1 < len(items) else None
    if isinstance(prev, Break) and prev.word in LIST_BREAKS and not item.is_class:
        # the list goes on: this member hangs on what the first one did
        if reading.list_possessive is not None and item.determiner == "none":
            item.possessive = reading.list_possessive
        elif reading.list_head is not None and item.determiner in ("none", "indefinite"):
            prev = reading.list_head
    if item.pronoun == "one":
        one = _described_one(item, state, counter)
        resolved.append(Ref(one))
        if one is not None:
            reading.last_kept, reading.kept_in_clause = one, True
        return
    same = _apposed(items, k, resolved) or apposed_by_parse(items, k, resolved)
    if same is not None:
        # "Her lab partner, a boy with curly hair, stands beside her": one person
        target = state.get(same)
        target.modifiers.extend(w for w in item.modifiers if w not in target.modifiers)
        state.touch(same, counter)
        resolved.append(Ref(same))
        reading.last_kept, reading.kept_in_clause = same, True
        return
    if item.pronoun is not None and reading.namesake is not None:
        resolved.append(Ref(reading.namesake))  # "on the shelf below it": the earlier shelf
        reading.namesake = None
        return
    reading.namesake = placed_by_its_namesake(item, nxt, items[k + 2] if k + 2 < len(items) else None, state)
    if reading.namesake is not None:
        item.determiner = "indefinite"  # another of that name
    if item.pronoun is not None:
        # an object pronoun never means its own clause's subject ("a calf walks beside
        # her": not the calf), unless reflexive
        bound = clause_subject_ref(resolved) if (
            isinstance(prev, (Rel, Action, Prep)) and not item.pronoun_word.endswith(("self", "selves"))) else None
        # "The insect that makes honey, three of them ...": a count means what the sentence is about
        # unless a group was named: "a barge carries a row of barrels, two of them leaking" counts
        # among the barrels (the latest group, as "them" agrees with a plural)
        named = [r.object_id for r in resolved if isinstance(r, Ref) and r.object_id]
        groups = [o for o in named if state.get(o).count > 1]
        first = (groups[-1] if groups else named[0] if named else None) if item.count else None
        found = first or antecedent(item.pronoun, resolved, len(resolved), state, word=item.pronoun_word,
                                    exclude={bound} if bound else frozenset())
        if item.count and found is not None and state.get(found).count == 1:
            state.get(found).count = item.count  # "the fruit ..., three of them in a bag": three apples
        if found is not None and isinstance(prev, Action):
            # "Their father films them. A rabbit watches them": what a pronoun names is mentioned
            # again, so it is the latest for the sentences after
            state.touch(found, counter)
        # "one of them", "the other": the group itself, as what its clause is about
        resolved.append(Ref(found, member=True) if item.member
                        else Ref(found, pronoun=item.pronoun, pronoun_word=item.pronoun_word))
        return
    if _state_after_under(item, prev, items):
        resolved.append(Ref(None))  # "a new house still under construction": no place below anything
        return
    if isinstance(prev, Action) and fitted_onto_its_whole(item, nxt, items[k + 2] if k + 2 < len(items) else None):
        # "hammers a new heel onto a boot": the part is no thing of its own, and the action goes
        # to the whole it is fitted to (actions.aimed_at_position)
        resolved.append(Ref(None))
        return
    if for_whom_listed(item, items, k, resolved, state):
        resolved.append(Ref(None))  # "Stethoscope for paramedics": the product, not its users
        return
    whole = whole_named_before_part(item, prev)
    if whole is not None:
        item = items[k] = whole  # "near the barn door": near the barn
    made_sense_in_listing(item, prev, resolved, state)  # ("with a charger": no war horse)
    made_sense_of_measured_product(item, items, k, resolved)  # ("Bingo daubers x6, 43ml each")
    candidate = _possible_owner(item, prev, items, k, resolved, reading, state)
    opening = next((i for i in items[:k] if isinstance(i, NounPhrase)), None)
    listing = listing_head(item, prev, resolved, state, opening)
    if listing is not None and describes(item, state.get(listing)):
        # "office chair, black mesh back, adjustable armrests": a product's listed
        # features; "perfume bottle, frosted glass, gold cap": its material
        resolved.append(Ref(None))
        return
    tool_user = instrument_user(item, items, k, resolved, state)
    if tool_user is not None:
        # "a welder cutting a beam with a blowtorch": the tool is the welder's
        _record_part(item, prev, tool_user, resolved, reading, state, counter)
        return
    after = items[k + 2] if k + 2 < len(items) else None
    # "climbs the staircase with an oil lamp in his hand": what is carried on a body is its owner's
    body_owner = _body_owner(item, prev, nxt, after, resolved, state)
    candidate = body_owner or candidate
    placed = _relation_subject(prev, resolved)
    link = worn_list_link(items, k) or prev  # ("in orange vests and white hard hats": both worn)
    owner_id = part_owner(item, link, nxt, candidate, state.get(candidate).word if candidate else "",
                          after=after,
                          placed_by_other=placed is not None and placed != candidate)
    # (the relation to the body part says where it is carried, and relates nothing)
    reading.carried = owner_id is not None and owner_id == body_owner
    if owner_id is None and not item.is_class and item.possessive is None:
        clause_subject = reading.last_kept if reading.kept_in_clause else None
        owner_id = unowned_part_owner(item, prev, resolved, state, clause_subject, reading.part_subject)
    if owner_id is not None:
        _record_part(item, link, owner_id, resolved, reading, state, counter)
        return
    # "the glow of paper lanterns strung above the stall": what a relation places is drawn
    # "sits at a desk below the telescope": where someone is, placed in turn, is drawn too
    placed_after_of = (isinstance(prev, Prep) and (prev.word == "of" and reading.dropped_before_of is not None
                                                   or prev.word in _WHERE_PREPOSITIONS and item.head not in lx.SETTING_NOUNS)
                       and (item.is_class or item.kind == NounKind.THING)
                       and (isinstance(nxt, Rel) and nxt.phrase.kind == "object" and nxt.phrase.predicate in POSITIONAL
                            or isinstance(nxt, Action) and nxt.passive))  # ("the style of shoe worn by women")
    detail = is_detail(item, prev, nxt, items, k, resolved, reading, placed_after_of)
    # "a loon floats to the moose's right": whose side it is is the relation's object
    owns_side = isinstance(nxt, Rel) and nxt.phrase.kind == "owner_before" and item.kind in _DRAWN_KINDS
    detail = detail and not owns_side
    if (detail and isinstance(prev, Prep) and prev.word in PART_PREPOSITIONS and reading.last_kept is not None
            and comes_with(item, state.get(reading.last_kept).word)):
        detail = False  # "a clock with two batteries", "with gig bag": drawn beside the product
        item.kind = NounKind.THING  # ("w/ carry case": the made sense, whatever WordNet lists first)
    possessor = isinstance(nxt, Possessive) and nxt.word == "'s"
    if (detail and not item.is_class and item.head in lx.COLOUR_BEARING_PARTS and reading.last_kept is not None
            and (isinstance(prev, Prep) and prev.word == "with" or isinstance(prev, Possessive))):
        take_covering_colour(state.get(reading.last_kept), item)
    whole = owner_of_part(item, prev, state, reading.kept_in_clause and reading.last_kept, resolved,
                           nxt, items[k + 2] if k + 2 < len(items) else None)
    if whole is not None and (part_in_a_rare_sense(item, state.get(whole).word)
                              or isinstance(prev, Rel) and whole == clause_subject_ref(resolved)
                              or isinstance(prev, Rel) and item.head in lx.SETTING_NOUNS):
        # ("keys in a bowl by the front door": no place is by a part of its own subject; "lies on
        # the floor" of the observatory: the setting, as any floor is)
        whole = None
    whole = whole or owner_of_named_part(item, prev, state) or owner_of_unlisted_part(
        item, prev, state, resolved, reading.kept_in_clause and reading.last_kept)
    if whole is not None:
        # "beside the front tire", "on the seat": a relation to a part is one to its owner;
        # "sticks out of the back seat": after a preposition, just the owner's part
        if item.text() not in state.get(whole).parts:
            state.get(whole).parts.append(item.text())
        resolved.append(Ref(whole, via_part=True) if isinstance(prev, Rel) else Ref(None))
        return
    # "brushing her horse's mane": the possessor of what an action touches is drawn
    # "brushing her horse's mane", "on a child's finger": the possessor after an action
    # or a relation is drawn
    ref = resolve_phrase(item, state, counter, detail=detail,
                         # ("The cat's tail hangs ...": whose part is named is there too)
                         reference_only=possessor and not isinstance(prev, Action) and (not (
                             (isinstance(prev, Rel) or isinstance(items[k + 2] if k + 2 < len(items) else None,
                                                                  NounPhrase))
                             and owns_part(item, items[k + 2] if k + 2 < len(items) else None))
                             # ("the welder's helmet hangs on a hook": the helmet, not the welder)
                             or placed_on_its_own(item, items[k + 2] if k + 2 < len(items) else None, prev,
                                                  items[k + 3] if k + 3 < len(items) else None)),
                         # "the candle on top of the stack": a thing a relation places is drawn
                         anchored=isinstance(prev, (Rel, Action)) or owns_side or (
                             isinstance(nxt, Rel) and nxt.phrase.kind in ("object", "owner_pronoun") and item.kind == NounKind.THING
                             and not nxt.phrase.needs_class_object)
                         or isinstance(prev, Prep) and prev.word in ("from", "at", "toward", "towards") and not detail,
                         acted_on_by=clause_subject_ref(resolved) if isinstance(prev, (Rel, Action)) or (
                             isinstance(prev, Prep) and prev.word in _ADDRESSED) else None)
    # reached through "with"/"of", as a holder's contents or as what it holds: a detail
    # of an earlier object ("a vase holds sunflowers on a table": the vase is on it)
    ref.attached = (isinstance(prev, Prep) or isinstance(prev, Rel) and prev.phrase.kind == "contents"
                    or isinstance(prev, Action) and prev.predicate.split()[0] in HOLDING
                    # ("filled with oranges and lemons": the list goes on)
                    or isinstance(prev, Break) and prev.word in LIST_BREAKS and bool(resolved)
                    and len(resolved) > 1 and isinstance(resolved[-2], Ref) and resolved[-2].attached
                    # ("a bowl of eggs and a bag of flour": a holder of its own starts anew)
                    and not (isinstance(nxt, Rel) and nxt.phrase.kind == "contents")) \
        and reading.last_kept is not None and not placed_after_of
    ref.member = item.member
    ref.determined = item.determiner == "indefinite" or item.count is not None
    if ref.object_id is None and item.possessive is not None and covers(item):
        ref.owner = candidate  # "its weathered wood": what the bench is made of
    reading.last_was_detail = detail and ref.object_id is None and isinstance(prev, (Prep, Possessive))
    if (detail and ref.object_id is None and isinstance(prev, Prep) and prev.word in PART_PREPOSITIONS
            and reading.last_kept is not None and _made(state.get(reading.last_kept))
            and item.kind in (NounKind.THING, NounKind.WEAK, NounKind.UNKNOWN)
            and not english.is_mass(item.head) and item.text() not in state.get(reading.last_kept).parts):
        state.get(reading.last_kept).parts.append(item.text())  # "a wallet with six card slots": a feature
        state.get(reading.last_kept).measurements.extend(item.measurements)
    reading.dropped_before_of = (item.head if ref.object_id is None and item.head not in lx.DEPICTION_NOUNS
                         and isinstance(nxt, Prep) and nxt.word == "of" else None)
    if ref.object_id is not None and item.portion and item.portion not in state.get(ref.object_id).parts:
        state.get(ref.object_id).parts.append(item.portion)
    if ref.object_id is not None:
        # "with blueberries and maple syrup": the list still hangs on "with"
        reading.list_head = prev if isinstance(prev, Prep) and prev.word in PART_PREPOSITIONS else None
        reading.list_possessive = None
        reading.last_kept = ref.object_id
        reading.kept_in_clause = True
        state.get(reading.last_kept).measurements.extend(reading.pending_measures)
        reading.pending_measures.clear()
    resolved.append(ref)


def _possible_owner(item: NounPhrase, prev: Item | None, items: list[Item], k: int, resolved: list[Item | Ref],
                    reading: Reading, state: State) -> str | None:
    """The object `item` may be a part of: its possessor, else the latest object (or the owner
    of an aside "with"-list). A kin word ("its mother", then no owner) or a young one ("a tiny
    calf") is renamed to the animal's kind."""
    placed = _relation_subject(prev, resolved) or moved_along(prev, resolved)
    written = english.noun_lemma((item.surface or item.head).split()[-1])
    if placed is not None and (item.pronoun_word not in ("its", "their") or _strictly_owns(state.get(placed), item)
                               or item.is_class or not (english.is_part(written) or english.has_sense_of(written, english.BODY))):
        placed = None  # (only a part: "a whale calf next to its mother" is the calf's mother)
    # ("a dragonfly just in front of its beak": a thing is not placed by its own part, unless
    # WordNet makes the part one of its own: "a spoon propped against its rim")
    candidate = (antecedent(item.possessive, resolved, len(resolved), state, can_own=item.head,
                            word=item.pronoun_word, exclude={placed} if placed else frozenset())
                 if item.possessive else reading.last_kept)
    if k > 0 and isinstance(items[k - 1], Possessive) and len(resolved) >= 2 and isinstance(resolved[-2], Ref):
        # "a kite on a boy's bed": what follows "'s" can only be its possessor's, never the
        # kite's; a possessor left undrawn owns nothing drawn, and the bed is a thing of its own
        candidate = resolved[-2].object_id
    if (isinstance(prev, Prep) and prev.word in PART_PREPOSITIONS and k > 1 and isinstance(items[k - 2], Break)
            and reading.last_kept is not None):
        # "a teapot sits on a shelf, with a chipped spout": an aside about what can have one
        candidate = antecedent("it", resolved, len(resolved), state, can_own=item.head) or reading.last_kept
        reading.list_owner = candidate
    elif prev is reading.list_head and reading.list_owner is not None:
        candidate = reading.list_owner  # "..., with a chipped spout and a bamboo handle"
    if item.possessive is not None and candidate is not None and item.surface in lx.KIN_NOUNS:
        owner = state.get(candidate)
        if owner.name != "person" and english.is_animate(owner.word):
            # "a foal next to its mother", "an elephant spraying its calf": the same kind
            item.head, item.is_class, item.kind = owner.name, owner.is_class, NounKind.THING
            candidate = None  # kin, not a part
    elif item.possessive is None and not isinstance(prev, Action) and _names_a_young_animal(item):
        # "an elephant crosses a riverbed. A tiny calf walks beside her": the young of
        # whatever animal the prompt is about
        mother = _latest_animal(state)
        if mother is not None:
            item.head, item.is_class, item.kind = mother.name, mother.is_class, NounKind.THING
    return candidate


def _state_after_under(item: NounPhrase, prev: Item | None, items: list[Item]) -> bool:
    """Whether "under" and a bare act or event say what is being done to a thing, not where it
    is: "under construction", "under repair", "under attack" (WordNet files the noun first
    under acts or events); "under water", "under a bridge" stay places."""
    tokens = getattr(items, "tokens", None)
    span = span_of(prev)
    return (isinstance(prev, Rel) and tokens is not None and span is not None and span[0] < len(tokens)
            and tokens[span[0]] == "under" and item.determiner == "none" and item.count is None
            and not item.plural and not item.modifiers and not item.is_class and item.pronoun is None
            and english.is_happening(item.head))


def _names_a_young_animal(item: NounPhrase) -> bool:
    """Whether the phrase names the young of some animal ("a tiny calf", "a cub"): a word that is
    first a made thing is that thing where a noun before it says which ("a first-aid kit", "a
    drum kit"), an adjective leaves it the young ("a tiny kit")."""
    written = english.noun_lemma(item.surface.split()[-1]) if item.surface else item.head
    if not english.is_young_of_several(written):
        return False
    return not (english.is_artifact(written)
                and any("ADJ" not in english.parts_of_speech(word) for word in item.modifiers))


def _body_owner(item: NounPhrase, prev: Item | None, nxt: Item | None, after: Item | None,
                resolved: list[Item | Ref], state: State) -> str | None:
    """Who has a "with"-phrase on their body ("with an oil lamp in his hand"): the person or the
    animal the possessive before the body part means; None for any other shape."""
    if not with_on_own_body(item, prev, nxt, after) or not isinstance(after, NounPhrase):
        return None
    owner = antecedent(after.possessive, resolved, len(resolved), state, can_own=after.head, word=after.pronoun_word)
    if owner is None:
        return None
    word = state.get(owner).word
    return owner if state.get(owner).name == "person" or english.is_animate(word) else None


def _strictly_owns(owner: ParsedObject, part: NounPhrase) -> bool:
    rank = english.part_sense_rank(part.head, owner.word)
    return rank is not None and rank[1] == 0


def _relation_subject(prev: Item | None, resolved: list[Item | Ref]) -> str | None:
    """The object a spatial relation right before a noun phrase places: the reference before it."""
    if not (isinstance(prev, Rel) and prev.phrase.kind == "object" and len(resolved) >= 2
            and isinstance(resolved[-2], Ref)):
        return None
    return resolved[-2].object_id  # type: ignore[union-attr]


def _record_part(item: NounPhrase, prev: Item | None, owner_id: str, resolved: list[Item | Ref], reading: Reading,
                 state: State, counter: list[int]) -> None:
    """`item` names a part, a fitting or what `owner_id` wears: the owner gets it (and its colour
    and size), and the reference goes to the owner or to nothing drawn."""
    owner = state.get(owner_id)
    take_covering_colour(owner, item, worn=isinstance(prev, Rel))
    if item.text() not in owner.parts:
        owner.parts.append(item.text())
    # ("a smartwatch with a 1.9 inch display": a part's size is the thing's specification)
    owner.measurements.extend(m for m in item.measurements if m not in owner.measurements)
    # "above her head", "in its bed": a relation to a part is a relation to its owner
    resolved.append(Ref(owner_id) if isinstance(prev, Rel) and item.possessive
                    else Ref(None, owner=owner_id if covers(item) else None,
                             part_of=None if isinstance(prev, (Rel, Action, Prep)) else owner_id,
                             acted_whole=owner_id if isinstance(prev, Action) else None))
    # ("a crane on the rig's deck lowers a container": the part of a placed possessor is where
    # the subject is, not what the clause speaks of, so what follows is no part of the rig)
    placed_possessor = isinstance(prev, Possessive) and len(resolved) >= 4 and isinstance(resolved[-4], (Rel, Action, Prep))
    if not isinstance(prev, (Rel, Action, Prep)) and not placed_possessor:
        reading.part_subject = owner_id  # "her ear carries a yellow tag": what it carries is the cow's too
        reading.part_heads.append(owner_id)
        # "Its black boiler gleams": the clause speaks of the owner, so it is mentioned again
        state.touch(owner_id, counter)
    if isinstance(prev, (Prep, Possessive)):
        reading.list_head = prev
    if item.possessive is not None:
        # ("perch on her arm and shoulder": the bare noun after "and" is hers too)
        reading.list_possessive = item.possessive
