"""Parts and their owners: whose part, fitting, material or covering a noun phrase names
("a mug with its handle", "the truck's front tire", "its glossy coat")."""

from __future__ import annotations

from dataclasses import replace

from stagestudio.scene import lexicon as lx
from stagestudio.scene.graph import MAX_COUNT
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import (
    Action,
    Break,
    NounPhrase,
    Possessive,
    Prep,
    Rel,
)
from stagestudio.scene.parsing.reference import antecedent
from stagestudio.scene.parsing.state import ParsedObject, Ref, State
from stagestudio.scene.parsing.words import hyphen_colour

PART_PREPOSITIONS = {"with", "has", "have", "having"}


_PART_PLACES = {"front", "rear", "back", "left", "right", "top", "bottom", "upper", "lower", "side", "inner", "outer"}


def covers(np_: NounPhrase) -> bool:
    """What gives its owner its colour: its material or its covering ("its weathered wood",
    "its glossy coat"), where a part has a colour of its own ("its shade tinted amber")."""
    return np_.head in lx.COLOUR_BEARING_PARTS or (np_.surface or np_.head) in lx.MATERIAL_WORDS


def part_head(resolved: list, start: int, end: int) -> str | None:
    """The owner of a part that heads the clause resolved[start:end] with no object before it
    ("Its long beak points at a fish", "The cat's tail hangs over a shelf"); else None."""
    for m in range(start, end):
        r = resolved[m]
        if isinstance(r, Ref) and r.object_id is not None:
            return None
        if isinstance(r, Ref) and r.part_of is not None:
            return r.part_of
    return None


# prepositions of a path a thing is moved along: "rolling a blowpipe along its arms"
_PATH_PREPOSITIONS = frozenset({"along", "across", "through", "around", "past", "over", "toward", "towards"})


def moved_along(prev: object, resolved: list) -> str | None:
    """The thing a path preposition right after it moves ("rolling a blowpipe along its arms",
    "sliding a glass across its top"): it is not the owner of the path it is moved along."""
    if isinstance(prev, Prep) and prev.word in _PATH_PREPOSITIONS and len(resolved) >= 2:
        before = resolved[-2]
        if isinstance(before, Ref) and before.object_id is not None and before.pronoun is None:
            return before.object_id
    return None


def owner_of_part(np_: NounPhrase, prev: object, state: State, subject: str | None | bool,
                   resolved: list, nxt: object = None, after: object = None) -> str | None:
    """The object whose part a definite relation object names ("a dog beside the front tire"
    after a truck was mentioned), or None. Only for a part no object of that name exists for."""
    if not isinstance(prev, (Rel, Prep)) or np_.determiner != "definite" or np_.possessive or np_.pronoun is not None:
        return None
    surface = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    if any(o.name == np_.head for o in state.objects):
        return None
    owner = antecedent("it", resolved, len(resolved), state, exclude={subject} if isinstance(subject, str) else set(),
                       can_own=surface)
    if owner is not None and isinstance(nxt, Rel) and isinstance(after, NounPhrase) and after.head == state.get(owner).name:
        return None  # "on the shelf above the bed": placed by the whole, so no part of it
    # a part of something named before ("on the seat" of the bench, "beside the truck's ...
    # front tire"), or a thing named by its place on a whole ("the front tire")
    # ("the front tire" of a truck; "by the front door" is no part of a bowl)
    whole = state.get(owner).word if owner is not None else ""
    if owner is None or not (english.is_part_of(surface, whole, strict=True)
                             or set(np_.modifiers) & _PART_PLACES
                             and (english.is_part_of(surface, whole) or english.is_large(whole))):
        return None
    return owner


