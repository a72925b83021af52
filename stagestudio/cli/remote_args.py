"""Command-line options of the remote backend and of fanning a benchmark out over servers,
kept in one module so `run`, `eval` and the session commands add them with one line each."""

from __future__ import annotations

import argparse
from typing import Any

from stagestudio.cli import CliError


def _add(parser: argparse.ArgumentParser, flag: str, **kwargs: Any) -> None:
    """Add `flag` unless the command already has it (e.g. `run` has --resolution for BAGEL)."""
    if flag not in parser._option_string_actions:  # noqa: SLF001 - argparse has no public lookup
        parser.add_argument(flag, **kwargs)


def add_remote_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("remote backend (BAGEL on vLLM-Omni)")
    group.add_argument("--endpoint", action="append", default=None, metavar="URL",
                       help="remote: a vLLM-Omni server, e.g. http://gpu-1:8000 (repeatable; default "
                       "$STAGESTUDIO_REMOTE_ENDPOINTS, comma-separated)")
    group.add_argument("--api-key", default=None,
                       help="remote: the servers' API key (default $STAGESTUDIO_REMOTE_API_KEY; never stored)")
    group.add_argument("--timeout", type=float, default=None, metavar="S",
                       help="remote: seconds to wait for one reply (default 600)")
    group.add_argument("--retries", type=int, default=None,
                       help="remote: retries on 429/5xx/lost connections, with back-off (default 3)")
    group.add_argument("--graph", choices=("model", "parser"), default=None,
                       help="bagel/remote: scene graph written by the model (default; the parser is its fallback) or by the offline parser")
    group.add_argument("--max-plan-tokens", type=int, default=None, metavar="N",
                       help="remote: longest plan the model may write (default 200)")
    group.add_argument("--max-answer-tokens", type=int, default=None, metavar="N",
                       help="remote: longest answer to an inspection question (default 12)")
    _add(parser, "--resolution", type=int, default=None, help="bagel/remote: image side in pixels (default 1024)")
    _add(parser, "--timesteps", type=int, default=None, help="bagel/remote: denoising schedule points (default 50)")


def remote_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The remote backend's keyword settings from parsed options (only those given)."""
    settings: dict[str, Any] = {}
    if getattr(args, "endpoint", None):
        settings["endpoints"] = list(args.endpoint)
    if getattr(args, "api_key", None):
        settings["api_key"] = args.api_key
    for option, key in (("timeout", "timeout_s"), ("retries", "retries"), ("graph", "graph"),
                        ("max_plan_tokens", "max_plan_tokens"), ("max_answer_tokens", "max_answer_tokens"),
                        ("resolution", "resolution"), ("timesteps", "num_timesteps")):
        value = getattr(args, option, None)
        if value is not None:
            settings[key] = value
    return settings


def add_fanout_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=1, metavar="N",
                        help="sessions run at once (needs a backend that serves several, e.g. remote "
                        "with one or more --endpoint; default 1)")


def check_concurrency(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise CliError("--concurrency must be at least 1")
    return int(args.concurrency)


def endpoint_report(backend: Any) -> list[str]:
    """One line per endpoint (sessions, requests, busy share) for a remote backend; [] otherwise."""
    usage = getattr(backend, "endpoint_usage", None)
    if usage is None:
        return []
    return [
        f"  {u.url}: {u.sessions} session(s), {u.requests} request(s), {u.failures} failed, "
        f"busy {u.busy_s:.1f} s{' (down)' if u.down else ''}"
        for u in usage()
    ]
