"""WISE (World Knowledge-Informed Semantic Evaluation): prompts, judge interface and WiScore.

Data: `shared/data/wise/final_data.json`, 1000 prompts with `Prompt`, `Explanation`, `Category`,
`Subcategory`, `prompt_id` (1..1000) and `Hint`. The six categories occupy fixed id ranges:
Cultural knowledge 1-400, time 401-567, Space 568-700, Biology 701-800, Physical Knowledge
801-900, Chemistry 901-1000.

Scoring, as in the WISE paper and its scripts (PKU-YuanGroup/WISE):

* A VLM judge (GPT-4o-2024-05-13 in the paper) gives each image three integer scores 0-2:
  consistency (with the prompt and its explanation), realism, aesthetic quality.
* Per image: ``WiScore = (0.7 * consistency + 0.2 * realism + 0.1 * aesthetic) / 2``, in [0, 1].
* Per category: the mean WiScore of its images.
* Overall: the category means weighted by category size (number of prompts / 1000):
  0.4 cultural + 0.167 time + 0.133 space + 0.1 biology + 0.1 physics + 0.1 chemistry.

WISE's scripts refuse to report a score file that holds a failed judgement (stored as 999) or
too few images. We keep the same caution without losing information: a category with missing
or failed images still reports its mean over the judged images, flagged incomplete with its
judged/total count, and the overall score is only given (not None) when every category is
complete.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

WEIGHT_CONSISTENCY = 0.7
WEIGHT_REALISM = 0.2
WEIGHT_AESTHETIC = 0.1
MAX_COMPONENT_SCORE = 2

# Category names as they appear in final_data.json, in WISE's reporting order, with short names.
CATEGORY_SHORT_NAMES: dict[str, str] = {
    "Cultural knowledge": "Cultural",
    "time": "Time",
    "Space": "Space",
    "Biology": "Biology",
    "Physical Knowledge": "Physics",
    "Chemistry": "Chemistry",
}


class WiseDataError(ValueError):
    """The WISE data file is missing or does not have the documented shape."""


class WisePrompt(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    prompt_id: int
    prompt: str = Field(alias="Prompt")
    explanation: str = Field(alias="Explanation")
    category: str = Field(alias="Category")
    subcategory: str = Field(alias="Subcategory")
    hint: str = Field(default="", alias="Hint")


def load_wise_prompts(path: str | Path) -> list[WisePrompt]:
    """All prompts of a WISE data file, ordered by prompt_id."""
    path = Path(path)
    if not path.is_file():
        raise WiseDataError(f"no WISE data file at {path}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise WiseDataError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(raw, list):
        raise WiseDataError(f"{path}: expected a list of prompts")
    try:
        prompts = [WisePrompt.model_validate(item) for item in raw]
    except ValueError as exc:
        raise WiseDataError(f"{path}: malformed prompt: {exc}") from exc
    ids = [p.prompt_id for p in prompts]
    if len(set(ids)) != len(ids):
        raise WiseDataError(f"{path}: duplicate prompt_id values")
    return sorted(prompts, key=lambda p: p.prompt_id)


def group_by_category(prompts: Iterable[WisePrompt]) -> dict[str, list[WisePrompt]]:
    """Category -> prompts; WISE's categories first in reporting order, then any others."""
    groups: dict[str, list[WisePrompt]] = {}
    for prompt in prompts:
        groups.setdefault(prompt.category, []).append(prompt)
    order = [c for c in CATEGORY_SHORT_NAMES if c in groups] + [
        c for c in groups if c not in CATEGORY_SHORT_NAMES
    ]
    return {c: groups[c] for c in order}


def group_by_subcategory(prompts: Iterable[WisePrompt]) -> dict[tuple[str, str], list[WisePrompt]]:
    groups: dict[tuple[str, str], list[WisePrompt]] = {}
    for prompt in prompts:
        groups.setdefault((prompt.category, prompt.subcategory), []).append(prompt)
    return groups


# --------------------------------------------------------------------------- judging


class JudgeScores(BaseModel):
    """The judge's three scores for one image, each an integer 0-2."""

    model_config = ConfigDict(extra="forbid")

    consistency: int = Field(ge=0, le=MAX_COMPONENT_SCORE)
    realism: int = Field(ge=0, le=MAX_COMPONENT_SCORE)
    aesthetic_quality: int = Field(ge=0, le=MAX_COMPONENT_SCORE)

    @property
    def wiscore(self) -> float:
        return wiscore(self.consistency, self.realism, self.aesthetic_quality)


def wiscore(consistency: float, realism: float, aesthetic_quality: float) -> float:
    """(0.7 consistency + 0.2 realism + 0.1 aesthetic) / 2, in [0, 1] for scores in 0-2."""
    return (
        WEIGHT_CONSISTENCY * consistency + WEIGHT_REALISM * realism
        + WEIGHT_AESTHETIC * aesthetic_quality
    ) / MAX_COMPONENT_SCORE


