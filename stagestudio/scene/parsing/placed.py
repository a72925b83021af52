"""Which noun a relation places: a part named with its whole ("near the barn door" is near the
barn: a relation to a part is one to its owner, docs/scene_graph_conventions.md), a setting word
built of some stuff ("beside a dry stone wall"), a holder through its holding part ("in the
drawer of a dresser"), and not a time ("before dawn")."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import Item, NounPhrase, Rel
from stagestudio.scene.parsing.phrases import parse_noun_phrase
from stagestudio.scene.parsing.relations import POSITIONAL, RelPhrase
from stagestudio.scene.parsing.state import State


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
