"""FLUX VAE and latent packing against the BAGEL golden fixtures (float32, CPU).

Float results are compared with the fixture README's tolerances (atol/rtol 1e-4 per step), never
bit for bit: another torch release may round `exp` or a random draw's last bit differently.
Pure layout operations (splitting, patchifying, position ids) move recorded values around
without arithmetic and are compared exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from stagestudio.backends.bagel.latents import (
    LatentLayout,
    flattened_position_ids,
    latent_position_ids,
    patchify,
    token_grid,
    unpatchify,
)
from stagestudio.backends.bagel.sampler import initial_noise
from stagestudio.backends.bagel.vae import (
    REAL_FLUX_VAE_PARAMS,
    FluxVAE,
    FluxVAEParams,
    build_autoencoder,
    convert_original_state_dict,
    diffusers_config,
    load_base_config,
    original_to_diffusers_key,
)


# The fixture README's per-step tolerance (section 4).
STEP_TOL = 1e-4


@pytest.fixture(scope="module")
def fixtures(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "bagel"


@pytest.fixture(scope="module")
def params(fixtures: Path) -> FluxVAEParams:
    return FluxVAEParams.from_json(fixtures / "ae_params.json")


@pytest.fixture(scope="module")
def bagel_config(fixtures: Path) -> dict:
    return json.loads((fixtures / "bagel_config.json").read_text())["bagel_config"]


@pytest.fixture(scope="module")
def vae(fixtures: Path, params: FluxVAEParams) -> FluxVAE:
    return FluxVAE.from_file(fixtures / "ae.safetensors", params, device="cpu", dtype=torch.float32)


@pytest.fixture(scope="module")
def cases(fixtures: Path) -> list[dict]:
    return json.loads((fixtures / "cases.json").read_text())["cases"]


@pytest.fixture(scope="module")
def generation_cases(fixtures: Path, cases: list[dict]) -> list[tuple[str, dict[str, torch.Tensor]]]:
    found = [(c["name"], load_file(str(fixtures / c["file"]))) for c in cases if "effective_gen_image_args" in c]
    assert found, "cases.json holds no image-generation case"
    return found


def _latent_geometry(bagel_config: dict) -> tuple[int, int, int]:
    """(patch size, pixels per latent token, max latent grid side) from the config."""
    patch = bagel_config["latent_patch_size"]
    return patch, bagel_config["vae_config"]["downsample"] * patch, bagel_config["max_latent_size"]


# --- configuration and key conversion ---------------------------------------------------


def test_real_params_reproduce_shipped_config() -> None:
    shipped = {k: v for k, v in load_base_config().items() if not k.startswith("_")}
    assert diffusers_config(REAL_FLUX_VAE_PARAMS) == shipped


def test_params_validation(params: FluxVAEParams) -> None:
    with pytest.raises(ValueError, match="unknown FLUX VAE parameter"):
        FluxVAEParams.from_dict({**params.to_dict(), "bogus": 1})
    with pytest.raises(ValueError, match="downsample"):
        FluxVAEParams.from_dict({**params.to_dict(), "downsample": 4})


def test_key_mapping_examples() -> None:
    levels = 4
    assert original_to_diffusers_key("encoder.down.0.block.1.norm1.weight", levels) == (
        "encoder.down_blocks.0.resnets.1.norm1.weight"
    )
    assert original_to_diffusers_key("encoder.down.2.block.0.nin_shortcut.bias", levels) == (
        "encoder.down_blocks.2.resnets.0.conv_shortcut.bias"
    )
    assert original_to_diffusers_key("decoder.up.0.block.2.conv2.weight", levels) == (
        "decoder.up_blocks.3.resnets.2.conv2.weight"
    )
    assert original_to_diffusers_key("decoder.up.3.upsample.conv.weight", levels) == (
        "decoder.up_blocks.0.upsamplers.0.conv.weight"
    )
    assert original_to_diffusers_key("decoder.mid.attn_1.proj_out.bias", levels) == (
        "decoder.mid_block.attentions.0.to_out.0.bias"
    )
    assert original_to_diffusers_key("encoder.norm_out.weight", levels) == "encoder.conv_norm_out.weight"
    with pytest.raises(KeyError):
        original_to_diffusers_key("encoder.down.0.attn.0.q.weight", levels)


def test_fixture_checkpoint_converts_strictly(fixtures: Path, params: FluxVAEParams) -> None:
    original = load_file(str(fixtures / "ae.safetensors"))
    converted = convert_original_state_dict(original, params)
    model = build_autoencoder(params, device="meta")
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert {k: tuple(v.shape) for k, v in converted.items()} == expected


def test_incomplete_checkpoint_is_rejected(tmp_path: Path, fixtures: Path, params: FluxVAEParams) -> None:
    original = load_file(str(fixtures / "ae.safetensors"))
    original.pop("decoder.conv_out.bias")
    broken = tmp_path / "ae.safetensors"
    save_file(original, str(broken))
    with pytest.raises(ValueError, match="missing"):
        FluxVAE.from_file(broken, params)
    with pytest.raises(ValueError, match="wrong shape"):
        FluxVAE.from_file(fixtures / "ae.safetensors", REAL_FLUX_VAE_PARAMS)


def test_real_vae_config_builds_on_meta(fixtures: Path) -> None:
    manifest = json.loads((fixtures / "bagel_7b_mot_manifest.json").read_text())
    params = FluxVAEParams.from_dict(manifest["ae_params"])
    assert params == REAL_FLUX_VAE_PARAMS
    entries = manifest["ae"]["tensors"]
    assert len(entries) == manifest["ae"]["num_tensors"]
    model = build_autoencoder(params, device="meta")
    state = model.state_dict()
    assert len(state) == len(entries)
    assert sum(v.numel() for v in state.values()) == manifest["ae"]["total_params"]
    mapped = set()
    for entry in entries:
        key = original_to_diffusers_key(entry["name"], params.num_levels)
        shape = list(state[key].shape)
        if ".attentions.0.to_" in key and key.endswith(".weight"):
            shape = shape + [1, 1]  # the checkpoint stores 1×1 convs
        assert shape == entry["shape"], entry["name"]
        mapped.add(key)
    assert mapped == set(state)


# --- numerics ---------------------------------------------------------------------------


@pytest.mark.slow
def test_f_vae_encode_sample_decode(fixtures: Path, vae: FluxVAE) -> None:
    case = load_file(str(fixtures / "cases" / "f_vae.safetensors"))
    moments = vae.encode(case["pixels"])
    assert moments.shape == case["moments"].shape
    torch.testing.assert_close(moments, case["moments"], atol=1e-4, rtol=1e-4)
    mean, logvar = vae.split_moments(case["moments"])
    assert torch.equal(mean, case["mean"]) and torch.equal(logvar, case["logvar"])  # a split: exact
    # Same recorded moments and eps -> the same z (up to float rounding).
    torch.testing.assert_close(vae.sample_latent(case["moments"], case["sample_eps"]), case["z_sample"],
                               atol=STEP_TOL, rtol=STEP_TOL)
    torch.testing.assert_close(vae.mode_latent(case["moments"]), case["z_mode"], atol=STEP_TOL, rtol=STEP_TOL)
    torch.testing.assert_close(vae.sample_latent(moments, case["sample_eps"]), case["z_sample"], atol=1e-4, rtol=1e-4)
    decoded = vae.decode(case["decode_in"])
    torch.testing.assert_close(decoded, case["decode_out"], atol=1e-4, rtol=1e-4)
    got = vae.to_uint8(decoded).int()
    want = vae.to_uint8(case["decode_out"]).int()
    assert (got - want).abs().max() <= 1


@pytest.mark.slow
def test_context_images_encode_to_recorded_latents(
    vae: FluxVAE, generation_cases, cases: list[dict], fixtures: Path, bagel_config: dict
) -> None:
    patch, per_token, max_side = _latent_geometry(bagel_config)
    checked = 0
    for case in cases:
        tensors = load_file(str(fixtures / case["file"]))
        for n in range(len(case.get("images", []))):
            if f"image{n}.vae.pixels" not in tensors:
                continue
            pixels = tensors[f"image{n}.vae.pixels"]
            moments = vae.encode(pixels)
            torch.testing.assert_close(moments, tensors[f"image{n}.vae.moments"], atol=1e-4, rtol=1e-4)
            z = vae.sample_latent(tensors[f"image{n}.vae.moments"], tensors[f"image{n}.vae.eps"])
            torch.testing.assert_close(z, tensors[f"image{n}.vae.z"], atol=STEP_TOL, rtol=STEP_TOL)
            rows, cols = token_grid(pixels.shape[-2], pixels.shape[-1], per_token)
            # Patchifying the recorded z is pure layout: exact.
            tokens = patchify(tensors[f"image{n}.vae.z"], patch, rows, cols)
            assert torch.equal(tokens, tensors[f"image{n}.vae.latent_tokens"]), (case["name"], n)
            ids = latent_position_ids(pixels.shape[-2], pixels.shape[-1], per_token, max_side)
            assert torch.equal(ids, tensors[f"image{n}.vae.latent_pos_ids"])
            checked += 1
    assert checked


@pytest.mark.slow
def test_generated_latents_decode_to_recorded_images(
    vae: FluxVAE, generation_cases, bagel_config: dict, params: FluxVAEParams
) -> None:
    patch, _, _ = _latent_geometry(bagel_config)
    for name, tensors in generation_cases:
        latent = tensors["gen.latent"]
        rows, cols = latent.shape[-2] // patch, latent.shape[-1] // patch
        unpacked = unpatchify(tensors["gen.final_latent_tokens"], rows, cols, patch, params.z_channels)
        assert torch.equal(unpacked, latent), name
        assert torch.equal(patchify(latent, patch), tensors["gen.final_latent_tokens"]), name
        decoded = vae.decode(latent)
        torch.testing.assert_close(decoded, tensors["gen.decoded"], atol=1e-3, rtol=1e-3)
        image = vae.to_uint8(decoded)[0]
        assert image.shape == tensors["gen.image_uint8"].shape
        assert (image.int() - tensors["gen.image_uint8"].int()).abs().max() <= 1, name


def test_seeded_draws_follow_reference_order(
    vae: FluxVAE, cases: list[dict], fixtures: Path, bagel_config: dict, params: FluxVAEParams
) -> None:
    """One CPU generator seeded like the case: each context image's eps, then the noise."""
    layout = LatentLayout(
        bagel_config["vae_config"]["downsample"], bagel_config["latent_patch_size"],
        params.z_channels, bagel_config["max_latent_size"],
    )
    checked = 0
    for case in cases:
        if "effective_gen_image_args" not in case:
            continue
        tensors = load_file(str(fixtures / case["file"]))
        generator = torch.Generator().manual_seed(case["seed"])
        for n in range(len(case.get("images", []))):
            if f"image{n}.vae.moments" in tensors:
                z = vae.sample_latent(tensors[f"image{n}.vae.moments"], generator=generator)
                torch.testing.assert_close(z, tensors[f"image{n}.vae.z"], atol=STEP_TOL, rtol=STEP_TOL,
                                           msg=f"{case['name']} image {n}")
        height, width = case["image_shape_hw"]
        noise = initial_noise(layout.num_tokens(height, width), layout.token_dim, generator)
        torch.testing.assert_close(noise, tensors["gen.init_noise"], atol=STEP_TOL, rtol=STEP_TOL, msg=case["name"])
        assert torch.equal(layout.position_ids(height, width), tensors["query.latent_pos_ids"])
        assert torch.equal(layout.to_latent(tensors["gen.final_latent_tokens"], height, width), tensors["gen.latent"])
        checked += 1
    assert checked


