"""Command-line options for composing a backend from roles, rendered from the role catalog:

    --planner offline|bagel|qwen3-vl
    --sketcher sketchbook|bagel|flux2-klein|flux-kontext|qwen-image-edit
    --inspector sketchbook|detector|bagel|qwen3-vl
    --OPTION-ROLE VALUE      e.g. --model-sketcher PATH, --precision-inspector nf4, --steps-sketcher 4

`role_settings(args)` turns them into the composed backend's settings (None when no role was
chosen, so `--backend NAME` presets work as before; `--backend bagel --inspector
vqa|detector|both` keeps its meaning). Values are checked by the catalog's option specs, so a
typo gets a one-line error naming the option and what it takes.
"""

from __future__ import annotations

import argparse
from typing import Any

from stagestudio.backends.catalog import CHOICES, ROLES
from stagestudio.cli import CliError

# `--backend bagel --inspector MODE`: the BAGEL preset's inspector modes (not role kinds).
PRESET_INSPECTOR_MODES = ("vqa", "detector", "both")


def _flag(option: str, role: str) -> str:
    return f"--{option.replace('_', '-')}-{role}"


def _dest(option: str, role: str) -> str:
    return f"{role}_opt_{option}"


def role_option_names(role: str) -> list[str]:
    """Every option name any choice of `role` has, in catalog order."""
    names: list[str] = []
    for spec in CHOICES[role].values():
        names.extend(o.name for o in spec.options if o.name not in names)
    return names


def add_role_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "roles", "compose the backend from a planner, a sketcher and an inspector (each option is "
                 "--OPTION-ROLE, e.g. --model-sketcher PATH); `python -m stagestudio doctor` with the "
                 "same options checks each model")
    group.add_argument("--planner", default=None, metavar="KIND", help=f"planner: {' | '.join(CHOICES['planner'])}")
    group.add_argument("--sketcher", default=None, metavar="KIND", help=f"sketcher: {' | '.join(CHOICES['sketcher'])}")
    group.add_argument("--inspector", default=None, metavar="KIND",
                       help=f"inspector: {' | '.join(CHOICES['inspector'])} (with --backend bagel: its mode, "
                            f"{' | '.join(PRESET_INSPECTOR_MODES)})")
    for role in ROLES:
        for name in role_option_names(role):
            kind, text = _option_help(role, name)
            if kind == "bool":
                group.add_argument(_flag(name, role), dest=_dest(name, role), default=None,
                                   action=argparse.BooleanOptionalAction, help=text)
            else:
                group.add_argument(_flag(name, role), dest=_dest(name, role), default=None, metavar="VALUE", help=text)


def _option_help(role: str, name: str) -> tuple[str, str]:
    """(option kind, help) of option `name` across the role's kinds; kinds whose help
    differs are listed apart, e.g. BAGEL's precisions beside the diffusers ones."""
    by_help: dict[str, list[str]] = {}
    kind = "text"
    for choice_kind, spec in CHOICES[role].items():
        for option in spec.options:
            if option.name == name:
                by_help.setdefault(option.help, []).append(choice_kind)
                kind = option.kind
    text = "; ".join(f"{role} {', '.join(kinds)}: {help_text}" for help_text, kinds in by_help.items())
    return kind, text.replace("%", "%%")  # argparse formats help with %


def _given_options(args: argparse.Namespace, role: str) -> dict[str, Any]:
    return {name: getattr(args, _dest(name, role)) for name in role_option_names(role)
            if getattr(args, _dest(name, role), None) is not None}


def role_settings(args: argparse.Namespace) -> dict[str, dict[str, Any]] | None:
    """The composed backend's settings from the command line; None when no role was chosen."""
    given = {role: _given_options(args, role) for role in ROLES}
    inspector = getattr(args, "inspector", None)
    composing = bool(args.planner or args.sketcher or any(given.values())
                     or (inspector and inspector not in PRESET_INSPECTOR_MODES))
    if not composing:
        return None
    backend = getattr(args, "backend", None)
    if backend not in (None, "sketchbook", "composed"):
        raise CliError(f"--backend {backend} fills every role itself; drop it to choose roles one by one "
                       f"(e.g. --sketcher {backend} --inspector {backend})")
    if inspector in ("vqa", "both"):
        raise CliError(f"with roles, --inspector names a model ({', '.join(CHOICES['inspector'])}); "
                       f"ask for its mode with --mode-inspector {inspector}")
    kinds = {"planner": args.planner, "sketcher": args.sketcher, "inspector": inspector}
    settings: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        options = given[role]
        kind = kinds[role]
        if options and not kind:
            raise CliError(f"{', '.join(_flag(n, role) for n in options)} given without --{role}")
        if kind:
            settings[role] = {"kind": kind.strip().lower(), **options}
    return settings


def create_role_backend(settings: dict[str, dict[str, Any]]):
    """The composed backend, with a one-line error for anything that cannot run."""
    from stagestudio.backends.base import BackendError
    from stagestudio.backends.registry import create_backend

    try:
        return create_backend("composed", **settings)
    except BackendError as exc:
        raise CliError(str(exc)) from exc


def readiness_lines(args: argparse.Namespace) -> list[str]:
    """`doctor`: one line per chosen role (files, precision on this machine, GPU memory)."""
    roles = role_settings(args)
    if roles is None:
        return []
    from stagestudio.backends.readiness import role_readiness

    return ["roles"] + [f"  {r.line()}" for r in role_readiness(roles)]
