"""GenEval reports: results.json, a markdown table (per tag and overall, runs side by side) and
an HTML page with every image, its verdict and its failure reason."""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stagestudio.eval.geneval import GenevalSummary, summarize


@dataclass
class ScoredRun:
    """One scored GenEval folder."""

    label: str  # column title, e.g. "oneshot" / "staged"
    folder: Path
    rows: list[dict[str, Any]]
    detector: str = ""

    @property
    def summary(self) -> GenevalSummary:
        return summarize(self.rows)


def run_label(folder: Path) -> str:
    """The run's mode and backend from its run.json, else the folder name."""
    info_path = folder / "run.json"
    if info_path.is_file():
        try:
            info = json.loads(info_path.read_text())
            return f"{info.get('mode', '?')} ({info.get('backend', '?')})"
        except json.JSONDecodeError:
            pass
    return folder.name


def write_results(run: ScoredRun) -> Path:
    """`results.json` in the run's folder: the summary and one row per image."""
    path = run.folder / "results.json"
    payload = {"detector": run.detector, "summary": run.summary.to_json(), "images": run.rows}
    path.write_text(json.dumps(payload, indent=2))
    return path


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f}%"  # NaN-safe


def markdown_table(runs: Sequence[ScoredRun]) -> str:
    """Per-tag accuracy (correct/total) and the overall score, one column per run; with two
    runs a last column gives the difference (second minus first) in points."""
    summaries = [r.summary for r in runs]
    tags: list[str] = []
    for summary in summaries:
        tags.extend(t.tag for t in summary.tags if t.tag not in tags)
    compare = len(runs) == 2
    header = ["tag", *(r.label for r in runs)] + (["Δ"] if compare else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for tag in tags:
        cells, values = [], []
        for summary in summaries:
            score = next((t for t in summary.tags if t.tag == tag), None)
            if score is None or not score.total:
                cells.append("–")
                values.append(float("nan"))
            else:
                cells.append(f"{_pct(score.accuracy)} ({score.correct}/{score.total})")
                values.append(score.accuracy)
        if compare:
            cells.append(_delta(values[0], values[1]))
        lines.append(f"| {tag} | " + " | ".join(cells) + " |")
    overall = [s.overall for s in summaries]
    cells = [f"**{_pct(v)}**" for v in overall] + ([_delta(*overall)] if compare else [])
    lines.append("| **overall** | " + " | ".join(cells) + " |")
    images = [f"{s.images} images, {s.prompts} prompts" for s in summaries]
    lines.append("| images | " + " | ".join(images) + (" | |" if compare else " |"))
    refinements = [mean_refinements(r.rows) for r in runs]
    if any(v is not None for v in refinements):
        cells = ["–" if v is None else f"{v:.2f}" for v in refinements]
        lines.append("| refinements / image | " + " | ".join(cells) + (" | |" if compare else " |"))
    return "\n".join(lines) + "\n"


def mean_refinements(rows: Sequence[dict[str, Any]]) -> float | None:
    """Mean number of refinements per image, from the generation records (None if unknown)."""
    values = [r["refinements"] for r in rows if r.get("refinements") is not None]
    return sum(values) / len(values) if values else None


def _delta(first: float, second: float) -> str:
    if first != first or second != second:
        return "–"
    return f"{100 * (second - first):+.1f}"


def write_markdown(runs: Sequence[ScoredRun], path: Path) -> Path:
    detectors = sorted({r.detector for r in runs if r.detector})
    text = "# GenEval results\n\n"
    if detectors:
        text += f"Detector: {', '.join(detectors)}. "
    text += ("Overall = unweighted mean of the tag accuracies (GenEval's summary).\n\n"
             + markdown_table(runs))
    path.write_text(text)
    return path


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table.summary { border-collapse: collapse; margin-bottom: 1.5em; }
table.summary td, table.summary th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
table.summary td:first-child, table.summary th:first-child { text-align: left; }
.prompt { margin: 1.2em 0 0.3em; font-weight: 600; }
.tag { color: #666; font-weight: 400; font-size: 0.9em; }
.runs { display: flex; gap: 1.5em; flex-wrap: wrap; }
.run h4 { margin: 0.2em 0; font-size: 0.9em; color: #444; }
.grid { display: flex; gap: 6px; flex-wrap: wrap; }
figure { margin: 0; width: 160px; }
figure img { width: 160px; height: 160px; object-fit: contain; border: 4px solid; }
figure.ok img { border-color: #2a2; }
figure.bad img { border-color: #c22; }
figcaption { font-size: 0.75em; white-space: pre-wrap; word-break: break-word; }
body.failures-only section.all-ok { display: none; }
"""

# Hides prompts whose images are all correct, so failures can be browsed quickly.
_FILTER = (
    "<label><input type='checkbox' onchange=\"document.body.classList.toggle("
    "'failures-only', this.checked)\"> show only prompts with a failure</label>"
)


def _summary_html(runs: Sequence[ScoredRun]) -> str:
    summaries = [r.summary for r in runs]
    tags: list[str] = []
    for summary in summaries:
        tags.extend(t.tag for t in summary.tags if t.tag not in tags)
    head = "".join(f"<th>{html.escape(r.label)}</th>" for r in runs)
    body = []
    for tag in tags:
        cells = []
        for summary in summaries:
            score = next((t for t in summary.tags if t.tag == tag), None)
            cells.append("–" if score is None else
                         f"{_pct(score.accuracy)} ({score.correct}/{score.total})")
        body.append(f"<tr><td>{html.escape(tag)}</td>"
                    + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    body.append("<tr><th>overall</th>"
                + "".join(f"<th>{_pct(s.overall)}</th>" for s in summaries) + "</tr>")
    return f"<table class='summary'><tr><th>tag</th>{head}</tr>{''.join(body)}</table>"


def write_html(runs: Sequence[ScoredRun], path: Path) -> Path:
    """One section per prompt; per run, its images framed green (correct) or red, each with
    the failure reason underneath. Images are linked relative to the page."""
    by_prompt: dict[int, dict[str, Any]] = {}
    for run_index, run in enumerate(runs):
        for row in run.rows:
            entry = by_prompt.setdefault(row["prompt_index"], {"row": row, "runs": {}})
            entry["runs"].setdefault(run_index, []).append(row)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>GenEval results</title>",
        f"<style>{_STYLE}</style></head><body><h1>GenEval results</h1>",
        _summary_html(runs),
        _FILTER,
    ]
    for index in sorted(by_prompt):
        entry = by_prompt[index]
        row = entry["row"]
        all_ok = all(item["correct"] for items in entry["runs"].values() for item in items)
        parts.append(
            f"<section class='{'all-ok' if all_ok else 'has-failure'}'><div class='prompt'>{index:05d} · {html.escape(row['prompt'])} "
            f"<span class='tag'>[{html.escape(row['tag'])}]</span></div><div class='runs'>"
        )
        for run_index, run in enumerate(runs):
            parts.append(f"<div class='run'><h4>{html.escape(run.label)}</h4><div class='grid'>")
            for item in entry["runs"].get(run_index, []):
                src = os.path.relpath(run.folder / item["filename"], path.parent)
                ok = item["correct"]
                caption = "correct" if ok else item["reason"]
                if item.get("refinements"):
                    caption += f"\n({item['refinements']} refinement(s))"
                parts.append(
                    f"<figure class='{'ok' if ok else 'bad'}'>"
                    f"<img src='{html.escape(src)}' alt='{html.escape(item['filename'])}' "
                    f"loading='lazy'><figcaption>{html.escape(caption)}</figcaption></figure>"
                )
            parts.append("</div></div>")
        parts.append("</div></section>")
    parts.append("</body></html>\n")
    path.write_text("".join(parts))
    return path
