"""Per-backend settings in the studio: validation messages, the pool keyed by (name, settings)
(a changed setting gives a fresh backend and closes the replaced one once no run uses it),
settings carried into the session record, forks and loads, and BAGEL's folder-aware status."""

from __future__ import annotations

import threading

import pytest

from stagestudio.ui.backend_settings import (
    SettingsError,
    bagel_status,
    default_settings,
    form_settings,
    settings_key,
    validate_settings,
)
from stagestudio.ui.session import BackendPool, RunRequest, StudioError, StudioSession
from test_ui_session import ScriptedBackend

# --- validation ---------------------------------------------------------------------------


def test_defaults_fill_what_is_not_given(monkeypatch):
    monkeypatch.delenv("STAGESTUDIO_BAGEL_MODEL", raising=False)
    assert validate_settings("sketchbook") == {"error_rate": 0.3, "size": 512}
    assert validate_settings("sketchbook", {"error_rate": 0}) == {"error_rate": 0.0, "size": 512}
    bagel = validate_settings("bagel", {"inspector": "Detector", "resolution": 512.0, "model": "  "})
    assert bagel["inspector"] == "detector" and bagel["resolution"] == 512 and isinstance(bagel["resolution"], int)
    assert bagel["model"] == "ByteDance-Seed/BAGEL-7B-MoT"  # an empty box means the default
    assert bagel["precision"] == "nf4" and bagel["offload"] is False and bagel["num_timesteps"] == 50


