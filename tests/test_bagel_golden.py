"""Reproduce every recorded BAGEL golden case (tiny random model, float32, CPU) from its seed."""

from __future__ import annotations

import pytest

from stagestudio.backends.bagel import golden


CASES = ["a_text_understanding", "b_image_understanding", "c_text_to_image", "d_edit",
         "e_interleaved", "f_vae", "g_think_text_to_image"]


@pytest.fixture(scope="module")
def fixture_dir(shared_dir):
    return shared_dir / "fixtures" / "bagel"


@pytest.fixture(scope="module")
def inferencer(fixture_dir):
    return golden.cached_golden_inferencer(str(fixture_dir))


def test_every_recorded_case_is_covered(fixture_dir):
    assert sorted(c["name"] for c in golden.load_cases(fixture_dir)) == sorted(CASES)


@pytest.mark.parametrize("name", CASES)
def test_golden_case(name, fixture_dir, inferencer):
    case = next(c for c in golden.load_cases(fixture_dir) if c["name"] == name)
    report = golden.run_case(inferencer, fixture_dir, case)
    assert report.error is None, report.error
    failures = "\n".join(f"{c.name}: err {c.max_error:.3g} > tol {c.tolerance:g} {c.note}" for c in report.failures())
    assert report.passed, failures
    # The checks really ran: per-step velocities for generation cases, logits for text cases.
    names = {c.name for c in report.checks}
    if case["kind"] == "generation":
        assert "gen.v[0]" in names and "gen.image_uint8" in names and "ctx.gen.k.L0" in names
    elif case["kind"] == "understanding":
        assert {"gen.fed_tokens", "gen.logits", "ctx.gen.k.L0"} <= names
    assert report.max_error < 1e-3


def test_runner_reports_a_mismatch(fixture_dir, inferencer, tmp_path):
    """A corrupted recording must make the case fail (the runner is not vacuous)."""
    import shutil

    from safetensors.torch import load_file, save_file

    case = next(c for c in golden.load_cases(fixture_dir) if c["name"] == "a_text_understanding")
    tensors = load_file(str(fixture_dir / case["file"]))
    tensors["gen.logits"] = tensors["gen.logits"] + 1e-2
    (tmp_path / "cases").mkdir()
    save_file(tensors, str(tmp_path / case["file"]))
    report = golden.run_case(inferencer, tmp_path, case)
    assert not report.passed
    assert [c.name for c in report.failures()] == ["gen.logits"]
    shutil.rmtree(tmp_path / "cases")


def test_doctor_runs_golden_cases(fixture_dir, capsys):
    from stagestudio.cli import main

    assert main(["doctor", "--golden", str(fixture_dir), "--case", "a_text_understanding"]) == 0
    out = capsys.readouterr().out
    assert "torch" in out and "PASS  a_text_understanding" in out and "1/1 golden cases passed" in out


def test_doctor_fails_on_a_broken_case(fixture_dir, tmp_path, capsys):
    import json
    import shutil

    from safetensors.torch import load_file, save_file

    from stagestudio.cli import main

    for name in ("ema.safetensors", "ae.safetensors", "llm_config.json", "vit_config.json",
                 "ae_params.json", "bagel_config.json", "cases.json"):
        shutil.copy(fixture_dir / name, tmp_path / name)
    shutil.copytree(fixture_dir / "tokenizer", tmp_path / "tokenizer")
    (tmp_path / "cases").mkdir()
    case = next(c for c in json.loads((fixture_dir / "cases.json").read_text())["cases"]
                if c["name"] == "b_image_understanding")
    tensors = load_file(str(fixture_dir / case["file"]))
    tensors["ctx.gen.k.L1"] = tensors["ctx.gen.k.L1"] * 1.01
    save_file(tensors, str(tmp_path / case["file"]))
    assert main(["doctor", "--golden", str(tmp_path), "--case", "b_image_understanding"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  b_image_understanding" in out and "ctx.gen.k.L1" in out
