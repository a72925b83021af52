"""`psir export`: studio sessions (run through the engine with a controller, recorded in a store,
as the studio does) become PSIR records whose provenance says what a person decided; the reader
and the example builder report and skip bad records."""

from __future__ import annotations

import json

import pytest

from stagestudio.backends.sketchbook.backend import SketchbookBackend
from stagestudio.loop.control import AutoController, Correct, EditPlan, OverrideVerdict, Proceed
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.psir.dataset import RECORDS_FILE, read_manifest, read_records
from stagestudio.psir.examples import build_examples
from stagestudio.psir.export import ExportFilters, export_sessions
from stagestudio.store import SessionRecorder, open_store

PROMPT = "a bear hovering above a silver spoon"


class ScriptedPerson:
    """Edits the first step's instruction, overrides the first verdict of step 2, and writes the
    correction of any other failed verdict itself."""

    def review_plan(self, review):
        if review.step.index == 0:
            return EditPlan("Draw a big brown bear high up in the sky.")
        return Proceed()

    def review_verdict(self, review):
        if review.step.index == 1 and review.attempt == 0:
            return OverrideVerdict(passed=not review.verdict.passed, reason="the person disagrees")
        if not review.verdict.passed and review.attempts_left > 0:
            return Correct("Draw the spoon clearly below the bear.")
        return Proceed()


def record_session(store, controller, seed, error_rate=0.3):
    engine = LoopEngine(SketchbookBackend(error_rate=error_rate, size=128))
    events = list(SessionRecorder(store).record(engine.run(PROMPT, config=RunConfig(seed=seed), controller=controller)))
    return events[0].session_id


@pytest.fixture()
def store(tmp_path):
    with open_store(tmp_path / "db" / "studio.db") as s:
        yield s


def test_export_records_what_the_person_decided(store, tmp_path):
    touched = record_session(store, ScriptedPerson(), seed=2)
    auto = record_session(store, AutoController(), seed=5)
    out = tmp_path / "data"
    report = export_sessions(store, out)
    assert report.sessions_exported == 2 and report.records_added >= 3

    records = {r.id: r for r in read_records(out).records}
    first = records[f"{touched}:0"]
    assert first.provenance.plan_edited and first.provenance.origin == "studio"
    assert first.plan.instruction == "Draw a big brown bear high up in the sky." and first.plan.source == "user"
    assert first.provenance.plan_proposal.instruction != first.plan.instruction  # the model's proposal is kept
    assert first.canvas_before is None and first.steps_before == []

    second = records[f"{touched}:1"]
    assert second.provenance.overridden_attempts == [0]
    attempt0 = second.attempts[0]
    assert attempt0.human_verdict is not None and attempt0.human_verdict.reason == "the person disagrees"
    assert attempt0.human_verdict.passed != attempt0.inspection.passed  # both sides are kept
    assert second.canvas_before is not None and second.steps_before == [first.plan.instruction]
    assert second.human_touched

    auto_records = [r for r in records.values() if r.provenance.session_id == auto]
    assert auto_records and not any(r.human_touched for r in auto_records)
    for r in records.values():  # every referenced picture was copied
        assert all((out / ref.file).is_file() for ref in r.image_refs())
    manifest = read_manifest(out)
    assert manifest.records == len(records) and manifest.human_touched == sum(r.human_touched for r in records.values())


def test_corrections_written_by_a_person_are_marked(store, tmp_path):
    # seed 2 at a high error rate makes the sketchbook miss something the person then corrects
    sid = record_session(store, ScriptedPerson(), seed=2, error_rate=0.9)
    export_sessions(store, tmp_path / "data")
    records = [r for r in read_records(tmp_path / "data").records if r.provenance.session_id == sid]
    corrected = [(r, a) for r in records for a in r.attempts if a.correction_source == "human"]
    assert corrected, "the scripted person never corrected; pick another seed"
    record, attempt = corrected[0]
    assert attempt.correction == "Draw the spoon clearly below the bear."
    assert attempt.attempt in record.provenance.corrected_attempts


def test_filters_and_repeated_export(store, tmp_path):
    record_session(store, ScriptedPerson(), seed=2)
    record_session(store, AutoController(), seed=5)
    out = tmp_path / "data"
    human = export_sessions(store, out, ExportFilters(human_only=True))
    assert human.records_filtered > 0
    assert all(r.human_touched for r in read_records(out).records)
    again = export_sessions(store, out)  # the rest is added, nothing twice
    assert again.records_existing == human.records_added
    assert len(read_records(out).records) == human.records_added + again.records_added
    other = export_sessions(store, tmp_path / "none", ExportFilters(backend="bagel"))
    assert other.sessions_seen == 0 and other.records_added == 0


def test_bad_records_are_reported_and_skipped(store, tmp_path):
    record_session(store, AutoController(), seed=5)
    out = tmp_path / "data"
    export_sessions(store, out)
    good = build_examples(read_records(out), out)
    assert good.examples and not [r for r in good.rejections if "image" in r.reason or "empty" in r.reason]

    lines = (out / RECORDS_FILE).read_text().splitlines()
    data = [json.loads(line) for line in lines]
    # 1. a missing picture: delete the first step's accepted sketch
    first = data[0]
    accepted = next(a for a in first["attempts"] if a["attempt"] == first["accepted_attempt"])
    (out / accepted["image"]["file"]).unlink()
    # 2. wrong sizes: the second record says its pictures are 300x200
    for a in data[1]["attempts"]:
        a["image"]["width"], a["image"]["height"] = 300, 200
    # 3. empty text: a blank instruction
    data[-1]["plan"]["instruction"] = "   "
    broken = [json.dumps(d) for d in data] + ["{not json", json.dumps({"id": "x"})]
    (out / RECORDS_FILE).write_text("\n".join(broken) + "\n")

    result = build_examples(read_records(out), out)
    reasons = [str(r) for r in result.rejections]
    assert any("missing image" in r and data[0]["id"] in r for r in reasons)
    assert any("wrong size" in r and data[1]["id"] in r for r in reasons)
    assert any("empty text" in r and data[-1]["id"] in r for r in reasons)
    assert any(r.startswith("line ") and "not JSON" in r for r in reasons)
    assert any("not a PSIR record" in r for r in reasons)
    assert result.examples  # the healthy parts still make examples
    ids_with_missing = {e.record_id for e in result.examples if e.task == "sketch"}
    assert data[0]["id"] not in ids_with_missing


def test_a_folder_without_a_manifest_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a PSIR dataset"):
        read_manifest(tmp_path)


def test_date_filters(store, tmp_path):
    import datetime as dt

    from stagestudio.psir.export import parse_day

    record_session(store, AutoController(), seed=5)
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%d")
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%d")
    assert export_sessions(store, tmp_path / "a", ExportFilters(since=parse_day(tomorrow))).sessions_seen == 0
    assert export_sessions(store, tmp_path / "b", ExportFilters(until=parse_day(yesterday, end=True))).sessions_seen == 0
    day = ExportFilters(since=parse_day(today), until=parse_day(today, end=True))
    assert export_sessions(store, tmp_path / "c", day).sessions_exported == 1
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("last tuesday")
