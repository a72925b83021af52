"""What only a PostgreSQL store has: a URL for --db and a shared image folder, advisory
writer locks that survive a dropped connection (or give way to a takeover), the commit
policy as `synchronous_commit`, schema creation by two processes at once, read-only
users, amcheck and REINDEX, and one-line errors for a server that cannot be used. The
behaviour both databases share is tested on both in test_store*.py (`store_spec`)."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy import event as sa_event
from store_backends import pg_spec, postgres_server  # noqa: F401 - a fixture and a helper
from store_support import StoreTestBackend
from test_cli_errors import PROMPT, fails_cleanly
from test_store_reliability import record_run

from stagestudio.backends import registry
from stagestudio.cli import main
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.store import (
    SessionBusyError,
    SessionRecorder,
    StoreError,
    StoreReadOnlyError,
    open_store,
    resolve_db_path,
    resume_session,
)
from stagestudio.store import migrations
from stagestudio.store.advisory_locks import _lock_columns, session_key
from stagestudio.store.maintenance import check_store


@pytest.fixture(autouse=True)
def store_test_backend(monkeypatch):
    monkeypatch.setitem(registry.BACKENDS, "store-test", "store_support:StoreTestBackend")


def schema_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["options"][0].split("=", 1)[1]


def lock_holders(store, session_id: str) -> list[int]:
    """Server process ids of the connections holding the session's writer lock."""
    columns = _lock_columns(session_key(store.db, session_id))
    sql = text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = :classid AND objid = :objid")
    return store.db.read(lambda db: list(db.execute(sql, columns).scalars()))


def drop_connections(store, pids: list[int]) -> None:
    """What a server restart or a network cut does to those connections.

    The timeout makes the server wait until each backend has exited (and so released its advisory
    locks); without it the call only signals, and a lock taken right after may still find it held.
    """
    store.db.write(lambda db: [db.execute(text("SELECT pg_terminate_backend(:p, 10000)"), {"p": p}) for p in pids])


# --- naming the store -------------------------------------------------------------------
def test_a_url_is_passed_through_and_the_images_folder_comes_from_the_environment(pg_spec, monkeypatch):
    monkeypatch.setenv("STAGESTUDIO_DB", pg_spec.db)
    monkeypatch.setenv("STAGESTUDIO_DB_IMAGES", pg_spec.images)
    assert resolve_db_path() == pg_spec.db  # unchanged, not mangled into a path
    password = urlsplit(pg_spec.db).password
    with open_store() as store:
        assert store.dialect == "postgresql" and store.path is None
        assert ":***@" in store.location and password not in store.location
        # One subfolder per database, as SQLite stores are namespaced per file.
        assert store.images.root == Path(pg_spec.images) / "stores"
        sid = record_run(store)[0].session_id
        assert all(store.images.exists(a.image_sha256) for s in store.load_session(sid).steps for a in s.attempts)


