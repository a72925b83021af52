"""The benchmark harness: GenEval/WISE generation through the loop engine (one-shot and staged),
resuming, scoring a GenEval folder, and the reports, with a small drawing backend."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from stagestudio.backends.base import SingleModelBackend
from stagestudio.cli import main as cli_main
from stagestudio.eval import harness, report, wise
from stagestudio.inspector.detection import Detection, Detector
from stagestudio.inspector.verdict import FactResult, Verdict
from stagestudio.scene.graph import SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep

COLOURS = {"red": (230, 30, 30), "blue": (30, 30, 230)}


class BoxBackend(SingleModelBackend):
    """Draws each object as a square (blue on a first sketch, red once refined); the
    inspector passes a step only when its image is red."""

    name = "boxes"

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, int] = {"sketch": 0, "refine": 0, "inspect": 0}

    def extract_graph(self, prompt: str) -> SceneGraph:
        if "unparsable" in prompt:
            raise ValueError("cannot parse this prompt")
        return SceneGraph(objects=[SceneObject(id="o1", name=prompt.split()[-1])])

    def plan(self, request):
        if request.done:
            return None
        return PlanStep(index=0, instruction="draw it", description=request.prompt,
                        object_ids=["o1"])

    def _draw(self, colour: str, seed: int) -> Image.Image:
        image = Image.new("RGB", (64, 64), "white")
        offset = seed % 8
        ImageDraw.Draw(image).rectangle([10 + offset, 10, 40 + offset, 40], fill=COLOURS[colour])
        return image

    def sketch(self, request, hooks=None):
        self.calls["sketch"] += 1
        return self._draw("blue", request.seed)

    def refine(self, request, hooks=None):
        self.calls["refine"] += 1
        return self._draw("red", request.seed)

    def inspect(self, request, hooks=None):
        self.calls["inspect"] += 1
        red = np.asarray(request.image)[25, 25, 0] > 128
        fact = FactResult(kind="color", fact="it is red", passed=bool(red))
        return Verdict(passed=bool(red), facts=[fact],
                       correction="" if red else "make it red")


class RedSquareDetector(Detector):
    """Finds the drawn square and reads its colour from the pixels."""

    name = "squares"

    def detect(self, image, labels):
        pixels = np.asarray(image.convert("RGB")).astype(int)
        ys, xs = np.nonzero((pixels.sum(axis=2) < 600))
        if xs.size == 0 or not labels:
            return []
        colour = "red" if pixels[ys[0], xs[0], 0] > 128 else "blue"
        box = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
        return [Detection(label=labels[0], box=box, score=0.95, color=colour)]


PROMPTS = [
    (3, {"tag": "colors", "include": [{"class": "car", "count": 1, "color": "red"}],
         "prompt": "a photo of a red car"}),
    (7, {"tag": "single_object", "include": [{"class": "cup", "count": 1}],
         "prompt": "a photo of a cup"}),
]


def test_oneshot_and_staged_layout_and_records(tmp_path: Path) -> None:
    results = {}
    for mode in ("oneshot", "staged"):
        backend = BoxBackend()
        generator = harness.LoopGenerator(backend, mode, max_refines=2)
        seen: list[tuple[int, int, str]] = []
        made = harness.generate_geneval(generator, PROMPTS, tmp_path / mode, images_per_prompt=2,
                                        seed=5, progress=lambda d, t, label: seen.append((d, t, label)))
        assert (made.made, made.skipped, made.failed) == (4, 0, [])
        assert seen[-1] == (4, 4, "00007/0001.png")
        folder = tmp_path / mode / "00003"
        assert json.loads((folder / "metadata.jsonl").read_text()) == PROMPTS[0][1]
        assert sorted(p.name for p in (folder / "samples").glob("*.png")) == ["0000.png", "0001.png"]
        record = json.loads((folder / "samples" / "0001.json").read_text())
        assert record["seed"] == 5 + 3 * 2 + 1 and record["mode"] == mode
        results[mode] = (backend.calls, record)
        run_info = json.loads((tmp_path / mode / "run.json").read_text())
        assert run_info["mode"] == mode and run_info["backend"] == "boxes"
    oneshot_calls, oneshot_record = results["oneshot"]
    staged_calls, staged_record = results["staged"]
    assert oneshot_calls["refine"] == 0 and oneshot_record["refinements"] == 0
    assert oneshot_record["final_passed"] is False
    assert staged_calls["refine"] == 4 and staged_record["refinements"] == 1
    assert staged_record["final_passed"] is True and staged_record["status"] == "completed"
    # The staged image is the refined (red) one, the one-shot image the first (blue) sketch.
    assert Image.open(tmp_path / "staged/00003/samples/0000.png").getpixel((25, 25))[0] > 128
    assert Image.open(tmp_path / "oneshot/00003/samples/0000.png").getpixel((25, 25))[2] > 128


def test_generation_resumes_and_reports_failures(tmp_path: Path) -> None:
    backend = BoxBackend()
    generator = harness.LoopGenerator(backend, "oneshot")
    harness.generate_geneval(generator, PROMPTS, tmp_path, images_per_prompt=2)
    first = (tmp_path / "00007/samples/0000.png").read_bytes()
    (tmp_path / "00003/samples/0001.png").unlink()
    sketches = backend.calls["sketch"]
    again = harness.generate_geneval(generator, PROMPTS, tmp_path, images_per_prompt=2)
    assert (again.made, again.skipped) == (1, 3)
    assert backend.calls["sketch"] == sketches + 1
    assert (tmp_path / "00007/samples/0000.png").read_bytes() == first
    assert not list(tmp_path.rglob("*.part"))

    with pytest.raises(harness.RunMismatch, match="mode 'oneshot'"):
        harness.generate_geneval(harness.LoopGenerator(BoxBackend(), "staged"), PROMPTS,
                                 tmp_path, images_per_prompt=2)

    bad = [(0, {"tag": "single_object", "include": [], "prompt": "unparsable words"})]
    outcome = harness.generate_geneval(generator, bad, tmp_path / "bad", images_per_prompt=1)
    assert outcome.made == 0 and "cannot parse" in outcome.failed[0]
    assert not (tmp_path / "bad/00000/samples/0000.png").exists()


def test_select_prompts_keeps_file_indices() -> None:
    meta = [{"tag": "a"}, {"tag": "b"}, {"tag": "a"}, {"tag": "c"}]
    assert [i for i, _ in harness.select_prompts(meta, ["a", "c"], limit=2)] == [0, 2]
    assert [i for i, _ in harness.select_prompts(meta, None, None)] == [0, 1, 2, 3]
    assert [i for i, _ in harness.select_prompts(meta, None, None, per_tag=1)] == [0, 1, 3]


def test_score_folder_and_reports(tmp_path: Path) -> None:
    for mode in ("oneshot", "staged"):
        harness.generate_geneval(harness.LoopGenerator(BoxBackend(), mode), PROMPTS,
                                 tmp_path / mode, images_per_prompt=2)
    models = harness.DetectorModels(RedSquareDetector())
    runs = []
    for mode in ("oneshot", "staged"):
        rows = harness.score_geneval_folder(tmp_path / mode, models)
        assert len(rows) == 4
        runs.append(report.ScoredRun(report.run_label(tmp_path / mode), tmp_path / mode, rows,
                                     detector=models.name))
    oneshot, staged = runs
    colour_rows = [r for r in oneshot.rows if r["tag"] == "colors"]
    assert not any(r["correct"] for r in colour_rows)
    assert colour_rows[0]["reason"] == "expected red car>=1, found 0 red; and 1 blue"
    assert all(r["correct"] for r in staged.rows)
    assert oneshot.summary.overall == pytest.approx(0.5)  # colors 0/2, single_object 2/2
    assert staged.summary.overall == pytest.approx(1.0)

    results = json.loads(report.write_results(staged).read_text())
    assert results["summary"]["overall"] == 1.0 and len(results["images"]) == 4

    table = report.markdown_table(runs)
    assert "| tag | oneshot (boxes) | staged (boxes) | Δ |" in table
    assert "| colors | 0.0% (0/2) | 100.0% (2/2) | +100.0 |" in table
    assert "| **overall** | **50.0%** | **100.0%** | +50.0 |" in table
    assert "| refinements / image | 0.00 | 1.00 | |" in table
    page = report.write_html(runs, tmp_path / "comparison.html").read_text()
    assert "oneshot/00003/samples/0000.png" in page
    assert "expected red car&gt;=1, found 0 red; and 1 blue" in page


def test_cli_generate_and_score(tmp_path: Path, monkeypatch, capsys, shared_dir) -> None:
    import stagestudio.backends.registry as registry
    import stagestudio.cli.eval as eval_cli

    monkeypatch.setattr(registry, "create_backend", lambda name, **kw: BoxBackend())
    monkeypatch.setattr(eval_cli, "_scoring_models",
                        lambda args: harness.DetectorModels(RedSquareDetector()))
    out = tmp_path / "staged"
    code = cli_main(["eval", "geneval", "--backend", "boxes", "--mode", "staged",
                     "--images-per-prompt", "1", "--limit", "2", "--tags", "colors",
                     "--out", str(out)])
    assert code == 0
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    meta = [json.loads(l) for l in
            (shared_dir / "data/geneval/evaluation_metadata.jsonl").read_text().splitlines()]
    colour_indices = [i for i, m in enumerate(meta) if m["tag"] == "colors"][:2]
    assert folders == [f"{i:05d}" for i in colour_indices]
    capsys.readouterr()
    assert cli_main(["eval", "score", str(out), "--detector", "sketchbook"]) == 0
    printed = capsys.readouterr().out
    assert "| **overall** |" in printed
    assert (out / "results.json").is_file() and (out / "report.md").is_file()
    assert (out / "report.html").is_file()
    assert cli_main(["eval", "geneval", "--tags", "nonsense", "--out", str(out)]) == 2
    assert cli_main(["eval", "score", str(out), "--options", "threshold=high"]) == 2
    assert eval_cli.scoring_config(["max_objects=4", "threshold=0.5"]) == (
        harness_config(max_objects=4, threshold=0.5))
    assert cli_main(["eval", "score", str(tmp_path / "nothing")]) == 2


def harness_config(**kw):
    from stagestudio.eval.geneval import ScoringConfig

    return ScoringConfig(**kw)


def test_wise_generation_and_summary(tmp_path: Path, shared_dir, capsys) -> None:
    prompts = wise.load_wise_prompts(shared_dir / "data/wise/final_data.json")
    generator = harness.LoopGenerator(BoxBackend(), "oneshot")
    made = harness.generate_wise(generator, prompts[:3], tmp_path)
    assert made.made == 3 and (tmp_path / "images/1.png").is_file()
    judge = wise.TextReplyJudge(
        lambda image, text: "Consistency: 2\nRealism: 1\nAesthetic Quality: 2")
    judged = harness.judge_wise_folder(judge, prompts, tmp_path)
    assert [j.prompt_id for j in judged] == [1, 2, 3]
    assert len(wise.read_score_file(tmp_path / "scores.jsonl")) == 3
    judgements = [wise.ImageJudgement(p.prompt_id, wise.JudgeScores(
        consistency=2, realism=1, aesthetic_quality=0)) for p in prompts]
    judgements[5] = wise.ImageJudgement(6, None, "timeout")
    scores = wise.write_score_file(judgements, tmp_path / "scores.jsonl")
    assert json.loads(scores.read_text().splitlines()[5])["consistency"] == 999
    back = wise.read_score_file(scores)
    assert back[0].scores.consistency == 2 and back[5].scores is None
    assert cli_main(["eval", "wise-summary", str(scores), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "overall WiScore withheld" in out
    assert json.loads((tmp_path / "wise_summary.json").read_text())["overall"] is None


def test_cli_wise_with_a_plugged_judge(tmp_path: Path, monkeypatch, capsys) -> None:
    import stagestudio.backends.registry as registry

    monkeypatch.setattr(registry, "create_backend", lambda name, **kw: BoxBackend())
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "my_wise_judge.py").write_text(
        "from stagestudio.eval.wise import TextReplyJudge\n"
        "def make():\n"
        "    return TextReplyJudge(lambda image, text: 'Consistency: 2\\nRealism: 2\\n"
        "Aesthetic Quality: 1', name='fixed')\n"
    )
    monkeypatch.syspath_prepend(str(plugin))
    out = tmp_path / "wise"
    code = cli_main(["eval", "wise", "--backend", "boxes", "--mode", "oneshot", "--limit", "2",
                     "--out", str(out), "--judge", "my_wise_judge:make"])
    assert code == 0
    assert len(wise.read_score_file(out / "scores.jsonl")) == 2
    printed = capsys.readouterr().out
    assert "0.95 (2/400)" in printed and "overall WiScore withheld" in printed
    assert cli_main(["eval", "wise", "--out", str(out), "--limit", "1",
                     "--judge", "no_such_module:make"]) == 2
