"""Offline prompt -> scene graph parser: word lists (`lexicon.py`) plus a few rules, no model.

The parser works sentence by sentence in three passes:

1. *Scan*: tokens become items: noun phrases (determiner, number, adjectives, head noun),
   relation phrases ("to the left of", "beneath", "on its right"), clause breaks and
   prepositions. Multi-word names and relation phrases are matched longest first.
2. *Resolve*: noun phrases become objects (or refer back to one: "the cat", "it"); nouns that
   name the picture or the setting ("a photo of", "in a park") and details attached to an
   object ("with a red collar") are dropped.
3. *Relate*: each relation phrase gets a subject (the latest object of its clause, or the
   object after it when the sentence is inverted: "Below the tv, a clock hangs") and an
   object (the noun phrase after it, or the owner of "its"). Absolute placements ("on the
   left ... on the right") are paired at the end.

Relation predicates are canonical: every vertical paraphrase becomes GenEval's `above` /
`below`, every horizontal one `left of` / `right of`; bare contact "on" stays `on`.

Which nouns become objects: a noun naming one of GenEval's 80 classes (or a synonym) always
does. Any other drawable noun does where the clause is about it (its first object: "a tree
next to a house", "a photo of a castle") or where it is the object of a positional relation:
left of, right of, above, below, next to, near, in front of, behind ("a cat next to a lamp",
"two stars above the moon"). Left out are setting words (`lexicon.PLACE_NOUNS`: park, sky,
grass, floor, kitchen...) and picture words, details ("with a red collar", "the dog's tail"),
nouns after contact or containment ("on the grass", "in a park"), landscape things after a
sheltering phrase ("resting under a tree", "under the stars"), and a definite noun that points
at nothing drawn ("next to the mirror"), so long descriptive prompts yield the objects they
are about. A prompt left with nothing ("a sunset over the ocean") is read again keeping its
setting words; only one with no drawable noun at all ("a photo of") is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import networkx as nx

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import (
    INVERSE_PREDICATE,
    MAX_COUNT,
    ObjectAttributes,
    Relation,
    SceneGraph,
    SceneObject,
)

MAX_PROMPT_CHARS = 2000
_MAX_NOUN_TOKENS = 5


class PromptError(ValueError):
    """The prompt cannot be turned into a scene graph; the message says why and what was understood."""


# --------------------------------------------------------------------------------------------
# Tokenising
# --------------------------------------------------------------------------------------------
_TOKEN_RE = re.compile(r"\d+|[a-z]+(?:-[a-z]+)*(?:'[a-z]+)?|'s\b|[.,;:!?()\"&\n]")
_SENTENCE_ENDS = {".", "!", "?", ";", "\n"}


_COLOUR_ALTERNATION = "|".join(sorted((re.escape(w) for w in lx.COLOR_WORDS), key=len, reverse=True))


def _tokenise(prompt: str) -> list[list[str]]:
    text = prompt.lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"\bt\.v\.", "tv", text)
    text = re.sub(r"\b(it|that|there|here|what|who|where|this)'s\b", r"\1 is", text)
    text = re.sub(r"(?<=[a-z])'s\b", " 's", text)  # possessive becomes its own token
    # "orange-colored cow", "a red coloured car": the colour word is the attribute
    text = re.sub(rf"\b({_COLOUR_ALTERNATION})[- ](?:colou?red|toned|hued|tinted)\b", r"\1", text)
    text = re.sub(rf"\b({_COLOUR_ALTERNATION})-(?:painted|dyed|stained|glazed|coated|furred|feathered|skinned|"
                  r"lacquered|enamelled|enameled|upholstered|plumaged)\b", r"\1", text)
    # Hyphenated words stay one token ("cotton-ball clouds", "double-decker") unless they
    # spell a relation; hyphenated names are in the noun lexicon in both spellings.
    text = re.sub(r"\b(left|right)-hand(ed)?\b", r"\1 hand", text)
    text = re.sub(r"\bside-by-side\b", "side by side", text)
    text = re.sub(r"\b(next|close)-to\b", r"\1 to", text)
    text = re.sub(r"\d+\.\d+", " ", text)  # "3.5 inches": a decimal is never a count
    text = re.sub(r"\(\s*\d+\s*\)", " ", text)  # "four (4) apples": the digits repeat the word
    text = re.sub(r"\b(e\.g|i\.e|etc|approx|vs|mr|mrs|ms|dr|st)\.", r"\1", text)  # not sentence ends
    sentences: list[list[str]] = [[]]
    for tok in _TOKEN_RE.findall(text):
        if tok in _SENTENCE_ENDS:
            if sentences[-1]:
                sentences.append([])
            continue
        sentences[-1].append(tok)
    return [s for s in sentences if s]


# --------------------------------------------------------------------------------------------
# Noun lexicon
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _NounEntry:
    name: str  # canonical name (a GenEval class string where there is one)
    plural: bool | None  # None: same form in singular and plural
    is_class: bool


_VOWELS = set("aeiou")


def _plural_word(word: str) -> str:
    """Regular English plural (irregular ones come from the lexicon's EXTRA_PLURALS). Written
    here rather than using `inflect` so the parser starts fast."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    if word.endswith("o") and word in ("potato", "tomato", "hero", "mango", "volcano"):
        return word + "es"
    return word + "s"


def _plural_forms(singular: str) -> set[str]:
    words = singular.split()
    if "of" in words[1:]:
        # "glass of wine" -> "glasses of wine": the head comes before "of"
        head = words.index("of") - 1
        return {" ".join(words[:head] + [_plural_word(words[head])] + words[head + 1:])}
    last = words[-1]
    forms = {" ".join(words[:-1] + [_plural_word(last)])}
    forms.add(" ".join(words[:-1] + [last + "s"]))  # GenEval writes "benchs", "sandwichs"
    return forms


def _starts_with_attribute(surface: str) -> bool:
    words = surface.split()
    first = words[0]
    # only plain colour words: "coffee table" and "chocolate cake" are names, not colours
    plain_colour = first in lx.GENEVAL_COLORS or first in ("gray", "grey")
    return len(words) > 1 and (plain_colour or first in lx.MATERIAL_WORDS or first in lx.SIZE_WORDS)


@lru_cache(maxsize=1)
def _noun_lexicon() -> dict[tuple[str, ...], _NounEntry]:
    table: dict[tuple[str, ...], _NounEntry] = {}

    def add(surface: str, entry: _NounEntry, *, overwrite: bool = False) -> None:
        words = surface.replace("-", " ").split()
        # "hair dryer", "hair-dryer" and "hairdryer"-style single tokens all name it
        for key in {tuple(words), ("-".join(words),)}:
            if overwrite or key not in table:
                table[key] = entry

    classes = lx.geneval_classes()
    surfaces: list[tuple[str, str]] = [(c, c) for c in classes]
    for cls, synonyms in lx.CLASS_SYNONYMS.items():
        # "wooden bench", "little girl": the first word is an attribute, so the parser reads it
        # as one (and the rest of the phrase names the object)
        surfaces.extend((s, cls) for s in synonyms if not _starts_with_attribute(s))
    # Singular forms first and authoritative; plurals never overwrite a singular.
    for surface, cls in surfaces:
        invariant = surface in lx.INVARIANT_NOUNS or surface.split()[-1] in lx.INVARIANT_NOUNS
        add(surface, _NounEntry(cls, None if invariant else False, True), overwrite=True)
    for surface, cls in surfaces:
        extra = lx.EXTRA_PLURALS.get(surface, ())
        generated = () if surface in lx.INVARIANT_NOUNS else tuple(_plural_forms(surface))
        for form in (*generated, *extra):
            add(form, _NounEntry(cls, True, True))
        last = surface.split()[-1]
        for form in lx.EXTRA_PLURALS.get(last, ()):
            add(" ".join(surface.split()[:-1] + [form]), _NounEntry(cls, True, True))
    return table


def _match_noun(tokens: list[str], i: int) -> tuple[_NounEntry, int] | None:
    """Longest lexicon noun starting at tokens[i]: (entry, number of tokens)."""
    table = _noun_lexicon()
    for length in range(min(_MAX_NOUN_TOKENS, len(tokens) - i), 0, -1):
        entry = table.get(tuple(tokens[i:i + length]))
        if entry is not None:
            return entry, length
    return None


_IRREGULAR_SINGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child",
                       "mice": "mouse", "geese": "goose", "feet": "foot", "teeth": "tooth",
                       "knives": "knife", "leaves": "leaf", "wolves": "wolf", "shelves": "shelf",
                       "loaves": "loaf", "halves": "half", "calves": "calf", "lives": "life",
                       "wives": "wife", "cacti": "cactus", "fungi": "fungus", "oxen": "ox",
                       "dice": "die", "scarves": "scarf", "thieves": "thief"}


