"""A learned second look at the nouns the rules left out of the graph.

The rules decide, noun by noun, whether a noun is a thing to draw, a setting, a part or a word
of the picture's framing. On prose they were not written against, most objects they miss are
nouns the contextual tagger reads as nouns (121 of 123 misses on two unseen aside sets): the
rules *dropped* them. This module scores each such noun with a logistic model over contextual
evidence (its dependency role and what it hangs from, the preposition before it, its WordNet
lexicographer file and kind, whether the rules kept it as a part) and adds the ones it is
confident about, with what the dependency parse says of their count, colour and relation.

The weights are fitted on the hand-checked development gold by `tools/train_objectness.py`
(plain NumPy, deterministic) and shipped as `data/objectness.json`; the aside set is never used
to fit them. Without the tagger, or without the weights file, nothing is added.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import lemminflect

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import MAX_COUNT, ObjectAttributes, Relation, SceneGraph, SceneObject
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.nouns import match_noun
from stagestudio.scene.parsing.relations import match_relation
from stagestudio.scene.parsing.tagging import TaggedWord, tag_sentence

WEIGHTS_PATH = Path(__file__).parent / "data" / "objectness.json"
_DIGITS = {str(n) for n in range(2, MAX_COUNT + 1)}


@dataclass(frozen=True)
class Candidate:
    """A noun in the prompt that no object of the rules' graph names."""

    sentence: int
    index: int
    word: str
    name: str  # the canonical name an object for it would get
    features: tuple[str, ...]


def _names(word: str) -> frozenset[str]:
    """Names an object made from this noun could carry: its lemma, its GenEval class, "person"."""
    lemma = english.noun_lemma(word)
    names = {word, lemma}
    cls = english.geneval_class(lemma)
    if cls:
        names.add(cls)
    if english.is_person(lemma):
        names.add("person")
    return frozenset(names)


def _compound_start(tags: tuple[TaggedWord, ...], i: int) -> int:
    """The first token of the compound the noun at i heads ("ice cream van" -> "ice")."""
    start = i
    while start > 0 and tags[start - 1].dep == "compound" and tags[start - 1].head in range(start, i + 1):
        start -= 1
    return start


def canonical_name(tokens: list[str], tags: tuple[TaggedWord, ...], i: int) -> str:
    """The lexicon's name for the noun at i, through its compound where the lexicon knows the
    compound ("cat carrier", "vending machine"), else through the noun alone."""
    for start in range(_compound_start(tags, i), i + 1):
        found = match_noun(tokens, start)
        if found is not None and start + found[1] == i + 1:
            return found[0].name
    lemma = english.noun_lemma(tokens[i])
    if english.is_person(lemma):
        return "person"
    return english.geneval_class(lemma) or lemma


def _features(tags: tuple[TaggedWord, ...], i: int, kept_as_part: bool) -> tuple[str, ...]:
    word, head = tags[i], tags[tags[i].head]
    lemma = english.noun_lemma(word.text)
    senses = english.noun_senses(lemma)
    features = [
        f"dep={word.dep}", f"tag={word.tag}", f"head_dep={head.dep}", f"head_pos={head.pos}",
        f"dep_under={word.dep}|{head.pos}", f"kind={english.noun_kind(lemma).name}",
        f"lexfile={senses[0].lexfile if senses else -1}",
        f"lexfile2={senses[1].lexfile if len(senses) > 1 else -1}",
        f"part={english.is_part(lemma)}", f"worn={english.is_worn(lemma)}", f"animate={english.is_animate(lemma)}",
        f"artifact={english.is_artifact(lemma)}", f"kept_as_part={kept_as_part}", f"mass={english.is_mass(lemma)}",
        f"geneval={english.geneval_class(lemma) is not None}", f"opening={i < 3}",
    ]
    kind = english.noun_kind(lemma).name
    features += [f"kind_dep={kind}|{word.dep}", f"kind_part={kind}|{kept_as_part}"]
    if word.dep == "pobj":
        features += [f"prep={head.text}", f"prep_under={head.text}|{tags[head.head].pos}", f"kind_prep={kind}|{head.text}"]
    features += [f"child={t.dep}" for j, t in enumerate(tags) if t.head == i and j != i]
    return tuple(features)


