"""`python -m stagestudio run "PROMPT" ...`: the loop, headless, with a progress display."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from stagestudio.cli import CliError
from stagestudio.cli.display import EventPrinter, safe_text
from stagestudio.cli.paths import ensure_writable_folder
from stagestudio.cli.backend_args import add_backend_arguments, backend_from_args
from stagestudio.cli.store_args import add_db_arguments
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.loop.seeds import resolve_seed
from stagestudio.loop.trajectory import TrajectoryWriter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the staged loop on a prompt and write sketches + trajectory JSON")
    p.add_argument("prompt", help="the text prompt")
    p.add_argument("--seed", default="0", help="session seed: 0..2**63-1, or -1 for a random one (default 0)")
    p.add_argument("--out", required=True, help="output folder for PNGs and trajectory.json")
    add_db_arguments(p, "also store the session in this database: a SQLite file or a PostgreSQL URL "
                        "(postgresql+psycopg://user:pw@host/db, with --db-images)")
    p.add_argument("--max-refines", type=int, default=2)
    p.add_argument("--max-steps", type=int, default=8)
    add_backend_arguments(p)
    p.add_argument("--quiet", action="store_true", help="print only where the output went")
    p.set_defaults(func=cmd_run)


def make_engine(args: argparse.Namespace) -> LoopEngine:
    return LoopEngine(backend_from_args(args))


def _open_db(path: str, images: str | None = None):
    """The store a run records into, checked before any work is done: a read-only,
    damaged, foreign or unopenable database is one clear error, not a lost run."""
    from stagestudio.store import StoreError, open_store

    try:
        store = open_store(path, images=images)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    try:
        store.ensure_writable()
    except StoreError as exc:
        store.close()
        raise CliError(str(exc)) from exc
    return store


def cmd_run(args: argparse.Namespace) -> int:
    if not args.prompt.strip():
        raise CliError("the prompt is empty; describe a scene, e.g. \"a bear hovering above a silver spoon\"")
    try:
        seed = resolve_seed(args.seed)
        config = RunConfig(seed=seed.seed, max_refines=args.max_refines, max_steps=args.max_steps)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if seed.note:
        print(f"note: {seed.note}", file=sys.stderr)
    out = Path(args.out)
    ensure_writable_folder(out, "output folder")
    store = _open_db(args.db, args.db_images) if args.db else None
    try:
        return _run_loop(args, config, out, store, [seed.note] if seed.note else [])
    finally:
        if store is not None:
            store.close()


def _run_loop(args: argparse.Namespace, config: RunConfig, out: Path, store, notes: list[str]) -> int:
    from stagestudio.scene.parser import PromptError

    engine = make_engine(args)
    try:
        graph = engine.prepare(args.prompt)
    except PromptError as exc:
        engine.backend.close()
        raise CliError(str(exc)) from exc

    writer = TrajectoryWriter(out, notes=notes)
    printer = EventPrinter(color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    events = engine.run(args.prompt, graph=graph, config=config)
    if store is not None:
        from stagestudio.store import SessionRecorder

        recorder = SessionRecorder(store, on_warning=lambda m: print(f"warning: {safe_text(m)}", file=sys.stderr))
        events = recorder.record(events)
    status = "failed"
    try:
        for event in events:
            writer.write(event)
            if not args.quiet:
                line = printer.format(event)
                if line:
                    print(line, flush=True)
            if event.type == "session_done":
                status = event.status
    except Exception as exc:
        from stagestudio.cli import is_store_error

        if is_store_error(exc):
            raise CliError(f"{exc} (the run's trajectory so far is in {writer.path})") from exc
        raise
    finally:
        writer.flush()
        engine.backend.close()
    print(f"\nwrote {len(writer.images)} sketch(es) and {safe_text(writer.path)}")
    if store is not None:
        print(f"stored session {writer.events[0]['session_id']} in {safe_text(store.location)}")
    return 0 if status in ("completed", "stopped") else 1