_ES_PLURALS_OF_O = {"potatoes", "tomatoes", "heroes", "mangoes", "volcanoes", "echoes", "torpedoes"}


def _singular(word: str) -> tuple[str, bool]:
    """(singular form, was plural) of a noun outside the lexicon."""
    if word in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[word], True
    if word in ("news", "lens", "series", "species", "means", "chess", "gas", "canvas", "atlas"):
        return word, False
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "ics", "ous")):
        return word, False
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y", True
    if word.endswith(("ches", "shes", "xes", "zzes", "sses")) or word in _ES_PLURALS_OF_O:
        return word[:-2], True
    return word[:-1], True


# --------------------------------------------------------------------------------------------
# Relation phrases
# --------------------------------------------------------------------------------------------
@dataclass
class _RelPhrase:
    predicate: str
    # "object": a noun phrase follows; "absolute": a place in the picture ("on the left");
    # "owner_pronoun": "to its left"; "owner_before": "the bench's left"; "dangling": a
    # relation with its object left out ("with a cat on top"); "sequence": "from left to right".
    kind: str = "object"
    # bare "in"/"into" only relates when a real object follows ("in a bowl", not "in a park")
    needs_class_object: bool = False
    # "under", "beneath", "at the foot of": the thing after it often shelters the subject as
    # scenery ("a dog resting under a tree"), so a landscape noun there is not an object
    sheltering: bool = False


_DIRECTIONAL = {"left of", "right of", "above", "below"}
# Predicates that place one object relative to another; a noun outside the classes after one
# of them is an object ("a cat next to a lamp"). Contact and containment ("on", "in",
# "inside") are left out: "on the grass", "in a park", "on a wooden floor" are the setting.
_POSITIONAL = _DIRECTIONAL | {"next to", "near", "in front of", "behind"}
_SIDE_PREDICATE = {"left": "left of", "right": "right of", "top": "above", "bottom": "below"}
_IMAGE_NOUNS = {"image", "photo", "photograph", "picture", "frame", "scene", "composition", "shot",
                "canvas", "view", "painting", "drawing", "illustration", "render", "pic", "screen"}
_PART_NOUNS = {"side", "part", "half", "portion", "area", "edge", "corner", "section", "region"}
_SIDE_PREFIXES = {"to", "on", "at", "in", "towards", "toward", "from"}
_SIDE_ADVERBS = {"immediate", "far", "very", "direct", "extreme", "upper", "lower"}

# Fixed phrases, longest first at match time. Verbs in front of them ("hovering above") are
# skipped as filler words, so only the prepositional part is listed.
_FIXED_RELATIONS: dict[tuple[str, ...], _RelPhrase] = {}


def _add_fixed(predicate: str, phrases: str, **kw: object) -> None:
    for phrase in phrases.split("|"):
        _FIXED_RELATIONS[tuple(phrase.split())] = _RelPhrase(predicate, **kw)  # type: ignore[arg-type]


_add_fixed("above", "above|over|atop|on top of|on the top of|at the top of|up above|high above|higher than|"
                    "higher up than|further up than|on the upper side of|upon the top of|over the top of")
_add_fixed("above", "on top|overhead|up top", kind="dangling")
_add_fixed("below", "below|lower than|lower down than|further down than|at the bottom of|down below|"
                    "on the underside of")
_add_fixed("below", "beneath|underneath|under|at the foot of|at the base of|underneath of|down beneath",
           sheltering=True)
_add_fixed("in front of", "in front of|in the front of|ahead of|in the foreground of")
_add_fixed("behind", "behind|in back of|at the back of|in the background of|behind of")
_add_fixed("next to", "next to|beside|besides|alongside|adjacent to|by the side of|at the side of|"
                      "along side|next door to|close beside|flanking|abutting")
_add_fixed("near", "near|near to|close to|close by|not far from|in the vicinity of|nearby to|"
                   "a short distance from")
_add_fixed("inside", "inside|inside of|within")
_add_fixed("inside", "in|into", needs_class_object=True)
_add_fixed("on", "on|upon|onto|on to|resting on|on the surface of")
_MAX_FIXED = max(len(k) for k in _FIXED_RELATIONS)

# Phrases that place things relative to each other without saying how; no relation results.
_MUTUAL_PHRASES = [tuple(p.split()) for p in (
    "side by side|next to each other|next to one another|beside each other|beside one another|"
    "near each other|near one another|close to each other|close to one another|close together|"
    "each other|one another|together|alongside each other|alongside one another|by each other|"
    "in the same|at the same time").split("|")]
# "From left to right: a bench and a bear": consecutive objects of the list are related.
_SEQUENCES: dict[tuple[str, ...], str] = dict(sorted({
    tuple(f"{start}{a} to {b}".split()): predicate
    for start in ("from ", "")
    for a, b, predicate in (("left", "right", "left of"), ("right", "left", "right of"),
                            ("top", "bottom", "above"), ("bottom", "top", "below"))
}.items(), key=lambda kv: -len(kv[0])))
_LINKING_VERBS = {"be", "look", "appear", "seem", "become", "turn", "remain", "stay"}
_COLOUR_NOUNS = {"shade", "hue", "tone", "colour", "color", "tint"}
_NEGATORS = {"no", "without", "zero", "nor", "lacking", "except", "excluding"}
_MADE_OF = sorted((tuple(f"{verb} {prep}".split()) for verb in ("made", "crafted", "carved", "built", "constructed",
                                                                 "fashioned", "formed", "cast", "woven", "sculpted")
                    for prep in ("of", "from", "out of", "entirely of", "entirely from", "completely of")),
                   key=len, reverse=True)
