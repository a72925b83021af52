"""The objects read so far and how a noun phrase resolves to one (new, earlier, or none)."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import INVERSE_PREDICATE, MAX_COUNT, is_spatial
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import NounPhrase


@dataclass
class ParsedObject:
    """An object as the reading builds it up (SceneObject once the prompt is read)."""

    id: str
    name: str
    count: int
    modifiers: list[str]
    is_class: bool
    mention: int
    surface: str = ""
    parts: list[str] = field(default_factory=list)
    measurements: list[str] = field(default_factory=list)

    @property
    def word(self) -> str:
        """The noun WordNet knows the object by: its name ("dog"), else the noun it was called
        ("tennis ball" for a sports ball, "mouse" for a computer mouse), else its last word."""
        written = self.surface.split()
        candidates = [self.name, self.surface, english.noun_lemma(written[-1]) if written else "", self.name.split()[-1]]
        return next((w for w in candidates if w and english.has_noun_entry(w)), self.name)

    @property
    def is_someone(self) -> bool:
        """A person. A noun first filed as someone but not named a person has a made-thing
        sense the scene means ("a pitcher of water", "the printer": things, not people)."""
        return self.name == "person" or english.is_person(self.word) and not english.has_sense_of(
            self.word, english.ARTIFACT)

    @property
    def is_alive(self) -> bool:
        """A person or an animal (see is_someone for the made things filed first as people)."""
        return self.is_someone or english.is_animate(self.word) and not english.is_person(self.word)


@dataclass
class Ref:
    """A noun phrase resolved to an object (None when the phrase was dropped)."""

    object_id: str | None
    pronoun: str | None = None
    # the pronoun as written ("her", "him"): whom it meant earlier in the sentence it still means
    pronoun_word: str = ""
    # a relation's object named by one of its parts ("tied to its string": the kite)
    via_part: bool = False
    # reached through "with"/"holding"/"of" from an earlier object: a detail of that object,
    # so not the subject of a following relation when the object itself is available
    attached: bool = False
    # a dropped part or feature: the object it belongs to ("its weathered wood" of the bench)
    owner: str | None = None
    # one member of the group object ("one of them"): singular for "it" and for its verb
    member: bool = False
    # a dropped part that heads its clause: its owner, who does what the part does ("Its beak
    # points at a fish": the heron)
    part_of: str | None = None
    # named with an article or a number ("a knife", "a pair of spoons"), not as a bare noun ("cherries")
    determined: bool = False
    # a dropped part an action acts on: its owner, whom the action reaches ("strokes its back")
    acted_whole: str | None = None


@dataclass
class State:
    objects: list[ParsedObject] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    placements: list[tuple[str, str]] = field(default_factory=list)  # (object id, predicate)
    dropped: list[str] = field(default_factory=list)
    seen_predicates: list[str] = field(default_factory=list)
    # what the reading changed, for the graph's notes ("count 150 of 'candle' capped at 20")
    notes: list[str] = field(default_factory=list)
    # second reading of a prompt whose first reading found nothing: every drawable noun counts
    keep_all_nouns: bool = False
    # the noun a prompt that names nothing else is drawn as (parse._last_resort_subject)
    last_resort_subject: str = ""
    # every mention of an object in reading order, and where the current sentence starts in it
    mentions: list[str] = field(default_factory=list)
    sentence_start: int = 0
    # where each sentence read so far starts in `mentions`
    sentence_starts: list[int] = field(default_factory=list)
    # each finished sentence's subject (what a pronoun in the next sentence most likely means)
    subjects: list[str | None] = field(default_factory=list)
    # the subject of the sentence before the one being read, for both of its passes (resolve
    # appends the current sentence's subject to `subjects` before relate runs)
    previous_subject: str | None = None
    # things a holder holds ("a shelf holds a vase", "a bowl of apples"): less salient than the
    # holder for a pronoun in a later sentence
    held: set[str] = field(default_factory=set)
    # objects "a red one" split off a pair ("two kayaks, a red one in front of a yellow one")
    split: set[str] = field(default_factory=set)
    # within the current sentence, whom "she"/"her" and "he"/"him"/"his" were found to mean
    gendered: dict[str, str] = field(default_factory=dict)
    # things named together ("a horse and a foal"): what "them" means when no one object is plural
    coordinated: list[tuple[str, ...]] = field(default_factory=list)

    def get(self, object_id: str) -> ParsedObject:
        return next(o for o in self.objects if o.id == object_id)

    def group_of(self, object_id: str) -> tuple[str, ...]:
        """The latest things named together with `object_id` ("a horse and a foal"), itself included."""
        return next((g for g in reversed(self.coordinated) if object_id in g), (object_id,))

    def latest(self, *, exclude: set[str] | None = None, plural: bool | None = None,
               person: bool = False) -> str | None:
        exclude = exclude or set()
        candidates = [o for o in self.objects if o.id not in exclude]
        if person:
            # "he", "him", "she": the latest person (or, failing that, animal)
            people = [o for o in candidates if o.is_someone]
            candidates = people or [o for o in candidates if o.is_alive] or candidates
        if plural is not None:
            preferred = [o for o in candidates if (o.count > 1) == plural]
            if preferred:
                candidates = preferred
        if not candidates:
            return None
        return max(candidates, key=lambda o: o.mention).id

    def recent(self) -> list[str]:
        """The objects mentioned in the current sentence and the one before, in reading order."""
        start = self.sentence_starts[-2] if len(self.sentence_starts) > 1 else 0
        return list(dict.fromkeys(self.mentions[start:]))

    def touch(self, object_id: str, counter: list[int]) -> None:
        counter[0] += 1
        self.get(object_id).mention = counter[0]
        self.mentions.append(object_id)

    def relate(self, subject: str | None, predicate: str, obj: str | None) -> None:
        if subject is None or obj is None or subject == obj:
            return
        triple = (subject, predicate, obj)
        if triple in self.relations:
            return
        if not is_spatial(predicate):
            self.relations.append(triple)  # an action orders nothing, so it can close no cycle
            return
        inverse = INVERSE_PREDICATE.get(predicate)
        if inverse and (obj, inverse, subject) in self.relations:
            return
        # keep the graph orderable: a relation closing a cycle contradicts an earlier one
        deps = nx.DiGraph()
        deps.add_nodes_from(o.id for o in self.objects)
        deps.add_edges_from((o, s) for s, p, o in self.relations if is_spatial(p))
        if deps.has_node(subject) and deps.has_node(obj) and nx.has_path(deps, subject, obj):
            return
        self.relations.append(triple)


_ORDINAL_REFERENCES = {"former", "latter", "first", "second"}


def _ordinal_reference(word: str, state: State) -> str | None:
    """"the former"/"the latter": the earlier/later of the two objects mentioned last;
    "the first"/"the second": by order of introduction."""
    if not state.objects:
        return None
    if word in ("first", "second"):
        index = 0 if word == "first" else 1
        return state.objects[index].id if index < len(state.objects) else None
    recent = sorted(state.objects, key=lambda o: o.mention)[-2:]
    if len(recent) < 2:
        return None
    ordered = sorted(recent, key=lambda o: state.objects.index(o))
    return ordered[0].id if word == "former" else ordered[1].id


def _shortened_reference(np_: NounPhrase, state: State) -> ParsedObject | None:
    """What a definite phrase names by part of its name or by its arrangement: "the sill" after
    a windowsill, "the board" after a cutting board, "the stack" or "the pile" after books."""
    if np_.head in lx.QUANTIFIER_NOUNS and lx.QUANTIFIER_NOUNS[np_.head] is None:
        groups = [o for o in state.objects if o.count > 1]
        return max(groups, key=lambda o: o.mention) if groups else None
    # (a class by its written word: "the table" after a conference table)
    head = np_.surface if np_.is_class and np_.surface and " " not in np_.surface else np_.head
    if len(head) < 3 or " " in head:
        return None
    named = [o for o in state.objects if _ends_with_word(o.name, head) or _ends_with_word(o.surface, head)]
    return max(named, key=lambda o: o.mention) if named else None


def _ends_with_word(name: str, head: str) -> bool:
    """Whether `name` ends with the word `head` ("cutting board", "windowsill" end with "board",
    "sill"; "chair" does not end with "air")."""
    if not name.endswith(head):
        return False
    rest = name[:-len(head)]
    return not rest or rest.endswith((" ", "-")) or len(rest) >= 3 and english.has_noun_entry(rest)


# words that name someone by sex, age or kinship only, not by a calling: "the woman" may be the
# luthier named before, "the judge" is not the stenographer
_PLAIN_PEOPLE = frozenset("""man woman men women boy girl kid child person people lady gentleman guy
    baby toddler teenager teen youngster adult elder figure someone individual""".split())


def _role(surface: str) -> bool:
    """Whether a person's noun names a calling ("judge", "stenographer"), not only a person."""
    word = english.noun_lemma(surface.split()[-1]) if surface else ""
    return bool(word) and word not in _PLAIN_PEOPLE and word not in lx.KIN_NOUNS and english.has_sense_of(
        word, english.PERSON)


