"""Session store: recording, the projection (steps/attempts/interventions), replay,
re-run, fork, export/import, delete, schema versions — against a scripted backend, on
SQLite and on PostgreSQL (`store_spec`)."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest
from PIL import Image
from sqlalchemy import create_engine, func, select
from store_backends import sqlite_store, store, store_spec  # noqa: F401 - fixtures
from store_support import StoreTestBackend, make_graph

from stagestudio.loop.control import Correct, EditPlan, OverrideVerdict, Proceed, Resketch
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.loop.events import event_from_json
from stagestudio.store import (
    SessionExistsError,
    SessionNotFoundError,
    SessionRecorder,
    StoreError,
    StoreVersionError,
    export_session,
    fork_session,
    import_session,
    open_store,
    rerun_session,
    resolve_db_path,
)
from stagestudio.store import migrations
from stagestudio.store.images import image_hash
from stagestudio.store.models import StepRow


def record_run(store, prompt="a bear above a spoon", backend=None, controller=None, **config):
    backend = backend or StoreTestBackend(objects=3)
    engine = LoopEngine(backend)
    events = engine.run(prompt, config=RunConfig(**config), controller=controller)
    return list(SessionRecorder(store).record(events))


def test_records_every_event_with_images_and_projection(store):
    events = record_run(store, seed=3)
    sid = events[0].session_id
    sketches = [e for e in events if e.type == "sketch_ready"]
    # The recorder fills in the hash, and the file of that name holds exactly that image.
    for e in sketches:
        assert e.image_sha256 == image_hash(e.image)
        path = store.images.path_for(e.image_sha256)
        assert path.is_file() and path.name == f"{e.image_sha256}.png"
        with Image.open(path) as img:
            assert img.tobytes() == e.image.tobytes()
    stored = store.event_payloads(sid)
    assert [d["seq"] for d in stored] == list(range(len(events)))
    assert stored == [e.to_json_dict() for e in events]

    record = store.load_session(sid)
    assert record.status == "completed" and record.passed is True
    assert record.step_count == 3 and len(record.steps) == 3
    assert [s.status for s in record.steps] == ["passed", "passed", "passed"]
    step1 = record.steps[1]  # fail_steps={1}: sketch fails, one refinement passes
    assert [(a.attempt, a.stage) for a in step1.attempts] == [(0, "sketch"), (1, "refine")]
    first, refined = step1.attempts
    assert first.verdict.passed is False and first.verdict.facts[0].fact == "the thing"
    assert first.verdict.critique == "the thing is missing"
    assert first.corrective_instruction == "add the thing"
    assert refined.instruction == "add the thing" and refined.verdict.passed
    assert step1.accepted_attempt == 1 and step1.canvas_sha256 == refined.image_sha256
    assert first.seed == sketches[1].seed and first.inspect_seed is not None
    assert record.settings == StoreTestBackend(objects=3).settings()
    assert (record.seed, record.max_refines, record.max_steps) == (3, 2, 8)
    assert record.final_verdict is not None and record.missing_images == []


def test_list_is_newest_first_and_counts_steps(store):
    a = record_run(store, prompt="first")[0].session_id
    b = record_run(store, prompt="second", backend=StoreTestBackend(objects=2))[0].session_id
    listed = store.list_sessions()
    assert [s.id for s in listed] == [b, a]
    assert [(s.status, s.step_count, s.prompt) for s in listed] == [("completed", 2, "second"), ("completed", 3, "first")]


@pytest.mark.parametrize(
    "prompt",
    ["", "ein Bär über einem Löffel 🐻🥄 — 東京の猫 \u202e\u0000 end", "x" * 10_000, "  spaces \n\t and lines  \n"],
    ids=["empty", "unicode", "10k", "whitespace"],
)
def test_prompts_are_stored_exactly(store, prompt):
    events = list(
        SessionRecorder(store).record(LoopEngine(StoreTestBackend(objects=1)).run(prompt, graph=make_graph(1)))
    )
    sid = events[0].session_id
    assert store.load_session(sid).prompt == prompt
    assert store.list_sessions()[0].prompt == prompt
    assert next(store.replay(sid)).prompt == prompt


def test_replay_is_exact_and_loads_images(store):
    events = record_run(store, seed=9)
    sid = events[0].session_id
    replayed = list(store.replay(sid))
    assert [e.to_json_dict() for e in replayed] == [e.to_json_dict() for e in events]
    for old, new in zip(events, replayed):
        if old.type == "sketch_ready":
            assert new.image.tobytes() == old.image.tobytes()


def test_rerun_identical_then_different(store):
    sid = record_run(store, seed=4)[0].session_id
    report = rerun_session(store, sid, backend=StoreTestBackend(objects=3))
    assert report.identical and len(report.sketches) == 4
    assert all(s.identical for s in report.sketches)
    changed = rerun_session(store, sid, backend=StoreTestBackend(objects=3, variant=1))
    assert not changed.identical and not any(s.identical for s in changed.sketches)


class Steered:
    """Edits step 0, overrides a failed verdict on step 1, corrects and resketches step 2."""

    def review_plan(self, review):
        if review.step.index == 0:
            return EditPlan("Add a tiny bear.", "a tiny bear")
        return Proceed()

    def review_verdict(self, review):
        if review.step.index == 1 and review.attempt == 0:
            return OverrideVerdict(True, "looks fine to me")
        if review.step.index == 2 and review.attempt == 0:
            return Resketch("Add the cup, centred.")
        if review.step.index == 2 and review.attempt == 1:
            return Correct("make it bigger")
        return Proceed()


def test_interventions_are_stored_and_rerun_repeats_them(store):
    events = record_run(store, backend=StoreTestBackend(objects=3, fail_steps=(1, 2)), controller=Steered(), seed=2)
    sid = events[0].session_id
    record = store.load_session(sid)
    assert [i.kind for i in record.interventions] == ["edit", "override", "resketch", "correct"]
    edit = record.interventions[0]
    assert edit.before["instruction"] == "Add the bear." and edit.after["instruction"] == "Add a tiny bear."
    assert record.steps[0].planned.instruction == "Add the bear."
    assert record.steps[0].step.instruction == "Add a tiny bear." and record.steps[0].step.source == "user"
    assert record.steps[1].status == "overridden"
    assert [a.stage for a in record.steps[2].attempts] == ["sketch", "sketch", "refine"]
    assert record.steps[2].attempts[1].corrective_instruction == "make it bigger"
    # Without the recorded decisions the path would differ; with them every sketch matches.
    report = rerun_session(store, sid, backend=StoreTestBackend(objects=3, fail_steps=(1, 2)))
    assert report.identical and len(report.sketches) == 5


def test_fork_shares_history_and_edits_the_instruction(store):
    parent = record_run(store, seed=5)[0].session_id
    events = list(fork_session(store, parent, 2, instruction="Add a giant cup.", backend=StoreTestBackend(objects=3)))
    fork = events[0].session_id
    assert events[0].parent_session_id == parent and events[0].branch_step == 2
    record = store.load_session(fork)
    assert record.status == "completed" and record.step_count == 3
    assert [(s.index, s.inherited, s.session_id) for s in record.steps] == [(0, True, parent), (1, True, parent), (2, False, fork)]
    assert record.steps[2].step.instruction == "Add a giant cup."
    assert record.interventions[0].kind == "edit"
    # Shared, not copied: the fork owns only the step it recomputed.
    own_rows = store.db.read(lambda db: db.scalar(select(func.count()).select_from(StepRow).where(StepRow.session_id == fork)))
    assert own_rows == 1
    parent_record = store.load_session(parent)
    assert record.steps[1].canvas_sha256 == parent_record.steps[1].canvas_sha256
    # Same seeds: the unedited sketch of step 2 in a plain fork equals the parent's.
    plain = list(fork_session(store, parent, 2, backend=StoreTestBackend(objects=3)))[0].session_id
    assert store.load_session(plain).steps[2].attempts[0].image_sha256 == parent_record.steps[2].attempts[0].image_sha256
    # fork_history feeds the engine; a fork of a fork walks the chain.
    history = store.fork_history(fork, 3)
    assert [h.step.instruction for h in history] == ["Add the bear.", "Add the spoon.", "Add a giant cup."]
    assert history[1].image.tobytes() == store.load_image(parent_record.steps[1].canvas_sha256).tobytes()
    grandchild = list(fork_session(store, fork, 3, backend=StoreTestBackend(objects=3)))[0].session_id
    g = store.load_session(grandchild)  # nothing left to plan: every step is inherited
    assert [s.session_id for s in g.steps] == [parent, parent, fork] and g.step_count == 3
    assert g.status == "completed" and g.final_verdict is not None
    # Replay with history: the inherited steps' events come first, from their owners.
    with_history = list(store.replay(fork, include_history=True))
    assert [e.session_id for e in with_history[:1]] == [parent]
    own = list(store.replay(fork))
    assert [e.to_json_dict() for e in with_history[-len(own):]] == [e.to_json_dict() for e in own]
    planned = [e.step.index for e in with_history if e.type == "step_planned"]
    assert planned == [0, 1, 2]
    assert rerun_session(store, fork, backend=StoreTestBackend(objects=3)).identical


def test_fork_rejects_a_step_past_the_end(store):
    sid = record_run(store)[0].session_id
    with pytest.raises(StoreError, match="3 completed steps"):
        store.fork_history(sid, 4)
    with pytest.raises(SessionNotFoundError):
        store.load_session("nope")


def test_export_import_round_trip_is_lossless(tmp_path, store):
    parent = record_run(store, prompt="Bär 🐻", seed=6)[0].session_id
    fork = list(fork_session(store, parent, 1, instruction="Add a blue spoon.", backend=StoreTestBackend(objects=3)))[0].session_id
    first = export_session(store, fork, tmp_path / "a.zip")
    with zipfile.ZipFile(first) as zf:
        manifest = json.loads(zf.read("session.json"))
        names = zf.namelist()
    # Self-contained: the parent's shared history travels with the fork.
    assert [s["meta"]["id"] for s in manifest["sessions"]] == [parent, fork]
    assert sorted(n for n in names if n.startswith("images/")) == [f"images/{h}.png" for h in sorted(manifest["images"])]

    other = open_store(tmp_path / "other" / "studio.db")
    result = import_session(other, first)
    assert result.session_id == fork and result.imported_sessions == [parent, fork]
    second = export_session(other, fork, tmp_path / "b.zip")
    assert first.read_bytes() == second.read_bytes()
    a, b = store.load_session(fork), other.load_session(fork)
    def portable(record):
        # Which process wrote it and where its files live are not part of the session.
        text = json.dumps(record.to_json_dict() | {"writer_pid": None, "writer_host": None})
        return text.replace(str(store.images.root), "<images>").replace(str(other.images.root), "<images>")

    assert portable(a) == portable(b)
    assert [(s.index, s.canvas_sha256) for s in a.steps] == [(s.index, s.canvas_sha256) for s in b.steps]

    with pytest.raises(SessionExistsError, match="--new-id"):
        import_session(other, first)
    renamed = import_session(other, first, new_id=True)
    assert renamed.session_id != fork and renamed.reused_sessions == [parent]
    moved = other.load_session(renamed.session_id)
    assert moved.parent_session_id == parent and len(moved.steps) == 3
    assert all(e.session_id == renamed.session_id for e in other.replay(renamed.session_id, with_images=False))
    other.close()


def test_delete_refuses_forks_then_cascades_and_collects_images(store):
    parent = record_run(store, seed=1)[0].session_id
    # variant=1: the fork draws pixels of its own, so it owns image files nobody else uses.
    fork = list(fork_session(store, parent, 1, instruction="Add a red spoon.", backend=StoreTestBackend(objects=3, variant=1)))[0].session_id
    keeper = record_run(store, seed=1)[0].session_id  # same seed: shares every image file with `parent`
    with pytest.raises(StoreError, match=f"forks that share its steps \\({fork}\\)"):
        store.delete_session(parent)
    report = store.delete_session(parent, cascade=True)
    assert report.deleted_sessions == [parent, fork]
    # Images the remaining session uses stay; the fork's own new images go.
    kept = store.load_session(keeper)
    assert kept.missing_images == []
    assert report.removed_images and all(not store.images.exists(h) for h in report.removed_images)
    assert [s.id for s in store.list_sessions()] == [keeper]
    store.delete_session(keeper)
    assert store.list_sessions() == []
    assert not any(p.suffix == ".png" for p in store.images.root.rglob("*"))


def test_database_path_from_option_env_and_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STAGESTUDIO_DB", raising=False)
    assert resolve_db_path() == tmp_path / "sessions" / "studio.db"
    monkeypatch.setenv("STAGESTUDIO_DB", str(tmp_path / "env.db"))
    assert resolve_db_path() == tmp_path / "env.db"
    assert resolve_db_path(tmp_path / "opt.db") == tmp_path / "opt.db"
    s = open_store()
    assert s.path == tmp_path / "env.db" and s.path.is_file()
    s.close()


def test_connection_settings(sqlite_store):
    with sqlite_store.db.raw() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        # FULL: a committed event survives a power cut too (2 = FULL).
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_older_schema_is_upgraded_on_open(tmp_path):
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0001")
        conn.exec_driver_sql(
            "INSERT INTO sessions (id, prompt, backend, settings, seed, max_refines, max_steps, status, created_at, "
            "updated_at, graph_planned, step_count, last_seq) VALUES ('old1', 'an old prompt', 'sketchbook', '{}', 1, 2, 8, "
            "'completed', 1.0, 2.0, '{\"objects\": [], \"relations\": []}', 0, -1)"
        )
    engine.dispose()
    s = open_store(path)
    with s.db.engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.head_revision()
    record = s.load_session("old1")
    assert record.prompt == "an old prompt" and record.writer_pid is None
    s.close()


def test_newer_schema_is_refused_naming_both_versions(tmp_path):
    path = tmp_path / "new.db"
    s = open_store(path)
    s.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreVersionError, match=rf"0099.*\({migrations.head_revision()}\)"):
        open_store(path)
    assert path.read_bytes() == before


def test_event_log_json_parses_back(store):
    sid = record_run(store)[0].session_id
    for data in store.event_payloads(sid):
        assert event_from_json(data).to_json_dict() == data


@pytest.mark.slow  # draws real sketchbook images
def test_sketchbook_session_reruns_identically(sqlite_store):  # about the backend: one database is enough
    store = sqlite_store
    pytest.importorskip("stagestudio.backends.sketchbook.backend")
    from stagestudio.backends.registry import create_backend

    backend = create_backend("sketchbook")
    events = list(SessionRecorder(store).record(LoopEngine(backend).run("a red dog", config=RunConfig(seed=8, max_steps=2))))
    sid = events[0].session_id
    report = rerun_session(store, sid)  # rebuilt through the registry from the stored settings
    assert report.sketches and report.identical


def test_schema_head_constant_matches_the_migrations():
    assert migrations.SCHEMA_HEAD == migrations.head_revision()
    assert migrations.known_revisions() == {"0001", "0002"}


def test_fork_with_an_edited_graph_keeps_both_graphs(store):
    parent = record_run(store, backend=StoreTestBackend(objects=2), seed=5)[0].session_id
    edited = make_graph(3)  # a person added an object
    events = list(fork_session(store, parent, 2, graph=edited, backend=StoreTestBackend(objects=3)))
    record = store.load_session(events[0].session_id)
    assert record.graph_planned == store.load_session(parent).graph_planned == make_graph(2)
    assert record.graph_edited == edited and record.graph == edited
    assert [s.index for s in record.steps] == [0, 1, 2] and record.steps[2].step.object_ids == ["o3"]


def test_a_conflicting_event_is_refused_not_lost(store):
    events = record_run(store)
    sid = events[0].session_id
    with pytest.raises(StoreError, match="conflicts with what is already stored"):
        store.commit_event(events[3])  # the same seq again
    with pytest.raises(SessionExistsError):
        store.commit_event(events[0])  # the same session started twice
    assert store.event_payloads(sid) == [e.to_json_dict() for e in events]


def test_export_during_a_live_run_is_a_consistent_snapshot(tmp_path, store):
    stream = SessionRecorder(store).record(LoopEngine(StoreTestBackend(objects=3)).run("live", config=RunConfig(seed=1)))
    for event in stream:
        if event.type == "step_completed":
            break
    archive = export_session(store, event.session_id, tmp_path / "live.zip")
    list(stream)  # the run finishes meanwhile
    other = open_store(tmp_path / "other" / "studio.db")
    import_session(other, archive)
    snapshot = other.load_session(event.session_id)
    assert snapshot.status == "interrupted" and snapshot.step_count == 1 and snapshot.last_seq == event.seq
    # ...and the copy can be resumed where the snapshot ends.
    from stagestudio.store import resume_session

    list(resume_session(other, event.session_id, backend=StoreTestBackend(objects=3)))
    assert other.load_session(event.session_id).status == "completed"
    assert rerun_session(other, event.session_id, backend=StoreTestBackend(objects=3)).identical
    other.close()