class WiseJudge(ABC):
    """A vision-language judge of one generated image against its WISE prompt."""

    name: str = "judge"

    @abstractmethod
    def judge(self, image: Image.Image, prompt: str, explanation: str) -> JudgeScores:
        """Scores for `image` given the prompt and WISE's explanation of what it means.

        Raise JudgeError when no usable answer could be had; the image is then reported as
        failed rather than scored."""


class JudgeError(RuntimeError):
    """The judge gave no usable scores for an image."""


_SCORE_LINE = re.compile(
    r"\*{0,2}(consistency|realism|aesthetic quality)\*{0,2}\s*[:\uff1a]?\s*(\d)", re.IGNORECASE
)


def parse_judge_reply(text: str) -> JudgeScores:
    """Scores from a judge's text reply in WISE's output format ("Consistency: 2" lines, bold
    markers tolerated). Raises JudgeError when a score is missing or out of range."""
    found: dict[str, int] = {}
    for name, value in _SCORE_LINE.findall(text):
        found[name.lower().replace(" ", "_")] = int(value)
    missing = {"consistency", "realism", "aesthetic_quality"} - set(found)
    if missing:
        raise JudgeError(f"judge reply lacks {', '.join(sorted(missing))}: {text[:200]!r}")
    try:
        return JudgeScores(**found)
    except ValueError as exc:
        raise JudgeError(f"judge reply has an out-of-range score: {text[:200]!r}") from exc


def judge_instructions(prompt: str, explanation: str) -> str:
    """The text a VLM judge receives with the image: WISE's three criteria, its 0/1/2 scale and
    its output format (three lines, "Consistency: n", "Realism: n", "Aesthetic Quality: n")."""
    return (
        "You are a strict judge of text-to-image results. Score the image on three criteria, "
        "each 0, 1 or 2, where 2 is reserved for flawless results and any doubt lowers the score.\n"
        "Consistency: does the image show exactly what the PROMPT asks for, as the EXPLANATION "
        "spells it out? 0 = key elements missing or contradicted; 1 = partly right; "
        "2 = every element and nuance right.\n"
        "Realism: is it physically plausible and photographic? 0 = clearly artificial or "
        "impossible; 1 = minor flaws; 2 = indistinguishable from a real photograph.\n"
        "Aesthetic Quality: composition, colour and artistry. 0 = unappealing; 1 = acceptable; "
        "2 = exceptional.\n"
        "Answer with exactly three lines and nothing else:\n"
        "Consistency: <0-2>\nRealism: <0-2>\nAesthetic Quality: <0-2>\n\n"
        f'PROMPT: "{prompt}"\nEXPLANATION: "{explanation}"'
    )


class TextReplyJudge(WiseJudge):
    """Any VLM as a WISE judge: `reply(image, instructions) -> text` is asked with
    `judge_instructions(...)` and its text parsed by `parse_judge_reply`; an unusable reply is
    asked again up to `attempts` times before the image is reported as failed."""

    def __init__(self, reply: Any, name: str = "vlm", attempts: int = 2) -> None:
        self.reply = reply
        self.name = name
        self.attempts = max(1, attempts)

    def judge(self, image: Image.Image, prompt: str, explanation: str) -> JudgeScores:
        instructions = judge_instructions(prompt, explanation)
        last: JudgeError | None = None
        for _ in range(self.attempts):
            try:
                return parse_judge_reply(str(self.reply(image, instructions)))
            except JudgeError as exc:
                last = exc
        assert last is not None
        raise last


# --------------------------------------------------------------------------- aggregation


@dataclass
class ImageJudgement:
    prompt_id: int
    scores: JudgeScores | None  # None when the judge failed
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"prompt_id": self.prompt_id}
        if self.scores is not None:
            data.update(self.scores.model_dump(), wiscore=self.scores.wiscore)
        else:
            data["error"] = self.error
        return data


@dataclass
class CategoryScore:
    category: str
    prompts: int  # prompts of this category in the benchmark
    judged: int  # images with scores
    mean: float | None  # mean WiScore over judged images
    weight: float  # category size / benchmark size
    subcategories: dict[str, float] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.judged == self.prompts

    @property
    def short_name(self) -> str:
        return CATEGORY_SHORT_NAMES.get(self.category, self.category)


