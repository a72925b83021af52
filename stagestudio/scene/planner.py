"""Offline step planner: a scene graph -> ordered drawing steps (the paper's <ins>/<des> pairs).

Objects are drawn one per step, all instances at once, with their attributes. An object placed
relative to another comes after it (topological order over the graph's spatial dependencies,
ties broken by mention order), so every instruction can refer to objects already on the canvas:
"Draw a brown bear." then "Add a silver spoon below the bear." Objects joined by an action
("an astronaut riding a horse") share one step, so the edit can draw the interaction itself:
"Draw an astronaut riding a white horse."
"""

from __future__ import annotations

import networkx as nx

from stagestudio.scene.graph import SceneGraph, SceneGraphError
from stagestudio.scene.plan import PlanStep
from stagestudio.scene.text import describe_graph, refer_to, relation_words

DEFAULT_MAX_STEPS = 8
# An action component larger than this is drawn one object per step (in consecutive steps):
# one edit that adds five interacting things at once is more likely to drop one.
MAX_ACTION_GROUP = 3


class PlanError(ValueError):
    """The graph cannot be planned (empty, cyclic, bad step limit); the message says why."""


def drawing_groups(graph: SceneGraph) -> list[list[str]]:
    """Object ids grouped into steps: references before the objects placed relative to them,
    else mention order; the two ends of an action relation in one group (or, when that would
    break a spatial dependency or the group is large, in consecutive groups)."""
    if not graph.objects:
        raise PlanError("the scene graph has no objects; there is nothing to draw")
    try:
        graph.validate_graph()
    except SceneGraphError as exc:
        raise PlanError(str(exc)) from exc
    mention = {o.id: n for n, o in enumerate(graph.objects)}
    dependencies = graph.dependency_graph()
    order = list(nx.lexicographical_topological_sort(dependencies, key=lambda i: mention[i]))

    # Action components (union of objects linked by actions), each drawn as one group when the
    # group can be placed as a whole: contracting it must leave the spatial order acyclic.
    actions = nx.Graph()
    actions.add_nodes_from(order)
    actions.add_edges_from((r.subject, r.object) for r in graph.action_relations)
    group_of: dict[str, int] = {}
    groups: list[list[str]] = []
    for component in nx.connected_components(actions):
        members = [i for i in order if i in component]
        if len(members) > 1 and (len(members) > MAX_ACTION_GROUP or not _contractible(dependencies, set(members))):
            for member in members:  # consecutive singletons instead
                group_of[member] = len(groups)
                groups.append([member])
            continue
        for member in members:
            group_of[member] = len(groups)
        groups.append(members)

    condensed = nx.DiGraph()
    condensed.add_nodes_from(range(len(groups)))
    for a, b in dependencies.edges:
        if group_of[a] != group_of[b]:
            condensed.add_edge(group_of[a], group_of[b])
    position = {i: n for n, i in enumerate(order)}
    first = {g: min(position[m] for m in members) for g, members in enumerate(groups)}
    # Split singletons of one large component keep their adjacency through the tie-break
    # (their positions in `order` are what they were).
    ranked = nx.lexicographical_topological_sort(condensed, key=lambda g: (first[g], g))
    return [groups[g] for g in ranked]


def _contractible(dependencies: nx.DiGraph, members: set[str]) -> bool:
    """Whether the objects in `members` can be drawn in one step: no spatial path leaves the
    group and comes back into it through an outside object."""
    outside = dependencies.subgraph(n for n in dependencies if n not in members)
    leaving = {b for a, b in dependencies.edges if a in members and b not in members}
    entering = {a for a, b in dependencies.edges if a not in members and b in members}
    return not any(nx.has_path(outside, x, y) for x in leaving for y in entering)


