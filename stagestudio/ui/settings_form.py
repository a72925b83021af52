"""The backend part of the studio's form: the picker's choices and status line, the model
backends' size and step count on the main panel, the "Backend settings" accordion (sketchbook,
BAGEL, remote endpoints, composed roles), and the checks shown while the form is edited (the
status line, each composed role's readiness, the verdict next to Run)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from stagestudio.backends.base import BackendStatus
from stagestudio.backends.catalog import ROLES
from stagestudio.ui.backend_settings import (
    BAGEL_PRECISIONS,
    SettingsError,
    bagel_default_model,
    form_settings,
    status_for,
    validate_settings,
)
from stagestudio.ui.roles_form import RolesForm, main_panel_fields, role_sections

GRAPH_CHOICES = [("Model (BAGEL writes it; the parser is its fallback)", "model"),
                        ("Parser (the offline parser only)", "parser")]

# The remote settings people rarely change (each request carries them, so a session replays them).
REMOTE_MORE = (
    ("max_graph_tokens", "Scene graph tokens", "Longest scene-graph JSON the model may write."),
    ("max_plan_tokens", "Plan tokens", "Longest plan the model may write."),
    ("max_answer_tokens", "Answer tokens", "Longest answer to an inspection question."),
    ("timestep_shift", "Timestep shift", "BAGEL's sampler timestep shift."),
    ("cfg_text_scale", "Text guidance scale", "BAGEL's text classifier-free guidance."),
    ("connect_timeout_s", "Connect timeout (s)", "The longest wait for a connection."),
    ("backoff_s", "Back-off (s)", "The first wait before a retry; it doubles each time (at most 30 s)."),
)


@dataclass
class SettingsForm:
    """Every settings component: `fields` as (backend, setting, component) in input order,
    `groups` as (backend, container) shown only while that backend is chosen, and the composed
    roles' kind dropdowns, kind containers and readiness lines."""

    fields: list[tuple[str, str, Any]] = field(default_factory=list)
    groups: list[tuple[str, Any]] = field(default_factory=list)
    roles: RolesForm = field(default_factory=RolesForm)

    @property
    def names(self) -> list[tuple[str, str]]:
        return [(backend, setting) for backend, setting, _ in self.fields]

    @property
    def inputs(self) -> list[Any]:
        return [component for _, _, component in self.fields]


def backend_choices() -> list[tuple[str, str]]:
    from stagestudio.backends.registry import backend_names, backend_status
    from stagestudio.backends.remote.settings import endpoints_from_env

    choices = []
    for name in backend_names():
        # Remote endpoints can be typed into the settings, so no endpoint yet is no error.
        state = "enter endpoints" if name == "remote" and not endpoints_from_env() else backend_status(name).state
        choices.append((f"{name} — {state}", name))
    return choices


def backend_status_md(name: str, settings: dict[str, Any] | None = None) -> str:
    """The status line under the backend picker: the backend's state as configured (BAGEL's
    follows the model folder in the settings), or what is wrong with the settings."""
    try:
        checked = validate_settings(name, settings)
    except SettingsError as exc:
        return f"⚠ **{name}** settings: {exc}."
    return _status_md(name, status_for(name, checked))


def _status_md(name: str, status: BackendStatus) -> str:
    icon = "✓" if status.ready else "⚠"
    detail = f" — {status.detail}" if status.detail else ""
    if name == "composed" and not status.ready:
        detail = " — each role's line under Backend settings says why"  # the reasons are long: said once there
    return f"{icon} **{name}**: {status.state}{detail}"


def form_checks(name: str, fields: Sequence[tuple[str, str]], values: Sequence[Any]) -> list[Any]:
    """What the page shows while the form is edited: the status line, the verdict next to Run
    (composed only), and each composed role's readiness line (unchanged for other backends)."""
    from stagestudio.ui.role_readiness import combination_html, composed_status, refusal_html, role_lines

    settings = form_settings(name, fields, values)
    if name != "composed":
        return [backend_status_md(name, settings), "", *(gr.skip() for _ in ROLES)]
    try:
        roles = validate_settings(name, settings)
    except SettingsError as exc:
        status_line, verdict = f"⚠ **{name}** settings: {exc}.", refusal_html(str(exc))
    else:
        status = composed_status(roles)
        status_line, verdict = _status_md(name, status), combination_html(status, roles)
    # Each role on its own, so a role's files and precision show even when the combination is refused.
    lines = role_lines(settings)
    return [status_line, verdict, *(lines[role].html() for role in ROLES)]


def settings_form(default_backend: str) -> SettingsForm:
    """The model backends' size and step count on the main panel, and the "Backend settings"
    accordion: groups of fields per backend, only the chosen backend's visible. Values are
    checked by validate_settings, not by Gradio, so a bad value gets our message (Gradio's own
    min/max checks would reject it before our code)."""
    form = SettingsForm()
    _main_panel(form, default_backend)
    with gr.Accordion("Backend settings", open=False, elem_id="ss-backend-settings"):
        with gr.Column(visible=default_backend == "sketchbook", elem_id="ss-settings-sketchbook") as group:
            form.groups.append(("sketchbook", group))
            form.fields.append(("sketchbook", "error_rate", gr.Slider(
                0, 1, value=0.3, step=0.05, label="Error rate", elem_id="ss-sb-error-rate", min_width=0,
                info="How often the simulator draws something wrong (0 = never, 1 = every object)."
            )))
        with gr.Column(visible=default_backend == "bagel", elem_id="ss-settings-bagel") as group:
            form.groups.append(("bagel", group))
            _bagel_fields(form)
        with gr.Column(visible=default_backend == "remote", elem_id="ss-settings-remote") as group:
            form.groups.append(("remote", group))
            _remote_fields(form)
        with gr.Column(visible=default_backend == "composed", elem_id="ss-settings-composed") as group:
            form.groups.append(("composed", group))
            gr.Markdown("Choose the planner, the sketcher and the inspector one by one. Each role says whether "
                        "its files are here, whether its precision runs on this machine and how much GPU memory "
                        "it needs; the line next to Run says whether the three can run together.",
                        elem_classes="ss-role-help")
            role_sections(form.roles)
    form.fields.extend(("composed", key, component) for key, component in form.roles.fields)
    return form


