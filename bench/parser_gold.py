"""Score the current offline parser against the hand-annotated gold scene graphs.

Runs `parse_prompt` on every prompt of tests/data/scene_dev.jsonl and scene_holdout.jsonl
(docs/scene_graph_conventions.md says what the gold graphs contain) and writes, per style and
overall, object precision/recall/F1, count and colour accuracy, spatial- and action-relation
recall, relation precision, invented objects per prompt, parts and measurement recall and
refusals, next to issue 9's acceptance targets.

    python bench/parser_gold.py                                      # bench/results/parser_gold.{md,json}
    python bench/parser_gold.py --stem bench/results/parser_gold_baseline

The dev set (1568 prompts: dev-*, hold-*, aside-*, fresh-*, unseen-*, novel-*, blind-*, sealed-*, kept-*,
later-* and apart-*, the first ten aside sets, folded in after tuning rounds 2 to 11) is what the parser is tuned on;
the JSON lists every dev prompt that had a problem, with what was missed or invented. The holdout (256 beyond-*
prompts, written afresh before round 12 by four people who never ran the parser on them) is reported as figures
only, so whoever tunes the parser on these results never sees its prompts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stagestudio.eval import gold_report  # noqa: E402
from stagestudio.eval.gold_data import load_gold  # noqa: E402
from stagestudio.eval.graph_gold import GoldReport, evaluate_gold  # noqa: E402

SETS = {"dev": REPO / "tests" / "data" / "scene_dev.jsonl", "holdout": REPO / "tests" / "data" / "scene_holdout.jsonl"}
DEFAULT_STEM = REPO / "bench" / "results" / "parser_gold"

# Issue 9's acceptance targets: (figure, style or None for overall, at least / at most, value).
TARGETS: tuple[tuple[str, str | None, str, float], ...] = (
    ("object_f1", None, ">=", 0.95),
    ("count_accuracy", None, ">=", 0.97),
    ("color_accuracy", None, ">=", 0.95),
    ("spatial_recall", None, ">=", 0.85),
    ("action_recall", None, ">=", 0.80),
    ("invented_per_prompt", "paragraph", "<=", 0.30),
)


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "stagestudio"], cwd=REPO, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+uncommitted" if dirty else "")


def _targets(reports: dict[str, GoldReport]) -> list[dict]:
    rows = []
    for figure, style, op, target in TARGETS:
        row: dict = {"figure": figure, "style": style or "overall", "target": f"{op} {target}"}
        for name, report in reports.items():
            tally = report.per_style().get(style) if style else report.overall()
            value = getattr(tally, figure) if tally is not None else None
            row[name] = value
            row[f"{name}_met"] = value is not None and (value >= target if op == ">=" else value <= target)
        rows.append(row)
    return rows


def _json_without_holdout_prompts(name: str, report: GoldReport) -> dict:
    data = gold_report.to_json_dict(report)
    if name != "dev":
        data.pop("problems")
    return data


def _targets_markdown(rows: list[dict], names: list[str]) -> str:
    lines = ["| figure | style | target | " + " | ".join(names) + " |",
             "| --- | --- | --- | " + " | ".join("---:" for _ in names) + " |"]
    for row in rows:
        cells = [("-" if row[n] is None else f"{row[n]:.3f}") + (" ✓" if row[f"{n}_met"] else " ✗") for n in names]
        lines.append(f"| {row['figure']} | {row['style']} | {row['target']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The offline parser against the gold scene-graph sets.")
    parser.add_argument("--stem", type=Path, default=DEFAULT_STEM, help="write STEM.md and STEM.json")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    reports = {name: evaluate_gold(load_gold(path)) for name, path in SETS.items()}
    seconds = time.perf_counter() - start
    commit = _commit()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    targets = _targets(reports)

    sections = [(f"{name} (`{SETS[name].relative_to(REPO)}`, {len(r.examples)} prompts)", r) for name, r in reports.items()]
    markdown = gold_report.markdown_document(f"Offline parser vs gold scene graphs (commit {commit}, {stamp})", sections)
    markdown += "\n## Issue 9 acceptance targets\n\n" + _targets_markdown(targets, list(reports)) + "\n"
    result = {
        "commit": commit,
        "date": stamp,
        "parse_seconds": round(seconds, 2),
        "targets": targets,
        "sets": {name: _json_without_holdout_prompts(name, r) for name, r in reports.items()},
    }
    args.stem.parent.mkdir(parents=True, exist_ok=True)
    args.stem.with_suffix(".md").write_text(markdown, encoding="utf-8")
    args.stem.with_suffix(".json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, report in reports.items():
        print(f"{name}:\n{gold_report.to_text(report)}\n")
    print(_targets_markdown(targets, list(reports)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
