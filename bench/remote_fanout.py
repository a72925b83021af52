"""GenEval generation fanned out over test-server endpoints: images/minute and how busy each
endpoint was, for 1 endpoint x 1 session, 2 endpoints x 2 sessions and 2 endpoints x 4 sessions.

The endpoints are `serve-omni` apps (our own BAGEL, the tiny random-weight checkpoint, fp32,
32 px, 2 schedule points) in threads of this process, talked to over real HTTP on 127.0.0.1.
On a CPU machine the endpoints share the same cores, so this measures the harness and the
client (that every endpoint is kept busy, what fan-out costs), not what a second GPU buys:
with real vLLM-Omni servers each endpoint brings its own GPU.

    python bench/remote_fanout.py --model ../shared/fixtures/bagel --prompts 12 \\
        --out bench/results/remote_fanout.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stagestudio.backends.remote.backend import RemoteBackend  # noqa: E402
from stagestudio.eval import harness  # noqa: E402
from stagestudio.omni_server.app import OmniApp  # noqa: E402
from stagestudio.omni_server.bagel_model import BagelOmniModel  # noqa: E402
from stagestudio.omni_server.threaded import ThreadedServer  # noqa: E402

SETTINGS = {"resolution": 32, "num_timesteps": 2, "graph": "parser", "max_plan_tokens": 4, "max_answer_tokens": 3}
RUNS = [(1, 1), (2, 2), (2, 4)]  # (endpoints, concurrent sessions)


def run(endpoints: list[str], concurrency: int, prompts, out: Path) -> dict:
    backend = RemoteBackend(endpoints=endpoints, **SETTINGS)
    generator = harness.LoopGenerator(backend, "staged", max_refines=0)
    report = harness.generate_geneval(generator, prompts, out, images_per_prompt=1, concurrency=concurrency)
    usage = backend.endpoint_usage()
    return {
        "endpoints": len(endpoints), "concurrency": concurrency, "images": report.made,
        "failed": len(report.failed), "elapsed_s": round(report.elapsed_s, 2),
        "images_per_minute": round(report.images_per_minute or 0.0, 1),
        "per_endpoint": [{"sessions": u.sessions, "requests": u.requests,
                          "busy_share": round(u.busy_s / report.elapsed_s, 3) if report.elapsed_s else None}
                         for u in usage],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "bagel"))
    parser.add_argument("--metadata", default=None, help="GenEval metadata (default: next to --model's shared folder)")
    parser.add_argument("--prompts", type=int, default=12)
    parser.add_argument("--out", default="bench/results/remote_fanout.json")
    args = parser.parse_args()
    metadata_path = args.metadata or Path(args.model).parent.parent / "data" / "geneval" / "evaluation_metadata.jsonl"
    prompts = harness.select_prompts(harness.load_geneval_metadata(metadata_path), limit=args.prompts)

    servers = []
    for _ in range(max(e for e, _ in RUNS)):
        model = BagelOmniModel(args.model, precision="fp32", device="cpu", served_name="tiny")
        model.load()
        servers.append(ThreadedServer(OmniApp(model, "tiny")).start())
    results = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            # First-use costs (parser and planner caches, each model's first calls) are paid here,
            # on every prompt and endpoint, so the measured runs compare like with like.
            run([s.url for s in servers], len(servers), prompts, Path(scratch) / "warm-up")
            for endpoints, concurrency in RUNS:
                started = time.perf_counter()
                result = run([s.url for s in servers[:endpoints]], concurrency, prompts,
                             Path(scratch) / f"e{endpoints}-c{concurrency}")
                results.append(result)
                print(f"{endpoints} endpoint(s) x {concurrency} session(s): {result['images_per_minute']} images/minute "
                      f"({result['images']} in {time.perf_counter() - started:.1f} s); busy "
                      + ", ".join(str(p["busy_share"]) for p in result["per_endpoint"]), flush=True)
    finally:
        for server in servers:
            server.stop()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "what": "GenEval staged generation through the remote backend over serve-omni endpoints (tiny BAGEL, CPU)",
        "settings": {**SETTINGS, "prompts": len(prompts), "images_per_prompt": 1, "max_refines": 0},
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_average_1m": round(os.getloadavg()[0], 2)},
        "runs": results,
    }, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
