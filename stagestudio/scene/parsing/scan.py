"""Scan: one sentence's tokens -> items."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing.items import Adjectives, Break, Item, NounPhrase, Possessive, Prep, Rel
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
from stagestudio.scene.parsing.words import bare_plural, hyphen_colour


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
        phrase_item, end = parse_noun_phrase(tokens, i)
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
        if tok in lx.ATTACHING_PREPOSITIONS and not (tok == "to" and i + 1 < n and tokens[i + 1] in LINKING_VERBS):
            # ("happens to be blue": "to" before a linking verb attaches nothing)
            items.append(Prep(tok))
        i = max(end, i + 1)
    return items
