"""Stored sessions -> PSIR records.

Each completed step of a session becomes one record: the prompt, the scene graph, the
canvas before the step, the plan as proposed and as executed, every sketch with its
inspection, the corrections and who wrote them. The provenance comes from the session's
stored interventions (edit, override, correct, resketch, skip, accept), so examples a person
decided can be kept apart or weighted.

A fork's inherited steps belong to its parent and are exported with the parent, never twice.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from stagestudio.loop.engine import GENERIC_CORRECTION
from stagestudio.psir.dataset import (
    Attempt,
    DatasetWriter,
    HumanVerdict,
    ImageRef,
    Inspection,
    PlanText,
    Provenance,
    PsirRecord,
    SourceEntry,
    image_file_name,
)
from stagestudio.scene.plan import PlanStep
from stagestudio.store import InterventionRecord, SessionRecord, SessionStore, StepRecord


@dataclass(frozen=True)
class ExportFilters:
    backend: str | None = None
    since: float | None = None  # created at or after (epoch seconds)
    until: float | None = None  # created before
    passed_only: bool = False  # sessions whose final whole-prompt inspection passed
    human_only: bool = False  # records a person touched (edit, override, correction, ...)
    session_ids: tuple[str, ...] = ()

    def to_json_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False, ())}


def parse_day(text: str, *, end: bool = False) -> float:
    """'YYYY-MM-DD' (UTC) -> epoch seconds of its start (or of the next day's start, `end`)."""
    try:
        day = dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None
    if end:
        day += dt.timedelta(days=1)
    return day.timestamp()


@dataclass
class ExportReport:
    sessions_seen: int = 0
    sessions_exported: int = 0
    records_added: int = 0
    records_existing: int = 0
    records_filtered: int = 0
    skipped_sessions: list[tuple[str, str]] = field(default_factory=list)
    missing_images: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"sessions: {self.sessions_exported} exported of {self.sessions_seen} matching",
            f"records: {self.records_added} added, {self.records_existing} already there, "
            f"{self.records_filtered} filtered out",
        ]
        out += [f"skipped session {sid}: {why}" for sid, why in self.skipped_sessions]
        if self.missing_images:
            out.append(f"{len(self.missing_images)} image(s) missing from the store (their examples will be skipped): "
                       + ", ".join(self.missing_images[:5]))
        return out


def _plan_text(step: PlanStep) -> PlanText:
    return PlanText(instruction=step.instruction, description=step.description, object_ids=list(step.object_ids),
                    source=step.source)


def _image_ref(store: SessionStore, sha: str | None) -> tuple[ImageRef | None, Path | None]:
    if not sha:
        return None, None
    path = store.images.path_for(sha)
    try:
        with Image.open(path) as img:  # header only: the size, not the pixels
            width, height = img.size
    except (OSError, ValueError):
        return None, None
    return ImageRef(file=image_file_name(sha), width=width, height=height), path


class _Interventions:
    """A session's live (not abandoned) interventions, looked up by step and attempt."""

    def __init__(self, items: Iterable[InterventionRecord]) -> None:
        self.items = [i for i in items if not i.abandoned]

    def of_step(self, index: int) -> list[InterventionRecord]:
        return [i for i in self.items if i.step_index == index]

    def find(self, index: int, kind: str, attempt: int | None = None) -> InterventionRecord | None:
        for i in self.of_step(index):
            if i.kind == kind and (attempt is None or i.attempt == attempt):
                return i
        return None


def _attempts(store: SessionStore, step: StepRecord, interventions: _Interventions,
              images: dict[str, Path], missing: list[str]) -> list[Attempt]:
    out: list[Attempt] = []
    resketched = {i.attempt + 1 for i in interventions.of_step(step.index) if i.kind == "resketch" and i.attempt is not None}
    for a in step.attempts:
        ref, path = _image_ref(store, a.image_sha256)
        if ref is not None and path is not None:
            images[ref.file] = path
        elif a.image_sha256:
            missing.append(a.image_sha256)
        inspection = None
        if a.verdict is not None:
            v = a.verdict
            inspection = Inspection(passed=v.passed, label=v.label, facts=list(v.facts), critique=v.critique,
                                    correction=v.correction)
        override = interventions.find(step.index, "override", a.attempt)
        human = HumanVerdict(passed=bool(override.after.get("passed")), reason=str(override.after.get("reason", ""))) \
            if override else None
        correction_source = None
        if a.corrective_instruction is not None:
            if interventions.find(step.index, "correct", a.attempt) is not None:
                correction_source = "human"
            elif a.corrective_instruction == GENERIC_CORRECTION:
                correction_source = "generic"
            else:
                correction_source = "inspector"
        out.append(Attempt(
            attempt=a.attempt, stage=a.stage, instruction=a.instruction, image=ref, inspection=inspection,
            human_verdict=human, correction=a.corrective_instruction, correction_source=correction_source,
            resketched_by_human=a.attempt in resketched,
        ))
    return out