def candidates(sentences: list[list[str]], graph: SceneGraph) -> list[Candidate]:
    """Nouns heading a phrase that no object of `graph` names, in prompt order (a noun that only
    modifies another, "glass" in "a glass float", heads nothing)."""
    drawn = {o.name for o in graph.objects} | {o.name.split()[-1] for o in graph.objects}
    parts = {p.split()[-1] for o in graph.objects for p in o.attributes.parts}
    found: list[Candidate] = []
    for s, tokens in enumerate(sentences):
        tags = tag_sentence(tokens)
        if tags is None:
            return []
        for i, word in enumerate(tags):
            if not word.is_noun or word.dep == "compound" or not word.text.isalpha():
                continue
            names = _names(word.text)
            name = canonical_name(tokens, tags, i)
            if names & drawn or name in drawn or name.split()[-1] in drawn:
                continue
            found.append(Candidate(s, i, word.text, name, _features(tags, i, bool(names & parts))))
    return found


@dataclass(frozen=True)
class ObjectnessModel:
    """Logistic weights over candidate features; `threshold` is the probability to add at."""

    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, candidate: Candidate) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in candidate.features)
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> str:
        return json.dumps({"bias": self.bias, "threshold": self.threshold,
                           "weights": dict(sorted(self.weights.items()))}, indent=0) + "\n"