def fitted_onto_its_whole(part: NounPhrase, link: object, whole: object) -> bool:
    """"hammers a heel onto a boot", "sews a button on a coat", "bolts a wheel onto a bicycle":
    an action's object that WordNet makes a part of the thing it is put on or into is that
    thing's part, and the action works on the thing."""
    if not (isinstance(link, Rel) and link.phrase.kind == "object" and link.phrase.predicate in ("on", "inside")
            and isinstance(whole, NounPhrase) and whole.pronoun is None and part.pronoun is None and not part.is_class):
        return False
    written = english.noun_lemma(part.surface.split()[-1]) if part.surface else part.head
    owner = english.noun_lemma(whole.surface.split()[-1]) if whole.surface else whole.head
    senses = english.noun_senses(written)
    if senses and senses[0].lexfile == english.BODY:
        return False  # "keeps both hands on the controls": the doer's own body, no clock's hands
    return english.is_part_of(written, owner, strict=True)


def owns_part(owner: NounPhrase, possessed: object) -> bool:
    """Whether `possessed`, named after "owner's", is a part of it, so that a relation to it is
    one to the owner: "on a sleeping cat's head", "beside the stall's awning" (not "into an
    artist's loft"; "on a horse's back", where "back" was read as no noun, is the horse)."""
    if not isinstance(possessed, NounPhrase):
        return True
    part = english.noun_lemma(possessed.surface.split()[-1]) if possessed.surface else possessed.head
    # ("under the judge's robe", "on the pirate's hat": what someone wears is theirs, as a part)
    wearer = owner.head == "person" or english.is_person(owner.head) or english.is_animate(owner.head)
    worn = possessed.pronoun is None and english.is_worn(part, senses=4)
    if wearer and worn and owner.plural and owner.determiner == "none":
        return False  # "women's wool coat", "kids' raincoat": those a garment is made for own none
    return (english.is_part_of(part, owner.head)
            or english.is_artifact(part) and english.is_artifact(owner.head) and not english.is_building(owner.head)
            or wearer and worn)


def acted_on_belonging(owner: object, possessed: NounPhrase) -> bool:
    """After an action, "the dog's leash", "the dog's ball": a made thing a living owner has
    that is neither one of its parts nor worn by it is a thing of its own, and what is acted on
    (where "brushing a horse's mane" or "checks the cat's collar" reach the owner)."""
    if not isinstance(owner, NounPhrase) or not (owner.head == "person" or english.is_animate(owner.head)):
        return False
    word = english.noun_lemma(possessed.surface.split()[-1]) if possessed.surface else possessed.head
    return (possessed.pronoun is None and english.is_artifact(word) and not english.is_part(word)
            and not english.is_part_of(word, owner.head) and not english.is_worn(word, senses=4))


def placed_on_its_own(owner: object, possessed: object, before: object, after: object) -> bool:
    """A living owner's made thing that opens its clause and is placed by a relation there: "the
    forager's basket hangs from a low branch", "the welder's helmet hangs on a hook". Placed
    apart from its owner, it is a thing of its own, worn or not, and the owner only says whose."""
    if not (isinstance(owner, NounPhrase) and isinstance(possessed, NounPhrase)
            and (before is None or isinstance(before, Break))
            and isinstance(after, Rel) and after.phrase.kind == "object"):
        return False
    if owner.pronoun is not None or not (owner.head == "person" or english.is_animate(owner.head)):
        return False
    word = english.noun_lemma(possessed.surface.split()[-1]) if possessed.surface else possessed.head
    return (possessed.pronoun is None and (possessed.is_class or english.is_artifact(word))
            and not english.is_part_of(word, owner.head) and not english.has_sense_of(word, english.BODY))