# --- latent packing (pure torch) ----------------------------------------------------------


def test_patchify_layout_is_p_q_c_with_channel_fastest() -> None:
    channels, rows, cols, p = 3, 2, 3, 2
    z = torch.arange(channels * rows * p * cols * p, dtype=torch.float32).reshape(1, channels, rows * p, cols * p)
    tokens = patchify(z, p)
    assert tokens.shape == (rows * cols, p * p * channels)
    for r in range(rows):
        for c in range(cols):
            token = tokens[r * cols + c].reshape(p, p, channels)
            for i in range(p):
                for j in range(p):
                    assert torch.equal(token[i, j], z[0, :, r * p + i, c * p + j])
    assert torch.equal(unpatchify(tokens, rows, cols, p, channels), z)


def test_patchify_crops_to_the_token_grid() -> None:
    z = torch.randn(1, 4, 7, 9)
    tokens = patchify(z, 2, rows=3, cols=4)
    assert torch.equal(unpatchify(tokens, 3, 4, 2, 4), z[:, :, :6, :8])
    with pytest.raises(ValueError):
        patchify(z, 2, rows=4, cols=4)


def test_position_ids_and_grid_limits() -> None:
    assert flattened_position_ids(2, 3, 64).tolist() == [0, 1, 2, 64, 65, 66]
    with pytest.raises(ValueError, match="exceeds"):
        flattened_position_ids(65, 3, 64)
    assert token_grid(64, 96, 16) == (4, 6)
    with pytest.raises(ValueError):
        token_grid(8, 96, 16)


def test_to_uint8_truncates() -> None:
    decoded = torch.tensor([-2.0, -1.0, 0.0, 0.999, 1.0, 3.0]).reshape(1, 3, 1, 2)
    pixels = FluxVAE.to_uint8(decoded)
    assert pixels.dtype == torch.uint8 and pixels.shape == (1, 1, 2, 3)
    # 0 -> 127.5 truncates to 127; 0.999 -> 254.87 truncates to 254.
    assert sorted(pixels.flatten().tolist()) == [0, 0, 127, 254, 255, 255]
