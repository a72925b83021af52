"""`python -m stagestudio doctor [--golden DIR] [--model PATH]`: is this machine ready for BAGEL?

Reports the environment (Python, torch, CUDA and GPUs, bitsandbytes, diffusers, transformers) and
where BAGEL weights were found; with `--golden DIR` it re-runs every recorded golden case in DIR and
prints each case's largest error and pass/fail (exit code 1 if any case fails).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
from pathlib import Path

from stagestudio.backends.bagel.bnb import quiet_bitsandbytes_logging
from stagestudio.cli import CliError
from stagestudio.cli.roles import add_role_arguments, readiness_lines

# Every CLI command builds its parser through this module, so this silences bitsandbytes'
# optional-kernel warning (noise, see bagel/bnb.py) for the whole CLI, before anything imports it.
quiet_bitsandbytes_logging()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check the environment, the BAGEL weights and (optionally) golden cases")
    p.add_argument("--golden", default=None, metavar="DIR",
                   help="folder with cases.json and a tiny checkpoint: re-run every case and compare")
    p.add_argument("--case", action="append", default=None, metavar="NAME",
                   help="with --golden: run only this case (repeatable)")
    p.add_argument("--device", default="cpu",
                   help="with --golden: run the cases on this device (the recordings are float32 CPU numbers)")
    p.add_argument("--model", default=None, metavar="PATH",
                   help="BAGEL weights: a local folder or a hub repo id (default: look in the HF cache)")
    add_role_arguments(p)  # with --sketcher/--inspector/--planner: each role's files and GPU memory estimate
    p.set_defaults(func=cmd_doctor)


def _version(module: str) -> str:
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - any import failure is worth reporting as such
        return f"not usable ({type(exc).__name__}: {str(exc).splitlines()[0][:80]})"
    return str(getattr(mod, "__version__", "installed"))


def environment_lines() -> list[str]:
    import torch

    lines = [
        f"python          {platform.python_version()} ({sys.executable})",
        f"torch           {torch.__version__}",
    ]
    if torch.cuda.is_available():
        lines.append(f"CUDA            {torch.version.cuda}, {torch.cuda.device_count()} device(s)")
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            lines.append(f"  GPU {i}         {props.name}, {props.total_memory / 2**30:.1f} GiB")
    else:
        lines.append("CUDA            not available (CPU only: BAGEL-7B needs a GPU for practical use)")
    for name in ("bitsandbytes", "diffusers", "transformers", "accelerate", "safetensors", "huggingface_hub"):
        lines.append(f"{name:<15} {_version(name)}")
    from stagestudio.scene.parsing import tagging

    lines.append(f"{'parser':<15} {tagging.status()}")
    return lines


def weights_lines(model: str | None) -> list[str]:
    from stagestudio.backends.bagel.loader import (
        DEFAULT_REPO_ID, BagelLoadError, download_command, find_in_hf_cache, missing_checkpoint_files,
        resolve_checkpoint)

    if model is None:
        folder = find_in_hf_cache(DEFAULT_REPO_ID)
        if folder is None:
            return [f"weights         {DEFAULT_REPO_ID} not in the Hugging Face cache; get them with:",
                    f"                {download_command()}"]
        missing = missing_checkpoint_files(folder)
        state = "complete" if not missing else f"INCOMPLETE, missing {', '.join(missing)}"
        return [f"weights         {DEFAULT_REPO_ID} in the HF cache at {folder} ({state})"]
    try:
        folder = resolve_checkpoint(model)
    except BagelLoadError as exc:
        return [f"weights         {exc}"]
    size = sum(f.stat().st_size for f in Path(folder).glob("*.safetensors"))
    amount = f"{size / 1e9:.1f} GB" if size >= 1e8 else f"{size / 1e6:.1f} MB"
    return [f"weights         {folder} (complete, {amount} of safetensors)"]


def run_golden_cases(folder: Path, names: list[str] | None, device: str = "cpu") -> bool:
    from stagestudio.backends.bagel.golden import run_golden

    print(f"golden cases in {folder} (on {device}):")
    reports = run_golden(folder, names, device=device)
    if not reports:
        raise CliError(f"no matching cases in {folder / 'cases.json'}")
    for r in reports:
        status = "PASS" if r.passed else "FAIL"
        print(f"  {status}  {r.name:<26} max error {r.max_error:.2e}  {len(r.checks)} checks  {r.seconds:.1f}s")
        if r.error:
            print(f"        error: {r.error}")
        for c in r.failures()[:5]:
            print(f"        {c.name}: {c.max_error:.3g} > {c.tolerance:g} {c.note}".rstrip())
    failed = [r.name for r in reports if not r.passed]
    print(f"{len(reports) - len(failed)}/{len(reports)} golden cases passed")
    return not failed


def cmd_doctor(args: argparse.Namespace) -> int:
    for line in environment_lines():
        print(line)
    for line in weights_lines(args.model):
        print(line)
    for line in readiness_lines(args):
        print(line)
    if args.golden is None:
        if args.case:
            raise CliError("--case needs --golden DIR")
        return 0
    folder = Path(args.golden)
    if not (folder / "cases.json").is_file():
        raise CliError(f"{folder} has no cases.json (expected a golden fixtures folder)")
    return 0 if run_golden_cases(folder, args.case, args.device) else 1
