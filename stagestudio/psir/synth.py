"""`psir synth`: the paper's data pipeline as a resumable batch job over a prompt file.

For each prompt: scene graph -> step plan -> sketch each step with the chosen sketcher ->
inspect it with the chosen inspector -> refine failed steps — the loop engine, unattended, with
every session recorded in `OUT/synth.db` (inspect them with `sessions --db OUT/synth.db`).
Each finished session's steps become PSIR records in OUT. Which records make which training
examples (consistent sequences -> plan/sketch, inspections -> inspect, successful refinements
-> refine) is decided when examples are built, and the summary counts what was kept and what
was rejected, by reason.

Resumable: `OUT/synth_progress.jsonl` lists every prompt done (or refused); a rerun skips those,
and a prompt whose session was cut short (killed, cancelled, or interrupted by a lost model
server) runs again from the start under a new session.
Session seeds are `seed + prompt index`, so the same prompt always gets the same session.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stagestudio.backends.base import Backend
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.psir.dataset import DatasetWriter, SourceEntry, read_records
from stagestudio.psir.examples import ExamplePolicy, ExampleSet, build_examples
from stagestudio.psir.export import records_from_session
from stagestudio.store import SessionRecorder, open_store

PROGRESS_FILE = "synth_progress.jsonl"
SUMMARY_FILE = "synth_summary.json"
STORE_FILE = "synth.db"
# A session cut short by a lost model server or by Ctrl-C is not a result: a rerun redoes it.
RETRY_STATUSES = ("interrupted", "cancelled")


class PromptFileError(ValueError):
    """The prompt file cannot be read; the message says why."""


def read_prompts(path: str | os.PathLike[str]) -> list[str]:
    """Prompts from JSON lines with a `prompt` field (GenEval metadata), a JSON list of objects
    with `prompt` or `Prompt` (WISE), or plain text, one prompt per line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptFileError(f"cannot read prompt file {path}: {exc.strerror or exc}") from exc
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PromptFileError(f"{path} starts like a JSON list but is not JSON ({exc.msg}, line {exc.lineno})") from exc
        prompts = [str(i.get("prompt") or i.get("Prompt") or "") if isinstance(i, dict) else str(i) for i in items]
    elif stripped.startswith("{"):
        prompts = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                raise PromptFileError(f"{path} line {number} is not JSON (expected one object per line)") from None
            prompts.append(str(item.get("prompt", "")) if isinstance(item, dict) else "")
    else:
        prompts = [line.strip() for line in text.splitlines()]
    prompts = [p.strip() for p in prompts]
    if not any(prompts):
        raise PromptFileError(f"{path} holds no prompts")
    return prompts


@dataclass
class SynthReport:
    prompts: int = 0
    ran: int = 0
    resumed_past: int = 0
    records_added: int = 0
    refused: Counter = field(default_factory=Counter)  # reason -> prompts
    sessions: Counter = field(default_factory=Counter)  # session status -> count
    kept: dict[str, int] = field(default_factory=dict)  # task -> examples
    rejected: dict[str, int] = field(default_factory=dict)  # "task: reason" -> examples

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "prompts": self.prompts, "ran": self.ran, "skipped_as_done": self.resumed_past,
            "records_added": self.records_added, "prompts_refused": dict(self.refused),
            "sessions": dict(self.sessions), "examples_kept": self.kept, "examples_rejected": self.rejected,
        }

    def lines(self) -> list[str]:
        out = [f"prompts: {self.prompts} ({self.ran} run now, {self.resumed_past} done before)",
               "sessions: " + ", ".join(f"{k} {v}" for k, v in sorted(self.sessions.items())),
               f"records added: {self.records_added}"]
        out += [f"refused prompt ({why}): {n}" for why, n in sorted(self.refused.items())]
        out.append("examples kept: " + ", ".join(f"{t} {n}" for t, n in sorted(self.kept.items())))
        out += [f"rejected {why}: {n}" for why, n in sorted(self.rejected.items(), key=lambda kv: -kv[1])]
        return out


def _done_indices(out: Path) -> dict[int, dict[str, Any]]:
    done: dict[int, dict[str, Any]] = {}
    path = out / PROGRESS_FILE
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
                done[int(item["index"])] = item
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue  # a torn last line from a killed run: that prompt simply runs again
    return done


def synthesize(
    backend: Backend,
    prompts: list[str],
    out: str | os.PathLike[str],
    *,
    seed: int = 0,
    limit: int | None = None,
    max_refines: int = 2,
    max_steps: int = 8,
    policy: ExamplePolicy = ExamplePolicy(),
    progress: Callable[[Iterator[int], int], Iterator[int]] | None = None,
) -> SynthReport:
    """Run the loop on each prompt, record it, and append its steps to the dataset at `out`."""
    from stagestudio.scene.parser import PromptError

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    chosen = prompts[:limit] if limit is not None else prompts
    report = SynthReport(prompts=len(chosen))
    done = _done_indices(out)
    engine = LoopEngine(backend)
    source = SourceEntry(kind="synth", at=time.time(),
                         detail={"backend": backend.name, "settings": backend.settings(), "seed": seed,
                                 "max_refines": max_refines, "max_steps": max_steps})
    indices: Iterator[int] = iter(range(len(chosen)))
    if progress is not None:
        indices = progress(indices, len(chosen))
    with open_store(out / STORE_FILE) as store, DatasetWriter(out, source) as writer, \
            open(out / PROGRESS_FILE, "a", encoding="utf-8") as log:
        for index in indices:
            prompt = chosen[index]
            if index in done:
                report.resumed_past += 1
                entry = done[index]
                if entry.get("refused"):
                    report.refused[entry["refused"]] += 1
                else:
                    report.sessions[entry.get("status", "completed")] += 1
                continue
            entry: dict[str, Any] = {"index": index, "prompt": prompt}
            try:
                if not prompt:
                    raise PromptError("empty prompt")
                graph = engine.prepare(prompt)
            except PromptError as exc:
                entry["refused"] = "prompt not understood"
                entry["detail"] = str(exc)
                report.refused[entry["refused"]] += 1
            else:
                config = RunConfig(seed=seed + index, max_refines=max_refines, max_steps=max_steps)
                status = "failed"
                session_id = None
                for event in SessionRecorder(store).record(engine.run(prompt, graph=graph, config=config)):
                    session_id = event.session_id
                    if event.type == "session_done":
                        status = event.status
                assert session_id is not None
                report.sessions[status] += 1
                report.ran += 1
                if status in RETRY_STATUSES:
                    continue  # not logged as done: the next run tries this prompt again
                found = records_from_session(store, store.load_session(session_id), origin="synth")
                report.records_added += sum(writer.add(r, found.images) for r in found.records)
                entry.update(session_id=session_id, status=status, records=len(found.records))
            log.write(json.dumps(entry) + "\n")
            log.flush()
    examples = build_examples(read_records(out), out, policy)
    _count_examples(report, examples)
    (out / SUMMARY_FILE).write_text(json.dumps(report.to_json_dict(), indent=1) + "\n", encoding="utf-8")
    return report


def _count_examples(report: SynthReport, examples: ExampleSet) -> None:
    report.kept = examples.counts()
    report.rejected = examples.rejection_counts()
