"""GenEval scoring: detector output + colour answers -> (correct, reason), by GenEval's rules.

This module holds the *decision rules* of GenEval's evaluator (djghosh13/geneval,
`evaluation/evaluate_images.py`, as shipped with BAGEL) and nothing about models, so the same code
scores images with Mask2Former + CLIP, with the sketchbook's pixel matcher, or with injected
answers (the golden scoring cases in `shared/data/geneval/scoring_cases.jsonl`).

The rules, with the reference's defaults (see `ScoringConfig`):

* Per class, keep detections whose score is **strictly greater** than 0.3 (0.9 for the
  `counting` tag). The reference holds scores in float32 and compares there, so a score that
  rounds to exactly 0.3 in float32 is dropped; we compare in float32 too.
* Sort the survivors by score, highest first (equal scores in the order numpy's reversed
  argsort gives, as in the reference), and keep at most 16 per class. There is no overlap
  suppression (`max_overlap` = 1.0), so duplicate boxes all count.
* Each include clause takes its `count` highest-scoring kept detections of its class. Too few
  -> "expected {cls}>={n}, found {k}".
* Colour: those detections (and only those) go to the colour classifier; all of them must get
  the asked colour as top-1 -> else "expected {color} {cls}>={n}, found {k} {color}; and
  {counts of every colour found, in GenEval's colour order}".
* Position (only when the clause's class and colour matched): every chosen detection is
  compared with every chosen detection of the target clause; the first pair whose relation
  set lacks the asked relation fails with "expected {cls} {rel} target, found {rels joined by
  ' and '} target" (an empty set gives two spaces). A target clause that failed gives
  "no target for {cls} to be {rel}".
* Relation of box A to box B (float32, like the reference): centre offset A-B per axis, shrunk
  towards 0 by 0.1 x (sum of both extents on that axis), floored at 0, sign kept. Both shrunk
  components < 0.001 -> no relation. Else divide by the length of the unshrunk offset:
  x < -0.5 left of, x > 0.5 right of, y < -0.5 above, y > 0.5 below (y points down).
* Exclude clauses: fail when the number of kept detections is >= count ->
  "expected {cls}<{n}, found {k}".
* Reasons are joined by newlines; an empty reason means correct.
* Summary (`summary_scores.py`): per tag, the fraction of correct images; the overall score is
  the unweighted mean of the tag accuracies.

The reference builds the relation words of a position failure from a Python set, so their order
in the reason varies between runs; we always write them in the order left of, right of, above,
below and compare them as a set (`reasons_equivalent`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

COLORS: tuple[str, ...] = (
    "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white",
)
TAGS: tuple[str, ...] = (
    "single_object", "two_object", "counting", "colors", "position", "color_attr",
)
RELATIONS: tuple[str, ...] = ("left of", "right of", "above", "below")


@dataclass(frozen=True)
class ScoringConfig:
    """GenEval's evaluator options, at the reference defaults."""

    threshold: float = 0.3
    counting_threshold: float = 0.9
    max_objects: int = 16
    # IoU at or above which a lower-scoring box of the same class is suppressed; 1.0 = never.
    max_overlap: float = 1.0
    position_threshold: float = 0.1

    def threshold_for(self, tag: str) -> float:
        return self.counting_threshold if tag == "counting" else self.threshold


@dataclass
class ObjectDetection:
    """One raw detector output for one class: pixel box (x2/y2 exclusive), score, optional mask."""

    box: tuple[float, float, float, float]
    score: float
    # Boolean array of shape (H, W), True on the object; None when the detector has no masks.
    mask: np.ndarray | None = None


@dataclass
class KeptDetection:
    """A detection that survived filtering; `index` is its position in the detector's list."""

    class_name: str
    index: int
    box: np.ndarray  # float32 [x1, y1, x2, y2]
    score: float
    mask: np.ndarray | None = None