def drawing_order(graph: SceneGraph) -> list[str]:
    """Object ids in drawing order (the groups of `drawing_groups`, flattened)."""
    return [oid for group in drawing_groups(graph) for oid in group]


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _placed_phrase(graph: SceneGraph, object_id: str, realised: set[str], companions: set[str] = frozenset()) -> str:
    """'a silver spoon below the bear and to the left of the cup' (relations to drawn objects
    only); an action towards an object drawn in the same step names it in full: 'an
    astronaut riding a white horse'."""
    obj = graph.object(object_id)
    placements = []
    for r in graph.relations:
        if r.subject != object_id:
            continue
        if r.object in realised:
            placements.append(f"{relation_words(r.predicate)} {refer_to(graph.object(r.object), graph)}")
        elif r.is_action and r.object in companions:
            placements.append(f"{r.predicate} {graph.object(r.object).noun_phrase()}")
    # An action whose subject is already drawn: 'a red umbrella, which the girl is holding'.
    held = [
        f"{refer_to(graph.object(r.subject), graph)} {'is' if graph.object(r.subject).count == 1 else 'are'} {r.predicate}"
        for r in graph.action_relations
        if r.object == object_id and r.subject in realised
    ]
    phrase = obj.noun_phrase()
    if placements:
        phrase = f"{phrase} {_join(placements)}"
    if held:
        phrase = f"{phrase}, which {_join(held)}"
    return phrase


def _step(graph: SceneGraph, index: int, object_ids: list[str], realised_before: list[str]) -> PlanStep:
    realised = set(realised_before)
    # Objects named in full inside another's action phrase are not listed again.
    named_inside = {
        r.object for r in graph.action_relations
        if r.subject in object_ids and r.object in object_ids and r.object not in realised
    }
    named_inside -= {r.subject for r in graph.action_relations if r.subject in named_inside and r.object in object_ids}
    parts: list[str] = []
    expressed: set[tuple[str, str]] = set()  # (subject, object) pairs a phrase already placed
    for oid in object_ids:
        if oid in named_inside:
            continue
        expressed.update((oid, other) for other in realised)
        parts.append(_placed_phrase(graph, oid, realised, set(object_ids) - realised))
        realised.add(oid)
    # Spatial relations between objects that arrive together, named by an action phrase
    # ("a knight facing a green dragon, with the dragon to the right of the knight").
    inner = [
        f"{refer_to(graph.object(r.subject), graph)} {relation_words(r.predicate)} {refer_to(graph.object(r.object), graph)}"
        for r in graph.spatial_relations
        if r.subject in object_ids and r.object in object_ids and (r.subject, r.object) not in expressed
    ]
    if inner:
        parts[-1] = f"{parts[-1]}, with {_join(inner)}"
    realised.update(object_ids)
    verb = "Draw" if not realised_before else "Add"
    instruction = f"{verb} {_join(parts)}."
    description = describe_graph(graph.subgraph(realised))
    return PlanStep(index=index, instruction=instruction, description=description, object_ids=list(object_ids))


def plan_steps(graph: SceneGraph, max_steps: int = DEFAULT_MAX_STEPS) -> list[PlanStep]:
    """Ordered steps that build the scene; with more objects than `max_steps`, the trailing
    objects share the last step."""
    if max_steps < 1:
        raise PlanError(f"max_steps must be at least 1, got {max_steps}")
    planned = drawing_groups(graph)
    groups = planned[: max_steps - 1]
    tail = [oid for group in planned[max_steps - 1:] for oid in group]
    if tail:
        groups.append(tail)
    steps: list[PlanStep] = []
    done: list[str] = []
    for index, group in enumerate(groups):
        step = _step(graph, index, group, done)
        if index == max_steps - 1 and len(planned) > max_steps:
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
    groups = [[oid for oid in g if oid not in covered] for g in drawing_groups(graph)]
    groups = [g for g in groups if g]
    if not groups:
        return None
    last = index == max_steps - 1
    group = [oid for g in groups for oid in g] if last else groups[0]
    realised_set = set(realised_ids if realised_ids is not None else covered)
    realised = [o.id for o in graph.objects if o.id in realised_set]
    step = _step(graph, index, group, realised)
    if last and len(groups) > 1:
        step.note = f"{len(group)} objects share this step: the plan is capped at {max_steps} steps"
    return step
