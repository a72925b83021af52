"""The training side on the tiny fixture model: the training forward computes exactly what
inference computes, the packed layout follows the reference (labels, positions, masks),
training lowers the loss, a resumed run continues exactly, gradient checkpointing and QLoRA work,
and the whole CLI path runs: synth -> train -> adapter."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from psir_support import fixture_dir, inferencer, one_thread  # noqa: F401  (shared fixtures)

from stagestudio.backends.bagel.context import Context
from stagestudio.backends.bagel.lora import LoraSettings, attach_lora, remove_adapter, trainable_parameters
from stagestudio.backends.bagel.training import PackedSequence, SequencePacker, sample_draws, training_forward
from stagestudio.psir.examples import Example, ImagePart, TextPart

GENEVAL_SAMPLE = [
    "a photo of a bench", "a photo of a book and a baseball bat", "a photo of four apples",
    "a photo of a purple pizza", "a photo of a zebra right of a parking meter",
    "a photo of a blue handbag and a white cell phone",
]




@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("pictures")
    paths = []
    for i in range(2):
        path = folder / f"p{i}.png"
        Image.fromarray(rng.integers(0, 255, (64, 96, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def synth_data(tmp_path_factory):
    """A small PSIR dataset from the sketchbook (some steps fail and get refined)."""
    from stagestudio.backends.sketchbook.backend import SketchbookBackend
    from stagestudio.psir.synth import synthesize

    out = tmp_path_factory.mktemp("synth")
    report = synthesize(SketchbookBackend(error_rate=0.5, size=128), GENEVAL_SAMPLE, out, seed=1)
    assert report.kept.get("refine") and report.kept.get("plan") and report.kept.get("sketch")
    return out


def test_training_forward_equals_inference_for_text(inferencer, pictures):
    model = inferencer.model
    example = Example("plan", "r", (ImagePart(pictures[0], vae=False, vit=True), TextPart("Plan the next step."),
                                    TextPart("<ins>Add a cat</ins>", loss=True)))
    packed = SequencePacker(inferencer).pack(example)
    out = training_forward(model, inferencer.vae, packed, sample_draws(packed, torch.Generator(), 1.0, 64),
                           keep_hidden=True)
    answer = inferencer.tokenizer.segment_ids("<ins>Add a cat</ins>")
    # Labels: every answer token after <|im_start|>, then <|im_end|>, predicted from the row before.
    assert packed.ce_labels.tolist() == answer[1:]
    assert packed.ce_rows.tolist() == list(range(packed.length - len(answer), packed.length - 1))
    with torch.no_grad():
        ctx = Context()
        patches, pos = inferencer.vit_patch_tokens(inferencer.prepare_image(Image.open(pictures[0])))
        ctx = inferencer.append_text(inferencer.append_vit_patches(ctx, patches, pos), "Plan the next step.")
        hidden = _run_over(model, model.text_block(torch.tensor(answer), ctx.next_rope), ctx)
        expected_ce = torch.nn.functional.cross_entropy(model.logits(hidden[:-1]), torch.tensor(answer[1:]))
    torch.testing.assert_close(out.hidden[-len(answer):], hidden, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(out.ce, expected_ce, atol=1e-5, rtol=1e-5)
    assert out.mse is None and out.ce_tokens == len(answer) - 1


def _run_over(model, block, ctx):
    """Hidden states of `block` over `ctx`'s cache, without keeping it (either cache API)."""
    if hasattr(ctx.cache, "writer"):
        return model.run_block(block, ctx.cache.writer(block.length, keep=False))
    return model.run_block(block, ctx.cache.as_past())[0]


