"""BAGEL image transforms: the resize rule, PIL bicubic resampling, [-1,1] normalisation.

The rule (the reference's "max long edge, min short edge" resize): scale so the long side
is at most ``max_size`` and the short side at least ``min_size`` (the short-side minimum
wins over the long-side maximum at this stage), round both sides to multiples of
``stride``, shrink if over ``max_pixels``, then shrink again if the long side is still
over ``max_size`` (so the long-side limit wins in the end).

Every input image goes through the VAE rule first; the ViT rule is then applied to the
VAE-resized picture. Pure PIL/torch (no torchvision), bit-compatible with the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import torch
from PIL import Image

DEFAULT_MAX_PIXELS = 14 * 14 * 9 * 1024
"""The reference's default pixel cap (1,806,336)."""


@dataclass(frozen=True)
class ResizeRule:
    """Target-size rule of one transform (sizes in pixels)."""

    max_size: int
    min_size: int
    stride: int
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        if min(self.max_size, self.min_size, self.stride, self.max_pixels) <= 0:
            raise ValueError(f"ResizeRule values must be positive: {self}")

    def _round_to_stride(self, value: float) -> int:
        # Python's round() (half to even) is what the reference uses; never below one stride.
        return max(self.stride, int(round(value / self.stride) * self.stride))

    def _scaled(self, width: int, height: int, scale: float) -> tuple[int, int]:
        return (self._round_to_stride(round(width * scale)), self._round_to_stride(round(height * scale)))

    def target_size(self, width: int, height: int, img_num: int = 1) -> tuple[int, int]:
        """Output ``(width, height)`` for an input of ``(width, height)``."""
        if width <= 0 or height <= 0:
            raise ValueError(f"image size must be positive, got {width}x{height}")
        scale = min(self.max_size / max(width, height), 1.0)
        scale = max(scale, self.min_size / min(width, height))
        new_w, new_h = self._scaled(width, height, scale)

        pixel_budget = self.max_pixels / img_num
        if new_w * new_h > pixel_budget:
            new_w, new_h = self._scaled(new_w, new_h, pixel_budget / (new_w * new_h))

        if max(new_w, new_h) > self.max_size:
            new_w, new_h = self._scaled(new_w, new_h, self.max_size / max(new_w, new_h))
        return new_w, new_h


def bicubic_resize(image: Image.Image, width: int, height: int) -> Image.Image:
    """PIL bicubic resize, run as two explicit one-axis passes in Pillow 13's order.

    Pillow resamples in two passes with an 8-bit intermediate, so the pass order changes
    pixel values. Pillow < 13 always ran horizontal first; Pillow 13 runs the vertical pass
    first when the height shrinks by more than twice as many pixels as the width does. The
    golden fixtures were made with Pillow 13; doing the passes ourselves (each one-axis
    resize is a single pass in every Pillow version) gives the same bytes whatever Pillow
    is installed.
    """
    in_w, in_h = image.size
    if (in_w, in_h) == (width, height):
        return image.copy()
    height_drop, width_drop = in_h - height, in_w - width
    vertical_first = height_drop > 0 and height_drop > 2 * width_drop
    bicubic = Image.Resampling.BICUBIC
    if vertical_first:
        return image.resize((in_w, height), bicubic).resize((width, height), bicubic)
    return image.resize((width, in_h), bicubic).resize((width, height), bicubic)


