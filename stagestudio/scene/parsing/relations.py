"""Relation phrases: "to the left of", "on its right", "beneath", "from left to right"."""

from __future__ import annotations

from dataclasses import dataclass, replace

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing.english import (
    BODY,
    has_noun_entry,
    is_finite_form,
    is_past_participle,
    noun_lemma,
    noun_senses,
    participle_forms,
    parts_of_speech,
    verb_category,
    verb_forms,
    verb_lemma,
)


@dataclass
class RelPhrase:
    predicate: str
    # "object": a noun phrase follows; "absolute": a place in the picture ("on the left");
    # "owner_pronoun": "to its left"; "owner_before": "the bench's left"; "dangling": a
    # relation with its object left out ("with a cat on top"); "sequence": "from left to right".
    kind: str = "object"
    # "to its left", "on their right": the kind of owner the pronoun points at ("it", "they", "person")
    owner: str | None = None
    owner_word: str = ""  # the pronoun as written ("her")
    # bare "in"/"into" only relates when a real object follows ("in a bowl", not "in a park")
    needs_class_object: bool = False
    # "under", "beneath", "at the foot of": the thing after it often shelters the subject as
    # scenery ("a dog resting under a tree"), so a landscape noun there is not an object
    sheltering: bool = False
    # a verb comes before it ("the basket is full of apples", "the box contains toys"): its
    # subject is the clause's, not the noun right before it
    after_verb: bool = False
    # contents that are a load ("loaded with"): on what carries them unless it is a container
    load: bool = False
    # a participle leads it ("lying on", "hanging from"): a reduced clause about the noun before,
    # so "a piano with a rose lying on its lid" places the rose
    after_participle: bool = False
    # that participle as written ("sleeping"), for whose act it can be
    participle: str = ""
    # a finite verb leads it ("kneels on"): the clause's subject is the verb's, named before
    after_finite_verb: bool = False
    # it also says when ("before"): only a made or living thing after it is a place ("kneels
    # before a throne", not "stretching before a nap")
    temporal_too: bool = False
    # a path along a thing ("down a ladder", "up a tree"): on it, when something moves along it
    # (after a verb of motion or the thing moved), not a verb's particle ("puts down a plate")
    path: bool = False
    # "both"/"all"/"each" leads it after a comma ("a tumbleweed left of a skull, both in front of
    # a wheel"): it places each of the things just named, not only the first
    distributive: bool = False
    # "at the foot of": below a tall thing ("a chapel at the foot of a redwood"), but by a bed or
    # a sofa, whose foot is the end one stands at
    foot: bool = False
    # fastened to or wound around something ("a key tied to its string", "a scarf around her
    # neck"): beside a thing, but on the owner of a part it is fastened to
    fastened: bool = False
    # "from the top of": where a doer is ("watches the tank from the top of the bookshelf"), never
    # what it acts on
    doers_place: bool = False
    # the phrase follows its noun with no word between ("a dinosaur and a spaceship on a bed"),
    # not a verb or an adjective that may describe the last noun alone ("a cat asleep on a couch")
    follows_noun: bool = False
    # the owner's body part the phrase names ("at her feet"): a part of the owner too
    body_part: str = ""


DIRECTIONAL = {"left of", "right of", "above", "below"}
_CONTACT = 35  # WordNet's verb.contact: tie, clip, pin, strap, press
# An absolute place between the two ends of a row ("in the middle"): no predicate of its own, it
# only orders the placements on either side of it (placements.py)
MIDDLE = "middle"
_MIDDLE_WORDS = {"middle", "center", "centre"}
# Predicates that place one object relative to another; a noun outside the classes after one
# of them is an object ("a cat next to a lamp"). Contact and containment ("on", "in",
# "inside") are left out: "on the grass", "in a park", "on a wooden floor" are the setting.
POSITIONAL = DIRECTIONAL | {"next to", "near", "in front of", "behind"}
_SIDE_PREDICATE = {"left": "left of", "right": "right of", "top": "above", "bottom": "below"}
_IMAGE_NOUNS = {"image", "photo", "photograph", "picture", "frame", "scene", "composition", "shot",
                "canvas", "view", "painting", "drawing", "illustration", "render", "pic", "screen"}
