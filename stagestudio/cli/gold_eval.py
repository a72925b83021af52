"""`eval-planner --gold FILE`: the offline parser scored against hand-annotated scene graphs, or,
with `--backend` (or roles), the graphs a backend writes itself (BAGEL's model-extracted graph),
with a count of where each graph came from: the model, or the parser after the model's failed."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stagestudio.cli import CliError
from stagestudio.scene.graph import SceneGraph


@dataclass
class GraphSources:
    """A backend's graph extraction, recording where each graph came from and the commonest
    reasons a model's graph was replaced by the parser's."""

    backend: str
    extract: Callable[[str], SceneGraph]
    counts: Counter = field(default_factory=Counter)
    fallback_notes: Counter = field(default_factory=Counter)

    def parse(self, prompt: str) -> SceneGraph:
        graph = self.extract(prompt)
        self.counts[graph.source] += 1
        if graph.source_note:
            self.fallback_notes[graph.source_note.split(";")[0][:160]] += 1
        return graph

    def line(self) -> str:
        counted = ", ".join(f"{source} {n}" for source, n in sorted(self.counts.items())) or "none"
        text = f"graphs from {self.backend}: {counted}"
        if self.fallback_notes:
            note, n = self.fallback_notes.most_common(1)[0]
            text += f" (commonest fallback reason, {n}x: {note})"
        return text

    def to_json_dict(self) -> dict:
        return {"backend": self.backend, "counts": dict(self.counts),
                "fallback_notes": dict(self.fallback_notes.most_common(10))}


def _graph_sources(args: argparse.Namespace) -> GraphSources | None:
    """The backend to take the graphs from when the command line names one; None: the parser."""
    from stagestudio.cli.backend_args import backend_from_args
    from stagestudio.cli.roles import role_settings

    composed = role_settings(args) is not None
    if args.backend is None and not composed:
        return None
    if args.backend is None:
        args.backend = "sketchbook"  # (the default preset; with roles given, they are composed instead)
    backend = backend_from_args(args)
    return GraphSources(backend="composed roles" if composed else args.backend, extract=backend.extract_graph)


def _json(report, sources: GraphSources | None) -> str:
    from stagestudio.eval import gold_report

    data = gold_report.to_json_dict(report)
    if sources is not None:
        data["graph_sources"] = sources.to_json_dict()
    return json.dumps(data, indent=2, ensure_ascii=False)


def run_gold_eval(args: argparse.Namespace) -> int:
    from stagestudio.eval import gold_report
    from stagestudio.eval.gold_data import GoldFileError, load_gold
    from stagestudio.eval.graph_gold import evaluate_gold

    if args.gold is None:
        raise CliError("give a GenEval metadata FILE or --gold FILE")
    if args.file is not None:
        raise CliError("give either a GenEval metadata FILE or --gold FILE, not both")
    if args.failures < 0:
        raise CliError(f"--failures must be 0 or more, got {args.failures}")
    path = Path(args.gold)
    if not path.is_file():
        raise CliError(f"gold file not found: {path}")
    try:
        examples = load_gold(path)
    except (GoldFileError, UnicodeDecodeError) as exc:
        raise CliError(str(exc)) from exc
    if not examples:
        raise CliError(f"{path} has no prompts")

    sources = _graph_sources(args)
    report = evaluate_gold(examples) if sources is None else evaluate_gold(examples, parse=sources.parse)
    if args.out is not None:
        out = Path(args.out)
        if out.suffix == ".json":
            text = _json(report, sources) + "\n"
        else:
            title = "Parser vs gold scene graphs" if sources is None else f"Gold scene graphs vs {sources.line()}"
            text = gold_report.markdown_document(title, [(f"`{path}`", report)])
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    if args.json:
        print(_json(report, sources))
    else:
        if sources is not None:
            print(sources.line())
        print(gold_report.to_text(report))
    if args.failures:
        print()
        print(gold_report.failures_text(report, args.failures))
    return 0
