"""Qwen3-VL (transformers) as inspector and planner, on tiny random checkpoints saved in the
real layout: model inputs built without torchvision follow the image processor's documented
rules, p(yes) is read from the answer-token logits in one batched pass, the shared answer
bands decide pass / fail / unsure, a detector beside it reports disagreements, and unusable
model text falls back with a note."""

from __future__ import annotations

import math
import shutil

import pytest
import torch
from PIL import Image

from stagestudio.backends.base import CancelToken, Cancelled, InspectRequest, PlanRequest, StageHooks
from stagestudio.backends.hf.loading import ModelLoadError
from stagestudio.backends.hf.qwen_vl_inputs import QwenVLInputs
from stagestudio.backends.qwen3vl.inspector import Qwen3VLInspector, usable_correction
from stagestudio.backends.qwen3vl.planner import Qwen3VLPlanner
from stagestudio.backends.qwen3vl.runtime import Qwen3VLRuntime, Qwen3VLSettings, chat_template
from stagestudio.backends.sketchbook.detector import SketchbookDetector
from stagestudio.inspector.checker import SceneGraphChecker
from stagestudio.inspector.verdict import FactResult, Verdict
from stagestudio.scene.parser import parse_prompt
from tiny_models import CHATML, cached, save_qwen3_vl
from tiny_models import one_thread  # noqa: F401 - autouse: tiny models run on one thread

PROMPT = "a bear hovering above a silver spoon"


@pytest.fixture(scope="module")
def tokenizer_dir(shared_dir):
    return shared_dir / "fixtures" / "bagel" / "tokenizer"


def _vlm(tmp_path_factory, tokenizer_dir, name, yes_logit):
    return cached(tmp_path_factory, name, lambda f: save_qwen3_vl(f, tokenizer_dir, yes_logit=yes_logit))


@pytest.fixture(scope="module")
def random_vlm(tmp_path_factory, tokenizer_dir):
    return Qwen3VLRuntime(Qwen3VLSettings(str(_vlm(tmp_path_factory, tokenizer_dir, "qwen3vl-random", None)), "fp32"))


@pytest.fixture(scope="module")
def yes_vlm(tmp_path_factory, tokenizer_dir):
    return Qwen3VLRuntime(Qwen3VLSettings(str(_vlm(tmp_path_factory, tokenizer_dir, "qwen3vl-yes", 4.0)), "fp32"))


@pytest.fixture(scope="module")
def no_vlm(tmp_path_factory, tokenizer_dir):
    return Qwen3VLRuntime(Qwen3VLSettings(str(_vlm(tmp_path_factory, tokenizer_dir, "qwen3vl-no", -4.0)), "fp32"))


def inspect_request(image: Image.Image) -> InspectRequest:
    graph = parse_prompt(PROMPT)
    return InspectRequest(PROMPT, graph, graph, image, seed=3)


# --- inputs without torchvision ----------------------------------------------------------------------
def test_inputs_follow_the_image_processors_documented_rules(random_vlm):
    inputs: QwenVLInputs = random_vlm._load()[1]
    text = random_vlm.prompt("Is there a dog?", with_image=True)
    assert text.count("<|image_pad|>") == 1
    # 100 x 50 px, patch 16, merge 2: sides become multiples of 32 within 32*32..64*64 pixels
    # (here 64 x 32), i.e. a 4 x 2 patch grid, 8 patches of 3*2*16*16 values, 2 image tokens.
    batch = inputs([text], images=[Image.new("RGB", (100, 50), (255, 0, 0))])
    assert batch["image_grid_thw"].tolist() == [[1, 2, 4]]
    assert tuple(batch["pixel_values"].shape) == (8, 3 * 2 * 16 * 16)
    ids = batch["input_ids"][0]
    image_id = inputs.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    assert int((ids == image_id).sum()) == 2
    assert batch["mm_token_type_ids"][0].tolist() == (ids == image_id).int().tolist()
    # A uniform red picture: (x / 255 - 0.5) / 0.5 per channel, so red 1, green and blue -1.
    first_patch = batch["pixel_values"][0].view(3, 2, 16, 16)
    assert torch.allclose(first_patch[0], torch.ones(2, 16, 16), atol=1e-4)
    assert torch.allclose(first_patch[1:], -torch.ones(2, 2, 16, 16), atol=1e-4)
    with pytest.raises(ValueError, match="1 image placeholder"):
        inputs([text], images=[Image.new("RGB", (64, 64))] * 2)


def test_the_checkpoints_own_chat_template_is_used(tmp_path, random_vlm):
    assert chat_template(random_vlm.folder, random_vlm._load()[1].tokenizer) == CHATML
    (tmp_path / "chat_template.json").write_text('{"chat_template": "T"}')
    assert chat_template(tmp_path, object()) == "T"


# --- p(yes) from the logits ---------------------------------------------------------------------------
def test_p_yes_is_read_from_the_answer_token_logits_in_one_batch(random_vlm):
    image = Image.new("RGB", (64, 64), (30, 200, 30))
    questions = ["Is there a bear in the image? Answer yes or no.", "Is the spoon silver? Answer yes or no.",
                 "Are there exactly three cats in the image? Answer yes or no."]
    batched = random_vlm.yes_no(image, questions)
    model, inputs, _ = random_vlm._load()
    yes_ids, no_ids = random_vlm.answer_token_ids()
    for question, (p_yes, _) in zip(questions, batched):
        # One question alone, no padding, probabilities by hand.
        single = inputs([random_vlm.prompt(question, with_image=True)], images=[image])
        with torch.no_grad():
            probs = torch.softmax(model(**single).logits[0, -1].double(), dim=-1)
        expected = probs[yes_ids].sum() / (probs[yes_ids].sum() + probs[no_ids].sum())
        assert p_yes == pytest.approx(float(expected), abs=1e-4)


