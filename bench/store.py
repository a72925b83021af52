"""Session store benchmarks (not timed tests): event commit latency under the default
durability policy (the WAL synced at each step's end) against FULL and NORMAL on every
event, `sessions list` over 10,000 sessions, loading a 50-step session
for replay, and importing a 200,000-event archive while a `run --db` process records into
the same database. Then the commit and the listing again on PostgreSQL (a local server
started for the run, fsync on; the same policy as `synchronous_commit`), under
"postgresql".

    python bench/store.py                 # writes bench/results/store.json
    python bench/store.py --sessions 2000 --import-events 20000   # a quicker look

Targets: median commit of one event < 5 ms (image encoding excluded), `sessions list`
over 10,000 sessions < 200 ms, replay of a 50-step session loads in < 1 s; the import
holds the write lock briefly and the live run's session is stored complete.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # store_support: the big-archive builder the tests use

import sqlalchemy  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from stagestudio.inspector.verdict import FactResult, Verdict  # noqa: E402
from stagestudio.loop.events import (  # noqa: E402
    FinalVerdict,
    RefinementPlanned,
    SessionDone,
    SessionStarted,
    SketchReady,
    StepCompleted,
    StepPlanned,
    VerdictReady,
)
from stagestudio.scene.graph import SceneGraph, SceneObject  # noqa: E402
from stagestudio.scene.plan import PlanStep  # noqa: E402
from stagestudio.store import open_store  # noqa: E402
from stagestudio.store.images import encode_png  # noqa: E402
from stagestudio.store.models import SessionRow  # noqa: E402
from stagestudio.store.store import SessionStore  # noqa: E402
from store_support import write_big_archive  # noqa: E402
from postgres_server import PostgresServer, PostgresUnavailable  # noqa: E402

STEPS = 50
IMAGE_SIZE = 512  # the sketchbook backend's default canvas


def sketch(rng: random.Random, step: int) -> Image.Image:
    """A sketch-like canvas: flat background and a few filled shapes."""
    img = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), (245, 240, 230))
    draw = ImageDraw.Draw(img)
    for _ in range(3 + step % 5):
        x, y = rng.randrange(IMAGE_SIZE - 80), rng.randrange(IMAGE_SIZE - 80)
        w, h = rng.randrange(20, 80), rng.randrange(20, 80)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x, y, x + w, y + h], fill=colour, outline=(0, 0, 0))
    return img


def session_events(session_id: str, steps: int, seed: int):
    """The events of a `steps`-step session; every third step needs one refinement."""
    rng = random.Random(seed)
    graph = SceneGraph(objects=[SceneObject(id=f"o{i + 1}", name=f"thing{i}") for i in range(steps)])
    seq = 0

    def make(cls, **fields):
        nonlocal seq
        event = cls(session_id=session_id, seq=seq, **fields)
        seq += 1
        return event

    yield make(SessionStarted, prompt="benchmark scene " * 4, graph=graph, seed=seed, backend="sketchbook",
               settings={"error_rate": 0.3, "size": IMAGE_SIZE}, max_refines=2, max_steps=steps)
    for i in range(steps):
        step = PlanStep(index=i, instruction=f"Add thing {i}.", description=f"a scene with thing {i}", object_ids=[f"o{i + 1}"])
        yield make(StepPlanned, step=step, seed=rng.randrange(2**31), duration_s=0.001)
        attempts = 2 if i % 3 == 0 else 1
        for attempt in range(attempts):
            passed = attempt == attempts - 1
            if attempt:
                yield make(RefinementPlanned, step_index=i, attempt=attempt, correction=f"Make thing {i} visible.")
            yield make(SketchReady, step_index=i, attempt=attempt, stage="refine" if attempt else "sketch",
                       instruction=step.instruction, seed=rng.randrange(2**31), duration_s=0.05, image=sketch(rng, i))
            facts = [FactResult(kind="presence", fact=f"thing {i}", passed=passed, object_ids=[f"o{i + 1}"]),
                     FactResult(kind="color", fact=f"thing {i} is red", passed=True, object_ids=[f"o{i + 1}"])]
            verdict = Verdict(passed=passed, facts=facts, critique="" if passed else f"thing {i} is missing",
                              correction="" if passed else f"Make thing {i} visible.")
            yield make(VerdictReady, step_index=i, attempt=attempt, verdict=verdict, seed=rng.randrange(2**31), duration_s=0.01)
        yield make(StepCompleted, step_index=i, outcome="passed", accepted_attempt=attempts - 1)
    yield make(FinalVerdict, verdict=Verdict(passed=True), seed=1, duration_s=0.01)
    yield make(SessionDone, status="completed", passed=True, steps=steps)


def bench_commit(store, session_id: str) -> dict:
    db_ms, cpu_ms, image_ms, encode_ms, by_type = [], [], [], [], {}
    for event in session_events(session_id, STEPS, seed=1):
        png = None
        if isinstance(event, SketchReady):
            t = time.perf_counter()
            png = encode_png(event.image)
            encode_ms.append((time.perf_counter() - t) * 1000)
        c = time.process_time()
        t = time.perf_counter()
        store.commit_encoded(event, png)  # image file (fsync) + one database transaction
        elapsed = (time.perf_counter() - t) * 1000
        cpu_ms.append((time.process_time() - c) * 1000)
        db_ms.append(elapsed)
        by_type.setdefault(event.type, []).append(elapsed)
        if png is not None:
            image_ms.append(elapsed)
    return {
        "events": len(db_ms),
        "median_commit_ms": round(statistics.median(db_ms), 3),
        "median_commit_cpu_ms": round(statistics.median(cpu_ms), 3),
        "p90_commit_ms": round(statistics.quantiles(db_ms, n=10)[-1], 3),
        "median_commit_ms_by_type": {k: round(statistics.median(v), 3) for k, v in sorted(by_type.items())},
        "median_sketch_commit_ms_incl_png_write_fsync": round(statistics.median(image_ms), 3),
        "median_png_encode_ms_excluded": round(statistics.median(encode_ms), 3),
    }


def bench_durability_policies(new_store) -> dict:
    """The same 50-step session committed under each policy, in fresh databases
    (`new_store(name, synchronous)`): the default (synced at each step's end and at a
    person's decisions), synced on every event, and never waiting for the disk (SQLite:
    NORMAL, the WAL synced only at checkpoints; PostgreSQL: synchronous_commit=off)."""
    from stagestudio.store import store as store_module

    policies = {
        "default_sync_at_step_ends": ("FULL", store_module.DURABLE_EVENTS),
        "full_every_event": ("FULL", (object,)),  # every event counts as durable
        "normal_throughout": ("NORMAL", store_module.DURABLE_EVENTS),
    }
    out = {}
    for name, (mode, durable_events) in policies.items():
        saved = store_module.DURABLE_EVENTS
        store_module.DURABLE_EVENTS = durable_events
        try:
            store = new_store(name, mode)
            result = bench_commit(store, name.replace("_", ""))
            store.close()
        finally:
            store_module.DURABLE_EVENTS = saved
        out[name] = {k: result[k] for k in ("median_commit_ms", "median_commit_cpu_ms", "p90_commit_ms")}
        out[name]["median_commit_ms_by_type"] = result["median_commit_ms_by_type"]
    return out


# Runs in its own process, so that its peak memory is the import's alone.
_IMPORT_SCRIPT = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from stagestudio.store import import_session, open_store
started = time.perf_counter()
with open_store(sys.argv[1]) as store:
    result = import_session(store, sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - started, "transactions": result.transactions,
                  "longest_hold_s": result.longest_hold_s,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_import_beside_a_live_run(folder: Path, events: int) -> dict:
    """The issue's case: a big archive imported while `python -m stagestudio run --db`
    records into the same database. The run's session must be stored complete."""
    archive = write_big_archive(folder / "big.zip", events)
    db = folder / "shared.db"
    open_store(db).close()
    importing = subprocess.Popen([sys.executable, "-c", _IMPORT_SCRIPT, str(db), str(archive), str(REPO)],
                                 cwd=REPO, stdout=subprocess.PIPE, text=True)
    with open_store(db) as watcher:
        while importing.poll() is None and not any(s.status == "importing" for s in watcher.list_sessions()):
            time.sleep(0.02)
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "stagestudio", "run", "a bear hovering above a silver spoon", "--seed", "2",
         "--out", str(folder / "run-out"), "--db", str(db), "--quiet"],
        cwd=REPO, capture_output=True, text=True,
    )
    run_s = time.perf_counter() - started
    import_alive_after_run = importing.poll() is None
    result = json.loads(importing.communicate()[0])
    trajectory = json.loads((folder / "run-out" / "trajectory.json").read_text())
    with open_store(db) as store:
        stored = store.load_session(trajectory["session_id"])
        imported = store.list_sessions(status="stopped")
    return {
        "archive_events": events,
        "archive_zip_bytes": archive.stat().st_size,
        "import_s": round(result["seconds"], 1),
        "import_transactions": result["transactions"],
        "import_longest_transaction_s": round(result["longest_hold_s"], 3),
        "import_process_peak_rss_mb": round(result["peak_rss_mb"], 1),
        "imported_session_listed": len(imported) == 1,
        "run_exit_code": run.returncode,
        "run_s_incl_python_startup": round(run_s, 1),
        "run_finished_while_import_still_running": import_alive_after_run,
        "run_warnings": [line for line in run.stderr.splitlines() if line.startswith("warning:")],
        "run_session_stored": stored.status == "completed" and stored.event_count == len(trajectory["events"]),
    }


