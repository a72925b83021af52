"""The composed backend in the studio: the roles form rendered from the catalog's spec, every
kind's options through form -> settings -> form unchanged, readiness lines (a missing folder,
tiny model folders in the real layouts), the refusal of a combination that cannot run before
Run, a run on offline roles stored and refilled into the form, and a readable header."""

from __future__ import annotations

import gradio as gr
import pytest

from stagestudio.backends.catalog import ROLES, spec_json
from stagestudio.ui.backend_settings import (
    SettingsError,
    form_settings,
    form_values,
    non_default_summary,
    validate_settings,
)
from stagestudio.ui.composed_settings import kind_key, option_key
from stagestudio.ui.role_readiness import combination_html, composed_status, refusal_html, role_line
from stagestudio.ui.session import BackendPool, RunRequest, StudioError, StudioSession
from stagestudio.ui.settings_form import form_checks, settings_form
from test_compose import klein, vlm_yes  # noqa: F401 - the tiny checkpoints, built once per test session
from tiny_models import one_thread  # noqa: F401 - autouse: tiny models run on one thread

PROMPT = "a bear hovering above a silver spoon"
CUDA = __import__("torch").cuda.is_available()
# Partners that run beside any kind, so one kind can be checked in a valid combination.
NEUTRAL = {"planner": {"kind": "offline"}, "sketcher": {"kind": "sketchbook"}, "inspector": {"kind": "detector"}}


@pytest.fixture(scope="module")
def form():
    with gr.Blocks():
        built = settings_form("composed")
    return built


def form_defaults(form) -> dict[tuple[str, str], object]:
    return {(b, s): c.value for b, s, c in form.fields}


def read_form(form, shown: dict[str, object]) -> dict:
    """What Run reads from the page: every field at its initial value, the composed ones as
    `shown` sets them (the way the stream refills the form)."""
    values = form_defaults(form)
    for key, value in shown.items():
        assert ("composed", key) in values, f"the form has no field {key}"
        values[("composed", key)] = value
    return form_settings("composed", list(values), list(values.values()))


def other_value(option: dict) -> object:
    """A valid value other than the option's default."""
    kind, default = option["kind"], option["default"]
    if kind == "choice":
        return next(c for c in option["choices"] if c != default)
    if kind == "bool":
        return not default
    if kind == "text":
        return "some-org/some-model" if option["name"].endswith("model") else "cuda:1"
    low = option["minimum"] if option["minimum"] is not None else 0
    if kind == "int":
        step = option["multiple_of"]
        value = (default or 0) + step if (default or 0) + step <= option["maximum"] else low
        return value - value % step
    return (default / 2) if default else low + 1.5


def every_kind():
    spec = spec_json()
    return [(role, kind) for role in ROLES for kind in spec[role]]


# --- spec -> form -> settings ------------------------------------------------------------------
@pytest.mark.parametrize(("role", "kind"), every_kind())
def test_every_kind_round_trips_through_the_form(form, role, kind):
    options = spec_json()[role][kind]["options"]
    chosen = {"kind": kind, **{o["name"]: other_value(o) for o in options}}
    roles = {**NEUTRAL, role: chosen}
    if role == "inspector" and kind == "sketchbook":
        roles["sketcher"] = {"kind": "sketchbook"}
    stored = validate_settings("composed", roles)
    assert {name: stored[role][name] for name in chosen} == {name: chosen[name] for name in chosen}

    shown = form_values("composed", stored)
    assert shown[kind_key(role)] == kind
    assert {key for key in shown if key.startswith(f"{role}.{kind}.")} == {
        option_key(role, kind, o["name"]) for o in options}  # every option has a field
    assert validate_settings("composed", read_form(form, shown)) == stored


