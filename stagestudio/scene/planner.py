"""Offline step planner: a scene graph -> ordered drawing steps (the paper's <ins>/<des> pairs).

Objects are drawn one per step, all instances at once, with their attributes. An object placed
relative to another comes after it (topological order over the graph's dependencies, ties
broken by mention order), so every instruction can refer to objects already on the canvas:
"Draw a brown bear." then "Add a silver spoon below the bear."
"""

from __future__ import annotations

import networkx as nx

from stagestudio.scene.graph import SceneGraph, SceneGraphError
from stagestudio.scene.plan import PlanStep
from stagestudio.scene.text import describe_graph, refer_to, relation_words

DEFAULT_MAX_STEPS = 8


class PlanError(ValueError):
    """The graph cannot be planned (empty, cyclic, bad step limit); the message says why."""


def drawing_order(graph: SceneGraph) -> list[str]:
    """Object ids, references before the objects placed relative to them, else mention order."""
    if not graph.objects:
        raise PlanError("the scene graph has no objects; there is nothing to draw")
    try:
        graph.validate_graph()
    except SceneGraphError as exc:
        raise PlanError(str(exc)) from exc
    mention = {o.id: n for n, o in enumerate(graph.objects)}
    return list(nx.lexicographical_topological_sort(graph.dependency_graph(), key=lambda i: mention[i]))


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _placed_phrase(graph: SceneGraph, object_id: str, realised: set[str]) -> str:
    """'a silver spoon below the bear and to the left of the cup' (relations to drawn objects only)."""
    obj = graph.object(object_id)
    placements = [
        f"{relation_words(r.predicate)} {refer_to(graph.object(r.object), graph)}"
        for r in graph.relations
        if r.subject == object_id and r.object in realised
    ]
    phrase = obj.noun_phrase()
    return f"{phrase} {_join(placements)}" if placements else phrase


def _step(graph: SceneGraph, index: int, object_ids: list[str], realised_before: list[str]) -> PlanStep:
    realised = set(realised_before)
    parts: list[str] = []
    for oid in object_ids:
        parts.append(_placed_phrase(graph, oid, realised))
        realised.add(oid)
    verb = "Draw" if not realised_before else "Add"
    instruction = f"{verb} {_join(parts)}."
    description = describe_graph(graph.subgraph(realised))
    return PlanStep(index=index, instruction=instruction, description=description, object_ids=list(object_ids))


def plan_steps(graph: SceneGraph, max_steps: int = DEFAULT_MAX_STEPS) -> list[PlanStep]:
    """Ordered steps that build the scene; with more objects than `max_steps`, the trailing
    objects share the last step."""
    if max_steps < 1:
        raise PlanError(f"max_steps must be at least 1, got {max_steps}")
    order = drawing_order(graph)
    groups = [[oid] for oid in order[: max_steps - 1]]
    groups.append(order[max_steps - 1:] if len(order) >= max_steps else [])
    groups = [g for g in groups if g]
    steps: list[PlanStep] = []
    done: list[str] = []
    for index, group in enumerate(groups):
        step = _step(graph, index, group, done)
        if len(group) > 1:
            step.note = f"{len(group)} objects share this step: the plan is capped at {max_steps} steps"
        steps.append(step)
        done.extend(group)
    return steps


def next_step(graph: SceneGraph, done_ids: list[str] | set[str], index: int) -> PlanStep | None:
    """The next single-object step after `done_ids` are drawn, or None when all are drawn.
    For backends that plan one step at a time (and may have drawn things out of order)."""
    done = set(done_ids)
    unknown = done - {o.id for o in graph.objects}
    if unknown:
        raise PlanError(f"done_ids name objects not in the graph: {', '.join(sorted(unknown))}")
    remaining = [oid for oid in drawing_order(graph) if oid not in done]
    if not remaining:
        return None
    realised_before = [oid for oid in drawing_order(graph) if oid in done]
    return _step(graph, index, [remaining[0]], realised_before)


def next_planned_step(
    graph: SceneGraph,
    done: list[PlanStep],
    max_steps: int = DEFAULT_MAX_STEPS,
    realised_ids: list[str] | None = None,
) -> PlanStep | None:
    """The step after `done` (skipped steps included: their objects are not offered again),
    or None when every object is covered or the cap is reached. Works on a graph edited
    mid-run: it looks at which objects are covered, not at step positions. The last step
    allowed by `max_steps` takes every remaining object."""
    index = len(done)
    if index >= max_steps:
        return None
    covered = {i for s in done for i in s.object_ids}
    order = drawing_order(graph)
    remaining = [oid for oid in order if oid not in covered]
    if not remaining:
        return None
    group = remaining if index == max_steps - 1 else remaining[:1]
    realised = [oid for oid in order if oid in set(realised_ids if realised_ids is not None else covered)]
    step = _step(graph, index, group, realised)
    if len(group) > 1:
        step.note = f"{len(group)} objects share this step: the plan is capped at {max_steps} steps"
    return step
