"""Scores the prompt parser against GenEval metadata: does the parsed graph say exactly what the
`include` clauses say?

A graph matches a metadata line when its objects, as (class, count, colour), are the same
multiset as the include clauses (count defaults to 1, no colour means none), and its relations
are exactly the include `position` clauses: {subject: that clause's object, predicate,
object: the object of clause `idx`}. `exclude` clauses (counting's N+1) are not part of the
prompt's content and are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import permutations
from typing import Any

from stagestudio.scene.graph import INVERSE_PREDICATE, SceneGraph

_MAX_BRUTE_FORCE = 8  # objects; GenEval has at most 2


def _clause_key(clause: dict[str, Any]) -> tuple[str, int, str | None]:
    return (str(clause["class"]), int(clause.get("count", 1)), clause.get("color"))


def _expected_relations(include: list[dict[str, Any]]) -> list[tuple[int, str, int]]:
    rels = []
    for n, clause in enumerate(include):
        position = clause.get("position")
        if position:
            rels.append((n, str(position[0]), int(position[1])))
    return rels


def _describe_key(key: tuple[str, int, str | None]) -> str:
    """'1 blue car', '3 bus' (class names stay exactly as GenEval spells them)."""
    name, count, color = key
    return f"{count} {color + ' ' if color else ''}{name}"


def _normalise(triple: tuple[str, str, str]) -> tuple[str, str, str]:
    """One spelling for a relation and its inverse ("b right of a" == "a left of b")."""
    s, p, o = triple
    inverse = INVERSE_PREDICATE.get(p)
    if inverse is None:
        return triple
    return min(triple, (o, inverse, s))


def graph_matches_include(graph: SceneGraph, metadata_line: dict[str, Any], *,
                          allow_inverse: bool = False) -> tuple[bool, str]:
    """(True, "") when the graph says exactly what the line's include clauses say; otherwise
    (False, a reason naming the missing or extra object or relation).

    `allow_inverse` also accepts a relation stated from the other side ("a hot dog left of a
    wine glass" for "wine glass right of hot dog"): the same scene, but not the exact form."""
    include = list(metadata_line.get("include") or [])
    if not include:
        return False, "metadata line has no include clauses"
    objects = graph.objects
    got_keys = [(o.name, o.count, o.attributes.color) for o in objects]
    want_keys = [_clause_key(c) for c in include]

    missing = list(want_keys)
    extra: list[tuple[str, int, str | None]] = []
    for key in got_keys:
        if key in missing:
            missing.remove(key)
        else:
            extra.append(key)
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing object(s): " + ", ".join(_describe_key(k) for k in missing))
        if extra:
            parts.append("extra object(s): " + ", ".join(_describe_key(k) for k in extra))
        return False, "; ".join(parts)

    want_rels = _expected_relations(include)
    got_rels = {(r.subject, r.predicate, r.object) for r in graph.relations}
    if len(include) > _MAX_BRUTE_FORCE:
        return False, f"too many include clauses to compare ({len(include)})"
    # Objects may share a key; try every key-respecting assignment of clauses to objects.
    best_reason = ""
    for perm in permutations(range(len(objects)), len(include)):
        if any(got_keys[perm[n]] != want_keys[n] for n in range(len(include))):
            continue
        expected = {(objects[perm[s]].id, p, objects[perm[o]].id) for s, p, o in want_rels}
        if expected == got_rels:
            return True, ""
        if allow_inverse and {_normalise(t) for t in expected} == {_normalise(t) for t in got_rels} \
                and len(got_rels) == len(expected):
            return True, ""
        name = {o.id: o.name for o in objects}
        missing_r = sorted(expected - got_rels)
        extra_r = sorted(got_rels - expected)
        parts = []
        if missing_r:
            parts.append("missing relation(s): " + ", ".join(f"{name[s]} {p} {name[o]}" for s, p, o in missing_r))
        if extra_r:
            parts.append("extra relation(s): " + ", ".join(f"{name[s]} {p} {name[o]}" for s, p, o in extra_r))
        best_reason = best_reason or "; ".join(parts)
    return False, best_reason or "objects match but no assignment of clauses fits"


@dataclass
class TagScore:
    total: int = 0
    matched: int = 0

    @property
    def rate(self) -> float:
        return self.matched / self.total if self.total else 0.0


@dataclass
class Mismatch:
    line: int  # 1-based line number in the input
    tag: str
    prompt: str
    reason: str
    graph: dict[str, Any] | None = None


@dataclass
class PlannerReport:
    per_tag: dict[str, TagScore] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(t.total for t in self.per_tag.values())

    @property
    def matched(self) -> int:
        return sum(t.matched for t in self.per_tag.values())

    @property
    def rate(self) -> float:
        return self.matched / self.total if self.total else 0.0

    @property
    def all_match(self) -> bool:
        return self.total > 0 and self.matched == self.total

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "matched": self.matched,
            "rate": self.rate,
            "per_tag": {tag: {"total": s.total, "matched": s.matched, "rate": s.rate} for tag, s in self.per_tag.items()},
            "mismatches": [asdict(m) for m in self.mismatches],
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_json_dict(), ensure_ascii=False, **kwargs)

    def to_text(self, max_mismatches: int = 20) -> str:
        rows = [("tag", "matched", "total", "rate")]
        for tag, s in self.per_tag.items():
            rows.append((tag, str(s.matched), str(s.total), f"{s.rate:.1%}"))
        rows.append(("overall", str(self.matched), str(self.total), f"{self.rate:.1%}"))
        widths = [max(len(r[c]) for r in rows) for c in range(4)]
        lines = []
        for n, row in enumerate(rows):
            lines.append("  ".join(cell.ljust(widths[c]) if c == 0 else cell.rjust(widths[c]) for c, cell in enumerate(row)))
            if n == 0 or n == len(rows) - 2:
                lines.append("  ".join("-" * w for w in widths))
        if self.mismatches:
            lines.append("")
            lines.append(f"{len(self.mismatches)} mismatch(es):")
            for m in self.mismatches[:max_mismatches]:
                lines.append(f"  line {m.line} [{m.tag}] {m.prompt!r}: {m.reason}")
            if len(self.mismatches) > max_mismatches:
                lines.append(f"  ... and {len(self.mismatches) - max_mismatches} more (use --json for all)")
        return "\n".join(lines)


def evaluate_planner(lines: Iterable[dict[str, Any] | str], *, allow_inverse: bool = False) -> PlannerReport:
    """Parse every line's prompt and compare with its include clauses. Lines are metadata
    dicts or their JSON text; blank text lines are skipped. `allow_inverse`: see
    `graph_matches_include`."""
    from stagestudio.scene.parser import PromptError, parse_prompt

    report = PlannerReport()
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, str):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number} is not JSON: {exc}") from exc
        else:
            line = raw
        if not isinstance(line, dict) or "prompt" not in line:
            raise ValueError(f"line {number} has no 'prompt' field")
        tag = str(line.get("tag", "untagged"))
        score = report.per_tag.setdefault(tag, TagScore())
        score.total += 1
        try:
            graph = parse_prompt(str(line["prompt"]))
        except PromptError as exc:
            report.mismatches.append(Mismatch(number, tag, str(line["prompt"]), f"parse error: {exc}"))
            continue
        ok, reason = graph_matches_include(graph, line, allow_inverse=allow_inverse)
        if ok:
            score.matched += 1
        else:
            report.mismatches.append(Mismatch(number, tag, str(line["prompt"]), reason, graph.to_json_dict()))
    return report