def _is_fitting(np_: NounPhrase, prev: object, nxt: object) -> bool:
    """A bare made thing after "with" that nothing places on its own: "a window with sheer
    curtains", "a café with green awnings", "a keyboard with white keycaps" - a fitting of the
    object, where "a plate with blueberries" or "with chopsticks resting on top" draw them."""
    # (a made thing named only in the plural is made as written: "leather bellows", not a roar)
    written = np_.surface.split()[-1] if np_.surface else np_.head
    made = english.is_artifact(np_.head) or written != np_.head and english.is_artifact(written)
    return (isinstance(prev, Prep) and prev.word in PART_PREPOSITIONS and np_.determiner == "none"
            and not isinstance(nxt, Rel)
            and (np_.kind == NounKind.UNKNOWN or np_.kind == NounKind.THING and made or made_second_sense(np_)))


def made_second_sense(np_: NounPhrase) -> bool:
    """A word whose first sense names no thing but whose second is a made one ("light": first
    the radiation, then the lamp), read as a made thing where only one fits: a bare noun after a
    made product's "with", or in its listing ("w/ LED light", "..., LED light, ...")."""
    written = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    senses = english.noun_senses(written)
    return (np_.kind in (NounKind.WEAK, NounKind.PLACE) and not np_.is_class and len(senses) >= 2
            and not senses[0].is_thing and senses[1].lexfile == english.ARTIFACT)


def comes_with(np_: NounPhrase, owner_name: str) -> bool:
    """A thing that comes with a made thing rather than being fitted to it: counted ones ("a
    clock with two batteries", "a clipper w/ 8 guide combs"), or a container, which holds the
    thing and is not fixed to it ("a ukulele with gig bag", "a sword w/ padded carry case").
    Only of a made owner; the caller keeps a part WordNet names ("a stool with three legs")."""
    if owner_name == "person" or english.is_animate(owner_name) or not english.is_artifact(owner_name):
        return False
    lemma = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    senses = english.noun_senses(lemma)
    if senses and "p" in senses[0].flags:
        return False  # first a part: "two side pockets", "four shelves"
    # (more than a picture draws one by one are its features: "a piano with 88 keys")
    counted = 1 < (np_.count or 1) <= MAX_COUNT
    # (a listing's bare container: "with a bag and drones" may name the bagpipe's own)
    return counted or np_.determiner == "none" and english.is_made_holder(lemma)


