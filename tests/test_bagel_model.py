"""Unit tests of the BAGEL building blocks and context rules (tiny checkpoint, float32, CPU)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from stagestudio.backends.base import CancelToken, Cancelled
from stagestudio.backends.bagel import golden
from stagestudio.backends.bagel.context import KVCache
from stagestudio.backends.bagel.qwen2_mot import BlockRouting, apply_rope, attend, block_mask, route
from stagestudio.backends.bagel.sampler import GenerationSettings


@pytest.fixture(scope="module")
def fixture_dir(shared_dir):
    return shared_dir / "fixtures" / "bagel"


@pytest.fixture(scope="module")
def inf(fixture_dir):
    return golden.cached_golden_inferencer(str(fixture_dir))


def _picture(w: int, h: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


# --- attention pieces -----------------------------------------------------------------------------


def test_causal_mask_is_bottom_right_aligned():
    mask = block_mask(3, 2, causal=True, device=torch.device("cpu"))
    assert mask.tolist() == [
        [True, True, True, False, False],
        [True, True, True, True, False],
        [True, True, True, True, True],
    ]
    assert block_mask(4, 7, causal=False, device=torch.device("cpu")) is None
    assert block_mask(1, 7, causal=True, device=torch.device("cpu")) is None  # a decode step sees all


def test_gqa_uses_contiguous_groups():
    torch.manual_seed(0)
    q, k, v = torch.randn(5, 6, 8), torch.randn(2, 7, 8), torch.randn(2, 7, 8)  # k, v head-major
    for rows in (5, 1):  # a block, and one decoded token (its own path)
        out = attend(q[:rows], k, v, None).view(rows, 6, 8)
        for h in range(6):
            kv = h // 3  # heads 0-2 read KV head 0, heads 3-5 KV head 1
            weights = torch.softmax(q[:rows, h] @ k[kv].T / 8**0.5, dim=-1)
            torch.testing.assert_close(out[:, h], weights @ v[kv], atol=1e-5, rtol=1e-5)


def test_rope_rotates_half_pairs():
    d, theta = 8, 10000.0
    x = torch.randn(3, 2, d)
    positions = torch.tensor([0, 1, 5])
    inv = 1.0 / theta ** (torch.arange(0, d, 2).float() / d)
    ang = positions[:, None].float() * inv[None]
    cos, sin = torch.cat([ang.cos(), ang.cos()], -1), torch.cat([ang.sin(), ang.sin()], -1)
    out = apply_rope(x, cos, sin)
    a, b = x[..., : d // 2], x[..., d // 2:]
    c, s = ang.cos()[:, None], ang.sin()[:, None]
    torch.testing.assert_close(out, torch.cat([a * c - b * s, b * c + a * s], -1))


def test_route_keeps_row_order():
    x = torch.arange(5.0)[:, None]
    routing = BlockRouting.gen_rows(1, 4)
    out = route(x, routing, lambda t: t + 100, lambda t: t - 100)
    assert out[:, 0].tolist() == [100, -99, -98, -97, 104]


# --- experts ----------------------------------------------------------------------------------------


def test_gen_expert_weights_only_touch_latent_tokens(inf):
    model = copy.deepcopy(inf.model)
    ids = torch.tensor(inf.tokenizer.segment_ids("a red cube"))
    text = model.text_block(ids, 0)
    latent = model.latent_block(torch.randn(6, 64), torch.arange(6), 0.5, inf.special, 3)
    before_text = model.run_block(text)
    writer = KVCache().writer(latent.length, keep=True)
    before_latent = model.run_block(latent, writer)
    kv = writer.result().layers
    with torch.no_grad():
        for layer in model.language_model.model.layers:
            layer.self_attn.q_proj_moe_gen.weight.mul_(1.5)
    after_text = model.run_block(text)
    writer = KVCache().writer(latent.length, keep=True)
    after_latent = model.run_block(latent, writer)
    kv2 = writer.result().layers
    torch.testing.assert_close(after_text, before_text)  # und mode never reads *_moe_gen
    assert not torch.allclose(after_latent[1:-1], before_latent[1:-1])
    # The marker rows use the und weights: their own keys in layer 0 do not change.
    torch.testing.assert_close(kv2[0][0][[0, -1]], kv[0][0][[0, -1]])


# --- contexts ---------------------------------------------------------------------------------------


def test_context_counters_and_guidance_rules(inf):
    state = inf.new_contexts()
    state = inf.add_text(state, "Plan: a cube")
    n_text = len(inf.tokenizer.segment_ids("Plan: a cube"))
    assert (state.cond.kv_len, state.cond.next_rope) == (n_text, n_text)
    assert state.cfg_text.kv_len == 0 and state.cfg_img.kv_len == n_text

    before_image = state
    state = inf.add_image(state, _picture(64, 48))  # VAE 64x48 -> 4x3 latents; ViT 70x42 -> 5x3 patches
    assert state.cond.next_rope == n_text + 2  # two image blocks, one position each
    assert state.cond.kv_len == n_text + (12 + 2) + (15 + 2)
    assert [s.kind for s in state.cond.segments] == ["text", "vae_image", "vit_image"]
    assert state.cfg_text is state.cond  # images stay in the text-free branch
    assert state.cfg_img is before_image.cfg_img  # and never enter the image-free one
    assert state.last_image_size == (48, 64)

    snap = state.snapshot()
    state2 = inf.add_text(state, "Refine: make it green")
    assert state2.cfg_text.kv_len == state.cond.kv_len  # cond before the last text
    n_text2 = len(inf.tokenizer.segment_ids("Refine: make it green"))
    assert (state2.cfg_img.kv_len, state2.cfg_img.next_rope) == (n_text + n_text2, n_text + n_text2)  # re-packed

    rewound = state2.rewound(snap)
    assert rewound.cond.kv_len == state.cond.kv_len and rewound.cond.next_rope == state.cond.next_rope
    assert rewound.cfg_text.kv_len == state.cfg_text.kv_len and rewound.cfg_img.kv_len == state.cfg_img.kv_len
    for (k1, v1), (k2, v2) in zip(rewound.cond.cache.layers, state.cond.cache.layers):
        assert torch.equal(k1, k2) and torch.equal(v1, v2)
    assert rewound.cond.segments == state.cond.segments and rewound.last_image_size == (48, 64)


def test_denoising_query_is_never_cached(inf):
    state = inf.add_text(inf.new_contexts(), "a cube")
    query = inf.query_block(torch.randn(6, 64), 0.7, torch.arange(6), 0)
    v1 = inf.branch_velocity(state.cond, query)
    v2 = inf.branch_velocity(state.cond, query)
    assert state.cond.kv_len == len(inf.tokenizer.segment_ids("a cube"))
    torch.testing.assert_close(v1, v2)
    assert v1.shape == (6, 64)


def test_generate_text_stops_at_end_token(inf, monkeypatch):
    state = inf.add_text(inf.new_contexts(), "hi")
    script = iter([65, 66, inf.special.eos, 67])

    def fake_logits(hidden):
        out = torch.zeros(hidden.shape[0], inf.model.config.llm.vocab_size)
        out[:, next(script)] = 1.0
        return out

    monkeypatch.setattr(inf.model, "logits", fake_logits)
    result = inf.generate_text(state.cond, max_length=10)
    assert result.fed_ids == [inf.special.bos, 65, 66]
    assert result.text == inf.tokenizer.decode([65, 66])


# --- the top-level API --------------------------------------------------------------------------------


def test_interleave_reproduces_the_text_to_image_case(inf, fixture_dir):
    case = next(c for c in golden.load_cases(fixture_dir) if c["name"] == "c_text_to_image")
    recorded = load_file(str(fixture_dir / case["file"]))
    kwargs = case["call"]["kwargs"]
    settings = GenerationSettings(
        num_timesteps=kwargs["num_timesteps"], timestep_shift=kwargs["timestep_shift"],
        cfg_text_scale=kwargs["cfg_text_scale"], cfg_img_scale=kwargs["cfg_img_scale"],
        cfg_interval=tuple(kwargs["cfg_interval"]), cfg_renorm_min=kwargs["cfg_renorm_min"],
        cfg_renorm_type=kwargs["cfg_renorm_type"])
    steps = []
    result = inf.interleave(case["call"]["input_list"], settings=settings, seed=case["seed"],
                            image_shape=tuple(kwargs["image_shapes"]), progress=lambda d, t: steps.append((d, t)))
    (image,) = result.outputs
    assert image.size == (96, 64)
    diff = np.abs(np.array(image).astype(int) - recorded["gen.image_uint8"].numpy().astype(int))
    assert diff.max() <= 1
    assert steps == [(i, 7) for i in range(1, 8)]


def test_interleave_answers_the_text_case(inf, fixture_dir):
    case = next(c for c in golden.load_cases(fixture_dir) if c["name"] == "a_text_understanding")
    result = inf.interleave(case["call"]["input_list"], understanding_output=True, seed=0,
                            max_think_tokens=case["call"]["kwargs"]["max_think_token_n"])
    assert result.outputs == [case["output_text"]]


def test_generation_can_be_cancelled(inf):
    state = inf.add_text(inf.new_contexts(), "a cube")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        inf.generate_image(state, GenerationSettings(num_timesteps=3), seed=0, image_shape=(32, 32), cancel=token)


def test_output_size_limits(inf):
    state = inf.new_contexts()
    assert inf.output_shape(state, (64, 96)) == (64, 96)
    with pytest.raises(ValueError, match="outside 16..1024"):
        inf.output_shape(state, (2048, 512))
