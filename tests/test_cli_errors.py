"""Issue 12, the command line's side: every case that used to print a raw traceback now
exits non-zero with one 'error: ...' line; seeds of any size; control characters from
user data escaped on output; a download command that exists."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from store_support import StoreTestBackend

from stagestudio.backends import registry
from stagestudio.cli import main
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.loop.seeds import MAX_SESSION_SEED, resolve_seed
from stagestudio.store import SessionRecorder, export_session, open_store
from stagestudio.store import db as store_db
from stagestudio.store.sqlite_db import SqliteDatabase

PROMPT = "a bear hovering above a silver spoon"
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(autouse=True)
def store_test_backend(monkeypatch):
    monkeypatch.setitem(registry.BACKENDS, "store-test", "store_support:StoreTestBackend")


def record(db: Path, prompt: str = "a scene", seed: int = 1) -> str:
    with open_store(db) as store:
        events = LoopEngine(StoreTestBackend(objects=2)).run(prompt, config=RunConfig(seed=seed, max_steps=2))
        return list(SessionRecorder(store).record(events))[0].session_id


def fails_cleanly(capsys, argv: list[str], message: str) -> str:
    """Run the CLI in-process: a non-zero exit and one 'error: ...' line on stderr (after
    any warnings), the expected message and no sign of an unforeseen exception."""
    rc = main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert rc != 0, err
    assert lines and lines[-1].startswith("error: "), err
    assert all(line.startswith(("warning: ", "note: ")) for line in lines[:-1]), err
    assert message in lines[-1] and "Traceback" not in err and not lines[-1].startswith("error: unexpected"), err
    return lines[-1]


def _wreck_last_page(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    data[-4096:] = b"\xff" * 4096
    db.write_bytes(bytes(data))


# --- `run --db` on a database it cannot use ----------------------------------------------
def _read_only(tmp_path):
    db = tmp_path / "studio.db"
    open_store(db).close()
    db.chmod(0o444)
    return db


def _garbage(tmp_path):
    db = tmp_path / "studio.db"
    db.write_text("my shopping list\n" * 100)
    return db


def _future_schema(tmp_path):
    db = tmp_path / "studio.db"
    open_store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.commit()
    conn.close()
    return db


def _corrupted(tmp_path):
    db = tmp_path / "studio.db"
    record(db)
    _wreck_last_page(db)
    return db


def _folder(tmp_path):
    return tmp_path


def _pseudo_filesystem(tmp_path):
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    return Path("/proc/stagestudio-test.db")


UNUSABLE_DATABASES = {
    "read_only": (_read_only, "is read-only"),
    "garbage": (_garbage, "is not a SQLite database"),
    "future_schema": (_future_schema, "newer than the newest this StageStudio supports"),
    "corrupted": (_corrupted, "fails SQLite's integrity check"),
    "folder": (_folder, "is a folder, not a SQLite database file"),
    "pseudo_filesystem": (_pseudo_filesystem, "cannot open database /proc/stagestudio-test.db"),
}


@pytest.mark.parametrize("kind", list(UNUSABLE_DATABASES))
def test_run_with_an_unusable_database_is_one_clear_line(tmp_path, capsys, kind):
    make, message = UNUSABLE_DATABASES[kind]
    db = make(tmp_path)
    before = db.read_bytes() if db.is_file() else None
    try:
        fails_cleanly(capsys, ["run", PROMPT, "--out", str(tmp_path / "out"), "--db", str(db)], message)
    finally:
        if db.is_file():
            db.chmod(0o644)
    if before is not None:
        assert db.read_bytes() == before  # left untouched


def test_run_with_a_database_locked_for_good_says_so_and_keeps_the_trajectory(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(store_db, "DEFAULT_LOCK_TIMEOUT_S", 0.2)
    db = tmp_path / "studio.db"
    open_store(db).close()
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        line = fails_cleanly(capsys, ["run", PROMPT, "--out", str(tmp_path / "out"), "--db", str(db), "--quiet"],
                             "stayed locked")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "trajectory.json" in line
    trajectory = json.loads((tmp_path / "out" / "trajectory.json").read_text())
    assert trajectory["events"][-1]["type"] == "final_verdict"  # the run itself finished


# --- a full disk, for every command --------------------------------------------------------
def fill_the_disk(monkeypatch) -> None:
    """Every store opened from now on fails its writes as SQLite does on a full disk
    (no small tmpfs can be mounted here without root)."""
    create = SqliteDatabase._create_engine

    def create_full(self):
        engine = create(self)

        @sa_event.listens_for(engine, "before_cursor_execute")
        def _full(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REINDEX")):
                raise sqlite3.OperationalError("database or disk is full")

        return engine

    monkeypatch.setattr(SqliteDatabase, "_create_engine", create_full)


def test_a_full_disk_is_one_clear_line_for_every_command(tmp_path, capsys, monkeypatch):
    db = tmp_path / "studio.db"
    sid = record(db)
    with open_store(db) as store:
        archive = export_session(store, sid, tmp_path / "s.zip")
    conn = sqlite3.connect(db)  # as a killed writer leaves it: opening the store tries to fix that
    conn.execute("UPDATE sessions SET status = 'running'")
    conn.commit()
    conn.close()
    fill_the_disk(monkeypatch)
    assert main(["sessions", "list", "--db", str(db)]) == 0  # reading needs no space
    assert sid in capsys.readouterr().out
    assert main(["sessions", "show", sid, "--db", str(db)]) == 0
    capsys.readouterr()
    fails_cleanly(capsys, ["run", PROMPT, "--out", str(tmp_path / "out"), "--db", str(db), "--quiet"], "the disk is full")
    fails_cleanly(capsys, ["sessions", "delete", sid, "--db", str(db)], "the disk is full")
    images_before = sorted(p.name for p in tmp_path.rglob("*.png"))
    fails_cleanly(capsys, ["sessions", "import", str(archive), "--new-id", "--db", str(db)], "the disk is full")
    assert sorted(p.name for p in tmp_path.rglob("*.png")) == images_before
    monkeypatch.undo()
    with open_store(db) as store:
        assert [s.id for s in store.list_sessions()] == [sid]


# --- bad seeds, and seeds of any size ------------------------------------------------------
def test_a_seed_too_large_for_64_bits_is_hashed_stored_and_noted(tmp_path, capsys):
    db, out = tmp_path / "studio.db", tmp_path / "out"
    assert main(["run", PROMPT, "--seed", "9223372036854775808", "--out", str(out), "--db", str(db), "--quiet"]) == 0
    err = capsys.readouterr().err
    expected = resolve_seed(2**63).seed
    assert f"hashed to seed {expected}" in err
    trajectory = json.loads((out / "trajectory.json").read_text())
    assert trajectory["seed"] == expected and "hashed" in trajectory["notes"][0]
    with open_store(db) as store:
        assert store.list_sessions()[0].status == "completed"
        assert store.load_session(store.list_sessions()[0].id).seed == expected


def test_seed_minus_one_draws_and_records_a_seed(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", PROMPT, "--seed", "-1", "--out", str(out), "--quiet"]) == 0
    drawn = int(re.search(r"drew seed (\d+)", capsys.readouterr().err).group(1))
    assert json.loads((out / "trajectory.json").read_text())["seed"] == drawn


def test_a_seed_that_is_not_a_number_is_one_clear_line(tmp_path, capsys):
    fails_cleanly(capsys, ["run", PROMPT, "--seed", "banana", "--out", str(tmp_path / "o")], "the seed must be an integer")


@pytest.mark.parametrize(
    "value, seed",
    [(0, 0), (7, 7), ("12", 12), (" 3 ", 3), (None, 0), ("", 0), (5.0, 5), (MAX_SESSION_SEED, MAX_SESSION_SEED)],
)
def test_resolve_seed_keeps_ordinary_seeds(value, seed):
    resolved = resolve_seed(value)
    assert resolved.seed == seed and resolved.note is None


def test_resolve_seed_reduces_everything_else_deterministically():
    for value in (2**63, -2, 10**400, -(2**80), 1e30):
        a, b = resolve_seed(value), resolve_seed(value)
        assert a.seed == b.seed and 0 <= a.seed <= MAX_SESSION_SEED and "hashed" in a.note
    assert resolve_seed(2**63).seed != 0  # not a modulo: big seeds do not land on small ones
    assert resolve_seed(-1).note.startswith("seed -1 means random")
    assert 0 <= resolve_seed(-1).seed < 2**31
    for bad in ("abc", "1.5", 2.5, float("nan"), float("inf"), True, "9" * 5000):
        with pytest.raises(ValueError, match="seed"):
            resolve_seed(bad)


# --- session commands on folders, files in the way and damaged databases -------------------
def test_sessions_commands_on_paths_they_cannot_use(tmp_path, capsys):
    db = tmp_path / "studio.db"
    sid = record(db)
    blocker = tmp_path / "file.txt"
    blocker.write_text("in the way")
    fails_cleanly(capsys, ["sessions", "export", sid, str(tmp_path), "--db", str(db)], "is a folder; name the archive file")
    fails_cleanly(capsys, ["sessions", "export", sid, str(blocker / "s.zip"), "--db", str(db)], "cannot write")
    fails_cleanly(capsys, ["sessions", "replay", sid, "--images", str(blocker), "--db", str(db)], "is a file, not a folder")
    fails_cleanly(capsys, ["sessions", "replay", sid, "--images", str(blocker / "frames"), "--db", str(db)],
                  "cannot write to folder for the images")
    fails_cleanly(capsys, ["sessions", "import", str(tmp_path), "--db", str(tmp_path / "new.db")],
                  "is a folder, not a session archive")
    assert not (tmp_path / "new.db").exists()
    assert blocker.read_text() == "in the way"


def test_sessions_commands_on_a_corrupted_database(tmp_path, capsys):
    db = tmp_path / "studio.db"
    sid = record(db)
    record(db, seed=2)
    _wreck_last_page(db)
    before = db.read_bytes()
    fails_cleanly(capsys, ["sessions", "delete", sid, "--db", str(db)], "fails SQLite's integrity check")
    assert db.read_bytes() == before  # nothing is written into a damaged file
    assert main(["sessions", "check", "--db", str(db)]) == 1
    assert "integrity:" in capsys.readouterr().out


# --- item 7: a damaged index is said, by show and by list ----------------------------------
def test_show_and_list_say_when_an_index_is_damaged(tmp_path, capsys):
    from test_store_hardening import _empty_index

    db = tmp_path / "studio.db"
    sid = record(db)
    _empty_index(db, "ix_steps_session_index")
    fails_cleanly(capsys, ["sessions", "show", sid, "--db", str(db)], "only 0 of session")
    _empty_index(db, "ix_sessions_created_at")
    assert main(["sessions", "list", "--db", str(db)]) == 1
    captured = capsys.readouterr()
    assert sid in captured.out and "WARNING: index ix_sessions_created_at holds 0 entries" in captured.err
    assert main(["sessions", "check", "--repair", "--db", str(db)]) == 0
    assert "rebuilt every index" in capsys.readouterr().out
    assert main(["sessions", "show", sid, "--db", str(db)]) == 0


# --- item 8: control characters from user data are escaped ---------------------------------
EVIL = "a cat \x1b]0;pwned\x07\x1b[2J\x9b31m\u202eevil\r\nnext"


def test_control_characters_in_stored_text_are_escaped_on_output(tmp_path, capsys):
    db = tmp_path / "studio.db"
    sid = record(db, prompt=EVIL)
    outputs = {}
    for argv in (["sessions", "list"], ["sessions", "show", sid], ["sessions", "replay", sid],
                 ["sessions", "list", "--json"], ["sessions", "show", sid, "--json"], ["sessions", "replay", sid, "--json"]):
        assert main([*argv, "--db", str(db)]) == 0
        outputs[" ".join(argv)] = capsys.readouterr().out
    for name, text in outputs.items():
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", text), name
    assert "a cat \\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202eevil\\r\\nnext" in outputs["sessions show " + sid]
    assert json.loads(outputs["sessions list --json"])[0]["prompt"] == EVIL  # JSON still says it exactly


def test_run_escapes_control_characters_in_the_prompt(tmp_path, capsys):
    assert main(["run", "a bear \x1b[2J above a silver spoon", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "\x1b[2J" not in out and "\\x1b[2J" in out


# --- item 11: the download command exists in the installed huggingface_hub ------------------
def test_doctor_and_readme_print_a_download_command_that_exists(monkeypatch):
    from stagestudio.backends.bagel import loader
    from stagestudio.cli.doctor import weights_lines
    from stagestudio.hub_command import hub_programs

    installed = hub_programs()
    assert installed, "huggingface_hub ships console commands"
    monkeypatch.setattr(loader, "find_in_hf_cache", lambda repo_id: None)
    command = weights_lines(None)[1].split()
    assert command[0] in installed and command[1:3] == ["download", "ByteDance-Seed/BAGEL-7B-MoT"]
    readme = re.search(r"`(\S+) download ByteDance-Seed/BAGEL-7B-MoT", README.read_text())
    assert readme is not None and readme.group(1) in installed


def test_download_command_follows_the_installed_version(monkeypatch):
    from stagestudio import hub_command

    monkeypatch.setattr(hub_command, "hub_programs", lambda: {"huggingface-cli"})
    assert hub_command.download_command("org/repo", "models/x y") == "huggingface-cli download org/repo --local-dir 'models/x y'"
    monkeypatch.setattr(hub_command, "hub_programs", lambda: {"hf", "huggingface-cli"})
    assert hub_command.download_command("org/repo").startswith("hf download org/repo")
    monkeypatch.setattr(hub_command, "hub_programs", set)
    assert hub_command.download_command("org/repo").startswith("pip install 'huggingface_hub>=0.34' && hf download")


def test_export_then_replay_in_the_cli_still_work(tmp_path, capsys):
    db = tmp_path / "studio.db"
    sid = record(db)
    with open_store(db) as store:
        export_session(store, sid, tmp_path / "s.zip")
    assert main(["sessions", "import", str(tmp_path / "s.zip"), "--db", str(tmp_path / "other.db")]) == 0
    assert f"imported {sid}" in capsys.readouterr().out
