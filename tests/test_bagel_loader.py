"""Loader: strict loading with clear errors, and the quantized modes end to end on the CPU."""

from __future__ import annotations

import os
import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from stagestudio.backends.bagel import golden
from stagestudio.backends.bagel.inferencer import InterleavedInferencer
from stagestudio.backends.bagel.loader import (
    BagelLoadError, bf16_problem, load_bagel, missing_checkpoint_files, quantized_module_names, resolve_checkpoint,
    smaller_precision)
from stagestudio.backends.bagel.sampler import GenerationSettings

PROMPT = "What color is the sky at noon?"


@pytest.fixture(scope="module")
def fixture_dir(shared_dir):
    return shared_dir / "fixtures" / "bagel"


@pytest.fixture()
def tiny_copy(fixture_dir, tmp_path):
    """A writable copy of the tiny checkpoint folder (without the case recordings)."""
    for name in ("ema.safetensors", "ae.safetensors", "llm_config.json", "vit_config.json",
                 "ae_params.json", "bagel_config.json"):
        shutil.copy(fixture_dir / name, tmp_path / name)
    shutil.copytree(fixture_dir / "tokenizer", tmp_path / "tokenizer")
    return tmp_path


def test_missing_folder_suggests_the_download_command(tmp_path):
    with pytest.raises(BagelLoadError, match="download ByteDance-Seed/BAGEL-7B-MoT --local-dir"):
        resolve_checkpoint(tmp_path / "nowhere")


def test_repo_id_not_in_cache_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    with pytest.raises(BagelLoadError, match="not in the Hugging Face cache.* download ByteDance-Seed/BAGEL-7B-MoT"):
        resolve_checkpoint("ByteDance-Seed/BAGEL-7B-MoT")


def test_incomplete_folder_lists_missing_files(tiny_copy):
    (tiny_copy / "ae.safetensors").unlink()
    shutil.rmtree(tiny_copy / "tokenizer")
    assert missing_checkpoint_files(tiny_copy) == [
        "ae.safetensors", "tokenizer files (tokenizer.json, or vocab.json + merges.txt)"]
    with pytest.raises(BagelLoadError, match="incomplete; missing: ae.safetensors, tokenizer files"):
        load_bagel(tiny_copy, precision="fp32", device="cpu")


def test_strict_load_names_missing_and_unexpected_tensors(tiny_copy):
    tensors = load_file(str(tiny_copy / "ema.safetensors"))
    del tensors["language_model.model.layers.1.self_attn.q_proj_moe_gen.weight"]
    tensors["language_model.model.layers.1.self_attn.extra.weight"] = torch.zeros(2)
    save_file(tensors, str(tiny_copy / "ema.safetensors"))
    with pytest.raises(BagelLoadError) as err:
        load_bagel(tiny_copy, precision="fp32", device="cpu")
    message = str(err.value)
    assert "missing language_model.model.layers.1.self_attn.q_proj_moe_gen.weight" in message
    assert "unexpected language_model.model.layers.1.self_attn.extra.weight" in message


def test_wrong_shapes_are_an_incompatible_checkpoint(tiny_copy):
    config = (tiny_copy / "llm_config.json").read_text().replace('"intermediate_size": 128', '"intermediate_size": 96')
    (tiny_copy / "llm_config.json").write_text(config)
    with pytest.raises(BagelLoadError, match=r"not a checkpoint for this BAGEL configuration: wrong shape .*mlp"):
        load_bagel(tiny_copy, precision="fp32", device="cpu")