# Existential openers, longest first; they carry nothing ("there is a cat" = "a cat").
_THERE_IS = sorted({("there", "is"), ("there", "are"), ("there", "was"), ("there", "were"), ("there", "'s"),
                    ("there", "stands"), ("there", "sits"), ("there", "lies"), ("there", "hangs"),
                    ("we", "see"), ("you", "see"), ("you", "can", "see"), ("we", "can", "see"),
                    ("one", "can", "see"), ("can", "be", "seen")}, key=len, reverse=True)


def _match_side(tokens: list[str], i: int) -> tuple[_RelPhrase, int] | None:
    """Left/right (and top/bottom) phrases: "to the left of", "on its right", "right of",
    "on the right side of", "on the left" (absolute)."""
    n = len(tokens)
    j = i
    prefix = False
    owner_pronoun = False
    if j < n and tokens[j] in _SIDE_PREFIXES:
        prefix = True
        j += 1
        if j < n and tokens[j] == "the":
            j += 1
        elif j < n and tokens[j] in lx.POSSESSIVE_PRONOUNS:
            owner_pronoun = True
            j += 1
        else:
            return None
    elif j < n and tokens[j] == "the":
        # "the left of the cat": rare but harmless
        j += 1
    if (j + 1 < n and tokens[j] in ("upper", "lower") and tokens[j + 1] in _PART_NOUNS
            and (prefix or tokens[i] == "the")):
        # "in the upper part of the image": a vertical place in the picture
        side = "top" if tokens[j] == "upper" else "bottom"
        j += 2
        if j + 1 < n and tokens[j] == "of" and tokens[j + 1] in ("the", "this") and j + 2 < n \
                and tokens[j + 2] in _IMAGE_NOUNS:
            j += 3
        return _RelPhrase(_SIDE_PREDICATE[side], kind="absolute"), j
    while j < n and tokens[j] in _SIDE_ADVERBS:
        j += 1
    if j >= n or tokens[j] not in _SIDE_PREDICATE:
        return None
    side = tokens[j]
    if side in ("top", "bottom") and not prefix:
        return None
    j += 1
    if j < n and tokens[j] in ("hand", "handed"):
        j += 1
    if j < n and tokens[j] in _PART_NOUNS:
        j += 1
    predicate = _SIDE_PREDICATE[side]
    if owner_pronoun:
        return _RelPhrase(predicate, kind="owner_pronoun"), j
    if j < n and tokens[j] == "of":
        k = j + 1
        while k < n and tokens[k] in ("the", "this", "our", "that"):
            k += 1
        if k < n and tokens[k] in _IMAGE_NOUNS:
            return _RelPhrase(predicate, kind="absolute"), k + 1
        if side in ("top", "bottom"):
            return None  # "at the top of" is a fixed phrase; let it match there
        return _RelPhrase(predicate), j + 1
    if prefix or tokens[i] == "the":
        if side in ("top", "bottom") and tokens[i] == "on":
            return None  # "on top" is handled as a fixed phrase
        return _RelPhrase(predicate, kind="absolute"), j
    return None


def _match_relation(tokens: list[str], i: int) -> tuple[_RelPhrase, int] | None:
    """The relation phrase starting at tokens[i], longest first: (phrase, index after it)."""
    n = len(tokens)
    if tokens[i] == "'s" and i + 1 < n and tokens[i + 1] in ("left", "right"):
        j = i + 2
        if j < n and tokens[j] in ("hand",):
            j += 1
        if j < n and tokens[j] == "side":
            j += 1
        return _RelPhrase(_SIDE_PREDICATE[tokens[i + 1]], kind="owner_before"), j
    if tokens[i] in ("right", "directly", "just", "immediately", "slightly", "somewhat", "straight"):
        # adverbs in front of a relation ("right next to", "directly above")
        inner = _match_relation(tokens, i + 1) if i + 1 < n else None
        if inner is not None and not (tokens[i] == "right" and tokens[i + 1] == "of"):
            return inner
    side = _match_side(tokens, i)
    if side is not None:
        return side
    if i + 1 < n and tokens[i] in ("in", "at", "on") and tokens[i + 1] in ("the", "its", "their"):
        # "in the middle", "at the centre": a place in the picture, not a relation
        if i + 2 < n and tokens[i + 2] in ("middle", "center", "centre", "foreground", "background",
                                           "distance", "corner"):
            return None
    for length in range(min(_MAX_FIXED, n - i), 0, -1):
        phrase = _FIXED_RELATIONS.get(tuple(tokens[i:i + length]))
        if phrase is not None:
            return replace(phrase), i + length
    return None


# --------------------------------------------------------------------------------------------
# Scan: tokens -> items
# --------------------------------------------------------------------------------------------
@dataclass
class _NounPhrase:
    head: str  # canonical name
    is_class: bool
    plural: bool
    count: int | None  # explicit number, if any
    determiner: str  # "indefinite", "definite", "another", "none"
    modifiers: list[str]
    pronoun: str | None = None  # "it" / "they" when the phrase is a pronoun
    vague_count: int | None = None


@dataclass
class _Rel:
    phrase: _RelPhrase


@dataclass
class _Break:
    """A clause break: comma, "and", "while", a relative pronoun."""

    word: str = ","


@dataclass
class _Prep:
    word: str


@dataclass
class _Possessive:
    """The "'s" after a noun phrase, or "whose": the next noun is a part of it ("the dog's
    tail", "a cat whose fur is orange")."""

    word: str = "'s"


@dataclass
class _Adjectives:
    """Attribute words not followed by a noun: "the cat is white", "red in colour"."""

    words: list[str]
    # from "in a bright blue hue" / "of blue colour": belongs to the object even after a preposition
    colour_phrase: bool = False


_Item = _NounPhrase | _Rel | _Break | _Prep | _Possessive | _Adjectives


def _is_attribute_word(tok: str) -> bool:
    return (tok in lx.COLOR_WORDS or tok in lx.MATERIAL_WORDS or tok in lx.SIZE_WORDS
            or tok in lx.COMMON_ADJECTIVES or tok in lx.COLOR_SHADES or _hyphen_colour(tok) is not None)


def _hyphen_colour(tok: str) -> str | None:
    """The colour of a hyphenated colour word: "dark-blue", "bright-red", "blue-green"."""
    if "-" not in tok or tok in lx.COLOR_WORDS:
        return None
    last = tok.rsplit("-", 1)[1]
    return lx.COLOR_WORDS.get(last)


@lru_cache(maxsize=4096)
def _is_verb_form(tok: str) -> bool:
    """Whether `tok` is a form of one of the lexicon's scene verbs: sits, sitting, sat-like -ed."""
    verbs = lx.SCENE_VERBS
    if tok in verbs:
        return True
    stems = []
    if tok.endswith("ies"):
        stems.append(tok[:-3] + "y")
    if tok.endswith("es"):
        stems.append(tok[:-2])
    if tok.endswith("s"):
        stems.append(tok[:-1])
    if tok.endswith("ing"):
        stem = tok[:-3]
        stems += [stem, stem + "e"]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            stems.append(stem[:-1])  # "sitting" -> "sit"
    if tok.endswith("ed"):
        stem = tok[:-2]
        stems += [stem, stem + "e", tok[:-1]]
        if tok.endswith("ied"):
            stems.append(tok[:-3] + "y")
        if len(stem) > 2 and stem[-1] == stem[-2]:
            stems.append(stem[:-1])
    return any(s in verbs for s in stems)