def _main_panel(form: SettingsForm, default_backend: str) -> None:
    for backend in ("bagel", "remote"):  # BAGEL's image size and timesteps, local or served
        with gr.Row(visible=default_backend == backend, elem_id=f"ss-{backend}-main") as group:
            form.groups.append((backend, group))
            form.fields.append((backend, "resolution", gr.Number(
                value=1024, precision=0, label="Image size (px)", elem_id=f"ss-{backend}-resolution", min_width=0)))
            form.fields.append((backend, "num_timesteps", gr.Number(
                value=50, precision=0, label="Steps", elem_id=f"ss-{backend}-timesteps", min_width=0)))
    form.groups.append(("composed", main_panel_fields(form.roles, default_backend == "composed")))


def _bagel_fields(form: SettingsForm) -> None:
    form.fields.append(("bagel", "model", gr.Textbox(
        value=bagel_default_model(), label="Model", max_lines=1, elem_id="ss-bagel-model",
        info="A checkpoint folder, or a Hugging Face repo id already in the cache."
    )))
    form.fields.append(("bagel", "precision", gr.Dropdown(
        choices=list(BAGEL_PRECISIONS), value="nf4", label="Precision", elem_id="ss-bagel-precision",
        min_width=0)))
    form.fields.append(("bagel", "inspector", gr.Radio(
        choices=[("VQA (BAGEL answers questions)", "vqa"), ("Detector + scene-graph checker", "detector"),
                 ("Both (reports disagreements)", "both")],
        value="vqa", label="Inspector", elem_id="ss-bagel-inspector")))
    form.fields.append(("bagel", "graph", gr.Radio(
        choices=GRAPH_CHOICES, value="model", label="Scene graph", elem_id="ss-bagel-graph")))
    form.fields.append(("bagel", "lora", gr.Textbox(
        value="", label="LoRA adapter", max_lines=1, elem_id="ss-bagel-lora",
        info="An adapter folder from `psir train` (OUT/adapter); empty for none.")))
    form.fields.append(("bagel", "merge_lora", gr.Checkbox(
        value=False, label="Merge the adapter into the weights (faster; re-quantizes nf4 weights)", elem_id="ss-bagel-merge-lora")))
    form.fields.append(("bagel", "offload", gr.Checkbox(
        value=False, label="Offload to CPU (less GPU memory, slower)", elem_id="ss-bagel-offload",
        info="bf16/fp32 only. Streams ~26 GB of layers over PCIe for every model forward (seconds "
             "each; minutes per image). Helps only to run bf16 on a card under 32 GB; nf4 fits 12 GB "
             "and is far faster.")))


def _remote_fields(form: SettingsForm) -> None:
    from stagestudio.backends.remote.settings import API_KEY_ENV, ENDPOINTS_ENV
    from stagestudio.ui.remote_form import default_settings, endpoints_to_text

    defaults = default_settings()
    form.fields.append(("remote", "endpoints", gr.Textbox(
        value=endpoints_to_text(defaults["endpoints"]), label="Endpoints", lines=3, elem_id="ss-remote-endpoints",
        placeholder="http://gpu-1:8000\nhttp://gpu-2:8001",
        info=f"vLLM-Omni servers, one per line (default ${ENDPOINTS_ENV}). Each session stays on one of them.")))
    form.fields.append(("remote", "served_model", gr.Textbox(
        value="", label="Served model name", max_lines=1, elem_id="ss-remote-served-model",
        placeholder="(not sent)", info="The request's `model` field, when the servers check it.")))
    with gr.Row():
        form.fields.append(("remote", "timeout_s", gr.Number(
            value=defaults["timeout_s"], label="Timeout (s)", elem_id="ss-remote-timeout", min_width=0,
            info="The longest wait for one reply (not retried).")))
        form.fields.append(("remote", "retries", gr.Number(
            value=defaults["retries"], precision=0, label="Retries", elem_id="ss-remote-retries", min_width=0,
            info="On 429/502/503/504 and lost connections, with back-off.")))
    form.fields.append(("remote", "graph", gr.Radio(
        choices=GRAPH_CHOICES, value=defaults["graph"], label="Scene graph", elem_id="ss-remote-graph")))
    with gr.Accordion("More remote settings", open=False, elem_id="ss-remote-more"):
        for setting, label, info in REMOTE_MORE:
            form.fields.append(("remote", setting, gr.Number(
                value=defaults[setting], label=label, info=info, elem_id=f"ss-remote-{setting.replace('_', '-')}",
                min_width=0, precision=0 if isinstance(defaults[setting], int) else None)))
    gr.Markdown(f"**API key**: read from the environment variable `{API_KEY_ENV}` where the studio runs, when a "
                "run starts. It is never typed here, shown in the page or stored with a session.",
                elem_id="ss-remote-api-key")
