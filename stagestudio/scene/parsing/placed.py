"""Which noun a relation places: a part named with its whole ("near the barn door" is near the
barn: a relation to a part is one to its owner, docs/scene_graph_conventions.md), a setting word
built of some stuff ("beside a dry stone wall"), a holder through its holding part ("in the
drawer of a dresser"), and not a time ("before dawn")."""

from __future__ import annotations

from functools import lru_cache

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import Action, Break, Item, NounPhrase, Prep, Rel
from stagestudio.scene.parsing.phrases import parse_noun_phrase
from stagestudio.scene.parsing.positions import LIST_BREAKS, clause_subject_ref
from stagestudio.scene.parsing.reference import antecedent
from stagestudio.scene.parsing.relations import POSITIONAL, RelPhrase
from stagestudio.scene.parsing.state import Ref, State


def whole_named_before_part(np_: NounPhrase, prev: Item | None) -> NounPhrase | None:
    """For the definite object of a relation whose last modifier is a noun the head is a part
    of ("the barn door", "the church roof"), the phrase for that whole, with the part in its
    `parts`; else None. Only a part WordNet gives that whole counts."""
    if (not isinstance(prev, Rel) or prev.phrase.kind != "object" or np_.pronoun is not None or not np_.modifiers
            or np_.determiner != "definite"):
        return None  # ("in a tree stump", "on a supermarket shelf": a new thing of that kind)
    modifier = np_.modifiers[-1]
    part = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    if not english.has_thing_sense(modifier) or english.is_material(modifier) or not english.is_part(part):
        return None
    if "ADJ" in english.parts_of_speech(modifier) or not english.is_part_of(part, modifier, strict=True):
        return None  # ("its upper windows"; "a hospital bed", "a tree stump" name kinds of thing)
    whole, _ = parse_noun_phrase(["the", *np_.modifiers], 0)
    if (not isinstance(whole, NounPhrase) or whole.head != english.noun_lemma(modifier) and not whole.is_class
            or whole.kind in (NounKind.PLACE, NounKind.ABSTRACT) or whole.head in lx.SETTING_NOUNS):
        return None  # ("by the kitchen door": the door of the setting is what is drawn)
    whole.determiner = np_.determiner
    whole.parts = [*whole.parts, part]
    return whole


def placed_verdict(phrase: RelPhrase, np_: NounPhrase) -> bool | None:
    """Whether a noun outside the classes after `phrase` is placed by it, where this module
    decides: False for a time after "before" ("before a nap"); True for a setting word built of
    some stuff ("beside a dry stone wall", "next to a wooden dock", "standing on a stone wall":
    under "on" only one that stands up, not "a wooden floor"); else None (no verdict)."""
    if phrase.temporal_too and not (english.is_artifact(np_.head) or english.is_animate(np_.head)):
        return False
    if (np_.determiner != "definite" and english.is_artifact(np_.head)
            and any(w in lx.MATERIAL_WORDS for w in np_.modifiers)
            and (phrase.predicate in POSITIONAL or phrase.predicate == "on" and english.is_large(np_.head))):
        return True
    return None


def holds_through_portion(np_: NounPhrase) -> bool:
    """"in the open drawer of a dresser": in the dresser, through its part that holds things."""
    portion = english.noun_lemma(np_.portion.split()[-1]) if np_.portion else ""
    return bool(portion) and english.is_container(portion, senses=2)


def part_in_a_rare_sense(np_: NounPhrase, whole: str) -> bool:
    """Whether `np_` is a part of `whole` only in a rare sense whose commonest sense is a landform
    or another thing's part: "on the shore" is no prop of a tent, "on the harbor wall" no body
    wall of a fisherman, where "on the seat" of a bench and "on the burner" of a stove are."""
    part = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    rank = english.part_sense_rank(part, whole)
    senses = english.noun_senses(part)
    if rank is None or rank[0] == 0 or rank[1] == 0 or not senses:
        return False
    first = senses[0]
    # (a relative place, "the back seat" of a car, "the side" of a truck, may well be its part)
    return first.lexfile == english.OBJECT and "l" in first.flags or bool(first.part_of)