_PORTIONS = {"half", "quarter", "floret", "peel", "crust", "bite", "crumb", "segment", "morsel", "sliver",
             "fillet", "strip", "cube", "ring", "chip", "stick", "bar", "roll", "top", "bottom", "side", "front",
             "back", "end", "edge", "part", "corner", "center", "centre", "middle", "shape", "size", "type", "kind"}
_POSTPOSITIVE = {"asleep", "awake", "alone", "alive", "ablaze", "afloat", "aglow", "apart", "aside", "ajar",
                 "upright", "sideways", "overhead", "outdoors", "indoors", "upstairs", "downstairs", "today",
                 "tonight", "again", "instead", "versus", "vs", "alike", "galore", "aloft", "abreast", "proper"}


def _compound_head(tokens: list[str], j: int) -> bool:
    """Whether the unknown word at tokens[j] is the head of a compound whose first part is the
    noun before it ("glass jar", "dog collar"). Inflected words (-s, -ed, -ing, -ly) and known
    verbs are read as the start of the predicate instead ("a cat purrs", "a dog barking")."""
    if j >= len(tokens):
        return False
    tok = tokens[j]
    if not tok.isalpha() or len(tok) < 3 or tok.endswith(("s", "ed", "ing", "ly")):
        return False
    if (tok in lx.FILLER_WORDS or tok in lx.CLAUSE_BREAKERS or tok in lx.ATTACHING_PREPOSITIONS
            or tok in lx.HARD_BOUNDARIES or tok in _POSTPOSITIVE or tok in lx.NUMBER_WORDS
            or tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL or tok in lx.POSSESSIVE_PRONOUNS
            or tok in lx.INDEFINITE_DETERMINERS or tok in lx.DEFINITE_DETERMINERS
            or _is_attribute_word(tok) or _is_verb_form(tok)
            or lx.QUANTIFIER_NOUNS.get(tok, 0) == 1 or tok in _PORTIONS):
        return False  # ("a cake slice" is still cake)
    return _match_relation(tokens, j) is None and _match_noun(tokens, j) is None


def _landscape_compound_head(tok: str) -> bool:
    """"apple tree(s)", "dog house": a landscape noun after a noun is the head of a compound,
    unless it is a verb's -s form ("a boat rocks on the waves")."""
    return _singular(tok)[0] in lx.LANDSCAPE_OBJECTS and not (tok.endswith("s") and _is_verb_form(tok))


def _bare_plural(tokens: list[str], i: int, items: list[_Item]) -> _NounPhrase | None:
    """An unknown plural with no article opening a clause and followed by a relation:
    "flowers in a vase", "stars above the moon". Elsewhere a bare -s word is more likely a
    verb ("a cat purrs"), so it is left alone."""
    tok = tokens[i]
    opens_clause = not items or isinstance(items[-1], (_Break, _Rel))
    if not opens_clause or i + 1 >= len(tokens) or _match_relation(tokens, i + 1) is None:
        return None
    singular, was_plural = _singular(tok)
    if (not was_plural or not tok.isalpha() or _is_verb_form(tok) or tok in lx.FILLER_WORDS
            or tok in lx.CLAUSE_BREAKERS or tok in lx.ATTACHING_PREPOSITIONS or _is_attribute_word(tok)
            or tok in lx.QUANTIFIER_NOUNS or _match_noun(tokens, i) is not None):
        return None
    return _NounPhrase(head=singular, is_class=False, plural=True, count=None, determiner="none", modifiers=[])


def _is_number(tok: str) -> bool:
    return tok.isdigit() or (tok in lx.NUMBER_WORDS and tok not in lx.QUANTIFIER_NOUNS)


def _number_value(tok: str) -> int:
    return int(tok) if tok.isdigit() else lx.NUMBER_WORDS[tok]


def _ends_phrase(tok: str) -> bool:
    return (tok in lx.HARD_BOUNDARIES or tok in lx.CLAUSE_BREAKERS or tok == "'s"
            or tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL)


def _noun_starts_at(tokens: list[str], j: int) -> bool:
    return j < len(tokens) and _match_noun(tokens, j) is not None and not _ends_phrase(tokens[j])


