"""Measure the sketchbook backend's pixel detector and inspector on all GenEval prompts.

For every prompt of GenEval's evaluation metadata (graphs built from its `include`
clauses, not from the parser) it renders a clean sketch, a sketch with one forced mistake
and a default-rate sketch -> inspect -> refine (max 2) loop, and reports:
detector recall/precision/colour accuracy, the clean pass rate (no false alarms), the
forced-mistake catch rate (overall and per kind), the refine fix rate, and the loop's
final pass rate and timing. It then runs every prompt through the real loop engine
(parser, planner, step-by-step canvas, refines) at the default error rate and reports the
share of injected mistakes caught (per kind) and of final verdicts that passed.

    python bench/sketchbook_accuracy.py                 # all 553 prompts (several minutes)
    python bench/sketchbook_accuracy.py --limit 50      # a quick look

Writes bench/results/sketchbook_accuracy.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stagestudio.backends.sketchbook.harness import run  # noqa: E402

DEFAULT_METADATA = REPO.parent / "shared" / "data" / "geneval" / "evaluation_metadata.jsonl"
DEFAULT_OUT = REPO / "bench" / "results" / "sketchbook_accuracy.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sketchbook detector/inspector accuracy on GenEval prompts.")
    parser.add_argument("--metadata", type=Path, default=DEFAULT_METADATA)
    parser.add_argument("--limit", type=int, default=None, help="only the first N prompts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.metadata.exists():
        print(f"error: GenEval metadata not found at {args.metadata}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    result = run(args.metadata, limit=args.limit, seed=args.seed)
    result["settings"] = {"error_rate_loop": 0.3, "seed": args.seed, "limit": args.limit, "size": 512}
    result["machine"] = {"python": platform.python_version(), "cpu_count": __import__("os").cpu_count()}
    result["wall_seconds"] = round(time.perf_counter() - start, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    keys = ("clean_pass_rate",)
    print(json.dumps({k: result[k] for k in keys} | {"detector": result["detector"],
                     "forced": {k: v for k, v in result["forced_mistakes"].items() if k != "by_kind"},
                     "loop": result["loop_at_default_rate"],
                     "engine": result["engine_at_default_rate"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
