"""Benchmark generation through the loop engine: GenEval's folder layout and WISE's image set.

Two modes run the same backend through the same engine:

* ``staged``: the full loop (plan -> sketch -> inspect -> refine per step, then a final check);
* ``oneshot``: one step that draws the whole prompt, no refinement (the baseline the staged
  loop is compared with). It is the engine with a planner that returns a single step covering
  every object, so both modes share seeds, hooks and error handling.

GenEval layout (what GenEval's `evaluate_images.py` reads)::

    OUT/run.json                       mode, backend, settings (ours)
    OUT/00000/metadata.jsonl           the prompt's metadata line, verbatim
    OUT/00000/samples/0000.png ...     one PNG per image
    OUT/00000/samples/0000.json        how that image was made (ours; GenEval ignores it)

Generation is resumable: an image whose PNG exists is not made again, and PNGs are written
under a temporary name then renamed, so an interrupted run never leaves a truncated image.
Seeds are deterministic: image `s` of prompt `i` uses `seed + i * images_per_prompt + s`.

Fan-out: with `concurrency` N > 1, N sessions run at once on a backend that serves several
(`Backend.concurrent_sessions`, e.g. the remote backend over several vLLM-Omni endpoints,
which spreads the sessions by load). An image whose server went away mid-session
(`interrupted`) is made again from scratch, on whichever endpoint answers, up to
`interrupted_retries` times; each image depends only on its own seed, so where it was made
does not change it on identical servers.
"""

from __future__ import annotations

import json
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageOps

from stagestudio.backends.base import Backend, CancelToken, Planner, PlanRequest
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep

Mode = Literal["oneshot", "staged"]
MODES: tuple[str, ...] = ("oneshot", "staged")


class OneShotPlanner(Planner):
    """One step that draws the whole prompt; the graph still comes from the inner planner."""

    def __init__(self, inner: Planner) -> None:
        self.inner = inner

    def extract_graph(self, prompt: str) -> SceneGraph:
        return self.inner.extract_graph(prompt)

    def plan(self, request: PlanRequest) -> PlanStep | None:
        if request.done:
            return None
        return PlanStep(
            index=0,
            instruction=request.prompt,
            description=request.prompt,
            object_ids=[o.id for o in request.graph.objects],
            source="oneshot",
        )


class OneShotBackend(Backend):
    """A backend whose planner draws the whole prompt in one step (its sketcher and
    inspector are the wrapped backend's)."""

    def __init__(self, inner: Backend) -> None:
        super().__init__(planner=OneShotPlanner(inner.planner), sketcher=inner.sketcher, inspector=inner.inspector)
        self.inner = inner
        self.name = inner.name

    def settings(self) -> dict[str, Any]:
        return {**self.inner.settings(), "mode": "oneshot"}

    def close(self) -> None:
        self.inner.close()


@dataclass
class Generation:
    """One generated image and how the loop got there."""

    image: Image.Image | None
    status: str  # the session's status: completed | stopped | cancelled | failed | interrupted
    steps: int = 0
    refinements: int = 0
    final_passed: bool | None = None
    error: str = ""
    duration_s: float = 0.0

    def record(self) -> dict[str, Any]:
        return {
            "status": self.status, "steps": self.steps, "refinements": self.refinements,
            "final_passed": self.final_passed, "error": self.error,
            "duration_s": round(self.duration_s, 3),
        }


class LoopGenerator:
    """Runs prompts through the loop engine in one of the two modes."""

    def __init__(self, backend: Backend, mode: Mode = "staged", *, max_refines: int = 2,
                 max_steps: int = 8) -> None:
        from stagestudio.loop.engine import LoopEngine, RunConfig

        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose oneshot or staged")
        self.backend = backend
        self.mode = mode
        driven = OneShotBackend(backend) if mode == "oneshot" else backend
        self.engine = LoopEngine(driven)
        # One-shot: a single step and no refinement; staged: the loop's own limits.
        self._limits = {"max_refines": 0, "max_steps": 1} if mode == "oneshot" else \
            {"max_refines": max_refines, "max_steps": max_steps}
        RunConfig(**self._limits)  # reject bad limits now rather than at the first prompt
        self._run_config = RunConfig

    def settings(self) -> dict[str, Any]:
        return self.engine.backend.settings()

    def generate(self, prompt: str, seed: int, cancel: CancelToken | None = None) -> Generation:
        started = time.perf_counter()
        try:
            graph = self.engine.prepare(prompt)
        except Exception as exc:  # an unparsable prompt is this image's failure, not the run's
            return Generation(None, "failed", error=f"{type(exc).__name__}: {exc}",
                              duration_s=time.perf_counter() - started)
        images: dict[tuple[int, int], Image.Image] = {}
        canvas: Image.Image | None = None
        result = Generation(None, "failed")
        config = self._run_config(seed=seed, **self._limits)
        for event in self.engine.run(prompt, graph=graph, config=config, cancel=cancel):
            kind = event.type
            if kind == "sketch_ready" and event.image is not None:
                images[(event.step_index, event.attempt)] = event.image
            elif kind == "refinement_planned":
                result.refinements += 1
            elif kind == "step_completed" and event.accepted_attempt is not None:
                canvas = images.get((event.step_index, event.accepted_attempt), canvas)
            elif kind == "final_verdict":
                result.final_passed = event.verdict.passed
            elif kind == "error":
                result.error = event.message
            elif kind == "session_done":
                result.status = event.status
                result.steps = event.steps
        result.image = canvas
        result.duration_s = time.perf_counter() - started
        return result