def bench_postgres(folder: Path, sessions: int) -> dict:
    """Commit latency per policy and `sessions list` on a local PostgreSQL server (TCP on
    127.0.0.1, fsync and full_page_writes on, the same disk as the SQLite runs)."""
    try:
        server = PostgresServer.start(fsync=True)
    except PostgresUnavailable as exc:
        return {"skipped": str(exc)}
    images = folder / "pg-images"
    images.mkdir()
    try:
        def new_store(name: str, mode: str) -> SessionStore:
            return SessionStore(server.new_database_url(), images=images, synchronous=mode)

        store = new_store("main", "FULL")
        with store.db.engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar()
        out: dict = {"server": f"PostgreSQL {version}", "connection": "TCP 127.0.0.1, psycopg 3",
                     "commit": bench_commit(store, "bench50steps")}
        out["commit"]["policy"] = ("synchronous_commit as the server sets it (on) for session start, step ends, "
                                   "interventions, errors and the end; off for the stages in between")
        out["commit"]["target_ms"] = 5
        out["commit_by_durability_policy"] = bench_durability_policies(new_store)
        load_ms = timed(lambda: store.load_session("bench50steps"), 5)
        fill_sessions(store, sessions)
        list_cpu: list[float] = []
        list_ms = timed(lambda: store.list_sessions(prompt_chars=100), 7, list_cpu)
        out["load_50_step_session_median_ms"] = round(statistics.median(load_ms), 1)
        out["list_sessions"] = {
            "sessions": len(store.list_sessions()),
            "median_store_list_ms": round(statistics.median(list_ms), 1),
            "median_store_list_cpu_ms": round(statistics.median(list_cpu), 1),
            "target_ms": 200,
        }
        store.close()
        return out
    finally:
        server.stop()