def test_training_forward_equals_inference_for_an_edit(inferencer, pictures):
    """[canvas VAE+ViT, instruction] -> noised target: the predicted velocity is the one the
    sampler would get for the same x_t and t."""
    model = inferencer.model
    example = Example("sketch", "r", (ImagePart(pictures[0]), TextPart("Make it green."),
                                      ImagePart(pictures[1], vit=False, target=True)))
    packed = SequencePacker(inferencer).pack(example)
    draws = sample_draws(packed, torch.Generator().manual_seed(3), 1.0, 64)
    out = training_forward(model, inferencer.vae, packed, draws)
    assert packed.split_modes == ["full", "full", "causal", "noise"]
    rope_of_target = packed.positions[-1].item()
    assert rope_of_target == packed.positions[-packed.split_lens[-1] - 1].item() + 1  # target at the next position
    with torch.no_grad():
        canvas = inferencer.prepare_image(Image.open(pictures[0]))
        tokens, pos = inferencer.vae_latent_tokens(canvas, eps=draws.latent_eps[0])
        ctx = inferencer.append_latent_tokens(Context(), tokens, pos)
        ctx = inferencer.append_vit_patches(ctx, *inferencer.vit_patch_tokens(canvas))
        ctx = inferencer.append_text(ctx, "Make it green.")
        x0, target_pos = inferencer.vae_latent_tokens(inferencer.prepare_image(Image.open(pictures[1])),
                                                      eps=draws.latent_eps[1])
        t = draws.timesteps[1]
        x_t = (1 - t) * x0 + t * draws.noise[1]
        velocity = inferencer.branch_velocity(ctx, inferencer.query_block(x_t, torch.tensor(t), target_pos, 0))
        expected_mse = ((velocity - (draws.noise[1] - x0)) ** 2).mean()
    torch.testing.assert_close(out.velocities[0], velocity, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(out.mse, expected_mse, atol=1e-5, rtol=1e-5)
    assert 0.0 < t < 1.0


def test_noised_pictures_are_invisible_to_everything_else():
    packed = PackedSequence(
        length=7, text_ids=torch.tensor([]), text_rows=torch.tensor([]), positions=torch.zeros(7, dtype=torch.long),
        split_lens=[2, 2, 3], split_modes=["causal", "noise", "full"], ce_rows=torch.tensor([]),
        ce_labels=torch.tensor([]))
    mask = packed.attention_mask()
    assert mask[1, 0] and not mask[0, 1]  # causal text
    assert mask[2:4, 0:4].all()  # the noised split sees the text and itself
    assert not mask[4:, 2:4].any()  # later splits never see it
    assert mask[4:, 4:].all() and mask[4:, :2].all()  # a full split sees itself and the text


def test_conditioning_dropout_follows_the_reference_rates(inferencer, pictures):
    from stagestudio.backends.bagel.training import LossSettings

    example = Example("sketch", "r", (ImagePart(pictures[0], cfg=True), TextPart("Make it green.", cfg=True),
                                      ImagePart(pictures[1], vit=False, target=True)))
    packer = SequencePacker(inferencer, LossSettings(text_cond_dropout=1.0, vit_cond_dropout=1.0, vae_cond_dropout=1.0))
    packed = packer.pack(example, torch.Generator().manual_seed(0))
    # Everything conditional dropped: only the target remains, still two positions on
    # (a dropped picture keeps its RoPE slots, as in the reference).
    assert packed.split_modes == ["noise"] and int(packed.positions[0]) == 2
    kept = SequencePacker(inferencer).pack(example)  # no generator: nothing is dropped
    assert kept.split_modes == ["full", "full", "causal", "noise"]


def test_gradient_checkpointing_gives_the_same_gradients(inferencer, pictures):
    import copy

    inf = copy.deepcopy(inferencer)
    attach_lora(inf.model, LoraSettings(rank=4, alpha=8, dropout=0.0))
    with torch.no_grad():
        for name, p in inf.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.05, generator=torch.Generator().manual_seed(0))
    example = Example("sketch", "r", (ImagePart(pictures[0]), TextPart("Make it green.", loss=True),
                                      ImagePart(pictures[1], vit=False, target=True)))
    packed = SequencePacker(inf).pack(example)
    draws = sample_draws(packed, torch.Generator().manual_seed(5), 1.0, 64)
    grads = []
    for checkpointing in (False, True):
        inf.model.zero_grad()
        training_forward(inf.model, inf.vae, packed, draws, gradient_checkpointing=checkpointing).loss.backward()
        grads.append([p.grad.clone() for p in trainable_parameters(inf.model)])
    assert all(g.abs().sum() > 0 for g in grads[0][:4])
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)
    remove_adapter(inf.model)