_PART_NOUNS = {"side", "part", "half", "portion", "area", "edge", "corner", "section", "region"}
_TOP_CONTACT = {"in": "inside", "on": "on"}
_SIDE_PREFIXES = {"to", "on", "at", "in", "towards", "toward", "from"}
_SIDE_ADVERBS = {"immediate", "far", "very", "direct", "extreme", "upper", "lower"}

# Fixed phrases, longest first at match time. Verbs in front of them ("hovering above") are
# skipped as filler words, so only the prepositional part is listed.
_FIXED_RELATIONS: dict[tuple[str, ...], RelPhrase] = {}


def _add_fixed(predicate: str, phrases: str, **kw: object) -> None:
    for phrase in phrases.split("|"):
        _FIXED_RELATIONS[tuple(phrase.split())] = RelPhrase(predicate, **kw)  # type: ignore[arg-type]


_add_fixed("above", "above|over|at the top of|up above|high above|higher than|"
                    "higher up than|further up than|on the upper side of|over the top of")
_add_fixed("above", "overhead|up top", kind="dangling")
# resting on the top of something is contact: "a candle on top of the stack", "with a strawberry on top"
_add_fixed("on", "atop|on top of|on the top of|upon the top of")
_add_fixed("on", "on top", kind="dangling")
_add_fixed("next to", "on either side|on both sides|on each side", kind="dangling")
# contact verbs with "over", "across" or "from": "a blanket draped over the chair", "a pen lying
# across the notebook", "a lantern hanging from a hook"
for _verb in verb_forms("drape", "sling", "throw", "hang", "fold", "spread", "lay", "lie", "rest", "lounge",
                        "sprawl", "stretch"):
    _add_fixed("on", f"{_verb} over|{_verb} across")
# a hanging thing over something is held up from elsewhere, so above it ("a chandelier hanging
# over the pool table", "a lamp dangles over the bar"); only over an edge does it lie on the
# thing, draped ("a towel hangs over the edge of the tub")
for _verb in verb_forms("hang", "dangle", "suspend", "swing"):
    _add_fixed("above", f"{_verb} over|{_verb} overhead of")
    for _edge in ("edge", "side", "rim", "lip", "back", "arm", "end", "top"):
        _add_fixed("on", f"{_verb} over the {_edge} of|{_verb} over its {_edge}")
for _verb in verb_forms("hang", "dangle", "suspend", "swing"):
    _add_fixed("on", f"{_verb} from")
# leaning on a thing touches its side, as leaning against it does: "a bike leaning on the fence"
for _verb in verb_forms("lean", "prop"):
    _add_fixed("next to", f"{_verb} on|{_verb} upon")
# a holder and what fills it: "a bowl filled with lemons", "a net full of fish", "a cake topped
# with berries"; the relation runs from the contents to the holder
_add_fixed("inside", "filled with|full of|stuffed with|packed with|brimming with|overflowing with|"
                     "crammed with", kind="contents")
_add_fixed("inside", "loaded with|laden with|loaded up with", kind="contents", load=True)
_add_fixed("on", "topped with|covered with|lined with|piled with|heaped with|strewn with|littered with|scattered with|"
                 "piled high with|covered in|sprinkled with|decorated with", kind="contents")
_add_fixed("below", "below|lower than|lower down than|further down than|at the bottom of|down below|"
                    "on the underside of")
_add_fixed("below", "beneath|underneath|under|at the base of|underneath of|down beneath", sheltering=True)
_add_fixed("below", "at the foot of", sheltering=True, foot=True)
_add_fixed("in front of", "in front of|in the front of|ahead of|in the foreground of")
# "kneels before a throne"; "before dawn", "before dinner" name no object, so relate nothing
_add_fixed("in front of", "before|right before|just before", temporal_too=True)
_add_fixed("behind", "behind|in back of|at the back of|in the background of|behind of")
_add_fixed("next to", "next to|beside|besides|alongside|adjacent to|by the side of|at the side of|"
                      "along side|next door to|close beside|flanking|abutting|against|leaning against|"
                      "on either side of|on both sides of|on each side of|surrounding")
