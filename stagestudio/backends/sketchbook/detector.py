"""A detector that finds sketchbook stickers from pixels alone.

It never sees the renderer's state: it regenerates the known background, takes every
pixel that differs from it as foreground, splits the foreground into blobs (each sticker
is one blob: the renderer's white outline joins its parts and its background halo
separates it from neighbours), and recognises each blob by template matching against the
sketchbook's own sprites for the requested labels (natural colours and recoloured to the
blob's dominant colour), comparing a
small silhouette and a small shading pattern. The dominant colour is read from the blob's
pixels inside the outline.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image
from scipy import ndimage

from stagestudio.backends.sketchbook.colors import dominant_color, luminance
from stagestudio.backends.sketchbook.render import background
from stagestudio.backends.sketchbook.sprites import outline_fraction, sticker
from stagestudio.inspector.detection import Detection, Detector

FEATURE = 24  # side of the silhouette / shading feature maps
TEMPLATE_SIDE = 72  # px, longer side at which templates are rendered before feature extraction
_EIGHT = np.ones((3, 3), dtype=bool)


def _resize(a: np.ndarray, shape: tuple[int, int] = (FEATURE, FEATURE)) -> np.ndarray:
    return np.asarray(Image.fromarray(a.astype(np.float32), mode="F").resize(shape[::-1], Image.BILINEAR))


def _features(rgb: np.ndarray, mask: np.ndarray, outline_px: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(silhouette, z-scored shading, shading weight, aspect) of one blob crop."""
    filled = ndimage.binary_fill_holes(mask)
    # Shading inside the outline only: the outline is white whatever colour the object is.
    inner = ndimage.binary_erosion(mask, iterations=max(1, int(round(outline_px)) + 1))
    if inner.sum() < 12:
        inner = mask
    lum = luminance(rgb)
    vals = lum[inner]
    z = np.where(inner, (lum - vals.mean()) / (vals.std() + 4.0), 0.0)
    sil = _resize(filled.astype(np.float32))
    weight = _resize(inner.astype(np.float32))
    shade = _resize(z) / np.maximum(weight, 1e-3)
    h, w = mask.shape
    return sil, shade, weight, w / h


@lru_cache(maxsize=4096)
def _template(label: str, color: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    st = sticker(label, color)
    h, w = st.rgba.shape[:2]
    scale = TEMPLATE_SIDE / max(h, w)
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    img = np.asarray(Image.fromarray(st.rgba).resize(size, Image.LANCZOS)).astype(np.float32)
    mask = img[..., 3] > 96
    out = _features(img[..., :3], mask, outline_fraction(label) * TEMPLATE_SIDE)
    for a in out[:3]:
        a.setflags(write=False)
    return out


def similarity(a: tuple, b: tuple) -> float:
    """Silhouette overlap and shading correlation of two feature tuples, in [0, 1]."""
    sil_a, shade_a, w_a, ar_a = a
    sil_b, shade_b, w_b, ar_b = b
    overlap = float(np.minimum(sil_a, sil_b).sum() / max(np.maximum(sil_a, sil_b).sum(), 1e-6))
    w = np.minimum(w_a, w_b)
    if w.sum() < 4:
        corr = 0.0
    else:
        xa = shade_a - (shade_a * w).sum() / w.sum()
        xb = shade_b - (shade_b * w).sum() / w.sum()
        cov = (w * xa * xb).sum()
        corr = float(cov / np.sqrt((w * xa * xa).sum() * (w * xb * xb).sum() + 1e-9))
    aspect_penalty = float(np.exp(-2.0 * abs(np.log(ar_a / ar_b))))
    return (0.5 * overlap + 0.5 * max(corr, 0.0)) * aspect_penalty


class SketchbookDetector(Detector):
    """Finds sketchbook stickers of the requested labels in an image, from its pixels."""

    name = "sketchbook-pixels"

    def __init__(self, min_score: float = 0.5, diff_threshold: int = 30, min_area: int = 150) -> None:
        self.min_score = min_score
        self.diff_threshold = diff_threshold
        self.min_area = min_area

    def foreground(self, image: Image.Image) -> np.ndarray:
        """Pixels that differ from the sketchbook background."""
        arr = np.asarray(image.convert("RGB")).astype(np.int16)
        bg = background(arr.shape[1], arr.shape[0]).astype(np.int16)
        return np.abs(arr - bg).sum(axis=2) > self.diff_threshold

    def detect(self, image: Image.Image, labels: list[str]) -> list[Detection]:
        labels = list(dict.fromkeys(label.strip().lower() for label in labels if label.strip()))
        if not labels:
            return []
        rgb = np.asarray(image.convert("RGB"))
        fg = self.foreground(image)
        lab, n = ndimage.label(fg, structure=_EIGHT)
        if n == 0:
            return []
        areas = np.bincount(lab.ravel())
        detections: list[Detection] = []
        for k, sl in enumerate(ndimage.find_objects(lab), start=1):
            if sl is None or areas[k] < self.min_area:
                continue
            ys, xs = sl
            h, w = ys.stop - ys.start, xs.stop - xs.start
            if min(h, w) < 8:
                continue
            mask = lab[sl] == k
            crop = rgb[sl]
            # Match against the natural sprite and the variant in the blob's own colour
            # (not all ten): recolouring is the only way a sticker's pixels change.
            guess = ndimage.binary_erosion(mask, iterations=max(2, round(0.04 * max(h, w))))
            variants = (None, dominant_color(crop[guess] if guess.sum() >= 12 else crop[mask]))
            best_label, best_score = None, 0.0
            feats_cache: dict[float, tuple] = {}
            for label in labels:
                outline_px = outline_fraction(label) * max(h, w)
                key = round(outline_px, 1)
                if key not in feats_cache:
                    feats_cache[key] = _features(crop, mask, outline_px)
                feats = feats_cache[key]
                score = max(similarity(feats, _template(label, c)) for c in variants)
                if score > best_score:
                    best_label, best_score = label, score
            if best_label is None or best_score < self.min_score:
                continue
            erode = max(1, int(round(outline_fraction(best_label) * max(h, w))) + 1)
            inner = ndimage.binary_erosion(mask, iterations=erode)
            pixels = crop[inner] if inner.sum() >= 12 else crop[mask]
            detections.append(
                Detection(
                    label=best_label,
                    box=(float(xs.start), float(ys.start), float(xs.stop), float(ys.stop)),
                    score=round(best_score, 4),
                    color=dominant_color(pixels),
                )
            )
        detections.sort(key=lambda d: -d.score)
        return detections
