"""The offline step planner: order, attributes, the step cap, descriptions."""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneObject
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.planner import PlanError, drawing_order, next_planned_step, next_step, plan_steps


def _graph(n: int) -> SceneGraph:
    return SceneGraph(objects=[SceneObject(id=f"o{i}", name=f"thing{i}") for i in range(1, n + 1)])


def test_reference_object_is_drawn_first():
    graph = parse_prompt("a silver spoon below a brown bear")
    steps = plan_steps(graph)
    assert [s.object_ids for s in steps] == [["o2"], ["o1"]]
    assert steps[0].instruction == "Draw a brown bear."
    assert steps[1].instruction == "Add a silver spoon below the bear."
    assert [s.index for s in steps] == [0, 1]


def test_ties_keep_mention_order_and_chains_are_topological():
    graph = parse_prompt("a cat left of a dog, a bird above the cat, and a cup")
    order = drawing_order(graph)
    ids = {o.name: o.id for o in graph.objects}
    assert order.index(ids["dog"]) < order.index(ids["cat"]) < order.index(ids["bird"])
    assert order == [ids["dog"], ids["cat"], ids["bird"], ids["cup"]]


def test_attributes_and_count_travel_with_the_object():
    graph = parse_prompt("three small red cars to the right of a wooden bench")
    steps = plan_steps(graph)
    assert steps[1].instruction == "Add three small red cars to the right of the bench."
    assert steps[1].object_ids == ["o1"]


def test_descriptions_cover_everything_realised_so_far():
    graph = parse_prompt("a dog right of a teddy bear and a kite above the dog")
    steps = plan_steps(graph)
    assert steps[0].description == "The scene shows a teddy bear."
    assert steps[1].description == "A dog is to the right of a teddy bear."
    assert "kite" not in steps[1].description
    assert steps[2].description == "A dog is to the right of a teddy bear. A kite is above the dog."


def test_cap_merges_trailing_objects_into_the_last_step():
    graph = _graph(5)
    steps = plan_steps(graph, max_steps=3)
    assert [s.object_ids for s in steps] == [["o1"], ["o2"], ["o3", "o4", "o5"]]
    assert steps[2].instruction == "Add a thing3, a thing4 and a thing5."
    assert "capped at 3 steps" in steps[2].note and steps[0].note == ""
    assert len(plan_steps(graph, max_steps=8)) == 5


def test_single_step_plan_relates_objects_within_the_step():
    graph = parse_prompt("a dog left of a bench")
    (step,) = plan_steps(graph, max_steps=1)
    assert step.instruction == "Draw a bench and a dog to the left of the bench."
    assert step.object_ids == ["o2", "o1"]


def test_namesakes_are_told_apart_by_attributes():
    graph = SceneGraph(
        objects=[SceneObject(id="o1", name="car", attributes=ObjectAttributes(color="red")),
                 SceneObject(id="o2", name="car", attributes=ObjectAttributes(color="blue"))],
        relations=[Relation(subject="o2", predicate="left of", object="o1")],
    )
    assert plan_steps(graph)[1].instruction == "Add a blue car to the left of the red car."


def test_empty_graph_and_bad_cap_are_errors():
    with pytest.raises(PlanError, match="no objects"):
        plan_steps(SceneGraph())
    with pytest.raises(PlanError, match="at least 1"):
        plan_steps(_graph(2), max_steps=0)


def test_cyclic_graph_is_an_error():
    graph = _graph(2)
    graph.relations = [Relation(subject="o1", predicate="left of", object="o2"),
                       Relation(subject="o2", predicate="above", object="o1")]
    with pytest.raises(PlanError, match="cycle"):
        plan_steps(graph)


def test_next_step_follows_the_same_order():
    graph = parse_prompt("a silver spoon below a brown bear")
    first = next_step(graph, [], 0)
    assert first is not None and first.object_ids == ["o2"] and first.instruction == "Draw a brown bear."
    second = next_step(graph, ["o2"], 1)
    assert second is not None and second.instruction == "Add a silver spoon below the bear."
    assert next_step(graph, ["o1", "o2"], 2) is None
    with pytest.raises(PlanError, match="o9"):
        next_step(graph, ["o9"], 0)