@lru_cache(maxsize=1)
def load_model(path: Path = WEIGHTS_PATH) -> ObjectnessModel | None:
    try:
        data = json.loads(path.read_text())
        return ObjectnessModel({str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"]),
                               float(data["threshold"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no or unreadable weights: the rules' graph stands alone


# --------------------------------------------------------------------------------------------
# What the dependency parse says about an added object
# --------------------------------------------------------------------------------------------
def _count(tags: tuple[TaggedWord, ...], i: int) -> int:
    numbers = [t.text for j, t in enumerate(tags) if t.head == i and j != i and t.dep == "nummod"]
    if numbers and numbers[0] in _DIGITS:
        return int(numbers[0])
    return 2 if tags[i].tag in ("NNS", "NNPS") and numbers != ["1"] else 1


def _colour(tags: tuple[TaggedWord, ...], i: int) -> str | None:
    return next((t.text for j, t in enumerate(tags) if t.head == i and j < i and t.text in lx.COLOR_WORDS), None)


def _ing(verb: str) -> str | None:
    lemma = english.verb_lemma(verb)
    forms = lemminflect.getInflection(lemma, tag="VBG") if lemma else ()
    return forms[0] if forms else None


def _spatial_predicate(tokens: list[str], tags: tuple[TaggedWord, ...], prep: int) -> tuple[str, int] | None:
    """The spatial predicate of the preposition at `prep` and the token its phrase hangs from:
    "on", "beneath", the "of" closing "in front of" / "to the left of"."""
    for start in range(prep, max(-1, prep - 4), -1):
        found = match_relation(tokens, start)
        if found is not None and found[1] == prep + 1 and found[0].kind == "object":
            anchor = start if tags[start].dep == "prep" else prep
            return found[0].predicate, tags[anchor].head
    return None


def _doer(tags: tuple[TaggedWord, ...], at: int) -> int | None:
    """The noun a verb or noun token stands for as a subject: a noun itself, a verb's subject,
    the noun a participle clause hangs from."""
    if tags[at].is_noun:
        return at
    if tags[at].pos in ("VERB", "AUX"):
        subject = next((j for j, t in enumerate(tags) if t.head == at and t.dep in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return subject
        if tags[at].dep in ("acl", "relcl") and tags[tags[at].head].is_noun:
            return tags[at].head
    return None


class _Mentions:
    """Which graph object a noun token names: by the names an object for it would carry."""

    def __init__(self, graph: SceneGraph) -> None:
        self.by_name: dict[str, str] = {}
        for o in graph.objects:
            self.by_name.setdefault(o.name, o.id)
            self.by_name.setdefault(o.name.split()[-1], o.id)

    def object_of(self, tokens: list[str], tags: tuple[TaggedWord, ...], i: int | None) -> str | None:
        if i is None or not tags[i].is_noun:
            return None
        for name in (canonical_name(tokens, tags, i), *sorted(_names(tags[i].text))):
            if name in self.by_name:
                return self.by_name[name]
        return None


def _relations(sentences: list[list[str]], graph: SceneGraph, added: dict[tuple[int, int], str]) -> list[Relation]:
    """Relations of each added object to an object of the graph (or another added one) that the
    dependency arcs state: a spatial preposition between them, or a verb whose object it is."""
    mentions = _Mentions(graph)
    relations: list[Relation] = []
    for (s, i), oid in added.items():
        tokens, tags = sentences[s], tag_sentence(sentences[s])
        assert tags is not None

        def obj(j: int | None) -> str | None:
            return added.get((s, j)) if j is not None and (s, j) in added else mentions.object_of(tokens, tags, j)

        word = tags[i]
        if word.dep == "pobj":
            spatial = _spatial_predicate(tokens, tags, word.head)
            if spatial is not None:
                subject = obj(_doer(tags, spatial[1]))
                if subject is not None and subject != oid:
                    relations.append(Relation(subject=subject, predicate=spatial[0], object=oid))
        elif word.dep == "dobj" and tags[word.head].pos == "VERB":
            predicate, agent = _ing(tags[word.head].text), obj(_doer(tags, word.head))
            if predicate and agent is not None and agent != oid:
                relations.append(Relation(subject=agent, predicate=predicate, object=oid))
        for j, child in enumerate(tags):  # "crates stacked beneath it": the added noun's own place
            if child.head == i and child.dep == "acl":
                for k, grandchild in enumerate(tags):
                    if grandchild.head == j and grandchild.dep == "prep":
                        pobj = next((m for m, t in enumerate(tags) if t.head == k and t.dep == "pobj"), None)
                        spatial = _spatial_predicate(tokens, tags, k)
                        target = obj(pobj)
                        if spatial is not None and target is not None and target != oid:
                            relations.append(Relation(subject=oid, predicate=spatial[0], object=target))
    return relations


def add_missed_objects(sentences: list[list[str]], graph: SceneGraph,
                       model: ObjectnessModel | None = None) -> SceneGraph:
    """The graph with the nouns the model is confident the rules missed added as objects (with
    their count, colour and the relations the dependency arcs state), and a note naming them."""
    model = model or load_model()
    if model is None:
        return graph
    chosen = [c for c in candidates(sentences, graph) if model.probability(c) >= model.threshold]
    if not chosen:
        return graph
    objects = list(graph.objects)
    taken = {o.id for o in objects}
    added: dict[tuple[int, int], str] = {}
    by_name: dict[str, str] = {}
    for c in chosen:
        if c.name in by_name:  # a second mention of a noun already added
            added[(c.sentence, c.index)] = by_name[c.name]
            continue
        tags = tag_sentence(sentences[c.sentence])
        assert tags is not None
        number = len(taken) + 1
        while f"o{number}" in taken:
            number += 1
        oid = f"o{number}"
        taken.add(oid)
        colour = _colour(tags, c.index)
        objects.append(SceneObject(id=oid, name=c.name, count=_count(tags, c.index),
                                   attributes=ObjectAttributes(color=colour)))
        added[(c.sentence, c.index)] = by_name[c.name] = oid
    relations = list(graph.relations)
    for rel in _relations(sentences, graph.model_copy(update={"objects": objects}), added):
        if not any(r.subject == rel.subject and r.object == rel.object for r in relations):
            relations.append(rel)
    names = ", ".join(sorted(by_name))
    notes = [*graph.notes, f"added by the learned object model (nouns the rules left out): {names}"]
    return SceneGraph(objects=objects, relations=relations, notes=notes).validate_graph()
