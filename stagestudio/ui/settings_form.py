"""The backend part of the studio's form: the picker's choices and status line, the model
backends' size and step count on the main panel, and the "Backend settings" accordion."""

from __future__ import annotations

from typing import Any

import gradio as gr

from stagestudio.ui.backend_settings import (
    BAGEL_PRECISIONS,
    SettingsError,
    bagel_default_model,
    status_for,
    validate_settings,
)


def backend_choices() -> list[tuple[str, str]]:
    from stagestudio.backends.registry import backend_names, backend_status

    choices = []
    for name in backend_names():
        status = backend_status(name)
        choices.append((f"{name} — {status.state}", name))
    return choices


def backend_status_md(name: str, settings: dict[str, Any] | None = None) -> str:
    """The status line under the backend picker: the backend's state as configured (BAGEL's
    follows the model folder in the settings), or what is wrong with the settings."""
    try:
        checked = validate_settings(name, settings)
    except SettingsError as exc:
        return f"⚠ **{name}** settings: {exc}."
    status = status_for(name, checked)
    icon = "✓" if status.ready else "⚠"
    detail = f" — {status.detail}" if status.detail else ""
    return f"{icon} **{name}**: {status.state}{detail}"


def settings_form(default_backend: str) -> tuple[list[tuple[str, str, Any]], list[tuple[str, Any]]]:
    """The model backends' size and step count on the main panel, and the "Backend settings"
    accordion: groups of fields per backend, only the chosen backend's visible. Returns the
    (backend, setting, component) fields in input order and (backend, group) pairs. Values are
    checked by validate_settings, not by Gradio, so a bad value gets our message (Gradio's own
    min/max checks would reject it before our code)."""
    form: list[tuple[str, str, Any]] = []
    groups: list[tuple[str, Any]] = []
    with gr.Row(visible=default_backend == "bagel", elem_id="ss-bagel-main") as group:
        groups.append(("bagel", group))
        form.append(("bagel", "resolution", gr.Number(
            value=1024, precision=0, label="Image size (px)", elem_id="ss-bagel-resolution", min_width=0)))
        form.append(("bagel", "num_timesteps", gr.Number(
            value=50, precision=0, label="Steps", elem_id="ss-bagel-timesteps", min_width=0)))
    with gr.Accordion("Backend settings", open=False, elem_id="ss-backend-settings"):
        with gr.Column(visible=default_backend == "sketchbook", elem_id="ss-settings-sketchbook") as group:
            groups.append(("sketchbook", group))
            form.append(("sketchbook", "error_rate", gr.Slider(
                0, 1, value=0.3, step=0.05, label="Error rate", elem_id="ss-sb-error-rate", min_width=0,
                info="How often the simulator draws something wrong (0 = never, 1 = every object)."
            )))
        with gr.Column(visible=default_backend == "bagel", elem_id="ss-settings-bagel") as group:
            groups.append(("bagel", group))
            form.append(("bagel", "model", gr.Textbox(
                value=bagel_default_model(), label="Model", max_lines=1, elem_id="ss-bagel-model",
                info="A checkpoint folder, or a Hugging Face repo id already in the cache."
            )))
            form.append(("bagel", "precision", gr.Dropdown(
                choices=list(BAGEL_PRECISIONS), value="nf4", label="Precision", elem_id="ss-bagel-precision",
                min_width=0)))
            form.append(("bagel", "inspector", gr.Radio(
                choices=[("VQA (BAGEL answers questions)", "vqa"), ("Detector + scene-graph checker", "detector"),
                         ("Both (reports disagreements)", "both")],
                value="vqa", label="Inspector", elem_id="ss-bagel-inspector")))
            form.append(("bagel", "offload", gr.Checkbox(
                value=False, label="Offload to CPU (less GPU memory, slower)", elem_id="ss-bagel-offload",
                info="bf16/fp32 only. Streams ~26 GB of layers over PCIe for every model forward (seconds "
                     "each; minutes per image). Helps only to run bf16 on a card under 32 GB; nf4 fits 12 GB "
                     "and is far faster.")))
    return form, groups
