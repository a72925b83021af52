"""Critique and corrective instruction from a model inspector's failed facts.

A correction always says what to change: which object, attribute or relation, and how. It is
built from the failed facts and the step being drawn, never a generic "follow the
instruction". Unsure and unchecked facts are left out: there is nothing known to correct.
"""

from __future__ import annotations

from stagestudio.inspector.verdict import FactResult
from stagestudio.scene.graph import SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep
from stagestudio.scene.text import NUMBER_WORDS, definite, noun_phrase, plural, relation_words

# How to ask for a spatial relation in an edit.
_SPATIAL_VERBS = {
    "left of": "move", "right of": "move", "above": "move", "below": "move", "next to": "move", "near": "move",
    "on": "put", "under": "put", "in front of": "put", "behind": "put", "inside": "put",
}


def _number(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def _full(obj: SceneObject) -> str:
    return noun_phrase(obj.name, obj.count, obj.attributes.phrase())


def _placed(obj: SceneObject, target: SceneGraph) -> str:
    """'a silver spoon below the bear': the object with its spatial relations in the target."""
    where = [
        f"{relation_words(r.predicate)} {definite(target.object(r.object).name, target.object(r.object).count)}"
        for r in target.spatial_relations
        if r.subject == obj.id
    ]
    return f"{_full(obj)} {' and '.join(where)}" if where else _full(obj)


def _known(target: SceneGraph, ids: list[str]) -> list[SceneObject]:
    known = {o.id for o in target.objects}
    return [target.object(i) for i in ids if i in known]


def _sentence(text: str) -> str:
    text = text.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def critique_and_correction(
    failed: list[FactResult], target: SceneGraph, step: PlanStep | None = None
) -> tuple[str, str]:
    """(critique, correction) for the failed facts; ('', '') when none failed."""
    failed = [f for f in failed if f.status == "fail"]
    critiques: list[str] = []
    fixes: list[str] = []
    missing: set[str] = set()
    for f in failed:
        objects = _known(target, f.object_ids)
        if f.kind == "presence" and objects:
            obj = objects[0]
            missing.add(obj.id)
            critiques.append(f"There is no {obj.name} in the image.")
            fixes.append(f"add {_placed(obj, target)}")
        elif f.kind == "count" and objects:
            obj = objects[0]
            if obj.id in missing:
                continue  # "add three dogs" already says how many
            critiques.append(f"There should be exactly {_number(obj.count)} {plural(obj.name)}.")
            fixes.append(f"make it exactly {_number(obj.count)} {plural(obj.name)}, no more and no fewer")
        elif f.kind == "color" and objects:
            obj = objects[0]
            if obj.id in missing:
                continue
            the = definite(obj.name, obj.count)
            critiques.append(_sentence(f"{the} {'is' if obj.count == 1 else 'are'} not {f.expected}"))
            fixes.append(f"make {the if obj.count == 1 else 'all of ' + the} {f.expected}")
        elif f.kind == "relation" and len(objects) == 2:
            s, o = objects
            if s.id in missing and o.id in missing:
                continue
            the_s, the_o = definite(s.name, s.count), definite(o.name, o.count)
            be = "is" if s.count == 1 else "are"
            critiques.append(_sentence(f"{the_s} {be} not {relation_words(f.expected)} {the_o}"))
            if f.expected in _SPATIAL_VERBS:
                fixes.append(f"{_SPATIAL_VERBS[f.expected]} {the_s} {relation_words(f.expected)} {the_o}")
            else:  # an action: show it happening
                fixes.append(f"show {the_s} {f.expected} {the_o}")
        elif f.kind == "instruction":
            instruction = f.expected or (step.instruction if step is not None else "")
            if not instruction:
                continue
            critiques.append(f"The step \u201c{instruction}\u201d is not done.")
            # The step's own objects, with their attributes and placement, say what to draw.
            step_objects = [o for o in _known(target, f.object_ids) if o.id not in missing]
            if step_objects and not any(fx.startswith("add ") for fx in fixes):
                fixes.append("redraw the step so that it clearly shows "
                             + " and ".join(_placed(o, target) for o in step_objects))
            elif not step_objects:
                fixes.append(f"carry out this step: {instruction.rstrip('.')}")
        else:
            critiques.append(_sentence(f"It is not true that {f.fact}"))
            fixes.append(f"make it so that {f.fact}")
    if not fixes:
        return " ".join(critiques), ""
    return " ".join(critiques), _sentence("; ".join(fixes))

