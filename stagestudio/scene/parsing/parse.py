"""The entry point: prompt -> SceneGraph."""

from __future__ import annotations

import copy

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import Relation, SceneGraph, SceneObject
from stagestudio.scene.parsing.attributes import attributes
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.errors import PromptError
from stagestudio.scene.parsing.items import Item, NounPhrase
from stagestudio.scene.parsing.placements import drop_vague_duplicates, pair_placements
from stagestudio.scene.parsing.relate import process_sentence
from stagestudio.scene.parsing.scan import scan
from stagestudio.scene.parsing.state import State
from stagestudio.scene.parsing.tokens import strip_markup, tokenise

MAX_PROMPT_CHARS = 2000


def _nothing_found_message(prompt: str, state: State) -> str:
    """Say what was read, so the user sees why nothing counted as an object."""
    understood: list[str] = []
    scene_words = sorted(set(state.dropped))
    if scene_words:
        understood.append(f"scene or detail words ({', '.join(scene_words)}), which are not objects to draw")
    relations = sorted(set(state.seen_predicates))
    if relations:
        understood.append(f"the relation(s) {', '.join(repr(r) for r in relations)} with nothing to relate")
    what = ("understood " + "; ".join(understood)) if understood else "found no noun that names an object"
    shown = prompt.strip() if len(prompt.strip()) <= 60 else prompt.strip()[:57] + "..."
    return (f"no recognisable object in the prompt {shown!r}: {what}. "
            "Name what to draw, e.g. 'a photo of a dog' or 'a red car left of a cat'.")


def _read(sentences: list[list[Item]], *, keep_all_nouns: bool) -> State:
    """Resolve and relate the scanned sentences into objects and relations (on a copy: the
    reading annotates the items it resolves)."""
    state = State(keep_all_nouns=keep_all_nouns)
    counter = [0]
    for items in copy.deepcopy(sentences):
        process_sentence(items, state, counter)
    pair_placements(state)
    drop_vague_duplicates(state)
    return state


def _abstract_subject(sentences: list[list[Item]]) -> NounPhrase | None:
    """The prompt's first noun phrase when the lexicon calls it abstract but it is no picture,
    quality or measure word ("currency", "symbol"), else None."""
    first = next((item for items in sentences for item in items if isinstance(item, NounPhrase)), None)
    if (first is None or first.kind != NounKind.ABSTRACT or first.head in lx.NEVER_DRAWN_NOUNS
            or first.pronoun is not None):
        return None
    return first


def parse_prompt(prompt: str) -> SceneGraph:
    """Parse an English prompt into a scene graph (objects in mention order, ids o1, o2, ...)."""
    if not isinstance(prompt, str):
        raise PromptError(f"prompt must be text, got {type(prompt).__name__}")
    if not prompt.strip():
        raise PromptError("prompt is empty; describe at least one object, e.g. 'a red car left of a dog'")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise PromptError(
            f"prompt is {len(prompt)} characters; the limit is {MAX_PROMPT_CHARS}. Shorten the description."
        )
    if not any(ch.isalpha() for ch in strip_markup(prompt)):
        raise PromptError("prompt has no words outside markup or symbols; describe what to draw, e.g. 'a red car'")
    sentences = [scan(tokens) for tokens in tokenise(prompt)]
    state = _read(sentences, keep_all_nouns=False)
    subject = _abstract_subject(sentences)
    if not state.objects and subject is not None:
        # "Most commonly used currency in the world": what the prompt is about is drawn, even
        # where the lexicon files it under abstractions
        subject.kind = NounKind.THING
        state = _read(sentences, keep_all_nouns=False)
    if not state.objects:
        # Nothing but scenery ("a sunset over the ocean", "a park"): rather than refuse, draw
        # the scenery. Only a prompt with no drawable noun at all is an error.
        fallback = _read(sentences, keep_all_nouns=True)
        if not fallback.objects:
            raise PromptError(_nothing_found_message(prompt, state))
        state = fallback
    objects = [
        SceneObject(id=o.id, name=o.name, count=o.count,
                    attributes=attributes(o.modifiers, parts=o.parts, measurements=o.measurements, head=o.name))
        for o in state.objects
    ]
    relations = [Relation(subject=s, predicate=p, object=o) for s, p, o in state.relations]
    return SceneGraph(objects=objects, relations=relations, notes=state.notes).validate_graph()
