"""`python -m stagestudio run "PROMPT" ...`: the loop, headless, with a progress display."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from stagestudio.cli import CliError
from stagestudio.cli.display import EventPrinter
from stagestudio.cli.remote_args import add_remote_arguments, remote_settings
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.loop.trajectory import TrajectoryWriter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the staged loop on a prompt and write sketches + trajectory JSON")
    p.add_argument("prompt", help="the text prompt")
    p.add_argument("--backend", default="sketchbook", help="backend name (default: sketchbook)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output folder for PNGs and trajectory.json")
    p.add_argument("--db", default=None, help="also store the session in this SQLite database")
    p.add_argument("--max-refines", type=int, default=2)
    p.add_argument("--max-steps", type=int, default=8)
    p.add_argument("--error-rate", type=float, default=None, help="sketchbook: simulated mistake rate (default 0.3)")
    p.add_argument("--model", default=None, help="bagel: hub repo id or local folder of the weights")
    p.add_argument("--precision", default=None, help="bagel: nf4 (default) | int8 | bf16 | fp32")
    p.add_argument("--resolution", type=int, default=None, help="bagel: image side in pixels (default 1024)")
    p.add_argument("--timesteps", type=int, default=None, help="bagel: denoising schedule points (default 50)")
    p.add_argument("--inspector", default=None, help="bagel: vqa (default) | detector | both")
    p.add_argument("--lora", default=None, metavar="PATH", help="bagel: a LoRA adapter folder (psir train's adapter/)")
    p.add_argument("--merge-lora", action="store_true", help="bagel: merge the adapter into the weights")
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
        if getattr(args, "lora", None):
            settings["lora"] = args.lora
            settings["merge_lora"] = bool(getattr(args, "merge_lora", False))
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


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CliError(f"cannot write to output folder {str(out)!r}: {exc.strerror or exc}") from exc


def cmd_run(args: argparse.Namespace) -> int:
    from stagestudio.scene.parser import PromptError

    if not args.prompt.strip():
        raise CliError("the prompt is empty; describe a scene, e.g. \"a bear hovering above a silver spoon\"")
    try:
        config = RunConfig(seed=args.seed, max_refines=args.max_refines, max_steps=args.max_steps)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    out = Path(args.out)
    _check_writable(out)
    engine = make_engine(args)
    try:
        graph = engine.prepare(args.prompt)
    except PromptError as exc:
        raise CliError(str(exc)) from exc

    writer = TrajectoryWriter(out)
    printer = EventPrinter(color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    events = engine.run(args.prompt, graph=graph, config=config)
    store = None
    if args.db:
        from stagestudio.store import SessionRecorder, open_store

        store = open_store(args.db)
        events = SessionRecorder(store).record(events)
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
    finally:
        writer.flush()
        engine.backend.close()
        if store is not None:
            store.close()
    print(f"\nwrote {len(writer.images)} sketch(es) and {writer.path}")
    if args.db:
        print(f"stored session {writer.events[0]['session_id']} in {args.db}")
    return 0 if status in ("completed", "stopped") else 1
