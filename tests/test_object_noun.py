"""The prompt's own noun for an object ("astronaut", "mug") travels with the class name the checker
looks for ("person", "cup"): the drawing steps, descriptions and questions say what was asked for."""

from __future__ import annotations

import json

import pytest

from stagestudio.inspector.questions import inspection_questions
from stagestudio.scene.graph import SceneGraph, SceneGraphError, SceneObject
from stagestudio.scene.model_graph import parse_model_graph
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.planner import plan_steps
from stagestudio.ui.graph import graph_to_tables, tables_to_graph


def _instructions(prompt: str) -> list[str]:
    return [step.instruction for step in plan_steps(parse_prompt(prompt), max_steps=8)]


@pytest.mark.parametrize(("prompt", "expected", "name"), [
    ("an astronaut riding a white horse", "an astronaut riding a white horse", "person"),
    ("a knight in shining armor facing a green dragon", "a knight", "person"),
    ("a chef slicing tomatoes on a cutting board", "a chef slicing", "person"),
    ("two puppies asleep on a sofa", "two puppies on the sofa", "dog"),
    ("a brown mug to the right of a smartphone", "a brown mug to the right of the smartphone", "cup"),
])
def test_steps_draw_what_the_prompt_names_while_the_graph_keeps_the_class(prompt, expected, name):
    assert any(expected in text for text in _instructions(prompt)), _instructions(prompt)
    assert name in [o.name for o in parse_prompt(prompt).objects]


def test_the_noun_is_kept_only_where_it_says_more_than_the_name():
    graph = parse_prompt("an astronaut riding a white horse")
    person, horse = graph.objects
    assert (person.name, person.noun, person.called) == ("person", "astronaut", "astronaut")
    assert (horse.noun, horse.called) == (None, "horse")
    assert SceneObject(id="o1", name="horse", noun=" Horse ").noun is None
    data = json.loads(graph.to_json())
    assert data["objects"][0]["noun"] == "astronaut" and "noun" not in data["objects"][1]
    assert SceneGraph.from_json(graph.to_json()) == graph
    # a graph stored before the field existed still loads
    old = {"objects": [{"id": "o1", "name": "person", "count": 1, "attributes": {"color": None}}], "relations": []}
    assert SceneGraph.from_json_dict(old).objects[0].called == "person"


def test_the_model_may_give_the_noun_and_the_questions_use_it():
    answer = {"objects": [{"id": "o1", "name": "person", "noun": "Beekeeper", "count": 1, "attributes": {"color": None}}],
              "relations": []}
    graph = parse_model_graph(json.dumps(answer))
    assert graph.objects[0].called == "beekeeper"
    assert any("Is there a beekeeper" in q.text for q in inspection_questions(graph))
    with pytest.raises(SceneGraphError):
        SceneGraph.from_json_dict({"objects": [{"id": "o1", "name": "cat", "nickname": "tom"}], "relations": []})


def test_the_noun_is_a_column_of_the_objects_table_and_renaming_drops_a_stale_one():
    graph = parse_prompt("an astronaut riding a white horse")
    objects, relations = graph_to_tables(graph)
    assert objects[0][-1] == "astronaut" and objects[1][-1] == ""
    assert tables_to_graph(objects, relations, based_on=graph).objects == graph.objects
    renamed = [list(row) for row in objects]
    renamed[0][1] = "dog"  # the person renamed, the noun cell left as it was
    assert tables_to_graph(renamed, relations, based_on=graph).objects[0].called == "dog"
    retyped = [list(row) for row in renamed]
    retyped[0][-1] = "puppy"  # renamed and given a new noun: the new noun stands
    assert tables_to_graph(retyped, relations, based_on=graph).objects[0].called == "puppy"
    hostile = [list(row) for row in objects]
    hostile[0][-1] = "<script>"
    with pytest.raises(SceneGraphError, match="object row 1: noun"):
        tables_to_graph(hostile, relations, based_on=graph)


@pytest.mark.parametrize(("prompt", "expected"), [
    ("a golden retriever puppy chasing a tennis ball", "a golden retriever puppy chasing a tennis ball"),
    ("a golden eagle perched on a silver birch", "a golden eagle on the birch"),
    ("a copper beech tree beside a pond", "a copper beech tree"),
])
def test_a_metal_word_that_names_a_living_kind_is_part_of_its_name(prompt, expected):
    # "golden retriever" is a breed, not a dog made of gold: the step keeps the words in order
    graph = parse_prompt(prompt)
    assert all(o.attributes.material is None for o in graph.objects if o.name in ("dog", "bird", "tree", "birch"))
    assert any(expected in text for text in _instructions(prompt)), _instructions(prompt)


def test_a_metal_word_on_a_made_thing_stays_its_material():
    assert [o.attributes.material for o in parse_prompt("a golden cup and a silver spoon on a table").objects][:2] == \
        ["golden", "silver"]