_add_fixed("next to", "around", fastened=True)
# at someone's feet or heels is on the ground beside them ("a terrier sits at her feet")
_add_fixed("next to", "at the feet of|at the heels of")
_add_fixed("on", "in the center of|in the centre of|in the middle of|at the center of|at the centre of")
# "a puppy sleeping between two cats", "a lamp between the bed and the chair": next to each
_add_fixed("next to", "between|in between|sandwiched between", kind="between")
_add_fixed("near", "near|near to|close to|close by|not far from|in the vicinity of|nearby to|"
                   "a short distance from|outside|outside of|across from|opposite")
_add_fixed("inside", "inside|inside of|within")
_add_fixed("inside", "in|into", needs_class_object=True)
# held fast in something, whatever it is: "a sword stuck in a stone", "a diamond set in a ring"
# (participles only: "collecting sticks in a park" names sticks)
for _verb in participle_forms("stick", "set", "embed", "lodge", "wedge", "jam", "mount", "bury", "sink"):
    _add_fixed("inside", f"{_verb} in|{_verb} into")
# a thing showing only in part out of what holds it is still in it ("a puppy peeking out of a
# handbag", "pencils sticking out of a mug", "grapes spilling out of a crate")
for _verb in verb_forms("peek", "peep", "poke", "stick", "protrude", "jut", "spill"):
    _add_fixed("inside", f"{_verb} out of|{_verb} up out of|{_verb} halfway out of")
# "watching from the top of the fridge": from where it is, on it
_add_fixed("on", "from the top of|from atop|from on top of", doers_place=True)
_add_fixed("on", "on|upon|onto|on to|on the surface of")
_add_fixed("on", "down|up|down along|up along", path=True)
_MAX_FIXED = max(len(k) for k in _FIXED_RELATIONS)
# the verbs that open a fixed phrase ("hanging from", "lies across"): an adverb may stand
# between them and their preposition
_VERB_HEADS = {k[0] for k in _FIXED_RELATIONS if len(k) == 2 and "VERB" in parts_of_speech(k[0])
               and "ADP" not in parts_of_speech(k[0]) and "ADV" not in parts_of_speech(k[0])}
_CAMERA_NOUNS = {"shot", "view", "angle", "photo", "photograph", "perspective", "camera", "lighting", "light",
                 "image", "picture", "composition"}

# Phrases that place the things just named beside or near each other: "a green apple and a red
# apple side by side" relates the two.
MUTUAL_PLACES: dict[tuple[str, ...], str] = dict(sorted({
    tuple(p.split()): predicate
    for predicate, phrases in (("next to", ("side by side|next to each other|next to one another|beside each other|"
                                            "beside one another|alongside each other|alongside one another")),
                               ("near", ("near each other|near one another|close to each other|close to one another|"
                                         "close together")))
    for p in phrases.split("|")}.items(), key=lambda kv: -len(kv[0])))
# Phrases that place things relative to each other without saying how; no relation results.
MUTUAL_PHRASES = [tuple(p.split()) for p in (
    "side by side|next to each other|next to one another|beside each other|beside one another|"
    "near each other|near one another|close to each other|close to one another|close together|"
    "each other|one another|together|alongside each other|alongside one another|by each other|"
    "in the same|at the same time").split("|")]
# "From left to right: a bench and a bear": consecutive objects of the list are related.
SEQUENCES: dict[tuple[str, ...], str] = dict(sorted({
    tuple(f"{start}{a} to {b}".split()): predicate
    for start in ("from ", "")
    for a, b, predicate in (("left", "right", "left of"), ("right", "left", "right of"),
                            ("top", "bottom", "above"), ("bottom", "top", "below"))
}.items(), key=lambda kv: -len(kv[0])))
LINKING_VERBS = {"be", "look", "appear", "seem", "become", "turn", "remain", "stay"}
COLOUR_NOUNS = {"shade", "hue", "tone", "colour", "color", "tint"}
# Phrases after which a noun phrase is a name for what came before: "known as the king of the jungle".
NAMING_PHRASES = sorted((tuple(p.split()) for p in ("known as", "also known as", "called", "named", "nicknamed",
                                                      "dubbed", "referred to as", "better known as")),
                        key=len, reverse=True)
