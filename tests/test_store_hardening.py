"""Issue 12, the store's side: imported archives validated field by field, listing that a
bad row cannot break, the writer lock released after a full disk, bounded import
transactions beside a live recorder, damaged indexes detected and rebuilt, orphan files
and dead imports repaired, stale export folders cleaned. What does not depend on SQLite's
file runs on PostgreSQL too (`store_spec`)."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event as sa_event
from store_backends import sqlite_store, store, store_spec  # noqa: F401 - fixtures
from store_support import StoreTestBackend, write_big_archive
from test_store_reliability import good_archive, record_run  # noqa: F401 - a fixture and a helper

from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.store import (
    ArchiveError,
    SessionDamagedError,
    SessionRecorder,
    StoreCorruptError,
    StoreFullError,
    cleanup_stale_exports,
    create_export_dir,
    export_session,
    import_session,
    open_store,
    resume_session,
)
from stagestudio.store import importer
from stagestudio.store.maintenance import check_store

REPO = Path(__file__).resolve().parent.parent


def rewrite_manifest(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zin:
        members = {name: zin.read(name) for name in zin.namelist()}
    manifest = json.loads(members["session.json"])
    edit(manifest)
    members["session.json"] = json.dumps(manifest).encode()  # NaN / Infinity written as JSON allows
    with zipfile.ZipFile(dst, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    return dst


def meta(value_by_name):
    return lambda m: m["sessions"][-1]["meta"].update(value_by_name)


def first_event(value_by_name):
    return lambda m: m["sessions"][-1]["events"][0].update(value_by_name)


# --- item 1: every imported field is validated -------------------------------------------
BAD_FIELDS = {
    "created_at_huge": (meta({"created_at": 1e300}), "created_at"),
    "created_at_nan": (meta({"created_at": float("nan")}), "created_at"),
    "created_at_null": (meta({"created_at": None}), "created_at"),
    "created_at_text": (meta({"created_at": "yesterday"}), "created_at"),
    "updated_at_infinite": (meta({"updated_at": float("inf")}), "updated_at"),
    "status_unknown": (meta({"status": "pwned"}), "status"),
    "status_importing": (meta({"status": "importing"}), "status"),
    "graph_planned_shape": (meta({"graph_planned": {"objects": "nope"}}), "graph_planned"),
    "graph_edited_dangling": (
        meta({"graph_edited": {"objects": [{"id": "o1", "name": "cat"}], "relations": [
            {"subject": "o1", "predicate": "above", "object": "o9"}]}}),
        "graph_edited",
    ),
    "final_verdict_shape": (meta({"final_verdict": {"passed": "maybe"}}), "final_verdict"),
    "seed_huge": (meta({"seed": 2**70}), "seed"),
    "settings_nan": (meta({"settings": {"objects": float("nan")}}), "settings"),
    "event_time_nan": (first_event({"at": float("nan")}), "at"),
    "event_seed_huge": (first_event({"seed": 2**64}), "seed"),
}


@pytest.mark.parametrize("kind", list(BAD_FIELDS))
def test_an_archive_with_a_bad_field_is_rejected_naming_it(tmp_path, store, good_archive, kind):
    edit, field_name = BAD_FIELDS[kind]
    bad = rewrite_manifest(good_archive, tmp_path / f"{kind}.zip", edit)
    with pytest.raises(ArchiveError) as err:
        import_session(store, bad)
    message = str(err.value)
    assert field_name in message and "\n" not in message
    assert store.list_sessions() == []
    assert not any(store.images.root.rglob("*.png"))  # nothing written, not even images


def test_old_records_with_passed_booleans_still_import_and_replay(tmp_path, store, good_archive):
    """Verdicts written before FactResult.status existed carry `passed` booleans."""

    def to_old_format(manifest):
        for entry in manifest["sessions"]:
            for data in entry["events"]:
                for verdict in [data.get("verdict")] if data.get("verdict") else []:
                    for fact in verdict["facts"]:
                        fact["passed"] = fact.pop("status") == "pass"
                        for key in ("question", "answer", "p_yes"):
                            fact.pop(key, None)
            final = entry["meta"]["final_verdict"]
            for fact in final["facts"] if final else []:
                fact["passed"] = fact.pop("status") == "pass"

    old = rewrite_manifest(good_archive, tmp_path / "old.zip", to_old_format)
    sid = import_session(store, old).session_id
    record = store.load_session(sid)
    verdicts = [a.verdict for s in record.steps for a in s.attempts]
    assert [v.label for v in verdicts] == ["pass", "fail", "pass", "pass"]
    assert verdicts[1].facts[0].status == "fail"
    assert len(list(store.replay(sid))) == record.event_count
    export_session(store, sid, tmp_path / "again.zip")  # and it goes out again


def _damage_rows(db_path: Path, sql: str, params=()) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "column, value, why",
    [
        ("created_at", 1e300, "created_at is 1e+300"),
        ("created_at", "yesterday", "created_at is 'yesterday'"),
        ("status", "pwned", "status is 'pwned'"),
        ("passed", "x", "passed is 'x'"),
    ],
)
def test_one_damaged_row_never_hides_the_others(sqlite_store, column, value, why):
    """A row written before imports were validated (or by hand): listed as damaged, with
    its id, while every other session lists, shows and deletes as usual. (PostgreSQL's
    typed columns refuse such values in the first place.)"""
    store = sqlite_store
    ids = [record_run(store, seed=s)[0].session_id for s in (1, 2)]
    _damage_rows(store.path, f"UPDATE sessions SET {column} = ? WHERE id = ?", (value, ids[0]))
    listed = {s.id: s for s in store.list_sessions()}
    assert set(listed) == set(ids)
    assert listed[ids[0]].status == "damaged" and why in listed[ids[0]].problem
    assert listed[ids[1]].status == "completed" and listed[ids[1]].problem is None
    assert json.dumps([s.to_json_dict() for s in listed.values()])  # --json works too
    with pytest.raises(SessionDamagedError, match=f"session {ids[0]} is damaged.*sessions delete {ids[0]}"):
        store.load_session(ids[0])
    assert store.load_session(ids[1]).step_count == 3
    report = check_store(store)
    assert [sid for sid, _ in report.damaged_sessions] == [ids[0]] and not report.ok
    store.delete_session(ids[0])
    assert [s.id for s in store.list_sessions()] == [ids[1]]


def test_a_damaged_scene_graph_in_the_database_is_a_clear_error(sqlite_store):
    store = sqlite_store
    sid = record_run(store)[0].session_id
    _damage_rows(store.path, "UPDATE sessions SET graph_planned = ? WHERE id = ?", ('{"objects": "nope"}', sid))
    assert store.list_sessions()[0].status == "completed"  # the listing does not read graphs
    with pytest.raises(SessionDamagedError, match="graph_planned|objects"):
        store.load_session(sid)
    assert check_store(store).damaged_sessions[0][0] == sid
    store.delete_session(sid)


# --- item 2: the writer lock is released whatever failed ----------------------------------
@pytest.fixture
def disk_full():
    """Make every write statement of the stores opened meanwhile fail as the database does
    on a full disk (there is no small tmpfs without root here)."""
    state = {"full": False, "engines": []}

    def install(store):
        def full_disk_error() -> Exception:
            if store.dialect == "postgresql":
                import psycopg.errors

                return psycopg.errors.DiskFull("could not extend file: No space left on device")
            return sqlite3.OperationalError("database or disk is full")

        @sa_event.listens_for(store.db.engine, "before_cursor_execute")
        def _full(conn, cursor, statement, parameters, context, executemany):
            if state["full"] and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                raise full_disk_error()

        return store

    state["install"] = install
    return state


def test_full_disk_releases_the_writer_lock_and_the_session_resumes(store, disk_full):
    disk_full["install"](store)
    engine = LoopEngine(StoreTestBackend(objects=3))
    warnings: list[str] = []
    stream = SessionRecorder(store, on_warning=warnings.append).record(
        engine.run("a scene", config=RunConfig(seed=4, max_steps=3))
    )
    seen = []
    with pytest.raises(StoreFullError, match="the disk is full"):
        for event in stream:
            seen.append(event)
            if event.type == "step_completed":
                disk_full["full"] = True  # the next commit hits a full disk
    sid = seen[0].session_id
    assert not store.writer_alive(sid)  # released although mark_interrupted failed too
    assert "could not mark session" in warnings[-1] and "disk is full" in warnings[-1]
    disk_full["full"] = False
    record = store.load_session(sid)
    assert record.status == "interrupted" and record.step_count == 1
    list(resume_session(store, sid, backend=StoreTestBackend(objects=3)))
    assert store.load_session(sid).status == "completed"


# --- item 10: durability --------------------------------------------------------------------
def test_the_wal_is_synced_at_each_step_end_and_not_at_every_stage(sqlite_store):
    """synchronous=FULL for the commits a resume needs (and a person's decisions); the
    stages between them commit with NORMAL and become durable with the next sync.
    (PostgreSQL: test_store_postgres.py.)"""
    store = sqlite_store
    statements: list[str] = []

    @sa_event.listens_for(store.db.engine, "connect")
    def _trace(dbapi_conn, _record):
        dbapi_conn.set_trace_callback(statements.append)

    store.db.engine.dispose()  # new connections, traced from the start
    record_run(store, objects=2)
    relaxed, synced = [], []
    for i, sql in enumerate(statements):
        match = re.match(r"INSERT INTO events \(session_id, seq, type, at, payload, image_sha256\) VALUES \('\w+', \d+, '(\w+)'", sql)
        if match:
            begin = max(j for j in range(i) if statements[j].startswith("BEGIN"))
            (relaxed if "PRAGMA synchronous=NORMAL" in statements[begin - 3 : begin] else synced).append(match.group(1))
    assert synced == ["session_started", "step_completed", "step_completed", "session_done"]
    assert sorted(set(relaxed)) == ["final_verdict", "refinement_planned", "sketch_ready", "step_planned", "verdict_ready"]
    with store.db.raw() as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again after each relaxed commit


# --- item 4: a live recorder never loses a session to a lock ------------------------------
class Blocker:
    """Another client holding what a recorder needs: SQLite's write lock, or (PostgreSQL,
    where writers of different sessions never wait for each other) the events table, as a
    maintenance job might."""

    def __init__(self, spec) -> None:
        self.spec = spec
        if spec.dialect == "sqlite":
            self.conn = sqlite3.connect(spec.db, isolation_level=None, check_same_thread=False)
        else:
            from sqlalchemy import create_engine

            self.conn = create_engine(spec.db).connect()

    def take(self) -> None:
        if self.spec.dialect == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.exec_driver_sql("LOCK TABLE events IN EXCLUSIVE MODE")

    def release(self) -> None:
        if self.spec.dialect == "sqlite":
            self.conn.execute("ROLLBACK")
        else:
            self.conn.rollback()


def test_a_busy_database_is_waited_out_in_memory_with_a_warning(store_spec):
    store = store_spec.open(lock_timeout_s=5, busy_timeout_ms=50)
    blocker = Blocker(store_spec)
    warnings: list[str] = []
    backend = StoreTestBackend(objects=4, delay=0.05)
    events = LoopEngine(backend).run("a scene", config=RunConfig(seed=3, max_steps=4))
    recorder = SessionRecorder(store, on_warning=warnings.append, live_wait_s=0.1)
    seen = []
    for event in recorder.record(events):
        seen.append(event)
        if event.type == "step_completed" and event.step_index == 0:
            blocker.take()  # another writer takes the database for a while
            release = threading.Timer(0.8, blocker.release)
            release.start()
    release.join()
    blocker.conn.close()
    sid = seen[0].session_id
    assert any("is busy" in w for w in warnings) and any("free again" in w for w in warnings)
    assert recorder.pending == 0
    assert [d["seq"] for d in store.event_payloads(sid)] == [e.seq for e in seen]
    assert store.load_session(sid).status == "completed"
    store.close()


def test_import_runs_in_short_transactions_beside_a_live_run(tmp_path, store_spec):
    """The issue's case, smaller: a big archive imported while a run records into the
    same database. (bench/store.py does it with 200,000 events and a `run --db` process.)"""
    archive = write_big_archive(tmp_path / "big.zip", 12_000)
    store_spec.open().close()
    outcome: dict = {}

    def do_import() -> None:
        with store_spec.open() as s:
            outcome["import"] = import_session(s, archive)

    importing = threading.Thread(target=do_import)
    importing.start()
    with store_spec.open() as watcher:
        deadline = time.monotonic() + 30
        while not any(s.status == "importing" for s in watcher.list_sessions()):
            assert time.monotonic() < deadline and importing.is_alive()
            time.sleep(0.01)
    waits: list[float] = []
    with store_spec.open() as live:
        commit = live.commit_encoded

        def timed_commit(*args, **kwargs):
            started = time.monotonic()
            commit(*args, **kwargs)
            waits.append(time.monotonic() - started)

        live.commit_encoded = timed_commit
        run = record_run(live, objects=4, seed=9)
        importing.join(timeout=120)
        result = outcome["import"]
        # chunks are sized by time, so how many there are depends on the machine's speed; even the
        # largest chunks cannot take 12,000 events in fewer than these
        fewest = 1 + math.ceil((12_000 - importer.FIRST_CHUNK_EVENTS) / importer.MAX_CHUNK_EVENTS)
        assert result.transactions >= fewest and result.longest_hold_s < 3.0
        big = live.load_session("bigimport")
        assert big.status == "stopped" and big.event_count == 12_000
        mine = live.load_session(run[0].session_id)
        assert mine.status == "completed" and mine.event_count == len(run)
        assert max(waits) < 3.0  # never the whole import's length
        assert live.integrity_check() == []


def test_a_failed_import_leaves_nothing_behind(tmp_path, store, good_archive, monkeypatch):
    """The archive's own metadata disagrees with its events: found at the very end, after
    every chunk was written; the session and its images are removed again."""
    monkeypatch.setattr(importer, "FIRST_CHUNK_EVENTS", 3)
    monkeypatch.setattr(importer, "CHUNK_PAUSE_S", 0.0)
    bad = rewrite_manifest(good_archive, tmp_path / "lies.zip", meta({"step_count": 2}))
    with pytest.raises(ArchiveError, match="step_count=2 but its events give 3"):
        import_session(store, bad)
    assert store.list_sessions() == [] and not any(store.images.root.rglob("*.png"))
    assert import_session(store, good_archive).images_written == 4


# --- item 7: a damaged index is detected and rebuilt --------------------------------------
def _empty_index(db_path: Path, index: str) -> None:
    """Turn an index's root page into an empty leaf: the table keeps its rows, queries
    through the index find none (what a torn write to an index page looks like)."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    conn.close()
    header = bytes([0x0A, 0, 0, 0, 0]) + (page_size % 65536).to_bytes(2, "big") + bytes([0])
    with open(db_path, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(header)


def test_a_damaged_steps_index_is_reported_not_hidden_and_repaired(tmp_path):
    db = tmp_path / "studio.db"
    store = open_store(db)
    sid = record_run(store)[0].session_id
    store.close()
    _empty_index(db, "ix_steps_session_index")
    store = open_store(db)
    with pytest.raises(StoreCorruptError, match=f"only 0 of session {sid}'s 3 completed steps.*check --repair"):
        store.load_session(sid)
    report = check_store(store)
    assert report.integrity and not report.ok
    repaired = check_store(store, repair=True)
    assert repaired.reindexed and repaired.ok
    assert store.load_session(sid).step_count == 3 and len(store.load_session(sid).steps) == 3
    store.close()


def test_a_damaged_sessions_index_is_reported_and_the_listing_stays_complete(tmp_path):
    db = tmp_path / "studio.db"
    store = open_store(db)
    ids = {record_run(store, seed=s)[0].session_id for s in (1, 2)}
    store.close()
    _empty_index(db, "ix_sessions_created_at")
    store = open_store(db)
    assert {s.id for s in store.list_sessions()} == ids  # the table, not the index
    problems = store.listing_problems()
    assert "ix_sessions_created_at holds 0 entries for 2 sessions rows" in problems[0]
    assert check_store(store, repair=True).ok and store.listing_problems() == []
    store.close()


# --- item 12: orphan files, dead imports, stale export folders ----------------------------
def test_check_repair_removes_orphan_images_and_leftover_temp_files(store):
    record_run(store)
    orphan = store.images.put_image(Image.new("RGB", (3, 3), "red"))
    orphan_path = store.images.path_for(orphan.sha256)
    temp = orphan_path.parent / ".tmp-abc.png"
    temp.write_bytes(b"half a png")
    report = check_store(store, repair=True)
    assert orphan_path in report.recent_orphans and orphan_path.exists() and temp.exists()  # too new to judge
    old = time.time() - 3600
    for path in (orphan_path, temp):
        os.utime(path, (old, old))
    report = check_store(store)
    assert report.orphan_images == [orphan_path] and report.temp_files == [temp] and not report.ok
    report = check_store(store, repair=True)
    assert set(report.removed_files) == {orphan_path, temp} and report.ok
    assert not orphan_path.exists() and not temp.exists()
    session = store.list_sessions()[0]
    assert store.load_session(session.id).missing_images == []  # referenced images untouched


def test_an_import_killed_half_way_is_reported_and_removed(tmp_path, store_spec):
    # Big enough to be killed mid-way (PostgreSQL writes an import about half as fast).
    archive = write_big_archive(tmp_path / "big.zip", 20_000 if store_spec.dialect == "sqlite" else 8_000)
    store_spec.open().close()
    proc = subprocess.Popen([sys.executable, "-m", "stagestudio", "sessions", "import", str(archive), *store_spec.cli],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with store_spec.open() as watcher:
            deadline = time.monotonic() + 60
            while not any(s.status == "importing" for s in watcher.list_sessions()):
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    store = store_spec.open()
    deadline = time.monotonic() + 10  # PostgreSQL: the killed importer's locks go with its connections
    while store.list_sessions()[0].status == "importing" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [s.status for s in store.list_sessions()] == ["import-failed"]
    report = check_store(store)
    assert report.failed_imports == ["bigimport"] and not report.ok
    assert check_store(store, repair=True).removed_imports == ["bigimport"]
    assert store.list_sessions() == [] and check_store(store).ok
    assert import_session(store, archive).session_id == "bigimport"  # and it imports cleanly now
    store.close()


def test_stale_export_folders_are_cleaned_but_live_ones_kept(tmp_path):
    live = create_export_dir(tmp_path)
    (live.path / "s.zip").write_bytes(b"zip")
    dead = create_export_dir(tmp_path)
    os.close(dead._lock_fd)  # its studio died: the kernel dropped the lock
    dead._lock_fd = None
    legacy_old = tmp_path / "stagestudio-export-legacy1"
    legacy_new = tmp_path / "stagestudio-export-legacy2"
    unrelated = tmp_path / "other-folder"
    for folder in (legacy_old, legacy_new, unrelated):
        folder.mkdir()
    os.utime(legacy_old, (time.time() - 3 * 86400,) * 2)
    removed = cleanup_stale_exports(tmp_path)
    assert set(removed) == {dead.path, legacy_old}
    assert live.path.is_dir() and legacy_new.is_dir() and unrelated.is_dir()
    live.close()
    assert not live.path.exists()