class ColorClassifier(Protocol):
    """Top-1 colour (one of COLORS) for each detection, in order.

    The evaluator calls it once per include clause that asks for a colour, with exactly the
    detections that clause uses; `image` may be None when answers are injected."""

    def __call__(
        self, image: Image.Image | None, class_name: str, detections: Sequence[KeptDetection]
    ) -> list[str]: ...


@dataclass
class ColorQuery:
    class_name: str
    indices: list[int]
    answers: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"class": self.class_name, "detections": list(self.indices)}


@dataclass
class ImageVerdict:
    correct: bool
    reason: str
    # class -> input indices kept, highest score first.
    kept: dict[str, list[int]] = field(default_factory=dict)
    color_queries: list[ColorQuery] = field(default_factory=list)
    # class -> kept boxes, for reports.
    boxes: dict[str, list[list[float]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "correct": self.correct,
            "reason": self.reason,
            "kept": self.kept,
            "color_queries": [q.to_json() for q in self.color_queries],
            "boxes": self.boxes,
        }


# --------------------------------------------------------------------------- filtering


def _iou_inclusive(a: np.ndarray, b: np.ndarray) -> float:
    # The reference's IoU counts both end pixels (+1); it only matters when max_overlap < 1.
    def area(box: Sequence[float]) -> float:
        return max(box[2] - box[0] + 1, 0) * max(box[3] - box[1] + 1, 0)

    inter = area([max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])])
    union = area(a) + area(b) - inter
    return float(inter / union) if union else 0.0


def filter_detections(
    detections: Mapping[str, Sequence[ObjectDetection]],
    tag: str,
    config: ScoringConfig = ScoringConfig(),
) -> dict[str, list[KeptDetection]]:
    """Apply the score threshold, the per-class cap and (optional) overlap suppression.

    Classes with nothing kept are left out of the result."""
    threshold = np.float32(config.threshold_for(tag))
    kept: dict[str, list[KeptDetection]] = {}
    for class_name, items in detections.items():
        if not items:
            continue
        scores = np.asarray([d.score for d in items], dtype=np.float32)
        boxes = np.asarray([d.box for d in items], dtype=np.float32).reshape(-1, 4)
        # Descending by float32 score. Equal scores keep the order of numpy's default
        # (unstable) ascending argsort, reversed, exactly as the reference ranks them: for small
        # arrays that puts the later input first, for larger ones it depends on numpy's sort.
        order = [int(i) for i in np.argsort(scores)[::-1]]
        order = [i for i in order if scores[i] > threshold][: config.max_objects]
        chosen: list[int] = []
        while order:
            best = order.pop(0)
            chosen.append(best)
            if config.max_overlap < 1:
                order = [
                    i for i in order if _iou_inclusive(boxes[best], boxes[i]) < config.max_overlap
                ]
        if chosen:
            kept[class_name] = [
                KeptDetection(class_name, i, boxes[i], float(scores[i]), items[i].mask)
                for i in chosen
            ]
    return kept


# --------------------------------------------------------------------------- geometry


def relative_position(
    box_a: Sequence[float], box_b: Sequence[float], position_threshold: float = 0.1
) -> set[str]:
    """Relations of box A to box B ("left of", "right of", "above", "below"), in float32."""
    a = np.asarray(box_a[:4], dtype=np.float32)
    b = np.asarray(box_b[:4], dtype=np.float32)
    two = np.float32(2)
    center_a = np.array([(a[0] + a[2]) / two, (a[1] + a[3]) / two], dtype=np.float32)
    center_b = np.array([(b[0] + b[2]) / two, (b[1] + b[3]) / two], dtype=np.float32)
    extent_a = np.abs(np.array([a[2] - a[0], a[3] - a[1]], dtype=np.float32))
    extent_b = np.abs(np.array([b[2] - b[0], b[3] - b[1]], dtype=np.float32))
    offset = center_a - center_b
    margin = np.float32(position_threshold) * (extent_a + extent_b)
    shrunk = np.maximum(np.abs(offset) - margin, np.float32(0)) * np.sign(offset)
    if np.all(np.abs(shrunk) < np.float32(1e-3)):
        return set()
    # np.linalg.norm keeps float32 for a float32 vector, like the reference.
    dx, dy = shrunk / np.linalg.norm(offset)
    relations: set[str] = set()
    if dx < -0.5:
        relations.add("left of")
    if dx > 0.5:
        relations.add("right of")
    if dy < -0.5:
        relations.add("above")
    if dy > 0.5:
        relations.add("below")
    return relations