def part_owner(np_: NounPhrase, prev: object, nxt: object, last_kept: str | None, owner_name: str,
               after: object = None, placed_by_other: bool = False) -> str | None:
    """The object a part or something worn belongs to, or None when `np_` is not one: "a mug
    with its handle", "a bench with four sturdy legs", "the dog's tail", "a knight in shining
    armour"."""
    possessed = isinstance(prev, Possessive) or np_.possessive is not None
    if last_kept is None or np_.pronoun is not None:
        return None
    if np_.class_by_sense and not english.is_animate(owner_name) and owner_name != "person":
        # "a raincoat with a hood": of a made thing, a word that is first a person is its part
        np_ = replace(np_, head=english.noun_lemma(np_.surface.split()[-1]), is_class=False)
    if np_.is_class and _worn_in(prev) and (_worn_written(np_) or _worn_by_form(np_)) and _wears(owner_name):
        # "a man in chest waders": after the "in" of what one wears, the written word's worn
        # sense is meant, not the class WordNet's first sense gives it (a wading bird)
        np_ = replace(np_, head=english.noun_lemma(np_.surface.split()[-1]), is_class=False, kind=NounKind.THING)
    if np_.is_class:
        # "its leather seat" (of a bicycle) is a part, though "seat" also names a chair;
        # "her rocking chair" is not a part of her
        written = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
        return last_kept if possessed and english.is_part_of(written, owner_name) else None
    # ("a young man in a hoodie": a word no dictionary has, worn "in" by someone, is a garment)
    worn = _worn(np_, owner_name) or (_worn_in(prev) and _wears(owner_name) and (_unheard_of(np_) or _worn_by_form(np_)))
    if worn and not english.is_part_of(np_.head, owner_name) and _placed_apart(prev, nxt):
        return None  # "Her hiking boots stand by the door": taken off, a thing of its own
    # a made thing's made thing is a part of it ("the truck's front tire", "the car's gull-wing doors")
    # ("next to their carrying case": what a relation places beside its owner is no part of it)
    made = possessed and english.is_artifact(np_.head) and english.is_artifact(owner_name) and not isinstance(prev, Rel)
    covering = possessed and np_.head in lx.COLOUR_BEARING_PARTS  # "its red hull", "the cow's glossy coat"
    worn_in = isinstance(prev, Rel) and prev.phrase.needs_class_object and worn  # "in a red coat"
    # (after a relation only what WordNet itself makes the owner's, or any part of a living owner:
    # "against her flank", "on its launch pad" is no vehicle's part)
    # (or, where the relation places another thing on it, any part of its kind: "two crows
    # perched on its arms" of a scarecrow, where "the rocket on its launch pad" is no part)
    # ("its back door": a door at the back of it, whatever WordNet's "back door" is part of)
    part = np_.head.split()[-1] if np_.head.split()[0] in _PART_PLACES else np_.head
    own_part = english.is_part_of(part, owner_name, strict=True) or (
        english.is_part_of(part, owner_name)
        and (owner_name == "person" or english.is_animate(owner_name) or placed_by_other))
    if isinstance(prev, Rel) and not worn_in and not (possessed and own_part):
        # "next to their carrying case", "a kayak in front of a cabin": what a relation places
        # its subject by is a thing of its own ("above her head" is a part, of someone else)
        return None
    if (isinstance(prev, Prep) and prev.word in PART_PREPOSITIONS and comes_with(np_, owner_name)
            and not english.is_part_of(part, owner_name, strict=True)):
        return None  # "a clock with two batteries", "a ukulele with gig bag": things of their own
    if not (english.is_part_of(part, owner_name) or worn or made or covering or _is_fitting(np_, prev, nxt)
            or _shaped_part(np_, prev, owner_name)
            or _carried_on_body(np_, prev, nxt, after, owner_name) or _accessory(np_, prev, nxt, owner_name)):
        return None
    owned = (possessed
             or isinstance(prev, Prep) and prev.word in PART_PREPOSITIONS
             or worn_in or _carried_on_body(np_, prev, nxt, after, owner_name))
    return last_kept if owned else None


def _accessory(np_: NounPhrase, prev: object, nxt: object, owner_name: str) -> bool:
    """A small made thing a person has "with" them, which they wear or carry: "a stage manager
    with a headset", "two divers with headlamps", "a hiker with a walking stick" (not a class of
    its own, "with a suitcase"; not a vehicle or a building, "with a tractor"; not one that acts,
    "with a drone hovering"; not a holder of contents, "with a jar of honey"; not one placed on
    its own, "with wooden blocks on a rug", where "with a headset kneels on a mat" places her, and
    "with a headlamp climbs a hill" is her climbing)."""
    return (isinstance(prev, Prep) and prev.word == "with" and not (isinstance(nxt, Action) and not nxt.finite)
            and not (isinstance(nxt, Rel) and not nxt.phrase.after_finite_verb)
            and (owner_name == "person" or english.is_person(owner_name))
            and not np_.is_class and np_.pronoun is None and np_.kind == NounKind.THING
            and english.is_artifact(np_.head) and not english.is_large(np_.head) and not english.is_building(np_.head))


def _worn_in(prev: object) -> bool:
    """The "in" of what is worn, right after its wearer ("a woman in a red coat")."""
    return isinstance(prev, Rel) and prev.phrase.needs_class_object and prev.phrase.predicate == "inside"


def _wears(owner_name: str) -> bool:
    return owner_name == "person" or english.is_person(owner_name) or english.is_animate(owner_name)


def _worn_written(np_: NounPhrase) -> bool:
    """Whether the word as written names a thing worn in one of its first senses ("waders",
    where the class read from it is a bird)."""
    written = np_.surface.split()[-1] if np_.surface else ""
    if not written:
        return False
    # ("in latex gloves": the handwear, where the class read is a baseball glove)
    word = written if english.has_noun_entry(written) else english.noun_lemma(written)
    return english.has_noun_entry(word) and english.is_worn(word, senses=4)