# Phrases after which a noun phrase says what a thing looks like, not another thing to draw:
# "a cloud shaped like a rabbit", "a cake in the shape of a castle".
LIKENESS_PHRASES = sorted((tuple(p.split()) for p in (
    "shaped like", "in the shape of", "looks like", "look like", "looking like", "resembling", "resembles",
    "resemble", "shaped as", "in the form of", "disguised as", "dressed as", "dressed up as")),
    key=len, reverse=True)
NEGATORS = {"no", "without", "zero", "nor", "lacking", "except", "excluding"}
MADE_OF = sorted((tuple(f"{verb} {prep}".split()) for verb in ("made", "crafted", "carved", "built", "constructed",
                                                                 "fashioned", "formed", "cast", "woven", "sculpted")
                    for prep in ("of", "from", "out of", "entirely of", "entirely from", "completely of")),
                   key=len, reverse=True)
# Existential openers, longest first; they carry nothing ("there is a cat" = "a cat").
THERE_IS = sorted({("there", "is"), ("there", "are"), ("there", "was"), ("there", "were"), ("there", "'s"),
                    ("there", "stands"), ("there", "sits"), ("there", "lies"), ("there", "hangs"),
                    ("we", "see"), ("you", "see"), ("you", "can", "see"), ("we", "can", "see"),
                    ("one", "can", "see"), ("can", "be", "seen")}, key=len, reverse=True)


# A clause's own verb that places its subject on or in its object ("a quilt covers the bed",
# "apples fill a crate"), or its object in its subject ("a box contains toys"): lemma ->
# predicate ("fill" is "inside" a container, "on" anything else).
PLACING_VERBS: dict[str, str] = {"cover": "on", "top": "on", "blanket": "on", "carpet": "on", "line": "on", "fill": "inside",
                                 "contain": "inside"}
HOLDER_VERBS = frozenset({"contain"})


def _match_side(tokens: list[str], i: int) -> tuple[RelPhrase, int] | None:
    """Left/right (and top/bottom) phrases: "to the left of", "on its right", "right of",
    "on the right side of", "on the left" (absolute)."""
    n = len(tokens)
    j = i
    prefix = False
    owner_pronoun: str | None = None
    owner_word = ""
    if j < n and tokens[j] in _SIDE_PREFIXES:
        prefix = True
        j += 1
        if j < n and tokens[j] == "the":
            j += 1
        elif j < n and tokens[j] in lx.POSSESSIVE_PRONOUNS:
            owner_pronoun = lx.POSSESSIVE_KINDS.get(tokens[j], "it")
            owner_word = tokens[j]
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
        return RelPhrase(_SIDE_PREDICATE[side], kind="absolute"), j
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
    elif (j < n and "NOUN" in parts_of_speech(tokens[j]) and "VERB" not in parts_of_speech(tokens[j])
          and has_noun_entry(tokens[j])):  # ("to its left we see": no pronoun)
        return None  # "in the top drawer of a desk": the side names which one, no place
    predicate = _SIDE_PREDICATE[side]
    if owner_pronoun:
        if side == "top" and tokens[i] in _TOP_CONTACT:
            # "tangled in its top", "a cat asleep on its top": in or on the thing, not above it
            predicate = _TOP_CONTACT[tokens[i]]
        return RelPhrase(predicate, kind="owner_pronoun", owner=owner_pronoun, owner_word=owner_word), j
    if j < n and tokens[j] == "of":
        k = j + 1
        while k < n and tokens[k] in ("the", "this", "our", "that"):
            k += 1
        if k < n and tokens[k] in _IMAGE_NOUNS:
            return RelPhrase(predicate, kind="absolute"), k + 1
        if side in ("top", "bottom"):
            return None  # "at the top of" is a fixed phrase; let it match there
        return RelPhrase(predicate), j + 1
    if prefix or tokens[i] == "the":
        if side in ("top", "bottom") and tokens[i] == "on":
            return None  # "on top" is handled as a fixed phrase
        return RelPhrase(predicate, kind="absolute"), j
    return None


