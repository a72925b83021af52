"""Fit the parser's learned object model (stagestudio/scene/parsing/objectness.py) on the dev gold.

    python tools/train_objectness.py            # writes parsing/data/objectness.json and
                                                # bench/results/objectness_cv.{md,json}
    python tools/train_objectness.py --no-cv    # only refit the shipped weights

Each noun the rules' graph leaves out is a training row: positive when it names a gold object
the rules missed, negative when it names no gold object at all (nouns naming optional objects,
or gold objects the rules already drew, are skipped). The model is a logistic regression fitted
by full-batch gradient descent in NumPy: no randomness, so the same gold gives the same weights.

Cross-validation holds out one annotation batch of the dev file at a time (dev-, hold-, aside-,
fresh-, unseen-, novel-, blind-: each written at a different time, the later ones by writers who
never saw the parser), fits on the rest, and scores the held-out batch's graphs with and without
the model: that, not the fit on its own training rows, is the estimate of what it does on prose it
has not seen. The aside set (`tests/data/scene_holdout.jsonl`) is never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stagestudio.eval.gold_data import GoldExample, load_gold  # noqa: E402
from stagestudio.eval.graph_gold import evaluate_gold, match_objects  # noqa: E402
from stagestudio.scene.graph import SceneGraph  # noqa: E402
from stagestudio.scene.parsing import objectness  # noqa: E402
from stagestudio.scene.parsing.errors import PromptError  # noqa: E402
from stagestudio.scene.parsing.parse import parse_prompt  # noqa: E402
from stagestudio.scene.parsing.tokens import tokenise  # noqa: E402

DEV = REPO / "tests" / "data" / "scene_dev.jsonl"
RESULTS = REPO / "bench" / "results" / "objectness_cv"
BATCHES = ("dev", "hold", "aside", "fresh", "unseen", "novel", "blind")
# The batches written by people who never ran the parser: the rules were never fitted to their
# prose before they were measured, so they stand for the prompts the model will meet.
INDEPENDENT = ("unseen", "novel", "blind")
# Fitting choices: positives are about one row in ten, so they weigh four times; an L2 penalty
# keeps rare features from deciding alone. The threshold is chosen by cross-validation.
POSITIVE_WEIGHT, L2, STEPS, RATE = 4.0, 0.03, 3000, 0.1
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)

Row = tuple[tuple[str, ...], int]


def _gold_keys(names: list[str]) -> set[str]:
    return {n for n in names} | {n.split()[-1] for n in names}


def rows_for(example: GoldExample) -> list[Row]:
    """Training rows of one gold prompt (see the module docstring)."""
    try:
        graph = parse_prompt(example.prompt, learned=False)
    except PromptError:
        return []
    found = match_objects(graph, example.gold).gold_to_predicted()
    missed = {g.id: _gold_keys([g.name, *g.aliases]) for g in example.gold.objects if g.id not in found}
    drawn = set().union(*(_gold_keys([g.name, *g.aliases]) for g in example.gold.objects if g.id in found))
    optional = set(example.gold.optional)
    used: set[str] = set()
    rows: list[Row] = []
    for c in objectness.candidates(tokenise(example.prompt), graph):
        names = objectness._names(c.word) | {c.name, c.name.split()[-1]}
        if names & optional:
            continue
        hit = next((gid for gid, keys in missed.items() if names & keys and gid not in used), None)
        if hit is None and names & drawn:
            continue
        if hit is not None:
            used.add(hit)
        rows.append((c.features, int(hit is not None)))
    return rows


def fit(rows: list[Row]) -> objectness.ObjectnessModel:
    vocabulary = sorted({f for features, _ in rows for f in features})
    column = {f: j for j, f in enumerate(vocabulary)}
    x = np.zeros((len(rows), len(vocabulary)))
    for n, (features, _) in enumerate(rows):
        for f in features:
            x[n, column[f]] = 1.0
    y = np.array([label for _, label in rows], dtype=float)
    weight = np.where(y > 0, POSITIVE_WEIGHT, 1.0)
    w, b = np.zeros(len(vocabulary)), 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = (p - y) * weight
        w -= RATE * (x.T @ g / len(y) + L2 * w)
        b -= RATE * float(g.mean())
    weights = {f: round(float(v), 5) for f, v in zip(vocabulary, w) if abs(v) >= 1e-5}
    return objectness.ObjectnessModel(weights, round(b, 5), THRESHOLDS[-1])


def _figures(examples: list[GoldExample], model: objectness.ObjectnessModel | None) -> dict[str, float | int | None]:
    def parse(prompt: str) -> SceneGraph:
        graph = parse_prompt(prompt, learned=False)
        return objectness.add_missed_objects(tokenise(prompt), graph, model) if model else graph

    overall = evaluate_gold(examples, parse).overall()
    figures = {k: overall.figures()[k] for k in ("object_precision", "object_recall", "object_f1", "spatial_recall",
                                                   "action_recall", "relation_precision")}
    return {**figures, "matched": overall.matched, "predicted": overall.matched + overall.invented,
            "gold": overall.gold_objects}


def _pooled_f1(runs: list[dict[str, float | int | None]]) -> float:
    matched = sum(int(r["matched"] or 0) for r in runs)
    precision = matched / max(1, sum(int(r["predicted"] or 0) for r in runs))
    recall = matched / max(1, sum(int(r["gold"] or 0) for r in runs))
    return 2 * precision * recall / (precision + recall) if matched else 0.0


def cross_validate(examples: list[GoldExample]) -> tuple[dict[str, dict], float]:
    """Per held-out batch: the rules alone and rules + model at each threshold; and the threshold
    with the best pooled object F1 on the batches written by writers who never ran the parser."""
    rows = {e.id: rows_for(e) for e in examples}
    table: dict[str, dict] = {}
    for batch in BATCHES:
        held = [e for e in examples if e.id.split("-")[0] == batch]
        model = fit([r for e in examples if e.id.split("-")[0] != batch for r in rows[e.id]])
        table[batch] = {"n": len(held), "rules": _figures(held, None)}
        for threshold in THRESHOLDS:
            table[batch][f"p>={threshold}"] = _figures(held, replace(model, threshold=threshold))
        print(batch, {k: v if isinstance(v, int) else round(v["object_f1"], 3) for k, v in table[batch].items()},
              flush=True)
    best = max(THRESHOLDS, key=lambda t: _pooled_f1([table[b][f"p>={t}"] for b in INDEPENDENT]))
    return table, best


def _markdown(table: dict[str, dict], threshold: float) -> str:
    lines = ["# Learned object model: leave-one-batch-out cross-validation on the dev gold", "",
             "Each block holds one annotation batch out, fits on the others, and scores the held-out batch "
             "with the rules alone and with the model at several probability thresholds "
             "(`python tools/train_objectness.py`). The shipped threshold is the one with the best pooled object "
             f"F1 on {', '.join(INDEPENDENT)} (batches whose writers never ran the parser): **{threshold}**.", "",
             "| held out | n | run | obj P | obj R | obj F1 | spatial R | action R | rel P |",
             "|---|---|---|---|---|---|---|---|---|"]
    keys = ("object_precision", "object_recall", "object_f1", "spatial_recall", "action_recall", "relation_precision")
    for batch, runs in table.items():
        for name in ("rules", *(f"p>={t}" for t in THRESHOLDS)):
            cells = " | ".join("-" if runs[name][k] is None else f"{runs[name][k]:.3f}" for k in keys)
            lines.append(f"| {batch} | {runs['n']} | {name} | {cells} |")
    lines += ["", "| pooled object F1 | rules | " + " | ".join(f"p>={t}" for t in THRESHOLDS) + " |",
              "|---|---|" + "---|" * len(THRESHOLDS)]
    for label, batches in (("independent writers", INDEPENDENT), ("all batches", BATCHES)):
        cells = [_pooled_f1([table[b]["rules"] for b in batches])]
        cells += [_pooled_f1([table[b][f"p>={t}"] for b in batches]) for t in THRESHOLDS]
        lines.append(f"| {label} | " + " | ".join(f"{c:.4f}" for c in cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    args = parser.parse_args()
    examples = load_gold(DEV)
    threshold = json.loads(objectness.WEIGHTS_PATH.read_text())["threshold"] if args.no_cv else None
    if not args.no_cv:
        table, threshold = cross_validate(examples)
        RESULTS.with_suffix(".json").write_text(json.dumps({"threshold": threshold, "batches": table}, indent=1) + "\n")
        RESULTS.with_suffix(".md").write_text(_markdown(table, threshold))
    model = replace(fit([r for e in examples for r in rows_for(e)]), threshold=threshold)
    objectness.WEIGHTS_PATH.write_text(model.to_json())
    print(f"wrote {objectness.WEIGHTS_PATH.relative_to(REPO)} ({len(model.weights)} weights)")


if __name__ == "__main__":
    main()
