"""Composing a backend from roles: settings checked and completed without loading a model,
combinations that cannot run refused with the reason, one model shared by the roles it fills,
settings that rebuild the same backend, and the CLI (`run --sketcher ... --inspector ...`,
stored and re-run like any session)."""

from __future__ import annotations

import json

import pytest

from stagestudio.backends.catalog import CHOICES, ROLES, spec_json
from stagestudio.backends.compose import ComposedBackend, CompositionError, resolve_roles
from stagestudio.backends.registry import create_backend
from stagestudio.cli import main
from tiny_models import cached, save_flux2_klein, save_qwen3_vl
from tiny_models import one_thread  # noqa: F401 - autouse: tiny models run on one thread

PROMPT = "a bear hovering above a silver spoon"


@pytest.fixture(scope="module")
def klein(tmp_path_factory, shared_dir):
    return cached(tmp_path_factory, "klein", lambda f: save_flux2_klein(f, shared_dir / "fixtures/bagel/tokenizer"))


@pytest.fixture(scope="module")
def vlm_yes(tmp_path_factory, shared_dir):
    return cached(tmp_path_factory, "qwen3vl-yes",
                  lambda f: save_qwen3_vl(f, shared_dir / "fixtures/bagel/tokenizer", yes_logit=4.0))


@pytest.fixture
def bagel_dir(shared_dir):
    return shared_dir / "fixtures" / "bagel"


# --- settings, without models -----------------------------------------------------------------
def test_defaults_are_the_offline_roles_and_complete():
    roles = resolve_roles()
    assert roles == {"planner": {"kind": "offline"}, "sketcher": {"kind": "sketchbook", "error_rate": 0.3, "size": 512},
                     "inspector": {"kind": "sketchbook"}}
    flux = resolve_roles(sketcher={"kind": "flux2-klein", "steps": "4"}, inspector={"kind": "qwen3-vl"})
    assert flux["sketcher"]["steps"] == 4 and flux["sketcher"]["precision"] == "bf16"
    assert flux["sketcher"]["model"] == "black-forest-labs/FLUX.2-klein-4B"
    assert flux["inspector"] == {"kind": "qwen3-vl", "model": "Qwen/Qwen3-VL-8B-Instruct", "precision": "bf16",
                                 "device": None, "mode": "vqa", "detector": "mask2former", "correction": "rules"}
    json.dumps(flux)  # plain JSON, as stored with a session


def test_bagel_model_is_stored_resolved(monkeypatch, tmp_path):
    monkeypatch.setenv("STAGESTUDIO_BAGEL_MODEL", str(tmp_path))
    assert resolve_roles(sketcher={"kind": "bagel"})["sketcher"]["model"] == str(tmp_path)


@pytest.mark.parametrize("roles, message", [
    ({"planner": {"kind": "detector"}}, "a detector finds objects in a picture; it cannot turn a prompt into steps"),
    ({"planner": {"kind": "flux2-klein"}}, "flux2-klein can be the sketcher, not the planner"),
    ({"sketcher": {"kind": "qwen3-vl"}}, "qwen3-vl can be the planner or the inspector, not the sketcher"),
    ({"sketcher": {"kind": "flux2-klein"}}, "choose an inspector for the flux2-klein sketcher"),
    ({"sketcher": {"kind": "flux2-klein"}, "inspector": {"kind": "sketchbook"}},
     "the sketchbook inspector only recognises the sketchbook's own sprites"),
    ({"sketcher": {"kind": "qwen-image-edit"}, "inspector": {"kind": "qwen3-vl"}},
     "Qwen-Image-Edit only edits: it cannot draw the first step from text"),
    ({"sketcher": {"kind": "flux2-klein", "stepz": 4}, "inspector": {"kind": "qwen3-vl"}},
     "sketcher flux2-klein has no option stepz"),
    ({"sketcher": {"kind": "flux2-klein", "size": 1000}, "inspector": {"kind": "qwen3-vl"}},
     "sketcher flux2-klein size must be a multiple of 16"),
    ({"inspector": {"kind": "qwen3-vl", "precision": "int3"}}, "inspector qwen3-vl precision must be one of"),
])
def test_combinations_that_cannot_run_say_why(roles, message):
    with pytest.raises(CompositionError) as err:
        resolve_roles(**roles)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_missing_model_is_refused_before_the_run(tmp_path):
    with pytest.raises(CompositionError, match="model folder .*nowhere does not exist"):
        create_backend("composed", sketcher={"kind": "flux2-klein", "model": str(tmp_path / "nowhere")},
                       inspector={"kind": "detector"})


