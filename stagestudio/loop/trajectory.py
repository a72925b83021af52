"""Writes a run to a folder: one PNG per sketch and `trajectory.json` with every event.

The JSON is rewritten atomically after each step, so an interrupted run still leaves a
readable trajectory of everything completed."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from stagestudio.loop.events import Event, SketchReady

TRAJECTORY_FILE = "trajectory.json"


def sketch_filename(event: SketchReady) -> str:
    return f"step{event.step_index + 1:02d}_attempt{event.attempt}_{event.stage}.png"


class TrajectoryWriter:
    def __init__(self, out_dir: str | os.PathLike[str], notes: list[str] | None = None) -> None:
        self.out_dir = Path(out_dir)
        # Things the caller wants on record beside the events (e.g. how the seed was chosen).
        self.notes = list(notes or [])
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.events: list[dict[str, Any]] = []
        self.images: list[str] = []

    def write(self, event: Event) -> None:
        data = event.to_json_dict()
        if isinstance(event, SketchReady) and event.image is not None:
            name = sketch_filename(event)
            event.image.save(self.out_dir / name, format="PNG")
            data["file"] = name
            self.images.append(name)
        self.events.append(data)
        if event.type in ("step_completed", "session_done", "error"):
            self.flush()

    @property
    def path(self) -> Path:
        return self.out_dir / TRAJECTORY_FILE

    def flush(self) -> None:
        started = next((e for e in self.events if e["type"] == "session_started"), {})
        done = next((e for e in reversed(self.events) if e["type"] == "session_done"), None)
        body = {
            "session_id": started.get("session_id"),
            "prompt": started.get("prompt"),
            "seed": started.get("seed"),
            "backend": started.get("backend"),
            "settings": started.get("settings"),
            "notes": self.notes,
            "status": done["status"] if done else "running",
            "passed": done["passed"] if done else None,
            "images": self.images,
            "events": self.events,
        }
        fd, tmp = tempfile.mkstemp(dir=self.out_dir, prefix=".trajectory-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)
