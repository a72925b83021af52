"""Counts a product listing writes after its noun: "Ceramic mugs, set of 4", "Glass jars x6",
"Steel straws, 8 pack", "Wine glasses (set of 2)", "2x ceramic bowls", "4 pcs bamboo coasters".

The phrase reader counts what a number before a noun says, so such a count is moved to the start
of the plural noun phrase it follows (and a multiplier or a "pcs" after a count is dropped),
before any reading. Only after a plural noun: "a set of 4 plates" is read as it stands."""

from __future__ import annotations

import re

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import MAX_COUNT
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.nouns import singular_form

_PIECES = frozenset({"pcs", "pc", "pieces", "ct", "count"})
_SET_WORDS = frozenset({"set", "pack", "box", "pair", "pairs"})
# words a noun phrase never reaches back over: it starts right after them
_PHRASE_OPENERS = (lx.HARD_BOUNDARIES | lx.ATTACHING_PREPOSITIONS | lx.INDEFINITE_DETERMINERS
                   | lx.DEFINITE_DETERMINERS | frozenset({"in", "on", "under", "near", "behind", "beside"}))


def _is_count(tok: str) -> bool:
    return tok.isdigit() or tok in lx.NUMBER_WORDS and lx.NUMBER_WORDS[tok] is not None


def _count_after(tokens: list[str], j: int) -> tuple[str, int] | None:
    """The count a marker at tokens[j] gives the plural noun before it, and the marker's length:
    "x 6", ", set of 4", "( set of 2 )", ", 8 pack", ", 8-pack", ", 12 pcs"."""
    at = tokens[j:j + 6]
    if len(at) >= 2 and at[0] == "x" and _is_count(at[1]):
        return at[1], 2
    opener = at[0] if at and at[0] in (",", "(") else ""
    rest = at[1:] if opener else at
    size = 0
    number = None
    if len(rest) >= 3 and rest[0] in _SET_WORDS and rest[1] == "of" and _is_count(rest[2]):
        number, size = rest[2], 3
    elif len(rest) >= 2 and _is_count(rest[0]) and (rest[1] == "pack" or rest[1] in _PIECES):
        number, size = rest[0], 2
    elif rest and rest[0].endswith("-pack") and _is_count(rest[0][:-5]):
        number, size = rest[0][:-5], 1
    if number is None or opener and not (size == len(rest) or rest[size] in (",", ")", "and", "with")):
        return None  # (a fragment of its own: the count is all it says)
    if opener == "(" and len(rest) > size and rest[size] == ")":
        size += 1
    return number, size + (1 if opener else 0)


def _phrase_start(tokens: list[str], noun: int) -> int:
    k = noun
    while k > 0 and tokens[k - 1].isalpha() and tokens[k - 1] not in _PHRASE_OPENERS and not _is_count(tokens[k - 1]):
        k -= 1
    return k


def _head_start(tokens: list[str]) -> int | None:
    """Where a listing's product phrase starts: the sentence's start, or after an owner's "'s"
    in its first words ("Reporter's notebook"); None when the sentence opens with an article,
    a number or a preposition, which no listing does."""
    if not tokens or not tokens[0].isalpha() or tokens[0] in _PHRASE_OPENERS or _is_count(tokens[0]):
        return None
    start = 0
    for k, tok in enumerate(tokens):
        if tok == "'s":
            start = k + 1
        elif not tok.isalpha() or tok in _PHRASE_OPENERS:
            break
    return start


def _count_fragment(tokens: list[str]) -> tuple[int, str, int] | None:
    """A listing's count given as a fragment of its own, after a break and before the next one
    or the end ("Ceramic mug, set of 4", "Knife set in a block, 5 pieces"): its index, the
    number and its length. Counts past the schema's limit are of parts ("a puzzle, 1000 pieces")."""
    for k, tok in enumerate(tokens):
        if k > 0 and tok in (",", "("):
            found = _count_after(tokens, k)
            if found is None:
                continue
            number, size = found
            end = k + size
            value = lx.NUMBER_WORDS.get(number) if not number.isdigit() else int(number)
            if (end >= len(tokens) or tokens[end] in (",", ")", ";")) and value is not None and value <= MAX_COUNT:
                return k, number, size
    return None


def _counted_singular(tokens: list[str], k: int) -> bool:
    """"Handbell set of 8", "squash racquet 2-pack", "Fencing foil x2": a singular noun right
    before "set of N", "pack of N", "N-pack" or "x N" (no comma between) is what the set holds, unless WordNet names the
    noun with the set word as one thing ("tea set", "chess set")."""
    nxt = tokens[k + 1]
    if nxt in _SET_WORDS and k + 3 < len(tokens) and tokens[k + 2] == "of" and _is_count(tokens[k + 3]):
        word = nxt
    elif nxt.endswith("-pack") and _is_count(nxt[:-5]):
        word = "pack"
    elif nxt == "x" and k + 2 < len(tokens) and _is_count(tokens[k + 2]):
        # ("Fencing foil x2": a multiplier counts the noun it follows, singular or not)
        return tokens[k] not in _PHRASE_OPENERS and english.has_thing_sense(tokens[k])
    else:
        return False
    tok = tokens[k]  # (never "a set of 4 plates": "a" opens the phrase, it names nothing)
    return (tok not in _PHRASE_OPENERS and english.has_thing_sense(tok)
            and not english.has_noun_entry(f"{tok} {word}"))


def move_listing_counts(tokens: list[str]) -> list[str]:
    """The sentence's tokens with each count written after a plural noun moved before its phrase,
    and multipliers and "pcs" after a count dropped ("2 x ceramic bowls" -> "2 ceramic bowls")."""
    out = list(tokens)
    k = 0
    while k < len(out):
        tok = out[k]
        if _is_count(tok) and k + 1 < len(out) and out[k + 1] in ("x", "pcs", "pc") \
                and k + 2 < len(out) and out[k + 2].isalpha() and out[k + 2] != "of":
            del out[k + 1]  # "2x ceramic bowls", "4 pcs bamboo coasters"
        elif tok.isalpha() and k + 1 < len(out) and (singular_form(tok)[1] or _counted_singular(out, k)):
            found = _count_after(out, k + 1)
            start = _phrase_start(out, k)
            if found is not None and not (start > 0 and _is_count(out[start - 1])):
                number, size = found
                del out[k + 1:k + 1 + size]
                out.insert(start, number)
                k += 1
        k += 1
    # a count fragment far from a singular head counts the product ("Reporter's notebook 4x8 in,
    # spiral top, pack of 12": twelve notebooks), unless a count opens it already
    fragment = _count_fragment(out)
    start = _head_start(out)
    if fragment is not None and start is not None and not _is_count(out[start]):
        k, number, size = fragment
        del out[k:k + size]
        out.insert(start, number)
    return out


# ", 2 brushes included", "| blade guards x2 included", "- lanyard included": a fragment after a
# listing's break, up to the next break or the end (never a negated one: "case not included")
_INCLUDED = re.compile(r"(?P<brk>[,;|:]|\s[-\u2013\u2014])\s*(?P<what>[a-z0-9][a-z0-9 &+'/-]*?)(?<!\bnot)\s+included"
                       r"(?=\s*(?:$|[,;.|)]|\s[-\u2013\u2014]\s))")


def included_as_listed(text: str) -> str:
    """What a listing says is included comes with the product as a thing of its own, never a
    part of it: the fragment is joined to the listing with "&" ("Drill, 18V, battery + charger
    included" -> "..., & battery + charger"), which reads its members as drawn objects."""
    return _INCLUDED.sub(lambda m: f"{m.group('brk')} & {m.group('what')}", text)
