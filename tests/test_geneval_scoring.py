"""GenEval scoring rules: golden cases from the reference evaluator, plus targeted rule checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stagestudio.cli import main as cli_main
from stagestudio.eval import geneval
from stagestudio.eval.geneval import KeptDetection, ObjectDetection, ScoringConfig


@pytest.fixture(scope="module")
def cases_path(shared_dir: Path) -> Path:
    return shared_dir / "data" / "geneval" / "scoring_cases.jsonl"


def test_every_golden_case_agrees(cases_path: Path) -> None:
    cases = geneval.load_scoring_cases(cases_path)
    assert len(cases) == 60
    failures = {}
    for case in cases:
        outcome = geneval.run_scoring_case(case)
        if not outcome.agrees:
            failures[case.id] = outcome.mismatches
    assert failures == {}


def _det(box, score):
    return ObjectDetection(tuple(float(v) for v in box), score)


def _never(image, class_name, detections):
    raise AssertionError("colour classifier must not be called")


def test_threshold_is_strict_and_in_float32() -> None:
    meta = {"tag": "single_object", "include": [{"class": "cat", "count": 1}]}
    # 0.30000001 rounds to float32(0.3), so it is dropped like an exact 0.3.
    for score in (0.3, 0.30000001):
        verdict = geneval.score_image(meta, {"cat": [_det([0, 0, 9, 9], score)]}, _never)
        assert not verdict.correct and verdict.reason == "expected cat>=1, found 0"
    verdict = geneval.score_image(meta, {"cat": [_det([0, 0, 9, 9], 0.3001)]}, _never)
    assert verdict.correct and verdict.reason == ""


def test_counting_threshold_cap_and_exclude() -> None:
    meta = {
        "tag": "counting",
        "include": [{"class": "cup", "count": 2}],
        "exclude": [{"class": "cup", "count": 3}],
    }
    two = {"cup": [_det([0, 0, 5, 5], 0.95), _det([0, 0, 5, 5], 0.91), _det([9, 9, 20, 20], 0.9)]}
    verdict = geneval.score_image(meta, two, _never)
    assert verdict.correct, verdict.reason  # 0.9 is not > 0.9; duplicates are not suppressed
    assert verdict.kept == {"cup": [0, 1]}
    many = {"cup": [_det([i, i, i + 5, i + 5], 0.95) for i in range(20)]}
    verdict = geneval.score_image(meta, many, _never)
    assert not verdict.correct
    assert verdict.reason == "expected cup<3, found 16"
    assert len(verdict.kept["cup"]) == 16


def test_colour_uses_only_top_count_and_reports_counts() -> None:
    meta = {"tag": "colors", "include": [{"class": "car", "count": 1, "color": "red"}]}
    detections = {"car": [_det([0, 0, 5, 5], 0.5), _det([0, 0, 5, 5], 0.8)]}
    calls: list[list[int]] = []

    def classify(image, class_name, dets):
        calls.append([d.index for d in dets])
        return ["blue"]

    verdict = geneval.score_image(meta, detections, classify)
    assert calls == [[1]]
    assert verdict.reason == "expected red car>=1, found 0 red; and 1 blue"
    assert [q.to_json() for q in verdict.color_queries] == [{"class": "car", "detections": [1]}]


def test_relative_position_margin_and_axes() -> None:
    target = [100, 100, 200, 200]
    assert geneval.relative_position([0, 100, 50, 200], target) == {"left of"}
    assert geneval.relative_position([300, 100, 350, 200], target) == {"right of"}
    assert geneval.relative_position([100, 0, 200, 50], target) == {"above"}
    assert geneval.relative_position([100, 300, 200, 350], target) == {"below"}
    # Heavily overlapping boxes: the 0.1 margin swallows the offset -> no relation.
    assert geneval.relative_position([105, 100, 205, 200], target) == set()
    # Diagonal: both components above 0.5 after normalising.
    assert geneval.relative_position([0, 0, 40, 40], target) == {"left of", "above"}


def test_position_reason_and_missing_target() -> None:
    meta = {
        "tag": "position",
        "include": [
            {"class": "dog", "count": 1},
            {"class": "cat", "count": 1, "position": ["left of", 0]},
        ],
    }
    dets = {"dog": [_det([0, 0, 50, 50], 0.9)], "cat": [_det([200, 0, 250, 50], 0.9)]}
    verdict = geneval.score_image(meta, dets, _never)
    assert verdict.reason == "expected cat left of target, found right of target"
    verdict = geneval.score_image(meta, {"cat": dets["cat"]}, _never)
    assert verdict.reason == "expected dog>=1, found 0\nno target for cat to be left of"
    overlapping = {"dog": [_det([0, 0, 50, 50], 0.9)], "cat": [_det([1, 0, 51, 50], 0.9)]}
    assert geneval.score_image(meta, overlapping, _never).reason == (
        "expected cat left of target, found  target"
    )


def test_reasons_equivalent_ignores_relation_order_only_when_flagged() -> None:
    a = "expected laptop left of target, found above and right of target"
    b = "expected laptop left of target, found right of and above target"
    assert geneval.reasons_equivalent(a, b, relation_order_free=True)
    assert not geneval.reasons_equivalent(a, b)
    assert not geneval.reasons_equivalent(a, a.replace("above", "below"), True)


def test_summary_is_unweighted_mean_over_tags() -> None:
    rows = (
        [{"tag": "single_object", "correct": True, "prompt_index": i} for i in range(10)]
        + [{"tag": "position", "correct": i == 0, "prompt_index": 100 + i // 2} for i in range(4)]
    )
    summary = geneval.summarize(rows)
    assert [t.tag for t in summary.tags] == ["single_object", "position"]
    assert summary.overall == pytest.approx((1.0 + 0.25) / 2)
    assert summary.images == 14 and summary.prompts == 12 and summary.correct_prompts == 11


def test_max_overlap_option_suppresses_duplicates() -> None:
    dets = {"cup": [_det([0, 0, 10, 10], 0.8), _det([0, 0, 10, 10], 0.7), _det([50, 50, 60, 60], 0.6)]}
    kept = geneval.filter_detections(dets, "two_object", ScoringConfig(max_overlap=0.5))
    assert [d.index for d in kept["cup"]] == [0, 2]
    assert isinstance(kept["cup"][0], KeptDetection)
    assert kept["cup"][0].box.dtype == np.float32


def _write_cases(path: Path, lines: list[dict]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_cli_score_cases(cases_path: Path, tmp_path: Path, capsys) -> None:
    assert cli_main(["eval", "score-cases", str(cases_path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "agreement: 60/60 (100.0%)"

    # A case whose expectation is wrong must be reported and fail the run.
    first = json.loads(cases_path.read_text().splitlines()[0])
    first["expected"]["correct"] = not first["expected"]["correct"]
    broken = tmp_path / "broken.jsonl"
    _write_cases(broken, [first])
    assert cli_main(["eval", "score-cases", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH pub-so-000" in out and out.strip().endswith("agreement: 0/1 (0.0%)")

    assert cli_main(["eval", "score-cases", str(tmp_path / "missing.jsonl")]) == 2


def test_case_colour_falls_back_to_logits_argmax(cases_path: Path) -> None:
    for line in cases_path.read_text().splitlines():
        data = json.loads(line)
        for items in data["detections"].values():
            for item in items:
                del item["color"]
        case = geneval.parse_scoring_case(data)
        assert geneval.run_scoring_case(case).agrees, case.id
