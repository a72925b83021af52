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
    """Bad input or a failure a person can act on; printed as 'error: ...' with exit code 2."""


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
    """Run one command; every failure a person can meet ends as one 'error: ...' line on
    stderr and a non-zero exit code, never a traceback (STAGESTUDIO_DEBUG=1 shows it)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        return _fail(exc, 2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): nothing more to say to it.
        sys.stderr.close()
        return 141
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get(DEBUG_ENV_VAR):
            raise
        if is_store_error(exc):
            return _fail(exc, 2)
        if isinstance(exc, OSError):
            where = f" ({exc.filename})" if exc.filename else ""
            return _fail(f"{exc.strerror or exc}{where}", 2)
        return _fail(f"unexpected {type(exc).__name__}: {exc} (set {DEBUG_ENV_VAR}=1 to see where)", 1)


DEBUG_ENV_VAR = "STAGESTUDIO_DEBUG"


def _fail(message: object, code: int) -> int:
    from stagestudio.cli.display import one_line_message

    print(f"error: {one_line_message(message)}", file=sys.stderr)
    return code


def is_store_error(exc: BaseException) -> bool:
    # Only look if the store was imported at all (importing it here would cost every
    # command SQLAlchemy's start-up time).
    errors = sys.modules.get("stagestudio.store.errors")
    return errors is not None and isinstance(exc, errors.StoreError)
