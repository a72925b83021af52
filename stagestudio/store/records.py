"""What the store hands out: plain dataclasses, detached from the database."""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep


def iso_time(ts: float) -> str:
    """UTC 'YYYY-MM-DD HH:MM:SS'; a value no calendar can show reads 'invalid time'."""
    try:
        return _time.strftime("%Y-%m-%d %H:%M:%S", _time.gmtime(ts))
    except (OverflowError, ValueError, OSError, TypeError):
        return "invalid time"


@dataclass
class SessionSummary:
    id: str
    prompt: str
    # running | completed | stopped | cancelled | failed | interrupted | importing |
    # import-failed | damaged (see store/validation.py)
    status: str
    step_count: int
    created_at: float
    updated_at: float
    backend: str
    parent_session_id: str | None = None
    branch_step: int | None = None
    passed: bool | None = None
    # Why this row is `damaged` (a field that no reader can use); None for a sound row.
    problem: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "created": iso_time(self.created_at),
            "updated_at": self.updated_at,
            "status": self.status,
            "steps": self.step_count,
            "passed": self.passed,
            "backend": self.backend,
            "parent_session_id": self.parent_session_id,
            "branch_step": self.branch_step,
            "prompt": self.prompt,
            "problem": self.problem,
        }


@dataclass
class AttemptRecord:
    step_index: int
    attempt: int
    stage: str  # sketch | refine
    instruction: str
    image_sha256: str | None
    image_path: Path | None
    image_missing: bool
    seed: int
    duration_s: float
    verdict: Verdict | None
    inspect_seed: int | None
    inspect_duration_s: float | None
    corrective_instruction: str | None
    created_at: float

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "step_index": self.step_index,
            "attempt": self.attempt,
            "stage": self.stage,
            "instruction": self.instruction,
            "image_sha256": self.image_sha256,
            "image_path": str(self.image_path) if self.image_path else None,
            "image_missing": self.image_missing,
            "seed": self.seed,
            "duration_s": self.duration_s,
            "verdict": self.verdict.model_dump(mode="json") if self.verdict else None,
            "inspect_seed": self.inspect_seed,
            "inspect_duration_s": self.inspect_duration_s,
            "corrective_instruction": self.corrective_instruction,
        }


@dataclass
class StepRecord:
    session_id: str  # the session that owns the row (an ancestor's for inherited steps)
    inherited: bool
    index: int
    planned: PlanStep  # as the planner made it
    step: PlanStep  # as executed (after a person's edits)
    seed: int
    status: str  # planned | passed | failed | overridden | skipped | abandoned
    accepted_attempt: int | None
    canvas_sha256: str | None
    attempts: list[AttemptRecord] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.status in ("passed", "failed", "overridden", "skipped", "unsure")

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "session_id": self.session_id,
            "inherited": self.inherited,
            "status": self.status,
            "planned": self.planned.model_dump(mode="json"),
            "step": self.step.model_dump(mode="json"),
            "seed": self.seed,
            "accepted_attempt": self.accepted_attempt,
            "canvas_sha256": self.canvas_sha256,
            "attempts": [a.to_json_dict() for a in self.attempts],
        }


@dataclass
class InterventionRecord:
    seq: int
    kind: str
    step_index: int | None
    attempt: int | None
    before: dict[str, Any]
    after: dict[str, Any]
    created_at: float
    abandoned: bool = False  # made on a step a resume later re-planned

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "step_index": self.step_index,
            "attempt": self.attempt,
            "before": self.before,
            "after": self.after,
            "abandoned": self.abandoned,
        }


@dataclass
class SessionRecord(SessionSummary):
    settings: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    max_refines: int = 0
    max_steps: int = 0
    graph_planned: SceneGraph | None = None
    graph_edited: SceneGraph | None = None
    final_verdict: Verdict | None = None
    last_error: str | None = None
    last_seq: int = -1
    event_count: int = 0
    writer_pid: int | None = None
    writer_host: str | None = None
    # Effective steps in order: inherited ones (forks) first, then this session's own.
    steps: list[StepRecord] = field(default_factory=list)
    # Steps a resume re-planned (kept for the record, not part of the result).
    abandoned_steps: list[StepRecord] = field(default_factory=list)
    interventions: list[InterventionRecord] = field(default_factory=list)
    # Images the database refers to whose files are gone from the images folder.
    missing_images: list[str] = field(default_factory=list)

    @property
    def graph(self) -> SceneGraph:
        """The graph the session ran with (edited if it was edited)."""
        graph = self.graph_edited or self.graph_planned
        assert graph is not None
        return graph

    @property
    def completed_steps(self) -> list[StepRecord]:
        return [s for s in self.steps if s.completed]

    def to_json_dict(self) -> dict[str, Any]:
        data = super().to_json_dict()
        data.update(
            {
                "settings": self.settings,
                "seed": self.seed,
                "max_refines": self.max_refines,
                "max_steps": self.max_steps,
                "graph_planned": self.graph_planned.model_dump(mode="json") if self.graph_planned else None,
                "graph_edited": self.graph_edited.model_dump(mode="json") if self.graph_edited else None,
                "final_verdict": self.final_verdict.model_dump(mode="json") if self.final_verdict else None,
                "last_error": self.last_error,
                "last_seq": self.last_seq,
                "event_count": self.event_count,
                "writer_pid": self.writer_pid,
                "writer_host": self.writer_host,
                "steps": [s.to_json_dict() for s in self.steps],
                "abandoned_steps": [s.to_json_dict() for s in self.abandoned_steps],
                "interventions": [i.to_json_dict() for i in self.interventions],
                "missing_images": self.missing_images,
            }
        )
        return data
