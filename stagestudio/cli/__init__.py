"""`python -m stagestudio ...`: a thin command-line layer over the engine and the store.

Each command group lives in its own module with a `register(subparsers)` function that adds
its sub-commands and sets `func` (returning the process exit code) on each.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# One module per command group; each defines register(subparsers).
COMMAND_MODULES: tuple[str, ...] = (
    "doctor",
    "run",
    "eval",
    "graph",
    "sessions",
    "psir",
    "serve_omni",
)


class CliError(Exception):
    """Bad input from the command line; printed as 'error: ...' with exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stagestudio",
        description="StageStudio: staged text-to-image generation (plan, sketch, inspect, refine).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"stagestudio.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
