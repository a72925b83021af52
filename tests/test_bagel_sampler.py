"""Flow sampler, CFG combination, sin-cos tables and the timestep embedder against the
BAGEL golden fixtures (float32, CPU)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from stagestudio.backends.base import CancelToken, Cancelled
from stagestudio.backends.bagel.latents import (
    SinCosPositionTable,
    TimestepEmbedder,
    sincos_2d_table,
    timestep_frequencies,
)
from stagestudio.backends.bagel.sampler import (
    COND,
    UNCOND_IMG,
    UNCOND_TEXT,
    GenerationSettings,
    UnsupportedRenormType,
    cfg_in_interval,
    combine_velocities,
    flow_schedule,
    sample,
    scales_at,
)

SETTING_KEYS = (
    "num_timesteps", "timestep_shift", "cfg_text_scale", "cfg_img_scale",
    "cfg_interval", "cfg_renorm_min", "cfg_renorm_type",
)


@pytest.fixture(scope="module")
def fixtures(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "bagel"


@pytest.fixture(scope="module")
def ema(fixtures: Path) -> dict[str, torch.Tensor]:
    return load_file(str(fixtures / "ema.safetensors"))


@pytest.fixture(scope="module")
def generation_cases(fixtures: Path) -> list[tuple[dict, GenerationSettings, dict[str, torch.Tensor]]]:
    cases = json.loads((fixtures / "cases.json").read_text())["cases"]
    found = []
    for case in cases:
        if "effective_gen_image_args" not in case:
            continue
        args = case["effective_gen_image_args"]
        # What the inferencer received must agree with the call itself.
        for key, value in case["call"]["kwargs"].items():
            if key in SETTING_KEYS:
                assert args[key] == value, (case["name"], key)
        settings = GenerationSettings(**{k: args[k] for k in SETTING_KEYS})
        found.append((case, settings, load_file(str(fixtures / case["file"]))))
    assert found, "cases.json holds no image-generation case"
    return found


def _recorded_velocity_fn(tensors: dict[str, torch.Tensor], calls: list):
    """Replays the recorded branch velocities, checking the trajectory on the way."""

    def velocity_fn(x_t, t, branches):
        step = len(calls)
        calls.append(tuple(branches))
        assert torch.equal(t, tensors["gen.timesteps"][step])
        torch.testing.assert_close(x_t, tensors["gen.x_t"][step], atol=1e-4, rtol=1e-4)
        return {
            COND: tensors["gen.v_cond"][step],
            UNCOND_TEXT: tensors["gen.v_uncond_text"][step],
            UNCOND_IMG: tensors["gen.v_uncond_img"][step],
        }

    return velocity_fn


# --- schedule and CFG -------------------------------------------------------------------


def test_schedule_and_cfg_activity_match_cases(generation_cases) -> None:
    for case, settings, tensors in generation_cases:
        schedule = flow_schedule(settings.num_timesteps, settings.timestep_shift)
        assert len(schedule) == settings.num_timesteps - 1 == len(case["steps"])
        assert torch.equal(schedule.timesteps, tensors["gen.timesteps"]), case["name"]
        assert torch.equal(schedule.dts, tensors["gen.dts"]), case["name"]
        for i, step in enumerate(case["steps"]):
            scales = scales_at(schedule.timesteps[i], settings)
            assert (scales.text, scales.img) == (step["cfg_text_scale_used"], step["cfg_img_scale_used"])
            assert (UNCOND_TEXT in scales.branches) == bool(tensors["gen.cfg_text_active"][i]), (case["name"], i)
            assert (UNCOND_IMG in scales.branches) == bool(tensors["gen.cfg_img_active"][i]), (case["name"], i)


def test_cfg_combination_reproduces_recorded_velocity(generation_cases) -> None:
    for case, settings, tensors in generation_cases:
        for i, t in enumerate(tensors["gen.timesteps"]):
            scales = scales_at(t, settings)
            v = combine_velocities(
                tensors["gen.v_cond"][i], tensors["gen.v_uncond_text"][i], tensors["gen.v_uncond_img"][i],
                scales.text, scales.img, settings.cfg_renorm_type, settings.cfg_renorm_min,
            )
            torch.testing.assert_close(v, tensors["gen.v"][i], atol=1e-4, rtol=1e-4)


def test_euler_loop_replays_recorded_trajectory(generation_cases) -> None:
    for case, settings, tensors in generation_cases:
        calls: list = []
        progress: list[tuple[int, int]] = []
        final = sample(
            _recorded_velocity_fn(tensors, calls), tensors["gen.init_noise"], settings,
            progress=lambda done, total: progress.append((done, total)), cancel=CancelToken(),
        )
        steps = settings.num_timesteps - 1
        assert len(calls) == steps
        assert progress == [(i + 1, steps) for i in range(steps)]
        torch.testing.assert_close(final, tensors["gen.final_latent_tokens"], atol=1e-3, rtol=1e-3)


def test_on_step_records_combined_velocity(generation_cases) -> None:
    case, settings, tensors = generation_cases[0]
    records = []
    sample(_recorded_velocity_fn(tensors, []), tensors["gen.init_noise"], settings, on_step=records.append)
    assert [r.index for r in records] == list(range(settings.num_timesteps - 1))
    for r in records:
        torch.testing.assert_close(r.v, tensors["gen.v"][r.index], atol=1e-4, rtol=1e-4)


def test_cancel_stops_before_the_next_step(generation_cases) -> None:
    _, settings, tensors = generation_cases[0]
    token = CancelToken()
    calls: list = []

    def progress(done: int, total: int) -> None:
        if done == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        sample(_recorded_velocity_fn(tensors, calls), tensors["gen.init_noise"], settings, progress=progress, cancel=token)
    assert len(calls) == 2


def test_missing_branch_is_reported() -> None:
    settings = GenerationSettings(num_timesteps=3, cfg_interval=(0.0, 1.0))
    x0 = torch.zeros(2, 4)
    with pytest.raises(ValueError, match="uncond_text"):
        sample(lambda x, t, branches: {COND: torch.zeros_like(x)}, x0, settings)


def test_interval_lower_bound_is_strict_in_float32() -> None:
    t = torch.tensor(0.4, dtype=torch.float32)
    assert not cfg_in_interval(t, (0.4, 1.0))
    assert cfg_in_interval(t, (0.39, 1.0))
    assert cfg_in_interval(torch.tensor(1.0), (0.4, 1.0))
    assert not cfg_in_interval(torch.tensor(0.0), (0.0, 1.0))


def test_renorm_types() -> None:
    torch.manual_seed(0)
    v_cond, v_text, v_img = torch.randn(3, 5, 8).unbind(0)
    guided = v_text + 4.0 * (v_cond - v_text)
    # global: whole-tensor norm never exceeds that of v_cond
    out = combine_velocities(v_cond, v_text, v_img, 4.0, 1.0, "global")
    torch.testing.assert_close(out.norm(), min(v_cond.norm(), guided.norm()))
    # channel: per token
    out = combine_velocities(v_cond, v_text, v_img, 4.0, 1.0, "channel")
    assert torch.all(out.norm(dim=-1) <= v_cond.norm(dim=-1) + 1e-5)
    # text_channel: renorm the text part only, image CFG after it
    out = combine_velocities(v_cond, v_text, v_img, 4.0, 2.0, "text_channel", renorm_min=0.0)
    scale = (v_cond.norm(dim=-1, keepdim=True) / (guided.norm(dim=-1, keepdim=True) + 1e-8)).clamp(0, 1)
    torch.testing.assert_close(out, v_img + 2.0 * (guided * scale - v_img))
    # renorm_min = 1 disables the rescale
    torch.testing.assert_close(combine_velocities(v_cond, v_text, v_img, 4.0, 1.0, "global", 1.0), guided)
    # no text guidance: the conditional velocity as is
    assert combine_velocities(v_cond, None, None, 1.0, 2.0, "global") is v_cond
    with pytest.raises(UnsupportedRenormType):
        combine_velocities(v_cond, v_text, v_img, 4.0, 1.0, "local")


def test_settings_defaults_and_validation() -> None:
    t2i = GenerationSettings.text_to_image()
    assert (t2i.num_timesteps, t2i.timestep_shift, t2i.cfg_text_scale, t2i.cfg_img_scale) == (50, 3.0, 4.0, 1.5)
    assert (t2i.cfg_interval, t2i.cfg_renorm_type, t2i.cfg_renorm_min) == ((0.4, 1.0), "global", 0.0)
    edit = GenerationSettings.edit()
    assert (edit.cfg_text_scale, edit.cfg_img_scale, edit.cfg_interval, edit.cfg_renorm_type) == (
        4.0, 2.0, (0.0, 1.0), "text_channel",
    )
    assert GenerationSettings.edit(num_timesteps=8).num_timesteps == 8
    with pytest.raises(NotImplementedError, match="local"):
        GenerationSettings(cfg_renorm_type="local")
    with pytest.raises(ValueError):
        GenerationSettings(cfg_renorm_type="nonsense")
    with pytest.raises(ValueError):
        GenerationSettings(cfg_interval=(0.8, 0.2))
    with pytest.raises(ValueError):
        GenerationSettings(num_timesteps=1)


# --- tables and the timestep embedder ---------------------------------------------------


def test_sincos_tables_match_checkpoint(ema: dict[str, torch.Tensor], fixtures: Path) -> None:
    bagel = json.loads((fixtures / "bagel_config.json").read_text())["bagel_config"]
    for name, side in (("latent_pos_embed", bagel["max_latent_size"]), ("vit_pos_embed", bagel["vit_max_num_patch_per_side"])):
        stored = ema[f"{name}.pos_embed"]
        assert torch.equal(sincos_2d_table(stored.shape[1], side), stored), name
        table = SinCosPositionTable(side, stored.shape[1])
        ids = torch.tensor([0, side + 1, side * side - 1])
        assert torch.equal(table(ids), stored[ids])


def test_sincos_column_fills_first_half() -> None:
    table = sincos_2d_table(8, 4)
    entry = table[1 * 4 + 3]  # row 1, col 3
    omega = torch.tensor([1.0, 0.01], dtype=torch.float64)
    expected = torch.cat([torch.sin(3 * omega), torch.cos(3 * omega), torch.sin(1 * omega), torch.cos(1 * omega)])
    torch.testing.assert_close(entry, expected.float())


def test_timestep_features_cos_first_without_scaling() -> None:
    features = timestep_frequencies(torch.tensor([0.0, 0.5]))
    assert features.shape == (2, 256)
    assert torch.equal(features[0, :128], torch.ones(128)) and torch.equal(features[0, 128:], torch.zeros(128))
    torch.testing.assert_close(features[1, 0], torch.cos(torch.tensor(0.5)))
    torch.testing.assert_close(features[1, 128], torch.sin(torch.tensor(0.5)))


def test_query_embeddings_hold_vae2llm_time_and_position(ema: dict[str, torch.Tensor], generation_cases) -> None:
    """query rows = vae2llm(x_t) + time_embedder(t) + latent_pos_embed[ids]."""
    hidden = ema["time_embedder.mlp.2.weight"].shape[0]
    embedder = TimestepEmbedder(hidden)
    embedder.load_state_dict(
        {k.removeprefix("time_embedder."): v for k, v in ema.items() if k.startswith("time_embedder.")}, strict=True
    )
    vae2llm = torch.nn.Linear(*reversed(ema["vae2llm.weight"].shape))
    vae2llm.load_state_dict({"weight": ema["vae2llm.weight"], "bias": ema["vae2llm.bias"]})
    with torch.no_grad():
        for case, _, tensors in generation_cases:
            positions = ema["latent_pos_embed.pos_embed"][tensors["query.latent_pos_ids"]]
            rows = tensors["query.vae_token_indexes"]
            for step, t in enumerate(tensors["gen.timesteps"]):
                embeds = vae2llm(tensors["gen.x_t"][step]) + embedder(t) + positions
                torch.testing.assert_close(embeds, tensors["gen.query_embeds"][step][rows], atol=1e-4, rtol=1e-4)