def test_spec_is_plain_json_for_any_front_end():
    spec = json.loads(json.dumps(spec_json()))
    assert list(spec) == list(ROLES)
    klein = {o["name"]: o for o in spec["sketcher"]["flux2-klein"]["options"]}
    assert klein["precision"]["choices"] == ["bf16", "fp16", "fp32", "nf4"] and klein["size"]["multiple_of"] == 16
    assert set(spec["inspector"]) == set(CHOICES["inspector"])


# --- one model per identity -----------------------------------------------------------------------
def test_bagel_as_sketcher_and_inspector_shares_one_runtime(bagel_dir):
    settings = {"model": str(bagel_dir), "precision": "fp32", "resolution": 32}
    backend = ComposedBackend(sketcher={"kind": "bagel", **settings}, inspector={"kind": "bagel", "model": str(bagel_dir),
                                                                             "precision": "fp32"})
    assert backend.inspector.model.runtime is backend.sketcher.runtime
    assert backend.sketcher.runtime.settings.resolution == 32
    other = ComposedBackend(sketcher={"kind": "bagel", **settings},
                            inspector={"kind": "bagel", "model": str(bagel_dir), "precision": "bf16"})
    assert other.inspector.model.runtime is not other.sketcher.runtime  # asked for two precisions: two loads


def test_qwen3vl_as_planner_and_inspector_shares_one_runtime(vlm_yes):
    vlm = {"kind": "qwen3-vl", "model": str(vlm_yes), "precision": "fp32"}
    backend = ComposedBackend(planner=vlm, sketcher={"kind": "sketchbook"}, inspector=vlm)
    assert backend.planner.runtime is backend.inspector.runtime
    closed = []
    backend.planner.runtime.close = lambda: closed.append(1)
    backend.close()
    assert closed == [1, 1] or closed == [1]  # closing is idempotent; each role closes once


def test_settings_rebuild_the_same_backend(vlm_yes, bagel_dir):
    backend = create_backend("composed", sketcher={"kind": "bagel", "model": str(bagel_dir), "precision": "fp32",
                                                   "resolution": 32},
                             inspector={"kind": "qwen3-vl", "model": str(vlm_yes), "precision": "fp32", "mode": "vqa"})
    stored = json.loads(json.dumps(backend.settings()))
    assert create_backend("composed", **stored).settings() == stored
    assert backend.name == "composed"


# --- the command line -------------------------------------------------------------------------------
def _vlm_args(folder) -> list[str]:
    return ["--inspector", "qwen3-vl", "--model-inspector", str(folder), "--precision-inspector", "fp32"]


@pytest.mark.slow
def test_cli_flux2_klein_with_qwen3vl_end_to_end_and_rerun(klein, vlm_yes, tmp_path, capsys):
    out, db = tmp_path / "out", tmp_path / "s.db"
    args = ["run", PROMPT, "--sketcher", "flux2-klein", "--model-sketcher", str(klein), "--precision-sketcher", "fp32",
            "--size-sketcher", "64", "--steps-sketcher", "2", *_vlm_args(vlm_yes), "--out", str(out), "--db", str(db),
            "--quiet"]
    assert main(args) == 0
    trajectory = json.loads((out / "trajectory.json").read_text())
    assert trajectory["backend"] == "composed" and trajectory["passed"] is True
    started = trajectory["events"][0]
    assert started["settings"]["sketcher"]["kind"] == "flux2-klein" and started["settings"]["sketcher"]["size"] == 64
    verdicts = [e["verdict"] for e in trajectory["events"] if e["type"] == "verdict_ready"]
    assert verdicts and all(f["p_yes"] > 0.99 and f["source"] == "vqa" for v in verdicts for f in v["facts"])
    capsys.readouterr()
    session = trajectory["events"][0]["session_id"]
    assert main(["sessions", "rerun", session, "--db", str(db)]) == 0
    assert "2/2 sketches identical" in capsys.readouterr().out