def _parse_noun_phrase(tokens: list[str], i: int) -> tuple[_NounPhrase | _Adjectives | None, int]:
    """Read one noun phrase starting at tokens[i]; (None, i) when none starts there."""
    n = len(tokens)
    j = i
    determiner = "none"
    count: int | None = None
    vague: int | None = None
    pair_of: int | None = None
    modifiers: list[str] = []
    unknown_seen = False
    started = False  # a determiner, number or adjective opened the phrase

    tok = tokens[i]
    if tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL:
        pronoun = "it" if tok in lx.PRONOUNS_SINGULAR else "they"
        return _NounPhrase(head="", is_class=False, plural=pronoun == "they", count=None,
                           determiner="definite", modifiers=[], pronoun=pronoun), i + 1

    while j < n:
        tok = tokens[j]
        # colour pairs inside a phrase: "a black and white cat"
        if (tok == "and" and modifiers and modifiers[-1] in lx.COLOR_WORDS and j + 1 < n
                and tokens[j + 1] in lx.COLOR_WORDS and j + 2 < n
                and (_noun_starts_at(tokens, j + 2) or _is_attribute_word(tokens[j + 2]))):
            j += 1
            continue
        if (tok == "," and modifiers and j + 1 < n
                and (_is_attribute_word(tokens[j + 1]) or _noun_starts_at(tokens, j + 1))
                and (_is_attribute_word(modifiers[-1]) or started)):
            j += 1  # "two plump, fluffy sheep": a comma between adjectives
            continue
        if tok in lx.HARD_BOUNDARIES or tok == "'s":
            break
        if j > i and _match_relation(tokens, j) is not None and not _noun_starts_at(tokens, j):
            break
        if not modifiers and count is None:
            if tok in ("a", "an") and determiner == "none":
                determiner, started = "indefinite", True
                j += 1
                continue
            if tok == "another" and determiner == "none":
                determiner, started = "another", True
                j += 1
                continue
            if tok in lx.INDEFINITE_DETERMINERS and determiner == "none":
                determiner, started = "indefinite", True
                vague = lx.VAGUE_COUNTS.get(tok)
                j += 1
                continue
            if tok in lx.DEFINITE_DETERMINERS and determiner == "none" and tok != "that":
                determiner, started = "definite", True
                if tok == "both":
                    count = 2
                j += 1
                continue
            if tok in lx.QUANTIFIER_NOUNS and j + 1 < n and tokens[j + 1] == "of":
                implied = lx.QUANTIFIER_NOUNS[tok]
                if tok in ("pair", "pairs"):
                    pair_of = count or 1
                if implied is not None:
                    count = implied
                started = True
                j += 2
                # "a pair of the dogs", "a group of three cats"
                while j < n and tokens[j] in ("the", "these", "those"):
                    j += 1
                if j < n and _is_number(tokens[j]):
                    count = _number_value(tokens[j])
                    j += 1
                continue
            if tok in ("lot", "lots") and j + 1 < n and tokens[j + 1] == "of":
                started, vague = True, 5
                j += 2
                continue
            number_word = _is_number(tok) or (tok in lx.NUMBER_WORDS and (j + 1 >= n or tokens[j + 1] != "of"))
            if number_word and not (tok in ("single", "lone", "solitary") and count is not None):
                # "one" / "single" may follow an article: "a single cat"
                count = _number_value(tok)
                started = True
                j += 1
                # "two of the dogs"
                if j + 1 < n and tokens[j] == "of" and tokens[j + 1] in ("the", "these", "those"):
                    j += 2
                continue
        noun = _match_noun(tokens, j)
        if (noun is not None and noun[0].name in lx.COLOR_WORDS and noun[0].plural is False and not started
                and determiner == "none"):
            noun = None  # a bare "orange" with no article is the colour: "the cat is orange"
        if noun is not None and noun[1] > 1:
            # overlapping names: "stuffed teddy bear" is a teddy bear, not a bear
            shifted = _match_noun(tokens, j + 1)
            if shifted is not None and j + 1 + shifted[1] > j + noun[1]:
                modifiers.append(tok)
                started = True
                j += 1
                continue
        if noun is not None:
            entry, length = noun
            after = j + length
            # noun used as a modifier of a following noun: "glass vase", "orange cat", "dog bed"
            follows = after < n and (_noun_starts_at(tokens, after) or (
                (tokens[after] in lx.SETTING_NOUNS or _landscape_compound_head(tokens[after]))
                and _match_relation(tokens, after) is None
                and tokens[after] not in lx.FILLER_WORDS and tokens[after] not in _PORTIONS)
                # ^ "train station", "dog park": a place
                or _compound_head(tokens, after))  # "glass jar", "laptop bag": the last noun is the head
            if not follows and entry.name in lx.COLOR_WORDS:
                k = after
                while k < n and k < after + 3 and _is_attribute_word(tokens[k]):
                    k += 1
                follows = k > after and _noun_starts_at(tokens, k)
            if follows and entry.plural is not True:
                modifiers.extend(tokens[j:after])
                started = True
                j = after
                continue
            surface = " ".join(tokens[j:after])
            if pair_of is not None and entry.name in ("skis", "scissors"):
                count = pair_of  # a pair of scissors is one pair
            plural = bool(entry.plural)
            if entry.plural is None:
                plural = surface.endswith("s") and surface not in ("scissors", "skis") and count is None
            if entry.name == "tv" and "tv" in modifiers:
                modifiers.remove("tv")
            name, is_class = entry.name, entry.is_class
            other = lx.OTHER_SENSES.get(surface)
            if other is not None and (set(modifiers) & other[1] or (pair_of is not None and "pair" in other[1])):
                name, is_class = other[0], False
                if pair_of is not None and surface == "glasses":
                    count = pair_of
            return _NounPhrase(head=name, is_class=is_class, plural=plural, count=count,
                               determiner=determiner, modifiers=modifiers, vague_count=vague), after
        if _is_attribute_word(tok):
            modifiers.append(tok)
            started = True
            j += 1
            continue
        if (started and not unknown_seen and tok in lx.FILLER_WORDS and tok.endswith(("ing", "ed")) and j + 1 < n
                and (_noun_starts_at(tokens, j + 1) or _is_attribute_word(tokens[j + 1]))):
            modifiers.append(tok)  # "a sleeping cat", "a parked car": a participle used as adjective
            j += 1
            continue
        if tok in lx.FILLER_WORDS or tok in lx.CLAUSE_BREAKERS or tok in lx.ATTACHING_PREPOSITIONS:
            break
        if tok in lx.PRONOUNS_SINGULAR or tok in lx.PRONOUNS_PLURAL or tok in lx.POSSESSIVE_PRONOUNS:
            break
        if unknown_seen and _is_verb_form(tok) and (tok not in lx.SCENE_VERBS or modifiers[-1].endswith("s")):
            # "a pure white coat gallops": an inflected verb ends the phrase; a bare verb form
            # after a singular noun is a noun itself ("the Eiffel Tower")
            break
        if started and (determiner != "none" or count is not None or not _is_verb_form(tok)):
            modifiers.append(tok)  # an unknown word inside an open phrase: adjective or head
            unknown_seen = True
            j += 1
            continue
        break

    if j == i:
        return None, i
    if unknown_seen:
        # a noun outside the lexicon ("a tall stone castle"): its head is the last word that
        # is not a known adjective, since adjectives come before their noun
        head_index = max(k for k, w in enumerate(modifiers) if not _is_attribute_word(w))
        head_word = modifiers[head_index]
        mods = modifiers[:head_index] + modifiers[head_index + 1:]
        singular, was_plural = _singular(head_word)
        return _NounPhrase(head=singular, is_class=False, plural=was_plural, count=count,
                           determiner=determiner, modifiers=mods, vague_count=vague), j
    last = modifiers[-1] if modifiers else ""
    if determiner != "none" and last and not (
            last in lx.COLOR_WORDS or last in lx.MATERIAL_WORDS or last in lx.SIZE_WORDS):
        # "the light", "a fluffy": an adjective-like word used as a noun
        singular, was_plural = _singular(last)
        return _NounPhrase(head=singular, is_class=False, plural=was_plural, count=count,
                           determiner=determiner, modifiers=modifiers[:-1], vague_count=vague), j
    if modifiers:
        return _Adjectives(modifiers), j
    return None, j if j > i else i


