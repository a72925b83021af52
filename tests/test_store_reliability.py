"""The store never loses work: kill -9 mid-run, resume, concurrent writers (on SQLite and
on PostgreSQL), locked, corrupt and read-only databases, a missing images folder,
hostile archives."""

from __future__ import annotations

import io
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
from store_backends import store_spec  # noqa: F401 - a fixture
from store_support import StoreTestBackend

from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.store import (
    ArchiveError,
    SessionBusyError,
    SessionRecorder,
    StoreCorruptError,
    StoreLockedError,
    StoreReadOnlyError,
    export_session,
    import_session,
    open_store,
    rerun_session,
    resume_session,
)

SUPPORT = Path(__file__).resolve().parent / "store_support.py"


def record_run(store, objects=3, seed=1, prompt="a scene"):
    events = LoopEngine(StoreTestBackend(objects=objects)).run(prompt, config=RunConfig(seed=seed, max_steps=objects))
    return list(SessionRecorder(store).record(events))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (database, WAL, images) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_kill_9_mid_run_then_resume(store_spec):
    # On PostgreSQL the dead writer is seen from its advisory lock, which the server
    # drops when the killed process's connection closes (a file lock on SQLite).
    proc = subprocess.Popen(
        [sys.executable, str(SUPPORT), *store_spec.cli, "killme", "--delay", "0.2", "--objects", "6", "--seed", "7"],
        stdout=subprocess.PIPE,
        text=True,
    )
    completed = 0
    try:
        for line in proc.stdout:  # printed only after the event is committed
            if line.split()[1] == "step_completed":
                completed += 1
                if completed == 3:
                    break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert completed == 3 and proc.returncode == -signal.SIGKILL

    store = store_spec.open()
    assert store.integrity_check() == []
    record = store.load_session("killme")
    deadline = time.monotonic() + 10  # the server notices the closed connection at once, in practice
    while record.status == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        record = store.load_session("killme")
    assert record.status == "interrupted"
    done = record.completed_steps
    assert len(done) >= 3 and record.missing_images == []
    for step in done:
        assert store.load_image(step.canvas_sha256).size == (16, 16)
        assert all(store.images.exists(a.image_sha256) for a in step.attempts)

    events = list(resume_session(store, "killme", backend=StoreTestBackend(objects=6)))
    assert events[0].seq == record.last_seq + 1 and events[-1].type == "session_done"
    finished = store.load_session("killme")
    assert finished.status == "completed" and finished.step_count == 6
    assert [s.index for s in finished.steps] == list(range(6))
    seqs = [d["seq"] for d in store.event_payloads("killme")]
    assert seqs == list(range(len(seqs)))
    # The resumed session is exactly what an uninterrupted run would have produced.
    assert rerun_session(store, "killme", backend=StoreTestBackend(objects=6)).identical
    store.close()


def test_abandoned_stream_is_interrupted_and_resumable(store_spec):
    store = store_spec.open()
    engine = LoopEngine(StoreTestBackend(objects=3))
    stream = SessionRecorder(store).record(engine.run("three things", config=RunConfig(seed=2, max_steps=3)))
    seen = []
    for event in stream:
        seen.append(event)
        if event.type == "sketch_ready" and event.step_index == 1:
            # While the writer is alive the session is running and nobody else may write it.
            assert store.list_sessions()[0].status == "running"
            other = store_spec.open()
            assert other.list_sessions()[0].status == "running"
            with pytest.raises(SessionBusyError):
                list(resume_session(other, event.session_id, backend=StoreTestBackend(objects=3)))
            other.close()
            break
    stream.close()
    sid = seen[0].session_id
    assert store.load_session(sid).status == "interrupted"
    list(resume_session(store, sid, backend=StoreTestBackend(objects=3)))
    record = store.load_session(sid)
    assert record.status == "completed" and len(record.abandoned_steps) == 1
    assert record.abandoned_steps[0].index == 1 and record.steps[1].status == "passed"
    assert rerun_session(store, sid, backend=StoreTestBackend(objects=3)).identical
    store.close()


