"""Sprite lookup for the sketchbook: a noun -> an RGBA "sticker" picture of it.

Sprites come from assets/sprites (see tools/make_sprites.py). Each is drawn as a die-cut
sticker: the picture plus a white outline whose radius the manifest records; the outline
makes every instance one connected blob, which the pixel detector relies on. Nouns with no
sprite get a generic but distinct card (shape and colour from a hash of the noun) with the
noun written on it. The renderer and the detector use the same functions, so the
detector's templates are exactly what the renderer draws.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from stagestudio.backends.sketchbook.colors import canonical_color, recolor

ASSETS_DIR = Path(__file__).resolve().parents[3] / "assets" / "sprites"
OUTLINE_RGB = (255, 255, 255)
GENERIC_SIZE = 112
DEFAULT_OUTLINE = 3

# Other words for nouns that have a sprite (the parser usually canonicalises already).
ALIASES: dict[str, str] = {
    "television": "tv", "tv set": "tv", "phone": "cell phone", "mobile phone": "cell phone",
    "smartphone": "cell phone", "cellphone": "cell phone", "sofa": "couch", "motorbike": "motorcycle",
    "plane": "airplane", "aeroplane": "airplane", "jet": "airplane", "bike": "bicycle",
    "ball": "sports ball", "soccer ball": "sports ball", "plant": "potted plant",
    "houseplant": "potted plant", "table": "dining table", "remote": "tv remote",
    "remote control": "tv remote", "keyboard": "computer keyboard", "hair dryer": "hair drier",
    "hairdryer": "hair drier", "hotdog": "hot dog", "doughnut": "donut", "teddy": "teddy bear",
    "fridge": "refrigerator", "man": "person", "woman": "person", "boy": "person", "girl": "person",
    "child": "person", "kid": "person", "people": "person", "puppy": "dog", "kitten": "cat",
    "automobile": "car", "ski": "skis", "glass": "wine glass", "racket": "tennis racket",
    "bag": "handbag", "purse": "handbag", "lorry": "truck",
    "computer": "laptop", "notebook": "book", "alarm clock": "clock", "lamp post": "lamp",
    "bunny": "rabbit", "kitty": "cat", "pup": "dog", "blossom": "flower", "present": "gift",
    "hill": "mountain", "cookie jar": "vase", "stone": "rock",
}


@dataclass(frozen=True)
class Sticker:
    """A ready-to-paste sprite: RGBA pixels cropped to the sticker (picture + outline)."""

    name: str  # the sprite's own name (canonical), or the noun for a generic card
    rgba: np.ndarray  # (h, w, 4) uint8
    generic: bool

    @property
    def aspect(self) -> float:
        """Width / height."""
        return self.rgba.shape[1] / self.rgba.shape[0]


@lru_cache(maxsize=1)
def manifest() -> dict[str, dict]:
    path = ASSETS_DIR / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"sprite manifest missing at {path}; run: python tools/make_sprites.py")
    return json.loads(path.read_text(encoding="utf-8"))


def known_names() -> list[str]:
    return sorted(manifest())


_IRREGULAR = {
    "mice": "mouse", "geese": "goose", "people": "person", "men": "man", "women": "woman",
    "children": "child", "teeth": "tooth", "feet": "foot", "knives": "knife", "leaves": "leaf",
    "wolves": "wolf", "loaves": "bread", "dice": "dice", "oxen": "cow",
}


def _singular_forms(word: str) -> list[str]:
    """Candidate singulars of an English noun; only ones naming a sprite are used, so
    over-generating is harmless (and avoids importing inflect, which is slow to load)."""
    forms = [_IRREGULAR.get(word, "")]
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("ves"):
        forms += [word[:-3] + "f", word[:-3] + "fe"]
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    return [f for f in forms if f]


@lru_cache(maxsize=4096)
def resolve_name(noun: str) -> str | None:
    """The sprite name drawn for `noun`, or None when only a generic card fits."""
    word = " ".join(noun.strip().lower().split())
    sprites = manifest()
    words = word.split()
    head = words[-1] if len(words) > 1 else ""  # "sports car" -> car, "wooden chair" -> chair
    stems = [word, *_singular_forms(word)]
    if head:
        stems += [head, *_singular_forms(head)]
    for stem in stems:
        for c in (stem, ALIASES.get(stem)):
            if c and c in sprites:
                return c
    return None


def _outlined(body: np.ndarray, radius: int) -> np.ndarray:
    """Body RGBA on a white sticker outline of `radius` px, cropped to the sticker."""
    pad = radius + 2
    body = np.pad(body, ((pad, pad), (pad, pad), (0, 0)))
    solid = body[..., 3] > 24
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    disk = (xx**2 + yy**2) <= radius * radius + radius  # a round brush, not a square one
    sticker = ndimage.binary_dilation(solid, structure=disk)
    sticker = ndimage.binary_fill_holes(sticker)
    out = np.zeros_like(body)
    out[sticker] = (*OUTLINE_RGB, 255)
    a = body[..., 3:4].astype(np.float32) / 255.0
    out[..., :3] = np.round(body[..., :3] * a + out[..., :3] * (1 - a)).astype(np.uint8)
    ys, xs = np.nonzero(sticker)
    return out[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].copy()


@lru_cache(maxsize=1)
def _caption_font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=15)
    except TypeError:  # Pillow built without FreeType
        return ImageFont.load_default()


def generic_body(noun: str) -> np.ndarray:
    """A distinct picture for a noun without a sprite: a coloured shape with its initial
    and the noun as a caption. Deterministic in the noun (md5, not Python's salted hash)."""
    digest = hashlib.md5(noun.encode("utf-8")).digest()
    hue = digest[0] / 255.0
    shape = digest[1] % 4
    import colorsys

    fill = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.55, 0.92))
    edge = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.8, 0.45))
    s = GENERIC_SIZE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    box = [6, 4, s - 6, s - 30]
    if shape == 0:
        d.rounded_rectangle(box, radius=16, fill=fill, outline=edge, width=4)
    elif shape == 1:
        d.ellipse(box, fill=fill, outline=edge, width=4)
    elif shape == 2:
        cx, cy = s / 2, (box[1] + box[3]) / 2
        d.polygon([(cx, box[1]), (box[2], cy), (cx, box[3]), (box[0], cy)], fill=fill, outline=edge, width=4)
    else:
        cx, cy, r = s / 2, (box[1] + box[3]) / 2, (box[3] - box[1]) / 2
        pts = [(cx + r * np.cos(np.pi / 6 + k * np.pi / 3), cy + r * np.sin(np.pi / 6 + k * np.pi / 3)) for k in range(6)]
        d.polygon(pts, fill=fill, outline=edge, width=4)
    big = ImageFont.load_default(size=44) if hasattr(ImageFont, "FreeTypeFont") else _caption_font()
    initial = noun.strip()[:1].upper() or "?"
    d.text((s / 2, (box[1] + box[3]) / 2), initial, font=big, fill=edge, anchor="mm")
    # Caption plate joined to the shape so the sticker stays one blob.
    d.rounded_rectangle([4, s - 30, s - 4, s - 4], radius=6, fill=(250, 250, 246), outline=edge, width=2)
    caption = noun if len(noun) <= 13 else noun[:12] + "…"
    d.text((s / 2, s - 17), caption, font=_caption_font(), fill=(30, 30, 30), anchor="mm")
    return np.asarray(img).copy()


@lru_cache(maxsize=1024)
def sticker(noun: str, color: str | None = None) -> Sticker:
    """The sticker drawn for `noun`, recoloured to `color` (one of the ten names) if given."""
    name = resolve_name(noun)
    if name is not None:
        entry = manifest()[name]
        body = np.asarray(Image.open(ASSETS_DIR / entry["file"]).convert("RGBA")).copy()
        radius = int(entry.get("outline", DEFAULT_OUTLINE))
        generic = False
    else:
        name = " ".join(noun.strip().lower().split())
        body = generic_body(name)
        radius = DEFAULT_OUTLINE
        generic = True
    canon = canonical_color(color)
    if canon is not None:
        body = recolor(body, canon)
    rgba = _outlined(body, radius)
    rgba.setflags(write=False)
    return Sticker(name=name, rgba=rgba, generic=generic)


def outline_fraction(noun: str) -> float:
    """Outline width as a fraction of the sticker's longer side (for eroding it away)."""
    name = resolve_name(noun)
    radius = int(manifest()[name].get("outline", DEFAULT_OUTLINE)) if name else DEFAULT_OUTLINE
    st = sticker(noun)
    return radius / max(st.rgba.shape[:2])
