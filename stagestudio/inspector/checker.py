"""Scene-graph checker: compare a detector's findings with the scene graph, fact by fact.

It relies only on the Detection list (label, box, score, colour), so the sketchbook's
pixel matcher and real detectors (Mask2Former, OWLv2) plug in unchanged.

Facts, one FactResult each:
* presence  - per distinct object name: at least one detection above the score threshold.
* count     - per distinct object name: exactly the sum of the counts asked for that name.
* color     - per object with a colour: its instances (the `count` highest-scoring
              detections of its name, as GenEval does) all have that colour.
* relation  - per relation, judged on the union box of each side's instances (one box for
              "the dogs"); a group relation holds when the groups as wholes stand that way,
              which is how people read "three cups left of a plate".

Geometric rules (boxes [x1, y1, x2, y2], y pointing down):
* left of / right of / above / below: GenEval's rule. Take the offset between box centres;
  on each axis shrink its magnitude by `position_threshold` x (sum of both boxes' extents on
  that axis), not below 0, keeping the sign; if both shrunk values are < 0.001 no relation
  holds; else divide by the unshrunk offset's length; left/right if x < -0.5 / > 0.5,
  above/below if y < -0.5 / > 0.5.
* on: the subject overlaps the object horizontally, its centre is higher, and its bottom
  reaches the object's top (within a contact tolerance) - resting on it or overlapping it.
* under: the subject overlaps the object horizontally, its centre is lower and its top is
  not above the object's top; no contact needed ("a cat under the table", "a boat under
  a cloud").
* inside: the subject's box lies within the object's box (small tolerance) and is smaller.
* in front of / behind: boxes cannot show depth, so on a ground plane the nearer object
  stands lower in the frame: in front of = the subject's bottom edge is lower than the
  object's by a margin (5% of their mean height) and the two are close horizontally
  (gap at most 0.6 x their mean width); behind is the reverse.
* next to: side by side - their vertical extents overlap by at least 30% of the shorter,
  the horizontal gap is at most half their mean width, and neither contains the other.
* near: the gap between the boxes is at most 0.75 x the mean of their longer sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

from stagestudio.inspector.detection import Detection, Detector
from stagestudio.inspector.verdict import FactResult, Verdict, verdict_passes
from stagestudio.scene.graph import Relation, SceneGraph, SceneObject
from stagestudio.scene.text import NUMBER_WORDS, definite, noun_phrase, plural

Box = tuple[float, float, float, float]
GENEVAL_PREDICATES = ("left of", "right of", "above", "below")

# Colour words a prompt may use, folded onto GenEval's ten names that detectors report.
COLOR_EQUIVALENTS = {
    "grey": "black", "gray": "black", "silver": "white", "gold": "yellow", "golden": "yellow",
    "violet": "purple", "magenta": "pink", "crimson": "red", "navy": "blue", "beige": "white",
    "tan": "brown", "cyan": "blue", "turquoise": "blue", "lime": "green",
}


def same_color(asked: str, seen: str | None) -> bool:
    if seen is None:
        return False
    a, s = asked.strip().lower(), seen.strip().lower()
    return COLOR_EQUIVALENTS.get(a, a) == COLOR_EQUIVALENTS.get(s, s)


# --- geometry ------------------------------------------------------------------------------
def union_box(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def geneval_relations(subject: Box, obj: Box, threshold: float = 0.1) -> set[str]:
    """GenEval's relative position of `subject` with respect to `obj` (the scorer's own rule,
    in float32, so the inspector and the benchmark never disagree on geometry)."""
    from stagestudio.eval.geneval import relative_position

    return relative_position(subject, obj, threshold)


def _h_overlap(a: Box, b: Box) -> float:
    return min(a[2], b[2]) - max(a[0], b[0])


def _v_overlap(a: Box, b: Box) -> float:
    return min(a[3], b[3]) - max(a[1], b[1])


def _contact_tol(a: Box, b: Box) -> float:
    return 0.1 * ((a[3] - a[1]) + (b[3] - b[1])) / 2 + 3.0


def _contains(outer: Box, inner: Box, tol: float) -> bool:
    return (
        inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
        and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol
    )


def _area(b: Box) -> float:
    return max(b[2] - b[0], 0.0) * max(b[3] - b[1], 0.0)


def relation_holds(predicate: str, s: Box, o: Box, position_threshold: float = 0.1) -> bool:
    """Whether `s predicate o` holds for boxes s (subject) and o (object); see module doc."""
    if predicate in GENEVAL_PREDICATES:
        return predicate in geneval_relations(s, o, position_threshold)
    scy, ocy = (s[1] + s[3]) / 2, (o[1] + o[3]) / 2
    mean_w = ((s[2] - s[0]) + (o[2] - o[0])) / 2
    mean_h = ((s[3] - s[1]) + (o[3] - o[1])) / 2
    gap_x = max(-_h_overlap(s, o), 0.0)
    gap_y = max(-_v_overlap(s, o), 0.0)
    if predicate == "on":
        return _h_overlap(s, o) > 0 and scy < ocy and s[3] >= o[1] - _contact_tol(s, o)
    if predicate == "under":
        return _h_overlap(s, o) > 0 and scy > ocy and s[1] >= o[1]
    if predicate == "inside":
        tol = 0.05 * max(o[2] - o[0], o[3] - o[1]) + 2.0
        return _contains(o, s, tol) and _area(s) < _area(o)
    if predicate in ("in front of", "behind"):
        close = gap_x <= 0.6 * mean_w
        lower = s[3] - o[3]
        margin = 0.05 * mean_h
        return close and (lower > margin if predicate == "in front of" else lower < -margin)
    if predicate == "next to":
        min_h = min(s[3] - s[1], o[3] - o[1])
        tol = 0.05 * max(o[2] - o[0], o[3] - o[1]) + 2.0
        nested = _contains(o, s, tol) or _contains(s, o, tol)
        return _v_overlap(s, o) >= 0.3 * min_h and gap_x <= 0.5 * mean_w and not nested
    if predicate == "near":
        mean_long = (max(s[2] - s[0], s[3] - s[1]) + max(o[2] - o[0], o[3] - o[1])) / 2
        return math.hypot(gap_x, gap_y) <= 0.75 * mean_long
    raise ValueError(f"unknown predicate {predicate!r}")


def describe_position(s: Box, o: Box, position_threshold: float = 0.1) -> str:
    """Where s is relative to o, in words: 'to its left', 'above it and to its right'."""
    words = geneval_relations(s, o, position_threshold)
    parts = []
    if "above" in words:
        parts.append("above it")
    if "below" in words:
        parts.append("below it")
    if "left of" in words:
        parts.append("to its left")
    if "right of" in words:
        parts.append("to its right")
    if not parts:
        return "level with it" if _area(s) and _area(o) and _h_overlap(s, o) <= 0 else "overlapping it"
    return " and ".join(parts)


# --- wording ---------------------------------------------------------------------------------
def _number(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def _count_phrase(name: str, n: int) -> str:
    return f"{n} {name if n == 1 else plural(name)}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _be(count: int) -> str:
    return "is" if count == 1 else "are"


# --- the checker ------------------------------------------------------------------------------
@dataclass
class _Kept:
    """Detections per label above the threshold, highest score first."""

    by_label: dict[str, list[Detection]]

    def of(self, name: str) -> list[Detection]:
        return self.by_label.get(name, [])


class SceneGraphChecker:
    """Judges an image against a scene graph using a detector's boxes, scores and colours."""

    def __init__(
        self,
        detector: Detector,
        score_threshold: float = 0.3,
        position_threshold: float = 0.1,
        max_per_class: int = 32,
    ) -> None:
        # GenEval keeps at most 16 detections per class; graphs here allow counts up to 20,
        # so the cap sits above that (it only guards against runaway detectors).
        self.detector = detector
        self.score_threshold = score_threshold
        self.position_threshold = position_threshold
        self.max_per_class = max_per_class

    @property
    def source(self) -> str:
        return getattr(self.detector, "name", "detector")

    # The detections the checker trusts: strictly above the threshold (as GenEval), best first.
    def _keep(self, detections: list[Detection]) -> _Kept:
        by_label: dict[str, list[Detection]] = {}
        for d in sorted(detections, key=lambda d: -d.score):
            if d.score > self.score_threshold:
                by_label.setdefault(d.label.strip().lower(), []).append(d)
        return _Kept({k: v[: self.max_per_class] for k, v in by_label.items()})

    def _instances(self, obj: SceneObject, target: SceneGraph, kept: _Kept) -> list[Detection]:
        """The detections that stand for `obj`: its `count` best of its name; when several
        objects share a name, a coloured one takes the detections of its colour first."""
        pool = kept.of(obj.name)
        siblings = [o for o in target.objects if o.name == obj.name]
        if len(siblings) > 1 and obj.attributes.color:
            matching = [d for d in pool if same_color(obj.attributes.color, d.color)]
            rest = [d for d in pool if not same_color(obj.attributes.color, d.color)]
            pool = matching + rest
        elif len(siblings) > 1:
            claimed = [o.attributes.color for o in siblings if o.attributes.color]
            taken = [any(same_color(c, d.color) for c in claimed) for d in pool]
            pool = [d for d, t in zip(pool, taken) if not t] + [d for d, t in zip(pool, taken) if t]
        return pool[: obj.count]

    def check(self, image: Image.Image, target: SceneGraph, instruction: str | None = None) -> Verdict:
        names = list(dict.fromkeys(o.name for o in target.objects))
        detections = self.detector.detect(image, names) if names else []
        return self.judge(detections, target, instruction)

    def judge(self, detections: list[Detection], target: SceneGraph, instruction: str | None = None) -> Verdict:
        """The verdict for detections already made (lets callers reuse one detector pass)."""
        kept = self._keep(detections)
        facts: list[FactResult] = []
        critiques: list[str] = []
        corrections: list[str] = []
        missing_names: set[str] = set()
        src = self.source

        # presence and count, per distinct name
        for name in dict.fromkeys(o.name for o in target.objects):
            objs = [o for o in target.objects if o.name == name]
            ids = [o.id for o in objs]
            wanted = sum(o.count for o in objs)
            found = len(kept.of(name))
            present = found >= 1
            facts.append(FactResult(kind="presence", fact=f"there is {noun_phrase(name, 1)}", passed=present,
                                    object_ids=ids, expected=">=1", observed=str(found), source=src))
            facts.append(FactResult(kind="count", fact=_count_phrase(name, wanted), passed=found == wanted,
                                    object_ids=ids, expected=str(wanted), observed=str(found), source=src))
            if not present:
                missing_names.add(name)
                phrase = " and ".join(o.noun_phrase() for o in objs)
                critiques.append(f"There is no {name} in the image.")
                corrections.append(f"Add {phrase}.")
            elif found != wanted:
                critiques.append(f"Expected {_count_phrase(name, wanted)}, found {found}.")
                diff = abs(found - wanted)
                what = name if diff == 1 else plural(name)
                exact = f"there {'is' if wanted == 1 else 'are'} exactly {_number(wanted)}"
                if found > wanted:
                    corrections.append(f"Remove {_number(diff)} {what} so {exact}.")
                else:
                    corrections.append(f"Add {_number(diff)} more {what} so {exact}.")

        instances = {o.id: self._instances(o, target, kept) for o in target.objects}

        # colour, per coloured object
        for o in target.objects:
            color = o.attributes.color
            if not color:
                continue
            mine = instances[o.id]
            seen = [d.color or "unknown" for d in mine]
            ok = len(mine) == o.count and all(same_color(color, d.color) for d in mine)
            observed = ", ".join(seen) if seen else "missing"
            facts.append(FactResult(kind="color", fact=f"{definite(o.name, o.count)} {_be(o.count)} {color}",
                                    passed=ok, object_ids=[o.id], expected=color, observed=observed, source=src))
            if not ok and o.name not in missing_names:
                wrong = sorted({c for c in seen if not same_color(color, c)})
                if wrong:
                    looks = " and ".join(wrong)
                    critiques.append(f"{_cap(definite(o.name, o.count))} {_be(o.count)} not {color}: "
                                     f"{'it looks' if o.count == 1 else 'some look'} {looks}.")
                else:
                    critiques.append(f"Not all {plural(o.name)} could be found to check they are {color}.")
                target_words = definite(o.name, 1) if o.count == 1 else f"all the {plural(o.name)}"
                corrections.append(f"Make {target_words} {color}.")

        # relations (actions such as "riding" cannot be judged from boxes: reported, not failed)
        for rel in target.relations:
            if rel.is_action:
                facts.append(self._action_fact(rel, target))
            else:
                facts.append(self._relation_fact(rel, target, instances, missing_names, critiques, corrections))

        passed = verdict_passes(facts)
        critique = " ".join(critiques)
        if not passed and instruction:
            critique = f"Step \u201c{instruction}\u201d is not done yet. {critique}".strip()
        return Verdict(
            passed=passed,
            facts=facts,
            critique=critique if not passed else "The image shows everything the scene graph asks for.",
            correction=" ".join(corrections) if not passed else "",
        )

    def _action_fact(self, rel: Relation, target: SceneGraph) -> FactResult:
        s_obj, o_obj = target.object(rel.subject), target.object(rel.object)
        fact = f"{definite(s_obj.name, s_obj.count)} {_be(s_obj.count)} {rel.predicate} {definite(o_obj.name, o_obj.count)}"
        return FactResult(kind="relation", fact=fact, status="unchecked", object_ids=[rel.subject, rel.object],
                          expected=rel.predicate, observed="not checkable from boxes", source=self.source)

    def _relation_fact(
        self, rel: Relation, target: SceneGraph, instances: dict[str, list[Detection]],
        missing_names: set[str], critiques: list[str], corrections: list[str],
    ) -> FactResult:
        s_obj, o_obj = target.object(rel.subject), target.object(rel.object)
        s_name, o_name = definite(s_obj.name, s_obj.count), definite(o_obj.name, o_obj.count)
        fact = f"{s_name} {_be(s_obj.count)} {rel.predicate} {o_name}"
        s_dets, o_dets = instances[rel.subject], instances[rel.object]
        ids = [rel.subject, rel.object]
        verb = "Move" if rel.predicate in GENEVAL_PREDICATES or rel.predicate in ("next to", "near") else "Put"
        correction = f"{verb} {s_name} {rel.predicate} {o_name}."
        if not s_dets or not o_dets:
            absent = [n for n, d in ((s_name, s_dets), (o_name, o_dets)) if not d]
            observed = f"{' and '.join(absent)} missing"
            reported = {s_obj.name, o_obj.name} & missing_names
            if not reported:
                critiques.append(f"Cannot see whether {fact}: {observed}.")
            corrections.append(correction)
            return FactResult(kind="relation", fact=fact, passed=False, object_ids=ids,
                              expected=rel.predicate, observed=observed, source=self.source)
        s_box = union_box([d.box for d in s_dets])
        o_box = union_box([d.box for d in o_dets])
        ok = relation_holds(rel.predicate, s_box, o_box, self.position_threshold)
        where = describe_position(s_box, o_box, self.position_threshold)
        if not ok:
            pronoun = "it is" if s_obj.count == 1 else "they are"
            if rel.predicate in ("on", "under"):
                detail = f"{pronoun} {where}, not touching it" if (
                    rel.predicate == "on" and s_box[3] < o_box[1] - _contact_tol(s_box, o_box)
                ) or (rel.predicate == "under" and s_box[1] > o_box[3] + _contact_tol(s_box, o_box)) else f"{pronoun} {where}"
            elif rel.predicate in ("next to", "near"):
                if where == "overlapping it":
                    detail = f"{pronoun} {where}"
                elif where == "level with it":
                    detail = f"{pronoun} too far from it"
                else:
                    detail = f"{pronoun} too far from it ({where})"
            else:
                detail = f"{pronoun} {where}"
            critiques.append(f"{_cap(s_name)} {_be(s_obj.count)} not {rel.predicate} {o_name}: {detail}.")
            corrections.append(correction)
        return FactResult(kind="relation", fact=fact, passed=ok, object_ids=ids,
                          expected=rel.predicate, observed=where, source=self.source)
