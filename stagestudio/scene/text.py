"""English surface forms for graph content: noun phrases and scene descriptions."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stagestudio.scene.graph import SceneGraph, SceneObject

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                "eighteen", "nineteen", "twenty"]


@lru_cache(maxsize=1)
def _inflector():
    import inflect

    return inflect.engine()


def plural(noun: str) -> str:
    """Plural of a (possibly multi-word) noun: 'cell phone' -> 'cell phones'."""
    words = noun.split()
    if not words:
        return noun
    words[-1] = _inflector().plural_noun(words[-1]) or words[-1]
    return " ".join(words)


def article(phrase: str) -> str:
    return _inflector().a(phrase).split(" ", 1)[0]


def noun_phrase(name: str, count: int, attributes: str = "") -> str:
    """'a silver spoon', 'three red cars'."""
    head = f"{attributes} {name}".strip() if attributes else name
    if count == 1:
        return f"{article(head)} {head}"
    number = NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)
    body = f"{attributes} {plural(name)}".strip() if attributes else plural(name)
    return f"{number} {body}"


def definite(name: str, count: int) -> str:
    """'the spoon', 'the cars' — how a placed object is referred to later."""
    return f"the {name if count == 1 else plural(name)}"


# How a predicate reads in a sentence; the graph keeps the short canonical form.
RELATION_WORDS: dict[str, str] = {"left of": "to the left of", "right of": "to the right of"}


def relation_words(predicate: str) -> str:
    """'left of' -> 'to the left of'; other predicates read as they are."""
    return RELATION_WORDS.get(predicate, predicate)


def refer_to(obj: SceneObject, graph: SceneGraph) -> str:
    """The definite reference to an object already introduced: 'the bear', or 'the red car'
    when another object in the graph has the same name."""
    phrase = definite(obj.called, obj.count)
    if any(o.called == obj.called and o.id != obj.id for o in graph.objects):
        attrs = obj.attributes.phrase()
        if attrs:
            return f"the {attrs} {phrase[4:]}"
    return phrase


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def describe_graph(graph: SceneGraph) -> str:
    """The whole scene in plain English: objects without relations first, then one sentence
    per object placed relative to others. Each object is introduced once ('a dog') and
    referred to after that ('the dog')."""
    if not graph.objects:
        return "An empty scene."
    introduced: set[str] = set()

    def mention(obj: SceneObject) -> str:
        if obj.id in introduced:
            return refer_to(obj, graph)
        introduced.add(obj.id)
        return obj.noun_phrase()

    related = {r.subject for r in graph.relations} | {r.object for r in graph.relations}
    parts: list[str] = []
    loose = [o for o in graph.objects if o.id not in related]
    if loose:
        parts.append(f"The scene shows {_join([mention(o) for o in loose])}.")
    subjects = list(dict.fromkeys(r.subject for r in graph.relations))
    for subject_id in subjects:
        subject = graph.object(subject_id)
        verb = "is" if subject.count == 1 else "are"
        head = mention(subject)
        placements = [f"{relation_words(r.predicate)} {mention(graph.object(r.object))}"
                      for r in graph.relations if r.subject == subject_id]
        parts.append(f"{head[0].upper()}{head[1:]} {verb} {_join(placements)}.")
    return " ".join(parts)
