"""The composed backend's part of the settings form, rendered from the role catalog's JSON spec
(`catalog.spec_json()`): per role a kind dropdown, each kind's options (shown only while that
kind is chosen) and the role's readiness line. A new kind or option in the catalog appears here
without UI code. The sketcher's image size and step count go on the main panel instead, beside
the other backends' size and steps.

Fields are named by composed_settings' flat keys ("sketcher.flux2-klein.size"); values are
checked by the catalog's option specs when the form is read, never by Gradio (whose own
min/max checks would reject a value before our message could explain it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from stagestudio.backends.catalog import ROLES, spec_json
from stagestudio.ui.composed_settings import (
    FORM_DEFAULT_KINDS,
    MAIN_PANEL_OPTIONS,
    kind_key,
    option_key,
)

MAIN_PANEL_LABELS = {"size": "Image size (px)", "resolution": "Image size (px)", "steps": "Steps",
                     "num_timesteps": "Steps"}


@dataclass
class RolesForm:
    """The composed backend's components: fields as (setting key, component), each role's kind
    dropdown and its kinds' containers (to show the chosen one), and each role's readiness line."""

    fields: list[tuple[str, Any]] = field(default_factory=list)
    kinds: dict[str, Any] = field(default_factory=dict)
    kind_groups: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    readiness: dict[str, Any] = field(default_factory=dict)


def elem_id(*parts: str) -> str:
    return "ss-" + "-".join(p.replace("_", "-").replace(".", "-") for p in parts)


def option_component(spec: dict[str, Any], elem: str, label: str | None = None) -> Any:
    """A form field for one option spec (text, int, float, bool or choice)."""
    kind, default = spec["kind"], spec["default"]
    label = label or spec["name"].replace("_", " ").capitalize()
    common: dict[str, Any] = {"label": label, "elem_id": elem, "min_width": 0, "info": spec["help"]}
    if kind == "bool":
        return gr.Checkbox(value=bool(default), **common)
    if kind == "choice":
        return gr.Dropdown(choices=list(spec["choices"]), value=default, **common)
    if kind in ("int", "float") and not spec["optional"]:
        return gr.Number(value=default, precision=0 if kind == "int" else None, **common)
    # Text, and numbers that may be left unset: a number box cannot be empty (it shows 0).
    return gr.Textbox(value="" if default is None else str(default), max_lines=1,
                      placeholder="(not set)" if spec["optional"] else None, **common)


def main_panel_fields(form: RolesForm, visible: bool) -> Any:
    """The composed sketcher's image size and step count, one group per kind that has them."""
    spec = spec_json()["sketcher"]
    with gr.Row(visible=visible, elem_id="ss-composed-main") as row:
        for kind, choice in spec.items():
            options = [o for o in choice["options"] if o["name"] in MAIN_PANEL_OPTIONS]
            if not options:
                continue
            with gr.Row(visible=kind == FORM_DEFAULT_KINDS["sketcher"], elem_id=elem_id("main", "sketcher", kind),
                        elem_classes="ss-main-options") as group:
                form.kind_groups.setdefault("sketcher", []).append((kind, group))
                for option in options:
                    component = option_component(option, elem_id("opt", "sketcher", kind, option["name"]),
                                                 label=MAIN_PANEL_LABELS[option["name"]])
                    form.fields.append((option_key("sketcher", kind, option["name"]), component))
    return row


def role_sections(form: RolesForm) -> None:
    """A section per role: the kind, that kind's help and options, the readiness line."""
    spec = spec_json()
    for role in ROLES:
        with gr.Column(elem_id=elem_id("role", role), elem_classes="ss-role"):
            choices = [(f"{kind} — {choice['title']}", kind) for kind, choice in spec[role].items()]
            kind_field = gr.Dropdown(choices=choices, value=FORM_DEFAULT_KINDS[role], label=role.capitalize(),
                                     elem_id=elem_id("role", role, "kind"))
            form.kinds[role] = kind_field
            form.fields.append((kind_key(role), kind_field))
            for kind, choice in spec[role].items():
                with gr.Column(visible=kind == FORM_DEFAULT_KINDS[role], elem_id=elem_id("role", role, kind),
                               elem_classes="ss-role-kind") as group:
                    form.kind_groups.setdefault(role, []).append((kind, group))
                    gr.Markdown(choice["help"], elem_classes="ss-role-help")
                    for option in choice["options"]:
                        if role == "sketcher" and option["name"] in MAIN_PANEL_OPTIONS:
                            continue  # on the main panel
                        component = option_component(option, elem_id("opt", role, kind, option["name"]))
                        form.fields.append((option_key(role, kind, option["name"]), component))
            form.readiness[role] = gr.HTML("", elem_id=elem_id("role", role, "readiness"))