def match_relation(tokens: list[str], i: int) -> tuple[RelPhrase, int] | None:
    """The relation phrase starting at tokens[i], longest first: (phrase, index after it); None
    past the end (callers look ahead: "..., both" may end the prompt)."""
    if i >= len(tokens):
        return None
    found = _match_relation(tokens, i)
    if found is not None:
        # "a piano with a rose lying on its lid", "with stockings hanging from the mantel"
        found[0].after_participle = _is_participle(tokens[i]) or i > 0 and _is_participle(tokens[i - 1])
        if found[0].after_participle:
            found[0].participle = tokens[i] if _is_participle(tokens[i]) else tokens[i - 1]
        # "The pilot, in a leather jacket, kneels on a float": the verb's subject came before
        found[0].after_finite_verb = i > 0 and is_finite_form(tokens[i - 1], plural_subject=False) and not (
            "NOUN" in parts_of_speech(tokens[i - 1]) and "VERB" not in parts_of_speech(tokens[i - 1]))
    return found


def _middle_one_of_a_row(tokens: list[str], m: int) -> bool:
    """Whether the middle word at `m` says which one of a row the noun after it is ("on the
    middle bench", "in the centre drawer"): an ordinary relation to that thing, not a place in
    the picture ("in the middle sits a vase" is one)."""
    if tokens[m] not in _MIDDLE_WORDS or m + 1 >= len(tokens):
        return False
    after = tokens[m + 1]
    return (after.isalpha() and "NOUN" in parts_of_speech(after) and has_noun_entry(noun_lemma(after))
            and not is_finite_form(after, plural_subject=False) and not is_finite_form(after, plural_subject=True))


def _is_participle(word: str) -> bool:
    # ("standing" is a noun too; "painted" is no noun)
    return "VERB" in parts_of_speech(word) and (word.endswith("ing") or word.endswith("ed")
                                                 and "NOUN" not in parts_of_speech(word))


def _owned_portion(tokens: list[str], i: int) -> tuple[RelPhrase, int] | None:
    """"at its foot", "at their base", "in its centre": a fixed phrase "at the foot of" whose
    owner is a possessive pronoun, the relation to that owner."""
    if i + 2 >= len(tokens) or tokens[i + 1] not in lx.POSSESSIVE_PRONOUNS:
        return None
    phrase = _FIXED_RELATIONS.get((tokens[i], "the", tokens[i + 2], "of"))
    if phrase is None or phrase.kind != "object":
        return None
    owner = lx.POSSESSIVE_KINDS.get(tokens[i + 1], "it")
    senses = noun_senses(noun_lemma(tokens[i + 2]))
    body_part = tokens[i + 2] if owner in ("person", "they") and senses and senses[0].lexfile == BODY else ""
    return replace(phrase, kind="owner_pronoun", owner=owner, owner_word=tokens[i + 1], body_part=body_part), i + 3


def _raised_or_lowered(tokens: list[str], i: int) -> tuple[RelPhrase, int] | None:
    """A passive with no agent that says where the thing goes ("winched up to the helicopter",
    "lowered down to the wreck"): it hangs below what it is raised to, above what it is lowered to."""
    at = i + 1 if i + 1 < len(tokens) and is_past_participle(tokens[i]) else i
    if not (at + 1 < len(tokens) and tokens[at] in ("up", "down") and tokens[at + 1] == "to"
            and at > 0 and is_past_participle(tokens[at - 1])):
        return None
    return RelPhrase("below" if tokens[at] == "up" else "above"), at + 2


def _many_follow(tokens: list[str], j: int) -> bool:
    """Whether the noun phrase at `j` names many things: a plural noun before it ends ("gray
    unfired bowls"), not one thing or a mass ("a yellow ribbon", "white foam")."""
    for tok in tokens[j:j + 5]:
        if tok in (",", ".", ";", "and", "of") or "ADP" in parts_of_speech(tok):
            return False
        if "NOUN" in parts_of_speech(tok) and noun_lemma(tok) != tok:
            return True
    return False