def test_target_graph_of_each_step_grows():
    graph = parse_prompt("a cup on a table and a spoon left of the cup")
    steps = plan_steps(graph)
    done: list[str] = []
    sizes = []
    for step in steps:
        sizes.append(len(step.target_graph(graph, done).objects))
        done.extend(step.object_ids)
    assert sizes == [1, 2, 3]


def test_scene_description_introduces_each_object_once():
    graph = parse_prompt("a cat, a red car left of a blue car, and a kite above the blue car")
    assert graph.describe() == (
        "The scene shows a cat. A red car is to the left of a blue car. A kite is above the blue car."
    )
    assert SceneGraph().describe() == "An empty scene."


def test_next_planned_step_follows_covered_objects_and_cap():
    from stagestudio.scene.planner import next_planned_step

    graph = parse_prompt("a bear above a silver spoon next to a cup and a red car")
    first = next_planned_step(graph, [], max_steps=8)
    assert first is not None and first.index == 0 and len(first.object_ids) == 1
    # A skipped step still covers its objects: they are not offered again.
    second = next_planned_step(graph, [first], max_steps=8, realised_ids=[])
    assert second is not None and not set(second.object_ids) & set(first.object_ids)
    assert second.instruction.startswith("Draw")  # nothing is on the canvas yet
    # With a cap of 2 the second step takes everything left.
    capped = next_planned_step(graph, [first], max_steps=2)
    assert capped is not None and len(capped.object_ids) == len(graph.objects) - 1 and "capped" in capped.note
    assert next_planned_step(graph, [first, capped], max_steps=2) is None
    # An edited graph (an object added mid-run) gets its new object planned next.
    edited = graph.model_copy(deep=True)
    edited.objects.append(SceneObject(id=edited.next_object_id(), name="kite"))
    done = []
    while (step := next_planned_step(edited, done, max_steps=8)) is not None:
        done.append(step)
    assert {i for s in done for i in s.object_ids} == {o.id for o in edited.objects}


# --- action relations ------------------------------------------------------------------------
def _action_graph(*relations: Relation) -> SceneGraph:
    return SceneGraph(
        objects=[
            SceneObject(id="o1", name="astronaut"),
            SceneObject(id="o2", name="horse", attributes=ObjectAttributes(color="white")),
            SceneObject(id="o3", name="moon"),
        ],
        relations=list(relations),
    )


def test_action_relation_ends_share_one_step():
    graph = _action_graph(Relation(subject="o1", predicate="riding", object="o2"),
                          Relation(subject="o3", predicate="above", object="o2"))
    steps = plan_steps(graph)
    assert [s.object_ids for s in steps] == [["o1", "o2"], ["o3"]]
    assert steps[0].instruction == "Draw an astronaut riding a white horse."
    assert steps[1].instruction == "Add a moon above the horse."


def test_action_with_opposite_spatial_relation_is_no_cycle():
    graph = SceneGraph(
        objects=[SceneObject(id="o1", name="knight"), SceneObject(id="o2", name="dragon")],
        relations=[Relation(subject="o1", predicate="facing", object="o2"),
                   Relation(subject="o2", predicate="right of", object="o1")],
    )
    (step,) = plan_steps(graph)
    assert step.instruction == "Draw a knight facing a dragon, with the dragon to the right of the knight."


def test_action_group_that_would_break_spatial_order_is_drawn_in_consecutive_steps():
    # The cup must come after the table, and the table after the man: man and cup cannot
    # be one step, so they are drawn in order, and the cup's step names the action.
    graph = SceneGraph(
        objects=[SceneObject(id="o1", name="man"), SceneObject(id="o2", name="cup"), SceneObject(id="o3", name="table")],
        relations=[Relation(subject="o1", predicate="holding", object="o2"),
                   Relation(subject="o2", predicate="above", object="o3"),
                   Relation(subject="o3", predicate="left of", object="o1")],
    )
    steps = plan_steps(graph)
    assert [s.object_ids for s in steps] == [["o1"], ["o3"], ["o2"]]
    assert steps[2].instruction == "Add a cup above the table, which the man is holding."


def test_next_planned_step_follows_action_groups():
    graph = _action_graph(Relation(subject="o1", predicate="riding", object="o2"))
    first = next_planned_step(graph, [])
    assert first.object_ids == ["o1", "o2"]
    second = next_planned_step(graph, [first])
    assert second.object_ids == ["o3"]
    assert next_planned_step(graph, [first, second]) is None