@pytest.mark.parametrize(("role", "kind"), every_kind())
def test_defaults_in_the_form_are_the_catalogs(form, role, kind):
    """An untouched kind runs with the catalog's defaults (nothing invented by the form)."""
    # An edit-only pipeline must be given a text-to-image model (refused without one, below).
    required = {"t2i_model": "Qwen/Qwen-Image"} if kind == "qwen-image-edit" else {}
    roles = {**NEUTRAL, role: {"kind": kind, **required}}
    if role == "inspector" and kind == "sketchbook":
        roles["sketcher"] = {"kind": "sketchbook"}
    stored = validate_settings("composed", roles)
    shown = {kind_key(r): s["kind"] for r, s in roles.items()}
    shown.update({option_key(role, kind, name): value for name, value in required.items()})
    assert validate_settings("composed", read_form(form, shown)) == stored


def test_fields_are_the_right_kind_of_component(form):
    components = {s: c for b, s, c in form.fields if b == "composed"}
    klein_spec = {o["name"]: o for o in spec_json()["sketcher"]["flux2-klein"]["options"]}
    precision = components[option_key("sketcher", "flux2-klein", "precision")]
    assert isinstance(precision, gr.Dropdown)
    assert [c[1] for c in precision.choices] == klein_spec["precision"]["choices"]
    assert isinstance(components[option_key("sketcher", "flux2-klein", "offload")], gr.Checkbox)
    assert isinstance(components[option_key("sketcher", "flux2-klein", "model")], gr.Textbox)
    assert isinstance(components[option_key("sketcher", "flux2-klein", "steps")], gr.Number)
    kinds = components[kind_key("inspector")]
    assert [c[1] for c in kinds.choices] == list(spec_json()["inspector"])
    # The sketcher's size and steps sit on the main panel, beside BAGEL's and the remote's.
    assert components[option_key("sketcher", "bagel", "resolution")].elem_id == "ss-opt-sketcher-bagel-resolution"
    main = {key for key, _ in form.roles.fields if key.rsplit(".", 1)[-1] in ("size", "steps", "resolution",
                                                                                "num_timesteps")}
    assert option_key("sketcher", "flux-kontext", "size") in main


def test_only_the_chosen_kind_is_read():
    fields = [("composed", kind_key("sketcher")), ("composed", option_key("sketcher", "sketchbook", "error_rate")),
              ("composed", option_key("sketcher", "flux2-klein", "steps")), ("bagel", "model")]
    roles = form_settings("composed", fields, ["sketchbook", 0.0, "many", "/x"])
    assert roles["sketcher"] == {"kind": "sketchbook", "error_rate": 0.0}  # the klein field is not read
    assert roles["planner"] == {"kind": "offline"} and roles["inspector"] == {"kind": "sketchbook"}


@pytest.mark.parametrize(("roles", "message"), [
    ({"sketcher": {"kind": "flux2-klein"}, "inspector": {"kind": "sketchbook"}},
     "the sketchbook inspector only recognises the sketchbook's own sprites"),
    ({"sketcher": {"kind": "qwen-image-edit"}, "inspector": {"kind": "qwen3-vl"}},
     "Qwen-Image-Edit only edits: it cannot draw the first step from text"),
    ({"sketcher": {"kind": "flux2-klein", "size": 1000}, "inspector": {"kind": "detector"}},
     "sketcher flux2-klein size must be a multiple of 16"),
    ({"sketcher": {"kind": "flux2-klein", "steps": "many"}, "inspector": {"kind": "detector"}},
     "sketcher flux2-klein steps must be a number, got 'many'"),
    ({"planner": {"kind": "detector"}}, "a detector finds objects in a picture"),
    ({"critic": {"kind": "offline"}}, "unknown role(s) critic"),
])
def test_bad_combinations_get_the_backends_one_line_reason(roles, message):
    with pytest.raises(SettingsError) as info:
        validate_settings("composed", roles)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert message.replace("'", "&#x27;") in refusal_html(str(info.value))


