"""PEFT LoRA on our BAGEL (tiny fixture model): a fresh adapter (B = 0) leaves every golden case
unchanged; save -> load gives identical outputs; merging keeps them; bad adapters are clear errors."""

from __future__ import annotations

import copy
import json

import pytest
import torch

from psir_support import fixture_dir, inferencer, one_thread  # noqa: F401  (shared fixtures)

from stagestudio.backends.bagel import golden
from stagestudio.backends.bagel.lora import (
    AdapterError,
    AdapterInfo,
    LoraSettings,
    attach_lora,
    has_adapter,
    load_adapter,
    lora_layers,
    merge_adapter,
    remove_adapter,
    save_adapter,
    target_module_names,
)


def _probe_outputs(inf):
    """Text logits and a generation velocity over a small interleaved context."""
    from PIL import Image

    with torch.no_grad():
        inf.seed(0)
        state = inf.add_text(inf.new_contexts(), "A red cube on a blue table.")
        state = inf.add_image(state, Image.new("RGB", (48, 64), (200, 30, 30)))
        text = inf.generate_text(state.cond, max_length=4, keep_logits=True)
        pos = inf.layout.position_ids(64, 48)
        x = torch.randn(len(pos), inf.layout.token_dim, generator=torch.Generator().manual_seed(1))
        velocity = inf.branch_velocity(state.cond, inf.query_block(x, 0.5, pos, 0))
    return text.logits, velocity


def _randomise_adapter(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)


def test_default_targets_are_both_experts_attention_and_mlp(inferencer):
    names = target_module_names(inferencer.model, LoraSettings())
    layers = inferencer.model.config.llm.num_hidden_layers
    assert len(names) == layers * 14  # 4 attention + 3 MLP projections, times two experts
    assert any(n.endswith("self_attn.q_proj_moe_gen") for n in names)
    assert any(".mlp_moe_gen.down_proj" in n for n in names) and any(".mlp.gate_proj" in n for n in names)
    gen_only = target_module_names(inferencer.model, LoraSettings(modules=("mlp",), experts=("gen",)))
    assert gen_only and all(".mlp_moe_gen." in n for n in gen_only)
    with pytest.raises(AdapterError, match="modules must be among"):
        LoraSettings(modules=("embeddings",))


def test_zero_adapter_leaves_every_golden_case_unchanged(inferencer, fixture_dir):
    model = inferencer.model
    attach_lora(model, LoraSettings(rank=4, alpha=8, dropout=0.0))
    try:
        assert len(lora_layers(model)) == model.config.llm.num_hidden_layers * 14
        assert all(float(p.detach().abs().max()) == 0.0 for n, p in model.named_parameters() if "lora_B" in n)
        # The memory estimate's parameter count is exactly what PEFT creates.
        from stagestudio.psir.memory import lora_parameter_count

        created = sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
        assert lora_parameter_count(model.config, rank=4) == created
        reports = golden.run_golden(fixture_dir, inf=inferencer)
        assert len(reports) == 7
        for report in reports:
            assert report.passed, f"{report.name}: {report.error or [str(c.name) for c in report.failures()]}"
    finally:
        remove_adapter(model)
    assert not has_adapter(model)


