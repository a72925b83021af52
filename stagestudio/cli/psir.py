"""`python -m stagestudio psir export|synth|train|info`: sessions to training data, and LoRA
fine-tuning of BAGEL on it (see docs/training_data.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stagestudio.cli import CliError
from stagestudio.cli.backend_args import add_backend_arguments

TASKS = ("plan", "sketch", "inspect", "refine")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("psir", help="export sessions as training data, synthesise more, fine-tune BAGEL with LoRA")
    psub = p.add_subparsers(dest="psir_command", metavar="ACTION")
    psub.required = True

    e = psub.add_parser("export", help="stored sessions -> a PSIR dataset folder (records.jsonl + images)")
    e.add_argument("--out", required=True, help="dataset folder (created, or appended to)")
    e.add_argument("--db", default=None, help="session database (default: $STAGESTUDIO_DB or sessions/studio.db)")
    e.add_argument("--session", action="append", default=None, metavar="ID", help="only this session (repeatable)")
    e.add_argument("--backend", default=None, help="only sessions of this backend")
    e.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="only sessions created on or after this day")
    e.add_argument("--until", default=None, metavar="YYYY-MM-DD", help="only sessions created up to this day")
    e.add_argument("--passed-only", action="store_true", help="only sessions whose final inspection passed")
    e.add_argument("--human-only", action="store_true", help="only steps a person edited, overrode or corrected")
    e.set_defaults(func=cmd_export)

    s = psub.add_parser("synth", help="run the loop over a prompt file and keep its steps as training data")
    s.add_argument("--prompts", required=True, help="JSON lines with a 'prompt' field, a JSON list, or one prompt a line")
    s.add_argument("--out", required=True, help="dataset folder (a rerun resumes where it stopped)")
    s.add_argument("--limit", type=int, default=None, help="only the first N prompts")
    s.add_argument("--seed", type=int, default=0, help="session seed of prompt i is SEED + i")
    s.add_argument("--max-refines", type=int, default=2)
    s.add_argument("--max-steps", type=int, default=8)
    s.add_argument("--size", type=int, default=None, help="sketchbook: picture side in pixels (default 512)")
    add_backend_arguments(s)  # --backend and its settings, composed roles, remote endpoints
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_synth)

    t = psub.add_parser("train", help="LoRA fine-tuning of BAGEL on PSIR datasets")
    t.add_argument("--model", required=True, help="BAGEL checkpoint folder (or hub id in the local cache)")
    t.add_argument("--data", action="append", required=True, metavar="DIR", help="dataset folder (repeatable)")
    t.add_argument("--out", default=None, help="output folder (default: runs/psir-train)")
    t.add_argument("--steps", type=int, default=1000)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--warmup", type=int, default=0, help="linear warm-up steps")
    t.add_argument("--schedule", default="constant", choices=("constant", "cosine"))
    t.add_argument("--grad-accum", type=int, default=1, help="examples per optimizer step")
    t.add_argument("--precision", default="bf16", choices=("fp32", "bf16", "nf4"),
                   help="base weights: fp32, bf16, or nf4 = QLoRA (adapter weights are always fp32)")
    t.add_argument("--device", default=None, help="cuda / cpu (default: cuda when available)")
    t.add_argument("--gradient-checkpointing", action="store_true", help="recompute layer activations (less memory)")
    t.add_argument("--rank", type=int, default=16)
    t.add_argument("--alpha", type=float, default=32.0)
    t.add_argument("--lora-dropout", type=float, default=0.05)
    t.add_argument("--lora-modules", default="attention,mlp", help="attention and/or mlp")
    t.add_argument("--lora-experts", default="und,gen", help="und (text, ViT) and/or gen (image latents)")
    t.add_argument("--ce-weight", type=float, default=1.0)
    t.add_argument("--mse-weight", type=float, default=1.0)
    t.add_argument("--timestep-shift", type=float, default=1.0, help="training flow-time shift (reference: 1.0)")
    t.add_argument("--no-cond-dropout", action="store_true", help="never drop conditioning text/pictures")
    t.add_argument("--tasks", default=",".join(TASKS), help="which example kinds to train on")
    t.add_argument("--human-only", action="store_true", help="only examples a person decided")
    t.add_argument("--human-weight", type=float, default=1.0, help="loss weight of examples a person decided")
    t.add_argument("--max-tokens", type=int, default=16384, help="skip examples longer than this")
    t.add_argument("--image-size", type=int, default=None, help="scale pictures down to this side first")
    t.add_argument("--probe", type=int, default=8, help="fixed examples whose loss is logged at start/saves/end")
    t.add_argument("--save-every", type=int, default=100)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --out")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)

    i = psub.add_parser("info", help="what a dataset holds: records, examples per task, rejected ones and why")
    i.add_argument("data", help="dataset folder")
    i.add_argument("--tasks", default=",".join(TASKS))
    i.add_argument("--json", action="store_true")
    i.add_argument("--rejections", type=int, default=10, help="list this many rejected examples")
    i.set_defaults(func=cmd_info)


def _split(text: str, allowed: tuple[str, ...], option: str) -> tuple[str, ...]:
    items = tuple(x.strip() for x in text.split(",") if x.strip())
    bad = [x for x in items if x not in allowed]
    if bad or not items:
        raise CliError(f"{option} takes a comma-separated list of {', '.join(allowed)}; got {text!r}")
    return items


def _progress(quiet: bool, unit: str):
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return lambda it, total=None: tqdm(it, total=total, unit=unit, file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    from stagestudio.psir.dataset import DatasetError
    from stagestudio.psir.export import ExportFilters, export_sessions, parse_day
    from stagestudio.store import StoreError, open_store

    try:
        filters = ExportFilters(
            backend=args.backend, since=parse_day(args.since) if args.since else None,
            until=parse_day(args.until, end=True) if args.until else None, passed_only=args.passed_only,
            human_only=args.human_only, session_ids=tuple(args.session or ()),
        )
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    try:
        with open_store(args.db) as store:
            report = export_sessions(store, args.out, filters)
    except (StoreError, DatasetError) as exc:
        raise CliError(str(exc)) from exc
    for line in report.lines():
        print(line)
    print(f"dataset: {args.out}")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from stagestudio.cli.backend_args import backend_from_args
    from stagestudio.psir.dataset import DatasetError
    from stagestudio.psir.synth import PromptFileError, read_prompts, synthesize

    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1")
    try:
        prompts = read_prompts(args.prompts)
    except PromptFileError as exc:
        raise CliError(str(exc)) from exc
    if args.size is not None:
        if args.backend != "sketchbook":
            raise CliError("--size is the sketchbook's picture side; other backends take --resolution")
        from stagestudio.backends.sketchbook.backend import SketchbookBackend
        from stagestudio.cli.backend_args import backend_settings

        try:
            backend = SketchbookBackend(**backend_settings(args), size=args.size)
        except ValueError as exc:
            raise CliError(str(exc)) from exc
    else:
        backend = backend_from_args(args)
    try:
        report = synthesize(backend, prompts, args.out, seed=args.seed, limit=args.limit, max_refines=args.max_refines,
                            max_steps=args.max_steps, progress=_progress(args.quiet, "prompt"))
    except (DatasetError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    finally:
        backend.close()
    for line in report.lines():
        print(line)
    print(f"dataset: {args.out}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from stagestudio.backends.base import BackendError
    from stagestudio.psir.train import TrainConfig, TrainingError, train

    try:
        config = TrainConfig(
            model=args.model, data=list(args.data), out=args.out or "runs/psir-train", steps=args.steps, lr=args.lr,
            warmup_steps=args.warmup, schedule=args.schedule, grad_accum=args.grad_accum, precision=args.precision,
            device=args.device, gradient_checkpointing=args.gradient_checkpointing, rank=args.rank, alpha=args.alpha,
            lora_dropout=args.lora_dropout, lora_modules=_split(args.lora_modules, ("attention", "mlp"), "--lora-modules"),
            lora_experts=_split(args.lora_experts, ("und", "gen"), "--lora-experts"), ce_weight=args.ce_weight,
            mse_weight=args.mse_weight, timestep_shift=args.timestep_shift, cond_dropout=not args.no_cond_dropout,
            tasks=_split(args.tasks, TASKS, "--tasks"), human_only=args.human_only, human_weight=args.human_weight,
            max_tokens=args.max_tokens, image_size=args.image_size, probe_size=args.probe, save_every=args.save_every,
            seed=args.seed, resume=args.resume,
        )
        for folder in config.data:
            if not (Path(folder) / "dataset.json").is_file():
                raise TrainingError(f"{folder} is not a PSIR dataset (no dataset.json); make one with `psir export` "
                                    f"or `psir synth`")
        report = train(config, progress=_progress(args.quiet, "step"))
    except (TrainingError, BackendError) as exc:
        raise CliError(str(exc)) from exc
    print("examples: " + ", ".join(f"{k} {v}" for k, v in sorted(report.examples.items()))
          + f"; rejected {report.rejected}, skipped while training {report.skipped_at_runtime}")
    print(f"probe loss: {report.first_loss:.4f} -> {report.last_loss:.4f}; "
          f"training loss: {report.first_train_loss:.4f} -> {report.last_train_loss:.4f}")
    print(f"adapter: {report.out / 'adapter'} (use it with --lora); log, curve and checkpoints in {report.out}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from stagestudio.psir.dataset import DatasetError, read_manifest, read_records
    from stagestudio.psir.examples import ExamplePolicy, build_examples

    folder = Path(args.data)
    try:
        manifest = read_manifest(folder)
    except DatasetError as exc:
        raise CliError(str(exc)) from exc
    read = read_records(folder)
    result = build_examples(read, folder, ExamplePolicy(tasks=_split(args.tasks, TASKS, "--tasks")))
    info = {
        "records": len(read.records), "human_touched": sum(r.human_touched for r in read.records),
        "images": manifest.images, "sources": [s.kind for s in manifest.sources],
        "examples": result.counts(), "rejected": result.rejection_counts(),
    }
    if args.json:
        print(json.dumps(info, indent=1))
        return 0
    print(f"records: {info['records']} ({info['human_touched']} touched by a person), images: {info['images']}")
    print("examples: " + ", ".join(f"{k} {v}" for k, v in sorted(info["examples"].items())))
    for reason, n in sorted(info["rejected"].items(), key=lambda kv: -kv[1]):
        print(f"  rejected {reason}: {n}")
    for r in result.rejections[: args.rejections]:
        print(f"  - {r}")
    return 0