def _scan(tokens: list[str]) -> list[_Item]:
    items: list[_Item] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        mutual = next((p for p in _MUTUAL_PHRASES if tuple(tokens[i:i + len(p)]) == p), None)
        if mutual is not None:
            i += len(mutual)
            continue
        if tok in _NEGATORS:
            # "no people", "without any cars": what follows is absent from the picture
            j = i + 1
            while j < n and tokens[j] in ("any", "a", "an", "other", "single"):
                j += 1
            skipped, end = _parse_noun_phrase(tokens, j) if j < n else (None, j)
            i = end if skipped is not None else i + 1
            continue
        sequence = next((p for p in _SEQUENCES if tuple(tokens[i:i + len(p)]) == p), None)
        if sequence is not None:
            items.append(_Rel(_RelPhrase(_SEQUENCES[sequence], kind="sequence")))
            i += len(sequence)
            continue
        made = next((p for p in _MADE_OF if tuple(tokens[i:i + len(p)]) == p), None)
        if made is not None:
            i += len(made)  # "a bench made of wood": the material belongs to the bench
            continue
        there = next((p for p in _THERE_IS if tuple(tokens[i:i + len(p)]) == p), None)
        if there is not None:
            i += len(there)
            continue
        if (tok in lx.HARD_BOUNDARIES or tok in lx.CLAUSE_BREAKERS) and tok != "whose":
            if tok in ("and", "&") and items and isinstance(items[-1], _Rel):
                i += 1  # "to the left and ..." keeps its relation open
                continue
            items.append(_Break(tok))
            i += 1
            continue
        rel = _match_relation(tokens, i)
        if rel is not None:
            phrase, end = rel
            if phrase.kind == "owner_before" and len(items) >= 2 and isinstance(items[-2], _Rel) \
                    and items[-2].phrase.predicate in ("on", "near", "inside") and isinstance(items[-1], _NounPhrase):
                del items[-2]  # "on the bench's left": the "on" belonged to the side phrase
            items.append(_Rel(phrase))
            i = end
            continue
        if tok in ("'s", "whose"):
            items.append(_Possessive(tok))
            i += 1
            continue
        phrase_item, end = _parse_noun_phrase(tokens, i)
        if phrase_item is None:
            bare = _bare_plural(tokens, i, items)
            if bare is not None:
                items.append(bare)
                i += 1
                continue
        if (isinstance(phrase_item, _NounPhrase) and phrase_item.head in _COLOUR_NOUNS and end + 1 < n
                and tokens[end] == "of" and (tokens[end + 1] in lx.COLOR_WORDS or _hyphen_colour(tokens[end + 1]))):
            # "painted a vivid shade of blue": the colour belongs to the object described
            items.append(_Adjectives([tokens[end + 1]]))
            i = end + 2
            continue
        if (isinstance(phrase_item, _NounPhrase) and phrase_item.head in _COLOUR_NOUNS
                and any(w in lx.COLOR_WORDS or _hyphen_colour(w) for w in phrase_item.modifiers)):
            # "a cow in a vibrant blue hue": the colour is the object's
            items.append(_Adjectives(phrase_item.modifiers, colour_phrase=True))
            i = end
            continue
        if phrase_item is not None:
            items.append(phrase_item)
            i = end
            continue
        if tok in lx.ATTACHING_PREPOSITIONS and not (tok == "to" and i + 1 < n and tokens[i + 1] in _LINKING_VERBS):
            # ("happens to be blue": "to" before a linking verb attaches nothing)
            items.append(_Prep(tok))
        i = max(end, i + 1)
    return items


# --------------------------------------------------------------------------------------------
# Resolve and relate
# --------------------------------------------------------------------------------------------
@dataclass
class _Object:
    id: str
    name: str
    count: int
    modifiers: list[str]
    is_class: bool
    mention: int


@dataclass
class _Ref:
    """A noun phrase resolved to an object (None when the phrase was dropped)."""

    object_id: str | None
    pronoun: str | None = None
    # reached through "with"/"holding"/"of" from an earlier object: a detail of that object,
    # so not the subject of a following relation when the object itself is available
    attached: bool = False


@dataclass
class _State:
    objects: list[_Object] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    placements: list[tuple[str, str]] = field(default_factory=list)  # (object id, predicate)
    dropped: list[str] = field(default_factory=list)
    seen_predicates: list[str] = field(default_factory=list)
    # second reading of a prompt whose first reading found nothing: every drawable noun counts
    keep_all_nouns: bool = False

    def get(self, object_id: str) -> _Object:
        return next(o for o in self.objects if o.id == object_id)

    def latest(self, *, exclude: set[str] | None = None, plural: bool | None = None) -> str | None:
        exclude = exclude or set()
        candidates = [o for o in self.objects if o.id not in exclude]
        if plural is not None:
            preferred = [o for o in candidates if (o.count > 1) == plural]
            if preferred:
                candidates = preferred
        if not candidates:
            return None
        return max(candidates, key=lambda o: o.mention).id

    def touch(self, object_id: str, counter: list[int]) -> None:
        counter[0] += 1
        self.get(object_id).mention = counter[0]

    def relate(self, subject: str | None, predicate: str, obj: str | None) -> None:
        if subject is None or obj is None or subject == obj:
            return
        triple = (subject, predicate, obj)
        if triple in self.relations:
            return
        inverse = INVERSE_PREDICATE.get(predicate)
        if inverse and (obj, inverse, subject) in self.relations:
            return
        # keep the graph orderable: a relation closing a cycle contradicts an earlier one
        deps = nx.DiGraph()
        deps.add_nodes_from(o.id for o in self.objects)
        deps.add_edges_from((o, s) for s, _, o in self.relations)
        if deps.has_node(subject) and deps.has_node(obj) and nx.has_path(deps, subject, obj):
            return
        self.relations.append(triple)


_ORDINAL_REFERENCES = {"former", "latter", "first", "second"}


def _ordinal_reference(word: str, state: _State) -> str | None:
    """"the former"/"the latter": the earlier/later of the two objects mentioned last;
    "the first"/"the second": by order of introduction."""
    if not state.objects:
        return None
    if word in ("first", "second"):
        index = 0 if word == "first" else 1
        return state.objects[index].id if index < len(state.objects) else None
    recent = sorted(state.objects, key=lambda o: o.mention)[-2:]
    if len(recent) < 2:
        return None
    ordered = sorted(recent, key=lambda o: state.objects.index(o))
    return ordered[0].id if word == "former" else ordered[1].id


def _resolve_phrase(np_: _NounPhrase, state: _State, counter: list[int], *, detail: bool,
                    reference_only: bool = False) -> _Ref:
    """Turn a noun phrase into an object id: a new object, an earlier one, or nothing.
    `reference_only`: a possessor ("a child's bed") names an object only if it is one already."""
    if np_.pronoun is not None:
        ref = state.latest(plural=np_.pronoun == "they")
        return _Ref(ref, pronoun=np_.pronoun)
    if reference_only:
        same = [o for o in state.objects if o.name == np_.head]
        if not same:
            state.dropped.append(np_.head)
            return _Ref(None)
    if not np_.is_class and np_.determiner == "definite" and np_.head in _ORDINAL_REFERENCES:
        ref = _ordinal_reference(np_.head, state)
        if ref is not None:
            state.touch(ref, counter)
            return _Ref(ref)
    if not np_.is_class and np_.determiner == "definite" and np_.head in lx.HYPERNYMS:
        # "a kitten ... the animal": a general word pointing back at a named object
        kinds = lx.HYPERNYMS[np_.head]
        same = [o for o in state.objects if kinds is None or o.name in kinds]
        if same:
            target = max(same, key=lambda o: o.mention)
            target.modifiers.extend(w for w in np_.modifiers if w not in target.modifiers)
            state.touch(target.id, counter)
            return _Ref(target.id)
    if state.keep_all_nouns and not np_.is_class and np_.head in lx.NEVER_DRAWN_NOUNS:
        state.dropped.append(np_.head)
        return _Ref(None)
    if not state.keep_all_nouns and not np_.is_class and (np_.head in lx.SETTING_NOUNS or detail):
        state.dropped.append(np_.head)
        return _Ref(None)
    if (not state.keep_all_nouns and not np_.is_class and np_.determiner == "definite" and state.objects
            and np_.head not in lx.UNIQUE_NOUNS and not any(o.name == np_.head for o in state.objects)):
        # "the rest of the image", "the wall": new things are introduced with "a" or a number;
        # a definite one that points at nothing drawn is part of the setting
        state.dropped.append(np_.head)
        return _Ref(None)
    count = np_.count
    if count is None:
        count = np_.vague_count if np_.plural and np_.vague_count else (2 if np_.plural else 1)
    if count > MAX_COUNT:
        raise PromptError(f"asked for {count} {np_.head}; at most {MAX_COUNT} of one object are supported")
    if count < 1:
        state.dropped.append(np_.head)
        return _Ref(None)
    refers_back = np_.determiner == "definite" or (np_.determiner == "none" and np_.count is None)
    if refers_back:
        same = [o for o in state.objects if o.name == np_.head]
        if same:
            # "the blue car" picks the blue one of two cars; otherwise the latest mentioned
            described = [o for o in same if np_.modifiers and set(np_.modifiers) <= set(o.modifiers)]
            target = max(described or same, key=lambda o: o.mention)
            for word in np_.modifiers:
                if word not in target.modifiers:
                    target.modifiers.append(word)
            state.touch(target.id, counter)
            return _Ref(target.id)
    counter[0] += 1
    obj = _Object(id=f"o{len(state.objects) + 1}", name=np_.head, count=count,
                  modifiers=list(np_.modifiers), is_class=np_.is_class, mention=counter[0])
    state.objects.append(obj)
    return _Ref(obj.id)


