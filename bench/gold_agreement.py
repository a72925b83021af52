"""Inter-annotator agreement on gold scene graphs: the ceiling of issue 9's parser figures.

A second annotator, who never saw the first annotation nor ran the parser, annotated the same
prompts from docs/scene_graph_conventions.md alone. Each annotation is scored against the other
exactly as the parser is scored (`stagestudio.eval.gold_agreement`), and the parser is scored
against both, so the parser's figures can be read against what two careful people reach.

    python bench/gold_agreement.py                 # bench/results/gold_agreement.{md,json}
    python bench/gold_agreement.py --other FILE --stem STEM
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stagestudio.eval import gold_report  # noqa: E402
from stagestudio.eval.gold_agreement import agreement, paired  # noqa: E402
from stagestudio.eval.gold_data import load_gold  # noqa: E402
from stagestudio.eval.graph_gold import GoldReport, evaluate_gold  # noqa: E402

GOLD_FILES = (REPO / "tests" / "data" / "scene_dev.jsonl", REPO / "tests" / "data" / "scene_holdout.jsonl")
DEFAULT_OTHER = REPO / "bench" / "data" / "sealed_second_annotation.jsonl"
DEFAULT_STEM = REPO / "bench" / "results" / "gold_agreement"
FIGURES = ("object_f1", "count_accuracy", "color_accuracy", "spatial_recall", "action_recall", "invented_per_prompt")
TARGETS = {"object_f1": 0.95, "count_accuracy": 0.97, "color_accuracy": 0.95, "spatial_recall": 0.85,
           "action_recall": 0.80, "invented_per_prompt": 0.30}


def _figures(report: GoldReport) -> dict[str, float | None]:
    overall = report.overall()
    figures = {name: getattr(overall, name) for name in FIGURES}
    paragraph = report.per_style().get("paragraph")
    figures["invented_per_prompt"] = paragraph.invented_per_prompt if paragraph else None  # the target's style
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Agreement of two annotations of the same prompts.")
    parser.add_argument("--other", type=Path, default=DEFAULT_OTHER, help="the second annotation (gold JSON lines)")
    parser.add_argument("--stem", type=Path, default=DEFAULT_STEM, help="write STEM.md and STEM.json")
    args = parser.parse_args(argv)

    other = load_gold(args.other)
    wanted = {example.id for example in other}
    first = [example for path in GOLD_FILES for example in load_gold(path) if example.id in wanted]
    first = [ref for ref, _ in paired(first, other)]  # (checks ids and prompt texts match)

    reports = {
        "second annotator against the first": agreement(first, other),
        "first annotator against the second": agreement(other, first),
        "parser against the first": evaluate_gold(first),
        "parser against the second": evaluate_gold(other),
    }
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = f"Inter-annotator agreement on {len(first)} prompts ({stamp})"
    markdown = gold_report.markdown_document(title, list(reports.items()))
    names = list(reports)
    lines = ["| figure | target | " + " | ".join(names) + " |", "| --- | ---: | " + " | ".join("---:" for _ in names) + " |"]
    table = {name: _figures(report) for name, report in reports.items()}
    for figure in FIGURES:
        op = "<=" if figure == "invented_per_prompt" else ">="
        cells = ["-" if table[n][figure] is None else f"{table[n][figure]:.3f}" for n in names]
        label = "invented / paragraph prompt" if figure == "invented_per_prompt" else figure
        lines.append(f"| {label} | {op} {TARGETS[figure]} | " + " | ".join(cells) + " |")
    markdown += "\n## Against issue 9's targets (overall; invented objects on paragraph prompts)\n\n" + "\n".join(lines) + "\n"
    args.stem.parent.mkdir(parents=True, exist_ok=True)
    args.stem.with_suffix(".md").write_text(markdown, encoding="utf-8")
    result = {"date": stamp, "prompts": len(first), "other": str(args.other.relative_to(REPO)) if args.other.is_relative_to(REPO)
              else str(args.other), "figures": table,
              "reports": {name: {k: v for k, v in gold_report.to_json_dict(r).items() if k != "problems"}
                          for name, r in reports.items()}}
    args.stem.with_suffix(".json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, report in reports.items():
        print(f"{name}:\n{gold_report.to_text(report)}\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
