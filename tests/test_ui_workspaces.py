"""Workspaces and tabs: a reloaded tab finds its run again from the session id in its address,
closing a tab never stops a run, idle workspaces go away; and each tab's stream sends screens
in order, only what changed, and wakes for every change."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import gradio as gr
import pytest

from stagestudio.ui.backend_pool import BackendPool
from stagestudio.ui.screen import Part, Screen
from stagestudio.ui.session import RunRequest, StudioSession
from stagestudio.ui.stream import TabStream, diff
from stagestudio.ui.workspaces import Workspaces

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.test_ui_session import ScriptedBackend, waiting_kind  # noqa: E402


def make_workspaces(store=None, backend=None, **kwargs) -> Workspaces:
    pool = BackendPool(lambda name: backend or ScriptedBackend())
    return Workspaces(lambda: StudioSession(pool, store), store, **kwargs)


def test_a_reloaded_tab_finds_its_live_run_and_closing_it_stops_nothing():
    spaces = make_workspaces()
    tab, note = spaces.attach("tab-1")
    assert note is None
    ws = tab.workspace
    ws.start(RunRequest(prompt="p", backend="scripted", step_mode=True))
    waiting_kind(ws, "plan")
    sid = ws.session_id
    spaces.detach("tab-1")  # the tab closed (or is reloading)
    assert ws.running and ws.waiting is not None  # still waiting for someone
    again, note = spaces.attach("tab-2", sid)  # the reload: a new Gradio session, ?session=sid
    assert again.workspace is ws and note is None
    assert spaces.live() == {sid: ws}
    ws.stop()
    assert ws.wait(5)


def test_an_unknown_session_opens_a_fresh_workspace_with_a_note():
    spaces = make_workspaces()
    tab, note = spaces.attach("tab-1", "0123456789ab")
    assert tab.workspace.session_id is None and "0123456789ab" in note


def test_a_stored_session_is_loaded_when_no_workspace_shows_it(tmp_path):
    from stagestudio.store import open_store

    store = open_store(tmp_path / "ws.db")
    try:
        spaces = make_workspaces(store)
        first = spaces.new()
        first.start(RunRequest(prompt="p", backend="scripted"))
        assert first.wait(5)
        sid = first.session_id
        opened = spaces.open("  " + sid, running_only=True, reuse=spaces.new())
        assert opened is not first and opened.session_id == sid  # a finished copy is not shared
        assert [s.index for s in opened.timeline().steps] == [s.index for s in first.timeline().steps]
        assert opened.request.prompt == "p" and opened.loaded_token == 1  # the form shows it again
    finally:
        store.close()


def test_idle_workspaces_nobody_watches_are_dropped_but_never_a_running_one():
    gate = threading.Event()
    spaces = make_workspaces(backend=ScriptedBackend(gate=gate), idle_ttl_s=60)
    watched, _ = spaces.attach("tab")
    idle = spaces.new()
    running = spaces.new()
    running.start(RunRequest(prompt="p", backend="scripted"))
    for ws in spaces:
        ws.last_used -= 3600
    dropped = spaces.sweep()
    assert dropped == [idle.id]
    assert {w.id for w in spaces} == {watched.workspace.id, running.id}
    gate.set()
    assert running.wait(5)


def screen(**values) -> Screen:
    return Screen({name: Part(value, value) for name, value in values.items()})


def test_diff_sends_what_changed_and_skips_the_rest():
    sent: dict = {}
    first = diff(screen(a=1, b="x"), ["a", "b"], sent)
    assert first == [1, "x"]
    second = diff(screen(a=1, b="y"), ["a", "b"], sent)
    assert isinstance(second[0], dict) and second[0].get("__type__") == "update" and second[1] == "y"
    assert second[0] == gr.skip()


class FakeRequest:
    def __init__(self, key: str, session: str | None = None) -> None:
        self.session_hash = key
        self.query_params = {"session": session} if session else {}


def test_the_stream_sends_every_change_in_order_and_follows_a_switch():
    """Drive a tab's stream against a live workspace: each change arrives, newer after older,
    and when the tab is switched to another workspace the stream follows it."""
    spaces = make_workspaces()
    compose = lambda ws: screen(version=ws.version, workspace=ws.id)  # noqa: E731
    stream = TabStream(spaces, ["version", "workspace"], compose)

    async def run() -> list[list]:
        gen = stream.run(FakeRequest("tab"))
        received = [await gen.__anext__()]
        ws = spaces.tab("tab").workspace
        for _ in range(5):
            threading.Thread(target=ws.set_message, args=("hi",)).start()  # changes from other threads
            received.append(await asyncio.wait_for(gen.__anext__(), 5))
        other = spaces.new()
        spaces.switch("tab", other)
        received.append(await asyncio.wait_for(gen.__anext__(), 5))
        spaces.detach("tab")
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(gen.__anext__(), 7)
        return received

    received = asyncio.run(run())
    versions = [r[0] for r in received[:6]]
    assert versions == sorted(versions) and len(set(versions)) == 6  # every change, in order
    assert isinstance(received[6][1], str) and received[6][1] != received[0][1]  # the other workspace
