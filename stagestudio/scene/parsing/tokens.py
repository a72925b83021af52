"""Tokenising: prompt text -> sentences of lower-case tokens."""

from __future__ import annotations

import re
import unicodedata

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.spelling import correct

_TOKEN_RE = re.compile(r"\d+|[a-z]+(?:-[a-z]+)*(?:'[a-z]+)?|'s\b|[.,;:!?()\"&\n]")
_SENTENCE_ENDS = {".", "!", "?", ";", "\n"}


_COLOUR_ALTERNATION = "|".join(sorted((re.escape(w) for w in lx.COLOR_WORDS), key=len, reverse=True))


_MARKUP_BLOCK = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_MARKUP_TAG = re.compile(r"</?[a-zA-Z!][^<>]*>|&[a-zA-Z]+;|&#\d+;")


def strip_markup(prompt: str) -> str:
    """Remove HTML/XML tags, script and style blocks and character entities: markup never
    names an object ("<script>" is not a script to draw)."""
    return _MARKUP_TAG.sub(" ", _MARKUP_BLOCK.sub(" ", prompt))


def fold_accents(text: str) -> str:
    """"café" -> "cafe", "naïve" -> "naive": the lexicon is ASCII, and a letter with an accent
    is the same letter to it (a character with no ASCII base is left as it is)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_HYPHENATED_MEASURE = re.compile(r"\b(\d+)-([a-z]+)(?:-([a-z]+))?\b")


def _spaced_measure(match: re.Match[str]) -> str:
    number, unit, after = match.group(1), match.group(2), match.group(3)
    if not (english.is_measure_unit(english.noun_lemma(unit)) or unit in lx.UNIT_ABBREVIATIONS):
        return match.group(0)
    return f"{number} {unit}" + (f" {after}" if after else "")


def tokenise(prompt: str) -> list[list[str]]:
    text = fold_accents(strip_markup(prompt)).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"\bt\.v\.", "tv", text)
    text = re.sub(r"\b(it|that|there|here|what|who|where|this)'s\b", r"\1 is", text)
    text = re.sub(r"(?<=[a-z])'s\b", " 's", text)  # possessive becomes its own token
    text = re.sub(r"(?<=[a-z]s)'(?=\s)", " 's", text)  # so does a plural one ("kids' backpack")
    # "orange-colored cow", "a red coloured car": the colour word is the attribute
    text = re.sub(rf"\b({_COLOUR_ALTERNATION})[- ](?:colou?red|toned|hued|tinted)\b", r"\1", text)
    text = re.sub(rf"\b({_COLOUR_ALTERNATION})-(?:painted|dyed|stained|glazed|coated|furred|feathered|skinned|"
                  r"lacquered|enamelled|enameled|upholstered|plumaged)\b", r"\1", text)
    # Hyphenated words stay one token ("cotton-ball clouds", "double-decker") unless they
    # spell a relation; hyphenated names are in the noun lexicon in both spellings.
    text = re.sub(r"\b(left|right)-hand(ed)?\b", r"\1 hand", text)
    text = re.sub(r"\bside-by-side\b", "side by side", text)
    text = re.sub(r"\b(next|close)-to\b", r"\1 to", text)
    # "a 10-year-old boy", "a 6-foot-tall cactus", "a 2-liter bottle": a number and a unit
    text = _HYPHENATED_MEASURE.sub(_spaced_measure, text)
    text = re.sub(r"\d+\.\d+", " ", text)  # "3.5 inches": a decimal is never a count
    text = re.sub(r"\(\s*\d+\s*\)", " ", text)  # "four (4) apples": the digits repeat the word
    text = re.sub(r"\b(e\.g|i\.e|etc|approx|vs|mr|mrs|ms|dr|st)\.", r"\1", text)  # not sentence ends
    sentences: list[list[str]] = [[]]
    for tok in _TOKEN_RE.findall(text):
        tok = correct(tok)
        if tok in _SENTENCE_ENDS:
            if sentences[-1]:
                sentences.append([])
            continue
        sentences[-1].append(tok)
    return [s for s in sentences if s]
