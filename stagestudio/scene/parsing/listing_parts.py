"""What a product listing's fragments and members are: the product's features, its material,
or things of their own ("Office chair, black mesh back, walnut", "Car wash kit: 2 mitts, 1
bucket", "Drill with two batteries and a charger"), and which object a bare trailing colour
describes. The sense a listed noun is read in is in `listing_senses.py`."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import MAX_COUNT
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import (
    Action,
    Break,
    Measure,
    NounPhrase,
    Rel,
)
from stagestudio.scene.parsing.parts import (
    made_second_sense,
    take_covering_colour,
)
from stagestudio.scene.parsing.state import ParsedObject, Ref, State


def listing_head(np_: NounPhrase, prev: object, resolved: list, state: State,
                 opening: NounPhrase | None = None) -> str | None:
    """The object a comma fragment with no article lists a feature of ("Ergonomic office chair,
    black mesh back, adjustable armrests"): the sentence's first object, when every fragment
    since it is bare too; None when `np_` is no such fragment. `opening` is the sentence's first
    noun phrase."""
    # ("front zip pocket and shoulder strap": a fragment after "and" that follows one continues the list)
    after_fragment = (isinstance(prev, Break) and prev.word == "and" and len(resolved) >= 3
                      and isinstance(resolved[-2], Ref) and resolved[-2].object_id is None
                      and isinstance(resolved[-3], Break) and resolved[-3].word == ",")
    # ("12V battery", "500 ml flask": a fragment may open with its size)
    sized = (isinstance(prev, Measure) and len(resolved) >= 2 and resolved[-1] is prev
             and isinstance(resolved[-2], Break) and resolved[-2].word == ",")
    if not ((isinstance(prev, Break) and prev.word == "," or after_fragment or sized)
            and np_.determiner == "none" and np_.pronoun is None):
        return None
    kept = [m for m, r in enumerate(resolved) if isinstance(r, Ref) and r.object_id is not None]
    if not kept or _member_of_undrawn_collection(resolved, kept[0], opening):
        return None
    # everything after the head is fragments and breaks ("chrome base, 360-degree swivel"), a
    # fragment may have its own "with" ("lime green with a dinosaur print, adjustable dial")
    # (the product opens the sentence: "To the right of the vase, two candlesticks" lists nothing)
    if (kept[0] > 0 and isinstance(resolved[kept[0] - 1], (Rel, Action))
            or any(isinstance(r, (Rel, Action)) for r in resolved[kept[0] + 1:])):
        return None
    return resolved[kept[0]].object_id


def _member_of_undrawn_collection(resolved: list, first: int, opening: NounPhrase | None) -> bool:
    """Whether the sentence's first object is itself listed after a heading that names no
    object drawn ("Matcha tea ceremony set - bamboo whisk, chawan bowl, scoop", "Home weather
    station: wireless anemometer, rain gauge"): the fragments after it are its fellow members,
    not its features. A heading about the picture lists nothing ("Product photo: ceramic mug,
    matte glaze, bamboo lid": the mug's glaze and lid)."""
    if not (first >= 2 and isinstance(resolved[first - 1], Break) and resolved[first - 1].word in (",", ":")
            and any(isinstance(r, Ref) for r in resolved[:first - 1])):
        return False
    heading = opening.head.split() if opening is not None and opening.pronoun is None else []
    return bool(heading) and not {opening.head, heading[-1]} & lx.NEVER_DRAWN_NOUNS  # type: ignore[union-attr]


def _other_people(np_: NounPhrase, owner: ParsedObject) -> bool:
    """People listed by another noun than the one before are others, not more of it: "a chef,
    two waiters", "1 mosaic artist, 2 apprentices"."""
    def written(surface: str) -> str:
        return english.noun_lemma(surface.split()[-1]) if surface else ""
    return owner.name == "person" and written(np_.surface) != written(owner.surface)


def describes(np_: NounPhrase, owner: ParsedObject) -> bool:
    """Whether a listed fragment describes `owner` rather than naming another thing: a part of
    it, what it is made of, or its covering (whose colour it takes)."""
    surface = np_.surface.split()[-1] if np_.surface else np_.head
    if surface in lx.MATERIAL_WORDS:
        owner.modifiers.extend(w for w in [*np_.modifiers, surface] if w not in owner.modifiers)
        return True
    senses = english.noun_senses(np_.head)
    if (senses and senses[0].lexfile in (english.PLANT, english.FOOD)
            and any(w in lx.MATERIAL_WORDS for w in np_.modifiers)):
        # "beech wood", "walnut wood": a tree's (or its fruit's) name with a material word is
        # what the product is made of
        owner.modifiers.extend(w for w in [np_.head, *np_.modifiers] if w not in owner.modifiers)
        return True
    if _names_a_wood(np_) and _made(owner):
        # "walnut", "solid cedar", "teak": a tree WordNet also names as its wood, listed bare
        # after a made product, is what the product is made of
        owner.modifiers.extend(w for w in [*np_.modifiers, np_.head] if w not in owner.modifiers)
        return True
    if np_.head in lx.COLOUR_BEARING_PARTS:
        take_covering_colour(owner, np_)
        return True
    if (1 < (np_.count or 1) <= MAX_COUNT and np_.head == owner.name and owner.count == 1
            and not _other_people(np_, owner)):
        owner.count = np_.count  # "Ramen bowl set, 2 bowls": how many of the product
        return True
    if np_.head == "person":
        return False  # someone listed is no part of another ("1 teacher, 2 pupils": no eye's pupil)
    # (a made feature given with its size is a specification: "360-degree swivel"; a class word
    # is its written noun here: "padded seat" of a chair)
    head = english.noun_lemma(surface) if np_.is_class else np_.head
    # (a listed made thing with no article of its own is a component of a made product: "black
    # tubing" of a stethoscope, "brushed nickel buckle" of a belt, "3 compartments")
    if _collection(owner) and english.has_sense_of(head, english.ARTIFACT):
        return False  # ("Car wash kit: 2 mitts, 1 bucket, 500ml bottle of foam": members, drawn)
    component = (not np_.is_class and _made(owner) and english.has_sense_of(head, english.ARTIFACT)
                 and (np_.kind in (NounKind.THING, NounKind.WEAK) or made_second_sense(np_)))
    # (a body part's name on a made product names its part of that shape: "touchscreen
    # fingertips" of gloves, "padded arms" of a chair)
    written = english.noun_senses(english.noun_lemma(surface))
    shaped = not np_.is_class and _made(owner) and bool(written) and written[0].lexfile == english.BODY
    # (a region named with what marks it is where the product has it: "spiral top", "flexible
    # tip" - WordNet's first sense of the word is a location, no place one goes to)
    region_senses = english.noun_senses(head)
    region = (not np_.is_class and bool(np_.modifiers) and _made(owner) and bool(region_senses)
              and region_senses[0].lexfile == _LOCATION and head not in lx.PLACE_NOUNS)
    if english.is_part_of(head, owner.word) or english.is_worn(head) or component or shaped or region or (
            np_.measurements and english.has_sense_of(head, english.ARTIFACT) and not np_.count):
        owner.parts.append(np_.text())
        owner.measurements.extend(m for m in np_.measurements if m not in owner.measurements)
        return True
    return False


def _collection(owner: ParsedObject) -> bool:
    """A product that is a collection of things: a kit (WordNet: a case holding a set of
    articles) or a word first a group ("set", "bundle"). What its listing names are its members,
    drawn as things of their own ("Car wash kit: 2 mitts, 1 bucket, ...")."""
    senses = english.noun_senses(owner.word.split()[-1])
    return owner.word.split()[-1] == "kit" or bool(senses) and senses[0].lexfile == _GROUP


def _names_a_wood(np_: NounPhrase) -> bool:
    """A singular bare plant noun with two plant senses among its first three: the tree and its
    wood ("walnut", "cedar", "teak", "cherry"), where a fruit or a flower has one."""
    senses = english.noun_senses(np_.head)
    return (not np_.plural and np_.count is None and np_.determiner == "none" and not np_.is_class and bool(senses)
            and senses[0].lexfile in (english.PLANT, english.FOOD)
            and sum(s.lexfile == english.PLANT for s in senses[:3]) >= 2)


_GROUP = 14  # WordNet's noun.group: "set", "bundle", "collection"
_LOCATION = 15  # WordNet's noun.location: "top", "tip", "edge" as well as "region", "beach"


def _made(owner: ParsedObject) -> bool:
    """A made thing in the sense the listing draws: first a made thing, or a drawn object that is
    no living thing and a made thing in a later sense ("Digital kitchen scale": a scale is first
    a magnitude)."""
    return english.is_artifact(owner.word) or (english.has_sense_of(owner.word, english.ARTIFACT)
                                               and not owner.is_alive)


def product_of_trailing_colour(resolved: list, k: int, state: State) -> str | None:
    """The product a listing's bare colour fragment belongs to ("Handheld label printer with 3
    tape rolls, blue", "pots with drainage holes and bamboo trays, white"): where the colour
    stands alone between commas (or ends the listing) after things that came "with" the
    product, it is the product's, the sentence's first object, a made thing, with nothing acting
    or placed before. None when the fragment is not such a one."""
    prev = resolved[k - 1] if k > 0 else None
    nxt = resolved[k + 1] if k + 1 < len(resolved) else None
    if not (isinstance(prev, Break) and prev.word == "," and (nxt is None or isinstance(nxt, Break))):
        return None
    before = resolved[:k]
    if any(isinstance(r, (Action, Rel)) for r in before):
        return None
    kept = [r for r in before if isinstance(r, Ref) and r.object_id is not None]
    if len(kept) < 2 or not kept[-1].attached:
        return None
    product = state.get(kept[0].object_id)  # type: ignore[arg-type]
    return product.id if _made(product) else None
