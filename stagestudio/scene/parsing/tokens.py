"""Tokenising: prompt text -> sentences of lower-case tokens."""

from __future__ import annotations

import re

from stagestudio.scene import lexicon as lx

_TOKEN_RE = re.compile(r"\d+|[a-z]+(?:-[a-z]+)*(?:'[a-z]+)?|'s\b|[.,;:!?()\"&\n]")
_SENTENCE_ENDS = {".", "!", "?", ";", "\n"}


_COLOUR_ALTERNATION = "|".join(sorted((re.escape(w) for w in lx.COLOR_WORDS), key=len, reverse=True))


_MARKUP_BLOCK = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_MARKUP_TAG = re.compile(r"</?[a-zA-Z!][^<>]*>|&[a-zA-Z]+;|&#\d+;")


def strip_markup(prompt: str) -> str:
    """Remove HTML/XML tags, script and style blocks and character entities: markup never
    names an object ("<script>" is not a script to draw)."""
    return _MARKUP_TAG.sub(" ", _MARKUP_BLOCK.sub(" ", prompt))


def tokenise(prompt: str) -> list[list[str]]:
    text = strip_markup(prompt).lower()
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
    text = re.sub(r"\d+\.\d+", " ", text)  # "3.5 inches": a decimal is never a count
    text = re.sub(r"\(\s*\d+\s*\)", " ", text)  # "four (4) apples": the digits repeat the word
    text = re.sub(r"\b(e\.g|i\.e|etc|approx|vs|mr|mrs|ms|dr|st)\.", r"\1", text)  # not sentence ends
    sentences: list[list[str]] = [[]]
    for tok in _TOKEN_RE.findall(text):
        if tok in _SENTENCE_ENDS:
            if sentences[-1]:
                sentences.append([])
            continue
        sentences[-1].append(tok)
    return [s for s in sentences if s]
