"""English surface forms for graph content: noun phrases and scene descriptions."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stagestudio.scene.graph import SceneGraph

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


def describe_graph(graph: SceneGraph) -> str:
    """One sentence per relation, objects without relations listed first."""
    if not graph.objects:
        return "An empty scene."
    related = {r.subject for r in graph.relations} | {r.object for r in graph.relations}
    parts: list[str] = []
    loose = [o for o in graph.objects if o.id not in related]
    if loose:
        phrases = [o.noun_phrase() for o in loose]
        listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
        parts.append(f"The scene shows {listed}.")
    for r in graph.relations:
        s, o = graph.object(r.subject), graph.object(r.object)
        verb = "is" if s.count == 1 else "are"
        subject = s.noun_phrase()
        parts.append(f"{subject[0].upper()}{subject[1:]} {verb} {r.predicate} {o.noun_phrase()}.")
    return " ".join(parts)
