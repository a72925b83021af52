"""What a language model is taught before it writes a scene graph: the rules and worked examples
of `docs/scene_graph_conventions.md`, the contract the gold graphs (and so the model) are scored
against. Each example shows conventions a model gets wrong when left to guess: people are
`person`, what is worn or held "with" is a part, a place phrase after a list applies to every
member, an apposition renames and does not add, the class name the checker knows comes with the
prompt's own noun, positions said with a verb use the spatial predicate, the setting is not an
object."""

from __future__ import annotations

from typing import Any

from stagestudio.scene.graph import PREDICATES

RULES = (
    "Rules: objects are the drawable things the picture must show; not the setting (ground, sky, water, "
    "rooms, a park, the weather, the time of day), style or picture words (photo, render, close-up), light, "
    "mood or abstract qualities (realism, contrast, sheen). Scenery is an object only when something is "
    "placed relative to it ('beneath an oak tree'). Names are singular nouns; use a COCO class name where one "
    "fits ('person' for any man, woman, child or role such as chef or knight; 'cup' for a mug, 'dining "
    "table' for a table, 'cell phone', 'couch', 'tv', 'oven' for a stove), and then the prompt's own noun "
    "in \"noun\" ('chef', 'mug'). One object per thing: a later name, an apposition or a pronoun for something "
    "already named is the same object. count is how many (1-20; a pair of = 2, a dozen = 12; an unstated "
    "plural is your best small number); parts and features of an object (handle, legs, nose) and what a "
    "person wears or holds given with 'in' or 'with' go in attributes.parts, never as objects; "
    "measurements and durations in attributes.measurements, never in count; colours in attributes.color "
    "(one of red, orange, yellow, green, blue, purple, pink, brown, black, white, gray; metals are "
    "materials). Spatial predicates are exactly one of: " + ", ".join(PREDICATES) + "; a verb that only "
    "says where a thing is uses them ('sitting on' -> on, 'leaning against' -> next to, 'hanging from' -> "
    "on, 'under' -> below). Any other relation is an action written as a present participle with its "
    "particle ('riding', 'holding', 'looking at'), its subject the one acting. A place phrase after a list "
    "applies to every member. Answer with the JSON only."
)


def _obj(oid: str, name: str, count: int = 1, noun: str | None = None, **attributes: Any) -> dict[str, Any]:
    written = {"noun": noun} if noun else {}
    return {"id": oid, "name": name, **written, "count": count, "attributes": {"color": None, **attributes}}


def _rel(subject: str, predicate: str, obj: str) -> dict[str, str]:
    return {"subject": subject, "predicate": predicate, "object": obj}


EXAMPLES: list[tuple[str, dict[str, Any]]] = [
    (
        "a red bicycle leaning against a brick wall, with a small dog sitting to the left of it",
        {"objects": [_obj("o1", "bicycle", color="red"), _obj("o2", "wall", material="brick"),
                     _obj("o3", "dog", size="small")],
         "relations": [_rel("o1", "next to", "o2"), _rel("o3", "left of", "o1")]},
    ),
    (
        "Three ceramic mugs on a wooden table, each with a chipped handle; a girl holding a green umbrella "
        "stands behind the table on a rainy afternoon.",
        {"objects": [_obj("o1", "cup", 3, "mug", material="ceramic", parts=["chipped handle"]),
                     _obj("o2", "dining table", noun="table", material="wooden"),
                     _obj("o3", "person", noun="girl"), _obj("o4", "umbrella", color="green")],
         "relations": [_rel("o1", "on", "o2"), _rel("o3", "holding", "o4"), _rel("o3", "behind", "o2")]},
    ),
    (
        "two snowboards propped side by side, each about 150 centimeters long",
        {"objects": [_obj("o1", "snowboard", 2, measurements=["about 150 centimeters long"])],
         "relations": []},
    ),
    (
        "Morning light fills a small bakery. The baker, a tall woman in a floury apron, slides a tray of "
        "croissants into the oven. Beside her, a boy with a blue cap feeds a tabby cat on the counter. "
        "The scene feels warm and inviting.",
        {"objects": [_obj("o1", "person", noun="baker", size="tall", parts=["floury apron"]),
                     _obj("o2", "tray"), _obj("o3", "croissant", 6), _obj("o4", "oven"),
                     _obj("o5", "person", noun="boy", parts=["blue cap"]),
                     _obj("o6", "cat", adjectives=["tabby"]), _obj("o7", "counter")],
         "relations": [_rel("o1", "sliding", "o2"), _rel("o3", "on", "o2"), _rel("o2", "inside", "o4"),
                       _rel("o5", "next to", "o1"), _rel("o5", "feeding", "o6"), _rel("o6", "on", "o7")]},
    ),
    (
        "Enamel camping mug x2, matte black, 350 ml + stainless spork, shown on a log beside a kettle",
        {"objects": [_obj("o1", "cup", 2, "camping mug", color="black", material="enamel",
                          measurements=["350 ml"]),
                     _obj("o2", "spork", material="stainless"), _obj("o3", "log"), _obj("o4", "kettle")],
         "relations": [_rel("o1", "on", "o3"), _rel("o2", "on", "o3"), _rel("o1", "next to", "o4"),
                       _rel("o2", "next to", "o4")]},
    ),
]