# --------------------------------------------------------------------------- GenEval


def load_geneval_metadata(path: str | Path) -> list[dict[str, Any]]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def select_prompts(metadata: Sequence[dict[str, Any]], tags: Iterable[str] | None = None,
                   limit: int | None = None,
                   per_tag: int | None = None) -> list[tuple[int, dict[str, Any]]]:
    """(index in the metadata file, metadata) pairs: filtered by tag, then the first `per_tag`
    of each tag, then the first `limit` overall, in file order.

    Indices are positions in the full file, so folders of a partial run line up with a full one.
    """
    wanted = set(tags) if tags else None
    chosen = [(i, m) for i, m in enumerate(metadata) if wanted is None or m.get("tag") in wanted]
    if per_tag is not None:
        seen: dict[str, int] = {}
        kept = []
        for i, m in chosen:
            tag = str(m.get("tag"))
            if seen.get(tag, 0) < per_tag:
                seen[tag] = seen.get(tag, 0) + 1
                kept.append((i, m))
        chosen = kept
    return chosen[:limit] if limit is not None else chosen


def sample_name(sample: int) -> str:
    return f"{sample:04d}.png"


class RunMismatch(ValueError):
    """The output folder already holds images made another way (mode or backend)."""


def _claim_folder(out: Path, info: dict[str, Any]) -> None:
    """Write run.json, refusing to resume into a folder made with another mode or backend,
    which would mix two systems' images in one score."""
    path = out / "run.json"
    if path.is_file():
        try:
            before = json.loads(path.read_text())
        except json.JSONDecodeError:
            before = {}
        for key in ("benchmark", "mode", "backend"):
            if key in before and before[key] != info[key]:
                raise RunMismatch(
                    f"{out} already holds a {before.get('benchmark')} run with {key} "
                    f"{before[key]!r}, not {info[key]!r}; choose another output folder"
                )
    path.write_text(json.dumps(info, indent=2, default=str))


def _save_png(image: Image.Image, path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    image.convert("RGB").save(tmp, format="PNG")
    os.replace(tmp, path)


@dataclass
class GenerationReport:
    made: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    retried: int = 0  # sessions run again because their server went away
    elapsed_s: float = 0.0  # time spent making images (skipped ones cost nothing)

    @property
    def images_per_minute(self) -> float | None:
        if not self.made or self.elapsed_s <= 0:
            return None
        return self.made * 60.0 / self.elapsed_s


ProgressFn = Callable[[int, int, str], None]  # (done, total, label)


@dataclass(frozen=True)
class _ImageJob:
    prompt: str
    seed: int
    png: Path
    label: str


def _check_concurrency(generator: LoopGenerator, concurrency: int) -> None:
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if concurrency > 1 and not generator.backend.concurrent_sessions:
        raise ValueError(f"backend {generator.backend.name!r} runs one session at a time; "
                         "concurrency above 1 needs one that serves several (e.g. remote)")


def _make_images(generator: LoopGenerator, jobs: Sequence[_ImageJob], report: GenerationReport, *,
                 concurrency: int, interrupted_retries: int, on_done: Callable[[str], None]) -> None:
    """Make every job's image (N at a time), writing each PNG and its record as it finishes.
    An exception here (Ctrl-C, a full disk) cancels the sessions still running, so the run
    stops at once; what is not written is made by the next run."""
    lock = threading.Lock()
    stop = CancelToken()

    def make(job: _ImageJob) -> None:
        if stop.cancelled:
            return
        made = generator.generate(job.prompt, job.seed, cancel=stop)
        for _ in range(interrupted_retries):
            if made.status != "interrupted":
                break
            with lock:
                report.retried += 1
            made = generator.generate(job.prompt, job.seed, cancel=stop)
        if made.status == "cancelled":
            return
        record = {"prompt": job.prompt, "seed": job.seed, "mode": generator.mode, **made.record()}
        job.png.with_suffix(".json").write_text(json.dumps(record, indent=2))
        if made.image is not None:
            _save_png(made.image, job.png)
        with lock:
            if made.image is None:
                report.failed.append(f"{job.label}: {made.error or made.status}")
            else:
                report.made += 1
            on_done(job.label)

    started = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="stagestudio-eval") \
        if concurrency > 1 else None
    try:
        if pool is None:
            for job in jobs:
                make(job)
        else:
            for future in [pool.submit(make, job) for job in jobs]:
                future.result()  # a harness bug surfaces here; a session's failure is in its record
    except BaseException:
        stop.cancel()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        report.elapsed_s += time.perf_counter() - started