def _anchors_relation(phrase: _RelPhrase, np_: _NounPhrase) -> bool:
    """Whether a noun outside the classes right after `phrase` is the relation's object.

    It is after a positional predicate (left of, right of, above, below, next to, near, in
    front of, behind): "a cat next to a lamp", "a tree next to a house", "a dog in front of a
    house". It is not after contact or containment ("on the grass", "in a park": the setting),
    nor after a sheltering phrase (under, beneath, at the foot of) when it is a landscape
    thing: "a dog resting under a tree", "a boat under the stars" describe where the subject
    is, while "a bird above a tree" or "a cat under a lamp" relate two things to draw. Setting
    words (sky, grass, park) are dropped later whatever the phrase ("under a blue sky")."""
    if phrase.needs_class_object or phrase.predicate not in _POSITIONAL:
        return False
    return not (phrase.sheltering and np_.head in lx.LANDSCAPE_OBJECTS)


def _process_sentence(items: list[_Item], state: _State, counter: list[int]) -> None:
    # Pass 2: resolve noun phrases. A class noun is always an object. A noun outside the
    # classes ("castle", "lamp", "tree") is an object only where it is what the clause is
    # about: its first object ("a castle on a hill", "a photo of a castle"), or the object of
    # a positional relation ("a cat next to a lamp", see _anchors_relation). Elsewhere it is a
    # detail or the setting ("a dog with a red collar", "in a park", "adds a splash of colour").
    resolved: list[_Item | _Ref] = []
    last_kept: str | None = None
    kept_in_clause = False
    for k, item in enumerate(items):
        if isinstance(item, _Break):
            kept_in_clause = False
        if isinstance(item, _NounPhrase):
            prev = items[k - 1] if k > 0 else None
            nxt = items[k + 1] if k + 1 < len(items) else None
            detail = False
            if isinstance(prev, _Possessive):
                detail = True
            elif isinstance(prev, _Prep) and last_kept is not None:
                detail = True
            elif isinstance(prev, _Rel):
                detail = not _anchors_relation(prev.phrase, item)
            elif kept_in_clause:
                detail = True
            possessor = isinstance(nxt, _Possessive) and nxt.word == "'s"
            if (detail and not item.is_class and item.head in lx.COLOUR_BEARING_PARTS and last_kept is not None
                    and (isinstance(prev, _Prep) and prev.word == "with" or isinstance(prev, _Possessive))):
                # "a cow with blue fur", "a car whose paint is red": the part's colour is the object's
                owner = state.get(last_kept)
                owner.modifiers.extend(w for w in item.modifiers if w not in owner.modifiers
                                       and (w in lx.COLOR_WORDS or _hyphen_colour(w) or w in lx.MATERIAL_WORDS))
            ref = _resolve_phrase(item, state, counter, detail=detail, reference_only=possessor)
            ref.attached = isinstance(prev, _Prep) and last_kept is not None
            if ref.object_id is not None:
                last_kept = ref.object_id
                kept_in_clause = True
            resolved.append(ref)
        else:
            resolved.append(item)

    def kept(x: object) -> bool:
        return isinstance(x, _Ref) and x.object_id is not None

    # Pass 3: relations.
    clause_start = 0
    for k, item in enumerate(resolved):
        if isinstance(item, _Break):
            clause_start = k + 1
            continue
        if isinstance(item, _Adjectives):
            prev = resolved[k - 1] if k > 0 else None
            if not item.colour_phrase and (
                    isinstance(prev, _Prep) or (isinstance(prev, _Rel) and not prev.phrase.needs_class_object)):
                continue  # "with mustard", "of gold": a detail, not the object's colour
            before = [r for r in resolved[:k] if kept(r)]
            after = [r for r in resolved[k + 1:] if kept(r)]
            target = before[-1] if before else (after[0] if after else None)
            if target is not None:
                obj = state.get(target.object_id)  # type: ignore[union-attr]
                obj.modifiers.extend(w for w in item.words if w not in obj.modifiers)
            continue
        if not isinstance(item, _Rel):
            continue
        phrase = item.phrase
        state.seen_predicates.append(phrase.predicate)
        in_clause = [r for r in resolved[clause_start:k] if kept(r)]
        in_sentence_before = [r for r in resolved[:k] if kept(r)]
        following = [(m, r) for m, r in enumerate(resolved) if m > k and kept(r)]

        if phrase.kind == "owner_before":
            # "... the bench's left": owner is the phrase right before; subject the one before it
            owner = resolved[k - 1] if k > 0 and kept(resolved[k - 1]) else None
            if owner is None:
                continue
            earlier = [r for r in resolved[clause_start:k - 1] if kept(r)]
            subject = earlier[-1] if earlier else (following[0][1] if following else None)
            if subject is not None:
                state.relate(subject.object_id, phrase.predicate, owner.object_id)  # type: ignore[union-attr]
            continue

        if phrase.kind == "owner_pronoun":
            if in_clause:
                subject_id = in_clause[-1].object_id  # type: ignore[union-attr]
            elif following:
                subject_id = following[0][1].object_id  # type: ignore[union-attr]
            else:
                continue
            owner_id = _antecedent(resolved, k, state, exclude={subject_id})
            state.relate(subject_id, phrase.predicate, owner_id)
            continue

        if phrase.kind == "sequence":
            listed = [r for _, r in following] or in_sentence_before
            for first, second in zip(listed, listed[1:]):
                state.relate(first.object_id, phrase.predicate, second.object_id)  # type: ignore[union-attr]
            continue

        if phrase.kind in ("absolute", "dangling"):
            if in_clause:
                placed = in_clause[-1].object_id  # type: ignore[union-attr]
            else:
                right_after = resolved[k + 1] if k + 1 < len(resolved) else None
                before = resolved[k - 1] if k > 0 else None
                new_clause = not isinstance(before, _Break) or before.word not in (",", "(")
                if kept(right_after):
                    # "on the right is a dog", "on the left there is a cat"
                    placed = right_after.object_id  # type: ignore[union-attr]
                elif in_sentence_before and not new_clause:
                    # "A dog, on the left, and ...", "a dog (on the left)": an aside about the one before
                    placed = in_sentence_before[-1].object_id  # type: ignore[union-attr]
                elif following:
                    # "On the left, a cat", "..., and on the right, a dog"
                    placed = following[0][1].object_id  # type: ignore[union-attr]
                elif in_sentence_before:
                    placed = in_sentence_before[-1].object_id  # type: ignore[union-attr]
                else:
                    continue
            state.placements.append((placed, phrase.predicate))  # type: ignore[arg-type]
            continue

        # an ordinary relation: its object is the noun phrase right after it
        nxt = resolved[k + 1] if k + 1 < len(resolved) else None
        if not isinstance(nxt, _Ref):
            # "a kite with a dog below": the object is implicit; treat it as a placement
            if phrase.predicate in ("left of", "right of", "above", "below") and in_clause:
                state.placements.append((in_clause[-1].object_id, phrase.predicate))  # type: ignore[arg-type]
            continue
        if nxt.object_id is None:
            continue  # "in a park": the object was dropped, so is the relation
        # a pronoun object ("below it") is resolved after the subject is known
        obj_id = nxt.object_id if nxt.pronoun is None else None
        subject_ref: _Ref | None = None
        candidates = [r for r in in_clause if r.object_id != obj_id]  # type: ignore[union-attr]
        # "a table with a suitcase resting on it": with a pronoun object the latest object is
        # the subject even when it hangs off another by "with"
        main = [r for r in candidates if not r.attached or nxt.pronoun is not None]  # type: ignore[union-attr]
        if main or candidates:
            subject_ref = (main or candidates)[-1]  # type: ignore[assignment]
        else:
            # inverted order: "Below the tv, a clock hangs"
            after_obj = [r for m, r in following if m > k + 1 and r.object_id != obj_id]  # type: ignore[union-attr]
            if after_obj:
                subject_ref = after_obj[0]  # type: ignore[assignment]
            else:
                earlier = [r for r in in_sentence_before if r.object_id != obj_id]  # type: ignore[union-attr]
                if earlier:
                    subject_ref = earlier[-1]  # type: ignore[assignment]
        if subject_ref is None:
            continue
        subject_id = subject_ref.object_id
        if nxt.pronoun is not None:
            obj_id = _antecedent(resolved, k + 1, state, exclude={subject_id}, plural=nxt.pronoun == "they")  # type: ignore[arg-type]
        state.relate(subject_id, phrase.predicate, obj_id)


