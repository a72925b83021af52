"""Core loop benchmark: parse all 553 GenEval prompts, then run the whole sketchbook loop
(plan, sketch, inspect, refine, final inspection) on a sample of them.

    python bench/loop.py [--sample 60] [--out bench/results/loop.json]

Target (issue 2): a whole loop on a two-object prompt in under 1 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stagestudio.backends.sketchbook.backend import SketchbookBackend  # noqa: E402
from stagestudio.loop.engine import LoopEngine, RunConfig  # noqa: E402
from stagestudio.scene.parser import parse_prompt  # noqa: E402

METADATA = Path(os.environ.get("STAGESTUDIO_SHARED", ROOT.parent / "shared")) / "data/geneval/evaluation_metadata.jsonl"


def summary(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p90_ms": round(values[int(0.9 * (len(values) - 1))] * 1000, 2),
        "max_ms": round(values[-1] * 1000, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=60, help="number of prompts, spread evenly over the file")
    parser.add_argument("--out", default=str(ROOT / "bench/results/loop.json"))
    args = parser.parse_args()

    lines = [json.loads(line) for line in METADATA.read_text().splitlines() if line.strip()]
    parse_times = []
    started = time.perf_counter()
    for line in lines:
        t0 = time.perf_counter()
        parse_prompt(line["prompt"])
        parse_times.append(time.perf_counter() - t0)
    parse_total = time.perf_counter() - started

    backend = SketchbookBackend()
    engine = LoopEngine(backend)
    step = max(1, len(lines) // args.sample)
    sample = lines[::step][: args.sample]
    # Warm the sprite cache once, as a running studio would be.
    list(engine.run(sample[0]["prompt"], config=RunConfig(seed=0)))
    loops: dict[int, list[float]] = {}
    outcomes = {"passed": 0, "runs": 0, "refinements": 0}
    for i, line in enumerate(sample):
        t0 = time.perf_counter()
        events = list(engine.run(line["prompt"], config=RunConfig(seed=i)))
        elapsed = time.perf_counter() - t0
        objects = len(events[0].graph.objects)
        loops.setdefault(objects, []).append(elapsed)
        outcomes["runs"] += 1
        outcomes["passed"] += bool(events[-1].passed)
        outcomes["refinements"] += sum(e.type == "refinement_planned" for e in events)

    result = {
        "machine": f"{os.cpu_count()} CPU cores, {platform.python_implementation()} {platform.python_version()}",
        "parse_all_553": {"total_s": round(parse_total, 3), **summary(parse_times)},
        "sketchbook_loop_by_object_count": {str(k): summary(v) for k, v in sorted(loops.items())},
        "sketchbook_loop_outcomes": outcomes,
        "target": "whole loop on a two-object prompt < 1000 ms",
    }
    two = loops.get(2)
    if two:
        result["two_object_loop_median_ms"] = round(statistics.median(two) * 1000, 2)
        result["meets_target"] = statistics.median(two) < 1.0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
