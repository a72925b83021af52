"""Word normalisation for comparing a parsed scene graph with a gold one: object names, verb
lemmas of action predicates, head nouns of parts, and the number-and-unit of measurements.

These decide what counts as "the same" in the metric, so they are deliberately simple and
symmetric (both sides go through the same function); they are not a parser.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import inflect

_WORD = re.compile(r"[a-z]+|\d+(?:\.\d+)?")


@lru_cache(maxsize=1)
def _inflector() -> inflect.engine:
    return inflect.engine()


def normalise_name(name: str) -> str:
    """'Café', 'cafe' -> 'cafe'; 'T-shirt' -> 't shirt'; spacing and case ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[-_]", " ", text.lower()).split())


def last_word(name: str) -> str:
    words = normalise_name(name).split()
    return words[-1] if words else ""


def singular(word: str) -> str:
    """The singular of a noun ('legs' -> 'leg', 'feet' -> 'foot'); unchanged if already singular."""
    word = word.lower()
    if not word.isalpha() or len(word) < 3:
        return word
    result = _inflector().singular_noun(word)
    return result if isinstance(result, str) and result else word


def head_noun(phrase: str) -> str:
    """The singular head of a part phrase: 'four sturdy iron legs' -> 'leg'."""
    return singular(last_word(phrase))


def verb_key(predicate: str) -> str:
    """One spelling per verb, its present participle: 'rides', 'ride', 'riding' -> 'riding';
    'looking at' -> 'looking'. Particles are ignored."""
    words = normalise_name(predicate).split()
    if not words:
        return ""
    verb = words[0]
    if verb.endswith("ing") and len(verb) > 4:
        return verb
    participle = _inflector().present_participle(verb)
    return participle if isinstance(participle, str) and participle else verb


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}
# Abbreviations and spellings of units, to one name each.
_UNITS = {
    "cm": "centimeter", "cms": "centimeter", "centimetre": "centimeter", "mm": "millimeter",
    "millimetre": "millimeter", "m": "meter", "metre": "meter", "km": "kilometer", "kilometre": "kilometer",
    "in": "inch", "inches": "inch", "ft": "foot", "feet": "foot", "ml": "milliliter", "millilitre": "milliliter",
    "l": "liter", "litre": "liter", "oz": "ounce", "lb": "pound", "lbs": "pound", "kg": "kilogram",
    "g": "gram", "hr": "hour", "hrs": "hour", "h": "hour", "min": "minute", "mins": "minute",
    "sec": "second", "secs": "second", "yr": "year", "yrs": "year", "storey": "story", "stories": "story",
    "storeys": "story", "deg": "degree", "qt": "quart", "gal": "gallon", "pt": "pint", "v": "volt",
    "w": "watt", "kw": "kilowatt", "hz": "hertz", "gb": "gigabyte", "tb": "terabyte",
}
# Abbreviations that are also ordinary words or letters: units only right after a number
# ("34 in" is inches, "150 centimeters in length" is not).
_UNITS_AFTER_NUMBER_ONLY = frozenset({"in", "m", "g", "h", "l", "min", "sec", "pt", "v", "w"})


def measurement_tokens(text: str) -> frozenset[str]:
    """Numbers and unit words of a measurement: '150 centimeters' and 'approximately 150 cm in
    length' share {'150', 'centimeter'}; 'two hours' -> {'2', 'hour'}."""
    tokens: set[str] = set()
    after_number = False
    for raw in _WORD.findall(normalise_name(text)):
        if raw[0].isdigit() or raw in _NUMBER_WORDS:
            tokens.add(raw if raw[0].isdigit() else str(_NUMBER_WORDS[raw]))
            after_number = True
            continue
        if raw in _UNITS and (after_number or raw not in _UNITS_AFTER_NUMBER_ONLY):
            tokens.add(_UNITS[raw])
        else:
            tokens.add(singular(raw))
        after_number = False
    return frozenset(tokens)


def measurement_found(gold: str, predicted: list[str]) -> bool:
    """A gold measurement is found when one predicted measurement holds all its numbers and
    words ('150 centimeters' in 'approximately 150 centimeters in length')."""
    want = measurement_tokens(gold)
    return bool(want) and any(want <= measurement_tokens(p) for p in predicted)
