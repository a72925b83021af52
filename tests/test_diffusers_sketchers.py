"""The diffusers sketchers on tiny random pipelines saved in the real folder layouts: the
pipelines themselves draw from text and edit the canvas, seeds reproduce, every denoising step
reports progress, a cancel stops within one step, and a wrong model folder is refused with an
error naming what is missing."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from stagestudio.backends.base import CancelToken, Cancelled, RefineRequest, SketchRequest, StageHooks
from stagestudio.backends.diffusers.sketcher import DiffusersSettings, DiffusersSketcher
from stagestudio.backends.hf.loading import ModelLoadError
from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.plan import PlanStep
from tiny_models import cached, save_flux2_klein, save_flux_kontext, save_qwen_image, save_qwen_image_edit
from tiny_models import one_thread  # noqa: F401 - autouse: tiny models run on one thread

PROMPT = "a bear hovering above a silver spoon"


@pytest.fixture(scope="module")
def tokenizer_dir(shared_dir):
    return shared_dir / "fixtures" / "bagel" / "tokenizer"


@pytest.fixture(scope="module")
def klein(tmp_path_factory, tokenizer_dir):
    return cached(tmp_path_factory, "klein", lambda f: save_flux2_klein(f, tokenizer_dir))


@pytest.fixture(scope="module")
def kontext(tmp_path_factory):
    return cached(tmp_path_factory, "kontext", save_flux_kontext)


@pytest.fixture(scope="module")
def klein_sketcher(klein):
    sketcher = DiffusersSketcher("flux2-klein", DiffusersSettings(model=str(klein), precision="fp32", size=64, steps=3))
    yield sketcher
    sketcher.close()


def requests(seed: int = 7, canvas: Image.Image | None = None) -> tuple[SketchRequest, SketchRequest]:
    graph = parse_prompt(PROMPT)
    first = PlanStep(index=0, instruction="Draw a silver spoon.", description="A silver spoon.", object_ids=["o2"])
    second = PlanStep(index=1, instruction="Add a bear above the spoon.", description="A bear above a spoon.",
                      object_ids=["o1"])
    return (SketchRequest(PROMPT, graph, first, graph.subgraph({"o2"}), None, seed),
            SketchRequest(PROMPT, graph, second, graph, canvas, seed))


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


def test_klein_draws_from_text_then_edits_the_canvas_reproducibly(klein_sketcher):
    first, _ = requests(seed=7)
    a = klein_sketcher.sketch(first)
    assert a.size == (64, 64) and a.mode == "RGB"
    # Same stage seed, same picture, whatever ran in between; another seed, another picture.
    klein_sketcher.sketch(requests(seed=8)[0])
    assert np.abs(pixels(klein_sketcher.sketch(first)) - pixels(a)).max() <= 1
    assert np.abs(pixels(klein_sketcher.sketch(requests(seed=8)[0])) - pixels(a)).max() > 1
    _, edit = requests(seed=7, canvas=a)
    edited = klein_sketcher.sketch(edit)
    # The edit is conditioned on the canvas: another canvas, another result at the same seed
    # (slightly: tiny random weights barely look at the reference image).
    other = klein_sketcher.sketch(requests(seed=7, canvas=Image.new("RGB", (64, 64), (250, 250, 250)))[1])
    assert edited.size == (64, 64) and (pixels(edited) != pixels(other)).any()


class RecordingPipeline:
    """Passes calls through to the real pipeline and keeps their keyword arguments."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return self.pipe(**kwargs)


def test_each_stage_hands_the_pipeline_its_text_and_image(klein_sketcher):
    recorder = RecordingPipeline(klein_sketcher.runner.pipe)
    klein_sketcher.runner._pipe = recorder
    try:
        first, _ = requests(seed=11)
        canvas = klein_sketcher.sketch(first)
        klein_sketcher.sketch(requests(seed=12, canvas=canvas)[1])
    finally:
        klein_sketcher.runner._pipe = recorder.pipe
    t2i, edit = recorder.calls
    assert t2i["prompt"] == "A silver spoon." and t2i["image"] is None  # the step's description, from text
    assert edit["prompt"] == "Add a bear above the spoon."  # the instruction, on the canvas
    assert np.array_equal(pixels(edit["image"][0]), pixels(canvas))
    for call in (t2i, edit):
        assert (call["height"], call["width"], call["num_inference_steps"]) == (64, 64, 3)
        assert call["generator"].device.type == "cpu"
    assert t2i["generator"].initial_seed() == 11 and edit["generator"].initial_seed() == 12


def test_progress_per_step_and_cancel_within_one_step(klein_sketcher):
    first, _ = requests()
    seen: list[tuple[int, int]] = []
    klein_sketcher.sketch(first, StageHooks(progress=lambda done, total: seen.append((done, total))))
    assert seen == [(1, 3), (2, 3), (3, 3)]

    token = CancelToken()
    seen.clear()

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 1:
            token.cancel()  # a person presses Stop during the first denoising step

    with pytest.raises(Cancelled):
        klein_sketcher.sketch(first, StageHooks(progress=progress, cancel=token))
    assert seen == [(1, 3)]  # no further step ran


