"""`graph` and `eval-planner`: the offline prompt parser from the command line.

    python -m stagestudio graph "a red car left of a dog"     # one graph as JSON
    python -m stagestudio graph - < long_prompt.txt            # the prompt from stdin
    python -m stagestudio graph --jsonl < prompts.jsonl        # one graph per input line
    python -m stagestudio graph --plan "a spoon below a bear"  # the drawing steps as JSON
    python -m stagestudio eval-planner metadata.jsonl [--json] # exact match vs GenEval metadata
    python -m stagestudio eval-planner --gold tests/data/scene_dev.jsonl [--failures 10]  # vs gold graphs
    python -m stagestudio eval-planner --gold FILE --backend bagel --model PATH   # the model's graphs instead
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stagestudio.cli import CliError
from stagestudio.cli.backend_args import add_backend_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    graph = subparsers.add_parser(
        "graph",
        help="parse a prompt into a scene graph (JSON)",
        description="Parse a prompt into a scene graph and print it as JSON.",
    )
    graph.add_argument("prompt", nargs="?", help="the prompt text; '-' reads it from stdin (omit with --jsonl)")
    graph.add_argument("--jsonl", action="store_true",
                       help="read JSON lines with a 'prompt' field on stdin; write one graph JSON per line")
    graph.add_argument("--plan", action="store_true", help="print the planned drawing steps instead of the graph")
    graph.add_argument("--max-steps", type=int, default=8, help="step cap for --plan (default 8)")
    graph.set_defaults(func=run_graph)

    evaluate = subparsers.add_parser(
        "eval-planner",
        help="score the prompt parser against GenEval metadata or hand-annotated gold graphs",
        description="Parse every prompt of a GenEval metadata file and compare with its include clauses "
                    "(exit 0 only if every line matches), or, with --gold, score the parser against "
                    "hand-annotated scene graphs (docs/scene_graph_conventions.md) per style.",
    )
    evaluate.add_argument("file", nargs="?", help="JSON lines file (e.g. GenEval's evaluation_metadata.jsonl)")
    evaluate.add_argument("--gold", metavar="FILE",
                          help="gold scene-graph JSON lines (tests/data/scene_dev.jsonl): print precision, "
                               "recall and accuracy per style instead")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--allow-inverse", action="store_true",
                          help="also accept a relation stated from the other side (B left of A for A right of B)")
    evaluate.add_argument("--out", metavar="PATH",
                          help="with --gold: also write the report to PATH (.json: JSON, otherwise Markdown)")
    evaluate.add_argument("--failures", type=int, default=0, metavar="N",
                          help="with --gold: also print the N worst prompts with what was missed or invented")
    # With --gold, a backend's own graphs (BAGEL's model-extracted graph) instead of the offline parser's.
    add_backend_arguments(evaluate)
    evaluate.set_defaults(func=run_eval_planner, backend=None)


def _render(prompt: str, args: argparse.Namespace) -> str:
    from stagestudio.scene.parser import parse_prompt
    from stagestudio.scene.planner import plan_steps

    graph = parse_prompt(prompt)
    if args.plan:
        steps = plan_steps(graph, max_steps=args.max_steps)
        return json.dumps([s.model_dump() for s in steps], ensure_ascii=False)
    return graph.to_json()


def run_graph(args: argparse.Namespace) -> int:
    from stagestudio.scene.parser import PromptError
    from stagestudio.scene.planner import PlanError

    if args.plan and args.max_steps < 1:
        raise CliError(f"--max-steps must be at least 1, got {args.max_steps}")
    if args.jsonl:
        if args.prompt is not None:
            raise CliError("give either a prompt argument or --jsonl (prompts on stdin), not both")
        return _run_jsonl(args)
    if args.prompt is None:
        raise CliError("no prompt given; pass the prompt text, or --jsonl to read JSON lines from stdin")
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    try:
        print(_render(prompt, args))
    except (PromptError, PlanError) as exc:
        raise CliError(str(exc)) from exc
    return 0


def _run_jsonl(args: argparse.Namespace) -> int:
    from stagestudio.scene.parser import PromptError
    from stagestudio.scene.planner import PlanError

    failed = 0
    out = sys.stdout
    for number, raw in enumerate(sys.stdin, start=1):
        try:
            if not raw.strip():
                # answered too, so that output line N always belongs to input line N
                raise ValueError("empty line")
            line = json.loads(raw)
            if not isinstance(line, dict) or not isinstance(line.get("prompt"), str):
                raise ValueError("line has no string 'prompt' field")
            out.write(_render(line["prompt"], args) + "\n")
        except json.JSONDecodeError as exc:
            failed += 1
            out.write(json.dumps({"error": f"line {number}: not JSON: {exc}"}) + "\n")
        except (PromptError, PlanError, ValueError) as exc:
            failed += 1
            out.write(json.dumps({"error": f"line {number}: {exc}"}, ensure_ascii=False) + "\n")
        except Exception as exc:  # noqa: BLE001 - one bad line must not cost the batch its other lines
            failed += 1
            out.write(json.dumps({"error": f"line {number}: internal error ({type(exc).__name__}): {exc}"},
                                 ensure_ascii=False) + "\n")
        out.flush()
    if failed:
        # A bad line is answered on its own line; the batch as a whole still succeeded.
        print(f"{failed} line(s) could not be parsed; each has an {{\"error\": ...}} line", file=sys.stderr)
    return 0


def run_eval_planner(args: argparse.Namespace) -> int:
    from stagestudio.cli.gold_eval import run_gold_eval
    from stagestudio.eval.planner_eval import evaluate_planner

    if args.gold is not None or args.file is None:
        return run_gold_eval(args)
    if args.out is not None or args.failures:
        raise CliError("--out and --failures go with --gold FILE")
    if args.backend is not None:
        raise CliError("--backend goes with --gold FILE (GenEval metadata is scored on the offline parser)")
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"metadata file not found: {path}")
    try:
        with path.open(encoding="utf-8") as fh:
            report = evaluate_planner(fh, allow_inverse=args.allow_inverse)
    except ValueError as exc:
        raise CliError(f"{path}: {exc}") from exc
    if report.total == 0:
        raise CliError(f"{path} has no prompts")
    print(report.to_json(indent=2) if args.json else report.to_text())
    return 0 if report.all_match else 1