def _worn_by_form(np_: NounPhrase) -> bool:
    """A made thing WordNet files under instruments rather than clothing, which the "in" of a
    wearer still puts on the body by its form: a pair by nature written in the plural ("in
    safety goggles", "in sunglasses", "in glasses"), or a closed compound opening with a body
    part ("in headphones", "in earmuffs", "in handcuffs", "in a headset"). Never what one sits
    or rides in ("in kayaks", "in a stroller")."""
    written = np_.surface.split()[-1] if np_.surface else np_.head
    if not written.isalpha():
        return False
    lemma = english.noun_lemma(written)
    if english.is_large(lemma) or english.is_building(lemma) or english.is_container(lemma):
        return False
    if written.endswith("s") and english.plural_by_nature(written):
        return True
    for cut in range(3, len(lemma) - 2):
        part, rest = lemma[:cut], lemma[cut:]
        senses, made = english.noun_senses(part), english.noun_senses(rest)
        if (senses and senses[0].lexfile == english.BODY and made
                and any(s.lexfile == english.ARTIFACT for s in made[:2])):
            return True
    return False


def _unheard_of(np_: NounPhrase) -> bool:
    """A head no dictionary knows ("hoodie", "onesie"): nothing to draw on its own."""
    written = np_.surface.split()[-1] if np_.surface else np_.head
    return np_.kind == NounKind.UNKNOWN and not english.has_noun_entry(written) and written.isalpha()


def _shaped_part(np_: NounPhrase, prev: object, owner_name: str) -> bool:
    """A made thing "with" a part named after a body part: "gloves with touchscreen fingertips",
    "a chair with padded arms", "a jug with a wide mouth" - the shape of the thing, not a body
    (by the written noun: a "spare tire" is no waist)."""
    senses = english.noun_senses(english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head)
    return (isinstance(prev, Prep) and prev.word in PART_PREPOSITIONS and not np_.is_class and np_.pronoun is None
            and np_.count is None  # ("with 3 replacement brush heads": counted, spares of their own)
            and bool(senses) and senses[0].lexfile == english.BODY and english.is_artifact(owner_name))


def _placed_apart(prev: object, nxt: object) -> bool:
    """A phrase that opens its clause and is placed by a relation of its own ("His coat hangs on
    a hook", "Her boots stand by the door")."""
    return (prev is None or isinstance(prev, Break)) and isinstance(nxt, Rel) and nxt.phrase.kind == "object"


def worn_list_link(items: list, k: int) -> object:
    """The "in" that a list of worn things after it hangs on ("in orange vests and white hard
    hats": the hats are worn too), for the noun phrase at items[k]; None for any other shape."""
    if not (k >= 3 and isinstance(items[k - 1], Break) and items[k - 1].word in ("and", ",")
            and isinstance(items[k - 2], NounPhrase) and isinstance(items[k - 3], Rel)):
        return None
    link = items[k - 3]
    return link if link.phrase.needs_class_object and link.phrase.predicate == "inside" else None


def with_on_own_body(np_: NounPhrase, prev: object, nxt: object, after: object) -> bool:
    """"with X <place> <a possessive body part>" ("with an oil lamp in his hand", "with a measuring
    tape around his neck"), X no living thing ("with a fly buzzing in front of its nose" is a fly
    by the horse)."""
    # (or an absolute phrase after a comma: "..., canvas bags slung across their chests")
    absolute = isinstance(prev, Break) and prev.word == "," and np_.determiner in ("none", "indefinite")
    return ((isinstance(prev, Prep) and prev.word == "with" or absolute) and isinstance(nxt, Rel)
            and isinstance(after, NounPhrase) and after.possessive is not None
            and english.has_sense_of(after.head, english.BODY) and not english.is_animate(np_.head))


