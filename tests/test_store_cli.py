"""`python -m stagestudio sessions ...`: every sub-command, in-process, against a store
filled by a scripted backend that the real backend registry can rebuild — a SQLite file
or a PostgreSQL URL (whose image folder comes from $STAGESTUDIO_DB_IMAGES here)."""

from __future__ import annotations

import argparse
import json

import pytest
from store_backends import store_spec  # noqa: F401 - a fixture
from store_support import StoreTestBackend

from stagestudio.backends import registry
from stagestudio.cli import CliError
from stagestudio.cli import sessions as sessions_cli
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.store import SessionRecorder, open_store


@pytest.fixture(autouse=True)
def store_test_backend(monkeypatch):
    # re-run / fork / resume rebuild the backend by name through the registry.
    monkeypatch.setitem(registry.BACKENDS, "store-test", "store_support:StoreTestBackend")


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    sessions_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sessions", *argv])
    try:
        return args.func(args)
    except CliError as exc:
        print(f"error: {exc}")
        return 2


@pytest.fixture
def db(store_spec, monkeypatch):
    if store_spec.images:
        monkeypatch.setenv("STAGESTUDIO_DB_IMAGES", store_spec.images)
    store = store_spec.open()
    for seed, prompt in [(1, "a bear above a spoon " + "very " * 30 + "long"), (2, "ein Bär 🐻")]:
        events = LoopEngine(StoreTestBackend(objects=3)).run(prompt, config=RunConfig(seed=seed, max_steps=3))
        list(SessionRecorder(store).record(events))
    store.close()
    return store_spec.db


def ids(db):
    with open_store(db) as store:
        return [s.id for s in store.list_sessions()]


def test_list_and_show(db, capsys):
    assert cli("list", "--db", db) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["ID", "CREATED", "(UTC)", "STATUS"]
    newest, oldest = ids(db)
    assert out[1].startswith(newest) and "completed" in out[1] and "ein Bär 🐻" in out[1]
    assert out[2].startswith(oldest) and out[2].endswith("…") and len(out[2]) < 160
    assert cli("list", "--db", db, "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["status"], r["steps"]) for r in rows] == [(newest, "completed", 3), (oldest, "completed", 3)]
    assert cli("show", oldest, "--db", db) == 0
    text = capsys.readouterr().out
    assert f"session   {oldest}" in text and "step 2: passed" in text and "attempt 1 refine" in text
    assert cli("show", oldest, "--db", db, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == oldest and len(data["steps"]) == 3 and data["missing_images"] == []
    assert cli("show", "nosuchid", "--db", db) == 2
    assert "no session 'nosuchid'" in capsys.readouterr().out


def test_replay_prints_and_writes_images(db, tmp_path, capsys):
    sid = ids(db)[0]
    assert cli("replay", sid, "--db", db, "--json", "--images", str(tmp_path / "frames")) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["type"] == "session_started" and lines[-1]["type"] == "session_done"
    assert [line["seq"] for line in lines] == list(range(len(lines)))
    assert len(list((tmp_path / "frames").glob("*.png"))) == sum(line["type"] == "sketch_ready" for line in lines)


def test_rerun_fork_resume(db, capsys, monkeypatch):
    sid = ids(db)[1]
    assert cli("rerun", sid, "--db", db) == 0
    out = capsys.readouterr().out
    assert "step 1 attempt 1: identical" in out and "4/4 sketches identical" in out
    # A backend that draws differently makes rerun fail loudly.
    monkeypatch.setitem(registry.BACKENDS, "store-test", "test_store_cli:DriftingBackend")
    assert cli("rerun", sid, "--db", db) == 1
    assert "DIFFERENT" in capsys.readouterr().out
    monkeypatch.setitem(registry.BACKENDS, "store-test", "store_support:StoreTestBackend")

    assert cli("fork", sid, "--from-step", "1", "--instruction", "Add a silver spoon.", "--db", db, "--quiet") == 0
    fork = capsys.readouterr().out.strip()
    with open_store(db) as store:
        record = store.load_session(fork)
        assert record.parent_session_id == sid and record.steps[1].step.instruction == "Add a silver spoon."
        assert record.status == "completed"
    assert cli("fork", sid, "--from-step", "9", "--db", db) == 2
    assert "choose a step from 0 to 3" in capsys.readouterr().out

    # An interrupted session (its writer died after step 0) resumes to the end.
    with open_store(db) as store:
        stream = SessionRecorder(store).record(
            LoopEngine(StoreTestBackend(objects=3)).run("cut short", config=RunConfig(seed=4, max_steps=3))
        )
        for event in stream:
            if event.type == "step_completed":
                break
        stream.close()
        cut = event.session_id
    assert cli("list", "--db", db, "--status", "interrupted", "--json") == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [cut]
    assert cli("resume", cut, "--db", db, "--quiet") == 0
    assert capsys.readouterr().out.strip() == f"session {cut}: completed"
    assert cli("resume", cut, "--db", db) == 2
    assert "only an interrupted session" in capsys.readouterr().out


class DriftingBackend(StoreTestBackend):
    def __init__(self, **settings):
        super().__init__(**settings, variant=3)


def test_export_import_delete(db, tmp_path, capsys):
    sid = ids(db)[0]
    archive = tmp_path / "out" / "s.zip"
    assert cli("export", sid, str(archive), "--db", db) == 0
    other = str(tmp_path / "other.db")
    assert cli("import", str(archive), "--db", other) == 0
    assert capsys.readouterr().out.strip().endswith(f"imported {sid}")
    assert cli("import", str(archive), "--db", other) == 2
    assert "--new-id" in capsys.readouterr().out
    assert cli("import", str(archive), "--db", other, "--new-id") == 0
    assert len(ids(other)) == 2
    bad = tmp_path / "bad.zip"
    bad.write_bytes(archive.read_bytes()[:200])
    assert cli("import", str(bad), "--db", other) == 2
    assert "not a readable zip archive" in capsys.readouterr().out
    assert cli("delete", sid, "--db", db) == 0
    assert sid not in ids(db)
    assert cli("check", "--db", db) == 0


def test_corrupt_database_is_a_clean_error(tmp_path, capsys):
    path = tmp_path / "studio.db"
    path.write_text("not a database")
    assert cli("list", "--db", str(path)) == 2
    assert "is not a SQLite database" in capsys.readouterr().out
    assert path.read_text() == "not a database"


def test_fork_with_graph_file(db, tmp_path, capsys):
    from store_support import make_graph

    sid = ids(db)[0]
    graph_file = tmp_path / "graph.json"
    edited = make_graph(3)
    edited.objects[2].name = "lamp"  # a person renamed the third object; step 2 is redone
    graph_file.write_text(edited.to_json())
    assert cli("fork", sid, "--from-step", "2", "--graph", str(graph_file), "--db", db, "--quiet") == 0
    fork = capsys.readouterr().out.strip()
    with open_store(db) as store:
        record = store.load_session(fork)
        assert record.graph_edited == edited and record.step_count == 3
        assert record.steps[2].step.instruction == "Add the lamp."
    graph_file.write_text("{broken")
    assert cli("fork", sid, "--from-step", "3", "--graph", str(graph_file), "--db", db) == 2
    assert "cannot use scene graph" in capsys.readouterr().out


def test_a_missing_database_is_not_created_by_reading(tmp_path, capsys):
    path = tmp_path / "typo.db"
    assert cli("list", "--db", str(path)) == 2
    assert "no session database at" in capsys.readouterr().out
    assert not path.exists()
