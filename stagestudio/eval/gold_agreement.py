"""How well two annotations of the same prompts agree, scored exactly as the parser is.

One annotation is read as if it were a parser's output (its `GoldGraph.to_scene_graph()`: the
canonical name of each object, its count, colour, parts and measurements, and its relations;
aliases and optional names dropped, as a parser gives none) and scored against the other with
`evaluate_gold`. The figures are therefore the ceiling a parser can be measured to with gold
written by one annotator: a parser that read every prompt exactly as a second careful annotator
does would score this, not 1.0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from stagestudio.eval.gold_data import GoldExample
from stagestudio.eval.graph_gold import GoldReport, evaluate_gold
from stagestudio.scene.graph import SceneGraph


class AnnotationMismatch(ValueError):
    """The two annotations do not cover the same prompts."""


def _by_id(examples: Sequence[GoldExample], label: str) -> dict[str, GoldExample]:
    found: dict[str, GoldExample] = {}
    for example in examples:
        if example.id in found:
            raise AnnotationMismatch(f"{label}: duplicate id {example.id!r}")
        found[example.id] = example
    return found


def paired(reference: Sequence[GoldExample], other: Sequence[GoldExample]) -> list[tuple[GoldExample, GoldExample]]:
    """The two annotations' lines side by side, in the reference's order. Raises
    AnnotationMismatch when the ids differ or one id's prompt text differs."""
    ref, oth = _by_id(reference, "reference"), _by_id(other, "other annotation")
    if ref.keys() != oth.keys():
        missing, extra = sorted(ref.keys() - oth.keys()), sorted(oth.keys() - ref.keys())
        raise AnnotationMismatch(f"the annotations cover different prompts (only in reference: {missing[:5]}, "
                                 f"only in the other: {extra[:5]})")
    for key, example in ref.items():
        if example.prompt != oth[key].prompt:
            raise AnnotationMismatch(f"{key}: the two annotations have different prompt texts")
    return [(example, oth[example.id]) for example in reference]


def annotation_as_parser(examples: Sequence[GoldExample]) -> Callable[[str], SceneGraph]:
    """A parse function that answers each prompt with that annotation's graph."""
    graphs = {example.prompt: example.gold for example in examples}

    def parse(prompt: str) -> SceneGraph:
        return graphs[prompt].to_scene_graph()

    return parse


def agreement(reference: Sequence[GoldExample], other: Sequence[GoldExample]) -> GoldReport:
    """`other` read as a parser's output and scored against `reference`."""
    pairs = paired(reference, other)
    return evaluate_gold([ref for ref, _ in pairs], parse=annotation_as_parser([oth for _, oth in pairs]))
