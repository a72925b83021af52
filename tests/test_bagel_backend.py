"""The loop on BAGEL: prompt/answer parsing (pure), and the whole loop end to end on the tiny
random-weight checkpoint (every stage, the model-graph and plan fallbacks and the p(yes)
inspector run for real); every stage's images depend only on its inputs and its seed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PIL import Image

from stagestudio.backends.bagel import prompts
from stagestudio.backends.bagel.backend import BagelBackend
from stagestudio.backends.base import BackendError, InspectRequest, RefineRequest, SketchRequest
from stagestudio.inspector.verdict import Verdict
from stagestudio.loop.control import AutoController, Correct, Proceed
from stagestudio.loop.engine import CompletedStep, LoopEngine, RunConfig
from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep

GRAPH = SceneGraph(
    objects=[
        SceneObject(id="o1", name="bear"),
        SceneObject(id="o2", name="spoon", attributes=ObjectAttributes(material="silver")),
        SceneObject(id="o3", name="cup", count=2, attributes=ObjectAttributes(color="red")),
    ],
    relations=[Relation(subject="o1", predicate="above", object="o2")],
)


def test_parse_plan_accepts_tags_in_any_form():
    ok = prompts.parse_plan("Sure! <ins>Add a spoon below the bear.</ins>\n<des>A bear above a spoon.</des>")
    assert ok == prompts.ParsedPlan("Add a spoon below the bear.", "A bear above a spoon.")
    unclosed = prompts.parse_plan("<INS> Add a cup <des> Two cups")
    assert unclosed == prompts.ParsedPlan("Add a cup", "Two cups")


@pytest.mark.parametrize("text", ["", "no tags here", "<ins></ins><des>x</des>", "<ins>!!</ins><des>scene</des>",
                                  "<ins>" + "a" * 400 + "</ins><des>d</des>"])
def test_parse_plan_rejects_unusable_output(text):
    assert prompts.parse_plan(text) is None


def test_plan_must_name_the_step_objects():
    step = PlanStep(index=0, instruction="Draw a silver spoon.", description="", object_ids=["o2"])
    assert prompts.plan_is_faithful(prompts.ParsedPlan("Paint a shiny spoon.", "d"), step, GRAPH)
    assert not prompts.plan_is_faithful(prompts.ParsedPlan("Paint a cat.", "d"), step, GRAPH)


def test_refine_instruction_carries_the_step_and_the_correction():
    text = prompts.refine_instruction("Add a silver spoon below the bear", "Move the spoon below the bear.")
    assert text == "Add a silver spoon below the bear. Move the spoon below the bear."


def test_bad_settings_are_clear_errors():
    with pytest.raises(BackendError, match="inspector"):
        BagelBackend(inspector="oracle")
    with pytest.raises(BackendError, match="resolution"):
        BagelBackend(resolution=4096)
    with pytest.raises(BackendError, match="scene-graph source"):
        BagelBackend(graph="oracle")


def test_graph_source_is_a_stored_setting():
    assert BagelBackend().settings()["graph"] == "model"
    assert BagelBackend(graph="parser").settings()["graph"] == "parser"


def test_missing_weights_are_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGESTUDIO_BAGEL_MODEL", str(tmp_path / "nowhere"))
    status = BagelBackend.status()
    assert status.state == "missing weights" and not status.ready


@pytest.mark.slow
def test_cli_run_on_tiny_checkpoint_end_to_end(shared_dir, tmp_path):
    """The whole loop through the CLI: a model graph (garbage JSON, so the parser's, with the
    reason recorded), model plans (falling back), p(yes) inspections, sketches."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "stagestudio", "run", "a bear above a spoon", "--backend", "bagel",
         "--model", str(shared_dir / "fixtures" / "bagel"), "--precision", "fp32", "--resolution", "32",
         "--timesteps", "3", "--max-refines", "1", "--seed", "3", "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "kernels-community" not in proc.stderr + proc.stdout
    trajectory = json.loads((out / "trajectory.json").read_text())
    types = [e["type"] for e in trajectory["events"]]
    graph = trajectory["events"][0]["graph"]
    assert graph["source"] == "parser" and "model graph unusable" in graph["source_note"]
    assert types.count("step_planned") == 2 and "final_verdict" in types
    planned = [e["step"] for e in trajectory["events"] if e["type"] == "step_planned"]
    # Random weights write no usable plan: the offline planner's step is used, and said so.
    assert all(p["source"] == "fallback" and "offline planner" in p["note"] for p in planned)
    verdicts = [e["verdict"] for e in trajectory["events"] if e["type"] == "verdict_ready"]
    assert verdicts and all(f["source"] == "vqa" for v in verdicts for f in v["facts"])
    # Every model-inspector fact carries its question and p(yes) read from the logits.
    facts = [f for v in verdicts for f in v["facts"]]
    assert all(f["question"].endswith("Answer yes or no.") and 0.0 <= f["p_yes"] <= 1.0 for f in facts)
    assert len(trajectory["images"]) == types.count("sketch_ready") >= 2
    assert trajectory["settings"]["precision"] == "fp32" and trajectory["settings"]["graph"] == "model"


# --- on the tiny checkpoint -------------------------------------------------------------------------


def _tiny(shared_dir, **settings) -> BagelBackend:
    options = dict(model=str(shared_dir / "fixtures" / "bagel"), precision="fp32", device="cpu", resolution=32,
                   num_timesteps=3, max_graph_tokens=24, max_think_tokens=16, max_plan_tokens=16)
    options.update(settings)
    return BagelBackend(**options)