def _same_noun(a: str, b: str) -> bool:
    return english.noun_lemma(a.split()[-1]) == english.noun_lemma(b.split()[-1]) if a and b else a == b


def resolve_phrase(np_: NounPhrase, state: State, counter: list[int], *, detail: bool,
                   reference_only: bool = False, anchored: bool = False, acted_on_by: str | None = None) -> Ref:
    """Turn a noun phrase into an object id: a new object, an earlier one, or nothing.
    `reference_only`: a possessor ("a child's bed") names an object only if it is one already.
    `anchored`: the phrase is the object of an explicit relation or action, so a definite thing
    ("next to the mirror") is drawn even when nothing introduced it."""
    if np_.pronoun is not None:
        ref = state.latest(plural=np_.pronoun == "they", person=np_.pronoun == "person")
        return Ref(ref, pronoun=np_.pronoun)
    if reference_only:
        same = [o for o in state.objects if o.name == np_.head]
        if not same:
            state.dropped.append(np_.head)
            return Ref(None)
    if not np_.is_class and np_.determiner == "definite" and np_.head in _ORDINAL_REFERENCES:
        ref = _ordinal_reference(np_.head, state)
        if ref is not None:
            state.touch(ref, counter)
            return Ref(ref)
    if not np_.is_class and np_.determiner == "definite" and np_.head in lx.HYPERNYMS:
        # "a kitten ... the animal": a general word pointing back at a named object
        kinds = lx.HYPERNYMS[np_.head]
        same = [o for o in state.objects if kinds is None or o.name in kinds]
        if same:
            target = max(same, key=lambda o: o.mention)
            target.modifiers.extend(w for w in np_.modifiers if w not in target.modifiers)
            state.touch(target.id, counter)
            return Ref(target.id)
    if np_.determiner == "definite" and np_.possessive is None and not any(o.name == np_.head for o in state.objects):
        target = _shortened_reference(np_, state)
        if target is not None:
            target.modifiers.extend(w for w in np_.modifiers if w not in target.modifiers)
            state.touch(target.id, counter)
            return Ref(target.id)
    bare_substance = english.is_substance(np_.head) and np_.determiner == "none" and np_.count is None
    if not np_.is_class and not state.keep_all_nouns and (english.is_mass(np_.head) or bare_substance):
        # ("dust motes drift", "speckled with rust"; "a bar of soap" is a thing)
        # "drinking milk", "steam curls", "eating dinner": a liquid, a mass or a meal is
        # drawn as its holder ("a cup of coffee" is the cup)
        state.dropped.append(np_.head)
        return Ref(None)
    if not np_.is_class and np_.kind in (NounKind.ABSTRACT, NounKind.UNIT):
        # "a glossy finish", "a sense of calm", "150 centimeters": nothing to draw, ever
        state.dropped.append(np_.head)
        return Ref(None)
    if (state.keep_all_nouns and not np_.is_class and np_.head in lx.NEVER_DRAWN_NOUNS
            and np_.head != state.last_resort_subject):
        state.dropped.append(np_.head)
        return Ref(None)
    # a picture placed or counted is a thing on the wall, not the picture itself ("next to two
    # framed photos")
    if np_.head in lx.PICTURE_NOUNS - lx.DEPICTION_NOUNS and english.picture_word_named_as_thing(
            np_.head, np_.determiner, np_.count, bool(state.objects)):
        np_.kind = NounKind.THING  # "a camera on a rail", "lifting a frame": a made thing, not the picture
    hung_picture = np_.kind == NounKind.THING and np_.head in lx.PICTURE_NOUNS or (
        np_.head in lx.DEPICTION_NOUNS and (anchored or (np_.count or 1) > 1)
                    and np_.determiner != "definite"  # ("in the center of the image" is the picture)
                    and english.noun_kind(np_.head) in (NounKind.THING, NounKind.WEAK))
    if not state.keep_all_nouns and not np_.is_class and (
            np_.head in lx.SETTING_NOUNS and not english.is_building(np_.head) and not hung_picture
            and not np_.placed_structure
            or np_.kind == NounKind.PLACE or detail):
        # (a café or a shop a clause is about is a building to draw; "in a café" is a detail)
        state.dropped.append(np_.head)
        return Ref(None)
    if (not state.keep_all_nouns and not np_.is_class and np_.determiner == "definite" and state.objects
            and not (anchored and np_.kind in (NounKind.THING, NounKind.WEAK, NounKind.UNKNOWN))
            and np_.head not in lx.UNIQUE_NOUNS and not any(o.name == np_.head for o in state.objects)):
        # "the rest of the image", "the wall": new things are introduced with "a" or a number;
        # a definite one that points at nothing drawn is part of the setting
        state.dropped.append(np_.head)
        return Ref(None)
    count = np_.count
    if count is None:
        count = np_.vague_count if np_.plural and np_.vague_count else (2 if np_.plural else 1)
    if count > MAX_COUNT:
        state.notes.append(f"count {count} of '{np_.head}' capped at {MAX_COUNT}")
        count = MAX_COUNT
    if count < 1:
        state.dropped.append(np_.head)
        return Ref(None)
    refers_back = np_.determiner == "definite" or (np_.determiner == "none" and np_.count is None)
    if refers_back:
        same = [o for o in state.objects if o.name == np_.head]
        if np_.possessive is not None or np_.determiner == "none":
            # "a grandfather teaching his grandson", "a bride and groom", "a guide leading
            # tourists": another person, unless named the same way ("a dog ... his dog")
            same = [o for o in same if o.surface == np_.surface]
        if not np_.plural and (np_.count or 1) == 1:
            # "two customers ... the cook": one of a kind named otherwise is someone else
            same = [o for o in same if o.count == 1 or _same_noun(o.surface, np_.surface)]
        elif np_.plural and np_.count is None and not reference_only and not english.is_people_group(
                np_.surface or np_.head):
            # "the bride and groom ..., the guests seated behind them": several of a kind named
            # otherwise are others, not the one named before
            same = [o for o in same if o.count > 1 or _same_noun(o.surface, np_.surface)]
        if acted_on_by is not None and np_.head == "person":
            # "a woman paying the cashier", "a boy talking to the teacher": whom someone acts on
            # or speaks to is someone else, never the doer
            same = [o for o in same if o.id != acted_on_by]
        if (same and np_.is_class and not np_.plural and np_.determiner == "definite" and not np_.modifiers
                and _role(np_.surface) and all(_role(o.surface) and not _same_noun(o.surface, np_.surface)
                                               for o in same)):
            # "a stenographer typing as the judge scolds a lawyer": someone named by another
            # calling than everyone before is someone else ("a woman ... the luthier" may be her)
            same = []
        if same:
            # "the blue car" picks the blue one of two cars; otherwise the latest mentioned
            described = [o for o in same if np_.modifiers and set(np_.modifiers) <= set(o.modifiers)]
            # "a dentist examines a patient ... beside the dentist": the one called so, of
            # several of one class
            called = [o for o in described or same if _same_noun(o.surface, np_.surface)]
            target = max(called or described or same, key=lambda o: o.mention)
            for word in np_.modifiers:
                if word not in target.modifiers:
                    target.modifiers.append(word)
            target.measurements.extend(m for m in np_.measurements if m not in target.measurements)
            target.parts.extend(p for p in np_.parts if p not in target.parts)
            state.touch(target.id, counter)
            return Ref(target.id)
    counter[0] += 1
    obj = ParsedObject(id=f"o{len(state.objects) + 1}", name=np_.head, count=count,
                  modifiers=list(np_.modifiers), is_class=np_.is_class, mention=counter[0],
                  surface=np_.surface, measurements=list(np_.measurements), parts=list(np_.parts))
    state.objects.append(obj)
    state.mentions.append(obj.id)
    return Ref(obj.id)