def _carried_on_body(np_: NounPhrase, prev: object, nxt: object, after: object, owner_name: str) -> bool:
    """"a tailor with a measuring tape draped around his neck", "a referee with a whistle in his
    mouth": a made thing someone has "with" them, placed on their own body, is carried like
    something worn (a class keeps its own box: "a dog with a frisbee in its mouth")."""
    return (with_on_own_body(np_, prev, nxt, after) and not np_.is_class
            and (owner_name == "person" or english.is_animate(owner_name))
            and english.has_sense_of(np_.head, english.ARTIFACT))


def _worn(np_: NounPhrase, owner_name: str) -> bool:
    """Whether `np_` names something its owner wears. A person or an animal wears things in more
    senses ("a cat with a pink collar", "a player in a purple jersey", not the island); a
    garment named only in the plural is its own word ("in blue scrubs", "in fatigues": not
    "scrub", brushwood)."""
    senses = 4 if english.is_animate(owner_name) or owner_name == "person" else 2
    written = np_.surface.split()[-1] if np_.surface else np_.head
    return english.is_worn(np_.head, senses=senses) or (
        written != np_.head and english.has_noun_entry(written) and english.is_worn(written, senses=1))


def unowned_part_owner(np_: NounPhrase, prev: object, resolved: list, state: State, clause_subject: str | None,
                        part_subject: str | None) -> str | None:
    """The owner of a part named without one: a body part an animal was last mentioned with
    ("one paw dangling over the edge"), a part a relation puts under its own whole ("the bench
    rests on four sturdy legs"), or what a part carries ("her ear carries a yellow tag")."""
    if (isinstance(prev, Action) and part_subject is not None and not english.is_living_or_food(np_.head)
            and np_.kind not in (NounKind.ABSTRACT, NounKind.UNIT) and np_.determiner != "definite"):
        return part_subject  # (what a beak holds, a seed or a fish, is drawn; "catch the wind" names nothing new)
    senses = english.noun_senses(np_.head)
    if (isinstance(prev, Rel) and clause_subject is not None and np_.determiner != "definite"
            and prev.phrase.predicate == "on"):
        # only where WordNet itself makes it a part of such a whole: "a bench on four legs",
        # not "a bicycle in front of a door"
        return clause_subject if english.part_sense_rank(np_.head, state.get(clause_subject).word, strict=True) else None
    # ("one paw dangling", "holding hands": the animal's, the couple's; "chewing a bone": a thing
    # the action acts on)
    acted_on = isinstance(prev, Action) and not _own_body_phrase(np_)
    # (a body part in WordNet's body file, or an animal's own part in the animal file: "paw", "hoof")
    # ("down" bare is no animal's part: only a counted one is, "one paw dangling")
    body_part = bool(senses) and (senses[0].lexfile == english.BODY or senses[0].lexfile == english.ANIMAL
                                  and "p" in senses[0].flags and (np_.determiner != "none" or np_.count is not None))
    if body_part and not isinstance(prev, (Rel, Prep, Possessive)) and not acted_on:
        # ("two boys holding hands": after a verb the owner may be plural)
        for kind in ("it", "they") if isinstance(prev, Action) else ("it",):
            owner = antecedent(kind, resolved, len(resolved), state, can_own=np_.head)
            if owner is not None and english.is_animate(state.get(owner).word):
                return owner
    return None


def _own_body_phrase(np_: NounPhrase) -> bool:
    """How one names one's own body parts after a verb: bare ("holding hands"), "one" ("with one
    finger") or "both" ("presses both hands against the glass"), where "a hand", "the hand",
    "three fingers" may be anyone's."""
    both = np_.determiner == "definite" and np_.count == 2 and np_.possessive is None
    return np_.determiner == "none" and np_.count in (None, 1) or both


