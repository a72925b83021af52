"""GenEval at scale: `eval geneval --backend remote` over two test-server endpoints running our
own BAGEL (tiny checkpoint), four sessions at a time, one endpoint killed midway. The layout is
GenEval's and complete, images/minute is reported, and a second run makes nothing again."""

from __future__ import annotations

import json
import threading
import time

import pytest

from PIL import Image

from omni_support import BackgroundServer, tiny_model
from stagestudio.backends.base import BackendUnavailable, SingleModelBackend
from stagestudio.cli import main as cli_main
from stagestudio.eval import harness
from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.graph import SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep

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


class SlowBoxes(SingleModelBackend):
    """A concurrent scripted backend: each sketch takes a while (and stops when cancelled);
    `lost` lists seeds whose first sketch finds the server gone."""

    name = "slow-boxes"
    concurrent_sessions = True

    def __init__(self, lost=()) -> None:
        super().__init__()
        self.lost = set(lost)
        self.cancelled = 0
        self.lock = threading.Lock()

    def extract_graph(self, prompt):
        return SceneGraph(objects=[SceneObject(id="o1", name="dog")])

    def plan(self, request):
        return None if request.done else PlanStep(index=0, instruction="draw", description="d", object_ids=["o1"])

    def sketch(self, request, hooks=None):
        with self.lock:
            if request.seed in self.lost:
                self.lost.discard(request.seed)
                raise BackendUnavailable("http://gpu-2:8000 is unavailable after 4 tries (connection refused)")
        for _ in range(20):
            if hooks is not None and hooks.cancel is not None and hooks.cancel.cancelled:
                with self.lock:
                    self.cancelled += 1
                hooks.cancel.raise_if_cancelled()
            time.sleep(0.01)
        return Image.new("RGB", (16, 16), (request.seed % 256, 0, 0))

    def refine(self, request, hooks=None):
        return request.image

    def inspect(self, request, hooks=None):
        return Verdict(passed=True, facts=[])


def _prompts(n: int):
    return [(i, {"tag": "single_object", "include": [{"class": "dog", "count": 1}], "prompt": "a photo of a dog"})
            for i in range(n)]


def test_sessions_lost_with_their_server_are_made_again(tmp_path):
    from stagestudio.loop.seeds import stage_seed

    lost = {stage_seed(seed, 0, 0, "sketch") for seed in (1, 5, 6)}  # images 1, 5 and 6
    generator = harness.LoopGenerator(SlowBoxes(lost=lost), "oneshot")
    report = harness.generate_geneval(generator, _prompts(8), tmp_path, images_per_prompt=1, concurrency=3)
    assert report.made == 8 and report.retried == 3 and not report.failed
    assert report.images_per_minute is not None and report.images_per_minute > 0


def test_an_error_mid_run_cancels_the_sessions_still_running(tmp_path):
    backend = SlowBoxes()
    generator = harness.LoopGenerator(backend, "oneshot")

    def progress(done, total, label):
        if done == 2:
            raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        harness.generate_geneval(generator, _prompts(16), tmp_path, images_per_prompt=1, concurrency=4,
                                 progress=progress)
    assert time.monotonic() - started < 3
    made = sorted(tmp_path.glob("*/samples/0000.png"))
    assert 2 <= len(made) < 16 and backend.cancelled >= 1
    assert all(json.loads(p.with_suffix(".json").read_text())["status"] == "completed" for p in made)
    # The next run makes exactly what is missing.
    report = harness.generate_geneval(generator, _prompts(16), tmp_path, images_per_prompt=1, concurrency=4)
    assert report.skipped == len(made) and report.made == 16 - len(made) and not report.failed