@pytest.mark.slow  # two interpreter start-ups
def test_two_processes_write_at_the_same_time(store_spec):
    """Two recorder processes (what two studios run) and this one, on one database."""
    store_spec.open().close()
    procs = [
        subprocess.Popen(
            [sys.executable, str(SUPPORT), *store_spec.cli, f"proc{i}", "--delay", "0.002", "--objects", "6", "--seed", str(i)],
            stdout=subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    store = store_spec.open()
    mine = record_run(store, objects=6, seed=5)  # and this process writes too
    for p in procs:
        assert p.wait(timeout=60) == 0
    assert store.integrity_check() == []
    sessions = {s.id: s for s in store.list_sessions()}
    assert set(sessions) == {"proc0", "proc1", mine[0].session_id}
    for sid in sessions:
        record = store.load_session(sid)
        assert record.status == "completed" and record.step_count == 6 and record.missing_images == []
        seqs = [d["seq"] for d in store.event_payloads(sid)]
        assert seqs == list(range(len(seqs)))
    store.close()


def test_locked_database_is_retried_then_fails_clearly(tmp_path):
    db = tmp_path / "studio.db"
    store = open_store(db, lock_timeout_s=0.3, busy_timeout_ms=50)
    blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock for good
    warnings: list[str] = []
    recorder = SessionRecorder(store, on_warning=warnings.append, final_wait_s=0.6)
    events = LoopEngine(StoreTestBackend(objects=2)).run("a scene", config=RunConfig(seed=1, max_steps=2))
    seen = []
    started = time.monotonic()
    with pytest.raises(StoreLockedError, match="stayed locked for 1s; the last 1[0-9] event"):
        for event in recorder.record(events):
            seen.append(event)
    # The run itself went on (kept in memory, with a warning), and waited before giving up.
    assert seen[-1].type == "final_verdict" and "is busy" in warnings[0]
    assert time.monotonic() - started >= 0.6
    assert not store.writer_alive(seen[0].session_id)  # the writer lock is released
    blocker.execute("ROLLBACK")
    assert store.list_sessions() == []  # nothing half-written

    # A lock released while we back off is simply waited out.
    patient = open_store(db, lock_timeout_s=10, busy_timeout_ms=50)
    blocker.execute("BEGIN IMMEDIATE")
    threading.Timer(0.4, lambda: blocker.execute("ROLLBACK")).start()
    events = record_run(patient)
    assert patient.load_session(events[0].session_id).status == "completed"
    blocker.close()
    store.close()
    patient.close()


def test_not_a_database_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "studio.db"
    db.write_bytes(b"these are my holiday notes, not a database\n" * 50)
    before = snapshot(tmp_path)
    with pytest.raises(StoreCorruptError, match="not a SQLite database"):
        open_store(db)
    assert snapshot(tmp_path) == before


def test_damaged_database_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "studio.db"
    store = open_store(db)
    record_run(store)
    store.close()
    data = bytearray(db.read_bytes())
    data[100:4096] = bytes(range(256)) * 15 + bytes(range(156))  # wreck the schema page
    db.write_bytes(bytes(data))
    before = snapshot(tmp_path)
    with pytest.raises(StoreCorruptError, match="damaged"):
        open_store(db)
    assert snapshot(tmp_path) == before


def test_database_failing_integrity_check_gets_no_new_session(tmp_path):
    db = tmp_path / "studio.db"
    store = open_store(db)
    sid = record_run(store)[0].session_id
    store.close()
    data = bytearray(db.read_bytes())
    data[-4096:] = b"\xff" * 4096  # wreck the last (data) page; the schema still reads
    db.write_bytes(bytes(data))
    store = open_store(db)
    assert store.integrity_check() != []
    with pytest.raises(StoreCorruptError, match="fails SQLite's integrity check"):
        record_run(store)
    store.close()
    assert db.read_bytes() == bytes(data)
    assert sid  # the damaged session was never touched


def test_read_only_database_reads_but_never_writes(tmp_path):
    db = tmp_path / "studio.db"
    store = open_store(db)
    sid = record_run(store)[0].session_id
    export_session(store, sid, tmp_path / "s.zip")
    store.close()
    db.chmod(0o444)
    try:
        before = snapshot(tmp_path)
        ro = open_store(db)
        assert ro.read_only
        assert [s.id for s in ro.list_sessions()] == [sid]
        assert len(list(ro.replay(sid))) == len(ro.event_payloads(sid))
        with pytest.raises(StoreReadOnlyError, match="read-only"):
            record_run(ro)
        with pytest.raises(StoreReadOnlyError):
            ro.delete_session(sid)
        with pytest.raises(StoreReadOnlyError):
            import_session(ro, tmp_path / "s.zip", new_id=True)
        ro.close()
        assert snapshot(tmp_path) == before
    finally:
        db.chmod(0o644)


def test_missing_images_folder_is_recreated_and_reported(tmp_path):
    import shutil

    db = tmp_path / "studio.db"
    store = open_store(db)
    sid = record_run(store)[0].session_id
    root = store.images.root
    store.close()
    shutil.rmtree(root)
    store = open_store(db)
    assert root.is_dir()
    record = store.load_session(sid)
    assert record.status == "completed" and len(record.missing_images) == 4
    assert all(a.image_missing for s in record.steps for a in s.attempts)
    assert [e for e in store.replay(sid) if e.type == "sketch_ready"][0].image is None
    with pytest.raises(Exception, match="missing"):
        export_session(store, sid, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()
    store.close()


@pytest.fixture
def target(tmp_path):
    """A store with one session in it, and a snapshot to prove bad imports change nothing."""
    store = open_store(tmp_path / "target" / "studio.db")
    record_run(store, seed=3)
    yield store
    store.close()


@pytest.fixture(scope="module")
def good_archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("source")
    source = open_store(folder / "studio.db")
    sid = record_run(source, seed=11)[0].session_id
    path = export_session(source, sid, folder / "good.zip")
    source.close()
    return path


def _rewrite(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        members = {name: zin.read(name) for name in zin.namelist()}
        for name, data in edit(members).items():
            zout.writestr(name, data)
    return dst


def _png(color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(buf, format="PNG")
    return buf.getvalue()


def _some_image(members):
    return next(n for n in members if n.startswith("images/"))


BAD_ARCHIVES = {
    "truncated": None,  # built in the test
    "dotdot": lambda m: {**m, "../evil.png": _png("red")},
    "absolute": lambda m: {**m, "/tmp/evil.png": _png("red")},
    "non_image": lambda m: {**m, _some_image(m): b"#!/bin/sh\necho not an image\n"},
    "hash_mismatch": lambda m: {**m, _some_image(m): _png("blue")},
    "missing_image": lambda m: {k: v for k, v in m.items() if k != _some_image(m)},
    "stray_member": lambda m: {**m, "notes.txt": b"hello"},
    "bad_json": lambda m: {**m, "session.json": b"{not json"},
    "zip_bomb": lambda m: {**m, _some_image(m): b"\x89PNG\r\n\x1a\n" + bytes(8 * 1024 * 1024)},
}


@pytest.mark.parametrize("kind", list(BAD_ARCHIVES))
def test_bad_archives_are_refused_and_change_nothing(tmp_path, target, good_archive, kind):
    good = good_archive
    bad = tmp_path / f"{kind}.zip"
    if kind == "truncated":
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) * 2 // 3])
    else:
        if kind == "zip_bomb":
            with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
                members = {name: zin.read(name) for name in zin.namelist()}
                for name, data in BAD_ARCHIVES[kind](members).items():
                    zout.writestr(name, data)
        else:
            _rewrite(good, bad, BAD_ARCHIVES[kind])
    before = snapshot(target.root)
    sessions = [s.id for s in target.list_sessions()]
    with pytest.raises(ArchiveError) as err:
        import_session(target, bad)
    assert str(err.value)  # a message a person can act on
    assert [s.id for s in target.list_sessions()] == sessions
    after = snapshot(target.root)
    assert {k for k in after if "images" in k} == {k for k in before if "images" in k}
    assert not (tmp_path / "evil.png").exists() and not Path("/tmp/evil.png").exists()
    # ...and the good archive still imports afterwards.
    assert import_session(target, good).session_id in [s.id for s in target.list_sessions()]


def test_two_threads_share_one_store(store_spec):
    """Two browser tabs: two sessions recorded at once through one store object."""
    store = store_spec.open()
    results, errors = {}, []

    def work(seed: int) -> None:
        try:
            results[seed] = record_run(store, objects=5, seed=seed)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    for events in results.values():
        record = store.load_session(events[0].session_id)
        assert record.status == "completed" and record.step_count == 5
        assert store.event_payloads(record.id) == [e.to_json_dict() for e in events]
    store.close()


def test_writer_lock_marks_a_live_writer_and_vanishes_after(tmp_path):
    from stagestudio.store.locks import WriterLock, writer_alive

    lock = WriterLock(tmp_path, "abc123").acquire()
    assert writer_alive(tmp_path, "abc123") and not writer_alive(tmp_path, "other")
    with pytest.raises(SessionBusyError):
        WriterLock(tmp_path, "abc123").acquire()  # a second writer, even in this process
    lock.release()
    assert not writer_alive(tmp_path, "abc123") and not (tmp_path / "abc123.lock").exists()
    with WriterLock(tmp_path, "abc123"):
        assert writer_alive(tmp_path, "abc123")
    with pytest.raises(ValueError):
        WriterLock(tmp_path, "../escape")


def test_an_image_over_the_size_limit_is_refused(tmp_path, target, good_archive, monkeypatch):
    from stagestudio.store import archive

    # Shrink the limit instead of writing 64 MiB: the same read path and check.
    monkeypatch.setattr(archive, "MAX_IMAGE_BYTES", 64)
    before = snapshot(target.root)
    with pytest.raises(ArchiveError, match="larger than"):
        import_session(target, good_archive)
    assert {k for k in snapshot(target.root) if "images" in k} == {k for k in before if "images" in k}
