"""The backend options every command that runs the loop takes (`run`, `eval geneval`,
`eval wise`): a preset (`--backend`) with its settings, roles composed one by one
(`--planner/--sketcher/--inspector`), or remote endpoints — and the one function that
builds the backend from them."""

from __future__ import annotations

import argparse

from stagestudio.backends.base import Backend
from stagestudio.cli import CliError
from stagestudio.cli.remote_args import add_remote_arguments, remote_settings
from stagestudio.cli.roles import add_role_arguments, create_role_backend, role_settings


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", default="sketchbook", help="backend name (default: sketchbook)")
    parser.add_argument("--error-rate", type=float, default=None, help="sketchbook: simulated mistake rate (default 0.3)")
    parser.add_argument("--model", default=None, help="bagel: hub repo id or local folder of the weights")
    parser.add_argument("--precision", default=None, help="bagel: nf4 (default) | int8 | bf16 | fp32")
    parser.add_argument("--resolution", type=int, default=None, help="bagel: image side in pixels (default 1024)")
    parser.add_argument("--timesteps", type=int, default=None, help="bagel: denoising schedule points (default 50)")
    parser.add_argument("--lora", default=None, metavar="PATH", help="bagel: a LoRA adapter folder (psir train's adapter/)")
    parser.add_argument("--merge-lora", action="store_true", help="bagel: merge the adapter into the weights")
    add_role_arguments(parser)  # --planner/--sketcher/--inspector and --OPTION-ROLE (bagel: --inspector vqa|detector|both)
    add_remote_arguments(parser)


def backend_settings(args: argparse.Namespace) -> dict:
    """The preset's constructor settings from the command line."""
    settings: dict = {}
    if args.backend == "sketchbook":
        if args.error_rate is not None:
            if not 0.0 <= args.error_rate <= 1.0:
                raise CliError("--error-rate must be between 0 and 1")
            settings["error_rate"] = args.error_rate
    elif args.backend == "bagel":
        for option, key in (("model", "model"), ("precision", "precision"), ("resolution", "resolution"),
                            ("timesteps", "num_timesteps"), ("inspector", "inspector"), ("graph", "graph")):
            value = getattr(args, option, None)
            if value:
                settings[key] = value
        if getattr(args, "lora", None):
            settings["lora"] = args.lora
            settings["merge_lora"] = bool(getattr(args, "merge_lora", False))
    elif args.backend == "remote":
        settings.update(remote_settings(args))
    return settings


def backend_from_args(args: argparse.Namespace) -> Backend:
    """The backend the options describe; a bad choice is a one-line CliError."""
    from stagestudio.backends.base import BackendError
    from stagestudio.backends.registry import UnknownBackendError, create_backend

    if (roles := role_settings(args)) is not None:
        return create_role_backend(roles)
    try:
        backend = create_backend(args.backend, **backend_settings(args))
        backend.check_ready()
    except (UnknownBackendError, BackendError) as exc:
        raise CliError(str(exc)) from exc
    return backend
