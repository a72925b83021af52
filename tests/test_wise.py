"""WISE data loading, judge reply parsing and WiScore aggregation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from stagestudio.eval import wise
from stagestudio.eval.wise import ImageJudgement, JudgeScores


@pytest.fixture(scope="module")
def prompts(shared_dir: Path) -> list[wise.WisePrompt]:
    return wise.load_wise_prompts(shared_dir / "data" / "wise" / "final_data.json")


def test_loads_all_prompts_with_fields(prompts) -> None:
    assert len(prompts) == 1000
    first = prompts[0]
    assert first.prompt_id == 1 and first.category == "Cultural knowledge"
    assert first.prompt and first.explanation and first.subcategory and first.hint


def test_categories_have_wise_sizes_and_id_ranges(prompts) -> None:
    groups = wise.group_by_category(prompts)
    sizes = {wise.CATEGORY_SHORT_NAMES[c]: len(v) for c, v in groups.items()}
    assert sizes == {"Cultural": 400, "Time": 167, "Space": 133, "Biology": 100,
                     "Physics": 100, "Chemistry": 100}
    ranges = {c: (min(p.prompt_id for p in v), max(p.prompt_id for p in v))
              for c, v in groups.items()}
    assert ranges["Cultural knowledge"] == (1, 400) and ranges["time"] == (401, 567)
    assert ranges["Space"] == (568, 700) and ranges["Chemistry"] == (901, 1000)
    # The paper speaks of 25 sub-domains; the released data labels 27 subcategories.
    assert len(wise.group_by_subcategory(prompts)) == 27


def test_wiscore_formula() -> None:
    assert wise.wiscore(2, 2, 2) == pytest.approx(1.0)
    assert wise.wiscore(0, 0, 0) == 0.0
    assert wise.wiscore(2, 1, 0) == pytest.approx((1.4 + 0.2) / 2)
    assert JudgeScores(consistency=1, realism=2, aesthetic_quality=1).wiscore == pytest.approx(
        (0.7 + 0.4 + 0.1) / 2
    )
    with pytest.raises(ValueError):
        JudgeScores(consistency=3, realism=0, aesthetic_quality=0)


def test_parse_judge_reply() -> None:
    scores = wise.parse_judge_reply("**Consistency**: 2\nRealism: 1\nAesthetic Quality：0")
    assert (scores.consistency, scores.realism, scores.aesthetic_quality) == (2, 1, 0)
    with pytest.raises(wise.JudgeError):
        wise.parse_judge_reply("Consistency: 2\nRealism: 1")
    with pytest.raises(wise.JudgeError):
        wise.parse_judge_reply("Consistency: 2\nRealism: 1\nAesthetic Quality: 5")


def test_overall_weights_categories_by_size(prompts) -> None:
    # Every image of a category gets the same scores; category c gets WiScore w_c.
    per_category = {"Cultural knowledge": (2, 2, 2), "time": (1, 1, 1), "Space": (2, 0, 0),
                    "Biology": (0, 0, 0), "Physical Knowledge": (1, 2, 2), "Chemistry": (2, 1, 0)}
    judgements = [
        ImageJudgement(p.prompt_id, JudgeScores(
            consistency=per_category[p.category][0], realism=per_category[p.category][1],
            aesthetic_quality=per_category[p.category][2]))
        for p in prompts
    ]
    summary = wise.summarize_wise(prompts, judgements)
    means = {c.category: c.mean for c in summary.categories}
    expected_means = {c: wise.wiscore(*s) for c, s in per_category.items()}
    assert means == pytest.approx(expected_means)
    expected = (0.4 * expected_means["Cultural knowledge"] + 0.167 * expected_means["time"]
                + 0.133 * expected_means["Space"] + 0.1 * expected_means["Biology"]
                + 0.1 * expected_means["Physical Knowledge"] + 0.1 * expected_means["Chemistry"])
    assert summary.overall == pytest.approx(expected)
    assert "| Cultural | Time | Space | Biology | Physics | Chemistry | Overall |" in (
        summary.markdown()
    )


def test_incomplete_categories_give_no_overall(prompts) -> None:
    judgements = [ImageJudgement(p.prompt_id, JudgeScores(consistency=2, realism=2,
                                                           aesthetic_quality=2))
                  for p in prompts[:10]]
    judgements.append(ImageJudgement(11, None, "timeout"))
    summary = wise.summarize_wise(prompts, judgements)
    assert summary.overall is None
    cultural = summary.categories[0]
    assert cultural.judged == 10 and not cultural.complete
    assert cultural.mean == pytest.approx(1.0)
    assert summary.categories[1].mean is None
    assert "1.00 (10/400)" in summary.markdown()
    assert json.dumps(summary.to_json())


class KeywordJudge(wise.WiseJudge):
    """A judge that scores by image brightness, to exercise the interface."""

    def judge(self, image, prompt, explanation):
        if not prompt:
            raise wise.JudgeError("empty prompt")
        level = 2 if image.convert("L").getpixel((0, 0)) > 128 else 0
        return JudgeScores(consistency=level, realism=1, aesthetic_quality=1)


def test_judge_images_runs_judge_and_records_failures(prompts, tmp_path: Path) -> None:
    bright = Image.new("RGB", (8, 8), "white")
    dark_path = tmp_path / "dark.png"
    Image.new("RGB", (8, 8), "black").save(dark_path)
    broken = [p.model_copy(update={"prompt": ""}) if p.prompt_id == 3 else p for p in prompts]
    results = wise.judge_images(KeywordJudge(), broken, {1: [bright], 2: [dark_path], 3: [bright]})
    assert [r.prompt_id for r in results] == [1, 2, 3]
    assert results[0].scores.consistency == 2 and results[1].scores.consistency == 0
    assert results[2].scores is None and "empty prompt" in results[2].error


def test_bad_data_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(wise.WiseDataError, match="no WISE data file"):
        wise.load_wise_prompts(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"Prompt": "x"}]))
    with pytest.raises(wise.WiseDataError, match="malformed"):
        wise.load_wise_prompts(bad)


def test_text_reply_judge_asks_again_then_fails() -> None:
    replies = iter(["I think it is nice.", "Consistency: 1\nRealism: 2\nAesthetic Quality: 1"])
    asked: list[str] = []

    def reply(image, text):
        asked.append(text)
        return next(replies)

    judge = wise.TextReplyJudge(reply, attempts=2)
    scores = judge.judge(Image.new("RGB", (4, 4)), "A red fruit", "An apple")
    assert (scores.consistency, scores.realism, scores.aesthetic_quality) == (1, 2, 1)
    assert len(asked) == 2 and 'PROMPT: "A red fruit"' in asked[0]
    assert 'EXPLANATION: "An apple"' in asked[0]
    stubborn = wise.TextReplyJudge(lambda image, text: "no idea", attempts=3)
    with pytest.raises(wise.JudgeError):
        stubborn.judge(Image.new("RGB", (4, 4)), "x", "y")
