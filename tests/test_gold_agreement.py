"""Inter-annotator agreement: one annotation scored as if it were a parser's output against another."""

from __future__ import annotations

import pytest

from stagestudio.eval.gold_agreement import AnnotationMismatch, agreement, paired
from stagestudio.eval.gold_data import GoldExample


def _example(oid: str, prompt: str, objects: list[dict], relations=(), optional=()) -> GoldExample:
    return GoldExample.model_validate({
        "id": oid, "style": "caption", "prompt": prompt,
        "gold": {"objects": [{"id": f"o{k}", "aliases": [], "count": 1, "color": None, "parts": [], "measurements": [],
                              **o} for k, o in enumerate(objects, start=1)],
                 "relations": [dict(zip(("subject", "predicate", "object"), r)) for r in relations],
                 "optional": list(optional)}})


KITE = "a girl flying a red kite above two dunes"
FIRST = [_example("a-1", KITE, [{"name": "person", "aliases": ["girl"]}, {"name": "kite", "color": "red"},
                                 {"name": "dune", "count": 2}],
                  [("o1", "flying", "o2"), ("o2", "above", "o3")]),
         _example("a-2", "a mug on a shelf", [{"name": "cup", "aliases": ["mug"]}, {"name": "shelf"}],
                  [("o1", "on", "o2")])]


def test_an_annotation_agrees_perfectly_with_itself():
    overall = agreement(FIRST, FIRST).overall()
    assert (overall.object_f1, overall.count_accuracy, overall.color_accuracy) == (1.0, 1.0, 1.0)
    assert (overall.spatial_recall, overall.action_recall, overall.invented_per_prompt) == (1.0, 1.0, 0.0)


def test_a_second_annotators_other_reading_costs_what_it_would_cost_a_parser():
    # the second annotator calls the dunes setting, names the mug by its own word and gives no colour
    second = [_example("a-1", KITE, [{"name": "person"}, {"name": "kite"}], [("o1", "flying", "o2")],
                       optional=["dune"]),
              _example("a-2", "a mug on a shelf", [{"name": "mug"}, {"name": "shelf"}], [("o1", "on", "o2")])]
    overall = agreement(FIRST, second).overall()
    assert overall.object_recall == pytest.approx(4 / 5) and overall.object_precision == 1.0
    assert overall.spatial_recall == pytest.approx(1 / 2) and overall.action_recall == 1.0
    assert overall.color_accuracy == 0.0
    # read the other way round, the dunes the first annotator drew are optional there (no cost), but
    # "cup" does not match a "mug" given no aliases: as strict as the parser's scoring
    reverse = agreement(second, FIRST).overall()
    assert reverse.object_precision == pytest.approx(3 / 4) and reverse.object_recall == pytest.approx(3 / 4)


def test_annotations_of_different_prompts_are_refused():
    with pytest.raises(AnnotationMismatch, match="different prompts"):
        paired(FIRST, FIRST[:1])
    changed = [FIRST[0].model_copy(update={"prompt": "a boy flying a kite"}), FIRST[1]]
    with pytest.raises(AnnotationMismatch, match="a-1: the two annotations have different prompt texts"):
        paired(FIRST, changed)
