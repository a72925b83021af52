"""Scores parsed scene graphs against hand-annotated gold graphs (`gold_data.GoldExample`).

For each prompt: predicted objects are matched one-to-one to gold objects, then counts,
colours, parts, measurements and relations are compared through that matching. Tallies add
up per style and overall into precision / recall / accuracy figures (micro-averaged: every
object, relation or part weighs the same, whichever prompt it is in). The rules are written
for annotators in docs/scene_graph_conventions.md ("How the metric reads a gold graph").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from stagestudio.eval.gold_data import GoldExample, GoldGraph, GoldObject
from stagestudio.eval.gold_words import (
    head_noun,
    last_word,
    measurement_found,
    normalise_name,
    verb_key,
)
from stagestudio.scene.graph import INVERSE_PREDICATE, Relation, SceneGraph, SceneObject

_COLOR_SPELLINGS = {"grey": "gray"}


# --------------------------------------------------------------------------------------------
# Object matching
# --------------------------------------------------------------------------------------------
@dataclass
class ObjectMatch:
    """How the predicted objects of one prompt relate to its gold objects."""

    pairs: dict[str, str] = field(default_factory=dict)  # predicted id -> gold id
    optional: list[str] = field(default_factory=list)  # predicted ids matched to an `optional` name
    invented: list[str] = field(default_factory=list)  # predicted ids matched to nothing

    def gold_to_predicted(self) -> dict[str, str]:
        return {g: p for p, g in self.pairs.items()}


def _names_equal(predicted: str, gold: GoldObject) -> bool:
    name = normalise_name(predicted)
    return any(name == normalise_name(n) for n in gold.names)


def _same_last_word(predicted: str, gold: GoldObject) -> bool:
    word = last_word(predicted)
    return bool(word) and any(word == last_word(n) for n in gold.names)


def _normalise_color(color: str | None) -> str | None:
    if color is None:
        return None
    color = color.strip().lower()
    return _COLOR_SPELLINGS.get(color, color)


def _agreement(predicted: SceneObject, gold: GoldObject) -> tuple[int, int]:
    """Tie-break among equally named gold candidates: same colour first, then same count
    (higher is better), so "a red car and a blue car" pairs by colour whatever the order."""
    color = _normalise_color(predicted.attributes.color)
    same_color = int(color in gold.colors if gold.colors else color is None)
    same_count = int(gold.count is None or gold.count == predicted.count)
    return same_color, same_count


def match_objects(predicted: SceneGraph, gold: GoldGraph) -> ObjectMatch:
    """One-to-one: a first pass pairs exact names or aliases, a second pass the same last word
    ("cutting board" ~ "board"), greedily in mention order; then pairs among equally named
    objects are exchanged while that agrees better (see `_refine_equally_named_pairs`).
    Leftovers are optional (named in `gold.optional`, by name or last word) or invented."""
    match = ObjectMatch()
    free = list(gold.objects)
    for same in (_names_equal, _same_last_word):
        for obj in predicted.objects:
            if obj.id in match.pairs:
                continue
            candidates = [g for g in free if same(obj.name, g)]
            if not candidates:
                continue
            best = max(candidates, key=lambda g: _agreement(obj, g))  # max keeps the first on ties
            match.pairs[obj.id] = best.id
            free.remove(best)
    _refine_equally_named_pairs(match.pairs, predicted, gold)
    optional_names = {normalise_name(n) for n in gold.optional}
    optional_words = {last_word(n) for n in gold.optional}
    for obj in predicted.objects:
        if obj.id in match.pairs:
            continue
        if normalise_name(obj.name) in optional_names or last_word(obj.name) in optional_words:
            match.optional.append(obj.id)
        else:
            match.invented.append(obj.id)
    return match


# --------------------------------------------------------------------------------------------
# Relations, and the matching they refine
# --------------------------------------------------------------------------------------------
def _relation_holds(gold_rel: Relation, predicted: Relation, to_gold: dict[str, str]) -> bool:
    """Whether a predicted relation states the gold one: the same spatial predicate between the
    matched objects or its inverse the other way round; for an action, the same verb lemma in
    the same direction."""
    subject, obj = to_gold.get(predicted.subject), to_gold.get(predicted.object)
    if subject is None or obj is None:
        return False
    if gold_rel.is_spatial:
        if not predicted.is_spatial:
            return False
        if (subject, predicted.predicate, obj) == (gold_rel.subject, gold_rel.predicate, gold_rel.object):
            return True
        inverse = INVERSE_PREDICATE.get(gold_rel.predicate)
        return inverse is not None and (subject, predicted.predicate, obj) == (gold_rel.object, inverse, gold_rel.subject)
    return (not predicted.is_spatial and (subject, obj) == (gold_rel.subject, gold_rel.object)
            and verb_key(predicted.predicate) == verb_key(gold_rel.predicate))


def _pairing_score(pairs: dict[str, str], predicted: SceneGraph, gold: GoldGraph) -> tuple[int, int]:
    """Colour/count agreement of the pairs first (as in the first pass), then the gold relations
    stated through them."""
    agreement = sum(sum(_agreement(predicted.object(p), gold.object(g))) for p, g in pairs.items())
    stated = sum(any(_relation_holds(g, r, pairs) for r in predicted.relations) for g in gold.relations)
    return agreement, stated


def _refine_equally_named_pairs(pairs: dict[str, str], predicted: SceneGraph, gold: GoldGraph) -> None:
    """Which of several equally named objects is which is not said by its mention order: a parse
    that adds a stray "person" first, or names the porters before the auctioneer, should not lose
    the relations it states right about the others. So a pair may move to another predicted object
    that the same name rule pairs with that gold object (an exchange with its pair, or a move to an
    unpaired one) whenever that agrees more in colour and count or, agreeing as much, states more
    gold relations; relations only break the ties colour and count leave, so a wrong relation is
    never bought with a wrong count. Hill-climbing to a fixed point; graphs are small. The number of
    pairs never changes."""
    by_gold = {g.id: g for g in gold.objects}

    def compatible(p_id: str, g_id: str) -> bool:
        name = predicted.object(p_id).name
        return _names_equal(name, by_gold[g_id]) or _same_last_word(name, by_gold[g_id])

    best = _pairing_score(pairs, predicted, gold)
    improved = True
    while improved:
        improved = False
        for p_id, g_id in list(pairs.items()):
            for other in predicted.objects:
                if other.id == p_id or not compatible(other.id, g_id):
                    continue
                trial = dict(pairs)
                other_gold = trial.pop(other.id, None)
                if other_gold is not None and not compatible(p_id, other_gold):
                    continue
                del trial[p_id]
                trial[other.id] = g_id
                if other_gold is not None:
                    trial[p_id] = other_gold
                score = _pairing_score(trial, predicted, gold)
                if score > best:
                    pairs.clear()
                    pairs.update(trial)
                    best, improved = score, True
                    break
            if improved:
                break


# --------------------------------------------------------------------------------------------
# One prompt
# --------------------------------------------------------------------------------------------
@dataclass
class Tally:
    """Counts behind every figure of the report; they add up across prompts."""

    prompts: int = 0
    errors: int = 0
    gold_objects: int = 0
    matched: int = 0
    invented: int = 0
    count_scored: int = 0
    count_right: int = 0
    color_scored: int = 0
    color_right: int = 0
    color_invented: int = 0  # a colour on a matched object whose gold has none
    spatial_gold: int = 0
    spatial_found: int = 0
    action_gold: int = 0
    action_found: int = 0
    relations_predicted: int = 0  # predicted relations between gold-matched or invented objects
    relations_right: int = 0
    parts_gold: int = 0
    parts_found: int = 0
    measurements_gold: int = 0
    measurements_found: int = 0

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    # --- figures (None where nothing was scored) --------------------------------------------
    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return num / den if den else None

    @property
    def object_precision(self) -> float | None:
        return self._rate(self.matched, self.matched + self.invented)

    @property
    def object_recall(self) -> float | None:
        return self._rate(self.matched, self.gold_objects)

    @property
    def object_f1(self) -> float | None:
        p, r = self.object_precision, self.object_recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def count_accuracy(self) -> float | None:
        return self._rate(self.count_right, self.count_scored)

    @property
    def color_accuracy(self) -> float | None:
        return self._rate(self.color_right, self.color_scored)

    @property
    def spatial_recall(self) -> float | None:
        return self._rate(self.spatial_found, self.spatial_gold)

    @property
    def action_recall(self) -> float | None:
        return self._rate(self.action_found, self.action_gold)

    @property
    def relation_precision(self) -> float | None:
        return self._rate(self.relations_right, self.relations_predicted)

    @property
    def invented_per_prompt(self) -> float | None:
        return self._rate(self.invented, self.prompts)

    @property
    def parts_recall(self) -> float | None:
        return self._rate(self.parts_found, self.parts_gold)

    @property
    def measurements_recall(self) -> float | None:
        return self._rate(self.measurements_found, self.measurements_gold)

    FIGURES = ("object_precision", "object_recall", "object_f1", "count_accuracy", "color_accuracy",
               "color_invented", "spatial_recall", "action_recall", "relation_precision",
               "invented_per_prompt", "parts_recall", "measurements_recall", "errors")

    def figures(self) -> dict[str, float | int | None]:
        return {name: getattr(self, name) for name in self.FIGURES}


@dataclass
class ExampleScore:
    """One prompt's result: its tally and, in words, everything that went wrong."""

    id: str
    style: str
    prompt: str
    tally: Tally
    error: str | None = None
    missed_objects: list[str] = field(default_factory=list)
    invented_objects: list[str] = field(default_factory=list)
    wrong_counts: list[str] = field(default_factory=list)
    wrong_colors: list[str] = field(default_factory=list)
    missed_relations: list[str] = field(default_factory=list)
    wrong_relations: list[str] = field(default_factory=list)
    missed_parts: list[str] = field(default_factory=list)
    missed_measurements: list[str] = field(default_factory=list)

    PROBLEM_FIELDS = ("missed_objects", "invented_objects", "wrong_counts", "wrong_colors", "missed_relations",
                      "wrong_relations", "missed_parts", "missed_measurements")

    @property
    def problems(self) -> int:
        """How badly the prompt went: one per missed or wrong item; a refused prompt counts as
        everything missed."""
        return sum(len(getattr(self, f)) for f in self.PROBLEM_FIELDS) + (1 if self.error else 0)

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "style": self.style, "prompt": self.prompt, "problems": self.problems}
        if self.error:
            out["error"] = self.error
        out.update({f: getattr(self, f) for f in self.PROBLEM_FIELDS if getattr(self, f)})
        return out


