"""Shared by the store tests: a scripted backend whose images depend only on seeds (so
re-runs are bit-identical), and a script entry point that records a slow run into a
database (the kill -9 test runs it in a subprocess).

    python tests/store_support.py --db DB [--db-images DIR] SESSION_ID [--delay S] [--objects N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stagestudio.backends.base import SingleModelBackend  # noqa: E402
from stagestudio.inspector.verdict import FactResult, Verdict  # noqa: E402
from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneObject  # noqa: E402
from stagestudio.scene.plan import PlanStep  # noqa: E402

NAMES = ["bear", "spoon", "cup", "dog", "cat", "car", "tree", "kite", "boat", "lamp", "chair", "book"]


def make_graph(objects: int = 2) -> SceneGraph:
    objs = [
        SceneObject(id=f"o{i + 1}", name=NAMES[i % len(NAMES)], attributes=ObjectAttributes(color="red" if i % 2 else None))
        for i in range(objects)
    ]
    rels = [Relation(subject="o1", predicate="above", object="o2")] if objects >= 2 else []
    return SceneGraph(objects=objs, relations=rels)


class StoreTestBackend(SingleModelBackend):
    """One step per object; the first sketch of each step in `fail_steps` fails
    inspection and gets refined. Images are a pure function of the stage seed."""

    name = "store-test"

    def __init__(self, objects: int = 2, fail_steps=(1,), delay: float = 0.0, size: int = 16, variant: int = 0) -> None:
        super().__init__()
        self.objects = objects
        self.fail_steps = set(fail_steps)
        self.delay = delay
        self.size = size
        self.variant = variant  # a non-zero variant draws different pixels (for "different" re-runs)

    def settings(self):
        return {"objects": self.objects, "fail_steps": sorted(self.fail_steps), "delay": self.delay, "size": self.size}

    def extract_graph(self, prompt):
        return make_graph(self.objects)

    def plan(self, request):
        covered = {i for s in request.done for i in s.object_ids}
        for o in request.graph.objects:
            if o.id not in covered:
                return PlanStep(index=0, instruction=f"Add the {o.name}.", description=f"a {o.name}", object_ids=[o.id])
        return None

    def _image(self, seed: int, ok: bool) -> Image.Image:
        if self.delay:
            time.sleep(self.delay)
        img = Image.new("RGB", (self.size, self.size), ((seed + self.variant) % 256, 0 if ok else 255, (seed >> 8) % 256))
        img.putpixel((1, 1), (seed % 7, seed % 11, seed % 13))
        return img

    def sketch(self, request, hooks=None):
        return self._image(request.seed, request.step.index not in self.fail_steps)

    def inspect(self, request, hooks=None):
        ok = request.image.getpixel((0, 0))[1] == 0
        facts = [FactResult(kind="presence", fact="the thing", passed=ok, object_ids=["o1"])]
        return Verdict(passed=ok, facts=facts, critique="" if ok else "the thing is missing", correction="" if ok else "add the thing")

    def refine(self, request, hooks=None):
        return self._image(request.seed, True)


def write_big_archive(path: Path, events: int, session_id: str = "bigimport") -> Path:
    """A valid session archive with `events` events (a session whose person pressed
    "accept" very many times), built directly as the export format: big in rows, small
    as a zip, the way a careless or hostile user would make one."""
    import json
    import zipfile

    from stagestudio.store import migrations
    from stagestudio.store.archive import ARCHIVE_FORMAT, ARCHIVE_VERSION

    graph = make_graph(1).model_dump(mode="json")
    at = 1_700_000_000.0
    log = [{"session_id": session_id, "seq": 0, "at": at, "type": "session_started", "prompt": "many clicks",
            "graph": graph, "seed": 1, "backend": "store-test", "settings": {}, "max_refines": 2, "max_steps": 8,
            "parent_session_id": None, "branch_step": None}]
    for seq in range(1, events - 1):
        log.append({"session_id": session_id, "seq": seq, "at": at + seq * 1e-3, "type": "intervention",
                    "kind": "accept", "step_index": None, "attempt": None, "before": {}, "after": {}})
    log.append({"session_id": session_id, "seq": events - 1, "at": at + events * 1e-3, "type": "session_done",
                "status": "stopped", "passed": None, "steps": 0})
    meta = {"id": session_id, "status": "stopped", "created_at": at, "updated_at": log[-1]["at"],
            "graph_planned": graph, "graph_edited": None, "prompt": "many clicks", "backend": "store-test",
            "settings": {}, "seed": 1, "max_refines": 2, "max_steps": 8, "passed": None, "parent_session_id": None,
            "branch_step": None, "final_verdict": None, "step_count": 0, "last_seq": events - 1, "last_error": None}
    manifest = {"format": ARCHIVE_FORMAT, "format_version": ARCHIVE_VERSION, "schema_revision": migrations.SCHEMA_HEAD,
                "session_id": session_id, "sessions": [{"meta": meta, "events": log}], "images": {}}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("session.json", json.dumps(manifest, separators=(",", ":")))
    return path


def main(argv: list[str] | None = None) -> int:
    from stagestudio.loop.engine import LoopEngine, RunConfig
    from stagestudio.store import SessionRecorder, open_store

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="a SQLite file or a PostgreSQL URL")
    parser.add_argument("--db-images", default=None, help="a PostgreSQL store's image folder")
    parser.add_argument("session_id")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--objects", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    backend = StoreTestBackend(objects=args.objects, delay=args.delay)
    store = open_store(args.db, images=args.db_images)
    engine = LoopEngine(backend)
    events = engine.run("a scripted scene", config=RunConfig(seed=args.seed, max_steps=args.objects), session_id=args.session_id)
    for event in SessionRecorder(store).record(events):
        print(event.seq, event.type, flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
