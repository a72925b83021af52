"""GenEval at scale: `eval geneval --backend remote` over two test-server endpoints running our
own BAGEL (tiny checkpoint), four sessions at a time, one endpoint killed midway. The layout is
GenEval's and complete, images/minute is reported, and a second run makes nothing again."""

from __future__ import annotations

import json
import threading
import time

import pytest

from omni_support import BackgroundServer, tiny_model
from stagestudio.cli import main as cli_main
from stagestudio.eval import harness

LIMIT = 20
KILL_AFTER = 6  # images made before one endpoint dies


def _pngs(out) -> list:
    return sorted(out.glob("*/samples/0000.png"))


@pytest.mark.slow  # loads the tiny BAGEL (seconds), then runs 20 sessions
def test_geneval_fans_out_survives_a_killed_endpoint_and_resumes(shared_dir, tmp_path, capsys):
    survivor = BackgroundServer(tiny_model(shared_dir)).start()
    victim = BackgroundServer(tiny_model(shared_dir)).start()
    out = tmp_path / "geneval"
    args = ["eval", "geneval", "--backend", "remote", "--endpoint", survivor.url, "--endpoint", victim.url,
            "--concurrency", "4", "--limit", str(LIMIT), "--images-per-prompt", "1", "--out", str(out),
            "--max-refines", "0", "--resolution", "32", "--timesteps", "2", "--graph", "parser",
            "--max-plan-tokens", "4", "--max-answer-tokens", "3", "--retries", "1", "--timeout", "60"]
    made_at_kill: list[int] = []

    def kill_midway() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            made = len(_pngs(out)) if out.is_dir() else 0
            if made >= KILL_AFTER:
                made_at_kill.append(made)
                victim.kill()
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=kill_midway, daemon=True)
    watcher.start()
    try:
        code = cli_main(args)
        printed = capsys.readouterr().out
        watcher.join(timeout=5)
        assert code == 0, printed
        assert made_at_kill and made_at_kill[0] < LIMIT, "the endpoint was not killed midway"
        # Both endpoints had work before one died.
        assert sum(victim.stats.requests.values()) > 0 and sum(survivor.stats.requests.values()) > 0

        metadata = harness.load_geneval_metadata(shared_dir / "data" / "geneval" / "evaluation_metadata.jsonl")
        pngs = _pngs(out)
        assert len(pngs) == LIMIT
        for index in range(LIMIT):
            folder = out / f"{index:05d}"
            assert json.loads((folder / "metadata.jsonl").read_text()) == metadata[index]
            record = json.loads((folder / "samples" / "0000.json").read_text())
            assert record["status"] == "completed" and record["seed"] == index
        assert harness.geneval_samples(out)[0][2] == [out / "00000" / "samples" / "0000.png"]

        assert f"made {LIMIT} image(s), kept 0 existing, 0 failed" in printed
        assert "images/minute" in printed and "redone after a server went away" in printed
        assert survivor.url in printed and f"{victim.url}:" in printed

        # Run again: everything is there, nothing is made, the surviving server is not asked.
        asked = sum(survivor.stats.requests.values())
        assert cli_main(args) == 0
        assert f"made 0 image(s), kept {LIMIT} existing" in capsys.readouterr().out
        assert sum(survivor.stats.requests.values()) == asked
    finally:
        survivor.stop()
        victim.stop()


def test_concurrency_needs_a_backend_that_serves_several(tmp_path, capsys, shared_dir):
    code = cli_main(["eval", "geneval", "--backend", "sketchbook", "--concurrency", "4", "--limit", "1",
                     "--out", str(tmp_path / "g")])
    assert code == 2
    assert "runs one session at a time" in capsys.readouterr().err