def generate_geneval(
    generator: LoopGenerator,
    prompts: Sequence[tuple[int, dict[str, Any]]],
    out: str | Path,
    *,
    images_per_prompt: int = 4,
    seed: int = 0,
    progress: ProgressFn | None = None,
    concurrency: int = 1,
    interrupted_retries: int = 2,
) -> GenerationReport:
    """Generate GenEval's folder layout under `out` (see module docstring); resumable, and
    `concurrency` sessions at a time on a backend that allows it."""
    _check_concurrency(generator, concurrency)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _claim_folder(out, {"benchmark": "geneval", "mode": generator.mode,
                        "backend": generator.backend.name, "settings": generator.settings(),
                        "images_per_prompt": images_per_prompt, "seed": seed})
    report = GenerationReport()
    total = len(prompts) * images_per_prompt
    done = 0
    jobs: list[_ImageJob] = []
    for index, metadata in prompts:
        folder = out / f"{index:05d}"
        samples = folder / "samples"
        samples.mkdir(parents=True, exist_ok=True)
        meta_path = folder / "metadata.jsonl"
        if not meta_path.exists():
            meta_path.write_text(json.dumps(metadata) + "\n")
        for sample in range(images_per_prompt):
            png = samples / sample_name(sample)
            label = f"{index:05d}/{sample_name(sample)}"
            if png.exists():
                report.skipped += 1
                done += 1
                if progress is not None:
                    progress(done, total, label)
            else:
                jobs.append(_ImageJob(metadata["prompt"], seed + index * images_per_prompt + sample, png, label))

    def finished(label: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, label)

    _make_images(generator, jobs, report, concurrency=concurrency, interrupted_retries=interrupted_retries,
                 on_done=finished)
    return report


# --------------------------------------------------------------------------- WISE


