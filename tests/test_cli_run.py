"""`python -m stagestudio run`: the headless loop's outputs, its determinism, storing with
--db, and clear errors with a non-zero exit for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stagestudio.cli import main

PROMPT = "a bear hovering above a silver spoon"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stagestudio", *args], capture_output=True, text=True, timeout=300)


def test_run_writes_sketches_and_trajectory(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", PROMPT, "--seed", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "[step 1] plan: Draw a silver spoon." in printed
    assert "correction:" in printed and "final inspection: PASS" in printed
    trajectory = json.loads((out / "trajectory.json").read_text())
    assert trajectory["status"] == "completed" and trajectory["passed"] is True
    assert trajectory["prompt"] == PROMPT and trajectory["seed"] == 2 and trajectory["backend"] == "sketchbook"
    sketches = [e for e in trajectory["events"] if e["type"] == "sketch_ready"]
    assert [e["file"] for e in sketches] == trajectory["images"]
    assert all((out / name).is_file() for name in trajectory["images"])
    # Seed 2 injects a mistake the inspector catches and a refinement fixes.
    verdicts = [e["verdict"]["passed"] for e in trajectory["events"] if e["type"] == "verdict_ready"]
    assert False in verdicts and any(e["stage"] == "refine" for e in sketches)
    for event in trajectory["events"]:
        if event["type"] in ("sketch_ready", "verdict_ready", "step_planned"):
            assert isinstance(event["seed"], int) and event["duration_s"] >= 0


def test_same_seed_same_pictures(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", PROMPT, "--seed", "5", "--out", str(a), "--quiet"]) == 0
    assert main(["run", PROMPT, "--seed", "5", "--out", str(b), "--quiet"]) == 0
    names = json.loads((a / "trajectory.json").read_text())["images"]
    assert names == json.loads((b / "trajectory.json").read_text())["images"]
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


def test_error_rate_zero_needs_no_refinement(tmp_path):
    out = tmp_path / "o"
    assert main(["run", "two red apples to the left of a blue cup", "--error-rate", "0", "--out", str(out), "--quiet"]) == 0
    events = json.loads((out / "trajectory.json").read_text())["events"]
    assert not [e for e in events if e["type"] == "refinement_planned"]


def test_run_stores_the_session_with_db(tmp_path):
    db = tmp_path / "studio.db"
    proc = run_cli("run", PROMPT, "--seed", "2", "--out", str(tmp_path / "o"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    listing = run_cli("sessions", "list", "--db", str(db), "--json")
    rows = json.loads(listing.stdout)
    assert len(rows) == 1 and rows[0]["status"] == "completed" and rows[0]["prompt"] == PROMPT


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "   ", "--out", "OUT"], "prompt is empty"),
        (["run", PROMPT, "--backend", "dall-e", "--out", "OUT"], "unknown backend"),
        (["run", "a photo of", "--out", "OUT"], "no recognisable object"),
        (["run", PROMPT, "--error-rate", "1.5", "--out", "OUT"], "--error-rate"),
        (["run", PROMPT, "--max-refines", "-1", "--out", "OUT"], "max_refines"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, args, message):
    args = [str(tmp_path / "o") if a == "OUT" else a for a in args]
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_output_path_that_is_a_file_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    proc = run_cli("run", PROMPT, "--out", str(blocker / "out"))
    assert proc.returncode == 2 and "cannot write to output folder" in proc.stderr
    assert Path(blocker).read_text() == "not a folder"


@pytest.mark.parametrize("command", [
    ["run", "a cat", "--backend", "bagel", "--model", "{missing}", "--out", "{out}"],
    ["eval", "geneval", "--backend", "bagel", "--model", "{missing}", "--resolution", "32", "--limit", "1",
     "--out", "{out}"],
])
def test_missing_bagel_weights_stop_before_any_work(tmp_path, capsys, command):
    args = [a.format(missing=tmp_path / "no-model", out=tmp_path / "out") for a in command]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "BAGEL cannot run" in err and "does not exist" in err
    assert not (tmp_path / "out" / "00000").exists()
