"""A relation to a part named by its whole: "near the barn door" is near the barn, whose door
it is (docs/scene_graph_conventions.md: a relation to a part is a relation to its owner)."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import Item, NounPhrase, Rel
from stagestudio.scene.parsing.phrases import parse_noun_phrase


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
