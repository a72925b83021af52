"""The PSIR training-data format: one record per executed step, as JSON lines, plus the
pictures as content-addressed PNG files and a small manifest.

    DATASET/
      dataset.json          format name and version, counts, where the records came from
      records.jsonl         one `PsirRecord` per line
      images/<sha256>.png   every picture a record refers to (name = hash of the file)

The folder is also loadable with Hugging Face `datasets` (`load_dataset("json",
data_files="DATASET/records.jsonl")`); image fields are paths relative to the folder.
docs/training_data.md describes every field.

Writing is append-only and idempotent (a record whose id is already there is skipped), so an
export can be repeated and a synthesis run resumed. Reading never trusts the files: a line
that is not a valid record is reported with its line number and skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stagestudio.inspector.verdict import FactResult
from stagestudio.scene.graph import SceneGraph

FORMAT_NAME = "stagestudio.psir"
FORMAT_VERSION = 1
MANIFEST_FILE = "dataset.json"
RECORDS_FILE = "records.jsonl"
IMAGES_DIR = "images"

StepOutcome = Literal["passed", "failed", "overridden", "skipped", "unsure"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImageRef(_Strict):
    """A picture of the dataset: its file (relative to the folder) and its size, so a reader
    can tell a swapped or truncated file from the one the record was written with."""

    file: str
    width: int
    height: int


class PlanText(_Strict):
    """A step's `<ins>` (instruction) and `<des>` (description of the picture after it)."""

    instruction: str
    description: str
    object_ids: list[str] = Field(default_factory=list)
    source: str = "planner"  # planner | model | fallback | user


class Inspection(_Strict):
    """What the inspector (a model or the detector + checker) said about one sketch."""

    passed: bool
    label: Literal["pass", "fail", "unsure"]
    facts: list[FactResult] = Field(default_factory=list)
    critique: str = ""
    correction: str = ""


class HumanVerdict(_Strict):
    """A person's override of the inspector's verdict."""

    passed: bool
    reason: str = ""


class Attempt(_Strict):
    attempt: int  # 0 = first sketch, 1.. = refinements or re-sketches
    stage: Literal["sketch", "refine"]
    instruction: str  # what the sketcher was asked: the step's instruction, or a correction
    image: ImageRef | None
    inspection: Inspection | None = None
    human_verdict: HumanVerdict | None = None
    # The correction that produced the next attempt, and who wrote it.
    correction: str | None = None
    correction_source: Literal["inspector", "generic", "human"] | None = None
    resketched_by_human: bool = False  # this attempt is a person's re-sketch with a new instruction

    @property
    def final_passed(self) -> bool | None:
        """The verdict that counted: a person's override, else the inspector's (None: not inspected)."""
        if self.human_verdict is not None:
            return self.human_verdict.passed
        return self.inspection.passed if self.inspection is not None else None


class Provenance(_Strict):
    """Where a record came from, and which of its parts a person decided."""

    origin: Literal["studio", "synth"]
    session_id: str
    backend: str
    created_at: float
    seed: int
    settings: dict[str, Any] = Field(default_factory=dict)
    plan_proposal: PlanText  # the step as the planner (or model) proposed it
    plan_edited: bool = False  # a person edited the instruction/description before sketching
    accepted: bool = False  # a person explicitly accepted (an `accept` intervention)
    overridden_attempts: list[int] = Field(default_factory=list)
    corrected_attempts: list[int] = Field(default_factory=list)  # a person wrote the correction
    resketched_attempts: list[int] = Field(default_factory=list)
    skipped: bool = False
    interventions: list[dict[str, Any]] = Field(default_factory=list)  # as stored, for audits

    @property
    def human_touched(self) -> bool:
        return bool(
            self.plan_edited or self.accepted or self.overridden_attempts or self.corrected_attempts
            or self.resketched_attempts or self.skipped
        )


class PsirRecord(_Strict):
    """One executed step: plan, sketches, inspections, corrections, and provenance."""

    id: str  # "<session id>:<step index>"
    prompt: str
    graph: SceneGraph
    step_index: int
    steps_before: list[str] = Field(default_factory=list)  # instructions already drawn
    canvas_before: ImageRef | None = None  # the accepted picture before this step
    plan: PlanText  # as executed (after a person's edit, if any)
    target: SceneGraph  # what must be visible once the step is done
    attempts: list[Attempt] = Field(default_factory=list)
    outcome: StepOutcome
    accepted_attempt: int | None = None
    session_passed: bool | None = None  # the final whole-prompt inspection
    provenance: Provenance

    @property
    def human_touched(self) -> bool:
        return self.provenance.human_touched

    def image_refs(self) -> list[ImageRef]:
        refs = [self.canvas_before] if self.canvas_before else []
        return refs + [a.image for a in self.attempts if a.image is not None]


