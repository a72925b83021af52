"""PSIR records -> training examples, one task at a time, following the paper's selection:

* plan / sketch — only from consistent sequences: the session's final inspection passed and
  the step's accepted sketch passed (or a person passed it). The sketch target is the
  accepted picture.
* inspect — every inspected sketch: a consistent one teaches `<verdict>consistent`, an
  inconsistent one the facts, critique and correction. A person's override or correction
  replaces the inspector's label. Unsure verdicts carry no label and are left out.
* refine — a failed sketch, its correction, and the next attempt when that one passed.

Every example is checked before it is used: its pictures must exist, open, have the size the
record says and fit the model (sketch targets the size of their canvas), and its texts must
not be empty. Whatever fails is reported (`Rejection`) and skipped, never raised: one bad
record must not stop a long job.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Union

from PIL import Image

from stagestudio.psir import formats
from stagestudio.psir.dataset import Attempt, ImageRef, PsirRecord, RecordsRead

Task = Literal["plan", "sketch", "inspect", "refine"]
MIN_IMAGE_SIDE = 16  # one latent token (VAE 8x, 2x2 patches)
MAX_IMAGE_SIDE = 4096


@dataclass(frozen=True)
class TextPart:
    text: str
    loss: bool = False  # the model must produce it (language loss)
    cfg: bool = False  # a generation condition that classifier-free-guidance training may drop


@dataclass(frozen=True)
class ImagePart:
    path: Path
    vae: bool = True  # through the VAE (latents, generation expert)
    vit: bool = True  # through the ViT (understanding)
    target: bool = False  # the model must produce it (flow-matching loss); VAE only
    cfg: bool = False


Part = Union[TextPart, ImagePart]


@dataclass(frozen=True)
class Example:
    task: Task
    record_id: str
    parts: tuple[Part, ...]
    human: bool = False  # a person decided part of it
    weight: float = 1.0


@dataclass(frozen=True)
class Rejection:
    record_id: str
    task: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record_id} ({self.task}): {self.reason}"


@dataclass
class ExampleSet:
    examples: list[Example] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(e.task for e in self.examples))

    def rejection_counts(self) -> dict[str, int]:
        """'task: reason' -> how many (reasons without record-specific details)."""
        return dict(Counter(f"{r.task}: {r.reason.split(' (')[0]}" for r in self.rejections))


@dataclass(frozen=True)
class ExamplePolicy:
    tasks: tuple[str, ...] = formats.TASKS
    human_only: bool = False
    human_weight: float = 1.0  # loss weight of examples a person decided
    require_consistent_session: bool = True  # plan/sketch only from sessions whose final check passed


class _Invalid(Exception):
    """An example cannot be built; the message is the reason reported."""


class _Images:
    """Checks each picture once: exists, opens, has the recorded size, fits the model."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._checked: dict[str, str | None] = {}

    def path(self, ref: ImageRef | None, what: str) -> Path:
        if ref is None:
            raise _Invalid(f"missing image: the {what} was not stored")
        problem = self._checked.get(ref.file, "unchecked")
        if problem == "unchecked":
            problem = self._check(ref)
            self._checked[ref.file] = problem
        if problem:
            raise _Invalid(f"{problem} ({what} {ref.file})")
        return self.folder / ref.file

    def _check(self, ref: ImageRef) -> str | None:
        path = self.folder / ref.file
        if not path.is_file():
            return "missing image"
        try:
            with Image.open(path) as img:
                img.verify()
            with Image.open(path) as img:
                size = img.size
        except Exception as exc:  # noqa: BLE001 - any decoding failure makes the file unusable
            return f"unreadable image: {type(exc).__name__}"
        if size != (ref.width, ref.height):
            return f"wrong size: file is {size[0]}x{size[1]}, record says {ref.width}x{ref.height}"
        if min(size) < MIN_IMAGE_SIDE or max(size) > MAX_IMAGE_SIDE:
            return f"wrong size: {size[0]}x{size[1]} is outside {MIN_IMAGE_SIDE}..{MAX_IMAGE_SIDE} pixels per side"
        return None