def _describe_gold_relation(rel: Relation, gold: GoldGraph) -> str:
    return f"{gold.object(rel.subject).name} {rel.predicate} {gold.object(rel.object).name}"


def _gold_tally(example: GoldExample) -> Tally:
    """The gold side of a prompt's tally: what there is to find, before anything is found."""
    gold = example.gold
    return Tally(
        prompts=1,
        gold_objects=len(gold.objects),
        spatial_gold=sum(r.is_spatial for r in gold.relations),
        action_gold=sum(not r.is_spatial for r in gold.relations),
        parts_gold=sum(len(o.parts) for o in gold.objects),
        measurements_gold=sum(len(o.measurements) for o in gold.objects),
    )


def score_example(example: GoldExample, predicted: SceneGraph | Exception) -> ExampleScore:
    """Compare one parse (or the error the parser raised) with the gold graph."""
    gold = example.gold
    tally = _gold_tally(example)
    score = ExampleScore(example.id, example.style, example.prompt, tally)
    if isinstance(predicted, Exception):
        # A refused or crashed prompt: every gold item is missed, nothing is predicted.
        tally.errors = 1
        score.error = f"{type(predicted).__name__}: {predicted}"
        score.missed_objects = [o.name for o in gold.objects]
        score.missed_relations = [_describe_gold_relation(r, gold) for r in gold.relations]
        score.missed_parts = [f"{o.name}: {p}" for o in gold.objects for p in o.parts]
        score.missed_measurements = [f"{o.name}: {m}" for o in gold.objects for m in o.measurements]
        return score

    match = match_objects(predicted, gold)
    to_gold = match.pairs
    from_gold = match.gold_to_predicted()
    tally.matched = len(match.pairs)
    tally.invented = len(match.invented)
    score.invented_objects = [predicted.object(i).name for i in match.invented]

    for g in gold.objects:
        p_id = from_gold.get(g.id)
        if p_id is None:
            score.missed_objects.append(g.name)
            score.missed_parts += [f"{g.name}: {p}" for p in g.parts]
            score.missed_measurements += [f"{g.name}: {m}" for m in g.measurements]
            continue
        p = predicted.object(p_id)
        if g.count is not None:
            tally.count_scored += 1
            if p.count == g.count:
                tally.count_right += 1
            else:
                score.wrong_counts.append(f"{g.name}: {p.count} for {g.count}")
        color = _normalise_color(p.attributes.color)
        if g.colors:
            tally.color_scored += 1
            if color in g.colors:
                tally.color_right += 1
            else:
                score.wrong_colors.append(f"{g.name}: {color} for {'/'.join(sorted(g.colors))}")
        elif color is not None:
            tally.color_invented += 1
            score.wrong_colors.append(f"{g.name}: {color} for none")
        predicted_heads = {head_noun(x) for x in p.attributes.parts}
        for part in g.parts:
            if head_noun(part) in predicted_heads:
                tally.parts_found += 1
            else:
                score.missed_parts.append(f"{g.name}: {part}")
        for m in g.measurements:
            if measurement_found(m, p.attributes.measurements):
                tally.measurements_found += 1
            else:
                score.missed_measurements.append(f"{g.name}: {m}")

    for rel in gold.relations:
        if any(_relation_holds(rel, r, to_gold) for r in predicted.relations):
            if rel.is_spatial:
                tally.spatial_found += 1
            else:
                tally.action_found += 1
        else:
            score.missed_relations.append(_describe_gold_relation(rel, gold))

    optional = set(match.optional)
    for r in predicted.relations:
        if r.subject in optional or r.object in optional:
            continue  # neither credit nor error, like the optional object itself
        tally.relations_predicted += 1
        if any(_relation_holds(g, r, to_gold) for g in gold.relations):
            tally.relations_right += 1
        else:
            score.wrong_relations.append(
                f"{predicted.object(r.subject).name} {r.predicate} {predicted.object(r.object).name}")
    return score