def fill_sessions(store, count: int) -> None:
    """`count` sessions straight into the table (the list query reads only this table)."""
    rng = random.Random(7)
    words = "a red bear above a silver spoon next to two blue cups under the tree on the left of a dog".split()
    now = time.time()
    rows = []
    for i in range(count):
        prompt = " ".join(rng.choice(words) for _ in range(rng.randrange(4, 40)))
        rows.append({
            "id": f"bench{i:07d}", "prompt": prompt, "backend": "sketchbook", "settings": {"error_rate": 0.3},
            "seed": i, "max_refines": 2, "max_steps": 8, "status": rng.choice(["completed", "completed", "stopped", "failed"]),
            "passed": rng.random() < 0.7, "created_at": now - i * 60, "updated_at": now - i * 60 + 5,
            "graph_planned": {"objects": [], "relations": []}, "step_count": rng.randrange(1, 8), "last_seq": 20,
        })
    store.db.write(lambda db: db.execute(sqlalchemy.insert(SessionRow), rows))


def timed(fn, repeat: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock ms per call; with `cpu`, this process's CPU ms per call go there too
    (the machine is shared, so CPU time shows the cost without other people's load)."""
    out = []
    for _ in range(repeat):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - c) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--import-events", type=int, default=200_000)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "store.json"))
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL part")
    args = parser.parse_args()
    results: dict = {
        "machine": {
            "platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "sqlalchemy": sqlalchemy.__version__,
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "note": "2-core VM shared with other running work (see load_avg); *_ms is wall-clock, *_cpu_ms is "
        "this process's CPU time. Commit times exclude PNG encoding; a sketch's commit includes writing "
        "and fsyncing its PNG file (and folder) before the row. fsync cost depends on the disk: this "
        "VM's virtual disk, not a laptop SSD.",
    }
    with tempfile.TemporaryDirectory(prefix="store-bench-") as tmp:
        db_path = Path(tmp) / "studio.db"
        store = open_store(db_path)

        results["commit"] = bench_commit(store, "bench50steps")
        results["commit"]["policy"] = "synchronous=FULL for session start, step ends, interventions, errors and the end; NORMAL for the stages in between"
        results["commit"]["target_ms"] = 5
        results["commit_by_durability_policy"] = bench_durability_policies(
            lambda name, mode: SessionStore(Path(tmp) / f"policy-{name}.db", synchronous=mode)
        )

        store.close()
        replay_ms, replay_cpu, load_ms = [], [], []
        for _ in range(5):
            s = open_store(db_path)  # cold-ish: a fresh store object each time
            c = time.process_time()
            t = time.perf_counter()
            events = list(s.replay("bench50steps"))
            replay_ms.append((time.perf_counter() - t) * 1000)
            replay_cpu.append((time.process_time() - c) * 1000)
            load_ms.extend(timed(lambda: s.load_session("bench50steps"), 1))
            s.close()
        sketches = sum(e.type == "sketch_ready" for e in events)
        assert all(e.image is not None for e in events if e.type == "sketch_ready")
        results["replay_50_steps"] = {
            "events": len(events), "images": sketches, "image_size": IMAGE_SIZE,
            "median_replay_with_images_ms": round(statistics.median(replay_ms), 1),
            "median_replay_with_images_cpu_ms": round(statistics.median(replay_cpu), 1),
            "median_load_session_ms": round(statistics.median(load_ms), 1),
            "target_ms": 1000,
        }

        store = open_store(db_path)
        fill_sessions(store, args.sessions)
        total = len(store.list_sessions())
        list_cpu: list[float] = []
        list_ms = timed(lambda: store.list_sessions(prompt_chars=100), 7, list_cpu)
        store.close()

        from stagestudio.cli import sessions as sessions_cli

        def cli_list() -> None:
            ns = argparse.Namespace(db=str(db_path), db_images=None, json=False, limit=None, status=None)
            with contextlib.redirect_stdout(io.StringIO()):
                sessions_cli.cmd_list(ns)

        cli_cpu: list[float] = []
        cli_ms = timed(cli_list, 7, cli_cpu)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "stagestudio", "sessions", "list", "--db", str(db_path)],
                              cwd=REPO, capture_output=True, text=True, check=True)
        process_ms = (time.perf_counter() - t) * 1000
        results["list_sessions"] = {
            "sessions": total,
            "median_store_list_ms": round(statistics.median(list_ms), 1),
            "median_store_list_cpu_ms": round(statistics.median(list_cpu), 1),
            "median_cli_list_in_process_ms": round(statistics.median(cli_ms), 1),
            "median_cli_list_in_process_cpu_ms": round(statistics.median(cli_cpu), 1),
            "cli_list_lines": len(proc.stdout.splitlines()),
            "cli_list_new_process_ms_incl_python_startup": round(process_ms, 1),
            "target_ms": 200,
        }
        results["import_beside_live_run"] = bench_import_beside_a_live_run(Path(tmp), args.import_events)
        if not args.no_postgres:
            results["postgresql"] = bench_postgres(Path(tmp), args.sessions)
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