def generate_wise(
    generator: LoopGenerator,
    prompts: Sequence[Any],  # WisePrompt
    out: str | Path,
    *,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> GenerationReport:
    """One image per WISE prompt as OUT/images/<prompt_id>.png (WISE's naming); resumable."""
    out = Path(out)
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    _claim_folder(out, {"benchmark": "wise", "mode": generator.mode,
                        "backend": generator.backend.name, "settings": generator.settings(),
                        "seed": seed})
    report = GenerationReport()
    for done, prompt in enumerate(prompts, 1):
        png = images / f"{prompt.prompt_id}.png"
        if png.exists():
            report.skipped += 1
        else:
            made = generator.generate(prompt.prompt, seed + prompt.prompt_id)
            png.with_suffix(".json").write_text(json.dumps(
                {"prompt": prompt.prompt, "seed": seed + prompt.prompt_id,
                 "mode": generator.mode, **made.record()}, indent=2))
            if made.image is None:
                report.failed.append(f"{prompt.prompt_id}: {made.error or made.status}")
            else:
                _save_png(made.image, png)
                report.made += 1
        if progress is not None:
            progress(done, len(prompts), f"{prompt.prompt_id}.png")
    return report


# --------------------------------------------------------------------------- GenEval scoring


class GenevalModels(ABC):
    """What the scorer needs from models for one image: per-class detections (GenEval class
    names) and a colour classifier for them."""

    name = "models"

    @abstractmethod
    def detections(self, image: Image.Image, metadata: dict[str, Any]) -> dict[str, list[Any]]:
        """Raw per-class detections (`geneval.ObjectDetection`) for one image."""

    @abstractmethod
    def colors(self) -> Any:
        """The `geneval.ColorClassifier` for the detections last returned."""


class Mask2FormerModels(GenevalModels):
    """GenEval's own setup: Mask2Former instances + CLIP colours on the masked crops."""

    name = "mask2former"

    def __init__(self, detector: Any, color_classifier: Any, min_score: float = 0.3) -> None:
        self.detector = detector
        self.color_classifier = color_classifier
        # Scores are class probability x mask quality, so no candidate under the lowest
        # GenEval threshold can matter; skipping them only saves time.
        self.min_score = min_score

    def detections(self, image: Image.Image, metadata: dict[str, Any]) -> dict[str, list[Any]]:
        return self.detector.segment(image, min_score=self.min_score)

    def colors(self) -> Any:
        return self.color_classifier


class DetectorModels(GenevalModels):
    """Any core `Detector` (e.g. the sketchbook's pixel matcher): boxes without masks, and the
    detector's own dominant colour as the colour answer."""

    def __init__(self, detector: Any) -> None:
        self.detector = detector
        self.name = getattr(detector, "name", "detector")
        self._answers: dict[str, list[str]] = {}

    def detections(self, image: Image.Image, metadata: dict[str, Any]) -> dict[str, list[Any]]:
        from stagestudio.eval.geneval import ObjectDetection

        labels: list[str] = []
        for clause in [*metadata.get("include", []), *metadata.get("exclude", [])]:
            if clause["class"] not in labels:
                labels.append(clause["class"])
        found: dict[str, list[Any]] = {}
        self._answers = {}
        for det in self.detector.detect(image, labels):
            found.setdefault(det.label, []).append(ObjectDetection(tuple(det.box), det.score))
            self._answers.setdefault(det.label, []).append(det.color or "")
        return found

    def colors(self) -> Any:
        from stagestudio.eval.geneval import injected_colors

        return injected_colors(self._answers)


def geneval_samples(folder: str | Path) -> list[tuple[int, dict[str, Any], list[Path]]]:
    """(prompt index, metadata, sample PNGs) for every prompt folder of a GenEval layout."""
    import re

    folder = Path(folder)
    found = []
    for sub in sorted(folder.iterdir()):
        if not (sub.is_dir() and sub.name.isdigit() and (sub / "metadata.jsonl").is_file()):
            continue
        metadata = json.loads((sub / "metadata.jsonl").read_text(encoding="utf-8").splitlines()[0])
        samples_dir = sub / "samples"
        pngs = sorted(p for p in samples_dir.iterdir() if re.fullmatch(r"\d+\.png", p.name)) \
            if samples_dir.is_dir() else []
        found.append((int(sub.name), metadata, pngs))
    return found


def score_geneval_folder(
    folder: str | Path,
    models: GenevalModels,
    *,
    config: Any = None,
    progress: ProgressFn | None = None,
) -> list[dict[str, Any]]:
    """GenEval verdict for every sample image under `folder`, one row per image."""
    from stagestudio.eval.geneval import ScoringConfig, score_image

    config = config or ScoringConfig()
    folder = Path(folder)
    prompts = geneval_samples(folder)
    total = sum(len(p[2]) for p in prompts)
    rows: list[dict[str, Any]] = []
    for index, metadata, pngs in prompts:
        for png in pngs:
            with Image.open(png) as opened:
                # As GenEval's evaluator: honour an EXIF orientation before detecting.
                image = ImageOps.exif_transpose(opened).convert("RGB")
            verdict = score_image(metadata, models.detections(image, metadata), models.colors(),
                                  image, config)
            sidecar = png.with_suffix(".json")
            made = json.loads(sidecar.read_text()) if sidecar.is_file() else {}
            rows.append({
                "filename": str(png.relative_to(folder)),
                "prompt_index": index,
                "tag": metadata.get("tag", ""),
                "prompt": metadata.get("prompt", ""),
                "correct": verdict.correct,
                "reason": verdict.reason,
                "metadata": metadata,
                "details": verdict.boxes,
                "refinements": made.get("refinements"),
                "steps": made.get("steps"),
            })
            if progress is not None:
                progress(len(rows), total, rows[-1]["filename"])
    return rows


def judge_wise_folder(judge: Any, prompts: Sequence[Any], folder: str | Path,
                      progress: ProgressFn | None = None) -> list[Any]:
    """Judge every OUT/images/<prompt_id>.png with a `WiseJudge`; writes OUT/scores.jsonl in
    WISE's score-file format (so `eval wise-summary` and WISE's own scripts can read it)."""
    from stagestudio.eval.wise import ImageJudgement, JudgeError, write_score_file

    folder = Path(folder)
    present = [p for p in prompts if (folder / "images" / f"{p.prompt_id}.png").is_file()]
    judgements = []
    for done, prompt in enumerate(present, 1):
        with Image.open(folder / "images" / f"{prompt.prompt_id}.png") as opened:
            image = opened.convert("RGB")
        try:
            scores = judge.judge(image, prompt.prompt, prompt.explanation)
            judgements.append(ImageJudgement(prompt.prompt_id, scores))
        except JudgeError as exc:
            judgements.append(ImageJudgement(prompt.prompt_id, None, str(exc)))
        if progress is not None:
            progress(done, len(present), f"{prompt.prompt_id}.png")
    write_score_file(judgements, folder / "scores.jsonl")
    return judgements
