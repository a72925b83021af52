"""Whether a noun phrase no class names is drawn: the object of a relation or an action, a
built place placed by one, or a detail / the setting that names nothing to draw (split from
`resolve.py`, which asks these questions while resolving a sentence)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.actions import AIMING_PREPOSITIONS
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import Action, Break, Item, NounPhrase, Possessive, Prep, Rel
from stagestudio.scene.parsing.parts import acted_on_belonging, owns_part, placed_on_its_own
from stagestudio.scene.parsing.phrase_state import names_colour
from stagestudio.scene.parsing.placed import holds_through_portion, placed_verdict
from stagestudio.scene.parsing.relations import POSITIONAL, RelPhrase
from stagestudio.scene.parsing.state import Ref
from stagestudio.scene.parsing.words import holder_named_by_its_use

if TYPE_CHECKING:
    from stagestudio.scene.parsing.resolve import Reading


def is_built_place(np_: NounPhrase) -> bool:
    """A made place that is a bounded thing in the picture ("fireplace", "balcony"), not a room
    or a street the setting names."""
    return english.is_artifact(np_.head) and np_.head not in lx.SETTING_NOUNS


def anchors_relation(phrase: RelPhrase, np_: NounPhrase) -> bool:
    """Whether a noun outside the classes right after `phrase` is the relation's object.

    A thing the lexicon knows is, whatever the relation: "a fox asleep beneath an oak tree",
    "a frog on a lily pad", "a cat next to a lamp", "a basket of bread". Setting words and
    places are not ("on the grass", "in a park", "under a blue sky"), nor abstractions. After
    a bare "in" only a container is ("flowers in a vase", not "a knight in armour"). A word the
    lexicon does not know is an object too ("a cat next to a pikachu", "on the nightstand")."""
    verdict = placed_verdict(phrase, np_)  # ("before a nap"; "beside a dry stone wall")
    if verdict is not None:
        return verdict
    if np_.kind == NounKind.PLACE and phrase.predicate in POSITIONAL and is_built_place(np_):
        return True  # "by the fireplace", "beside the balcony": a built place one stands next to is drawn
    if np_.head in lx.SETTING_NOUNS and english.is_building(np_.head):
        return phrase.predicate in POSITIONAL  # "behind a café" draws it; "in a café" is the setting
    if (np_.kind == NounKind.ABSTRACT and english.has_thing_sense(np_.head) and (
            phrase.predicate in POSITIONAL or phrase.predicate == "on" and english.is_document(np_.head)
            # ("drying on 6 lines", "hung on the lines": what a participle puts things on is a thing)
            or phrase.predicate == "on" and phrase.after_participle and (np_.plural or (np_.count or 0) > 1))
            and np_.head not in lx.SETTING_NOUNS):
        return True  # "next to their charging case": a thing in a rarer sense, placed by a relation
    if (np_.head in lx.DEPICTION_NOUNS and phrase.predicate in POSITIONAL | {"on"} and np_.determiner != "definite"
            and english.noun_kind(np_.head) in (NounKind.THING, NounKind.WEAK)):
        return True  # "next to two framed photos", "a cat on a painting"
    if np_.kind in (NounKind.ABSTRACT, NounKind.PLACE, NounKind.UNIT) or np_.head in lx.SETTING_NOUNS:
        return False
    if phrase.kind == "contents":
        return True
    if phrase.needs_class_object:
        # (or a seat one sits in, "a baby asleep in a car seat"; not an idiom's bare noun, "in full swing")
        seat = english.is_seat(np_.head) and (np_.determiner != "none" or np_.plural)
        return (english.is_container(np_.head, senses=2) or english.is_made_holder(np_.head) or seat
                or holder_named_by_its_use(np_.head, np_.modifiers)
                or holds_through_portion(np_))
    if np_.kind == NounKind.UNKNOWN:
        return phrase.predicate in POSITIONAL or phrase.predicate == "on"
    return True


def is_detail(item: NounPhrase, prev: Item | None, nxt: Item | None, items: list[Item], k: int,
              resolved: list[Item | Ref], reading: Reading, placed_after_of: bool) -> bool:
    """Whether a noun phrase no class names is a detail or the setting rather than an object to
    draw, by what comes before it. A built place or a rarer thing sense that is placed, and so
    drawn, becomes a THING here."""
    detail = False
    if placed_after_of:
        pass
    elif isinstance(prev, Possessive):
        # "the dog's bed" after a relation is the bed; "the dog's tail" was a part above;
        # "women's raincoat", "a child's bed" with no such owner drawn: the thing itself
        # ("cover the stall's awning" with the stall not drawn: a part of the setting)
        apart = k >= 2 and placed_on_its_own(items[k - 2], item, items[k - 3] if k >= 3 else None, nxt)
        if apart:
            _take_owner_colours(items[k - 2], item)
        placed_belonging = (k >= 3 and isinstance(items[k - 3], Rel) and item.kind == NounKind.THING
                            and not item.is_class
                            and not (isinstance(items[k - 2], NounPhrase) and owns_part(items[k - 2], item))
                            or k >= 3 and isinstance(items[k - 3], Rel) and item.is_class
                            or k >= 3 and isinstance(items[k - 3], Action) and acted_on_belonging(items[k - 2], item)
                            or apart)
        owner_drawn = len(resolved) >= 2 and isinstance(resolved[-2], Ref) and resolved[-2].object_id is not None
        # (a classifier has no article: "the station's solar panels" are the station's)
        specific_owner = k >= 2 and isinstance(items[k - 2], NounPhrase) and items[k - 2].determiner == "definite"
        detail = not placed_belonging and (owner_drawn or specific_owner
                                           or item.kind not in (NounKind.THING, NounKind.UNKNOWN))
    elif isinstance(prev, Prep) and prev.word in ("to", "for") and len(resolved) >= 3 and isinstance(
            resolved[-3], Action) and (english.is_animate(item.head) or _animal_in_a_sense(item.head)):
        # "feeding fish to a sea lion": who receives what an action gives is there ("a carrot to
        # an alpaca", "a fish to a seal": an animal in a later sense, as nothing else is fed)
        detail = False
    elif (isinstance(prev, Prep) and prev.word in AIMING_PREPOSITIONS and len(resolved) >= 2
          and (len(resolved) >= 3 and isinstance(resolved[-2], Ref) and resolved[-2].object_id is None
               and isinstance(resolved[-3], Action)
               or isinstance(resolved[-2], Action) and resolved[-2].dropped_object)):
        detail = item.kind not in (NounKind.THING, NounKind.WEAK, NounKind.UNKNOWN)  # "drinking milk from a saucer"
    elif (isinstance(prev, Prep) and prev.word == "with" and k >= 1 and items[k - 1] is prev
          and reading.last_kept is not None and item.kind in (NounKind.WEAK, NounKind.ABSTRACT)
          and _physical_here(item) and (item.plural or item.determiner != "none" and _made_early(item.head))):
        # "a clock with two batteries", "a desk with a newspaper": the made thing (one of them a
        # made thing in a common sense: "with a proud grin", "with an ornate case" are details)
        detail = False
        item.kind = NounKind.THING
    elif isinstance(prev, Prep) and (reading.last_kept is not None or item.determiner == "none"):
        # "a desk with a lamp", "a plate with blueberries", "with chopsticks resting on top"
        # draw what they name; "with a red collar", "with mustard" are details
        detail = not (prev.word == "with" and item.kind == NounKind.THING and item.head not in lx.SETTING_NOUNS
                      and item.head not in lx.COLOUR_BEARING_PARTS
                      and (item.determiner != "none" or item.plural
                           or isinstance(nxt, Rel) and not nxt.phrase.needs_class_object)
                      # what something comes from is there too: "pulling a sword from a
                      # stone", "a vendor sells corn from a cart", "steam rises from the grill"
                      or prev.word == "from" and item.kind == NounKind.THING and item.determiner != "none"
                      and item.head not in lx.SETTING_NOUNS and not english.is_mass(item.head)
                      # where someone is or heads to is there too: "waits at the counter",
                      # "sit at spinning wheels", "wheeling a stretcher toward an ambulance"
                      or _place_one_is_at(prev.word, item))
    elif isinstance(prev, Rel):
        detail = not anchors_relation(prev.phrase, item)
        if not detail and item.kind in (NounKind.PLACE, NounKind.ABSTRACT):
            item.kind = NounKind.THING  # a built place, a thing in a rarer sense: placed, so drawn
        item.placed_structure = not detail and item.head in lx.SETTING_NOUNS
    elif isinstance(prev, Action):
        # what an action is aimed at is drawn, a built place too ("facing the fireplace")
        built_place = item.kind == NounKind.PLACE and is_built_place(item)
        # ("polishes the great glass lens": a setting word handled is a made thing)
        item.placed_structure = item.head in lx.SETTING_NOUNS and not item.is_class and english.setting_word_handled(
            item.head, prev.predicate, item.determiner, item.count, item.modifiers)
        detail = item.kind not in (NounKind.THING, NounKind.WEAK, NounKind.UNKNOWN) and not built_place
        handled = item.kind == NounKind.ABSTRACT and _handles(prev.predicate) and _physical_here(item)
        if built_place or item.placed_structure or handled:  # ("dropping her ballot into the box")
            item.kind = NounKind.THING
            detail = False
    elif isinstance(prev, Prep) and prev.word == "of" and reading.dropped_before_of is not None:
        detail = True  # "the warm glow of the setting sun", "a sense of calm": a quality's owner
    elif reading.kept_in_clause and not (reading.inverted_clause and k >= 2 and isinstance(items[k - 2], Rel)):
        detail = True
    elif (reading.last_was_detail and isinstance(prev, Break) and prev.word in (",", "and", "or", "&")
          and item.determiner == "none" and item.count is None and not item.is_class):
        detail = True  # "with mustard and ketchup": the list goes on with details
    if (not detail and item.kind == NounKind.PLACE and isinstance(nxt, Rel) and nxt.phrase.predicate in POSITIONAL
            and is_built_place(item)):
        item.kind = NounKind.THING  # "a kiln next to a bench": a built place that a relation places is drawn
    if (not detail and item.kind == NounKind.ABSTRACT and (prev is None or isinstance(prev, Break))
            and isinstance(nxt, Rel) and nxt.phrase.predicate in POSITIONAL | {"on"} and _physical_here(item)):
        item.kind = NounKind.THING  # "a sticky note on the clock", "a ticket under the wiper": placed, so a sheet
    return detail


def _take_owner_colours(owner: Item, item: NounPhrase) -> None:
    """"a scarlet jockey's silk jacket": with the owner not drawn, its colour is the thing's."""
    if isinstance(owner, NounPhrase):
        item.modifiers[:0] = [w for w in owner.modifiers if names_colour([w]) and w not in item.modifiers]


