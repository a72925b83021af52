"""Drawing: the background scene and stickers pasted onto it.

The background is a pure function of the canvas size (the pixel detector regenerates it
to find what was drawn). Every sticker is pasted with a thin ring of *background* around
it, so an object drawn on or inside another still stands out as its own blob, the way a
die-cut sticker shows a gap around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image
from scipy import ndimage

from stagestudio.backends.sketchbook.sprites import sticker

HALO_PX = 2
HORIZON = 0.56  # of the height

SKY_TOP = np.array([112, 170, 228], dtype=np.float32)
SKY_HORIZON = np.array([206, 228, 246], dtype=np.float32)
GROUND_NEAR = np.array([112, 168, 92], dtype=np.float32)
GROUND_FAR = np.array([170, 206, 140], dtype=np.float32)


@lru_cache(maxsize=8)
def _background(width: int, height: int) -> np.ndarray:
    y = np.arange(height, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    # A gentle hill line instead of a flat horizon.
    horizon = height * (HORIZON + 0.03 * np.sin(2 * np.pi * x / width + 0.6))
    t_sky = np.clip(y / np.maximum(horizon, 1), 0, 1)[..., None]
    sky = SKY_TOP * (1 - t_sky) + SKY_HORIZON * t_sky
    t_ground = np.clip((y - horizon) / np.maximum(height - horizon, 1), 0, 1)[..., None]
    ground = GROUND_FAR * (1 - t_ground) + GROUND_NEAR * t_ground
    img = np.where((y >= horizon)[..., None], ground, sky)
    out = np.round(img).astype(np.uint8)
    out.setflags(write=False)
    return out


def background(width: int, height: int | None = None) -> np.ndarray:
    """The (h, w, 3) uint8 backdrop: sky gradient over a green hill. Read-only, cached."""
    return _background(int(width), int(height if height is not None else width))


@dataclass(frozen=True)
class Stamp:
    """One sticker to draw: what, which colour, where (pixel box, x2/y2 exclusive)."""

    name: str
    color: str | None
    box: tuple[int, int, int, int]


@lru_cache(maxsize=256)
def _scaled(name: str, color: str | None, w: int, h: int) -> np.ndarray:
    """The sticker resized to w x h, RGBA uint8 (kept small: this cache is hit per stamp)."""
    st = sticker(name, color)
    out = np.asarray(Image.fromarray(st.rgba).resize((w, h), Image.LANCZOS))
    out.setflags(write=False)
    return out


@lru_cache(maxsize=256)
def _halo(name: str, color: str | None, w: int, h: int) -> np.ndarray:
    """Sticker footprint grown by HALO_PX, on a canvas padded by HALO_PX."""
    solid = np.pad(_scaled(name, color, w, h)[..., 3] > 5, HALO_PX)
    return ndimage.binary_dilation(solid, iterations=HALO_PX)


def stamp_box(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    return x1, y1, max(x2, x1 + 4), max(y2, y1 + 4)


def draw(canvas: Image.Image | None, stamps: list[Stamp], size: int = 512) -> Image.Image:
    """Paste `stamps` in order onto `canvas` (or onto a fresh background of `size`)."""
    if canvas is None:
        base = background(size).astype(np.float32)
    else:
        base = np.asarray(canvas.convert("RGB")).astype(np.float32)
    height, width = base.shape[:2]
    bg = background(width, height)
    for s in stamps:
        x1, y1, x2, y2 = s.box
        w, h = x2 - x1, y2 - y1
        rgba = _scaled(s.name, s.color, w, h)
        rgb, alpha = rgba[..., :3].astype(np.float32), rgba[..., 3].astype(np.float32) / 255.0
        halo = _halo(s.name, s.color, w, h)
        # Clip the sticker (and its halo) to the canvas.
        hx1, hy1 = x1 - HALO_PX, y1 - HALO_PX
        cx1, cy1 = max(hx1, 0), max(hy1, 0)
        cx2, cy2 = min(x2 + HALO_PX, width), min(y2 + HALO_PX, height)
        if cx1 >= cx2 or cy1 >= cy2:
            continue
        ring = halo[cy1 - hy1 : cy2 - hy1, cx1 - hx1 : cx2 - hx1]
        region = base[cy1:cy2, cx1:cx2]
        region[ring] = bg[cy1:cy2, cx1:cx2][ring]
        sx1, sy1 = max(x1, 0), max(y1, 0)
        sx2, sy2 = min(x2, width), min(y2, height)
        a = alpha[sy1 - y1 : sy2 - y1, sx1 - x1 : sx2 - x1, None]
        src = rgb[sy1 - y1 : sy2 - y1, sx1 - x1 : sx2 - x1]
        dst = base[sy1:sy2, sx1:sx2]
        base[sy1:sy2, sx1:sx2] = src * a + dst * (1 - a)
    return Image.fromarray(np.clip(np.round(base), 0, 255).astype(np.uint8), "RGB")
