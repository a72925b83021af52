"""`python -m stagestudio run "PROMPT" ...`: the loop, headless, with a progress display."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from stagestudio.cli import CliError
from stagestudio.cli.display import EventPrinter, safe_text
from stagestudio.cli.paths import ensure_writable_folder
from stagestudio.cli.remote_args import add_remote_arguments, remote_settings
from stagestudio.cli.store_args import add_db_arguments
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.loop.seeds import resolve_seed
from stagestudio.loop.trajectory import TrajectoryWriter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the staged loop on a prompt and write sketches + trajectory JSON")
    p.add_argument("prompt", help="the text prompt")
    p.add_argument("--backend", default="sketchbook", help="backend name (default: sketchbook)")
    p.add_argument("--seed", default="0", help="session seed: 0..2**63-1, or -1 for a random one (default 0)")
    p.add_argument("--out", required=True, help="output folder for PNGs and trajectory.json")
    add_db_arguments(p, "also store the session in this database: a SQLite file or a PostgreSQL URL "
                        "(postgresql+psycopg://user:pw@host/db, with --db-images)")
    p.add_argument("--max-refines", type=int, default=2)
    p.add_argument("--max-steps", type=int, default=8)
    p.add_argument("--error-rate", type=float, default=None, help="sketchbook: simulated mistake rate (default 0.3)")
    p.add_argument("--model", default=None, help="bagel: hub repo id or local folder of the weights")
    p.add_argument("--precision", default=None, help="bagel: nf4 (default) | int8 | bf16 | fp32")
    p.add_argument("--resolution", type=int, default=None, help="bagel: image side in pixels (default 1024)")
    p.add_argument("--timesteps", type=int, default=None, help="bagel: denoising schedule points (default 50)")
    p.add_argument("--inspector", default=None, help="bagel: vqa (default) | detector | both")
    add_remote_arguments(p)
    p.add_argument("--quiet", action="store_true", help="print only where the output went")
    p.set_defaults(func=cmd_run)


def backend_settings(args: argparse.Namespace) -> dict:
    settings: dict = {}
    if args.backend == "sketchbook":
        if args.error_rate is not None:
            if not 0.0 <= args.error_rate <= 1.0:
                raise CliError("--error-rate must be between 0 and 1")
            settings["error_rate"] = args.error_rate
    elif args.backend == "bagel":
        if args.model:
            settings["model"] = args.model
        if args.precision:
            settings["precision"] = args.precision
        if args.resolution:
            settings["resolution"] = args.resolution
        if args.timesteps:
            settings["num_timesteps"] = args.timesteps
        if args.inspector:
            settings["inspector"] = args.inspector
    elif args.backend == "remote":
        settings.update(remote_settings(args))
    return settings


def make_engine(args: argparse.Namespace) -> LoopEngine:
    from stagestudio.backends.base import BackendError
    from stagestudio.backends.registry import UnknownBackendError, create_backend

    try:
        backend = create_backend(args.backend, **backend_settings(args))
    except (UnknownBackendError, BackendError) as exc:
        raise CliError(str(exc)) from exc
    return LoopEngine(backend)


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
