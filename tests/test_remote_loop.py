"""The loop on `--backend remote` against the vLLM-Omni-compatible test server running our own
BAGEL (the tiny random-weight checkpoint, fp32, 32 px) over real HTTP on 127.0.0.1: a whole
session and its re-run, several sessions at once over two endpoints, a server killed
mid-request (the session is stored as interrupted and resumes on the other endpoint), a slow
server, and malformed replies (a clear error, nothing lost)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from omni_support import TINY_SIDE, BackgroundServer, tiny_model
from stagestudio.backends.base import InspectRequest, RefineRequest
from stagestudio.backends.remote.backend import RemoteBackend
from stagestudio.cli import main as cli_main
from stagestudio.inspector.verdict import Verdict
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.plan import PlanStep
from stagestudio.store import SessionRecorder, open_store

PROMPT = "a bear above a spoon"
# Tiny and quick: the smallest canvas the checkpoint edits at, one model evaluation per image,
# a few tokens per plan and answer (random weights write nothing usable anyway).
FAST = {"resolution": TINY_SIDE, "num_timesteps": 2, "graph": "parser", "max_plan_tokens": 4,
        "max_answer_tokens": 3, "retries": 1, "backoff_s": 0.05, "timeout_s": 60, "connect_timeout_s": 2}
FAST_CLI = ["--resolution", str(TINY_SIDE), "--timesteps", "2", "--graph", "parser", "--max-plan-tokens", "4",
            "--max-answer-tokens", "3", "--retries", "1"]


@pytest.fixture(scope="module")
def models(shared_dir):
    return tiny_model(shared_dir), tiny_model(shared_dir)


@pytest.fixture(scope="module")
def servers(models):
    first, second = BackgroundServer(models[0]).start(), BackgroundServer(models[1]).start()
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture(autouse=True)
def clean_wire(servers):
    for server in servers:
        server.faults.__init__()
    yield
    for server in servers:
        server.faults.__init__()


def requests_of(server: BackgroundServer, session_id: str) -> list[str]:
    return [r for r in server.stats.request_ids if r.startswith(session_id + "-")]


def run_recorded(db: Path, backend: RemoteBackend, seed: int = 3, on_event=None) -> str:
    """One session through the engine into the store; returns its id."""
    store = open_store(db)
    session_id = ""
    try:
        engine = LoopEngine(backend)
        for event in SessionRecorder(store).record(
                engine.run(PROMPT, config=RunConfig(seed=seed, max_refines=1, max_steps=2))):
            session_id = event.session_id
            if on_event is not None:
                on_event(event)
    finally:
        store.close()
    return session_id


def load(db: Path, session_id: str):
    store = open_store(db)
    try:
        return store.load_session(session_id)
    finally:
        store.close()


def test_cli_run_then_rerun_reproduces_the_session(servers, tmp_path, capsys):
    server = servers[0]
    out, db = tmp_path / "out", tmp_path / "studio.db"
    code = cli_main(["run", PROMPT, "--backend", "remote", "--endpoint", server.url, *FAST_CLI,
                     "--seed", "3", "--max-refines", "1", "--out", str(out), "--db", str(db), "--quiet"])
    assert code == 0, capsys.readouterr()
    trajectory = json.loads((out / "trajectory.json").read_text())
    types = [e["type"] for e in trajectory["events"]]
    assert types.count("step_planned") == 2 and types.count("sketch_ready") >= 2 and "final_verdict" in types
    assert trajectory["settings"]["endpoints"] == [server.url] and "api_key" not in trajectory["settings"]
    planned = [e["step"] for e in trajectory["events"] if e["type"] == "step_planned"]
    assert all(p["source"] == "fallback" for p in planned)  # random weights: the offline plan, said so
    facts = [f for e in trajectory["events"] if e["type"] == "verdict_ready" for f in e["verdict"]["facts"]]
    assert facts and all(f["source"] == "vqa" and f["question"].endswith("Answer yes or no.") for f in facts)
    session_id = trajectory["events"][0]["session_id"]
    assert server.stats.requests["text2img"] >= 1 and server.stats.requests["img2img"] >= 1
    assert requests_of(server, session_id)

    capsys.readouterr()
    assert cli_main(["sessions", "rerun", session_id, "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["identical"] and len(report["sketches"]) == types.count("sketch_ready")


def test_refine_is_an_edit_of_the_failed_sketch(servers):
    server = servers[0]
    backend = RemoteBackend(endpoints=[server.url], **FAST)
    graph = parse_prompt(PROMPT)
    step = PlanStep(index=0, instruction="Draw a bear.", description="A bear.", object_ids=["o1"])
    before = server.stats.requests["img2img"]
    sketch = backend.sketch(_sketch_request(graph, step))
    fixed = backend.refine(RefineRequest(PROMPT, graph, step, graph, None, sketch, Verdict(passed=False),
                                         "add a bear", seed=9, session_id="refine-test"))
    assert fixed.size == (TINY_SIDE, TINY_SIDE) and fixed.tobytes() != sketch.tobytes()
    assert server.stats.requests["img2img"] == before + 1


def _sketch_request(graph, step):
    from stagestudio.backends.base import SketchRequest

    return SketchRequest(PROMPT, graph, step, graph, None, seed=4, session_id="refine-test")


def test_remote_inspection_asks_and_reads_what_the_local_backend_does(servers, models):
    """The same questions as the local backend; the server answers from [image, question] alone
    (what the local model decodes for that context), and the strict reader decides each fact."""
    from stagestudio.inspector.answers import read_yes_no

    server, local = servers[0], models[0].backend  # the same weights, asked locally and over HTTP
    backend = RemoteBackend(endpoints=[server.url], **{**FAST, "max_answer_tokens": 12})
    graph = parse_prompt("two red cups left of a dog")
    image = backend.sketch(_sketch_request(graph, PlanStep(index=0, instruction="Draw it.", description="d")))
    request = InspectRequest("two red cups left of a dog", graph, graph, image, seed=11, session_id="vqa-test")
    remote, here = backend.inspect(request), local.inspect(request)
    assert [f.question for f in remote.facts] == [f.question for f in here.facts]
    # Locally the logits decide (p(yes)); over HTTP the decoded text does.
    assert all(f.p_yes is not None for f in here.facts) and all(f.p_yes is None for f in remote.facts)
    runtime = local.runtime
    inf = runtime.inferencer
    state = runtime.understanding_context(image)
    decoded = [inf.generate_text(inf.append_text(state.cond, f.question), max_length=12).text for f in remote.facts]
    assert [f.answer for f in remote.facts] == [d.strip() for d in decoded]
    for fact in remote.facts:
        said = read_yes_no(fact.answer)
        assert fact.status == ("unsure" if said is None else "pass" if said else "fail")


def test_the_graph_is_written_by_the_model_through_the_chat_api(servers):
    server = servers[1]
    backend = RemoteBackend(endpoints=[server.url], **{**FAST, "graph": "model", "max_graph_tokens": 6})
    before = server.stats.requests["text2text"]
    graph = backend.extract_graph(PROMPT)
    # The tiny model writes no JSON: one repair is asked for, then the offline parser takes over.
    assert server.stats.requests["text2text"] == before + 2
    assert graph.source == "parser" and "model graph unusable" in graph.source_note
    assert [o.name for o in graph.objects] == ["bear", "spoon"]


def test_concurrent_sessions_spread_over_endpoints_and_stick_to_one(servers):
    backend = RemoteBackend(endpoints=[s.url for s in servers], **FAST)
    engine = LoopEngine(backend)
    prompts = ["a bear above a spoon", "a red cup", "two dogs", "a cat left of a chair"]
    results: dict[str, str] = {}

    def session(prompt: str, seed: int) -> None:
        for event in engine.run(prompt, config=RunConfig(seed=seed, max_refines=0, max_steps=2)):
            if event.type == "session_done":
                results[event.session_id] = event.status

    threads = [threading.Thread(target=session, args=(p, i)) for i, p in enumerate(prompts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results.values()) == ["completed"] * len(prompts)
    homes = []
    for session_id in results:
        served = [s for s in servers if requests_of(s, session_id)]
        assert len(served) == 1, f"session {session_id} was served by {len(served)} endpoints"
        homes.append(served[0].url)
    assert set(homes) == {s.url for s in servers}  # spread by load: both endpoints worked
    usage = backend.endpoint_usage()
    assert [u.sessions for u in usage] == [2, 2] and all(u.requests and not u.failures for u in usage)


def test_a_server_killed_mid_request_interrupts_the_session_and_it_resumes_elsewhere(models, tmp_path, capsys):
    first, second = BackgroundServer(models[0]).start(), BackgroundServer(models[1]).start()
    db = tmp_path / "studio.db"
    backend = RemoteBackend(endpoints=[first.url, second.url], **FAST)
    killed: list[str] = []

    def kill_during_the_next_request(event) -> None:
        if event.type == "step_completed" and not killed:
            home = first if requests_of(first, event.session_id) else second
            home.faults.delay_s = 5.0  # the next request hangs on the wire ...
            killed.append(home.url)
            threading.Timer(0.5, home.kill).start()  # ... and the server dies under it

    try:
        session_id = run_recorded(db, backend, on_event=kill_during_the_next_request)
        record = load(db, session_id)
        assert record.status == "interrupted"
        assert f"{killed[0]} is unavailable after 2 tries" in record.last_error
        assert len(record.completed_steps) == 1 and record.completed_steps[0].canvas_sha256

        survivor = second if killed[0] == first.url else first
        capsys.readouterr()
        assert cli_main(["sessions", "resume", session_id, "--db", str(db), "--quiet"]) == 0
        assert f"session {session_id}: completed" in capsys.readouterr().out
        record = load(db, session_id)
        assert record.status == "completed" and len(record.completed_steps) == 2
        assert requests_of(survivor, session_id)
    finally:
        first.stop()
        second.stop()


def test_a_slow_server_times_out_and_the_session_can_resume(servers, tmp_path):
    server = servers[0]
    db = tmp_path / "studio.db"
    backend = RemoteBackend(endpoints=[server.url], **{**FAST, "timeout_s": 0.5})

    def slow_down(event) -> None:
        if event.type == "step_completed":
            server.faults.delay_s = 3.0

    started = time.monotonic()
    session_id = run_recorded(db, backend, on_event=slow_down)
    assert time.monotonic() - started < 30
    record = load(db, session_id)
    assert record.status == "interrupted"
    assert "did not answer within 0.5 s" in record.last_error and len(record.completed_steps) == 1


@pytest.mark.parametrize("fault, stage, message", [
    ("wrong_size", "sketch", "returned a 64x64 image, not the 32x32 asked for"),
    ("not_image", "sketch", "image bytes are not a picture"),
    ("not_json", "plan", "the reply is not JSON"),
])
def test_malformed_replies_fail_the_stage_clearly_and_keep_what_was_done(servers, tmp_path, fault, stage, message):
    server = servers[1]
    db = tmp_path / "studio.db"
    backend = RemoteBackend(endpoints=[server.url], **FAST)
    errors = []

    def break_the_wire(event) -> None:
        if event.type == "step_completed":
            server.faults.reply = fault
        if event.type == "error":
            errors.append(event)

    session_id = run_recorded(db, backend, on_event=break_the_wire)
    record = load(db, session_id)
    assert record.status == "failed" and len(errors) == 1
    assert errors[0].stage == stage and message in errors[0].message and "\n" not in errors[0].message
    kept = record.completed_steps
    assert len(kept) == 1 and kept[0].canvas_sha256 and not record.missing_images



def test_serve_omni_command_loads_the_model_and_serves_its_app(shared_dir, monkeypatch, capsys):
    import uvicorn
    from starlette.testclient import TestClient

    from stagestudio.backends.remote.dialect import TextAsk, read_text_reply, text_payload

    served = {}

    def fake_run(app, host, port, **kwargs):  # what uvicorn would serve, asked in-process
        served.update(host=host, port=port)
        client = TestClient(app)
        served["health"] = client.get("/health").status_code
        reply = client.post("/v1/chat/completions", json=text_payload(TextAsk("hi", 1, 3)),
                            headers={"Authorization": "Bearer k"})
        served["text"] = read_text_reply(reply.content)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    model = str(shared_dir / "fixtures" / "bagel")
    assert cli_main(["serve-omni", "--model", model, "--precision", "fp32", "--device", "cpu",
                     "--host", "0.0.0.0", "--port", "8123"]) == 2
    assert "pass --api-key" in capsys.readouterr().err
    assert cli_main(["serve-omni", "--model", model, "--precision", "fp32", "--device", "cpu",
                     "--host", "0.0.0.0", "--port", "8123", "--api-key", "k"]) == 0
    assert served["host"] == "0.0.0.0" and served["port"] == 8123 and served["health"] == 200
    assert isinstance(served["text"], str)
