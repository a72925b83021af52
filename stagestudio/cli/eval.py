"""`python -m stagestudio eval ...`: benchmark scoring (GenEval, WISE)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from stagestudio.cli import CliError
from stagestudio.eval import geneval


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="benchmark generation and scoring (GenEval, WISE)")
    sub = parser.add_subparsers(dest="eval_command", metavar="EVAL_COMMAND")
    sub.required = True

    cases = sub.add_parser(
        "score-cases",
        help="run GenEval scoring cases (injected detections + colours) through our scorer",
        description="Score every line of a GenEval scoring-case file (the format of "
        "shared/data/geneval/scoring_cases.jsonl), print each disagreement with the expected "
        "verdict, then the agreement rate. Exit status 0 only when every case agrees.",
    )
    cases.add_argument("file", type=Path, help="scoring cases, one JSON object per line")
    cases.add_argument("--verbose", "-v", action="store_true", help="also list agreeing cases")
    cases.set_defaults(func=run_score_cases)


def run_score_cases(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise CliError(f"no scoring-case file at {path}")
    try:
        cases = geneval.load_scoring_cases(path)
    except geneval.ScoringCaseError as exc:
        raise CliError(str(exc)) from exc
    if not cases:
        raise CliError(f"{path} holds no scoring cases")
    agreed = 0
    for case in cases:
        try:
            outcome = geneval.run_scoring_case(case)
        except (KeyError, IndexError, ValueError) as exc:
            print(f"MISMATCH {case.id} ({case.tag}): scorer failed: {exc!r}")
            continue
        if outcome.agrees:
            agreed += 1
            if args.verbose:
                print(f"ok {case.id} ({case.tag}) correct={outcome.verdict.correct}")
            continue
        print(f"MISMATCH {case.id} ({case.tag}, {case.scenario})")
        for line in outcome.mismatches:
            print(f"  {line}")
        print(f"  metadata: {json.dumps(case.metadata)}")
    print(geneval.agreement_line(agreed, len(cases)))
    return 0 if agreed == len(cases) else 1