@dataclass
class WiseSummary:
    categories: list[CategoryScore]
    overall: float | None  # None unless every category is complete

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "categories": {
                c.short_name: {
                    "category": c.category, "mean": c.mean, "weight": c.weight,
                    "judged": c.judged, "prompts": c.prompts, "complete": c.complete,
                    "subcategories": c.subcategories,
                }
                for c in self.categories
            },
        }

    def markdown(self) -> str:
        head = "| " + " | ".join(c.short_name for c in self.categories) + " | Overall |"
        rule = "|" + "---|" * (len(self.categories) + 1)

        def fmt(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.2f}"

        row = "| " + " | ".join(
            fmt(c.mean) + ("" if c.complete else f" ({c.judged}/{c.prompts})")
            for c in self.categories
        ) + f" | {fmt(self.overall)} |"
        return "\n".join([head, rule, row])


def summarize_wise(
    prompts: Sequence[WisePrompt], judgements: Iterable[ImageJudgement]
) -> WiseSummary:
    """Per-category mean WiScore and the size-weighted overall score (see module docstring).

    When several images exist for a prompt (several seeds), each counts as one image of its
    category, as WISE scores one image per prompt."""
    by_id = {p.prompt_id: p for p in prompts}
    total = len(prompts)
    scores: dict[str, list[float]] = {}
    sub_scores: dict[tuple[str, str], list[float]] = {}
    judged_ids: dict[str, set[int]] = {}
    for item in judgements:
        prompt = by_id.get(item.prompt_id)
        if prompt is None:
            raise WiseDataError(f"judgement for unknown prompt_id {item.prompt_id}")
        if item.scores is None:
            continue
        scores.setdefault(prompt.category, []).append(item.scores.wiscore)
        sub_scores.setdefault((prompt.category, prompt.subcategory), []).append(
            item.scores.wiscore
        )
        judged_ids.setdefault(prompt.category, set()).add(prompt.prompt_id)
    categories = []
    for category, members in group_by_category(prompts).items():
        values = scores.get(category, [])
        categories.append(CategoryScore(
            category=category,
            prompts=len(members),
            judged=len(judged_ids.get(category, set())),
            mean=sum(values) / len(values) if values else None,
            weight=len(members) / total,
            subcategories={
                sub: sum(v) / len(v)
                for (cat, sub), v in sorted(sub_scores.items()) if cat == category
            },
        ))
    complete = bool(categories) and all(c.complete and c.mean is not None for c in categories)
    overall = sum(c.weight * c.mean for c in categories) if complete else None  # type: ignore[misc]
    return WiseSummary(categories, overall)


def judge_images(
    judge: WiseJudge,
    prompts: Sequence[WisePrompt],
    images: Mapping[int, Sequence[Image.Image | str | Path]],
) -> list[ImageJudgement]:
    """Run the judge over every image (prompt_id -> images or image paths)."""
    by_id = {p.prompt_id: p for p in prompts}
    out: list[ImageJudgement] = []
    for prompt_id, items in sorted(images.items()):
        prompt = by_id[prompt_id]
        for item in items:
            image = item if isinstance(item, Image.Image) else Image.open(item).convert("RGB")
            try:
                scores = judge.judge(image, prompt.prompt, prompt.explanation)
            except JudgeError as exc:
                out.append(ImageJudgement(prompt_id, None, str(exc)))
                continue
            out.append(ImageJudgement(prompt_id, scores))
    return out


# --------------------------------------------------------------------------- score files

# WISE's scripts store 999 for each score of an image whose judge call failed.
FAILED_SCORE = 999


def read_score_file(path: str | Path) -> list[ImageJudgement]:
    """Judgements from a score file in WISE's format: JSON lines with `prompt_id`,
    `consistency`, `realism`, `aesthetic_quality` (999 = the judge failed)."""
    out: list[ImageJudgement] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            prompt_id = int(row["prompt_id"])
            values = [row.get(k) for k in ("consistency", "realism", "aesthetic_quality")]
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise WiseDataError(f"{path}:{number}: not a WISE score line ({exc})") from exc
        if any(v is None or v == FAILED_SCORE for v in values):
            out.append(ImageJudgement(prompt_id, None, "judge failed"))
            continue
        try:
            scores = JudgeScores(consistency=int(values[0]), realism=int(values[1]),
                                 aesthetic_quality=int(values[2]))
        except (TypeError, ValueError) as exc:
            raise WiseDataError(f"{path}:{number}: scores out of range 0-2 ({values})") from exc
        out.append(ImageJudgement(prompt_id, scores))
    return out


def write_score_file(judgements: Iterable[ImageJudgement], path: str | Path) -> Path:
    """Judgements in WISE's score-file format (failures as 999), readable by WISE's scripts."""
    lines = []
    for item in judgements:
        if item.scores is None:
            values = dict.fromkeys(("consistency", "realism", "aesthetic_quality"), FAILED_SCORE)
        else:
            values = item.scores.model_dump()
        lines.append(json.dumps({"prompt_id": item.prompt_id, **values}))
    path = Path(path)
    path.write_text("\n".join(lines) + ("\n" if lines else ""))
    return path
