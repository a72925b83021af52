"""Colour names <-> pixels for the sketchbook: recolouring sprites and naming colours.

Each of GenEval's ten colour names has a *ramp* from a dark to a light shade. Recolouring
maps every sprite pixel's luminance onto the ramp, so shading survives and the result
reads unmistakably as the colour; naming a region's colour classifies each pixel to the
nearest ramp and takes the majority. The two are built on the same ramps, so a colour
the renderer applies is the colour the detector reads back.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

# Order matches GenEval's colour classifier.
COLOR_NAMES: tuple[str, ...] = (
    "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white",
)

# (dark shade, light shade) per colour, RGB.
COLOR_RAMPS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "red": ((150, 18, 22), (238, 64, 56)),
    "orange": ((205, 92, 8), (255, 168, 60)),
    "yellow": ((205, 172, 0), (255, 238, 90)),
    "green": ((18, 112, 32), (96, 200, 80)),
    "blue": ((20, 48, 160), (92, 148, 245)),
    "purple": ((86, 28, 140), (172, 100, 222)),
    "pink": ((222, 96, 150), (255, 178, 212)),
    "brown": ((84, 46, 18), (156, 98, 52)),
    "black": ((12, 12, 14), (72, 72, 76)),
    "white": ((206, 206, 210), (255, 255, 255)),
}

# Synonyms a prompt may use for the ten names.
COLOR_SYNONYMS: dict[str, str] = {
    "grey": "black", "gray": "black", "silver": "white", "gold": "yellow", "golden": "yellow",
    "violet": "purple", "magenta": "pink", "crimson": "red", "navy": "blue", "beige": "white",
    "tan": "brown", "cyan": "blue", "turquoise": "blue", "lime": "green",
}

_SAMPLES_PER_RAMP = 9


def canonical_color(name: str | None) -> str | None:
    """One of COLOR_NAMES for a colour word, or None if the word is not a known colour."""
    if not name:
        return None
    word = name.strip().lower()
    if word in COLOR_RAMPS:
        return word
    return COLOR_SYNONYMS.get(word)


def _ramp_samples() -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, 1.0, _SAMPLES_PER_RAMP)[:, None]
    samples, owners = [], []
    for idx, name in enumerate(COLOR_NAMES):
        dark, light = (np.asarray(c, dtype=np.float32) for c in COLOR_RAMPS[name])
        samples.append(dark[None, :] * (1 - t) + light[None, :] * t)
        owners.extend([idx] * _SAMPLES_PER_RAMP)
    return np.concatenate(samples).astype(np.float32), np.asarray(owners)


_SAMPLES, _OWNERS = _ramp_samples()


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of an (..., 3) array, same scale as the input."""
    rgb = rgb.astype(np.float32)
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def recolor(rgba: np.ndarray, color: str) -> np.ndarray:
    """A copy of an RGBA uint8 sprite whose opaque pixels follow `color`'s ramp by luminance.

    Luminance is stretched over the sprite's own range first so a dark sprite turned
    "white" (or a pale one turned "black") still shows its shading.
    """
    name = canonical_color(color)
    if name is None:
        raise ValueError(f"unknown colour {color!r}; expected one of {', '.join(COLOR_NAMES)}")
    out = rgba.copy()
    visible = rgba[..., 3] > 24
    if not visible.any():
        return out
    lum = luminance(rgba[..., :3])
    lo, hi = np.percentile(lum[visible], [2, 98])
    t = np.clip((lum - lo) / max(hi - lo, 1.0), 0.0, 1.0)[..., None]
    dark, light = (np.asarray(c, dtype=np.float32) for c in COLOR_RAMPS[name])
    shaded = dark * (1 - t) + light * t
    out[..., :3] = np.where(visible[..., None], np.round(shaded), rgba[..., :3]).astype(np.uint8)
    return out


_LUT_BITS = 5  # RGB quantised to 32 levels per channel for the lookup table


@lru_cache(maxsize=1)
def _nearest_ramp_lut() -> np.ndarray:
    """Nearest-ramp index for every quantised RGB cell (built once, 32 KiB)."""
    levels = (np.arange(1 << _LUT_BITS, dtype=np.float32) + 0.5) * (256 >> _LUT_BITS)
    r, g, b = np.meshgrid(levels, levels, levels, indexing="ij")
    px = np.stack([r.ravel(), g.ravel(), b.ravel()], axis=1)
    d = (px**2).sum(1)[:, None] - 2.0 * px @ _SAMPLES.T + (_SAMPLES**2).sum(1)[None, :]
    return _OWNERS[np.argmin(d, axis=1)].astype(np.uint8)


def classify_pixels(rgb: np.ndarray) -> np.ndarray:
    """Index into COLOR_NAMES of the nearest ramp for each pixel of an (N, 3) uint8 array."""
    q = rgb.reshape(-1, 3).astype(np.uint32) >> (8 - _LUT_BITS)
    return _nearest_ramp_lut()[(q[:, 0] << (2 * _LUT_BITS)) | (q[:, 1] << _LUT_BITS) | q[:, 2]]


def dominant_color(rgb: np.ndarray) -> str | None:
    """The most common colour name among the pixels of an (N, 3) array, or None if empty."""
    if rgb.size == 0:
        return None
    counts = np.bincount(classify_pixels(rgb), minlength=len(COLOR_NAMES))
    return COLOR_NAMES[int(np.argmax(counts))]
