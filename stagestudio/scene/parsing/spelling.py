"""Typos: a word no lexicon knows, one edit away from a word the parser relies on.

"botle" -> "bottle", "allong" -> "along", "teh" -> "the", "cuting" -> "cutting". Only words unknown to both lemminflect
and WordNet are touched, and only towards a unique target: a GenEval class name or synonym, a
function word the reading depends on (prepositions, determiners, relation words), or a noun that
names a thing. Names ("Hendrix", "pikachu") are more than one edit from such words and stay as
they are. Three-letter words are only un-swapped ("teh"), since every short word is one edit
from many others.
"""

from __future__ import annotations

from functools import lru_cache

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.agent_nouns import is_agent_noun
from stagestudio.scene.parsing.english import NounKind

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# A replaced letter is a slip of the finger to a neighbouring key ("umbtella"), so only those.
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_KEY_ROWS):
    for _c, _key in enumerate(_row):
        near = {_row[_c - 1] if _c > 0 else "", _row[_c + 1] if _c + 1 < len(_row) else ""}
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_KEY_ROWS):
                near.update(_KEY_ROWS[_other][max(0, _c - 1):_c + 2])
        _NEIGHBOURS[_key] = "".join(sorted(near - {"", _key}))


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    words = (lx.FILLER_WORDS | lx.CLAUSE_BREAKERS | lx.ATTACHING_PREPOSITIONS | lx.INDEFINITE_DETERMINERS
             | lx.DEFINITE_DETERMINERS | lx.PRONOUNS_SINGULAR | lx.PRONOUNS_PLURAL | lx.PRONOUNS_PERSON
             | frozenset({"of", "to", "in", "on", "under", "over", "above", "below",
                                                       "behind", "beside", "between", "near", "next", "front",
                                                       "left", "right", "top", "inside", "beneath", "underneath"}))
    return frozenset(w for w in words if w.isalpha())


@lru_cache(maxsize=1)
def _class_words() -> frozenset[str]:
    words = set(lx.geneval_classes())
    for synonyms in lx.CLASS_SYNONYMS.values():
        words.update(synonyms)
    return frozenset(w for w in words if " " not in w)


def _one_edit(word: str) -> dict[str, str]:
    """Every string one edit from `word`, with the kind of edit that makes it."""
    # the first letter is rarely the slip ("ramen" is not "amen")
    splits = [(word[:i], word[i:]) for i in range(1, len(word) + 1)]
    edits: dict[str, str] = {}
    for a, b in splits:
        if b:
            # (typing a letter twice is the commonest slip: "pianno" -> "piano" undoes it; not at the
            # end, where a doubled letter is often the word's own: "brulee", "toffee")
            doubled = len(b) > 2 and ((a and a[-1] == b[0]) or b[1] == b[0])
            edits.setdefault(a + b[1:], "double" if doubled else "delete")
        if len(b) > 1:
            edits.setdefault(a + b[1] + b[0] + b[2:], "swap")
        if b:
            for c in _NEIGHBOURS.get(b[0], ""):
                edits.setdefault(a + c + b[1:], "replace")
        for c in _LETTERS:
            edits.setdefault(a + c + b, "double" if (a and a[-1] == c) or (b and b[0] == c) else "insert")
    edits.pop(word, None)
    return edits


def _struck_beside(word: str, shorter: str) -> bool:
    """Whether the letter `word` has beyond `shorter` is a key next to a letter beside it, the way a
    finger strikes two keys at once ("bottlre"); a letter from across the keyboard is the word's
    own, not a slip ("brayer", an ink roller no dictionary lists, is no "bayer")."""
    k = next((i for i in range(len(shorter)) if word[i] != shorter[i]), len(shorter))
    beside = {word[i] for i in (k - 1, k + 1) if 0 <= i < len(word)}
    return word[k] in beside or any(word[k] in _NEIGHBOURS.get(letter, "") for letter in beside)


