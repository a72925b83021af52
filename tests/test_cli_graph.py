"""`python -m stagestudio graph` and `eval-planner`: the contract through a real subprocess,
the finer cases in-process (same entry point, no interpreter start-up per case)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from stagestudio.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stagestudio", *args], input=stdin, capture_output=True,
                          text=True, cwd=REPO_ROOT, timeout=120)


def test_graph_prints_the_graph_json():
    proc = _run("graph", "a photo of a dog right of a teddy bear")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data == {
        "objects": [{"id": "o1", "name": "dog", "count": 1, "attributes": {"color": None}},
                    {"id": "o2", "name": "teddy bear", "count": 1, "attributes": {"color": None}}],
        "relations": [{"subject": "o1", "predicate": "right of", "object": "o2"}],
        "source": "parser",
    }


def test_graph_jsonl_keeps_order_and_reports_failures(shared_dir):
    metadata = (shared_dir / "data" / "geneval" / "evaluation_metadata.jsonl").read_text().splitlines()
    lines = [metadata[0], json.dumps({"prompt": ""}), "not json", json.dumps({"prompt": "two red cars"}),
             json.dumps({"prompt": "<script>alert(1)</script>"}), json.dumps({"text": "a cat"}),
             json.dumps({"prompt": "Two snowboards, each measuring approximately 150 centimeters in length"}),
             json.dumps({"prompt": "150 candles on a cake"}), "", json.dumps({"prompt": "a cat"})]
    proc = _run("graph", "--jsonl", stdin="\n".join(lines) + "\n")
    # bad lines are answered on their own lines; the batch still succeeds
    assert proc.returncode == 0, proc.stderr
    assert "5 line(s) could not be parsed" in proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[0]["objects"][0]["name"] == "bench"
    assert "empty" in out[1]["error"]
    assert "not JSON" in out[2]["error"]
    assert out[3]["objects"] == [{"id": "o1", "name": "car", "count": 2, "attributes": {"color": "red"}}]
    assert "no words" in out[4]["error"] and "line 5" in out[4]["error"]
    assert "'prompt'" in out[5]["error"]
    # a large number is a measurement or a capped count, never a refusal
    assert out[6]["objects"][0]["attributes"]["measurements"] == ["150 centimeters in length"]
    assert out[7]["objects"][0]["count"] == 20 and out[7]["notes"] == ["count 150 of 'candle' capped at 20"]
    # a blank line is answered in its place, so the lines after it stay aligned with their inputs
    assert "line 9: empty line" in out[8]["error"] and out[9]["objects"][0]["name"] == "cat"


def test_graph_jsonl_all_good_exits_zero(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"prompt": "a cat"}) + "\n"))
    assert main(["graph", "--jsonl"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["objects"][0]["name"] == "cat" and captured.err == ""


def test_graph_plan_prints_steps(capsys):
    assert main(["graph", "--plan", "a silver spoon below a brown bear"]) == 0
    steps = json.loads(capsys.readouterr().out)
    assert [s["instruction"] for s in steps] == ["Draw a brown bear.", "Add a silver spoon below the bear."]


def test_empty_prompt_is_an_error_with_exit_2():
    proc = _run("graph", "")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "empty" in proc.stderr


def test_other_bad_input_is_an_error_with_exit_2(capsys):
    assert main(["graph", "a photo of"]) == 2
    assert "no recognisable object" in capsys.readouterr().err
    assert main(["graph"]) == 2
    assert "no prompt" in capsys.readouterr().err
    assert main(["graph", "--jsonl", "a cat"]) == 2
    assert "not both" in capsys.readouterr().err


def test_eval_planner_on_geneval_metadata(shared_dir, capsys):
    path = shared_dir / "data" / "geneval" / "evaluation_metadata.jsonl"
    proc = _run("eval-planner", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "overall" in proc.stdout and "553" in proc.stdout and "100.0%" in proc.stdout
    assert main(["eval-planner", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["matched"] == report["total"] == 553
    assert set(report["per_tag"]) == {"single_object", "two_object", "counting", "colors", "position", "color_attr"}


def test_eval_planner_fails_on_a_mismatch(tmp_path, capsys):
    bad = tmp_path / "meta.jsonl"
    bad.write_text(json.dumps({"tag": "colors", "include": [{"class": "car", "count": 1, "color": "blue"}],
                               "prompt": "a photo of a red car"}) + "\n")
    assert main(["eval-planner", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["matched"] == 0 and report["mismatches"][0]["reason"].startswith("missing object")
    assert main(["eval-planner", str(tmp_path / "absent.jsonl")]) == 2
    assert "not found" in capsys.readouterr().err
    (tmp_path / "broken.jsonl").write_text("{not json\n")
    assert main(["eval-planner", str(tmp_path / "broken.jsonl")]) == 2
    assert "line 1 is not JSON" in capsys.readouterr().err


def test_graph_reads_a_long_prompt_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("A wooden bench.\nTo its left sits a fluffy kitten.\n"))
    assert main(["graph", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [o["name"] for o in data["objects"]] == ["bench", "cat"]
    assert data["relations"] == [{"subject": "o2", "predicate": "left of", "object": "o1"}]
