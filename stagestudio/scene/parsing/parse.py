"""The entry point: prompt -> SceneGraph."""

from __future__ import annotations

import copy

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import Relation, SceneGraph, SceneObject
from stagestudio.scene.parsing.attributes import attributes
from stagestudio.scene.parsing import english
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


def _read(sentences: list[list[Item]], *, keep_all_nouns: bool, last_resort_subject: str = "") -> State:
    """Resolve and relate the scanned sentences into objects and relations (on a copy: the
    reading annotates the items it resolves)."""
    state = State(keep_all_nouns=keep_all_nouns, last_resort_subject=last_resort_subject)
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


# Words that only frame a picture: a prompt naming nothing else names nothing to draw ("a photo
# of", "the style of", "a close-up shot"). Picture words that carry content ("a portrait", "an
# abstract painting", "a religious scene") are not among them.
_FRAMING_WORDS = (lx.PICTURE_NOUNS | lx.ABSTRACT_NOUNS) - lx.CONTENT_PICTURE_NOUNS


# WordNet lexicographer files of nouns that name no thing one could draw even as a picture's
# subject: act (a war), attribute, cognition, event, feeling, motive, phenomenon, process,
# quantity, relation, state, time (an era, a century).
_UNDEPICTABLE_FILES = frozenset({4, 7, 9, 11, 12, 16, 19, 22, 23, 24, 26, 28})


def _depictable(head: str) -> bool:
    senses = english.noun_senses(head)
    return not senses or senses[0].lexfile not in _UNDEPICTABLE_FILES


def _last_resort_subject(sentences: list[list[Item]]) -> str | None:
    """Where no reading finds an object ("A lavender field during summer", "a tall, thin
    rectangle and a short, wide rectangle", "A portrait in the style of Leonardo da Vinci"), the
    first noun that names more than the picture's framing, a thing before anything else. Every
    phrase with that head is made a thing to draw; returns the head, or None."""
    phrases = [item for items in sentences for item in items
               if isinstance(item, NounPhrase) and item.pronoun is None and item.head not in _FRAMING_WORDS
               and _depictable(item.head)]
    if not phrases:
        return None
    chosen = next((p for p in phrases if english.has_thing_sense(p.head)), phrases[0]).head
    for phrase in phrases:
        if phrase.head == chosen:
            phrase.kind = NounKind.THING
            if chosen in lx.PORTRAIT_NOUNS:  # a portrait shows someone
                phrase.head = phrase.surface = "person"
    return "person" if chosen in lx.PORTRAIT_NOUNS else chosen


def _written_noun(surface: str) -> str | None:
    """The noun as the prompt wrote it, singular: 'astronauts' -> 'astronaut' (named `person`),
    'mugs' -> 'mug' (a `cup`). The graph keeps it only where it differs from the name."""
    words = surface.lower().split()
    if not words or not all(w.replace("-", "").replace("'", "").isalpha() for w in words):
        return None
    return " ".join([*words[:-1], english.noun_lemma(words[-1])])


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
            # Refuse only a prompt that names nothing at all: a picture whose subject the
            # reading files as a setting, a shape or an abstraction is still drawn as that subject.
            chosen = _last_resort_subject(sentences)
            if chosen is not None:
                fallback = _read(sentences, keep_all_nouns=True, last_resort_subject=chosen)
                fallback.notes.append(f"no concrete object found; '{chosen}' is drawn as the prompt's subject")
            if not fallback.objects:
                raise PromptError(_nothing_found_message(prompt, state))
        state = fallback
    objects = [
        SceneObject(id=o.id, name=o.name, count=o.count, noun=noun,
                    attributes=attributes(o.modifiers, parts=o.parts, measurements=o.measurements, head=o.name,
                                          noun=noun))
        for o in state.objects
        for noun in [_written_noun(o.surface)]
    ]
    relations = [Relation(subject=s, predicate=p, object=o) for s, p, o in state.relations]
    return SceneGraph(objects=objects, relations=relations, notes=state.notes).validate_graph()
