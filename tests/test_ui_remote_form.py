"""The remote backend (BAGEL on vLLM-Omni) and BAGEL's scene-graph source in the studio's form:
endpoints one per line, checked by the backend's own settings, a status that follows the form,
stored settings that refill the form exactly, a readable header, and an API key that never
reaches the page or the store."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from stagestudio.backends.remote.backend import RemoteBackend
from stagestudio.backends.remote.settings import RemoteSettings
from stagestudio.ui.backend_settings import (
    SettingsError,
    form_settings,
    form_values,
    non_default_summary,
    status_for,
    validate_settings,
)
from stagestudio.ui.settings_form import backend_status_md, settings_form

KEY = "sk-test-do-not-show-7f3a"


@pytest.fixture(scope="module")
def form():
    with gr.Blocks():
        built = settings_form("remote")
    return built


@pytest.fixture(autouse=True)
def no_remote_env(monkeypatch):
    monkeypatch.delenv("STAGESTUDIO_REMOTE_ENDPOINTS", raising=False)
    monkeypatch.delenv("STAGESTUDIO_REMOTE_API_KEY", raising=False)


def read(form, backend: str, shown: dict) -> dict:
    values = {(b, s): c.value for b, s, c in form.fields}
    for setting, value in shown.items():
        assert (backend, setting) in values, f"the form has no {backend} field {setting}"
        values[(backend, setting)] = value
    return form_settings(backend, list(values), list(values.values()))


def test_endpoints_one_per_line_are_normalised_and_complete(form):
    settings = read(form, "remote", {"endpoints": "gpu-1:8000\nhttp://gpu-2:8001/v1/\n\n", "retries": 5,
                                     "timeout_s": 30, "graph": "parser", "resolution": 512, "num_timesteps": 20})
    checked = validate_settings("remote", settings)
    assert checked["endpoints"] == ["http://gpu-1:8000", "http://gpu-2:8001"]
    assert (checked["retries"], checked["timeout_s"], checked["graph"]) == (5, 30.0, "parser")
    assert (checked["resolution"], checked["num_timesteps"], checked["served_model"]) == (512, 20, None)
    # Exactly what the backend stores, so a session's settings rebuild it.
    backend = RemoteBackend(**checked)
    assert backend.settings() == checked
    assert "api_key" not in checked and json.dumps(checked)


@pytest.mark.parametrize(("shown", "message"), [
    ({"endpoints": ""}, "Endpoints is empty; enter a vLLM-Omni server per line"),
    ({"endpoints": "ftp://gpu-1"}, "is not an http(s) URL"),
    ({"endpoints": "gpu-1:80x"}, "has a bad port"),
    ({"endpoints": "gpu-1:8000", "resolution": 1000}, "remote setting resolution"),
    ({"endpoints": "gpu-1:8000", "retries": -1}, "remote setting retries"),
    ({"endpoints": "gpu-1:8000", "timeout_s": 0}, "remote setting timeout_s"),
])
def test_bad_remote_settings_are_one_line(form, shown, message):
    with pytest.raises(SettingsError) as info:
        validate_settings("remote", read(form, "remote", shown))
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_key_is_never_a_setting():
    with pytest.raises(SettingsError, match="the API key is never a setting"):
        validate_settings("remote", {"endpoints": ["http://a:1"], "api_key": KEY})


def test_status_follows_the_form_and_names_the_key_variable_only(monkeypatch):
    checked = validate_settings("remote", {"endpoints": ["gpu-1:8000"]})
    status = status_for("remote", checked)
    assert status.ready and "http://gpu-1:8000" in status.detail and "STAGESTUDIO_REMOTE_API_KEY is not set" in status.detail
    monkeypatch.setenv("STAGESTUDIO_REMOTE_API_KEY", KEY)
    line = backend_status_md("remote", {"endpoints": ["gpu-1:8000"]})
    assert "(set)" in line and KEY not in line
    assert "Endpoints is empty" in backend_status_md("remote", {"endpoints": []})


def test_the_key_is_not_in_the_page(monkeypatch, tmp_path):
    monkeypatch.setenv("STAGESTUDIO_REMOTE_API_KEY", KEY)
    monkeypatch.setenv("STAGESTUDIO_REMOTE_ENDPOINTS", "http://gpu-1:8000")
    from stagestudio.ui import build_app

    demo = build_app(None, "remote")
    page = json.dumps(demo.get_config_file(), default=str)
    assert "STAGESTUDIO_REMOTE_API_KEY" in page and KEY not in page
    assert "http://gpu-1:8000" in page  # the endpoints default to the environment's


def test_stored_remote_settings_refill_the_form_exactly(form):
    stored = RemoteBackend(endpoints=["http://gpu-1:8000", "http://gpu-2:8001"], resolution=256, num_timesteps=12,
                           graph="parser", retries=1, timeout_s=45, served_model="bagel", max_plan_tokens=64,
                           max_answer_tokens=4, timestep_shift=2.5, backoff_s=0.5).settings()
    shown = form_values("remote", stored)
    assert shown["endpoints"] == "http://gpu-1:8000\nhttp://gpu-2:8001"
    fields = {s for b, s, _ in form.fields if b == "remote"}
    assert fields == set(RemoteSettings.model_fields)  # every setting a session stores has a field
    assert validate_settings("remote", read(form, "remote", {k: shown[k] for k in fields})) == stored
    assert form_values("remote", {**stored, "served_model": None})["served_model"] == ""


def test_header_names_the_endpoints_and_what_differs():
    stored = validate_settings("remote", {"endpoints": ["http://gpu-1:8000", "gpu-2:8001"], "resolution": 512})
    assert non_default_summary("remote", stored) == "endpoints gpu-1:8000 + gpu-2:8001, resolution 512"


def test_bagel_graph_source_is_in_the_form(form):
    assert validate_settings("bagel", read(form, "bagel", {"graph": "parser"}))["graph"] == "parser"
    with pytest.raises(SettingsError, match="Scene graph must be one of model, parser"):
        validate_settings("bagel", read(form, "bagel", {"graph": "llm"}))
