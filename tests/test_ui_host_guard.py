"""The studio answers only to the host names it was started for (DNS rebinding): a request
whose Host or Origin names another host is refused before Gradio sees it — listing, exporting
and deleting sessions included."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest

from stagestudio.ui.host_guard import HostGuard, allowed_host_names, host_of


def call(guard: HostGuard, headers: dict[str, str], kind: str = "http") -> tuple[int | None, bytes]:
    """Run one request through the guard around an app that answers 200 'ok'."""
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    guard.app = app
    scope = {"type": kind, "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(guard(scope, receive, send))
    status = next((m.get("status") for m in sent if m["type"] == "http.response.start"), None)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    if kind == "websocket":
        return (1008 if any(m["type"] == "websocket.close" for m in sent) else None), b""
    return status, body


def test_host_names_are_parsed_with_ports_and_brackets():
    assert host_of("127.0.0.1:7860") == "127.0.0.1"
    assert host_of("[::1]:7860") == "::1" and host_of("[::1]") == "::1" and host_of("::1") == "::1"
    assert host_of("LocalHost.:80") == "localhost"
    assert host_of("example.com") == "example.com"


def test_only_the_bound_names_pass_unless_added():
    guard = HostGuard(None, allowed_host_names("127.0.0.1"))
    for host in ("127.0.0.1:7860", "localhost:7860", "[::1]:7860"):
        assert call(guard, {"Host": host})[0] == 200, host
    status, body = call(guard, {"Host": "attacker.test:7860"})
    assert status == 403
    text = body.decode()
    assert "attacker.test" in text and "--allowed-host" in text and text.count("\n") == 1
    assert call(guard, {})[0] == 403  # no Host header at all
    assert call(guard, {"Host": "attacker.test"}, kind="websocket")[0] == 1008

    added = HostGuard(None, allowed_host_names("127.0.0.1", ["studio.lan"]))
    assert call(added, {"Host": "studio.lan:7860"})[0] == 200
    bound = HostGuard(None, allowed_host_names("192.168.1.20"))
    assert call(bound, {"Host": "192.168.1.20:7860"})[0] == 200
    assert call(bound, {"Host": "attacker.test"})[0] == 403


def test_a_foreign_origin_is_refused_even_with_a_good_host():
    guard = HostGuard(None, allowed_host_names("127.0.0.1"))
    assert call(guard, {"Host": "127.0.0.1:7860", "Origin": "http://127.0.0.1:7860"})[0] == 200
    assert call(guard, {"Host": "127.0.0.1:7860", "Origin": "http://attacker.test"})[0] == 403
    assert call(guard, {"Host": "127.0.0.1:7860", "Origin": "null"})[0] == 403


def test_a_wildcard_bind_answers_to_this_machine_but_not_to_others():
    names = allowed_host_names("0.0.0.0")
    assert "localhost" in names and "0.0.0.0" not in names
    import socket

    assert socket.gethostname().lower() in names
    assert "attacker.test" not in names


def test_share_links_pass_only_when_sharing():
    assert call(HostGuard(None, ["127.0.0.1"], allow_share=True), {"Host": "abc123.gradio.live"})[0] == 200
    assert call(HostGuard(None, ["127.0.0.1"]), {"Host": "abc123.gradio.live"})[0] == 403


@pytest.mark.slow
def test_the_running_studio_refuses_foreign_hosts_for_every_route(tmp_path):
    """The real app: a session exists; with Host or Origin naming attacker.test, the page, the
    config and the queue (the Sessions tab's list, export and delete all go through it) are
    refused, and the session is still there afterwards."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from stagestudio.loop.engine import LoopEngine, RunConfig
    from stagestudio.store import SessionRecorder
    from stagestudio.ui import build_app, launch_options

    demo = build_app(tmp_path / "studio.db", "sketchbook")
    store = demo.studio_store
    backend = demo.studio_pool.get("sketchbook")
    for _ in SessionRecorder(store).record(LoopEngine(backend).run("a red cat", config=RunConfig(max_refines=0))):
        pass
    sid = store.list_sessions()[0].id
    demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                **launch_options("127.0.0.1", ["studio.lan"]))
    try:
        base = demo.local_url.rstrip("/")
        port = base.rsplit(":", 1)[1]
        with httpx.Client(timeout=10) as client:
            assert client.get(base + "/").status_code == 200
            config = client.get(base + "/config").json()
            assert client.get(base + "/", headers={"Host": f"studio.lan:{port}"}).status_code == 200
            fns = {d.get("id", i): d for i, d in enumerate(config["dependencies"])}
            assert fns  # the events exist (list, export, delete, ...)

            def join(fn_index, headers=None):
                return client.post(base + "/gradio_api/queue/join", headers=headers or {},
                                   json={"data": [sid, True, "", "any", "", ""], "fn_index": fn_index,
                                         "session_hash": "visitor", "event_data": None, "trigger_id": None})

            assert join(next(iter(fns))).status_code == 200  # the same call from a good host is taken
            evil = [{"Host": f"attacker.test:{port}"},
                    {"Host": f"127.0.0.1:{port}", "Origin": "http://attacker.test"}]
            for headers in evil:
                assert client.get(base + "/", headers=headers).status_code == 403
                assert client.get(base + "/config", headers=headers).status_code == 403
                for fn_index in fns:
                    assert join(fn_index, headers).status_code == 403, fn_index
                assert client.get(base + "/gradio_api/queue/data?session_hash=visitor",
                                  headers=headers).status_code == 403
        assert store.exists(sid)
    finally:
        demo.close()
        demo.studio_workspaces.close()
        store.close()