def _provenance(session: SessionRecord, step: StepRecord, interventions: _Interventions, origin: str,
                attempts: list[Attempt]) -> Provenance:
    mine = interventions.of_step(step.index)
    kinds = {i.kind for i in mine}
    return Provenance(
        origin=origin, session_id=session.id, backend=session.backend, created_at=session.created_at,
        seed=session.seed, settings=dict(session.settings or {}), plan_proposal=_plan_text(step.planned),
        plan_edited="edit" in kinds, accepted="accept" in kinds,
        overridden_attempts=[a.attempt for a in attempts if a.human_verdict is not None],
        corrected_attempts=[a.attempt for a in attempts if a.correction_source == "human"],
        resketched_attempts=[a.attempt for a in attempts if a.resketched_by_human],
        skipped="skip" in kinds,
        interventions=[i.to_json_dict() for i in mine],
    )


@dataclass
class SessionRecords:
    records: list[PsirRecord]
    images: dict[str, Path]  # dataset image name -> PNG in the store
    missing_images: list[str]


def records_from_session(store: SessionStore, session: SessionRecord, origin: str = "studio") -> SessionRecords:
    """One record per completed step the session itself ran (inherited steps excluded)."""
    interventions = _Interventions(session.interventions)
    images: dict[str, Path] = {}
    missing: list[str] = []
    records: list[PsirRecord] = []
    drawn: list[str] = []
    canvas_sha: str | None = None
    for step in session.completed_steps:
        if not step.inherited:
            canvas_ref, canvas_path = _image_ref(store, canvas_sha)
            if canvas_ref is not None and canvas_path is not None:
                images[canvas_ref.file] = canvas_path
            elif canvas_sha:
                missing.append(canvas_sha)
            attempts = _attempts(store, step, interventions, images, missing)
            records.append(PsirRecord(
                id=f"{session.id}:{step.index}", prompt=session.prompt, graph=session.graph,
                step_index=step.index, steps_before=list(drawn), canvas_before=canvas_ref,
                plan=_plan_text(step.step), target=step.step.target_graph(session.graph, _realised_before(session, step)),
                attempts=attempts, outcome=step.status, accepted_attempt=step.accepted_attempt,
                session_passed=session.passed,
                provenance=_provenance(session, step, interventions, origin, attempts),
            ))
        if step.status != "skipped":
            drawn.append(step.step.instruction)
            canvas_sha = step.canvas_sha256 or canvas_sha
    return SessionRecords(records, images, sorted(set(missing)))


def _realised_before(session: SessionRecord, step: StepRecord) -> list[str]:
    realised: list[str] = []
    for s in session.completed_steps:
        if s.index >= step.index:
            break
        if s.status != "skipped":
            realised.extend(i for i in s.step.object_ids if i not in realised)
    return realised


def _session_matches(summary, filters: ExportFilters) -> str | None:
    """None when the session passes the session-level filters, else why not."""
    if filters.session_ids and summary.id not in filters.session_ids:
        return "not selected"
    if filters.backend and summary.backend != filters.backend:
        return f"backend {summary.backend}"
    if filters.since is not None and summary.created_at < filters.since:
        return "too old"
    if filters.until is not None and summary.created_at >= filters.until:
        return "too new"
    if filters.passed_only and summary.passed is not True:
        return "did not pass"
    return None


def export_sessions(store: SessionStore, out: str | Path, filters: ExportFilters = ExportFilters(),
                    origin: str = "studio") -> ExportReport:
    """Append the records of every matching stored session to the dataset at `out`."""
    report = ExportReport()
    summaries = [s for s in store.list_sessions() if _session_matches(s, filters) is None]
    unknown = set(filters.session_ids) - {s.id for s in store.list_sessions()}
    report.skipped_sessions.extend((sid, "not in this store") for sid in sorted(unknown))
    source = SourceEntry(kind="export" if origin == "studio" else "synth", at=time.time(),
                         detail={"db": str(store.location), "filters": filters.to_json_dict()})
    with DatasetWriter(out, source) as writer:
        for summary in reversed(summaries):  # oldest first: records.jsonl reads in history order
            report.sessions_seen += 1
            if summary.status == "running":
                report.skipped_sessions.append((summary.id, "still running"))
                continue
            found = records_from_session(store, store.load_session(summary.id), origin)
            report.missing_images.extend(found.missing_images)
            added_any = False
            for record in found.records:
                if filters.human_only and not record.human_touched:
                    report.records_filtered += 1
                    continue
                if writer.add(record, found.images):
                    report.records_added += 1
                    added_any = True
                else:
                    report.records_existing += 1
            report.sessions_exported += int(added_any)
    return report