def test_yes_and_no_models_pass_and_fail_with_p_yes_recorded(yes_vlm, no_vlm):
    image = Image.new("RGB", (64, 64), "white")
    passed = Qwen3VLInspector(yes_vlm).inspect(inspect_request(image))
    assert passed.passed and passed.correction == ""
    assert all(f.source == "vqa" and f.p_yes == pytest.approx(1 / (1 + math.exp(-8)), abs=1e-4) for f in passed.facts)
    assert {f.kind for f in passed.facts} == {"presence", "relation"}
    failed = Qwen3VLInspector(no_vlm).inspect(inspect_request(image))
    assert not failed.passed and all(f.status == "fail" for f in failed.facts)
    assert "bear" in failed.correction and "spoon" in failed.correction


def test_a_coin_toss_is_unsure_not_a_failure(random_vlm):
    verdict = Qwen3VLInspector(random_vlm).inspect(inspect_request(Image.new("RGB", (64, 64), "white")))
    assert all(0.35 < f.p_yes < 0.65 and f.status == "unsure" for f in verdict.facts)
    assert verdict.label == "unsure" and verdict.correction == ""


def test_with_a_detector_disagreements_are_reported(yes_vlm):
    # The model says yes to everything; the sketchbook detector finds nothing on a blank page.
    checker = SceneGraphChecker(SketchbookDetector())
    verdict = Qwen3VLInspector(yes_vlm, mode="both", checker=checker).inspect(
        inspect_request(Image.new("RGB", (512, 512), "white")))
    assert {f.source for f in verdict.facts} == {"vqa", "sketchbook-pixels"}
    assert not verdict.passed and "Model and detector disagree on: presence of o1" in verdict.critique


def test_cancel_stops_before_the_next_batch(yes_vlm):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        Qwen3VLInspector(yes_vlm).inspect(inspect_request(Image.new("RGB", (64, 64))), StageHooks(cancel=token))


# --- text the model writes --------------------------------------------------------------------------------
def test_a_model_correction_is_used_only_when_it_names_what_failed():
    graph = parse_prompt(PROMPT)
    verdict = Verdict(passed=False, facts=[FactResult(kind="presence", fact="there is a bear", status="fail",
                                                      object_ids=["o1"])], correction="Add a bear.")
    assert usable_correction("Paint a brown bear above the spoon.\nThanks", verdict, graph) == \
        "Paint a brown bear above the spoon."
    assert usable_correction("Make it nicer.", verdict, graph) is None
    assert usable_correction("", verdict, graph) is None
    assert usable_correction("bear " * 100, verdict, graph) is None


def test_an_unusable_model_correction_keeps_the_rules_and_says_so(no_vlm):
    rules = Qwen3VLInspector(no_vlm).inspect(inspect_request(Image.new("RGB", (64, 64))))
    written = Qwen3VLInspector(no_vlm, correction="model").inspect(inspect_request(Image.new("RGB", (64, 64))))
    assert written.correction == rules.correction  # tiny random text names no object
    assert "was unusable; the rule-based one is used" in written.critique


def test_planner_falls_back_to_the_parser_and_planner_with_a_note(yes_vlm):
    planner = Qwen3VLPlanner(yes_vlm, max_plan_tokens=8, max_graph_tokens=16)
    graph = planner.extract_graph(PROMPT)
    assert graph.source == "parser" and "used the offline parser" in graph.source_note
    assert [o.name for o in graph.objects] == [o.name for o in parse_prompt(PROMPT).objects]
    step = planner.plan(PlanRequest(PROMPT, graph, [], [], Image.new("RGB", (64, 64)), seed=1, max_steps=8))
    assert step.source == "fallback" and "used the offline planner" in step.note
    assert Qwen3VLPlanner(yes_vlm, graph="parser").extract_graph(PROMPT).source != "model"


# --- wrong folders ------------------------------------------------------------------------------------------
def test_a_wrong_checkpoint_folder_names_what_is_missing(random_vlm, tmp_path):
    broken = tmp_path / "vlm"
    shutil.copytree(random_vlm.folder, broken)
    (broken / "preprocessor_config.json").unlink()
    with pytest.raises(ModelLoadError, match="missing: preprocessor_config.json"):
        Qwen3VLRuntime(Qwen3VLSettings(str(broken), "fp32"))
    (broken / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match=r"no weights \(\*\.safetensors\)"):
        Qwen3VLRuntime(Qwen3VLSettings(str(broken), "fp32"))
    shutil.copytree(random_vlm.folder, tmp_path / "other")
    config = (tmp_path / "other" / "config.json")
    config.write_text(config.read_text().replace('"model_type": "qwen3_vl"', '"model_type": "llava"', 1))
    with pytest.raises(ModelLoadError, match="holds a llava model, not a Qwen3-VL one"):
        Qwen3VLRuntime(Qwen3VLSettings(str(tmp_path / "other"), "fp32"))


def test_a_thinking_variant_is_refused(random_vlm, tmp_path):
    thinking = tmp_path / "thinking"
    shutil.copytree(random_vlm.folder, thinking)
    (thinking / "chat_template.jinja").write_text(CHATML.replace("assistant\n", "assistant\n<think>\n"))
    runtime = Qwen3VLRuntime(Qwen3VLSettings(str(thinking), "fp32"))
    with pytest.raises(ModelLoadError, match="Thinking variant"):
        runtime.yes_no(Image.new("RGB", (64, 64)), ["Is there a dog?"])