def owner_of_named_part(np_: NounPhrase, prev: Item | None, state: State) -> str | None:
    """The object an earlier phrase gave this part to, for a relation's object: "a stove, 2
    burners, with a kettle on one burner" is on the stove; "a dresser with three drawers, a cat
    in the top drawer" in the dresser. None when no object has a part of that name."""
    if not isinstance(prev, Rel) or np_.pronoun is not None or np_.possessive is not None or np_.is_class:
        return None
    word = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    owners = [o for o in state.objects
              if any(english.noun_lemma(part.split()[-1]) == word for part in o.parts) and o.name != np_.head]
    return max(owners, key=lambda o: o.mention).id if owners else None


def owner_of_unlisted_part(np_: NounPhrase, prev: Item | None, state: State, resolved: list,
                           subject: str | None | bool) -> str | None:
    """The made thing that "on the" made part belongs to, where WordNet lists that part only on
    other wholes: "a metronome ticks on the lid" of the piano, "a cat naps on the armrest" of the
    sofa (WordNet's lids are a pot's, its armrests a chair's). The owner is what a possessive
    "its" would mean there; it must be made, not the clause's subject (`subject`), and no object
    of the part's name may be drawn already. None otherwise (a door "beside the boots" is a door)."""
    if (not isinstance(prev, Rel) or prev.phrase.kind != "object" or prev.phrase.predicate != "on"
            or np_.determiner != "definite" or np_.pronoun is not None or np_.possessive is not None
            or np_.plural or np_.count is not None or np_.is_class):
        return None
    part = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    made_part = any(s.lexfile == english.ARTIFACT and "p" in s.flags for s in english.noun_senses(part)[:2])
    if (not made_part or part in lx.SETTING_NOUNS or _fixture(part)
            or any(o.name == np_.head for o in state.objects)):
        return None
    # only a made thing, not worn, owns a made part ("the lid" near a dog is the piano's)
    unfit = {o.id for o in state.objects if not english.is_artifact(o.word) or english.is_worn(o.word)}
    # the whole was named before this clause: a thing named in it, or together with one, is placed
    # by the part ("a vase of roses sits on the lid", "a vase and a clock sit on the mantel")
    start = len(resolved)
    while start > 0 and not (isinstance(resolved[start - 1], Break) and not _joins_subjects(resolved, start - 1)):
        start -= 1
    for named in {r.object_id for r in resolved[start:] if isinstance(r, Ref) and r.object_id is not None} | {
            i for i in (subject, clause_subject_ref(resolved)) if isinstance(i, str)}:
        unfit.update(state.group_of(named))
    owner = antecedent("it", resolved, len(resolved), state, exclude=unfit, can_own=part)
    return owner if owner is not None and english.is_part_of(part, state.get(owner).word) else None


@lru_cache(maxsize=1)
def _building_wholes() -> frozenset[str]:
    # what a building and its rooms, walls and windows are, as WordNet's ids of wholes
    return frozenset().union(*(s.wholes for w in ("building", "room", "wall", "window")
                               for s in english.noun_senses(w)[:1]))


def _fixture(part: str) -> bool:
    """A part of a building or a room ("windowsill", "radiator", "shelf"): drawn as a thing of its
    own, since the building it belongs to is the setting, not an object there."""
    return any(s.part_of & _building_wholes() for s in english.noun_senses(part)[:2])


def _joins_subjects(resolved: list, m: int) -> bool:
    """Whether the break at `m` joins two things named together as subjects ("A vase and a clock
    sit ..."), rather than ending a clause."""
    return (resolved[m].word in LIST_BREAKS and 0 < m < len(resolved) - 1
            and isinstance(resolved[m - 1], Ref) and isinstance(resolved[m + 1], Ref)
            and not (m >= 2 and isinstance(resolved[m - 2], (Rel, Action, Prep))))
