"""What the dependency parse says a relation phrase or a verb attaches to.

The hand rules attach a place phrase or a verb to a noun by position: the clause's latest object,
the phrase right after. The statistical parse (`tagging.py`) says which noun a preposition hangs
from and whose verb it is: in "a bucket hanging from the top rung of a ladder, crates stacked
beneath it" or "a dinghy carrying two neighbours past a postbox" position alone cannot tell.
`SentenceArcs` maps the parse's tokens onto the resolved items of one sentence, so the relating
step can ask which found object a phrase's attachment or a verb's subject and object are.
"""

from __future__ import annotations

from stagestudio.scene.parsing.items import span_of
from stagestudio.scene.parsing.state import Ref
from stagestudio.scene.parsing.tagging import TaggedWord, tag_sentence

# arcs by which a verb's doer hangs from it
_SUBJECT_ARCS = ("nsubj", "csubj")
# arcs by which a participle or relative clause describes the noun above it: "a dinghy carrying
# two neighbours", "a horse that grazes by the fence"
_DESCRIBING_ARCS = ("acl", "relcl")
_RELATIVE_TAGS = ("WDT", "WP")


class SentenceArcs:
    """The parse of one sentence, with each token's resolved item."""

    def __init__(self, tags: tuple[TaggedWord, ...], resolved: list, items: list) -> None:
        self.tags = tags
        self.resolved = resolved
        self.item_at: dict[int, int] = {}
        for k, item in enumerate(items):
            span = span_of(item)
            if span is not None:
                for t in range(*span):
                    self.item_at.setdefault(t, k)

    def children(self, t: int, *deps: str) -> list[int]:
        return [c for c, w in enumerate(self.tags) if w.head == t and c != t and (not deps or w.dep in deps)]

    def found(self, t: int) -> str | None:
        """The object the token names, if the token lies in a phrase resolved to a drawn object."""
        k = self.item_at.get(t)
        ref = self.resolved[k] if k is not None else None
        if isinstance(ref, Ref) and ref.object_id is not None and ref.pronoun is None and not ref.via_part:
            return ref.object_id
        return None

    def dropped(self, t: int) -> bool:
        """Whether the token lies in a phrase the reading did not draw (a part, the setting)."""
        k = self.item_at.get(t)
        ref = self.resolved[k] if k is not None else None
        return isinstance(ref, Ref) and ref.object_id is None and ref.pronoun is None

    def doer(self, t: int, depth: int = 0, *, shared: bool = False) -> int | None:
        """The token of the noun that does or is placed by the word at `t`: the word itself when
        a noun, a verb's subject, or the noun a participle or relative clause describes; with
        `shared`, also the subject of the clause a participle after a comma continues ("...
        stand beneath it, shining a flashlight")."""
        if depth > 6 or not 0 <= t < len(self.tags):
            return None
        word = self.tags[t]
        if word.is_noun:
            return t
        if word.pos not in ("VERB", "AUX", "ADJ"):
            return None
        subjects = self.children(t, *_SUBJECT_ARCS)
        if subjects:
            s = subjects[0]
            if self.tags[s].tag in _RELATIVE_TAGS and word.dep == "relcl":
                return self.doer(word.head, depth + 1)  # "a horse that grazes": the horse
            return s if self.tags[s].is_noun else None
        if self.children(t, "nsubjpass", "expl"):
            return None  # a passive's subject is what is acted on, not the doer
        if word.dep in _DESCRIBING_ARCS or word.dep == "amod":
            if word.dep != "relcl" and self.tags[word.head].dep == "pobj":
                # the parser hangs a participle from the nearest noun, and a noun inside a place
                # phrase rarely does what follows it ("a monkey on a branch eating a banana")
                return None
            return self.doer(word.head, depth + 1)
        if shared and word.dep == "advcl" and word.tag == "VBG" and t > 0 and self.tags[t - 1].text == ",":
            return self.doer(word.head, depth + 1)
        # (a clause without a subject of its own, "..., turning a page", is left to the rules: the
        # parser often hangs it from the wrong clause)
        return None

    def relative_word(self, t: int) -> str | None:
        """The relative pronoun ("who", "that", "which") that is the subject of the verb at `t`
        when the verb opens a relative clause; None otherwise."""
        subjects = self.children(t, *_SUBJECT_ARCS)
        if subjects and self.tags[subjects[0]].tag in _RELATIVE_TAGS and self.tags[t].dep == "relcl":
            return self.tags[subjects[0]].text.lower()
        return None

    def joined(self, t: int) -> list[int]:
        """The nouns coordinated with the noun at `t` ("a father and his daughter")."""
        return [c for c in self.children(t, "conj") if self.tags[c].is_noun]


def sentence_arcs(items: list, resolved: list) -> SentenceArcs | None:
    """The parse of a scanned sentence mapped onto its resolved items; None without the
    pipeline, without the tokens, or where resolving did not keep one entry per item."""
    tokens = getattr(items, "tokens", None)
    if tokens is None or len(items) != len(resolved):
        return None
    tags = tag_sentence(tokens)
    if not tags or len(tags) != len(tokens):
        return None
    return SentenceArcs(tags, resolved, items)