# --------------------------------------------------------------------------------------------
# A whole file
# --------------------------------------------------------------------------------------------
@dataclass
class GoldReport:
    """Per-style and overall tallies plus every prompt's score."""

    examples: list[ExampleScore] = field(default_factory=list)

    def per_style(self) -> dict[str, Tally]:
        styles: dict[str, Tally] = {}
        for ex in self.examples:
            styles.setdefault(ex.style, Tally()).add(ex.tally)
        return styles

    def overall(self) -> Tally:
        total = Tally()
        for ex in self.examples:
            total.add(ex.tally)
        return total

    def worst(self, n: int) -> list[ExampleScore]:
        """The n prompts with the most problems (ties in file order); perfect ones never."""
        ranked = sorted((ex for ex in self.examples if ex.problems), key=lambda ex: -ex.problems)
        return ranked[:n]


def default_parse(prompt: str) -> SceneGraph:
    from stagestudio.scene.parser import parse_prompt

    return parse_prompt(prompt)


def evaluate_gold(examples: Iterable[GoldExample], parse: Callable[[str], SceneGraph] = default_parse) -> GoldReport:
    """Parse every prompt and score it. Any exception from the parser is recorded as that
    prompt's error (all misses), never raised: one bad prompt must not lose the report."""
    report = GoldReport()
    for example in examples:
        try:
            predicted: SceneGraph | Exception = parse(example.prompt)
        except Exception as exc:  # noqa: BLE001 - a parser bug is a result to report, not a crash
            predicted = exc
        report.examples.append(score_example(example, predicted))
    return report