class SourceEntry(_Strict):
    kind: Literal["export", "synth"]
    at: float
    detail: dict[str, Any] = Field(default_factory=dict)


class Manifest(_Strict):
    format: str = FORMAT_NAME
    version: int = FORMAT_VERSION
    created_at: float = Field(default_factory=time.time)
    updated_at: float = Field(default_factory=time.time)
    records: int = 0
    images: int = 0
    human_touched: int = 0
    sources: list[SourceEntry] = Field(default_factory=list)


class DatasetError(ValueError):
    """A folder is not a usable PSIR dataset; the message says why."""


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST_FILE
    try:
        manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{folder} is not a PSIR dataset (no {MANIFEST_FILE}); create one with `psir export` "
                           f"or `psir synth`") from None
    except ValidationError as exc:
        raise DatasetError(f"{path} is not a PSIR manifest: {exc.errors()[0]['msg']}") from None
    if manifest.format != FORMAT_NAME or manifest.version > FORMAT_VERSION:
        raise DatasetError(f"{path} holds format {manifest.format!r} version {manifest.version}; this StageStudio "
                           f"reads {FORMAT_NAME!r} up to version {FORMAT_VERSION}")
    return manifest


class DatasetWriter:
    """Appends records (and copies their pictures) into a dataset folder.

        with DatasetWriter(folder, source=SourceEntry(kind="export", ...)) as writer:
            writer.add(record, {sha: path_of_png, ...})
    """

    def __init__(self, folder: str | os.PathLike[str], source: SourceEntry) -> None:
        self.folder = Path(folder)
        try:
            (self.folder / IMAGES_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatasetError(f"cannot create dataset folder {self.folder}: {exc.strerror or exc}") from exc
        self.manifest = read_manifest(self.folder) if (self.folder / MANIFEST_FILE).exists() else Manifest()
        self.manifest.sources.append(source)
        self.ids: set[str] = {r.id for r in read_records(self.folder).records}
        self.added = 0
        self.skipped_existing = 0
        self._records = open(self.folder / RECORDS_FILE, "a", encoding="utf-8")

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, record_id: str) -> bool:
        return record_id in self.ids

    def add(self, record: PsirRecord, image_files: dict[str, Path]) -> bool:
        """Write `record` unless its id is already there; `image_files` maps each referenced
        image file name (`images/<sha>.png`) to a PNG to copy. False when it was a duplicate."""
        if record.id in self.ids:
            self.skipped_existing += 1
            return False
        for ref in record.image_refs():
            target = self.folder / ref.file
            if not target.exists():
                source = image_files.get(ref.file)
                if source is None:
                    raise DatasetError(f"record {record.id} refers to {ref.file}, which was not given")
                tmp = target.with_name(f".{target.name}.tmp")
                shutil.copyfile(source, tmp)
                os.replace(tmp, target)
        # One line per record, flushed as it is written: a killed job keeps every whole line.
        self._records.write(record.model_dump_json() + "\n")
        self._records.flush()
        self.ids.add(record.id)
        self.added += 1
        self.manifest.records += 1
        self.manifest.human_touched += int(record.human_touched)
        return True

    def close(self) -> None:
        if self._records.closed:
            return
        self._records.close()
        self.manifest.images = sum(1 for _ in (self.folder / IMAGES_DIR).glob("*.png"))
        self.manifest.updated_at = time.time()
        _atomic_write_text(self.folder / MANIFEST_FILE, self.manifest.model_dump_json(indent=1) + "\n")


def image_file_name(sha256: str) -> str:
    return f"{IMAGES_DIR}/{sha256}.png"


@dataclass(frozen=True)
class Problem:
    """A record (or one example of it) that cannot be used, and why."""

    where: str  # "line 12" or a record id
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class RecordsRead:
    records: list[PsirRecord]
    problems: list[Problem]


def iter_record_lines(folder: Path) -> Iterator[tuple[int, str]]:
    path = folder / RECORDS_FILE
    if not path.exists():
        return
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                yield number, line


def read_records(folder: str | os.PathLike[str]) -> RecordsRead:
    """Every valid record of the dataset; every other line becomes a `Problem`."""
    folder = Path(folder)
    records: list[PsirRecord] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, line in iter_record_lines(folder):
        try:
            data = json.loads(line)
            record = PsirRecord.model_validate(data)
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"line {number}", f"not JSON ({exc.msg})"))
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "record"
            problems.append(Problem(f"line {number}", f"not a PSIR record ({where}: {first['msg']})"))
            continue
        if record.id in seen:
            problems.append(Problem(f"line {number}", f"duplicate record id {record.id}"))
            continue
        seen.add(record.id)
        records.append(record)
    return RecordsRead(records, problems)