def test_refine_edits_the_failed_sketch_with_the_correction(klein_sketcher):
    first, second = requests()
    failed = klein_sketcher.sketch(first)
    refine = RefineRequest(PROMPT, first.graph, second.step, second.target, canvas=None, image=failed,
                           verdict=Verdict(passed=False), correction="Add a bear above the spoon.", seed=3)
    fixed = klein_sketcher.refine(refine)
    assert fixed.size == (64, 64)
    assert np.abs(pixels(klein_sketcher.refine(refine)) - pixels(fixed)).max() <= 1


def test_kontext_draws_and_edits_at_the_chosen_size(kontext):
    sketcher = DiffusersSketcher("flux-kontext", DiffusersSettings(model=str(kontext), precision="fp32", size=32, steps=2))
    first, _ = requests()
    canvas = sketcher.sketch(first)
    edited = sketcher.sketch(requests(canvas=canvas)[1])
    # Kontext would snap to its ~1 megapixel training sizes; the canvas size is kept instead.
    assert canvas.size == edited.size == (32, 32)
    sketcher.close()


@pytest.mark.slow
def test_qwen_image_edit_needs_and_uses_a_text_to_image_model(tmp_path_factory, tokenizer_dir, klein):
    edit = cached(tmp_path_factory, "qwen-image-edit", lambda f: save_qwen_image_edit(f, tokenizer_dir))
    t2i = cached(tmp_path_factory, "qwen-image", lambda f: save_qwen_image(f, tokenizer_dir))
    with pytest.raises(ModelLoadError, match="only edits: it cannot draw the first step"):
        DiffusersSketcher("qwen-image-edit", DiffusersSettings(model=str(edit), precision="fp32", size=64))
    with pytest.raises(ModelLoadError, match="a text-to-image model must be one of"):
        DiffusersSketcher("qwen-image-edit", DiffusersSettings(model=str(edit), precision="fp32", size=64,
                                                               t2i_model=str(edit)))
    sketcher = DiffusersSketcher("qwen-image-edit", DiffusersSettings(
        model=str(edit), precision="fp32", size=64, steps=2, t2i_model=str(t2i), t2i_steps=2))
    first, _ = requests()
    seen: list[tuple[int, int]] = []
    canvas = sketcher.sketch(first, StageHooks(progress=lambda d, t: seen.append((d, t))))
    assert sketcher.t2i is not None and sketcher.t2i.spec.family.kind == "qwen-image" and seen[-1] == (2, 2)
    assert sketcher.sketch(requests(canvas=canvas)[1]).size == (64, 64)
    sketcher.close()


# --- wrong folders ----------------------------------------------------------------------------------
def test_a_wrong_model_folder_names_what_is_missing(klein, kontext, tmp_path):
    def make(model):
        return DiffusersSketcher("flux2-klein", DiffusersSettings(model=str(model), precision="fp32", size=64))

    broken = tmp_path / "klein"
    shutil.copytree(klein, broken)
    for weights in (broken / "transformer").glob("*.safetensors"):
        weights.unlink()
    with pytest.raises(ModelLoadError, match=r"missing: transformer/ no weights \(\*\.safetensors\)"):
        make(broken)
    shutil.rmtree(broken / "vae")
    with pytest.raises(ModelLoadError, match="vae/"):
        make(broken)
    (broken / "model_index.json").unlink()
    with pytest.raises(ModelLoadError, match="model_index.json"):
        make(broken)
    with pytest.raises(ModelLoadError, match="a Flux2KleinPipeline .*names 'FluxKontextPipeline'"):
        make(kontext)
    with pytest.raises(ModelLoadError, match="does not exist"):
        make(tmp_path / "absent")
    with pytest.raises(ModelLoadError, match="download someone/not-cached"):
        make("someone/not-cached")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only message")
def test_nf4_and_offload_need_a_gpu(klein):
    with pytest.raises(ModelLoadError, match="nf4 .*needs a CUDA GPU"):
        DiffusersSketcher("flux2-klein", DiffusersSettings(model=str(klein), precision="nf4", size=64))
    with pytest.raises(ModelLoadError, match="offload"):
        DiffusersSketcher("flux2-klein", DiffusersSettings(model=str(klein), precision="fp32", size=64, offload=True))


def test_klein_refuses_a_canvas_smaller_than_it_takes(klein):
    with pytest.raises(ModelLoadError, match="at least 64 px"):
        DiffusersSketcher("flux2-klein", DiffusersSettings(model=str(klein), precision="fp32", size=32))


def test_model_index_lists_what_the_check_reads(klein):
    index = json.loads((klein / "model_index.json").read_text())
    assert index["_class_name"] == "Flux2KleinPipeline"
    assert {"transformer", "text_encoder", "vae", "tokenizer", "scheduler"} <= set(index)