def _ordered(relations: Iterable[str]) -> list[str]:
    found = set(relations)
    return [r for r in RELATIONS if r in found]


# --------------------------------------------------------------------------- decision rules


def evaluate_kept(
    metadata: Mapping[str, Any],
    kept: Mapping[str, Sequence[KeptDetection]],
    classify_colors: ColorClassifier,
    image: Image.Image | None = None,
    config: ScoringConfig = ScoringConfig(),
) -> ImageVerdict:
    """GenEval's verdict for one image from its kept detections (see module docstring)."""
    correct = True
    reasons: list[str] = []
    queries: list[ColorQuery] = []
    # Per include clause: the detections it matched, or None when the clause failed.
    matched_groups: list[Sequence[KeptDetection] | None] = []

    for clause in metadata.get("include", []):
        class_name = clause["class"]
        count = int(clause["count"])
        chosen = list(kept.get(class_name, []))[:count]
        matched = True
        if len(chosen) < count:
            matched = False
            reasons.append(f"expected {class_name}>={count}, found {len(chosen)}")
        else:
            if "color" in clause:
                wanted = clause["color"]
                answers = list(classify_colors(image, class_name, chosen))
                if len(answers) != len(chosen):
                    raise ValueError(
                        f"colour classifier returned {len(answers)} answers for "
                        f"{len(chosen)} {class_name} detections"
                    )
                queries.append(ColorQuery(class_name, [d.index for d in chosen], answers))
                hits = answers.count(wanted)
                if hits < count:
                    matched = False
                    found = ", ".join(f"{answers.count(c)} {c}" for c in COLORS if c in answers)
                    reasons.append(
                        f"expected {wanted} {class_name}>={count}, found {hits} {wanted}; and {found}"
                    )
            if "position" in clause and matched:
                relation, target_index = clause["position"]
                targets = matched_groups[target_index]
                if targets is None:
                    matched = False
                    reasons.append(f"no target for {class_name} to be {relation}")
                else:
                    for placed in chosen:
                        for target in targets:
                            found_rels = relative_position(
                                placed.box, target.box, config.position_threshold
                            )
                            if relation not in found_rels:
                                matched = False
                                reasons.append(
                                    f"expected {class_name} {relation} target, found "
                                    f"{' and '.join(_ordered(found_rels))} target"
                                )
                                break
                        if not matched:
                            break
        correct = correct and matched
        matched_groups.append(chosen if matched else None)

    for clause in metadata.get("exclude", []):
        class_name = clause["class"]
        present = len(kept.get(class_name, []))
        if present >= int(clause["count"]):
            correct = False
            reasons.append(f"expected {class_name}<{clause['count']}, found {present}")

    return ImageVerdict(
        correct=correct,
        reason="\n".join(reasons),
        kept={name: [d.index for d in items] for name, items in kept.items()},
        color_queries=queries,
        boxes={name: [[float(v) for v in d.box] for d in items] for name, items in kept.items()},
    )


def score_image(
    metadata: Mapping[str, Any],
    detections: Mapping[str, Sequence[ObjectDetection]],
    classify_colors: ColorClassifier,
    image: Image.Image | None = None,
    config: ScoringConfig = ScoringConfig(),
) -> ImageVerdict:
    """Filter raw per-class detections, then apply the decision rules."""
    kept = filter_detections(detections, str(metadata.get("tag", "")), config)
    return evaluate_kept(metadata, kept, classify_colors, image, config)