# --- readiness ---------------------------------------------------------------------------------
def test_a_missing_folder_is_named_with_its_reason_and_precision(tmp_path):
    missing = tmp_path / "no-klein-here"
    line = role_line("sketcher", {"kind": "flux2-klein", "model": str(missing), "precision": "nf4"})
    assert line.state == "missing weights" and not line.ready
    assert f"model folder {missing} does not exist" in line.detail
    if not CUDA:  # nf4 needs CUDA: said beside the files, not hidden behind them
        assert not line.precision_ok and "nf4 (bitsandbytes 4-bit) needs a CUDA GPU" in line.precision
    else:
        assert line.precision_ok and line.precision == "nf4 runs here, on the GPU"
    html = line.html()
    assert "missing weights" in html and str(missing) in html and "precision" in html

    published = role_line("sketcher", {"kind": "flux2-klein", "precision": "bf16"})
    assert published.state == "missing weights" and "hf download black-forest-labs/FLUX.2-klein-4B" in published.detail
    assert "estimate" in published.memory and "published configuration" in published.memory


def test_tiny_model_folders_are_ready_with_estimates_from_their_files(klein, vlm_yes, shared_dir):
    sketcher = role_line("sketcher", {"kind": "flux2-klein", "model": str(klein), "precision": "fp32", "size": 64})
    assert sketcher.ready and sketcher.state == "ready"
    assert str(klein) in sketcher.detail if CUDA else "files complete" in sketcher.detail
    assert sketcher.precision == ("fp32 runs here, on the GPU" if CUDA
                                  else "fp32 runs here, on the CPU (no CUDA GPU; slow at full size)")
    assert "estimate" in sketcher.memory and "safetensors headers" in sketcher.memory
    inspector = role_line("inspector", {"kind": "qwen3-vl", "model": str(vlm_yes), "precision": "fp32"})
    assert inspector.ready and "GiB (estimate" in inspector.memory

    bagel = shared_dir / "fixtures" / "bagel"
    tiny = role_line("sketcher", {"kind": "bagel", "model": str(bagel), "precision": "fp32"})
    if CUDA:
        assert tiny.ready and tiny.precision == "fp32 runs here, on the GPU"
    else:  # as for the BAGEL preset, the studio runs BAGEL on a GPU only
        assert tiny.state == "no GPU" and str(bagel) in tiny.detail and not tiny.precision_ok
    offload = role_line("sketcher", {"kind": "bagel", "model": str(bagel), "precision": "nf4", "offload": True})
    assert not offload.ready and offload.precision == "CPU offload works with fp32/bf16 only"

    roles = {"planner": {"kind": "offline"}, "sketcher": {"kind": "flux2-klein", "model": str(klein),
                                                          "precision": "fp32", "size": 64},
             "inspector": {"kind": "qwen3-vl", "model": str(vlm_yes), "precision": "fp32"}}
    assert composed_status(roles).ready
    assert "These roles can run here" in combination_html(composed_status(roles), roles)


def test_form_checks_show_each_role_and_the_verdict(form, tmp_path):
    missing = tmp_path / "nowhere"
    shown = {kind_key("sketcher"): "flux2-klein", option_key("sketcher", "flux2-klein", "model"): str(missing),
             kind_key("inspector"): "sketchbook"}
    values = form_defaults(form)
    values.update({("composed", k): v for k, v in shown.items()})
    status, verdict, planner, sketcher, inspector = form_checks("composed", list(values), list(values.values()))
    assert "Run will refuse" in verdict and "only recognises the sketchbook" in verdict
    assert 'data-state="missing weights"' in sketcher and str(missing) in sketcher  # shown despite the verdict
    assert 'data-state="ready"' in planner and 'data-state="ready"' in inspector

    values[("composed", kind_key("inspector"))] = "detector"
    status, verdict, *_ = form_checks("composed", list(values), list(values.values()))
    assert "Run will refuse: missing weights" in verdict and str(missing) in verdict
    assert status == "⚠ **composed**: missing weights — each role's line under Backend settings says why"