def test_cli_mixed_bagel_sketcher_qwen3vl_inspector_stored_and_replayed(bagel_dir, vlm_yes, tmp_path, capsys):
    out, db = tmp_path / "out", tmp_path / "s.db"
    assert main(["run", PROMPT, "--sketcher", "bagel", "--model-sketcher", str(bagel_dir), "--precision-sketcher",
                 "fp32", "--resolution-sketcher", "32", "--num-timesteps-sketcher", "3", *_vlm_args(vlm_yes),
                 "--out", str(out), "--db", str(db), "--quiet"]) == 0
    session = json.loads((out / "trajectory.json").read_text())["events"][0]["session_id"]
    capsys.readouterr()
    assert main(["sessions", "replay", session, "--db", str(db), "--json"]) == 0
    replayed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert replayed[0]["settings"]["sketcher"]["kind"] == "bagel"
    assert replayed[0]["settings"]["inspector"]["kind"] == "qwen3-vl"
    assert main(["sessions", "rerun", session, "--db", str(db)]) == 0
    assert "sketches identical" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--planner", "detector"], "cannot turn a prompt into steps"),
    (["--model-sketcher", "x"], "--model-sketcher given without --sketcher"),
    (["--backend", "bagel", "--sketcher", "flux2-klein"], "--backend bagel fills every role itself"),
    (["--sketcher", "sketchbook", "--inspector", "both"], "--mode-inspector both"),
    (["--sketcher", "flux2-klein", "--inspector", "qwen3-vl", "--steps-sketcher", "many"], "steps must be a number"),
])
def test_cli_role_errors_are_one_line(tmp_path, capsys, extra, message):
    assert main(["run", PROMPT, "--out", str(tmp_path / "o"), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err


# --- readiness (doctor) -------------------------------------------------------------------------------
def test_readiness_reports_files_and_labelled_memory_estimates(klein, tmp_path):
    from stagestudio.backends.readiness import role_readiness

    absent = role_readiness({"sketcher": {"kind": "flux2-klein", "precision": "nf4"},
                             "inspector": {"kind": "qwen3-vl", "model": str(tmp_path / "none")}})
    sketcher, inspector = absent[1], absent[2]
    assert sketcher.status.state == "missing weights" and "download black-forest-labs/FLUX.2-klein-4B" in sketcher.status.detail
    # Not downloaded: estimated from the published configuration, labelled as such.
    assert 6.5 < sketcher.memory.gib < 9.0 and "estimate" in sketcher.memory.basis
    assert "published configuration" in sketcher.memory.basis
    assert inspector.status.state == "missing weights" and inspector.memory is None
    here = role_readiness({"sketcher": {"kind": "flux2-klein", "model": str(klein), "precision": "fp32", "size": 64},
                           "inspector": {"kind": "detector"}})[1]
    assert here.status.state == "ready" and "safetensors headers" in here.memory.basis
    bagel = role_readiness({"sketcher": {"kind": "bagel"}, "inspector": {"kind": "bagel"}})
    assert bagel[1].memory.gib == 11.8 and "measured" in bagel[1].memory.basis
    assert bagel[-1].role == "shared" and "sketcher and inspector share one loaded model" in bagel[-1].status.detail


def test_doctor_prints_each_role(capsys):
    assert main(["doctor", "--sketcher", "flux-kontext", "--precision-sketcher", "nf4", "--inspector", "detector"]) == 0
    out = capsys.readouterr().out
    assert "sketcher  flux-kontext (black-forest-labs/FLUX.1-Kontext-dev)" in out and "GPU memory" in out