def _text(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise _Invalid(f"empty text: the {what} is empty")
    return value.strip()


def _same_size(a: ImageRef | None, b: ImageRef | None, what: str) -> None:
    if a is not None and b is not None and (a.width, a.height) != (b.width, b.height):
        raise _Invalid(f"wrong size: {what} {b.width}x{b.height} differs from the canvas {a.width}x{a.height}")


def _accepted(record: PsirRecord) -> Attempt | None:
    return next((a for a in record.attempts if a.attempt == record.accepted_attempt), None)


def _consistent_step(record: PsirRecord, policy: ExamplePolicy) -> None:
    if record.outcome == "skipped":
        raise _Invalid("step skipped")
    accepted = _accepted(record)
    if accepted is None or accepted.final_passed is not True:
        raise _Invalid(f"step not consistent (outcome {record.outcome})")
    if policy.require_consistent_session and record.session_passed is not True:
        raise _Invalid("sequence not consistent (final inspection did not pass)")


def _plan_example(record: PsirRecord, images: _Images, policy: ExamplePolicy) -> Example:
    _consistent_step(record, policy)
    parts: list[Part] = []
    if record.canvas_before is not None:
        parts.append(ImagePart(images.path(record.canvas_before, "canvas"), vae=False, vit=True))
    parts.append(TextPart(formats.plan_request(_text(record.prompt, "prompt"), record.graph, record.steps_before)))
    answer = formats.plan_answer(_text(record.plan.instruction, "instruction"), _text(record.plan.description, "description"))
    parts.append(TextPart(answer, loss=True))
    human = record.provenance.plan_edited
    return Example("plan", record.id, tuple(parts), human=human)


def _sketch_example(record: PsirRecord, images: _Images, policy: ExamplePolicy) -> Example:
    _consistent_step(record, policy)
    accepted = _accepted(record)
    assert accepted is not None
    request = formats.sketch_request(record.plan.instruction, record.plan.description, record.canvas_before is not None)
    parts: list[Part] = []
    if record.canvas_before is not None:
        _same_size(record.canvas_before, accepted.image, "sketch")
        parts.append(ImagePart(images.path(record.canvas_before, "canvas"), cfg=True))
    parts.append(TextPart(_text(request, "instruction"), cfg=True))
    parts.append(ImagePart(images.path(accepted.image, "sketch"), vae=True, vit=False, target=True))
    human = record.provenance.plan_edited or accepted.human_verdict is not None
    return Example("sketch", record.id, tuple(parts), human=human)


def _inspect_examples(record: PsirRecord, images: _Images) -> tuple[list[Example], list[Rejection]]:
    out: list[Example] = []
    rejected: list[Rejection] = []
    for a in record.attempts:
        try:
            if a.inspection is None:
                raise _Invalid(f"attempt {a.attempt} was never inspected")
            request = formats.inspect_request(_text(record.plan.instruction, "instruction"), record.target)
            passed = a.final_passed
            human = a.human_verdict is not None or a.correction_source == "human"
            if a.human_verdict is None and a.inspection.label == "unsure":
                raise _Invalid(f"inspector unsure (attempt {a.attempt})")
            if passed:
                answer = formats.inspect_answer(formats.VERDICT_CONSISTENT, [])
            else:
                correction = a.correction if a.correction_source in ("human", "inspector") else a.inspection.correction
                if a.inspection.passed:  # a person failed what the inspector passed: their reason is the critique
                    facts, critique = [], a.human_verdict.reason if a.human_verdict else ""
                else:
                    facts, critique = a.inspection.facts, a.inspection.critique
                answer = formats.inspect_answer(formats.VERDICT_INCONSISTENT, facts, _text(critique, "critique"),
                                                _text(correction, "correction"))
            parts = (ImagePart(images.path(a.image, f"sketch of attempt {a.attempt}"), vae=False, vit=True),
                     TextPart(request), TextPart(answer, loss=True))
            out.append(Example("inspect", f"{record.id}#{a.attempt}", parts, human=human))
        except _Invalid as exc:
            rejected.append(Rejection(record.id, "inspect", str(exc)))
    return out, rejected


def _refine_examples(record: PsirRecord, images: _Images) -> tuple[list[Example], list[Rejection]]:
    out: list[Example] = []
    rejected: list[Rejection] = []
    by_attempt = {a.attempt: a for a in record.attempts}
    for a in record.attempts:
        if a.correction is None:
            continue
        try:
            after = by_attempt.get(a.attempt + 1)
            if after is None or after.stage != "refine":
                raise _Invalid("refinement was never drawn")
            if after.final_passed is not True:
                raise _Invalid(f"refinement did not pass (attempt {after.attempt})")
            _same_size(a.image, after.image, "refined sketch")
            request = formats.refine_request(_text(record.plan.instruction, "instruction"),
                                             _text(a.correction, "correction"))
            parts = (ImagePart(images.path(a.image, f"failed sketch of attempt {a.attempt}"), cfg=True),
                     TextPart(request, cfg=True),
                     ImagePart(images.path(after.image, f"refined sketch of attempt {after.attempt}"), vit=False,
                               target=True))
            human = a.correction_source == "human" or after.human_verdict is not None
            out.append(Example("refine", f"{record.id}#{a.attempt}", parts, human=human))
        except _Invalid as exc:
            rejected.append(Rejection(record.id, "refine", str(exc)))
    return out, rejected


def build_examples(read: RecordsRead, folder: str | Path, policy: ExamplePolicy = ExamplePolicy()) -> ExampleSet:
    """All examples of the wanted tasks; rejected ones (and unreadable records) are reported."""
    images = _Images(Path(folder))
    result = ExampleSet()
    result.rejections.extend(Rejection(p.where, "record", p.reason) for p in read.problems)
    builders = {"plan": _plan_example, "sketch": _sketch_example}
    for record in read.records:
        for task in ("plan", "sketch"):
            if task not in policy.tasks:
                continue
            try:
                result.examples.append(builders[task](record, images, policy))
            except _Invalid as exc:
                result.rejections.append(Rejection(record.id, task, str(exc)))
        for task, many in (("inspect", _inspect_examples), ("refine", _refine_examples)):
            if task in policy.tasks:
                found, rejected = many(record, images)
                result.examples.extend(found)
                result.rejections.extend(rejected)
    if policy.human_only:
        result.examples = [e for e in result.examples if e.human]
    if policy.human_weight != 1.0:
        result.examples = [
            Example(e.task, e.record_id, e.parts, e.human, policy.human_weight if e.human else e.weight)
            for e in result.examples
        ]
    return result
