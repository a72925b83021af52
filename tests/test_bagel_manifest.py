"""The full-size BAGEL-7B-MoT model, built on the meta device from the packaged configuration,
has exactly the tensor names and shapes of the published checkpoint (fixture manifest)."""

from __future__ import annotations

import json

import pytest

from stagestudio.backends.bagel.config import BagelConfig
from stagestudio.backends.bagel.loader import build_empty_model, expected_tensors


@pytest.fixture(scope="module")
def manifest(shared_dir):
    return json.loads((shared_dir / "fixtures" / "bagel" / "bagel_7b_mot_manifest.json").read_text())


@pytest.fixture(scope="module")
def full_model():
    return build_empty_model(BagelConfig.bagel_7b_mot())


def test_packaged_config_is_the_published_one(manifest):
    cfg = BagelConfig.bagel_7b_mot()
    llm = manifest["llm_config_json"]
    assert (cfg.llm.hidden_size, cfg.llm.num_hidden_layers, cfg.llm.num_attention_heads,
            cfg.llm.num_key_value_heads, cfg.llm.head_dim, cfg.llm.vocab_size) == (
        llm["hidden_size"], llm["num_hidden_layers"], llm["num_attention_heads"],
        llm["num_key_value_heads"], 128, llm["vocab_size"])
    assert cfg.vit.num_hidden_layers == manifest["app_overrides"]["vit"]["num_hidden_layers"] == 26
    assert cfg.vit.head_dim == 72 and cfg.vit.patch_dim == 588
    assert cfg.latent_downsample == 16 and cfg.patch_latent_dim == 64


def test_ema_names_and_shapes_match_exactly(manifest, full_model):
    expected = {t["name"]: tuple(t["shape"]) for t in manifest["ema"]["tensors"]}
    built = expected_tensors(full_model)
    assert sorted(set(expected) - set(built)) == []
    assert sorted(set(built) - set(expected)) == []
    wrong = {k: (built[k], expected[k]) for k in expected if built[k] != expected[k]}
    assert wrong == {}
    assert len(built) == manifest["ema"]["num_tensors"] == 1223


def test_parameter_count_and_groups(manifest, full_model):
    total = sum(p.numel() for p in full_model.state_dict().values())
    assert total == manifest["ema"]["total_params"] == 14_607_260_128
    gen = sum(p.numel() for n, p in full_model.state_dict().items() if "moe_gen" in n)
    assert gen == manifest["ema"]["params_by_group"]["llm_gen_expert (moe_gen)"]
    # Everything is on the meta device: building the 7B model costs no memory.
    assert all(p.device.type == "meta" for p in full_model.parameters())


def test_non_persistent_buffers(manifest, full_model):
    buffers = {n for n, _ in full_model.named_buffers()}
    persistent = set(full_model.state_dict())
    assert sorted(buffers - persistent) == manifest["non_persistent_buffers_not_in_checkpoint"]


def test_vae_manifest_maps_onto_the_diffusers_model(manifest):
    """Every original ae.safetensors name converts to a diffusers AutoencoderKL tensor of the
    same size (the VAE module is built from the real parameters on the meta device)."""
    from stagestudio.backends.bagel.vae import (
        FluxVAEParams, build_autoencoder, original_to_diffusers_key)

    params = FluxVAEParams.from_dict(manifest["ae_params"])
    model_tensors = {k: tuple(v.shape) for k, v in build_autoencoder(params, device="meta").state_dict().items()}
    mapped = {}
    for t in manifest["ae"]["tensors"]:
        key = original_to_diffusers_key(t["name"], params.num_levels)
        mapped[key] = t["numel"]
        assert key in model_tensors, t["name"]
    assert set(mapped) == set(model_tensors)
    for key, numel in mapped.items():
        n = 1
        for d in model_tensors[key]:
            n *= d
        assert n == numel, key
    assert sum(mapped.values()) == manifest["ae"]["total_params"]