# --- Run ----------------------------------------------------------------------------------------
def test_a_combination_that_cannot_run_is_refused_before_run(tmp_path):
    sess = StudioSession(BackendPool())  # the real registry
    bad = {"sketcher": {"kind": "flux2-klein"}, "inspector": {"kind": "sketchbook"}}
    with pytest.raises(StudioError) as info:
        sess.start(RunRequest(prompt=PROMPT, backend="composed", backend_settings=bad))
    assert str(info.value).startswith("Backend settings: the sketchbook inspector only recognises")
    assert info.value.area == "run" and "\n" not in str(info.value)

    missing = {"sketcher": {"kind": "flux2-klein", "model": str(tmp_path / "nowhere")}, "inspector": {"kind": "detector"}}
    with pytest.raises(StudioError) as info:
        sess.start(RunRequest(prompt=PROMPT, backend="composed", backend_settings=missing))
    assert "not available here (missing weights" in str(info.value) and "nowhere does not exist" in str(info.value)
    assert sess.backends.live() == {} and not sess.running and sess.events == []  # nothing was built or run


def test_offline_roles_run_are_stored_complete_and_refill_the_form(form, tmp_path):
    from stagestudio.store import open_store
    from stagestudio.ui.screen import ScreenContext, compose

    store = open_store(tmp_path / "s.db")
    roles = {"planner": {"kind": "offline"}, "sketcher": {"kind": "sketchbook", "error_rate": 0.0, "size": 256},
             "inspector": {"kind": "sketchbook"}}
    sess = StudioSession(BackendPool(), store)
    sess.start(RunRequest(prompt=PROMPT, backend="composed", seed=3, backend_settings=roles))
    assert sess.wait(60)
    view = sess.timeline()
    assert view.status == "completed" and view.passed
    stored = store.load_session(view.session_id).settings
    assert stored == validate_settings("composed", roles)

    # Opened from the store in another workspace: the form shows exactly those roles.
    other = StudioSession(BackendPool(), store)
    other.load(list(store.replay(view.session_id)))
    context = ScreenContext(image_file=lambda image: "", form_fields=form.names,
                            backend_values=frozenset({"sketchbook", "composed"}))
    parts = compose(other, context).parts
    shown = {}
    for backend, setting in form.names:
        update = parts[f"form:{backend}:{setting}"].update
        if backend == "composed" and isinstance(update, dict) and "value" in update:
            shown[setting] = update["value"]
        elif backend != "composed":
            assert not (isinstance(update, dict) and "value" in update)  # other backends' fields untouched
    assert shown[option_key("sketcher", "sketchbook", "size")] == 256
    assert validate_settings("composed", read_form(form, shown)) == stored
    assert parts["backend"].update["value"] == "composed"
    store.close()


def test_header_shows_the_roles_readably():
    from stagestudio.ui.render import header_html
    from stagestudio.ui.timeline import TimelineView

    stored = validate_settings("composed", {
        "sketcher": {"kind": "flux2-klein", "model": "/models/FLUX.2-klein-4B", "size": 512, "steps": 4},
        "inspector": {"kind": "qwen3-vl", "precision": "nf4", "mode": "both"}})
    text = non_default_summary("composed", stored)
    assert text == ("planner offline; sketcher flux2-klein: model FLUX.2-klein-4B, size 512, steps 4; "
                    "inspector qwen3-vl: precision nf4, mode both")
    plain = non_default_summary("composed", validate_settings("composed", {}))
    assert plain == "planner offline; sketcher sketchbook; inspector sketchbook"
    view = TimelineView(session_id="abc123def456", backend="composed", seed=1, backend_settings=stored)
    head = header_html(view)
    assert "composed <span class=\"ss-settings\">(planner offline; sketcher flux2-klein:" in head
    assert "{" not in head and "'kind'" not in head
