"""Start the StageStudio studio: `python app.py` then open http://127.0.0.1:7860.

    python app.py [--host 127.0.0.1] [--port 7860] [--db sessions/studio.db | --db URL --db-images DIR]
                  [--backend sketchbook] [--model PATH] [--share] [--auth user:pass]
                  [--allowed-host NAME ...]

Binding anything but a loopback address requires --auth, so a studio on a shared network
is never open to everyone by accident. Requests addressed to any other host name than the
loopback names and --host are refused (DNS rebinding); --allowed-host adds a name (e.g. the
machine's name behind a proxy). No analytics: set before gradio is imported.
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before any gradio import
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse  # noqa: E402
import ipaddress  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

BAGEL_MODEL_ENV = "STAGESTUDIO_BAGEL_MODEL"  # the BAGEL backend's default checkpoint


class UsageError(Exception):
    pass


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a hostname we cannot vouch for


def parse_auth(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    user, sep, password = text.partition(":")
    if not sep or not user or not password:
        raise UsageError("--auth must look like user:password (both non-empty)")
    return user, password


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="app.py", description="StageStudio: watch and steer the staged loop in a browser")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    from stagestudio.cli.store_args import add_db_arguments

    add_db_arguments(p)  # --db PATH|URL and --db-images DIR (a PostgreSQL store's shared images)
    p.add_argument("--backend", default="sketchbook", help="backend selected at start (default sketchbook)")
    p.add_argument("--model", default=None, metavar="PATH",
                   help=f"default BAGEL checkpoint folder (sets ${BAGEL_MODEL_ENV}; the studio's settings can change it)")
    p.add_argument("--share", action="store_true", help="create a public Gradio share link (off by default)")
    p.add_argument("--auth", default=None, metavar="USER:PASS", help="require this login (needed off loopback)")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="also answer to this host name (repeatable); by default only localhost, 127.0.0.1, "
                        "[::1] and --host are accepted in the Host and Origin headers")
    return p


def check_args(args: argparse.Namespace) -> tuple[str, str] | None:
    """Validate the options; UsageError says what to change."""
    from stagestudio.backends.registry import backend_names

    auth = parse_auth(args.auth)
    if not is_loopback(args.host) and auth is None:
        raise UsageError(
            f"refusing to bind {args.host} without a login: anyone on that network could use the studio. "
            "Add --auth user:password, or bind 127.0.0.1."
        )
    if args.share and auth is None:
        raise UsageError("--share publishes the studio on the internet; add --auth user:password as well.")
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (1-65535)")
    if args.backend not in backend_names():
        raise UsageError(f"unknown backend {args.backend!r}; available: {', '.join(backend_names())}")
    for name in args.allowed_host:
        if not name.strip() or any(c in name for c in "/ @"):
            raise UsageError(f"--allowed-host {name!r} is not a host name (give a name or address, no scheme or port)")
    if args.model is not None and not Path(args.model).expanduser().is_dir():
        raise UsageError(f"--model {args.model}: no such folder; give the BAGEL checkpoint folder "
                         "(the one holding ema.safetensors)")
    return auth


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        auth = check_args(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.model is not None:
        # The BAGEL backend, its status and the studio's Model box all default to this variable.
        os.environ[BAGEL_MODEL_ENV] = str(Path(args.model).expanduser().resolve())
    from stagestudio.store import resolve_db_path
    from stagestudio.ui import build_app, launch_options

    try:
        demo = build_app(resolve_db_path(args.db), args.backend, db_images=args.db_images)
    except Exception as exc:  # e.g. a corrupt or locked database: say which and stop
        print(f"error: cannot start the studio: {exc}", file=sys.stderr)
        return 1
    demo.launch(server_name=args.host, server_port=args.port, share=args.share, auth=auth,
                show_error=True, **launch_options(args.host, args.allowed_host, args.share))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