def _is_thing_noun(word: str, *, places: bool = False) -> bool:
    kinds = (NounKind.THING, NounKind.PLACE) if places else (NounKind.THING,)
    return english.has_noun_entry(word) and english.noun_kind(word) in kinds


# From this length a word has few neighbours one edit away, so any single slip towards a unique
# thing's noun is trusted ("pumkin", "dolphn", "vegtable"), not only a doubled or swapped letter.
_LONG_WORD = 6


@lru_cache(maxsize=4096)
def correct(word: str) -> str:
    """The word meant by a typo, or the word itself when it is known or no single target fits."""
    if not word.isalpha() or len(word) < 3 or word in _function_words():
        return word
    if english.is_known_word(word):
        return _slip_in_guessed_compound(word) if _only_a_guessed_compound(word) else word
    if word.endswith("in") and len(word) > 4 and english.is_participle_or_finite(word + "g"):
        return word + "g"  # a dropped g: "loadin" -> "loading", "fishin" -> "fishing"
    if word.endswith("s") and len(word) > 4:
        # a plural keeps its "s": "skateboarders", "baguettes", "botles" -> "bottles"
        stem = correct(word[:-1])
        return stem + "s" if stem != word[:-1] else word
    edits = _one_edit(word)
    if len(word) < 5:
        # every short word is one edit from many others ("chai", "boba"): only a swap is trusted
        edits = {w: kind for w, kind in edits.items() if kind == "swap"}
    for pool in (_class_words(), _function_words()):
        found = sorted(w for w in edits if w in pool)
        if len(found) == 1:
            return found[0]
    # among all nouns and places, the commonest slips: a dropped or doubled letter ("botle" ->
    # "bottle", not "bole"; "pianno") or two swapped letters ("mountian")
    things = sorted(w for w in edits if edits[w] in ("double", "swap") and _is_thing_noun(w, places=True))
    if len(things) == 1:
        return things[0]
    if is_agent_noun(word):
        return word  # "grazer", "kiter": a verb's doer coined with "-er" is no slip ("grazier")
    if len(word) >= _LONG_WORD and not things:
        # (inside the word only: a foreign or a brand name ends otherwise, "matcha" is no "match",
        # "brulee" no "brule")
        things = sorted(w for w in edits if w[-1] == word[-1] and (len(w) >= len(word) or w[-2:] == word[-2:])
                        and (edits[w] != "delete" or _struck_beside(word, w)) and _is_thing_noun(w))
        if len(things) == 1:
            return things[0]
    # so are a verb's -ing and -ed forms, whose doubled consonant is the usual slip ("cuting",
    # "runing", "holdign"): the form must be an inflection lemminflect knows, not a base word
    verbs = sorted(w for w in edits if edits[w] in ("double", "swap") and w.endswith(("ing", "ed"))
                   and english.is_participle_or_finite(w))
    return verbs[0] if len(verbs) == 1 else word


def _only_a_guessed_compound(word: str) -> bool:
    """Known only as a closed compound the lexicon guesses from two nouns ("studnet": "stud" +
    "net"): no dictionary lists the word itself, so it may as well be a slip."""
    singular = english.noun_lemma(word)
    return not english.parts_of_speech(word) and not english.has_noun_entry(word) \
        and not english.has_noun_entry(singular) and not english.is_name(word)


def _slip_in_guessed_compound(word: str) -> str:
    """The thing's noun (or its plural) one swapped or doubled letter away, where there is just
    one ("studnet" -> "student", "studnets" -> "students"); the commonest slips beat a guess."""
    stem, plural = (word[:-1], "s") if word.endswith("s") and len(word) > 4 else (word, "")
    edits = _one_edit(stem)
    things = sorted(w for w in edits if edits[w] in ("double", "swap") and _is_thing_noun(w))
    return things[0] + plural if len(things) == 1 else word