def test_save_load_gives_identical_outputs_and_merge_keeps_them(inferencer, tmp_path):
    inf = copy.deepcopy(inferencer)
    base_logits, base_velocity = _probe_outputs(inf)
    attach_lora(inf.model, LoraSettings(rank=4, alpha=8, dropout=0.0))
    _randomise_adapter(inf.model)
    logits, velocity = _probe_outputs(inf)
    assert not torch.allclose(logits, base_logits, atol=1e-3)  # the adapter really changes the model
    folder = save_adapter(inf.model, tmp_path / "adapter", AdapterInfo(formats="psir-v1", tasks=["plan"]))
    assert {p.name for p in folder.iterdir()} >= {"adapter_config.json", "adapter_model.safetensors",
                                                  "stagestudio_adapter.json"}

    fresh = copy.deepcopy(inferencer)
    info = load_adapter(fresh.model, folder)
    assert info.trained_for("plan") and not info.trained_for("inspect")
    assert not any(p.requires_grad for p in fresh.model.parameters())
    loaded_logits, loaded_velocity = _probe_outputs(fresh)
    assert torch.equal(loaded_logits, logits) and torch.equal(loaded_velocity, velocity)

    assert merge_adapter(fresh.model) == fresh.model.config.llm.num_hidden_layers * 14
    assert not has_adapter(fresh.model)
    merged_logits, merged_velocity = _probe_outputs(fresh)
    torch.testing.assert_close(merged_logits, logits, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(merged_velocity, velocity, atol=1e-4, rtol=1e-4)


def test_bad_adapters_are_clear_errors(tmp_path, inferencer):
    with pytest.raises(AdapterError, match="does not exist"):
        load_adapter(inferencer.model, tmp_path / "nowhere")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "adapter_config.json").write_text("{}")
    with pytest.raises(AdapterError, match="lacks adapter_model.safetensors"):
        load_adapter(inferencer.model, tmp_path / "half")

    # An adapter for another configuration: rank-4 weights relabelled as rank 8.
    other = copy.deepcopy(inferencer)
    attach_lora(other.model, LoraSettings(rank=4, alpha=8, dropout=0.0))
    folder = save_adapter(other.model, tmp_path / "other", AdapterInfo())
    config = json.loads((folder / "adapter_config.json").read_text())
    config["r"] = 8
    (folder / "adapter_config.json").write_text(json.dumps(config))
    fresh = copy.deepcopy(inferencer)
    with pytest.raises(AdapterError, match="wrong shape"):
        load_adapter(fresh.model, folder)
    assert not has_adapter(fresh.model)  # a failed load leaves the model as it was




def test_backend_settings_record_the_adapter_and_validate_back(tmp_path, inferencer):
    from stagestudio.backends.bagel.backend import BagelBackend
    from stagestudio.ui.backend_settings import validate_settings

    plain = BagelBackend(model="some/where").settings()
    assert "lora" not in plain  # sessions without an adapter store what they always stored
    other = copy.deepcopy(inferencer)
    attach_lora(other.model, LoraSettings(rank=2, alpha=4))
    folder = save_adapter(other.model, tmp_path / "adapter", AdapterInfo())
    stored = BagelBackend(model="some/where", lora=str(folder)).settings()
    assert stored["lora"] == str(folder) and stored["merge_lora"] is False
    assert BagelBackend(**validate_settings("bagel", stored)).settings() == stored  # forks rebuild it


def test_loader_puts_the_adapter_on_and_merges_on_request(inferencer, fixture_dir, tmp_path):
    from stagestudio.backends.bagel.golden import golden_transforms
    from stagestudio.backends.bagel.inferencer import InterleavedInferencer
    from stagestudio.backends.bagel.loader import load_bagel

    trained = copy.deepcopy(inferencer)
    attach_lora(trained.model, LoraSettings(rank=4, alpha=8, dropout=0.0))
    _randomise_adapter(trained.model, seed=2)
    expected_logits, expected_velocity = _probe_outputs(trained)
    folder = save_adapter(trained.model, tmp_path / "adapter", AdapterInfo(formats="psir-v1", tasks=["inspect"]))
    for merge in (False, True):
        loaded = load_bagel(fixture_dir, precision="fp32", device="cpu", lora=folder, merge_lora=merge)
        assert loaded.adapter.trained_for("inspect") and has_adapter(loaded.model) is not merge
        inf = InterleavedInferencer(loaded.model, loaded.tokenizer, loaded.vae, golden_transforms(fixture_dir))
        logits, velocity = _probe_outputs(inf)
        torch.testing.assert_close(logits, expected_logits, atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(velocity, expected_velocity, atol=1e-4, rtol=1e-4)