def test_truncated_weights_file(tiny_copy):
    data = (tiny_copy / "ema.safetensors").read_bytes()
    (tiny_copy / "ema.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(BagelLoadError, match="probably incomplete"):
        load_bagel(tiny_copy, precision="fp32", device="cpu")


def test_bad_options(fixture_dir):
    with pytest.raises(BagelLoadError, match="unknown precision"):
        load_bagel(fixture_dir, precision="fp8", device="cpu")  # type: ignore[arg-type]
    with pytest.raises(BagelLoadError, match="offload works with fp32/bf16 only"):
        load_bagel(fixture_dir, precision="nf4", device="cpu", offload=True)
    if not torch.cuda.is_available():
        with pytest.raises(BagelLoadError, match="CUDA was requested"):
            load_bagel(fixture_dir, precision="bf16", device="cuda")
    assert [smaller_precision(p) for p in ("fp32", "bf16", "int8", "nf4")] == ["bf16", "int8", "nf4", None]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU message")
def test_full_size_model_without_gpu_needs_an_explicit_cpu_choice(fixture_dir, tmp_path):
    """Checked before any weight is read: empty weight files are enough."""
    from stagestudio.backends.bagel.config import PACKAGED_CONFIG_DIR

    for name in ("llm_config.json", "vit_config.json"):
        shutil.copy(PACKAGED_CONFIG_DIR / name, tmp_path / name)
    (tmp_path / "ema.safetensors").write_bytes(b"")
    (tmp_path / "ae.safetensors").write_bytes(b"")
    shutil.copytree(fixture_dir / "tokenizer", tmp_path / "tokenizer")
    with pytest.raises(BagelLoadError, match=r"no CUDA GPU found; this BAGEL model has 14.6 G parameters"):
        load_bagel(tmp_path, precision="nf4")
    with pytest.raises(BagelLoadError, match="probably incomplete"):  # explicit CPU goes on to the weights
        load_bagel(tmp_path, precision="nf4", device="cpu")


@pytest.mark.slow  # bitsandbytes' CPU fallback dequantizes on every call
@pytest.mark.parametrize("precision", ["nf4", "int8"])
def test_quantized_modes_run_end_to_end_on_cpu(precision, fixture_dir):
    reference = golden.cached_golden_inferencer(str(fixture_dir))
    loaded = load_bagel(fixture_dir, precision=precision, device="cpu")
    quantized = list(quantized_module_names(loaded.model))
    # Exactly the decoder-layer Linear layers: 2 layers x (4 attention + 3 MLP) x 2 experts.
    assert len(quantized) == 28 and all(n.startswith("language_model.model.layers.") for n in quantized)
    inf = InterleavedInferencer(loaded.model, loaded.tokenizer, loaded.vae, golden.golden_transforms(fixture_dir))

    ref_state = reference.add_text(reference.new_contexts(), PROMPT)
    state = inf.add_text(inf.new_contexts(), PROMPT)
    ref_text = reference.generate_text(ref_state.cond, 4, keep_logits=True)
    text = inf.generate_text(state.cond, 4, keep_logits=True)
    assert torch.isfinite(text.logits).all()
    scale = ref_text.logits.abs().max()
    assert (text.logits[0] - ref_text.logits[0]).abs().max() < 0.3 * scale

    settings = GenerationSettings(num_timesteps=3, cfg_text_scale=4.0, cfg_img_scale=1.0)
    ref_img = reference.generate_image(ref_state, settings, seed=7, image_shape=(32, 48))
    img = inf.generate_image(state, settings, seed=7, image_shape=(32, 48))
    assert img.image.size == (48, 32)
    assert torch.isfinite(img.latent_tokens).all() and torch.isfinite(img.decoded).all()
    err = (img.latent_tokens.float() - ref_img.latent_tokens).abs().max()
    assert err < 0.3 * ref_img.latent_tokens.abs().max()


# --- GPUs without bfloat16, bitsandbytes' noise, VAE tiles ------------------------------------------


def test_gpus_before_ampere_get_a_clear_message(monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (7, 5))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Tesla T4")
    problem = bf16_problem(torch.device("cuda"))
    assert problem and "Tesla T4" in problem and "compute capability 7.5" in problem and "Ampere" in problem
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (8, 6))
    assert bf16_problem(torch.device("cuda")) is None
    assert bf16_problem(torch.device("cpu")) is None


def test_bitsandbytes_kernel_warning_is_dropped_and_nothing_else(caplog):
    import logging

    from stagestudio.backends.bagel.bnb import quiet_bitsandbytes_logging

    quiet_bitsandbytes_logging()
    quiet_bitsandbytes_logging()  # idempotent
    logger = logging.getLogger("bitsandbytes.backends.cpu.ops")
    with caplog.at_level(logging.WARNING):
        logger.warning("Failed to load CPU gemm_4bit_forward from kernels-community: %s.", "No module named 'kernels'")
        logger.warning("something else went wrong")
    assert [r.getMessage() for r in caplog.records] == ["something else went wrong"]
    assert len(logger.filters) == 1


def test_quantized_modes_decode_large_pictures_in_tiles(fixture_dir, monkeypatch):
    from stagestudio.backends.bagel.backend import vae_tile_for

    assert vae_tile_for("nf4", 1024) == 512 and vae_tile_for("int8", 768) == 512
    assert vae_tile_for("nf4", 512) is None and vae_tile_for("bf16", 1024) is None
    vae = golden.cached_golden_inferencer(str(fixture_dir)).vae
    z = torch.randn(1, vae.params.z_channels, 24, 24)
    whole = vae.decode(z)
    calls = []
    tiled_decode = vae.model.tiled_decode
    monkeypatch.setattr(vae.model, "tiled_decode", lambda *a, **k: calls.append(1) or tiled_decode(*a, **k))
    try:
        vae.set_tiling(256)  # the picture fits one tile: decoded whole, exactly as without tiling
        assert torch.equal(vae.decode(z), whole) and not calls
        vae.set_tiling(64)
        tiled = vae.decode(z)
    finally:
        vae.set_tiling(None)
    assert calls and tiled.shape == whole.shape == (1, 3, 192, 192) and torch.isfinite(tiled).all()
    with pytest.raises(ValueError, match="tile size"):
        vae.set_tiling(60)