def reasons_equivalent(expected: str, actual: str, relation_order_free: bool = False) -> bool:
    """Exact comparison, or with the relation words of position failures compared as a set."""
    if expected == actual:
        return True
    if not relation_order_free:
        return False
    exp_lines, act_lines = expected.split("\n"), actual.split("\n")
    return len(exp_lines) == len(act_lines) and all(
        _position_line_key(e) == _position_line_key(a) for e, a in zip(exp_lines, act_lines)
    )


def _position_line_key(line: str) -> tuple[str, frozenset[str]] | str:
    marker = " target, found "
    if line.startswith("expected ") and marker in line and line.endswith(" target"):
        head, found = line.split(marker, 1)
        words = found[: -len(" target")]
        return head, frozenset(w for w in words.split(" and ") if w)
    return line


# --------------------------------------------------------------------------- summary


@dataclass
class TagScore:
    tag: str
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else float("nan")


@dataclass
class GenevalSummary:
    tags: list[TagScore]
    images: int
    prompts: int
    correct_images: int
    correct_prompts: int

    @property
    def overall(self) -> float:
        """Unweighted mean of the per-tag accuracies (tags with no images are skipped)."""
        values = [t.accuracy for t in self.tags if t.total]
        return float(np.mean(values)) if values else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "images": self.images,
            "prompts": self.prompts,
            "correct_images": self.correct_images,
            "correct_prompts": self.correct_prompts,
            "tags": {t.tag: {"accuracy": t.accuracy, "correct": t.correct, "total": t.total}
                     for t in self.tags},
        }


def summarize(results: Iterable[Mapping[str, Any]]) -> GenevalSummary:
    """Summary of per-image results, each with `tag`, `correct` and a prompt key (`prompt_index`
    or `prompt`). Tags appear in GenEval's order, then any others in order of appearance."""
    per_tag: dict[str, list[bool]] = {}
    per_prompt: dict[Any, list[bool]] = {}
    count = 0
    for row in results:
        count += 1
        per_tag.setdefault(str(row["tag"]), []).append(bool(row["correct"]))
        key = row.get("prompt_index", row.get("prompt"))
        per_prompt.setdefault(key, []).append(bool(row["correct"]))
    order = [t for t in TAGS if t in per_tag] + [t for t in per_tag if t not in TAGS]
    return GenevalSummary(
        tags=[TagScore(t, sum(per_tag[t]), len(per_tag[t])) for t in order],
        images=count,
        prompts=len(per_prompt),
        correct_images=sum(sum(v) for v in per_tag.values()),
        correct_prompts=sum(any(v) for v in per_prompt.values()),
    )


# --------------------------------------------------------------------------- golden cases


class ScoringCaseError(ValueError):
    """A scoring-case file line that does not have the documented shape."""


@dataclass
class ScoringCase:
    id: str
    tag: str
    flags: list[str]
    metadata: dict[str, Any]
    image_size: tuple[int, int]  # (W, H)
    detections: dict[str, list[ObjectDetection]]
    # class -> the injected colour answer of each input detection.
    colors: dict[str, list[str]]
    expected: dict[str, Any]
    scenario: str = ""


def _rect_mask(rect: Sequence[int], size: tuple[int, int]) -> np.ndarray:
    width, height = size
    mask = np.zeros((height, width), dtype=bool)
    x1, y1, x2, y2 = (int(v) for v in rect)
    mask[max(y1, 0):max(y2, 0), max(x1, 0):max(x2, 0)] = True
    return mask


def _case_color(item: Mapping[str, Any]) -> str:
    """The injected colour answer: `color`, else the argmax of `color_logits` (COLORS order)."""
    if item.get("color"):
        return str(item["color"])
    logits = item.get("color_logits")
    if logits is not None and len(logits) == len(COLORS):
        return COLORS[int(np.argmax(np.asarray(logits, dtype=np.float64)))]
    return ""