def test_qlora_on_the_nf4_base_trains_only_the_adapter(synth_data, fixture_dir, tmp_path):
    from stagestudio.psir.train import TrainConfig, Trainer

    trainer = Trainer(TrainConfig(model=str(fixture_dir), data=[str(synth_data)], out=str(tmp_path / "q"), steps=3,
                                  lr=1e-3, precision="nf4", device="cpu", rank=4, alpha=8, probe_size=2,
                                  gradient_checkpointing=True, save_every=3), log=lambda _: None)
    report = trainer.run()
    quantized = [n for n, m in trainer.model.named_modules() if type(m).__name__ == "Linear4bit"]
    assert quantized, "the base should be bitsandbytes 4-bit"
    assert all(p.dtype == torch.float32 for p in trainer.params)
    assert all("lora_" in n for n, p in trainer.model.named_parameters() if p.requires_grad)
    losses = [e["loss"] for e in report.log if e["kind"] == "train"]
    assert len(losses) == 3 and all(np.isfinite(losses))


def test_resumed_training_continues_exactly(synth_data, fixture_dir, tmp_path):
    from stagestudio.psir.train import TrainConfig, train

    def config(out, **kw):
        return TrainConfig(model=str(fixture_dir), data=[str(synth_data)], out=str(out), steps=6, lr=1e-3,
                           precision="fp32", device="cpu", rank=4, alpha=8, probe_size=2, save_every=3,
                           grad_accum=2, **kw)

    whole = train(config(tmp_path / "whole"), log=lambda _: None)
    part = tmp_path / "part"
    train(config(part), log=lambda _: None)
    shutil.rmtree(part / "checkpoints" / "step-000006")  # as if killed after step 3's checkpoint
    resumed = train(config(part, resume=True), log=lambda _: None)
    assert resumed.resumed_from == 3
    a = [e for e in whole.log if e["kind"] == "train"]
    b = [e for e in resumed.log if e["kind"] == "train"]
    assert [e["step"] for e in b] == [1, 2, 3, 4, 5, 6]
    assert [e["examples"] for e in a] == [e["examples"] for e in b]
    np.testing.assert_allclose([e["loss"] for e in a], [e["loss"] for e in b], rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_synth_then_train_from_the_command_line_lowers_the_loss(shared_dir, fixture_dir, tmp_path):
    """The acceptance path: `psir synth` on the sketchbook over 50 GenEval prompts, then
    `psir train` for 40 steps on the fixture model; the probe loss falls clearly."""
    data, run = tmp_path / "data", tmp_path / "run"
    env_python = [sys.executable, "-m", "stagestudio", "psir"]
    synth = subprocess.run(env_python + ["synth", "--backend", "sketchbook", "--size", "128", "--prompts",
                                         str(shared_dir / "data" / "geneval" / "evaluation_metadata.jsonl"),
                                         "--limit", "50", "--out", str(data), "--quiet"],
                           capture_output=True, text=True, timeout=600)
    assert synth.returncode == 0, synth.stderr[-2000:]
    assert "examples kept" in synth.stdout and (data / "dataset.json").is_file()
    trained = subprocess.run(env_python + ["train", "--model", str(fixture_dir), "--data", str(data), "--steps", "40",
                                           "--out", str(run), "--precision", "fp32", "--device", "cpu", "--lr", "1e-3",
                                           "--rank", "8", "--alpha", "16", "--lora-dropout", "0", "--image-size", "64",
                                           "--save-every", "20", "--quiet"],
                             capture_output=True, text=True, timeout=600, env=_one_thread_env())
    assert trained.returncode == 0, trained.stderr[-2000:]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["probe_loss_last"] < 0.75 * summary["probe_loss_first"], summary
    log = [json.loads(line) for line in (run / "train_log.jsonl").read_text().splitlines()]
    assert [e["step"] for e in log if e["kind"] == "train"] == list(range(1, 41))
    assert (run / "loss.png").stat().st_size > 1000
    assert (run / "adapter" / "adapter_model.safetensors").is_file()
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["step-000020", "step-000040"]
    info = json.loads((run / "adapter" / "stagestudio_adapter.json").read_text())
    assert info["formats"] == "psir-v1" and set(info["tasks"]) <= {"plan", "sketch", "inspect", "refine"}


def _one_thread_env() -> dict:
    import os

    return {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def test_cli_errors_are_one_line(tmp_path, capsys):
    from stagestudio.cli import main

    assert main(["psir", "train", "--model", "x", "--data", str(tmp_path), "--steps", "1"]) == 2
    assert "not a PSIR dataset" in capsys.readouterr().err
    assert main(["psir", "synth", "--prompts", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert "cannot read prompt file" in capsys.readouterr().err
    assert main(["psir", "train", "--model", "x", "--data", str(tmp_path), "--tasks", "paint"]) == 2
    assert "--tasks takes" in capsys.readouterr().err
    assert Path(tmp_path).is_dir()


@pytest.mark.slow
def test_export_train_and_run_with_the_adapter(fixture_dir, tmp_path):
    """Studio session -> `psir export` -> `psir train` -> `run --backend bagel --lora`: the
    adapter loads, and the roles it was trained for ask in the trained formats."""
    from stagestudio.backends.sketchbook.backend import SketchbookBackend
    from stagestudio.cli import main
    from stagestudio.loop.control import EditPlan, Proceed
    from stagestudio.loop.engine import LoopEngine, RunConfig
    from stagestudio.store import SessionRecorder, open_store

    class Person:
        def review_plan(self, review):
            return EditPlan("Draw a large bear.") if review.step.index == 0 else Proceed()

        def review_verdict(self, review):
            return Proceed()

    db = tmp_path / "studio.db"
    with open_store(db) as store:
        engine = LoopEngine(SketchbookBackend(error_rate=0.6, size=128))
        for seed in (1, 2, 3):
            list(SessionRecorder(store).record(engine.run("a bear above a spoon", config=RunConfig(seed=seed),
                                                          controller=Person())))
    assert main(["psir", "export", "--db", str(db), "--out", str(tmp_path / "data")]) == 0
    assert main(["psir", "train", "--model", str(fixture_dir), "--data", str(tmp_path / "data"), "--steps", "4",
                 "--out", str(tmp_path / "run"), "--precision", "fp32", "--device", "cpu", "--rank", "4",
                 "--image-size", "64", "--probe", "2", "--quiet"]) == 0
    adapter = tmp_path / "run" / "adapter"
    assert main(["run", "a bear above a spoon", "--backend", "bagel", "--model", str(fixture_dir), "--lora",
                 str(adapter), "--precision", "fp32", "--resolution", "32", "--timesteps", "3", "--max-refines", "1",
                 "--seed", "3", "--out", str(tmp_path / "out"), "--quiet"]) in (0, 1)
    trajectory = json.loads((tmp_path / "out" / "trajectory.json").read_text())
    assert trajectory["settings"]["lora"] == str(adapter)
    planned = [e["step"] for e in trajectory["events"] if e["type"] == "step_planned"]
    assert planned and all("psir-v1 format" in p["note"] for p in planned)
    verdicts = [e["verdict"] for e in trajectory["events"] if e["type"] == "verdict_ready"]
    trained = [f for v in verdicts for f in v["facts"] if f["source"] == "vqa-psir"]
    assert verdicts and len(trained) >= len(verdicts)  # every inspection went through the trained format
    assert all(f["question"].startswith("Inspect this picture.") for f in trained)

    with pytest.raises(Exception, match="does not exist"):
        from stagestudio.backends.bagel.backend import BagelBackend

        BagelBackend(model=str(fixture_dir), lora=str(tmp_path / "missing"))
