"""Model-extracted scene graphs: schema validation, one repair, the parser as fallback, and the
knowledge rewrite — with scripted 'models' (the fixture-model path is tested with BAGEL)."""

from __future__ import annotations

import json

from stagestudio.scene.model_graph import (
    extract_graph_with_model,
    graph_prompt,
    parse_model_graph,
    parse_rewrite,
)
from stagestudio.scene.model_graph_examples import EXAMPLES

# Verbs whose "-ing" form says where a thing is, so the conventions record the spatial predicate
# ("leaning against" -> next to, "perched on" -> on); a worked example must not teach them as actions.
POSITION_VERBS = frozenset({
    "leaning", "sitting", "standing", "lying", "perched", "hanging", "parked", "stacked", "resting",
    "placed", "propped", "floating", "hovering", "tucked", "dangling", "balanced", "lined",
})

GOOD = {
    "objects": [{"id": "o1", "name": "astronaut", "count": 1, "attributes": {"color": None}},
                {"id": "o2", "name": "horse", "count": 1, "attributes": {"color": "white"}}],
    "relations": [{"subject": "o1", "predicate": "riding", "object": "o2"}],
}


class Script:
    """Answers with the given texts in turn and records the prompts."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.prompts = []

    def __call__(self, prompt):
        self.prompts.append(prompt)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_prompt_has_worked_examples_and_the_prompt_last():
    text = graph_prompt("an astronaut riding a white horse")
    assert text.count("Prompt:") == len(EXAMPLES) + 1
    assert text.rstrip().endswith("Prompt: an astronaut riding a white horse\nJSON:")
    assert "riding" in text and "left of" in text


def test_the_worked_examples_are_valid_graphs_that_follow_the_conventions():
    # a worked example that broke the conventions would teach the model to lose a figure on every
    # prompt like it (an earlier one taught 'leaning against' as an action, where gold says 'next to')
    for text, graph in EXAMPLES:
        parsed = parse_model_graph(json.dumps(graph))
        assert len(parsed.objects) == len(graph["objects"]), text
        for rel in parsed.relations:
            assert rel.is_spatial or rel.predicate.split()[0] not in POSITION_VERBS, (text, rel.predicate)
            assert rel.subject != rel.object, text
        for obj in parsed.objects:
            assert obj.name not in {"man", "woman", "girl", "boy", "mug", "table", "stove", "sofa"}, text  # COCO names


def test_valid_json_is_used_as_the_model_graph():
    model = Script("Sure, here it is:\n" + json.dumps(GOOD) + "\nHope that helps.")
    graph = extract_graph_with_model("an astronaut riding a white horse", model)
    assert graph.source == "model" and graph.source_note == "" and graph.rewrite is None
    assert [o.name for o in graph.objects] == ["astronaut", "horse"]
    assert graph.relations[0].is_action and len(model.prompts) == 1


def test_one_repair_then_success():
    bad = json.dumps({"objects": [{"id": "o1", "name": "horse", "count": 0}], "relations": []})
    model = Script(bad, json.dumps(GOOD))
    graph = extract_graph_with_model("an astronaut riding a white horse", model)
    assert graph.source == "model"
    assert "That JSON is not valid" in model.prompts[1] and "count" in model.prompts[1]


def test_garbage_twice_falls_back_to_the_parser_and_says_why():
    model = Script("&(<|im_start|> Y...", '{"objects": "nope"}')
    graph = extract_graph_with_model("a dog to the left of a red car", model)
    assert graph.source == "parser" and "used the offline parser" in graph.source_note
    assert "objects" in graph.source_note  # the validation error is named
    assert {o.name for o in graph.objects} == {"dog", "car"}


def test_a_model_exception_falls_back_without_a_second_call():
    model = Script(RuntimeError("CUDA out of memory"))
    graph = extract_graph_with_model("a dog", model)
    assert graph.source == "parser" and "CUDA out of memory" in graph.source_note and len(model.prompts) == 1


def test_counts_above_the_maximum_are_capped_with_a_note():
    data = {"objects": [{"id": "o1", "name": "candle", "count": 150}], "relations": []}
    graph = parse_model_graph(json.dumps(data))
    assert graph.objects[0].count == 20 and graph.notes == ["count 150 of 'candle' capped at 20"]


def test_markup_is_no_object_name():
    data = {"objects": [{"id": "o1", "name": "<script>"}], "relations": []}
    model = Script(json.dumps(data), json.dumps(data))
    graph = extract_graph_with_model("a cat", model)
    assert graph.source == "parser" and [o.name for o in graph.objects] == ["cat"]


def test_knowledge_rewrite_is_kept_and_parsed():
    rewrite = Script("<think>Flightless and fast on land: that is an ostrich.</think> an ostrich running across open savanna")
    model = Script(json.dumps({"objects": [{"id": "o1", "name": "ostrich"}], "relations": []}))
    graph = extract_graph_with_model("The bird that cannot fly but is known for its speed on land", model, rewrite=rewrite)
    assert graph.rewrite == "an ostrich running across open savanna"
    assert "Prompt: an ostrich running across open savanna" in model.prompts[0]
    assert graph.objects[0].name == "ostrich" and graph.source == "model"


def test_unchanged_or_empty_rewrites_are_not_kept():
    assert parse_rewrite("A red car.", "a red car") is None
    assert parse_rewrite("<think>hmm", "a red car") is None
    assert parse_rewrite("Rewritten prompt: a blue car", "a red car") == "a blue car"


def test_a_noisy_rewrite_is_not_taken_for_a_prompt():
    # what a model with random weights answers: letters in it, but no prose
    assert parse_rewrite("Y`CwY`CwY`CwY`C", "a red car") is None
    assert parse_rewrite("#@! {x} <|im_end|> 12 34", "a red car") is None
    assert parse_rewrite("a ripe kiwifruit cut in half", "a fuzzy brown fruit, national symbol of New Zealand") \
        == "a ripe kiwifruit cut in half"


def test_a_rewrite_the_parser_cannot_read_is_dropped_and_the_prompt_as_written_is_parsed():
    rewrite = Script("Something quite indescribable, honestly")
    model = Script("no json here", "still none")
    graph = extract_graph_with_model("a bear above a spoon", model, rewrite=rewrite)
    assert [o.name for o in graph.objects] == ["bear", "spoon"] and graph.source == "parser"
    assert graph.rewrite is None and "knowledge rewrite was dropped" in graph.source_note
    assert "used the offline parser" in graph.source_note


def test_a_model_that_writes_the_gold_graphs_scores_full_marks_through_the_model_path():
    """The schema, the validation and the metric carry everything the gold graphs say: a model that
    answered every dev prompt as its annotator did (in the JSON form the worked examples show)
    would meet every target. So the model route is bounded by the model, not by the plumbing."""
    from pathlib import Path

    from stagestudio.eval.gold_data import load_gold
    from stagestudio.eval.graph_gold import evaluate_gold

    examples = load_gold(Path(__file__).resolve().parent / "data" / "scene_dev.jsonl")
    answers = {}
    for example in examples:
        graph = example.gold.to_scene_graph()
        answers[example.prompt] = json.dumps({
            "objects": [{"id": o.id, "name": o.name, "count": o.count,
                         "attributes": {"color": o.attributes.color, "parts": list(o.attributes.parts),
                                        "measurements": list(o.attributes.measurements)}} for o in graph.objects],
            "relations": [{"subject": r.subject, "predicate": r.predicate, "object": r.object}
                          for r in graph.relations]})
    sources = []

    def through_the_model_path(prompt):
        graph = extract_graph_with_model(prompt, lambda ask: answers[prompt], fallback=lambda p: 1 / 0)
        sources.append(graph.source)
        return graph

    overall = evaluate_gold(examples, parse=through_the_model_path).overall()
    assert set(sources) == {"model"} and overall.errors == 0
    figures = overall.figures()
    for name in ("object_f1", "count_accuracy", "color_accuracy", "spatial_recall", "action_recall",
                 "parts_recall", "measurements_recall"):
        assert figures[name] == 1.0, name
    assert figures["invented_per_prompt"] == 0.0