def _step(index: int, instruction: str, ids: list[str]) -> PlanStep:
    return PlanStep(index=index, instruction=instruction, description=instruction, object_ids=ids)


def test_model_graph_falls_back_to_the_parser_and_says_why(shared_dir):
    backend = _tiny(shared_dir)
    graph = backend.extract_graph("a bear above a spoon")
    # Random weights write no JSON: the parser's graph is used, and the graph says so.
    assert graph.source == "parser"
    assert "model graph unusable" in graph.source_note and "offline parser" in graph.source_note
    assert [o.name for o in graph.objects] == ["bear", "spoon"]
    assert _tiny(shared_dir, graph="parser").extract_graph("a bear above a spoon").source_note == ""


def test_stage_images_depend_only_on_their_inputs_and_seed(shared_dir):
    """The same canvas, instruction and seed give the same picture bit for bit, whatever ran
    before and whether the canvas context came from the cache or was built fresh."""
    graph = GRAPH
    canvas = _tiny(shared_dir).sketch(SketchRequest("p", graph, _step(0, "Draw a bear.", ["o1"]), graph, None, 11))
    edit = SketchRequest("p", graph, _step(1, "Add a silver spoon below the bear.", ["o2"]), graph, canvas, 12)
    refine = RefineRequest("p", graph, edit.step, graph, canvas, canvas, Verdict(passed=False), "Make the spoon silver.",
                           13)

    fresh = _tiny(shared_dir)
    expected_edit = fresh.sketch(edit).tobytes()
    expected_refine = _tiny(shared_dir).refine(refine).tobytes()

    busy = _tiny(shared_dir)
    busy.sketch(SketchRequest("p", graph, edit.step, graph, canvas, 99))  # same canvas, another seed
    busy.inspect(InspectRequest("p", graph, graph, canvas, 5, edit.step))
    busy.refine(refine)
    assert busy.sketch(edit).tobytes() == expected_edit  # after other draws, canvas context cached
    assert busy.sketch(edit).tobytes() == expected_edit  # cache hit for exactly this seed
    assert busy.refine(refine).tobytes() == expected_refine
    assert fresh.sketch(edit).tobytes() == expected_edit  # and a cache hit on the first backend


class _CorrectOnce(AutoController):
    """Asks for one refinement of every step (random weights always pass their checks)."""

    def review_verdict(self, review):
        return Correct("Make the bear brown.") if review.attempt == 0 else Proceed()


def test_rewinding_to_a_step_reproduces_its_images(shared_dir):
    config = RunConfig(seed=5, max_refines=1, max_steps=2)
    original = list(LoopEngine(_tiny(shared_dir, graph="parser")).run("a bear above a spoon", config=config,
                                                                       controller=_CorrectOnce()))
    sketches = {(e.step_index, e.attempt): e.image for e in original if e.type == "sketch_ready"}
    assert set(sketches) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    first = next(e for e in original if e.type == "step_planned")
    accepted = next(e for e in original if e.type == "step_completed" and e.step_index == 0)
    history = [CompletedStep(first.step, accepted.outcome, sketches[(0, accepted.accepted_attempt)])]

    other = LoopEngine(_tiny(shared_dir, graph="parser"))
    list(other.run("a red cup next to a dog", config=RunConfig(seed=9, max_refines=1, max_steps=2),
                   controller=_CorrectOnce()))  # another session first: other draws, other cached canvases
    rewound = list(other.run("a bear above a spoon", config=config, controller=_CorrectOnce(), history=history))
    again = {(e.step_index, e.attempt): e.image for e in rewound if e.type == "sketch_ready"}
    assert set(again) == {(1, 0), (1, 1)}
    for key, image in again.items():
        assert isinstance(image, Image.Image) and image.tobytes() == sketches[key].tobytes(), key


def test_failed_facts_give_corrections_that_say_what_to_change(shared_dir, monkeypatch):
    """BAGEL's p(yes) decides each fact; a failed one yields a correction naming the object,
    attribute or relation and how to fix it, and an unsure one yields none."""
    backend = _tiny(shared_dir)
    inf = backend.runtime.inferencer
    answers = {"Is there a spoon": 0.05, "above": 0.5}  # spoon missing; the relation unsure

    def p_yes(ctx, questions):
        return [next((p for key, p in answers.items() if key in q), 0.95) for q in questions]

    monkeypatch.setattr(inf, "yes_no_probabilities", p_yes)
    image = Image.new("RGB", (32, 32), "white")
    step = _step(1, "Add a silver spoon below the bear.", ["o2"])
    verdict = backend.inspect(InspectRequest("p", GRAPH, GRAPH, image, 1, step))
    by_kind = {(f.kind, tuple(f.object_ids)): f for f in verdict.facts}
    assert by_kind[("presence", ("o2",))].status == "fail" and by_kind[("relation", ("o1", "o2"))].status == "unsure"
    assert all(f.question and f.p_yes is not None for f in verdict.facts)
    assert not verdict.passed and verdict.correction.startswith("Add a silver spoon")
    assert "instruction exactly" not in verdict.correction

    answers.clear()
    answers["drawing instruction"] = 0.1  # only the instruction check fails
    verdict = backend.inspect(InspectRequest("p", GRAPH, GRAPH, image, 1, step))
    assert "silver spoon" in verdict.correction  # the step's object, not a generic "follow the instruction"
