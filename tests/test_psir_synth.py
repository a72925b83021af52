"""`psir synth`: prompt files in the three shapes, the pipeline on the sketchbook, resuming,
refused prompts, the kept/rejected summary, and `psir info`."""

from __future__ import annotations

import json

import pytest

from stagestudio.backends.sketchbook.backend import SketchbookBackend
from stagestudio.psir.dataset import read_records
from stagestudio.psir.synth import PROGRESS_FILE, PromptFileError, read_prompts, synthesize

PROMPTS = ["a photo of a book and a baseball bat", "", "a photo of a zebra right of a parking meter",
           "a photo of four apples"]


def test_prompt_files_in_every_shape(tmp_path, shared_dir):
    geneval = read_prompts(shared_dir / "data" / "geneval" / "evaluation_metadata.jsonl")
    assert len(geneval) == 553 and geneval[0] == "a photo of a bench"
    wise = read_prompts(shared_dir / "data" / "wise" / "final_data.json")
    assert len(wise) == 1000 and all(wise)
    (tmp_path / "p.txt").write_text("a red cube\n\na blue ball\n")
    assert read_prompts(tmp_path / "p.txt") == ["a red cube", "", "a blue ball"]
    (tmp_path / "bad.jsonl").write_text('{"prompt": "x"}\nnot json\n')
    with pytest.raises(PromptFileError, match="line 2 is not JSON"):
        read_prompts(tmp_path / "bad.jsonl")
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(PromptFileError, match="holds no prompts"):
        read_prompts(tmp_path / "empty.txt")


def test_synth_keeps_and_rejects_by_reason_and_resumes(tmp_path):
    out = tmp_path / "data"
    backend = SketchbookBackend(error_rate=0.7, size=128)
    first = synthesize(backend, PROMPTS, out, seed=3, limit=2)
    assert first.ran == 1 and first.refused == {"prompt not understood": 1}  # the empty line
    again = synthesize(backend, PROMPTS, out, seed=3)
    assert again.resumed_past == 2 and again.ran == 2
    progress = [json.loads(line) for line in (out / PROGRESS_FILE).read_text().splitlines()]
    assert sorted(p["index"] for p in progress) == [0, 1, 2, 3]
    records = read_records(out).records
    assert len({r.provenance.session_id for r in records}) == 3 and all(r.provenance.origin == "synth" for r in records)
    # At this error rate the sketchbook gets steps wrong: inconsistent steps make inspection
    # examples with a correction, and fixed ones refine pairs.
    assert again.kept.get("inspect", 0) > again.kept.get("plan", 0) and again.kept.get("refine")
    summary = json.loads((out / "synth_summary.json").read_text())
    assert summary["examples_kept"] == again.kept and summary["prompts_refused"] == {"prompt not understood": 1}
    third = synthesize(backend, PROMPTS, out, seed=3)  # nothing left to do, nothing added twice
    assert third.ran == 0 and third.records_added == 0 and len(read_records(out).records) == len(records)


def test_info_lists_examples_and_rejections(tmp_path, capsys):
    from stagestudio.cli import main

    out = tmp_path / "data"
    synthesize(SketchbookBackend(error_rate=1.0, size=128), PROMPTS[:1], out, seed=0, max_refines=0)
    assert main(["psir", "info", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["records"] >= 1 and info["examples"].get("inspect")
    # Every sketch is wrong and nothing is refined: no consistent sequence for plan/sketch.
    assert any(k.startswith("plan: ") for k in info["rejected"]) and "plan" not in info["examples"]
    assert main(["psir", "info", str(tmp_path / "nothing")]) == 2
    assert "not a PSIR dataset" in capsys.readouterr().err


def test_a_session_cut_short_by_a_lost_server_is_redone(tmp_path):
    from stagestudio.backends.base import BackendUnavailable

    class FlakyServer(SketchbookBackend):
        def __init__(self, down: bool) -> None:
            super().__init__(error_rate=0.0, size=128)
            self.down = down

        def sketch(self, request, hooks=None):
            if self.down:
                raise BackendUnavailable("the model server went away")
            return super().sketch(request, hooks)

    out = tmp_path / "data"
    first = synthesize(FlakyServer(down=True), PROMPTS[:1], out)
    assert first.sessions == {"interrupted": 1} and first.records_added == 0
    second = synthesize(FlakyServer(down=False), PROMPTS[:1], out)
    assert second.ran == 1 and second.resumed_past == 0 and second.sessions == {"completed": 1}
    assert len(read_records(out).records) == second.records_added > 0
