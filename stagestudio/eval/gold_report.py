"""A `GoldReport` as a plain-text table, a Markdown table, JSON, and a list of the worst prompts."""

from __future__ import annotations

import json
from typing import Any

from stagestudio.eval.gold_data import STYLES
from stagestudio.eval.graph_gold import ExampleScore, GoldReport, Tally

# (column heading, Tally figure, how to print it)
_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("obj P", "object_precision", "rate"),
    ("obj R", "object_recall", "rate"),
    ("obj F1", "object_f1", "rate"),
    ("count", "count_accuracy", "rate"),
    ("colour", "color_accuracy", "rate"),
    ("col inv", "color_invented", "int"),
    ("spatial R", "spatial_recall", "rate"),
    ("action R", "action_recall", "rate"),
    ("rel P", "relation_precision", "rate"),
    ("inv/prompt", "invented_per_prompt", "float"),
    ("parts R", "parts_recall", "rate"),
    ("meas R", "measurements_recall", "rate"),
    ("errors", "errors", "int"),
)

LEGEND = (
    "obj P/R/F1: objects matched one-to-one by name, alias or last word; count: matched objects with a "
    "gold count; colour: matched objects with a gold colour; col inv: colours given to objects whose gold "
    "has none; spatial R / action R: gold relations found (inverse spatial predicates and verb lemmas "
    "accepted); rel P: predicted relations that are gold; inv/prompt: predicted objects neither gold nor "
    "optional, per prompt; parts R / meas R: gold parts and measurements found on the matched object; "
    "errors: prompts the parser refused (scored as all misses). '-': nothing to score."
)


def _cell(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "rate":
        return f"{value:.3f}"
    if kind == "float":
        return f"{value:.2f}"
    return str(int(value))


def _rows(report: GoldReport) -> list[list[str]]:
    header = ["style", "n", *(c[0] for c in _COLUMNS)]
    per_style = report.per_style()
    ordered = [s for s in STYLES if s in per_style] + sorted(s for s in per_style if s not in STYLES)
    rows = [header]
    for name, tally in [*((s, per_style[s]) for s in ordered), ("overall", report.overall())]:
        rows.append([name, str(tally.prompts), *(_cell(getattr(tally, attr), kind) for _, attr, kind in _COLUMNS)])
    return rows


def to_text(report: GoldReport) -> str:
    rows = _rows(report)
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[c]) if c == 0 else cell.rjust(widths[c]) for c, cell in enumerate(row)))
        if n == 0 or n == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def to_markdown(report: GoldReport) -> str:
    rows = _rows(report)
    lines = ["| " + " | ".join(rows[0]) + " |", "| --- | " + " | ".join("---:" for _ in rows[0][1:]) + " |"]
    for row in rows[1:]:
        cells = [f"**{c}**" if row[0] == "overall" else c for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_document(title: str, sections: list[tuple[str, GoldReport]]) -> str:
    """A Markdown page: a title, one table per (heading, report), and the legend."""
    parts = [f"# {title}"]
    for heading, report in sections:
        parts += [f"## {heading}", to_markdown(report)]
    parts.append(LEGEND)
    return "\n\n".join(parts) + "\n"


def _tally_json(tally: Tally) -> dict[str, Any]:
    return {"figures": tally.figures(), "counts": {k: v for k, v in vars(tally).items()}}


def to_json_dict(report: GoldReport) -> dict[str, Any]:
    """Figures and the raw counts behind them, per style and overall, and every prompt that had
    a problem (the perfect ones are left out)."""
    return {
        "overall": _tally_json(report.overall()),
        "per_style": {style: _tally_json(t) for style, t in report.per_style().items()},
        "problems": [ex.to_json_dict() for ex in report.examples if ex.problems],
    }


def to_json(report: GoldReport, **kwargs: Any) -> str:
    return json.dumps(to_json_dict(report), ensure_ascii=False, **kwargs)


def failures_text(report: GoldReport, n: int) -> str:
    """The n worst prompts with what was missed, invented or wrong, for the parser's author."""
    worst = report.worst(n)
    if not worst:
        return "no prompt had a problem"
    lines = [f"{len(worst)} worst prompt(s):"]
    for ex in worst:
        lines.append(f"[{ex.id} {ex.style}] ({ex.problems} problem(s)) {_short(ex.prompt)}")
        lines.extend(f"    {line}" for line in _problem_lines(ex))
    return "\n".join(lines)


def _short(prompt: str, limit: int = 160) -> str:
    prompt = " ".join(prompt.split())
    return prompt if len(prompt) <= limit else prompt[: limit - 3] + "..."


def _problem_lines(ex: ExampleScore) -> list[str]:
    lines = [f"error: {ex.error}"] if ex.error else []
    labels = {"missed_objects": "missed objects", "invented_objects": "invented objects",
              "wrong_counts": "wrong counts", "wrong_colors": "wrong colours", "missed_relations": "missed relations",
              "wrong_relations": "wrong relations", "missed_parts": "missed parts",
              "missed_measurements": "missed measurements"}
    for name in ExampleScore.PROBLEM_FIELDS:
        items = getattr(ex, name)
        if items and not (ex.error and name != "missed_objects"):
            lines.append(f"{labels[name]}: {'; '.join(items)}")
    return lines