def _match_relation(tokens: list[str], i: int) -> tuple[RelPhrase, int] | None:
    n = len(tokens)
    if tokens[i] == "'s" and i + 1 < n and tokens[i + 1] in ("left", "right"):
        j = i + 2
        if j < n and tokens[j] in ("hand",):
            j += 1
        if j < n and tokens[j] == "side":
            j += 1
        return RelPhrase(_SIDE_PREDICATE[tokens[i + 1]], kind="owner_before"), j
    if tokens[i] in ("right", "directly", "just", "immediately", "slightly", "somewhat", "straight", "close",
                     "closely", "far", "way"):
        # adverbs in front of a relation ("right next to", "directly above", "close behind her",
        # "far below"); "close by" is a phrase of its own
        inner = match_relation(tokens, i + 1) if i + 1 < n and tokens[i + 1] != "by" else None
        if inner is not None and not (tokens[i] == "right" and tokens[i + 1] == "of"):
            return inner
    side = _match_side(tokens, i)
    if side is not None:
        return side
    if i + 1 < n and tokens[i] in ("in", "at", "on") and tokens[i + 1] in ("the", "its", "their"):
        # "in the middle", "at the centre": a place in the picture, not a relation; the middle
        # of a row is between its ends ("a laptop on the left, a notebook in the middle ...")
        if i + 2 < n and tokens[i + 2] in ("middle", "center", "centre", "foreground", "background",
                                           "distance", "corner") and (i + 3 >= n or tokens[i + 3] != "of") \
                and not _middle_one_of_a_row(tokens, i + 2):
            if tokens[i + 1] == "the" and tokens[i + 2] in _MIDDLE_WORDS:
                return RelPhrase(MIDDLE, kind="absolute"), i + 3
            return _owned_portion(tokens, i)  # ("in its centre": of the thing "its" means)
    if tokens[i] == "by" and (i == 0 or not tokens[i - 1].endswith(("ed", "en"))):
        # "sitting by a campfire", "keys by the door"; "surrounded by" names an agent
        return RelPhrase("next to"), i + 1
    if tokens[i] == "overhead" and i + 1 < n and tokens[i + 1] in _CAMERA_NOUNS:
        return None  # "an overhead shot": where the camera is, not a relation
    for length in range(min(_MAX_FIXED, n - i), 0, -1):
        phrase = _FIXED_RELATIONS.get(tuple(tokens[i:i + length]))
        if phrase is not None:
            return replace(phrase), i + length
    owned = _owned_portion(tokens, i)
    if owned is not None:
        return owned
    if i + 1 < n and tokens[i + 1] == "to" and is_past_participle(tokens[i]) \
            and verb_category(verb_lemma(tokens[i]) or "") == _CONTACT and _match_side(tokens, i + 1) is None:
        # a participle of a verb of contact before "to" ("tied to", "clipped to", "pinned to",
        # whatever the verb): fastened to what follows ("parked to their left" is a side)
        return RelPhrase("next to", fastened=True), i + 2
    raised = _raised_or_lowered(tokens, i)
    if raised is not None:
        return raised
    if i + 1 < n and tokens[i + 1] == "with" and is_past_participle(tokens[i]) \
            and verb_category(verb_lemma(tokens[i]) or "") == _CONTACT and _many_follow(tokens, i + 2):
        # a thing a verb of contact has put things on ("a shelf stacked with bowls", "a tree hung
        # with lanterns", "tables set with candles"), whatever the verb: they are on it
        return RelPhrase("on", kind="contents"), i + 2
    if i + 2 < n and tokens[i + 1].endswith("ly") and tokens[i] in _VERB_HEADS:
        # "a pen lies diagonally across the page": an adverb inside the verb's phrase
        inner = match_relation([tokens[i], *tokens[i + 2:]], 0)
        if inner is not None and inner[1] > 1:
            return inner[0], i + 1 + inner[1]
    return None