def test_run_and_sessions_take_a_url_and_never_print_its_password(pg_spec, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", PROMPT, "--backend", "store-test", "--out", str(out), *pg_spec.cli, "--quiet"]) == 0
    printed = capsys.readouterr().out
    password = urlsplit(pg_spec.db).password
    assert "stored session" in printed and ":***@" in printed and password not in printed
    assert main(["sessions", "list", *pg_spec.cli, "--json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and rows[0]["status"] == "completed"
    assert main(["sessions", "check", *pg_spec.cli]) == 0


def test_a_server_that_cannot_be_used_is_one_clear_line(tmp_path, capsys):
    server = postgres_server()
    images = tmp_path / "images"
    images.mkdir()
    shared = ["--db-images", str(images)]
    wrong = server.url("postgres", password="not-the-password")
    line = fails_cleanly(capsys, ["sessions", "list", "--db", wrong, *shared], "refused user stagestudio")
    assert "password authentication failed" in line and "not-the-password" not in line
    fails_cleanly(capsys, ["run", PROMPT, "--out", str(tmp_path / "o"), "--db", wrong, *shared], "refused user")
    missing = server.url("no_such_database")
    line = fails_cleanly(capsys, ["sessions", "list", "--db", missing, *shared], "database no_such_database does not exist")
    assert server.password not in line
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"postgresql+psycopg://u:secret@127.0.0.1:{s.getsockname()[1]}/x"
        fails_cleanly(capsys, ["sessions", "list", "--db", closed, *shared], "connection refused")
    fails_cleanly(capsys, ["sessions", "list", "--db", server.url("postgres")], "give --db-images DIR")
    fails_cleanly(capsys, ["sessions", "list", "--db", server.url("postgres"), "--db-images", str(tmp_path / "nope")],
                  "does not exist; create it")
    fails_cleanly(capsys, ["sessions", "list", "--db", "mysql://u:pw@host/db"], "only SQLite files and PostgreSQL URLs")
    fails_cleanly(capsys, ["run", PROMPT, "--out", str(tmp_path / "o"), "--db", str(tmp_path / "a.db"), *shared],
                  "--db-images is for a PostgreSQL store")
    assert not (tmp_path / "a.db").exists()


# --- durability and waiting ---------------------------------------------------------------
def test_stages_commit_without_waiting_for_the_disk_and_step_ends_with(pg_spec):
    """The SQLite policy in PostgreSQL's terms: the commits a resume needs keep the
    server's synchronous_commit (on); the stages between them set it off for their own
    transaction only (SET LOCAL, written as set_config(..., true))."""
    store = pg_spec.open()
    statements: list[tuple[str, object]] = []

    @sa_event.listens_for(store.db.engine, "before_cursor_execute")
    def _trace(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    record_run(store, objects=2)
    relaxed, synced, relaxing = [], [], False
    for statement, parameters in statements:
        if "set_config('lock_timeout'" in statement:  # the first statement of a write transaction
            relaxing = "set_config('synchronous_commit', 'off', true)" in statement
        elif statement.startswith("INSERT INTO events"):
            rows = parameters if isinstance(parameters, list) else [parameters]
            (relaxed if relaxing else synced).extend(r["type"] for r in rows)
    assert synced == ["session_started", "step_completed", "step_completed", "session_done"]
    assert sorted(set(relaxed)) == ["final_verdict", "refinement_planned", "sketch_ready", "step_planned", "verdict_ready"]
    with store.db.engine.connect() as conn:
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"  # SET LOCAL did not leak
    store.close()


# --- the writer lock on a connection ------------------------------------------------------
def test_an_advisory_writer_lock_marks_a_live_writer_and_vanishes_after(pg_spec):
    store, other = pg_spec.open(), pg_spec.open()
    lock = store.writers.lock("abc123").acquire()
    assert other.writer_alive("abc123") and not other.writer_alive("other")
    with pytest.raises(SessionBusyError):
        store.writers.lock("abc123").acquire()  # a second writer, even in this process
    lock.release()
    assert not other.writer_alive("abc123") and lock_holders(store, "abc123") == []
    with other.writers.lock("abc123"):
        assert store.writer_alive("abc123")
    with pytest.raises(ValueError):
        store.writers.lock("../escape")
    # Another store in the same database (another schema) has sessions of its own.
    neighbour = open_store(postgres_server().new_schema_url(), images=pg_spec.images)
    with neighbour.writers.lock("abc123"):
        assert neighbour.writer_alive("abc123") and not store.writer_alive("abc123")
    for s in (store, other, neighbour):
        s.close()


def test_a_dropped_lock_connection_is_taken_again_and_the_run_goes_on(pg_spec):
    store = pg_spec.open()
    warnings: list[str] = []
    seen = []
    stream = SessionRecorder(store, on_warning=warnings.append).record(
        LoopEngine(StoreTestBackend(objects=3)).run("a scene", config=RunConfig(seed=3, max_steps=3))
    )
    for event in stream:
        seen.append(event)
        sid = seen[0].session_id
        if event.type == "step_planned" and event.step.index == 1:
            holders = lock_holders(store, sid)
            assert len(holders) == 1
            drop_connections(store, holders)
            # Meanwhile the session reads as interrupted, and another studio opening the
            # store marks it so in the table.
            assert store.list_sessions()[0].status == "interrupted"
            pg_spec.open().close()
        if event.type == "step_completed" and event.step_index == 1:
            assert store.list_sessions()[0].status == "running"  # the lock is held again
            assert len(lock_holders(store, sid)) == 1
    assert any("lock was taken again" in w for w in warnings)
    record = store.load_session(sid)
    assert record.status == "completed" and record.step_count == 3
    assert [d["seq"] for d in store.event_payloads(sid)] == [e.seq for e in seen]
    assert lock_holders(store, sid) == []  # released at the end
    store.close()


def test_a_writer_whose_session_was_taken_over_stops_without_touching_it(pg_spec):
    store = pg_spec.open()
    stream = SessionRecorder(store).record(
        LoopEngine(StoreTestBackend(objects=3)).run("a scene", config=RunConfig(seed=5, max_steps=3))
    )
    seen = []
    thief = pg_spec.open()
    with pytest.raises(StoreError, match="lost its writer lock .* another process is writing it now"):
        for event in stream:
            seen.append(event)
            if event.type == "step_planned" and event.step.index == 1:
                drop_connections(store, lock_holders(store, event.session_id))
                taken = thief.writers.lock(event.session_id).acquire()  # another machine resumes it
    sid = seen[0].session_id
    # The old writer stopped before its step end and did not mark the session interrupted.
    assert store.list_sessions()[0].status == "running" and store.writer_alive(sid)
    taken.release()
    assert store.list_sessions()[0].status == "interrupted"
    list(resume_session(thief, sid, backend=StoreTestBackend(objects=3)))
    assert thief.load_session(sid).status == "completed"
    thief.close()
    store.close()


# --- schema, permissions, checks ----------------------------------------------------------
def test_a_new_database_gets_the_schema_once_even_from_two_processes_at_once(tmp_path):
    server = postgres_server()
    url = server.new_database_url()
    opened, failed = [], []

    def open_one() -> None:
        try:
            opened.append(open_store(url, images=tmp_path))
        except Exception as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failed == [] and len(opened) == 3
    store = opened[0]
    with store.db.engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.head_revision()
        types = dict(conn.execute(text(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name IN ('seed', 'id', 'sketch_seed')"
        )).all())
    assert types["sessions.seed"] == types["steps.seed"] == types["attempts.sketch_seed"] == "bigint"
    assert types["steps.id"] == types["attempts.id"] == "bigint"
    events = record_run(store, seed=2**63 - 1)  # the largest seed a session may have
    assert store.load_session(events[0].session_id).seed == 2**63 - 1
    for s in opened:
        s.close()


def test_an_older_schema_is_upgraded_revision_by_revision(pg_spec):
    from sqlalchemy import create_engine

    engine = create_engine(pg_spec.db)
    with engine.begin() as conn:
        migrations.upgrade(conn, "0001")
        conn.execute(text(
            "INSERT INTO sessions (id, prompt, backend, settings, seed, max_refines, max_steps, status, created_at, "
            "updated_at, graph_planned, step_count, last_seq) VALUES ('old1', 'an old prompt', 'sketchbook', '{}', 1, 2, 8, "
            "'completed', 1.0, 2.0, '{\"objects\": [], \"relations\": []}', 0, -1)"
        ))
    engine.dispose()
    with pg_spec.open() as store:
        with store.db.engine.connect() as conn:
            assert migrations.current_revision(conn) == migrations.head_revision()
        record = store.load_session("old1")
        assert record.prompt == "an old prompt" and record.writer_pid is None


def test_a_user_who_may_only_read_lists_but_never_writes(pg_spec, tmp_path, capsys):
    server = postgres_server()
    with pg_spec.open() as store:
        sid = record_run(store)[0].session_id
    schema = schema_of(pg_spec.db)
    role = f"reader_{schema}"
    server.execute("stores", f"CREATE ROLE {role} LOGIN PASSWORD 'reads'", f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
                   f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}')
    url = server.url("stores", user=role, password="reads", schema=schema)
    with open_store(url, images=pg_spec.images) as reader:
        assert reader.read_only
        assert [s.id for s in reader.list_sessions()] == [sid]
        assert reader.load_session(sid).status == "completed"
        with pytest.raises(StoreReadOnlyError, match="read-only"):
            reader.ensure_writable()
    fails_cleanly(capsys, ["run", PROMPT, "--out", str(tmp_path / "o"), "--db", url, "--db-images", pg_spec.images],
                  "is read-only")


def test_check_runs_amcheck_on_every_index_and_repair_rebuilds_them(pg_spec):
    store = pg_spec.open()
    record_run(store)
    statements: list[tuple[str, object]] = []

    @sa_event.listens_for(store.db.engine, "before_cursor_execute")
    def _trace(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    assert store.integrity_check() == []
    checked = {p["index"] for s, p in statements if "bt_index_check" in s}
    assert {"sessions_pkey", "ix_sessions_created_at", "ix_steps_session_index", "ix_attempts_image", "events_pkey"} <= checked
    # A damaged index (which cannot be made on purpose here) is rebuilt by --repair.
    real = store.db.integrity_check
    reports = iter([["index ix_sessions_status: damaged"]])
    store.db.integrity_check = lambda: next(reports, None) or real()
    statements.clear()
    report = check_store(store, repair=True)
    assert report.reindexed and report.integrity == [] and report.ok
    reindexed = [s for s, _ in statements if s.startswith("REINDEX TABLE")]
    assert len(reindexed) == 6
    assert len(store.list_sessions()) == 1
    store.close()
