"""`eval-planner --gold FILE`: the offline parser scored against hand-annotated scene graphs."""

from __future__ import annotations

import argparse
from pathlib import Path

from stagestudio.cli import CliError


def run_gold_eval(args: argparse.Namespace) -> int:
    from stagestudio.eval import gold_report
    from stagestudio.eval.gold_data import GoldFileError, load_gold
    from stagestudio.eval.graph_gold import evaluate_gold

    if args.gold is None:
        raise CliError("give a GenEval metadata FILE or --gold FILE")
    if args.file is not None:
        raise CliError("give either a GenEval metadata FILE or --gold FILE, not both")
    if args.failures < 0:
        raise CliError(f"--failures must be 0 or more, got {args.failures}")
    path = Path(args.gold)
    if not path.is_file():
        raise CliError(f"gold file not found: {path}")
    try:
        examples = load_gold(path)
    except (GoldFileError, UnicodeDecodeError) as exc:
        raise CliError(str(exc)) from exc
    if not examples:
        raise CliError(f"{path} has no prompts")

    report = evaluate_gold(examples)
    if args.out is not None:
        out = Path(args.out)
        if out.suffix == ".json":
            text = gold_report.to_json(report, indent=2) + "\n"
        else:
            text = gold_report.markdown_document("Parser vs gold scene graphs", [(f"`{path}`", report)])
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    print(gold_report.to_json(report, indent=2) if args.json else gold_report.to_text(report))
    if args.failures:
        print()
        print(gold_report.failures_text(report, args.failures))
    return 0