def _antecedent(resolved: list, position: int, state: _State, *, exclude: set[str],
                plural: bool | None = None) -> str | None:
    """What "it"/"its" at `position` refers to: the latest object mentioned before it."""
    for item in reversed(resolved[:position]):
        if isinstance(item, _Ref) and item.object_id is not None and item.object_id not in exclude \
                and item.pronoun is None:
            return item.object_id
    return state.latest(exclude=exclude, plural=plural)


def _pair_placements(state: _State) -> None:
    """Turn absolute placements into relations: "a cat on the left and a dog on the right"
    -> cat left of dog (the first mentioned is the subject)."""
    order = {o.id: n for n, o in enumerate(state.objects)}
    for first, second in (("left of", "right of"), ("above", "below")):
        ones = [oid for oid, p in state.placements if p == first]
        others = [oid for oid, p in state.placements if p == second]
        ones = list(dict.fromkeys(ones))
        others = list(dict.fromkeys(o for o in others if o not in ones))
        if ones and others:
            for a in ones:
                for b in others:
                    if order[a] <= order[b]:
                        state.relate(a, first, b)
                    else:
                        state.relate(b, second, a)
            continue
        placed = ones or others
        predicate = first if ones else second
        if len(placed) == 1 and len(state.objects) == 2:
            a = placed[0]
            b = next(o.id for o in state.objects if o.id != a)
            if not any({s, o} == {a, b} for s, _, o in state.relations):
                state.relate(a, predicate, b)


def _drop_vague_duplicates(state: _State) -> None:
    """"A dog next to a bear, on the bear's right": the left/right/above/below relation says
    more than next to / near, so the vaguer one goes."""
    directional = {frozenset((s, o)) for s, p, o in state.relations if p in _DIRECTIONAL}
    state.relations = [
        (s, p, o) for s, p, o in state.relations
        if not (p in ("next to", "near") and frozenset((s, o)) in directional)
    ]


# --------------------------------------------------------------------------------------------
# Attributes
# --------------------------------------------------------------------------------------------
_NOT_ADJECTIVES = {"single", "lone", "solitary", "one", "same", "other", "own", "real", "actual",
                   "whole", "entire", "visible", "various", "different", "certain", "just", "only"}


def _attributes(modifiers: list[str]) -> ObjectAttributes:
    color = material = size = None
    adjectives: list[str] = []
    for word in modifiers:
        if _hyphen_colour(word) is not None and color is None:
            color = _hyphen_colour(word)
            adjectives.extend(w for w in word.split("-")[:-1] if w not in adjectives)
        elif word in lx.COLOR_WORDS and color is None:
            color = lx.COLOR_WORDS[word]
        elif word in lx.MATERIAL_WORDS and material is None:
            material = lx.MATERIAL_WORDS[word]
        elif word in lx.SIZE_WORDS and size is None:
            size = word
        elif word in _NOT_ADJECTIVES or word.isdigit():
            continue
        elif word not in adjectives and (word not in lx.COLOR_WORDS or lx.COLOR_WORDS[word] != color):
            adjectives.append(word)  # a second colour ("black and white") is kept as a word
    return ObjectAttributes(color=color, material=material, size=size, adjectives=adjectives)


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------
def _nothing_found_message(prompt: str, state: _State) -> str:
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


def _read(sentences: list[list[_Item]], *, keep_all_nouns: bool) -> _State:
    """Resolve and relate the scanned sentences into objects and relations."""
    state = _State(keep_all_nouns=keep_all_nouns)
    counter = [0]
    for items in sentences:
        _process_sentence(items, state, counter)
    _pair_placements(state)
    _drop_vague_duplicates(state)
    return state


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
    sentences = [_scan(tokens) for tokens in _tokenise(prompt)]
    state = _read(sentences, keep_all_nouns=False)
    if not state.objects:
        # Nothing but scenery ("a sunset over the ocean", "a park"): rather than refuse, draw
        # the scenery. Only a prompt with no drawable noun at all is an error.
        fallback = _read(sentences, keep_all_nouns=True)
        if not fallback.objects:
            raise PromptError(_nothing_found_message(prompt, state))
        state = fallback
    objects = [
        SceneObject(id=o.id, name=o.name, count=o.count, attributes=_attributes(o.modifiers))
        for o in state.objects
    ]
    relations = [Relation(subject=s, predicate=p, object=o) for s, p, o in state.relations]
    return SceneGraph(objects=objects, relations=relations).validate_graph()
