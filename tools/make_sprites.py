"""Build the sketchbook backend's sprite set in assets/sprites/.

How the committed sprites were made (re-run to reproduce them byte for byte on the same
font and Pillow versions):

    apt-get install -y fonts-noto-color-emoji      # Debian's Noto Color Emoji (SIL OFL 1.1)
    python tools/make_sprites.py                    # writes assets/sprites/*.png + manifest.json + LICENSE

* Emoji sprites: Pillow draws Noto Color Emoji only at its bitmap size 109 with
  `embedded_color=True`; each glyph is drawn once, cropped to its visible pixels, scaled
  to fit SPRITE_BODY pixels and centred on a transparent SPRITE_SIZE canvas (the margin
  leaves room for the sticker outline the renderer adds).
* COCO classes with no fitting emoji (fire hydrant, bench, oven, ...) are drawn here as
  simple vector illustrations with Pillow at 4x and downsampled (anti-aliasing).
* For every sprite the script finds the smallest sticker-outline radius that makes the
  sprite one connected blob (emoji such as skis are several pieces) and records it in
  manifest.json; the renderer draws that outline and the pixel detector relies on one
  blob per instance.
* LICENSE is the OFL text from the Debian package's copyright file: the emoji sprites are
  derived from the font and stay under the OFL.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

FONT_PATH = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
FONT_COPYRIGHT = Path("/usr/share/doc/fonts-noto-color-emoji/copyright")
OUT_DIR = Path(__file__).resolve().parent.parent / "assets" / "sprites"
SPRITE_SIZE = 112
SPRITE_BODY = 98
MAX_OUTLINE = 12

# The 80 GenEval/COCO classes and extra common nouns -> emoji. Classes missing here are
# drawn by DRAWINGS below.
EMOJI: dict[str, str] = {
    # GenEval / COCO classes
    "person": "\U0001F9CD", "bicycle": "\U0001F6B2", "car": "\U0001F697", "motorcycle": "\U0001F3CD\uFE0F",
    "airplane": "\u2708\uFE0F", "bus": "\U0001F68C", "train": "\U0001F686", "truck": "\U0001F69A",
    "boat": "\u26F5", "traffic light": "\U0001F6A6", "stop sign": "\U0001F6D1", "bird": "\U0001F426",
    "cat": "\U0001F408", "dog": "\U0001F415", "horse": "\U0001F40E", "sheep": "\U0001F411",
    "cow": "\U0001F404", "elephant": "\U0001F418", "bear": "\U0001F43B", "zebra": "\U0001F993",
    "giraffe": "\U0001F992", "backpack": "\U0001F392", "umbrella": "\u2602\uFE0F", "handbag": "\U0001F45C",
    "tie": "\U0001F454", "suitcase": "\U0001F9F3", "frisbee": "\U0001F94F", "skis": "\U0001F3BF",
    "sports ball": "\u26BD", "kite": "\U0001FA81", "baseball glove": "\U0001F9E4", "skateboard": "\U0001F6F9",
    "bottle": "\U0001F37E", "wine glass": "\U0001F377", "cup": "\u2615", "knife": "\U0001F52A",
    "spoon": "\U0001F944", "bowl": "\U0001F963", "banana": "\U0001F34C", "apple": "\U0001F34E",
    "sandwich": "\U0001F96A", "orange": "\U0001F34A", "broccoli": "\U0001F966", "carrot": "\U0001F955",
    "hot dog": "\U0001F32D", "pizza": "\U0001F355", "donut": "\U0001F369", "cake": "\U0001F382",
    "chair": "\U0001FA91", "couch": "\U0001F6CB\uFE0F", "potted plant": "\U0001FAB4", "bed": "\U0001F6CF\uFE0F",
    "toilet": "\U0001F6BD", "tv": "\U0001F4FA", "laptop": "\U0001F4BB", "computer mouse": "\U0001F5B1\uFE0F",
    "computer keyboard": "\u2328\uFE0F", "cell phone": "\U0001F4F1", "book": "\U0001F4D5", "clock": "\u23F0",
    "vase": "\U0001F3FA", "scissors": "\u2702\uFE0F", "teddy bear": "\U0001F9F8", "toothbrush": "\U0001FAA5",
    # common non-COCO nouns
    "tree": "\U0001F333", "house": "\U0001F3E0", "flower": "\U0001F338", "star": "\u2B50",
    "moon": "\U0001F319", "sun": "\u2600\uFE0F", "fish": "\U0001F41F", "lamp": "\U0001FA94",
    "light bulb": "\U0001F4A1", "guitar": "\U0001F3B8", "hat": "\U0001F3A9", "mirror": "\U0001FA9E",
    "candle": "\U0001F56F\uFE0F", "key": "\U0001F511", "balloon": "\U0001F388", "gift": "\U0001F381",
    "box": "\U0001F4E6", "lion": "\U0001F981", "tiger": "\U0001F405", "monkey": "\U0001F412",
    "rabbit": "\U0001F407", "pig": "\U0001F416", "wolf": "\U0001F43A", "fox": "\U0001F98A",
    "unicorn": "\U0001F984", "whale": "\U0001F40B", "dolphin": "\U0001F42C", "crab": "\U0001F980",
    "octopus": "\U0001F419", "castle": "\U0001F3F0", "church": "\u26EA", "mountain": "\u26F0\uFE0F",
    "volcano": "\U0001F30B", "rocket": "\U0001F680", "helicopter": "\U0001F681", "tent": "\u26FA",
    "rainbow": "\U0001F308", "cloud": "\u2601\uFE0F", "snowflake": "\u2744\uFE0F", "fire": "\U0001F525",
    "grapes": "\U0001F347", "watermelon": "\U0001F349", "strawberry": "\U0001F353", "cherry": "\U0001F352",
    "peach": "\U0001F351", "pineapple": "\U0001F34D", "tomato": "\U0001F345", "avocado": "\U0001F951",
    "corn": "\U0001F33D", "potato": "\U0001F954", "cheese": "\U0001F9C0", "bread": "\U0001F35E",
    "croissant": "\U0001F950", "hamburger": "\U0001F354", "fries": "\U0001F35F", "taco": "\U0001F32E",
    "ice cream": "\U0001F366", "chocolate": "\U0001F36B", "candy": "\U0001F36C", "lollipop": "\U0001F36D",
    "pumpkin": "\U0001F383", "glasses": "\U0001F453", "shoe": "\U0001F45F", "cap": "\U0001F9E2",
    "crown": "\U0001F451", "ring": "\U0001F48D", "bell": "\U0001F514", "camera": "\U0001F4F7",
    "telephone": "\u260E\uFE0F", "flashlight": "\U0001F526", "broom": "\U0001F9F9", "basket": "\U0001F9FA",
    "drum": "\U0001F941", "trumpet": "\U0001F3BA", "violin": "\U0001F3BB", "piano": "\U0001F3B9",
    "pencil": "\u270F\uFE0F", "pen": "\U0001F58A\uFE0F", "envelope": "\u2709\uFE0F", "lantern": "\U0001F3EE",
    "compass": "\U0001F9ED", "anchor": "\u2693", "canoe": "\U0001F6F6", "tractor": "\U0001F69C",
    "ambulance": "\U0001F691", "police car": "\U0001F693", "taxi": "\U0001F695", "rooster": "\U0001F413",
    "chicken": "\U0001F414", "duck": "\U0001F986", "eagle": "\U0001F985", "swan": "\U0001F9A2",
    "parrot": "\U0001F99C", "flamingo": "\U0001F9A9", "owl": "\U0001F989", "penguin": "\U0001F427",
    "squirrel": "\U0001F43F\uFE0F", "hedgehog": "\U0001F994", "bat": "\U0001F987", "crocodile": "\U0001F40A",
    "dinosaur": "\U0001F996", "snail": "\U0001F40C", "ladybug": "\U0001F41E", "spider": "\U0001F577\uFE0F",
    "ant": "\U0001F41C", "bee": "\U0001F41D", "butterfly": "\U0001F98B", "turtle": "\U0001F422",
    "snake": "\U0001F40D", "frog": "\U0001F438", "cactus": "\U0001F335", "sunflower": "\U0001F33B",
    "rose": "\U0001F339", "tulip": "\U0001F337", "mushroom": "\U0001F344", "leaf": "\U0001F341",
    "clover": "\U0001F340", "palm tree": "\U0001F334", "pine tree": "\U0001F332", "rock": "\U0001FAA8",
    "log": "\U0001FAB5", "bucket": "\U0001FAA3", "door": "\U0001F6AA", "window": "\U0001FA9F",
    "ladder": "\U0001FA9C", "teapot": "\U0001FAD6", "mug": "\u2615", "bathtub": "\U0001F6C1",
    "basketball": "\U0001F3C0", "football": "\U0001F3C8", "baseball": "\u26BE", "milk": "\U0001F95B",
    "beer": "\U0001F37A", "cookie": "\U0001F36A", "cupcake": "\U0001F9C1", "egg": "\U0001F95A",
    "robot": "\U0001F916", "ghost": "\U0001F47B", "heart": "\u2764\uFE0F", "snowman": "\u26C4",
    "umbrella on ground": "\u26F1\uFE0F", "pillow": "\U0001FAA9", "sock": "\U0001F9E6", "dress": "\U0001F457",
    "shirt": "\U0001F455", "scarf": "\U0001F9E3", "boot": "\U0001F462", "lemon": "\U0001F34B",
    "pear": "\U0001F350", "kiwi": "\U0001F95D", "coconut": "\U0001F965", "pepper": "\U0001F336\uFE0F",
    "cucumber": "\U0001F952", "onion": "\U0001F9C5", "garlic": "\U0001F9C4", "bagel": "\U0001F96F",
    "pretzel": "\U0001F968", "pancakes": "\U0001F95E", "waffle": "\U0001F9C7", "sushi": "\U0001F363",
    "bicycle helmet": "\u26D1\uFE0F", "trophy": "\U0001F3C6", "medal": "\U0001F3C5", "dice": "\U0001F3B2",
    "puzzle": "\U0001F9E9", "magnet": "\U0001FA9B", "hammer": "\U0001F528", "wrench": "\U0001F527",
    "saw": "\U0001FA9A", "axe": "\U0001FA93", "lock": "\U0001F512", "shield": "\U0001F6E1\uFE0F",
    "sword": "\U0001F5E1\uFE0F", "bow": "\U0001F3F9", "globe": "\U0001F30D", "map": "\U0001F5FA\uFE0F",
    "watch": "\u231A", "hourglass": "\u231B", "battery": "\U0001F50B", "microscope": "\U0001F52C",
    "telescope": "\U0001F52D", "radio": "\U0001F4FB", "television": "\U0001F4FA", "joystick": "\U0001F579\uFE0F",
    "ship": "\U0001F6A2", "sailboat": "\u26F5", "scooter": "\U0001F6F4", "tram": "\U0001F68B",
    "fountain": "\u26F2", "bridge": "\U0001F309", "lighthouse": "\U0001F5FC", "factory": "\U0001F3ED",
    "hospital": "\U0001F3E5", "school": "\U0001F3EB", "stadium": "\U0001F3DF\uFE0F", "island": "\U0001F3DD\uFE0F",
    "camel": "\U0001F42B", "kangaroo": "\U0001F998", "gorilla": "\U0001F98D", "panda": "\U0001F43C",
    "koala": "\U0001F428", "deer": "\U0001F98C", "goat": "\U0001F410", "llama": "\U0001F999",
    "hippopotamus": "\U0001F99B", "rhinoceros": "\U0001F98F", "mouse": "\U0001F401", "shark": "\U0001F988",
    "seal": "\U0001F9AD", "lobster": "\U0001F99E", "shrimp": "\U0001F990", "worm": "\U0001FAB1",
}

Drawing = Callable[[ImageDraw.ImageDraw, int], None]


# --- vector illustrations (coordinates in a 128-unit square scaled by `u`; _fit rescales) ---
def _fire_hydrant(d: ImageDraw.ImageDraw, u: int) -> None:
    red, dark = (214, 40, 40), (150, 20, 25)
    d.rounded_rectangle([34 * u, 112 * u, 94 * u, 122 * u], radius=3 * u, fill=dark)
    d.rounded_rectangle([42 * u, 40 * u, 86 * u, 114 * u], radius=6 * u, fill=red)
    d.pieslice([40 * u, 16 * u, 88 * u, 64 * u], 180, 360, fill=red)
    d.rectangle([36 * u, 36 * u, 92 * u, 44 * u], fill=dark)
    d.rectangle([60 * u, 8 * u, 68 * u, 18 * u], fill=dark)
    d.rounded_rectangle([24 * u, 58 * u, 44 * u, 74 * u], radius=3 * u, fill=dark)
    d.rounded_rectangle([84 * u, 58 * u, 104 * u, 74 * u], radius=3 * u, fill=dark)
    d.ellipse([54 * u, 70 * u, 74 * u, 90 * u], fill=dark)
    d.rectangle([50 * u, 46 * u, 56 * u, 108 * u], fill=(240, 110, 100))


def _parking_meter(d: ImageDraw.ImageDraw, u: int) -> None:
    grey, dark = (150, 155, 165), (70, 75, 85)
    d.rectangle([58 * u, 56 * u, 70 * u, 118 * u], fill=dark)
    d.rectangle([46 * u, 116 * u, 82 * u, 122 * u], fill=dark)
    d.rounded_rectangle([38 * u, 8 * u, 90 * u, 60 * u], radius=18 * u, fill=grey)
    d.rounded_rectangle([46 * u, 16 * u, 82 * u, 40 * u], radius=8 * u, fill=(235, 240, 210))
    d.polygon([(64 * u, 38 * u), (76 * u, 22 * u), (66 * u, 38 * u)], fill=(200, 30, 30))
    d.rectangle([58 * u, 46 * u, 70 * u, 50 * u], fill=dark)


def _bench(d: ImageDraw.ImageDraw, u: int) -> None:
    wood, dark, metal = (176, 112, 58), (120, 72, 32), (60, 60, 66)
    for y in (30, 44):
        d.rounded_rectangle([8 * u, y * u, 120 * u, (y + 10) * u], radius=2 * u, fill=wood, outline=dark, width=u)
    d.rounded_rectangle([4 * u, 66 * u, 124 * u, 78 * u], radius=2 * u, fill=wood, outline=dark, width=u)
    for x in (16, 104):
        d.rectangle([x * u, 26 * u, (x + 8) * u, 104 * u], fill=metal)
        d.rectangle([(x - 4) * u, 100 * u, (x + 12) * u, 106 * u], fill=metal)


def _baseball_bat(d: ImageDraw.ImageDraw, u: int) -> None:
    wood, dark = (214, 160, 90), (130, 84, 40)
    d.polygon([(96 * u, 8 * u), (118 * u, 30 * u), (40 * u, 100 * u), (30 * u, 92 * u)], fill=wood, outline=dark)
    d.ellipse([94 * u, 6 * u, 120 * u, 32 * u], fill=wood)
    d.line([(34 * u, 96 * u), (14 * u, 114 * u)], fill=dark, width=8 * u)
    d.ellipse([6 * u, 108 * u, 22 * u, 124 * u], fill=dark)


def _surfboard(d: ImageDraw.ImageDraw, u: int) -> None:
    d.ellipse([40 * u, 2 * u, 88 * u, 126 * u], fill=(70, 170, 220), outline=(30, 90, 140), width=2 * u)
    d.ellipse([60 * u, 6 * u, 68 * u, 122 * u], fill=(250, 250, 240))
    d.polygon([(58 * u, 100 * u), (70 * u, 100 * u), (64 * u, 116 * u)], fill=(30, 90, 140))


def _snowboard(d: ImageDraw.ImageDraw, u: int) -> None:
    d.rounded_rectangle([42 * u, 4 * u, 86 * u, 124 * u], radius=22 * u, fill=(240, 120, 40), outline=(120, 50, 20), width=2 * u)
    d.rounded_rectangle([48 * u, 16 * u, 80 * u, 112 * u], radius=16 * u, fill=(250, 200, 60))
    for y in (38, 78):
        d.rounded_rectangle([44 * u, y * u, 84 * u, (y + 12) * u], radius=3 * u, fill=(40, 40, 48))


def _dining_table(d: ImageDraw.ImageDraw, u: int) -> None:
    wood, dark = (168, 106, 56), (104, 62, 28)
    d.polygon([(18 * u, 40 * u), (110 * u, 40 * u), (124 * u, 58 * u), (4 * u, 58 * u)], fill=wood, outline=dark)
    d.rectangle([4 * u, 58 * u, 124 * u, 66 * u], fill=dark)
    for x in (10, 110):
        d.rectangle([x * u, 64 * u, (x + 8) * u, 116 * u], fill=dark)
    for x in (26, 94):
        d.rectangle([x * u, 64 * u, (x + 6) * u, 104 * u], fill=(130, 80, 40))
    d.ellipse([50 * u, 30 * u, 78 * u, 46 * u], fill=(245, 245, 245), outline=(180, 180, 180))


def _tv_remote(d: ImageDraw.ImageDraw, u: int) -> None:
    d.rounded_rectangle([44 * u, 4 * u, 84 * u, 124 * u], radius=12 * u, fill=(50, 52, 60))
    d.ellipse([56 * u, 14 * u, 72 * u, 30 * u], fill=(220, 50, 50))
    d.ellipse([52 * u, 40 * u, 76 * u, 64 * u], fill=(120, 125, 140))
    for row in range(4):
        for col in range(3):
            x, y = 52 + col * 9, 74 + row * 11
            d.rounded_rectangle([x * u, y * u, (x + 6) * u, (y + 7) * u], radius=u, fill=(200, 205, 215))


def _microwave(d: ImageDraw.ImageDraw, u: int) -> None:
    d.rounded_rectangle([4 * u, 26 * u, 124 * u, 102 * u], radius=6 * u, fill=(215, 218, 224), outline=(90, 95, 105), width=2 * u)
    d.rounded_rectangle([12 * u, 34 * u, 90 * u, 94 * u], radius=4 * u, fill=(40, 44, 54))
    d.rectangle([20 * u, 42 * u, 82 * u, 86 * u], fill=(90, 110, 120))
    d.rectangle([96 * u, 36 * u, 118 * u, 46 * u], fill=(40, 180, 90))
    for row in range(3):
        for col in range(2):
            x, y = 98 + col * 10, 52 + row * 12
            d.rectangle([x * u, y * u, (x + 6) * u, (y + 8) * u], fill=(120, 125, 135))
    d.rectangle([12 * u, 102 * u, 22 * u, 108 * u], fill=(90, 95, 105))
    d.rectangle([106 * u, 102 * u, 116 * u, 108 * u], fill=(90, 95, 105))


def _oven(d: ImageDraw.ImageDraw, u: int) -> None:
    d.rounded_rectangle([14 * u, 6 * u, 114 * u, 122 * u], radius=4 * u, fill=(225, 228, 232), outline=(80, 84, 94), width=2 * u)
    d.rectangle([14 * u, 6 * u, 114 * u, 30 * u], fill=(60, 64, 74))
    for x in (28, 48, 80, 100):
        d.ellipse([(x - 5) * u, 13 * u, (x + 5) * u, 23 * u], fill=(200, 200, 205))
    d.rounded_rectangle([24 * u, 42 * u, 104 * u, 108 * u], radius=4 * u, fill=(40, 40, 46))
    d.rectangle([34 * u, 56 * u, 94 * u, 98 * u], fill=(240, 140, 50))
    d.rectangle([30 * u, 34 * u, 98 * u, 38 * u], fill=(80, 84, 94))


def _toaster(d: ImageDraw.ImageDraw, u: int) -> None:
    d.rounded_rectangle([34 * u, 14 * u, 58 * u, 50 * u], radius=3 * u, fill=(222, 170, 100), outline=(150, 100, 40), width=u)
    d.rounded_rectangle([68 * u, 14 * u, 92 * u, 50 * u], radius=3 * u, fill=(222, 170, 100), outline=(150, 100, 40), width=u)
    d.rounded_rectangle([12 * u, 36 * u, 116 * u, 114 * u], radius=22 * u, fill=(190, 196, 206), outline=(90, 96, 110), width=2 * u)
    d.rectangle([30 * u, 36 * u, 62 * u, 42 * u], fill=(50, 50, 56))
    d.rectangle([66 * u, 36 * u, 98 * u, 42 * u], fill=(50, 50, 56))
    d.rounded_rectangle([104 * u, 60 * u, 122 * u, 70 * u], radius=2 * u, fill=(50, 50, 56))
    d.ellipse([28 * u, 80 * u, 44 * u, 96 * u], fill=(90, 96, 110))
    d.rectangle([20 * u, 112 * u, 32 * u, 120 * u], fill=(50, 50, 56))
    d.rectangle([96 * u, 112 * u, 108 * u, 120 * u], fill=(50, 50, 56))


def _sink(d: ImageDraw.ImageDraw, u: int) -> None:
    steel, dark = (190, 198, 210), (90, 98, 112)
    d.rectangle([56 * u, 14 * u, 66 * u, 56 * u], fill=dark)
    d.rounded_rectangle([56 * u, 12 * u, 96 * u, 22 * u], radius=4 * u, fill=dark)
    d.rectangle([88 * u, 18 * u, 96 * u, 34 * u], fill=dark)
    d.ellipse([40 * u, 8 * u, 52 * u, 20 * u], fill=(60, 120, 220))
    d.rectangle([4 * u, 54 * u, 124 * u, 64 * u], fill=dark)
    d.chord([10 * u, 20 * u, 118 * u, 118 * u], 0, 180, fill=steel, outline=dark, width=2 * u)
    d.chord([22 * u, 40 * u, 106 * u, 104 * u], 0, 180, fill=(160, 170, 185))
    d.ellipse([58 * u, 82 * u, 70 * u, 90 * u], fill=dark)


def _refrigerator(d: ImageDraw.ImageDraw, u: int) -> None:
    d.rounded_rectangle([28 * u, 2 * u, 100 * u, 126 * u], radius=8 * u, fill=(236, 240, 245), outline=(100, 110, 125), width=2 * u)
    d.line([(28 * u, 44 * u), (100 * u, 44 * u)], fill=(100, 110, 125), width=2 * u)
    d.rounded_rectangle([86 * u, 14 * u, 92 * u, 36 * u], radius=2 * u, fill=(120, 130, 145))
    d.rounded_rectangle([86 * u, 54 * u, 92 * u, 92 * u], radius=2 * u, fill=(120, 130, 145))
    d.rectangle([36 * u, 120 * u, 46 * u, 127 * u], fill=(100, 110, 125))
    d.rectangle([82 * u, 120 * u, 92 * u, 127 * u], fill=(100, 110, 125))
    d.ellipse([40 * u, 60 * u, 52 * u, 72 * u], fill=(240, 90, 90))
    d.rectangle([40 * u, 76 * u, 56 * u, 84 * u], fill=(90, 160, 230))


def _hair_drier(d: ImageDraw.ImageDraw, u: int) -> None:
    body, dark = (236, 96, 150), (150, 40, 90)
    d.polygon([(46 * u, 58 * u), (62 * u, 58 * u), (58 * u, 120 * u), (40 * u, 120 * u)], fill=body, outline=dark)
    d.rounded_rectangle([40 * u, 104 * u, 60 * u, 122 * u], radius=4 * u, fill=dark)
    d.ellipse([14 * u, 18 * u, 78 * u, 82 * u], fill=body, outline=dark, width=2 * u)
    d.polygon([(60 * u, 30 * u), (116 * u, 38 * u), (116 * u, 62 * u), (60 * u, 70 * u)], fill=body, outline=dark)
    d.rectangle([110 * u, 36 * u, 122 * u, 64 * u], fill=dark)
    d.ellipse([30 * u, 34 * u, 62 * u, 66 * u], fill=(250, 200, 220))
    d.ellipse([40 * u, 44 * u, 52 * u, 56 * u], fill=dark)


def _fork(d: ImageDraw.ImageDraw, u: int) -> None:
    steel, dark = (200, 206, 216), (100, 106, 120)
    d.rounded_rectangle([58 * u, 56 * u, 70 * u, 124 * u], radius=5 * u, fill=steel, outline=dark, width=u)
    d.rounded_rectangle([44 * u, 38 * u, 84 * u, 62 * u], radius=10 * u, fill=steel, outline=dark, width=u)
    for x in (44, 55, 66, 77):
        d.rounded_rectangle([x * u, 4 * u, (x + 7) * u, 46 * u], radius=3 * u, fill=steel, outline=dark, width=u)


def _tennis_racket(d: ImageDraw.ImageDraw, u: int) -> None:
    frame, strings = (40, 90, 200), (235, 235, 220)
    d.rounded_rectangle([58 * u, 76 * u, 70 * u, 124 * u], radius=4 * u, fill=(40, 40, 48))
    d.polygon([(52 * u, 70 * u), (76 * u, 70 * u), (68 * u, 84 * u), (60 * u, 84 * u)], fill=frame)
    d.ellipse([28 * u, 2 * u, 100 * u, 80 * u], fill=frame)
    d.ellipse([35 * u, 9 * u, 93 * u, 73 * u], fill=(200, 225, 160))
    for i in range(1, 8):
        x = 35 + i * 58 / 8
        d.line([(x * u, 9 * u), (x * u, 73 * u)], fill=strings, width=u)
        y = 9 + i * 64 / 8
        d.line([(35 * u, y * u), (93 * u, y * u)], fill=strings, width=u)
    d.ellipse([28 * u, 2 * u, 100 * u, 80 * u], outline=frame, width=5 * u)


DRAWINGS: dict[str, Drawing] = {
    "fire hydrant": _fire_hydrant, "parking meter": _parking_meter, "bench": _bench,
    "baseball bat": _baseball_bat, "surfboard": _surfboard, "snowboard": _snowboard,
    "dining table": _dining_table, "tv remote": _tv_remote, "microwave": _microwave, "oven": _oven,
    "toaster": _toaster, "sink": _sink, "refrigerator": _refrigerator, "hair drier": _hair_drier,
    "fork": _fork, "tennis racket": _tennis_racket,
}


def file_stem(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _fit(img: Image.Image) -> Image.Image:
    """Crop to visible pixels, scale to fit SPRITE_BODY, centre on a SPRITE_SIZE canvas."""
    box = img.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
    if box is None:
        raise RuntimeError("sprite drew no visible pixels")
    img = img.crop(box)
    scale = SPRITE_BODY / max(img.size)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    img = img.resize(size, Image.LANCZOS)
    canvas = Image.new("RGBA", (SPRITE_SIZE, SPRITE_SIZE), (0, 0, 0, 0))
    canvas.alpha_composite(img, ((SPRITE_SIZE - size[0]) // 2, (SPRITE_SIZE - size[1]) // 2))
    return canvas


def render_emoji(font: ImageFont.FreeTypeFont, text: str) -> Image.Image:
    img = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).text((20, 20), text, font=font, embedded_color=True)
    return _fit(img)


def render_drawing(draw: Drawing) -> Image.Image:
    u = 4
    img = Image.new("RGBA", (128 * u, 128 * u), (0, 0, 0, 0))
    draw(ImageDraw.Draw(img), u)
    return _fit(img)


def outline_radius(sprite: Image.Image) -> int:
    """Smallest outline radius (>= 3) that joins the sprite into one blob."""
    alpha = np.asarray(sprite.getchannel("A")) > 24
    for r in range(3, MAX_OUTLINE + 1):
        grown = ndimage.binary_dilation(alpha, structure=ndimage.generate_binary_structure(2, 1), iterations=r)
        if ndimage.label(grown)[1] == 1:
            return r
    raise RuntimeError("sprite stays in several pieces even with the widest outline")


def licence_text() -> str:
    lines = FONT_COPYRIGHT.read_text(encoding="utf-8").splitlines()
    # the last "License: SIL-1.1" paragraph holds the full text (the first only names it)
    start = max(i for i, line in enumerate(lines) if line.startswith("License:") and "SIL" in line)
    body = [line[1:] if line.startswith(" ") else line for line in lines[start + 1:]]
    body = ["" if line == "." else line for line in body]
    header = (
        "The PNG sprites in this folder whose manifest source is 'emoji' are derived from the\n"
        "Noto Color Emoji font (Copyright 2013-2017 Google Inc., Arjen Nienhuis), as packaged by\n"
        "Debian in fonts-noto-color-emoji, and are distributed under the SIL Open Font License 1.1\n"
        "below. Sprites whose source is 'drawing' were drawn by tools/make_sprites.py for StageStudio.\n\n"
    )
    return header + "\n".join(body).strip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    if not FONT_PATH.exists():
        print(f"error: {FONT_PATH} not found; run: apt-get install -y fonts-noto-color-emoji", file=sys.stderr)
        return 2
    font = ImageFont.truetype(str(FONT_PATH), 109)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict] = {}
    items: list[tuple[str, str, Image.Image]] = []
    for name, text in EMOJI.items():
        items.append((name, "emoji", render_emoji(font, text)))
    for name, draw in DRAWINGS.items():
        items.append((name, "drawing", render_drawing(draw)))
    for name, source, sprite in sorted(items):
        stem = file_stem(name)
        sprite.save(args.out / f"{stem}.png", optimize=True)
        entry = {"file": f"{stem}.png", "source": source, "outline": outline_radius(sprite)}
        if source == "emoji":
            entry["codepoints"] = " ".join(f"U+{ord(c):04X}" for c in EMOJI[name])
        manifest[name] = entry
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (args.out / "LICENSE").write_text(licence_text(), encoding="utf-8")
    print(f"wrote {len(manifest)} sprites to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