@dataclass(frozen=True)
class ImageTransform:
    """Resize rule plus normalisation; ``__call__`` gives the model's ``[3,H,W]`` input."""

    rule: ResizeRule
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)

    @classmethod
    def from_sizes(
        cls,
        max_image_size: int,
        min_image_size: int,
        image_stride: int,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        image_mean: tuple[float, ...] = (0.5, 0.5, 0.5),
        image_std: tuple[float, ...] = (0.5, 0.5, 0.5),
    ) -> "ImageTransform":
        """Same argument names as the reference ``ImageTransform`` / ``bagel_config.json``."""
        return cls(
            ResizeRule(max_image_size, min_image_size, image_stride, max_pixels),
            tuple(float(m) for m in image_mean),  # type: ignore[arg-type]
            tuple(float(s) for s in image_std),  # type: ignore[arg-type]
        )

    @property
    def stride(self) -> int:
        return self.rule.stride

    def resize(self, image: Image.Image, img_num: int = 1) -> Image.Image:
        """Bicubic resize to the rule's size (PIL's bicubic filter is antialiased)."""
        width, height = self.rule.target_size(*image.size, img_num=img_num)
        return bicubic_resize(image, width, height)

    def to_tensor(self, image: Image.Image) -> torch.Tensor:
        """RGB PIL image -> float32 ``[3,H,W]``: ``(uint8/255 − mean)/std``."""
        if image.mode != "RGB":
            raise ValueError(f"expected an RGB image, got mode {image.mode!r} (use to_rgb first)")
        pixels = torch.from_numpy(np.array(image, dtype=np.uint8, copy=True)).permute(2, 0, 1)
        pixels = pixels.to(torch.float32).div(255)
        mean = torch.tensor(self.mean, dtype=torch.float32).view(3, 1, 1)
        std = torch.tensor(self.std, dtype=torch.float32).view(3, 1, 1)
        return pixels.sub(mean).div(std)

    def __call__(self, image: Image.Image, img_num: int = 1) -> torch.Tensor:
        return self.to_tensor(self.resize(image, img_num=img_num))


def to_rgb(image: Image.Image) -> Image.Image:
    """RGB copy of ``image``; transparent pixels are composited onto white (as the reference)."""
    if image.mode == "RGBA" or image.info.get("transparency") is not None:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.split()[3])
        return background
    return image.convert("RGB")


@dataclass(frozen=True)
class BagelTransforms:
    """The pair of transforms an inferencer needs."""

    vae: ImageTransform
    vit: ImageTransform

    def prepare_input_image(self, image: Image.Image) -> Image.Image:
        """What the inferencer does to every input picture before use: RGB, then the VAE rule."""
        return self.vae.resize(to_rgb(image))

    def vae_pixels(self, image: Image.Image) -> torch.Tensor:
        """VAE input ``[3,H,W]`` of an already prepared (VAE-resized) image."""
        return self.vae(image)

    def vit_pixels(self, image: Image.Image) -> torch.Tensor:
        """ViT input ``[3,H',W']`` of an already prepared (VAE-resized) image."""
        return self.vit(image)


REAL_VAE_TRANSFORM = ImageTransform.from_sizes(1024, 512, 16)
REAL_VIT_TRANSFORM = ImageTransform.from_sizes(980, 224, 14)
REAL_TRANSFORMS = BagelTransforms(vae=REAL_VAE_TRANSFORM, vit=REAL_VIT_TRANSFORM)


def transform_from_config(entry: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> ImageTransform:
    """Build one transform from a ``bagel_config.json`` ``transforms`` entry.

    ``defaults`` may hold ``max_pixels``, ``image_mean`` and ``image_std`` shared by all
    entries (the layout of ``bagel_config.json``).
    """
    merged: dict[str, Any] = {}
    for key in ("max_pixels", "image_mean", "image_std"):
        if defaults is not None and key in defaults:
            merged[key] = defaults[key]
    merged.update(entry)
    return ImageTransform.from_sizes(
        max_image_size=int(merged["max_image_size"]),
        min_image_size=int(merged["min_image_size"]),
        image_stride=int(merged["image_stride"]),
        max_pixels=int(merged.get("max_pixels", DEFAULT_MAX_PIXELS)),
        image_mean=tuple(merged.get("image_mean", (0.5, 0.5, 0.5))),
        image_std=tuple(merged.get("image_std", (0.5, 0.5, 0.5))),
    )


def transforms_from_config(section: Mapping[str, Any], vae_key: str, vit_key: str) -> BagelTransforms:
    """``BagelTransforms`` from the ``transforms`` section of ``bagel_config.json``,
    e.g. ``transforms_from_config(cfg["transforms"], "tiny_vae", "tiny_vit")``."""
    return BagelTransforms(
        vae=transform_from_config(section[vae_key], section),
        vit=transform_from_config(section[vit_key], section),
    )
