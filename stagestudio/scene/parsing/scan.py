"""Scan: one sentence's tokens -> items."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.items import (
    Action,
    Adjectives,
    Break,
    Item,
    Measure,
    NounPhrase,
    Possessive,
    Prep,
    Rel,
)
from stagestudio.scene.parsing.phrases import parse_noun_phrase
from stagestudio.scene.parsing.relations import (
    COLOUR_NOUNS,
    LINKING_VERBS,
    MADE_OF,
    MUTUAL_PHRASES,
    NEGATORS,
    SEQUENCES,
    THERE_IS,
    RelPhrase,
    match_relation,
)
from stagestudio.scene.parsing.words import (
    bare_plural,
    hyphen_colour,
    is_number,
    is_verb_form,
)

_NOUN_PHRASE_OPENERS = lx.INDEFINITE_DETERMINERS | lx.DEFINITE_DETERMINERS | lx.POSSESSIVE_PRONOUNS


def _action_at(tokens: list[str], i: int, items: list[Item]) -> tuple[Action, int] | None:
    """An action verb at tokens[i] with its object after it: "riding a horse", "holds a red
    umbrella", "looking at the moon" -> (Action("riding"), index of the object phrase).

    Only -ing and -s forms count (a past participle is passive or an adjective: "a parked
    car", "painted blue"); the verb must follow a noun phrase in its sentence, and what follows it must open a
    noun phrase, not a relation ("sitting on a bench" is the spatial "on")."""
    tok = tokens[i]
    if (not tok.endswith(("ing", "s")) or not any(isinstance(item, NounPhrase) for item in items)
            or isinstance(items[-1], (Rel, Prep, Possessive, Action))):
        return None
    lemma = english.verb_lemma(tok)
    if lemma is None or lemma == tok or lemma in lx.INTRANSITIVE_VERBS:
        return None
    followed_by_determiner = i + 1 < len(tokens) and tokens[i + 1] in _NOUN_PHRASE_OPENERS
    if not is_verb_form(tok) and not (tok.endswith("ing") and followed_by_determiner):
        return None  # "building" is a noun, except in "building a sandcastle"
    clause = items[max((k for k, item in enumerate(items) if isinstance(item, Break)), default=-1) + 1:]
    if clause and isinstance(clause[0], Rel):
        return None  # "Underneath a green umbrella stands a hydrant": an inverted sentence
    j = i + 1
    particle = ""
    if j < len(tokens) and tokens[j] in lx.ACTION_PARTICLES:
        particle, j = tokens[j], j + 1
    elif j + 1 < len(tokens) and tokens[j] in ("out", "up", "off") and tokens[j + 1] in _NOUN_PHRASE_OPENERS:
        j += 1  # "blowing out the candles", "picking up a ball": the particle names no relation
    elif lemma in lx.NON_ACTION_VERBS:
        return None
    if j >= len(tokens) or match_relation(tokens, j) is not None:
        return None
    nxt = tokens[j]
    opens = (nxt in _NOUN_PHRASE_OPENERS or is_number(nxt) or nxt in lx.PRONOUNS_SINGULAR
             or nxt in lx.PRONOUNS_PLURAL or nxt in lx.PRONOUNS_PERSON or nxt == "her")
    if not opens:
        phrase, _ = parse_noun_phrase(tokens, j)
        opens = isinstance(phrase, NounPhrase)
    if not opens:
        return None
    predicate = english.present_participle(lemma) + (f" {particle}" if particle else "")
    return Action(predicate), j


def _contents_follow(tokens: list[str], end: int, phrase: NounPhrase) -> bool:
    """"a basket of bread", "a plate of cookies": a container or serving surface with what it
    holds after "of"; both are drawn, the contents in (or on) the container."""
    if end + 1 >= len(tokens) or tokens[end] != "of" or phrase.is_class and phrase.head not in ("bowl", "cup"):
        return False
    return phrase.head in lx.SERVING_SURFACES or english.is_container(phrase.head)


def scan(tokens: list[str]) -> list[Item]:
    items: list[Item] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        mutual = next((p for p in MUTUAL_PHRASES if tuple(tokens[i:i + len(p)]) == p), None)
        if mutual is not None:
            i += len(mutual)
            continue
        if tok in NEGATORS:
            # "no people", "without any cars": what follows is absent from the picture
            j = i + 1
            while j < n and tokens[j] in ("any", "a", "an", "other", "single"):
                j += 1
            skipped, end = parse_noun_phrase(tokens, j) if j < n else (None, j)
            i = end if skipped is not None else i + 1
            continue
        sequence = next((p for p in SEQUENCES if tuple(tokens[i:i + len(p)]) == p), None)
        if sequence is not None:
            items.append(Rel(RelPhrase(SEQUENCES[sequence], kind="sequence")))
            i += len(sequence)
            continue
        made = next((p for p in MADE_OF if tuple(tokens[i:i + len(p)]) == p), None)
        if made is not None:
            i += len(made)  # "a bench made of wood": the material belongs to the bench
            continue
        there = next((p for p in THERE_IS if tuple(tokens[i:i + len(p)]) == p), None)
        if there is not None:
            i += len(there)
            continue
        if (tok in lx.HARD_BOUNDARIES or tok in lx.CLAUSE_BREAKERS) and tok != "whose":
            if tok in ("and", "&") and items and isinstance(items[-1], Rel):
                i += 1  # "to the left and ..." keeps its relation open
                continue
            items.append(Break(tok))
            i += 1
            continue
        rel = match_relation(tokens, i)
        if rel is not None:
            phrase, end = rel
            if phrase.kind == "owner_before" and len(items) >= 2 and isinstance(items[-2], Rel) \
                    and items[-2].phrase.predicate in ("on", "near", "inside") and isinstance(items[-1], NounPhrase):
                del items[-2]  # "on the bench's left": the "on" belonged to the side phrase
            items.append(Rel(phrase))
            i = end
            continue
        if tok in ("'s", "whose"):
            items.append(Possessive(tok))
            i += 1
            continue
        action = _action_at(tokens, i, items)
        if action is not None:
            items.append(action[0])
            i = action[1]
            continue
        phrase_item, end = parse_noun_phrase(tokens, i)
        if isinstance(phrase_item, Measure):
            items.append(phrase_item)
            i = end
            continue
        if isinstance(phrase_item, NounPhrase) and _contents_follow(tokens, end, phrase_item):
            predicate = "on" if phrase_item.head in lx.SERVING_SURFACES else "inside"
            items.append(phrase_item)
            items.append(Rel(RelPhrase(predicate, kind="contents")))
            i = end + 1
            continue
        if phrase_item is None:
            bare = bare_plural(tokens, i, items)
            if bare is not None:
                items.append(bare)
                i += 1
                continue
        if (isinstance(phrase_item, NounPhrase) and phrase_item.head in COLOUR_NOUNS and end + 1 < n
                and tokens[end] == "of" and (tokens[end + 1] in lx.COLOR_WORDS or hyphen_colour(tokens[end + 1]))):
            # "painted a vivid shade of blue": the colour belongs to the object described
            items.append(Adjectives([tokens[end + 1]]))
            i = end + 2
            continue
        if (isinstance(phrase_item, NounPhrase) and phrase_item.head in COLOUR_NOUNS
                and any(w in lx.COLOR_WORDS or hyphen_colour(w) for w in phrase_item.modifiers)):
            # "a cow in a vibrant blue hue": the colour is the object's
            items.append(Adjectives(phrase_item.modifiers, colour_phrase=True))
            i = end
            continue
        if phrase_item is not None:
            items.append(phrase_item)
            i = end
            continue
        if tok in ("has", "have", "having") and not (i + 1 < n and tokens[i + 1] in ("been", "got", "to")):
            items.append(Prep(tok))  # "a cow that has a pink nose": what follows belongs to it
        elif tok in lx.ATTACHING_PREPOSITIONS and not (tok == "to" and i + 1 < n and tokens[i + 1] in LINKING_VERBS):
            # ("happens to be blue": "to" before a linking verb attaches nothing)
            items.append(Prep(tok))
        i = max(end, i + 1)
    return items
