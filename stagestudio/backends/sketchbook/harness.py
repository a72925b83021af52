"""Accuracy harness for the sketchbook: renders GenEval prompts' graphs with and without
injected mistakes and measures the pixel detector and the inspector against what was drawn.

Used by bench/sketchbook_accuracy.py (all 553 prompts) and by the tests (a sample). Graphs
come straight from GenEval metadata (`include` clauses: class, count, colour,
position [relation, index]) so this does not depend on the prompt parser.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from stagestudio.backends.base import InspectRequest, RefineRequest, SketchRequest
from stagestudio.backends.sketchbook.backend import SketchbookBackend
from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep


def graph_from_geneval(meta: dict[str, Any]) -> SceneGraph:
    """The scene graph a GenEval metadata line asks for (ids o1, o2, ... in include order)."""
    objects, relations = [], []
    for i, clause in enumerate(meta["include"]):
        oid = f"o{i + 1}"
        objects.append(SceneObject(id=oid, name=clause["class"], count=int(clause.get("count", 1)),
                                   attributes=ObjectAttributes(color=clause.get("color"))))
        if clause.get("position"):
            predicate, other = clause["position"]
            relations.append(Relation(subject=oid, predicate=predicate, object=f"o{int(other) + 1}"))
    return SceneGraph(objects=objects, relations=relations).validate_graph()


def load_geneval(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def whole_step(graph: SceneGraph) -> PlanStep:
    return PlanStep(index=0, instruction="Draw the whole scene.", description=graph.describe(),
                    object_ids=[o.id for o in graph.objects])


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class Tally:
    prompts: int = 0
    gt_instances: int = 0
    detections: int = 0
    matched: int = 0
    color_checked: int = 0
    color_right: int = 0
    clean_passed: int = 0
    mistakes_injected: int = 0
    mistakes_caught: int = 0
    caught_by_kind: dict[str, list[int]] = field(default_factory=dict)
    refine_fixed: int = 0
    loops: int = 0
    loop_final_passed: int = 0
    loop_mistakes: int = 0
    loop_mistakes_caught: int = 0
    loop_seconds: list[float] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                for k, v in theirs.items():
                    acc = mine.setdefault(k, [0, 0])
                    acc[0] += v[0]
                    acc[1] += v[1]
            else:
                setattr(self, f.name, mine + theirs)

    def summary(self) -> dict[str, Any]:
        def rate(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        times = sorted(self.loop_seconds)
        return {
            "prompts": self.prompts,
            "detector": {
                "instances": self.gt_instances, "detections": self.detections,
                "recall": rate(self.matched, self.gt_instances),
                "precision": rate(self.matched, self.detections),
                "color_accuracy": rate(self.color_right, self.color_checked),
            },
            "clean_pass_rate": rate(self.clean_passed, self.prompts),
            "forced_mistakes": {
                "injected": self.mistakes_injected,
                "catch_rate": rate(self.mistakes_caught, self.mistakes_injected),
                "by_kind": {k: {"injected": v[0], "caught": v[1], "catch_rate": rate(v[1], v[0])}
                            for k, v in sorted(self.caught_by_kind.items())},
                "refine_fix_rate": rate(self.refine_fixed, self.mistakes_caught),
            },
            "loop_at_default_rate": {
                "runs": self.loops,
                "mistakes_injected": self.loop_mistakes,
                "catch_rate": rate(self.loop_mistakes_caught, self.loop_mistakes),
                "final_pass_rate": rate(self.loop_final_passed, self.loops),
                "median_seconds": round(times[len(times) // 2], 4) if times else None,
                "max_seconds": round(times[-1], 4) if times else None,
            },
            "false_alarm_examples": self.false_alarms[:10],
            "missed_examples": self.missed[:10],
        }


def measure_prompt(meta: dict[str, Any], tally: Tally, seed: int = 0, error_rate: float = 0.3) -> None:
    """Clean render, forced-mistake render + refine, and one default-rate loop for one prompt."""
    graph = graph_from_geneval(meta)
    step = whole_step(graph)
    prompt = meta["prompt"]
    tally.prompts += 1

    # 1. clean render: detector recall/precision/colour and the no-false-alarm rate
    clean = SketchbookBackend(error_rate=0.0)
    image = clean.sketch(SketchRequest(prompt, graph, step, graph, None, seed))
    drawing, _ = clean.sketcher.drawing(graph, graph)
    detections = clean.detector.detect(image, [o.name for o in graph.objects])
    truth = [(o.name, o.attributes.color, b) for o in graph.objects for b in drawing.boxes[o.id]]
    tally.gt_instances += len(truth)
    tally.detections += len(detections)
    used: set[int] = set()
    for name, color, box in truth:
        for k, d in enumerate(detections):
            if k not in used and d.label == name and _iou(d.box, box) >= 0.5:
                used.add(k)
                tally.matched += 1
                if color:
                    tally.color_checked += 1
                    tally.color_right += int(d.color == color)
                break
    verdict = clean.inspector.checker.judge(detections, graph)
    tally.clean_passed += int(verdict.passed)
    if not verdict.passed:
        tally.false_alarms.append(f"{prompt}: {verdict.critique}")

    # 2. forced mistake (rate 1): caught? fixed by refine?
    forced = SketchbookBackend(error_rate=1.0)
    request = SketchRequest(prompt, graph, step, graph, None, seed)
    mistakes = forced.sketcher.planned_mistakes(request)
    bad = forced.sketch(request)
    v_bad = forced.inspect(InspectRequest(prompt, graph, graph, bad, seed, step))
    for m in mistakes:
        tally.mistakes_injected += 1
        counts = tally.caught_by_kind.setdefault(m.kind, [0, 0])
        counts[0] += 1
        if not v_bad.passed:
            tally.mistakes_caught += 1
            counts[1] += 1
            fix_request = RefineRequest(prompt, graph, step, graph, None, bad, v_bad, v_bad.correction, seed)
            fixed = forced.refine(fix_request)
            v_fix = forced.inspect(InspectRequest(prompt, graph, graph, fixed, seed, step))
            tally.refine_fixed += int(v_fix.passed and not forced.sketcher.planned_mistakes(fix_request))
        else:
            tally.missed.append(f"{prompt}: {m.kind} on {m.object_id}")

    # 3. the loop at the default rate: sketch -> inspect -> up to two refines
    backend = SketchbookBackend(error_rate=error_rate)
    start = time.perf_counter()
    request = SketchRequest(prompt, graph, step, graph, None, seed)
    image = backend.sketch(request)
    verdict = backend.inspect(InspectRequest(prompt, graph, graph, image, seed, step))
    left = backend.sketcher.planned_mistakes(request)  # mistakes in the current image (ground truth)
    tally.loop_mistakes += len(left)
    if left and not verdict.passed:
        tally.loop_mistakes_caught += len(left)
    attempt = 0
    while not verdict.passed and attempt < 2:
        attempt += 1
        # A refine seed of its own, as the loop engine gives each attempt.
        fix_request = RefineRequest(prompt, graph, step, graph, None, image, verdict, verdict.correction,
                                    seed * 7919 + attempt, attempt)
        image = backend.refine(fix_request)
        verdict = backend.inspect(InspectRequest(prompt, graph, graph, image, seed, step))
        left = backend.sketcher.planned_mistakes(fix_request)
        tally.loop_mistakes += len(left)
        if left and not verdict.passed:
            tally.loop_mistakes_caught += len(left)
    tally.loop_seconds.append(time.perf_counter() - start)
    tally.loops += 1
    # "Final image correct": the inspector passed it and no simulated mistake is left in it.
    tally.loop_final_passed += int(verdict.passed and not left)


def run(metadata: Path, limit: int | None = None, seed: int = 0) -> dict[str, Any]:
    rows = load_geneval(metadata)
    if limit:
        rows = rows[:limit]
    tally = Tally()
    by_tag: dict[str, Tally] = {}
    for i, meta in enumerate(rows):
        one = Tally()
        measure_prompt(meta, one, seed=seed + i)
        tally.add(one)
        by_tag.setdefault(meta["tag"], Tally()).add(one)
    out = tally.summary()
    out["engine_at_default_rate"] = measure_engine(rows, seed=seed)
    out["by_tag"] = {tag: {k: v for k, v in t.summary().items() if not k.endswith("examples")}
                     for tag, t in sorted(by_tag.items())}
    return out




class _ProbeBackend(SketchbookBackend):
    """Records, for every sketch/refine the engine asks for, which simulated mistakes went
    in, checked against the pixels (the image differs from a mistake-free rendering)."""

    def __init__(self, error_rate: float) -> None:
        super().__init__(error_rate=error_rate)
        self._clean = SketchbookBackend(error_rate=0.0)
        self.kinds: list[list[str]] = []

    def _record(self, request, image, clean) -> None:
        kinds = [m.kind for m in self.sketcher.planned_mistakes(request)]
        if bool(kinds) != (image.tobytes() != clean.tobytes()):
            raise AssertionError(f"planned mistakes {kinds} disagree with the pixels")
        self.kinds.append(kinds)

    def sketch(self, request, hooks=None):
        image = super().sketch(request, hooks)
        self._record(request, image, self._clean.sketch(request))
        return image

    def refine(self, request, hooks=None):
        image = super().refine(request, hooks)
        self._record(request, image, self._clean.refine(request))
        return image


def measure_engine(rows: list[dict[str, Any]], seed: int = 0, error_rate: float = 0.3) -> dict[str, Any]:
    """Run the real loop engine (parser, planner, steps, refines) on each prompt and report
    the share of injected mistakes the inspector caught and of final verdicts that passed."""
    from stagestudio.loop.engine import LoopEngine, RunConfig
    from stagestudio.loop.events import FinalVerdict, VerdictReady

    injected = caught = runs = final_passed = 0
    images = 0
    by_kind: dict[str, list[int]] = {}
    seconds: list[float] = []
    for i, meta in enumerate(rows):
        backend = _ProbeBackend(error_rate)
        engine = LoopEngine(backend)
        start = time.perf_counter()
        verdicts: list[bool] = []
        final = None
        for event in engine.run(meta["prompt"], config=RunConfig(seed=seed + i)):
            if isinstance(event, VerdictReady):
                verdicts.append(event.verdict.passed)
            elif isinstance(event, FinalVerdict):
                final = event.verdict.passed
        seconds.append(time.perf_counter() - start)
        # Each sketch/refine is inspected once, in order (the final inspection is separate).
        for kinds, passed in zip(backend.kinds, verdicts):
            images += 1
            for kind in kinds:
                injected += 1
                caught += int(not passed)
                tally = by_kind.setdefault(kind, [0, 0])
                tally[0] += 1
                tally[1] += int(not passed)
        runs += 1
        final_passed += int(bool(final))
    seconds.sort()
    return {
        "runs": runs,
        "images": images,
        "mistakes_injected": injected,
        "catch_rate": round(caught / injected, 4) if injected else None,
        "by_kind": {k: {"injected": v[0], "caught": v[1]} for k, v in sorted(by_kind.items())},
        "final_pass_rate": round(final_passed / runs, 4) if runs else None,
        "median_seconds": round(seconds[len(seconds) // 2], 4) if seconds else None,
        "max_seconds": round(seconds[-1], 4) if seconds else None,
    }