def parse_scoring_case(data: Mapping[str, Any]) -> ScoringCase:
    try:
        size = (int(data["image_size"][0]), int(data["image_size"][1]))
        detections: dict[str, list[ObjectDetection]] = {}
        colors: dict[str, list[str]] = {}
        for class_name, items in data["detections"].items():
            detections[class_name] = []
            colors[class_name] = []
            for item in items:
                mask_spec = item.get("mask")
                mask = None
                if isinstance(mask_spec, Mapping) and "rect" in mask_spec:
                    mask = _rect_mask(mask_spec["rect"], size)
                box = tuple(float(v) for v in item["box"])
                detections[class_name].append(ObjectDetection(box, float(item["score"]), mask))
                colors[class_name].append(_case_color(item))
        return ScoringCase(
            id=str(data["id"]),
            tag=str(data["tag"]),
            flags=list(data.get("flags", [])),
            metadata=dict(data["metadata"]),
            image_size=size,
            detections=detections,
            colors=colors,
            expected=dict(data["expected"]),
            scenario=str(data.get("scenario", "")),
        )
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise ScoringCaseError(f"case {data.get('id', '?')}: malformed ({exc!r})") from exc


def load_scoring_cases(path: str | Path) -> list[ScoringCase]:
    cases = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ScoringCaseError(f"{path}:{number}: not JSON ({exc})") from exc
            cases.append(parse_scoring_case(data))
    return cases


def injected_colors(answers: Mapping[str, Sequence[str]]) -> ColorClassifier:
    """A colour classifier that answers from a table: class -> answer per input detection."""

    def classify(
        image: Image.Image | None, class_name: str, detections: Sequence[KeptDetection]
    ) -> list[str]:
        return [answers[class_name][d.index] for d in detections]

    return classify


@dataclass
class CaseOutcome:
    case: ScoringCase
    verdict: ImageVerdict
    mismatches: list[str]

    @property
    def agrees(self) -> bool:
        return not self.mismatches


def run_scoring_case(case: ScoringCase, config: ScoringConfig = ScoringConfig()) -> CaseOutcome:
    verdict = score_image(case.metadata, case.detections, injected_colors(case.colors), None, config)
    expected = case.expected
    mismatches: list[str] = []
    if verdict.correct != bool(expected["correct"]):
        mismatches.append(f"correct: expected {expected['correct']}, got {verdict.correct}")
    order_free = "reason_relation_order_unspecified" in case.flags
    if not reasons_equivalent(str(expected["reason"]), verdict.reason, order_free):
        mismatches.append(f"reason: expected {expected['reason']!r}, got {verdict.reason!r}")
    if "kept" in expected:
        want_kept = {k: list(v) for k, v in expected["kept"].items()}
        if verdict.kept != want_kept:
            mismatches.append(f"kept: expected {want_kept}, got {verdict.kept}")
    if "color_queries" in expected:
        got_queries = [q.to_json() for q in verdict.color_queries]
        want_queries = [
            {"class": q["class"], "detections": list(q["detections"])}
            for q in expected["color_queries"]
        ]
        if got_queries != want_queries:
            mismatches.append(f"color_queries: expected {want_queries}, got {got_queries}")
    return CaseOutcome(case, verdict, mismatches)


def agreement_line(agreed: int, total: int) -> str:
    percent = 100.0 * agreed / total if total else math.nan
    return f"agreement: {agreed}/{total} ({percent:.1f}%)"


# A colour classifier that never expects to be called: for tags without colour clauses.
def no_colors(
    image: Image.Image | None, class_name: str, detections: Sequence[KeptDetection]
) -> list[str]:
    raise RuntimeError(f"no colour classifier configured (asked about {class_name})")