def take_covering_colour(owner: ParsedObject, covering: NounPhrase, *, worn: bool = False) -> None:
    """"a cow with blue fur", "a car whose paint is red", "its glossy coat": the colour of the
    covering is the object's. Not what is worn ("a figure in a black coat"), nor a person's."""
    if (covering.head not in lx.COLOUR_BEARING_PARTS or worn or owner.name == "person"
            or english.is_person(owner.name)):
        return
    owner.modifiers.extend(w for w in covering.modifiers if w not in owner.modifiers
                           and (w in lx.COLOR_WORDS or hyphen_colour(w) or w in lx.MATERIAL_WORDS))


def instrument_user(np_: NounPhrase, items: list, k: int, resolved: list, state: State) -> str | None:
    """The doer whose tool a single made thing after "with" at the end of an action's object is:
    "a welder cutting a steel beam with a blowtorch", "a vet examining a puppy's ear with an
    otoscope" - the tool is the doer's part (what "decorating a cake with candles" puts on the
    cake is plural; a class of its own, "with a knife", stays drawn). None for any other shape."""
    prev = items[k - 1] if k > 0 else None
    written = np_.surface.split()[-1] if np_.surface else np_.head
    # ("w/ long iron tongs": one tool whose name is plural by nature, with no article)
    pair = np_.determiner == "none" and np_.count is None and written.endswith("s") and english.plural_by_nature(written)
    if (not isinstance(prev, Prep) or prev.word != "with" or not (np_.determiner == "indefinite" or pair)
            or np_.plural or np_.count not in (None, 1) or np_.is_class or np_.pronoun is not None
            or np_.kind not in (NounKind.THING, NounKind.WEAK) and not pair):
        return None
    nxt = items[k + 1] if k + 1 < len(items) else None
    after = items[k + 2] if k + 2 < len(items) else None
    # ("splits a shoulder with a cleaver on a chopping block", "scrubbing his elephant w/ a husk
    # in the river": a place of the whole scene after the tool, named with its own article)
    scene_place = (isinstance(nxt, Rel) and isinstance(after, NounPhrase) and after.pronoun is None
                   and after.possessive is None and after.determiner in ("indefinite", "definite"))
    if isinstance(nxt, (Action, Possessive)) or isinstance(nxt, Rel) and not scene_place:
        return None  # "with an oil lamp in his hand", "with a drone hovering": placed or acting on its own
    word = written if pair else english.noun_lemma(written)
    if (english.is_animate(word) or english.is_living_or_food(word) or english.is_large(word)
            or english.is_building(word) or not english.has_sense_of(word, english.ARTIFACT)):
        return None
    # back over the action's object and the places after it ("brushing bees off her sleeve")
    # (and over a possessor or an "of": "listening to a puppy's heartbeat", "a block of marble")
    m = k - 1
    # ("brushing bees off her sleeve", "hauling a pot from the kiln": any preposition but "with")
    while m >= 1 and (isinstance(items[m - 1], (NounPhrase, Rel, Possessive))
                      or isinstance(items[m - 1], Prep) and items[m - 1].word != "with"):
        m -= 1
    action = items[m - 1] if m >= 1 else None
    if (m == k - 1 or not isinstance(action, Action) or action.passive or m - 1 >= len(resolved)
            or resolved[m - 1] is not action):
        return None
    # the doer, back over where it stands ("A brewer on a steel platform stirs the mash with a
    # paddle": the brewer, not the platform)
    d = m - 2
    while d >= 2 and isinstance(resolved[d], Ref) and isinstance(resolved[d - 1], (Rel, Prep)) and not (
            resolved[d].object_id is not None and state.get(resolved[d].object_id).is_alive):
        d -= 2
    doer = resolved[d] if d >= 0 else None
    agent = doer.object_id if isinstance(doer, Ref) and doer.object_id is not None else None
    return agent if agent is not None and state.get(agent).is_alive else None