def test_the_model_default_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("STAGESTUDIO_BAGEL_MODEL", str(tmp_path))
    assert validate_settings("bagel")["model"] == str(tmp_path)
    assert default_settings("bagel")["model"] == str(tmp_path)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("sketchbook", {"error_rate": 1.5}, "Error rate must be between 0 and 1, got 1.5"),
        ("sketchbook", {"error_rate": -0.1}, "Error rate must be between 0 and 1"),
        ("sketchbook", {"error_rate": None}, "Error rate is empty"),
        ("sketchbook", {"error_rate": "lots"}, "Error rate must be a number, got 'lots'"),
        ("sketchbook", {"errors": 0.1}, "unknown sketchbook setting(s) errors; known: error_rate, size"),
        ("bagel", {"resolution": 1000}, "Resolution must be a multiple of 16 (e.g. 992 or 1008), got 1000"),
        ("bagel", {"resolution": 2048}, "Resolution must be between 16 and 1024, got 2048"),
        ("bagel", {"resolution": 512.5}, "Resolution must be a whole number"),
        ("bagel", {"num_timesteps": 0}, "Timesteps must be between 1 and 200, got 0"),
        ("bagel", {"num_timesteps": None}, "Timesteps is empty"),
        ("bagel", {"precision": "fp16"}, "Precision must be one of nf4, int8, bf16, fp32, got 'fp16'"),
        ("bagel", {"inspector": "yolo"}, "Inspector must be one of vqa, detector, both"),
        ("bagel", {"offload": "maybe"}, "Offload must be on or off"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(name, raw, message):
    with pytest.raises(SettingsError) as info:
        validate_settings(name, raw)
    assert message in str(info.value)


def test_stored_settings_validate_back_to_themselves():
    """What `backend.settings()` records can be fed back (forks): vqa-only BAGEL stores detector=None."""
    from stagestudio.backends.bagel.backend import BagelBackend
    from stagestudio.backends.sketchbook.backend import SketchbookBackend

    stored = BagelBackend(model="some/where", inspector="vqa", resolution=512).settings()
    assert stored["detector"] is None
    again = validate_settings("bagel", stored)
    assert BagelBackend(**again).settings() == stored
    sketchbook = SketchbookBackend(error_rate=0.0).settings()
    assert validate_settings("sketchbook", sketchbook) == sketchbook


def test_unknown_backends_pass_their_settings_through():
    assert validate_settings("scripted") == {}
    assert validate_settings("scripted", {"x": 1}) == {"x": 1}


def test_settings_key_ignores_order_and_tells_values_apart():
    assert settings_key({"a": 1, "b": "x"}) == settings_key({"b": "x", "a": 1})
    assert settings_key({"a": 1}) != settings_key({"a": 2})
    assert hash(settings_key({"a": [1, 2]})) is not None


def test_form_settings_take_only_the_chosen_backends_fields():
    fields = [("sketchbook", "error_rate"), ("bagel", "model"), ("bagel", "offload")]
    values = [0.0, "/models/bagel", True]
    assert form_settings("sketchbook", fields, values) == {"error_rate": 0.0}
    assert form_settings("bagel", fields, values) == {"model": "/models/bagel", "offload": True}
    assert form_settings("scripted", fields, values) == {}
    with pytest.raises(ValueError, match="3 fields but 2 values"):
        form_settings("bagel", fields, values[:2])


# --- BAGEL status from the chosen model -------------------------------------------------------


def test_bagel_status_follows_the_chosen_folder(tmp_path):
    empty = tmp_path / "bagel"
    empty.mkdir()
    status = bagel_status(str(empty))
    assert status.state == "missing weights"
    assert str(empty) in status.detail and "ema.safetensors" in status.detail and "tokenizer" in status.detail

    missing = bagel_status(str(tmp_path / "nowhere"))
    assert missing.state == "missing weights" and "does not exist" in missing.detail

    a_file = tmp_path / "ema.safetensors"
    a_file.write_bytes(b"")
    assert "is a file" in bagel_status(str(a_file)).detail

    # HF_HUB_OFFLINE=1 (conftest): a repo id is looked up in the cache only.
    uncached = bagel_status("nobody-here/no-such-bagel")
    assert uncached.state == "missing weights" and "not in the Hugging Face cache" in uncached.detail


# --- the pool -----------------------------------------------------------------------------------


class Recording:
    """A factory that records what it built and which instances were closed."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.made: list[tuple[str, dict]] = []
        self.closed: list[ScriptedBackend] = []
        self.gate = gate  # held by the first instance's sketches only

    def __call__(self, name, **settings):
        self.made.append((name, settings))
        backend = ScriptedBackend(gate=self.gate if len(self.made) == 1 else None)
        backend.close = lambda b=backend: self.closed.append(b)  # type: ignore[method-assign]
        return backend


def test_pool_keys_instances_by_name_and_settings():
    factory = Recording()
    pool = BackendPool(factory)
    a = pool.get("sketchbook", {"error_rate": 0.3})
    assert pool.get("sketchbook") is a  # the defaults are the same settings
    assert pool.get("sketchbook", {"error_rate": 0.3, "size": 512}) is a
    assert factory.made == [("sketchbook", {"error_rate": 0.3, "size": 512})]

    b = pool.get("sketchbook", {"error_rate": 0.0})
    assert b is not a and factory.made[-1] == ("sketchbook", {"error_rate": 0.0, "size": 512})
    assert factory.closed == [a.inner]  # replaced and idle: closed at once
    assert pool.live() == {"sketchbook": {"error_rate": 0.0, "size": 512}}

    # Another backend does not replace this one.
    pool.get("scripted")
    assert set(pool.live()) == {"sketchbook", "scripted"} and len(factory.closed) == 1
    assert factory.made[-1] == ("scripted", {})  # unknown to the form: the factory gets the name only

    with pytest.raises(SettingsError, match="Error rate"):
        pool.get("sketchbook", {"error_rate": 2})
    assert pool.get("sketchbook", {"error_rate": 0.0}) is b  # a refused change keeps the live one


def test_a_replaced_backend_closes_only_after_its_run_ends():
    gate = threading.Event()
    factory = Recording(gate)
    pool = BackendPool(factory)
    sess = StudioSession(pool)
    sess.start(RunRequest(prompt="p", backend="sketchbook", backend_settings={"error_rate": 0.3}))
    old = pool.get("sketchbook", {"error_rate": 0.3})
    assert sess.wait_until(lambda s: s.progress is not None and s.progress.stage == "sketch", timeout=5)

    pool.get("sketchbook", {"error_rate": 0.1})  # another tab changes the setting mid-run
    assert not old.closed and factory.closed == []  # the run still uses it
    gate.set()
    assert sess.wait(5)
    assert old.closed and factory.closed == [old.inner]
    assert sess.timeline().status == "completed"


# --- sessions ---------------------------------------------------------------------------------


def test_a_bad_setting_stops_the_run_before_it_starts():
    sess = StudioSession(BackendPool(Recording()))
    with pytest.raises(StudioError, match=r"Backend settings: Error rate must be between 0 and 1, got 7"):
        sess.start(RunRequest(prompt="a cat", backend="sketchbook", backend_settings={"error_rate": 7}))
    assert not sess.running and sess.events == []


def test_error_rate_zero_runs_without_refinements_and_is_stored():
    pool = BackendPool()  # the real sketchbook
    prompt = "a brown bear above a silver spoon"
    sess = StudioSession(pool)
    sess.start(RunRequest(prompt=prompt, backend="sketchbook", seed=8))  # the default rate, 0.3
    assert sess.wait(20)
    assert any(len(step.attempts) > 1 for step in sess.timeline().steps)  # this seed needs a refinement

    sess.start(RunRequest(prompt=prompt, backend="sketchbook", seed=8, backend_settings={"error_rate": 0.0}))
    assert sess.wait(20)
    view = sess.timeline()
    assert view.status == "completed" and len(view.steps) >= 2
    assert all(len(step.attempts) == 1 and step.outcome == "passed" for step in view.steps)
    started = sess.events[0]
    assert started.backend == "sketchbook" and started.settings == {"error_rate": 0.0, "size": 512}

    # A branch runs with the parent's settings, and a loaded session brings them along.
    sess.rewind(1)
    assert sess.wait(20)
    fork = [e for e in sess.events if e.type == "session_started"][-1]
    assert fork.settings == {"error_rate": 0.0, "size": 512} and fork.branch_step == 1
    other = StudioSession(sess.backends)
    other.load(sess.snapshot_events())
    assert other.request.backend_settings == {"error_rate": 0.0, "size": 512}


def test_bagel_with_an_empty_folder_is_refused_with_the_reason(tmp_path):
    sess = StudioSession(BackendPool())  # the real registry and status
    with pytest.raises(StudioError) as info:
        sess.start(RunRequest(prompt="a cat", backend="bagel", backend_settings={"model": str(tmp_path)}))
    text = str(info.value)
    assert "not available here (missing weights" in text and str(tmp_path) in text and "ema.safetensors" in text
    assert sess.backends.live() == {}  # nothing was built


# --- app.py --model ---------------------------------------------------------------------------


def test_app_model_option_must_be_a_folder(tmp_path):
    import app

    args = app.build_parser().parse_args(["--model", str(tmp_path / "missing")])
    with pytest.raises(app.UsageError, match="no such folder"):
        app.check_args(args)
    assert app.check_args(app.build_parser().parse_args(["--model", str(tmp_path)])) is None


# --- the session header ---------------------------------------------------------------------


def test_header_names_the_settings_that_differ_from_the_defaults(monkeypatch):
    from stagestudio.ui.backend_settings import non_default_summary
    from stagestudio.ui.render import header_html
    from stagestudio.ui.timeline import TimelineView

    monkeypatch.delenv("STAGESTUDIO_BAGEL_MODEL", raising=False)
    assert non_default_summary("sketchbook", {"error_rate": 0.3, "size": 512}) == ""
    assert non_default_summary("sketchbook", {"error_rate": 0.0, "size": 512}) == "error_rate 0"
    stored = {**default_settings("bagel"), "model": "/models/BAGEL-7B-MoT", "inspector": "both", "detector": None}
    assert non_default_summary("bagel", stored) == "model BAGEL-7B-MoT, inspector both"

    view = TimelineView(session_id="abc123def456", backend="sketchbook", seed=8,
                        backend_settings={"error_rate": 0.0, "size": 512})
    assert "sketchbook <span class=\"ss-settings\">(error_rate 0)</span> · seed <code class=\"ss-seed-used\">8</code>" \
        in header_html(view)
    view.backend_settings = {"error_rate": 0.3, "size": 512}
    assert "sketchbook · seed <code class=\"ss-seed-used\">8</code>" in header_html(view)


def test_app_passes_a_store_url_and_its_images_folder_through(tmp_path, capsys):
    import app

    url = "postgresql+psycopg://studio:secret@127.0.0.1:1/stagestudio"
    assert app.main(["--db", url, "--db-images", str(tmp_path / "not-mounted")]) == 1
    err = capsys.readouterr().err.strip()
    # The store itself judged the folder (so the option reached it), before any connection.
    assert err.startswith("error: cannot start the studio: --db-images") and "not-mounted does not exist" in err
    assert "secret" not in err and "\n" not in err


def test_a_bagel_lora_adapter_round_trips_through_the_form(tmp_path):
    from stagestudio.ui.backend_settings import form_values, non_default_summary, validate_settings

    assert validate_settings("bagel", {})["lora"] is None  # no adapter unless one is named
    stored = {"model": str(tmp_path), "lora": str(tmp_path / "adapter"), "merge_lora": True}
    settings = validate_settings("bagel", stored)
    assert settings["lora"] == str(tmp_path / "adapter") and settings["merge_lora"] is True
    assert form_values("bagel", settings)["lora"] == str(tmp_path / "adapter")
    summary = non_default_summary("bagel", settings)
    assert "adapter" in summary and "merge_lora" in summary
    assert "merge_lora" not in non_default_summary("bagel", validate_settings("bagel", {"model": str(tmp_path)}))
