"""The `composed` backend in the studio's form: roles chosen one by one, each a kind and that
kind's options, all described by the role catalog (`catalog.spec_json()`), so a new kind or
option appears in the form without UI code.

The form holds every kind's fields at once (only the chosen kind's are shown); a field is named
by a flat key, `"sketcher.kind"` or `"sketcher.flux2-klein.size"`. `roles_from_form` turns the
form's values into the backend's settings (the chosen kind of each role with that kind's options)
and `form_from_roles` turns stored settings back into field values, so opening a stored session
refills the form exactly. Checking goes through `compose.resolve_roles`, the same function the
backend and the CLI use: one message for one mistake wherever it was made."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stagestudio.backends.catalog import ROLES, bagel_default_model, spec_json

# What a role shows when nothing was chosen: the cheap offline roles, which run anywhere.
FORM_DEFAULT_KINDS = {"planner": "offline", "sketcher": "sketchbook", "inspector": "sketchbook"}
# Options that sit on the main panel next to the prompt (image size and step count) rather
# than in the settings accordion: the ones people change between runs.
MAIN_PANEL_OPTIONS = ("size", "resolution", "steps", "num_timesteps")


class ComposedSettingsError(ValueError):
    """The roles cannot run as chosen; the message is the composed backend's own one-line reason."""


def kind_key(role: str) -> str:
    return f"{role}.kind"


def option_key(role: str, kind: str, option: str) -> str:
    return f"{role}.{kind}.{option}"


def option_specs(role: str, kind: str) -> list[dict[str, Any]]:
    """The JSON specs of one kind's options, in catalog order (empty for an unknown kind)."""
    return list(spec_json()[role].get(kind, {}).get("options", []))


def default_roles() -> dict[str, dict[str, Any]]:
    """The form's starting roles, every option filled in."""
    return validate_roles({role: {"kind": kind} for role, kind in FORM_DEFAULT_KINDS.items()})


def validate_roles(raw: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Complete, checked role settings (the composed backend's `settings()` shape).
    ComposedSettingsError carries the backend's one-line reason for anything that cannot run."""
    from stagestudio.backends.compose import CompositionError, resolve_roles

    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(ROLES))
    if unknown:
        raise ComposedSettingsError(f"unknown role(s) {', '.join(unknown)}; the roles are {', '.join(ROLES)}")
    given = {role: raw.get(role) or {"kind": FORM_DEFAULT_KINDS[role]} for role in ROLES}
    try:
        return resolve_roles(**given)
    except CompositionError as exc:
        raise ComposedSettingsError(str(exc)) from exc


def roles_from_form(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The chosen kind of each role with that kind's option values as the form holds them
    (not checked: the other kinds' fields are left out)."""
    roles: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        kind = str(values.get(kind_key(role)) or FORM_DEFAULT_KINDS[role]).strip().lower()
        settings: dict[str, Any] = {"kind": kind}
        for spec in option_specs(role, kind):
            key = option_key(role, kind, spec["name"])
            if key in values:
                settings[spec["name"]] = _from_field(spec, values[key])
        roles[role] = settings
    return roles


def form_from_roles(roles: Mapping[str, Any]) -> dict[str, Any]:
    """Field values that show `roles` (stored settings): each role's kind and its options."""
    values: dict[str, Any] = {}
    for role in ROLES:
        settings = roles.get(role) or {}
        if not isinstance(settings, Mapping):
            continue
        kind = str(settings.get("kind") or FORM_DEFAULT_KINDS[role])
        values[kind_key(role)] = kind
        for spec in option_specs(role, kind):
            if spec["name"] in settings:
                values[option_key(role, kind, spec["name"])] = _to_field(spec, settings[spec["name"]])
    return values


def _from_field(spec: Mapping[str, Any], value: Any) -> Any:
    # An empty text box means "not set"; the option's check decides whether that is allowed.
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _to_field(spec: Mapping[str, Any], value: Any) -> Any:
    # Text and optional numbers live in text boxes (see roles_form.option_component).
    if spec["kind"] == "text" or (spec["optional"] and spec["kind"] in ("int", "float")):
        return "" if value is None else str(value)
    return value


def summary(roles: Mapping[str, Any]) -> str:
    """The roles, readable, for a session's header: each role's kind and the options that
    differ from that kind's defaults, e.g. 'planner offline; sketcher flux2-klein: size 512,
    steps 4; inspector qwen3-vl: precision nf4'."""
    parts = []
    for role in ROLES:
        settings = roles.get(role)
        if not isinstance(settings, Mapping):
            continue
        kind = str(settings.get("kind", "?"))
        changed = []
        for spec in option_specs(role, kind):
            name = spec["name"]
            value = settings.get(name, spec["default"])
            default = spec["default"]
            if name == "model" and kind == "bagel" and default is None:
                default = bagel_default_model()  # stored resolved
            if value is None or value == default:
                continue
            changed.append(f"{name} {_shown(name, value)}")
        parts.append(f"{role} {kind}" + (f": {', '.join(changed)}" if changed else ""))
    return "; ".join(parts)


def _shown(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if name in ("model", "t2i_model"):
        return Path(str(value)).name or str(value)  # the folder's (or repo's) name says which checkpoint
    return str(value)