# WordNet's verb files of handling a thing: body (wear), contact (throw, carry, grab), motion
# (drop, slip), possession (hand, give), stative (hold)
_HANDLING_VERBS = frozenset({29, 35, 38, 40, 42})


def _handles(predicate: str) -> bool:
    lemma = english.verb_lemma(predicate.split()[0]) if predicate else None
    return lemma is not None and english.verb_category(lemma) in _HANDLING_VERBS


def _place_one_is_at(preposition: str, item: NounPhrase) -> bool:
    """A thing one is at or heads toward, a made thing in an early sense too ("at the register",
    "at the nearest board"); not a setting word or a building one is at ("at the zoo"), a part
    ("at their feet"), a substance ("2 am") or a mass."""
    if (preposition not in ("at", "toward", "towards") or item.head.split()[-1] in lx.SETTING_NOUNS
            or item.pronoun is not None or preposition == "at" and english.is_building(item.head)):
        return False  # ("at the train station", "at the café": the setting)
    if item.determiner == "none" and not item.plural or english.is_part(item.head) or english.is_mass(item.head):
        return False
    if preposition != "at" and item.determiner == "definite":
        return False  # (where one heads, introduced: "toward an ambulance"; "toward the bow" is the way)
    senses = english.noun_senses(item.head)
    if item.kind == NounKind.WEAK:
        return _made_early(item.head)
    return item.kind == NounKind.THING and bool(senses) and senses[0].lexfile != english.SUBSTANCE


def _made_early(lemma: str) -> bool:
    return any(s.lexfile == english.ARTIFACT for s in english.noun_senses(lemma)[:english.WEAK_SENSES])


def _physical_here(item: NounPhrase) -> bool:
    return not item.is_class and item.head not in lx.SETTING_NOUNS and english.physical_in_a_sense(item.head)


def _animal_in_a_sense(lemma: str) -> bool:
    return english.has_sense_of(lemma, english.ANIMAL) or english.has_sense_of(lemma, english.PERSON)
