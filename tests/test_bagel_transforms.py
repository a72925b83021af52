"""BAGEL image transforms against the golden fixtures (resize rule, PIL bicubic, [-1,1]
normalisation, ViT patchify order and position ids)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from stagestudio.backends.bagel.latents import patchify, vit_position_ids
from stagestudio.backends.bagel.transforms import (
    REAL_TRANSFORMS,
    BagelTransforms,
    ImageTransform,
    ResizeRule,
    bicubic_resize,
    to_rgb,
    transforms_from_config,
)


@pytest.fixture(scope="module")
def fixtures(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "bagel"


@pytest.fixture(scope="module")
def transform_config(fixtures: Path) -> dict:
    return json.loads((fixtures / "bagel_config.json").read_text())


@pytest.fixture(scope="module")
def tiny(transform_config: dict) -> BagelTransforms:
    return transforms_from_config(transform_config["transforms"], "tiny_vae", "tiny_vit")


@pytest.fixture(scope="module")
def real(transform_config: dict) -> BagelTransforms:
    return transforms_from_config(transform_config["transforms"], "real_vae", "real_vit")


@pytest.fixture(scope="module")
def image_cases(fixtures: Path) -> list[tuple[str, dict[str, torch.Tensor], int]]:
    """(case name, tensors, image index) for every image in every case."""
    cases = json.loads((fixtures / "cases.json").read_text())["cases"]
    found = []
    for case in cases:
        tensors = load_file(str(fixtures / case["file"]))
        for index in range(len(case.get("images", []))):
            found.append((case["name"], tensors, index))
    assert found, "no case holds an input image"
    return found


def test_real_constants_match_config(real: BagelTransforms) -> None:
    assert real == REAL_TRANSFORMS


@pytest.mark.parametrize(
    "key, which",
    [("real_vae_rule", "real.vae"), ("real_vit_rule", "real.vit"), ("tiny_vae_rule", "tiny.vae"), ("tiny_vit_rule", "tiny.vit")],
)
def test_resize_rule_matches_reference_sizes(fixtures: Path, real, tiny, key: str, which: str) -> None:
    table = json.loads((fixtures / "transforms.json").read_text())[key]
    transform = {"real": real, "tiny": tiny}[which.split(".")[0]]
    rule = getattr(transform, which.split(".")[1]).rule
    assert table
    for entry in table:
        assert list(rule.target_size(*entry["input_wh"])) == entry["output_wh"], entry


def test_two_stage_sizes_match_inferencer(fixtures: Path, real: BagelTransforms) -> None:
    table = json.loads((fixtures / "transforms.json").read_text())["real_inferencer_two_stage"]
    for entry in table:
        after_vae = real.vae.rule.target_size(*entry["input_wh"])
        after_vit = real.vit.rule.target_size(*after_vae)
        assert list(after_vae) == entry["after_vae_rule_wh"], entry
        assert list(after_vit) == entry["after_vit_rule_wh"], entry


def test_case_images_resized_and_normalised_exactly(tiny: BagelTransforms, image_cases) -> None:
    for name, tensors, n in image_cases:
        raw = Image.fromarray(tensors[f"image{n}.raw_uint8"].numpy())
        prepared = tiny.prepare_input_image(raw)
        resized = torch.from_numpy(np.array(prepared))
        assert torch.equal(resized, tensors[f"image{n}.resized_uint8"]), (name, n)
        if f"image{n}.vae.pixels" in tensors:
            assert torch.equal(tiny.vae_pixels(prepared)[None], tensors[f"image{n}.vae.pixels"]), (name, n)
        if f"image{n}.vit.pixels" in tensors:
            assert torch.equal(tiny.vit_pixels(prepared), tensors[f"image{n}.vit.pixels"]), (name, n)


def test_vit_patch_tokens_and_position_ids(fixtures: Path, image_cases) -> None:
    vit_config = json.loads((fixtures / "vit_config.json").read_text())
    bagel = json.loads((fixtures / "bagel_config.json").read_text())["bagel_config"]
    patch = vit_config["patch_size"]
    checked = 0
    for name, tensors, n in image_cases:
        if f"image{n}.vit.pixels" not in tensors:
            continue
        pixels = tensors[f"image{n}.vit.pixels"]
        tokens = patchify(pixels, patch)
        assert tokens.shape[1] == patch * patch * 3
        assert torch.equal(tokens, tensors[f"image{n}.vit.patch_tokens"]), (name, n)
        ids = vit_position_ids(pixels.shape[1], pixels.shape[2], patch, bagel["vit_max_num_patch_per_side"])
        assert torch.equal(ids, tensors[f"image{n}.vit.vit_pos_ids"]), (name, n)
        checked += 1
    assert checked


def test_bicubic_pass_order_follows_pillow13() -> None:
    # Height shrinks by more than twice the width change: vertical pass first.
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
    out = np.array(bicubic_resize(image, 70, 42)).astype(int)
    vertical_first = np.array(
        image.resize((64, 42), Image.Resampling.BICUBIC).resize((70, 42), Image.Resampling.BICUBIC)
    ).astype(int)
    horizontal_first = np.array(
        image.resize((70, 48), Image.Resampling.BICUBIC).resize((70, 42), Image.Resampling.BICUBIC)
    ).astype(int)
    assert np.array_equal(out, vertical_first)
    assert not np.array_equal(out, horizontal_first)
    assert bicubic_resize(image, 64, 48).tobytes() == image.tobytes()


def test_normalisation_range_and_dtype() -> None:
    transform = ImageTransform(ResizeRule(64, 32, 16))
    image = Image.new("RGB", (40, 40), (0, 255, 128))
    pixels = transform(image)
    assert pixels.dtype == torch.float32 and pixels.shape == (3, 32, 32)
    assert pixels[0].eq(-1).all() and pixels[1].eq(1).all()
    assert torch.allclose(pixels[2], torch.full((32, 32), 128 / 255 * 2 - 1), atol=1e-6)


def test_to_rgb_composites_transparency_on_white() -> None:
    rgba = Image.new("RGBA", (4, 4), (10, 20, 30, 0))
    assert to_rgb(rgba).getpixel((0, 0)) == (255, 255, 255)
    assert to_rgb(Image.new("L", (4, 4), 7)).getpixel((0, 0)) == (7, 7, 7)


def test_rule_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError):
        ResizeRule(0, 32, 16)
    with pytest.raises(ValueError):
        ResizeRule(64, 32, 16).target_size(0, 10)
    with pytest.raises(ValueError):
        ImageTransform(ResizeRule(64, 32, 16)).to_tensor(Image.new("L", (32, 32)))
