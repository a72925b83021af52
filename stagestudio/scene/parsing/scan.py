"""Scan: one sentence's tokens -> items."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.clauses import (
    compound_verb_first,
    ends_in_verb,
    finite_verb_at,
    object_her_before_function_word,
    object_her_before_verb,
    perfect_tense,
    placing_verb,
    predicate_verb,
    verb_after_unread_subject,
    verb_inside,
)
from stagestudio.scene.parsing.english import NounKind
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
    Scanned,
    set_span,
)
from stagestudio.scene.parsing.ordinal_members import further_member_at
from stagestudio.scene.parsing.phrases import noun_of, parse_noun_phrase
from stagestudio.scene.parsing.phrase_endings import one_then_verb
from stagestudio.scene.parsing.relations import (
    COLOUR_NOUNS,
    LIKENESS_PHRASES,
    LINKING_VERBS,
    MADE_OF,
    MUTUAL_PHRASES,
    MUTUAL_PLACES,
    NAMING_PHRASES,
    NEGATORS,
    SEQUENCES,
    THERE_IS,
    RelPhrase,
    match_relation,
)
from stagestudio.scene.parsing.verbs import (
    MOTION,
    action_at,
    bare_infinitive,
    clause_opening_as,
    infinitive_at,
    measure_follows,
    object_infinitive,
    passive_agent_at,
    past_complement,
    past_depiction,
    purpose_infinitive,
    undrawn_plural_at,
)
from stagestudio.scene.parsing.words import (
    RANK_WORDS,
    bare_plural,
    bears_things,
    hyphen_colour,
    is_attribute_word,
    is_number,
    names_someone,
    number_value,
)


def _names_a_thing(words: Adjectives) -> bool:
    last = words.words[-1]
    return last in lx.COLOR_WORDS and english.noun_kind(english.noun_lemma(last)) == NounKind.THING


_GROUP_PRONOUNS = frozenset({"them", "those", "these"})


def _described_one_at(tokens: list[str], i: int) -> tuple[NounPhrase, int] | None:
    """"a red one", "the yellow one", "another small one": one thing of the kind just named,
    told apart by its adjectives; the phrase and the index after it."""
    if tokens[i] not in ("a", "an", "the", "another"):
        return None
    nth = further_member_at(tokens, i)
    if nth is not None:
        return nth
    j = i + 1
    while j < len(tokens) and (is_attribute_word(tokens[j]) or tokens[j] in RANK_WORDS):
        j += 1
    if j == i + 1 or j >= len(tokens) or tokens[j] != "one" or j + 1 < len(tokens) and tokens[j + 1] == "of":
        return None
    determiner = "definite" if tokens[i] == "the" else "indefinite"
    return NounPhrase(head="", is_class=False, plural=False, count=1, determiner=determiner,
                      modifiers=tokens[i + 1:j], pronoun="one", pronoun_word="one"), j + 1


def _relation_ends_at(tokens: list[str], i: int) -> bool:
    """Whether a relation phrase ends right before tokens[i] ("above both", "next to both")."""
    return any((found := match_relation(tokens, j)) is not None and found[1] == i for j in range(max(0, i - 3), i))


def _group_member_at(tokens: list[str], i: int) -> tuple[NounPhrase, int] | None:
    """One member of a group named before, and the index after it: "one of them", "each of the
    dogs", "the other" (with no noun after it). The phrase means the group's object."""
    n = len(tokens)
    many = 2 if tokens[i:i + 2] == ["a", "pair"] else (number_value(tokens[i]) if is_number(tokens[i]) else 0)
    if many > 1 and tokens[i + 1 + (tokens[i] == "a"):i + 3 + (tokens[i] == "a")] in (["of", "them"], ["of", "those"]):
        # "The insect that makes honey, three of them on a flower": how many of what was named;
        # a participle before a place is their posture ("landing on"), not a noun
        end = i + 3 + (tokens[i] == "a")
        end += end + 1 < n and tokens[end].endswith("ing") and match_relation(tokens, end + 1) is not None
        return NounPhrase(head="", is_class=False, plural=True, count=many, determiner="definite", modifiers=[],
                          pronoun="they", pronoun_word="them"), end
    if tokens[i] == "both" and _relation_ends_at(tokens, i) and (
            i + 1 == n or tokens[i + 1] in (",", ".", ";", "and")):
        # "a rack on the wall above both": "both" as a relation's object is the two just named
        return NounPhrase(head="", is_class=False, plural=True, count=None, determiner="definite", modifiers=[],
                          pronoun="they", pronoun_word="both"), i + 1
    if tokens[i] in ("one", "each", "either") and i + 2 < n and tokens[i + 1] == "of":
        if tokens[i + 2] in _GROUP_PRONOUNS:
            return NounPhrase(head="", is_class=False, plural=True, count=None, determiner="definite",
                              modifiers=[], pronoun="they", pronoun_word="them", member=True), i + 3
        if tokens[i + 2] == "the":
            phrase, end = parse_noun_phrase(tokens, i + 2)
            if isinstance(phrase, NounPhrase) and phrase.plural and phrase.pronoun is None:
                phrase.member, phrase.count, phrase.determiner = True, None, "definite"
                return phrase, end
    if tokens[i] == "the" and i + 1 < n and tokens[i + 1] in ("other", "others") and not (
            i + 2 < n and isinstance(parse_noun_phrase(tokens, i + 2)[0], NounPhrase)
            and not one_then_verb(tokens, i + 2)):  # ("the other dries a cup": its verb)
        return NounPhrase(head="", is_class=False, plural=True, count=None, determiner="definite", modifiers=[],
                          pronoun="they", pronoun_word="them", member=tokens[i + 1] == "other"), i + 2
    return None


def _contents_follow(tokens: list[str], end: int, phrase: NounPhrase) -> bool:
    """"a basket of bread", "a plate of cookies": a container or serving surface with what it
    holds after "of"; both are drawn, the contents in (or on) the container."""
    if end + 1 >= len(tokens) or tokens[end] != "of":
        return False
    if phrase.is_class:
        # of the classes, the open holders of solid things ("a vase of tulips"); a bottle of
        # perfume or a suitcase of clothes is drawn as the holder
        return phrase.head in ("bowl", "cup", "vase")
    return (phrase.head in lx.SERVING_SURFACES or english.is_container(phrase.head)
            or _holds_things_on_it(tokens, end, phrase))


def _holds_things_on_it(tokens: list[str], end: int, phrase: NounPhrase) -> bool:
    """"a rack of helmets", "a pallet of bricks", "a string of lanterns": a made thing that is no
    container, no part and nothing worn, with several things after "of", holds them on it (a
    "suit of armor", "the doors of a boathouse" and "a picture of dogs" do not)."""
    head = phrase.head
    if (phrase.kind != NounKind.THING or not english.has_sense_of(head, english.ARTIFACT)
            or english.is_part(head) and not bears_things(head)
            or english.is_worn(head) or head in lx.DEPICTION_NOUNS or head in lx.SETTING_NOUNS):
        return False
    after, _ = parse_noun_phrase(tokens, end + 1)
    return (isinstance(after, NounPhrase) and after.pronoun is None and after.plural and after.count is None
            and (after.is_class and after.head != "person" or after.kind == NounKind.THING
                 and not english.is_animate(after.head) and not english.is_mass(after.head)))


# places on a thing ("the top of"), and parts WordNet lists as parts in a later sense only
_PORTION_PLACES = frozenset({"top", "bottom", "side", "edge", "corner", "middle", "center", "centre", "end", "front",
                             "back", "surface"})
_PORTION_PARTS = frozenset({"rim", "base", "foot", "head", "tip", "lip", "seat"})


def _portion_at(tokens: list[str], i: int, *, on_too: bool = False) -> tuple[NounPhrase | None, int]:
    """"the top of", "one arm of", "the rim of" after a relation, and the index past its "of":
    "lounging across the top of a bookshelf", "draped over one arm of the chair" relate to the
    bookshelf and the chair. (None, i) when no such portion starts at i. `on_too` (after an
    action) also takes "the chain on my bike": "the" part "on" its WordNet whole."""
    if i >= len(tokens):
        return None, i
    phrase, end = parse_noun_phrase(tokens, i)
    if on_too and isinstance(phrase, NounPhrase) and end + 1 < len(tokens) and tokens[end] == "on":
        parsed, _ = parse_noun_phrase(tokens, end + 1)
        owner = parsed if isinstance(parsed, NounPhrase) and parsed.pronoun is None else None
        placed = tokens[i] != "the" or not _part_of(phrase, owner)
        return (None, i) if placed else (phrase, end + 1)
    if (not isinstance(phrase, NounPhrase) or end + 1 >= len(tokens) or tokens[end] != "of" or phrase.pronoun
            or names_someone(tokens, end + 1)):
        return None, i  # ("a bust of Albert Einstein" is the bust)
    parsed, _ = parse_noun_phrase(tokens, end + 1)
    owner = parsed if isinstance(parsed, NounPhrase) and parsed.pronoun is None else None
    if _contents_follow(tokens, end, phrase) and not _part_of(phrase, owner) and not _one_thing(owner):
        # ("carrying two buckets of milk", "arguing over a pot of soup": a container with its
        # contents, not a part of them; "the open drawer of a dresser" is the dresser's)
        return None, i
    head = phrase.surface.split()[-1] if phrase.surface else phrase.head
    if head in _PORTION_PLACES or head in _PORTION_PARTS or english.is_part(english.noun_lemma(head)):
        return phrase, end + 1
    if _part_of(phrase, owner) or _made_part_of(phrase, owner):
        return phrase, end + 1  # "the engine of a red truck": WordNet makes it the truck's
    return None, i


def _out_of_a_thing(tokens: list[str], i: int) -> bool:
    """"lifting a frame out of a hive", "climbing out of the pool": "out of" says where from, as
    "from" does; not out of a part ("smoke coming out of the chimney" stays the cabin's)."""
    if tokens[i] != "of" or i == 0 or tokens[i - 1] != "out":
        return False
    after, _ = parse_noun_phrase(tokens, i + 1)
    return isinstance(after, NounPhrase) and not english.is_part(after.head)


def _one_thing(owner: NounPhrase | None) -> bool:
    """"of a nightstand", "of the dresser": one counted thing with its article after "of" owns the
    holder before it; contents are plural or a mass ("a pot of soup", "buckets of milk")."""
    return (owner is not None and not owner.plural and owner.determiner in ("indefinite", "definite")
            and owner.count in (None, 1) and not english.is_mass(owner.head))


def _made_part_of(part: NounPhrase, owner: NounPhrase | None) -> bool:
    """"the tire of a pickup truck", "the propeller of a small plane": "the" made thing "of" a
    made thing is one of its parts, where WordNet records no whole for it (not a picture of
    something, nor a holder of its contents)."""
    head = english.noun_lemma(part.surface.split()[-1]) if part.surface else part.head
    return (part.determiner == "definite" and part.count is None and not part.plural
            and owner is not None and not owner.plural
            and head not in lx.DEPICTION_NOUNS and english.is_artifact(head) and not english.is_container(head)
            and english.is_artifact(english.noun_lemma(owner.surface.split()[-1]) if owner.surface else owner.head))


def _part_of(part: NounPhrase, owner: NounPhrase | None) -> bool:
    """Whether WordNet makes `part` a part of `owner` (the noun phrase after "of")."""
    head = part.surface.split()[-1] if part.surface else part.head
    return owner is not None and english.is_part_of(english.noun_lemma(head), owner.head, strict=True)


def _moves_along(tokens: list[str], i: int, *, after_noun: bool) -> bool:
    """Whether the path word at `i` ("down", "up") follows a verb of motion ("climbs down a
    ladder") or the thing carried along ("carrying a child down a ladder"), not a verb it is a
    particle of ("puts down a plate", "picks up a stick")."""
    if i == 0 or i + 1 >= len(tokens) or tokens[i + 1] not in _PATH_DETERMINERS:
        return False
    before = tokens[i - 1]
    if after_noun or "VERB" not in english.parts_of_speech(before):
        return "NOUN" in english.parts_of_speech(before)
    return english.verb_category(english.verb_lemma(before) or "") == MOTION


_PATH_DETERMINERS = {"a", "an", "the", "his", "her", "its", "their", "my", "our", "your", "this", "that"}


def _owned_noun(tokens: list[str], i: int) -> tuple[NounPhrase, int] | None:
    """The noun phrase after "'s" where the plain reading finds none: "on my grandmother's
    piano" ("piano" is also an adverb). A possessive is always followed by what it owns, as a
    determiner is, so the words are read as after one; None when even so they name nothing."""
    phrase, end = parse_noun_phrase(["the", *tokens[i:]], 0)
    # (a thing's noun, within its fragment: "men's size L, black" owns no size)
    if (not isinstance(phrase, NounPhrase) or phrase.pronoun is not None or end < 2 or "," in tokens[i:i + end - 1]
            or phrase.kind not in (NounKind.THING, NounKind.WEAK)):
        return None
    phrase.determiner = "none"
    return phrase, i + end - 1


_DISTRIBUTIVES = {"both", "all", "each"}


def _is_participle_form(word: str) -> bool:
    return word.endswith(("ing", "ed")) and english.verb_lemma(word) is not None


def scan(tokens: list[str]) -> Scanned:
    items: list[Item] = []
    i = 0
    n = len(tokens)
    portions: dict[int, str] = {}  # item index -> a part of it a relation named first ("one arm" of the chair)
    verb_seen = False  # the current clause has its finite verb
    distribute = False  # "both"/"all"/"each" opened the clause right before a relation
    noun_end, read = -1, 0  # where the latest noun phrase ended; how many items were read then
    spanned, span_start = 0, 0  # items given their tokens so far; where the last step began
    while i < n:
        for item in items[spanned:]:
            set_span(item, span_start, i)
        spanned, span_start = len(items), i
        if len(items) != read:
            read = len(items)
            noun_end = i if isinstance(items[-1], NounPhrase) else noun_end
        tok = tokens[i]
        placed = next((p for p in MUTUAL_PLACES if tuple(tokens[i:i + len(p)]) == p), None)
        if placed is not None:
            items.append(Rel(RelPhrase(MUTUAL_PLACES[placed], kind="mutual")))
            i += len(placed)
            continue
        mutual = next((p for p in MUTUAL_PHRASES if tuple(tokens[i:i + len(p)]) == p), None)
        if mutual is not None:
            i += len(mutual)
            continue
        naming = next((p for p in (*NAMING_PHRASES, *LIKENESS_PHRASES) if tuple(tokens[i:i + len(p)]) == p), None)
        if naming is not None:
            # ("a cloud shaped like a rabbit": a likeness, nothing more to draw)
            # "the animal known as the king of the jungle": what follows names it, it is not another thing
            j = i + len(naming)
            skipped, end = parse_noun_phrase(tokens, j) if j < n else (None, j)
            i = end if skipped is not None else j
            while i + 1 < n and tokens[i] == "of" and skipped is not None:
                skipped, end = parse_noun_phrase(tokens, i + 1)
                i = end if skipped is not None else i
            continue
        named = names_someone(tokens, i) if len(tokens) > i + 1 else 0
        if named > 1:
            i += named  # "Alexander Graham Bell", "King Arthur": a name identifies, it is nothing to draw
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
        if (tok in lx.HARD_BOUNDARIES or tok in lx.CLAUSE_BREAKERS or clause_opening_as(tokens, i)) and tok != "whose":
            if tok in ("and", "&") and items and isinstance(items[-1], Rel):
                i += 1  # "to the left and ..." keeps its relation open
                continue
            items.append(Break(tok))
            verb_seen = False
            i += 1
            continue
        if tok == "along":
            portion, after = _portion_at(tokens, i + 1)
            if portion is not None and (portion.surface or portion.head).split()[-1] != "side":
                # "walking along the rim of a teacup", "lanterns along the top of the wall": on
                # the thing (the length of a side is beside it: "parked along the side of a barn")
                items.append(Rel(RelPhrase("on")))
                if portion.head not in _PORTION_PLACES:
                    portions[len(items)] = portion.text()
                i = after
                continue
        rel = match_relation(tokens, i)
        if rel is not None and rel[0].path and not _moves_along(tokens, i, after_noun=noun_end == i):
            rel = None
        if rel is not None:
            phrase, end = rel
            if phrase.kind == "owner_before" and len(items) >= 2 and isinstance(items[-2], Rel) \
                    and items[-2].phrase.predicate in ("on", "near", "inside") and isinstance(items[-1], NounPhrase):
                del items[-2]  # "on the bench's left": the "on" belonged to the side phrase
            phrase.after_verb = i > 0 and english.verb_lemma(tokens[i - 1]) in LINKING_VERBS
            if noun_end == i:
                phrase.after_finite_verb = False  # "pawns on the board": the noun, not the verb "pawn"
            if tok == "into" and i > 0 and english.verb_category(english.verb_lemma(tokens[i - 1]) or "") == MOTION:
                phrase.needs_class_object = False  # "flying into the goal": whatever it moves into
            phrase.distributive, distribute = distribute, False
            items.append(Rel(phrase))
            portion, i = _portion_at(tokens, end)
            if portion is not None and portion.head not in _PORTION_PLACES:
                portions[len(items)] = portion.text()
            continue
        if tok in ("'s", "whose"):
            items.append(Possessive(tok))
            i += 1
            continue
        if tok in _DISTRIBUTIVES and items and isinstance(items[-1], Break) and items[-1].word == "," and (
                match_relation(tokens, i + 1) is not None
                or i + 2 < n and _is_participle_form(tokens[i + 1]) and match_relation(tokens, i + 2) is not None):
            # "a tumbleweed left of a skull, both in front of a wheel", "..., all resting on a
            # shelf": the relation that follows places each thing named before
            distribute = True
            i += 1
            continue
        if tok in ("each", "every", "all") and items and isinstance(items[-1], Break) and measure_follows(tokens, i + 1):
            i += 1  # "eight candles on a cake, each about 3 inches tall": the size of what the sentence is about
            continue
        if object_her_before_verb(tokens, i, items) or object_her_before_function_word(tokens, i, items):
            # "behind her stand two lamps": the pronoun alone; the verb and its subject follow
            items.append(parse_noun_phrase(["her"], 0)[0])  # type: ignore[arg-type]
            i += 1
            continue
        passive = passive_agent_at(tokens, i, items)
        if passive is not None:
            if passive[0] is not None:
                items.append(passive[0])  # "a plow guided by an old farmer": the farmer guides it
            i = passive[1]
            continue
        infinitive = infinitive_at(tokens, i)
        if infinitive and purpose_infinitive(tokens, i, items):
            # "a wall built to keep invaders out": what a thing is for is not in the picture
            i += 2
            while i < n and tokens[i] not in lx.HARD_BOUNDARIES and match_relation(tokens, i) is None:
                i += 1
            continue
        finite = not infinitive and finite_verb_at(tokens, i, items, verb_seen)
        action = object_infinitive(tokens, i, items) if infinitive else (
            bare_infinitive(tokens, i, items) or action_at(tokens, i, items, finite=finite))
        if finite:
            verb_seen = True
            if action is None:
                placing = placing_verb(tokens, i)
                if placing is not None:
                    items.append(Rel(placing))  # "a quilt covers the bed": on it
                i += 1  # "paper lanterns hang above the stall": the clause's verb, no object
                i = past_complement(tokens, i)
                continue
        if action is not None:
            items.append(action[0])
            i = action[1]
            i = past_depiction(tokens, i, action[0])
            portion, i = _portion_at(tokens, i, on_too=True)
            if portion is not None and portion.head not in _PORTION_PLACES:
                portions[len(items)] = portion.text()  # "repairing the engine of a truck": the truck
            phrase_item, end = parse_noun_phrase(tokens, i)
            if isinstance(phrase_item, Adjectives) and english.has_noun_entry(english.noun_lemma(phrase_item.words[-1])):
                # "drinking coffee", "catching a salmon": after a verb the colour-like word is a noun
                items.append(noun_of(phrase_item))
                i = end
            elif phrase_item is None and i < n and (tokens[i] in lx.SETTING_NOUNS or undrawn_plural_at(tokens, i)):
                action[0].dropped_object = True  # "spraying water on ...", "writing notes in a notebook"
                i += 1
            continue
        one = _described_one_at(tokens, i)
        if one is not None:
            items.append(one[0])  # "two kayaks, a red one in front of a yellow one"
            i = one[1]
            continue
        member = _group_member_at(tokens, i)
        if member is not None:
            items.append(member[0])  # "One of them chews on a leaf while the other sleeps"
            i = member[1]
            continue
        if verb_after_unread_subject(tokens, i, items, verb_seen):
            verb_seen = True
            i += 1
            continue
        if predicate_verb(tokens, i, items):
            i += 1  # "soft light filters through the trees", "his hands grip the net": the verb
            continue
        if items and isinstance(items[-1], NounPhrase) and compound_verb_first(tokens, i):
            i += 1  # "a groomer blow drying a poodle": the participle acts ("drying")
            continue
        if not items or isinstance(items[-1], Break):
            # "The lid of a wooden chest is open", "The doors of a barn stand open": a clause that
            # opens with "the" part "of" a whole it brings in is about the whole, which has the
            # part (not a room or a deck of a setting already known: "The living room of a house",
            # "The car deck of the ferry"; nor a name: "The national flower of Japan")
            portion, after_of = _portion_at(tokens, i)
            whole = parse_noun_phrase(tokens, after_of)[0] if portion is not None else None
            if (portion is not None and portion.determiner == "definite" and portion.head not in _PORTION_PLACES
                    and english.noun_kind(portion.head) != NounKind.PLACE and after_of > i
                    and isinstance(whole, NounPhrase) and whole.determiner == "indefinite"):
                portions[len(items)] = portion.text()
                i = after_of
                continue
        phrase_item, end = parse_noun_phrase(tokens, i)
        if isinstance(phrase_item, NounPhrase) and end - i >= 2 and compound_verb_first(tokens, end - 1):
            phrase_item, end = parse_noun_phrase(tokens[:end - 1], i)
        if isinstance(phrase_item, NounPhrase) and ends_in_verb(tokens, i, end, phrase_item, items, verb_seen):
            end -= 1  # "a waiter plates a steak", "behind the counter ladles soup": the verb, not a noun
            phrase_item, end = parse_noun_phrase(tokens[:end], i)
        elif isinstance(phrase_item, NounPhrase):
            verb_at = verb_inside(tokens, i, end, items, verb_seen)
            if verb_at is not None:
                # "a chef in a white hat chops onions": the subject's verb, read into the phrase
                phrase_item, end = parse_noun_phrase(tokens[:verb_at], i)
        if isinstance(phrase_item, Measure):
            items.append(phrase_item)
            i = end
            continue
        if (not isinstance(phrase_item, NounPhrase) and items and isinstance(items[-1], Possessive)
                and items[-1].word == "'s"):
            owned = _owned_noun(tokens, i)
            if owned is not None:
                items.append(owned[0])
                i = owned[1]
                continue
        if (isinstance(phrase_item, Adjectives) and phrase_item.colour_phrase and _names_a_thing(phrase_item)
                and (not items or isinstance(items[-1], (Rel, Action))
                     or isinstance(items[-1], Prep) and items[-1].word == "with"
                     or isinstance(items[-1], Break) and items[-1].word in ("and", ",") and len(items) > 1
                     and isinstance(items[-2], NounPhrase))):
            # "a knife and a halved lemon", "with a ripe orange": where a thing must stand, a
            # colour word that is first a thing is the thing ("painted a bright orange" stays a colour)
            thing = noun_of(phrase_item)
            thing.determiner = "indefinite"  # (a colour phrase is one read with "a")
            items.append(thing)
            i = end
            continue
        if (isinstance(phrase_item, NounPhrase) and not phrase_item.is_class and end + 1 < n and tokens[end] == "of"
                and tokens[end + 1] in lx.LIGHT_NOUNS):
            i = end + 2  # "a single beam of light", "a shaft of sunlight": light, not a thing
            continue
        if isinstance(phrase_item, NounPhrase) and _contents_follow(tokens, end, phrase_item):
            # (what holds things without enclosing them has them on it: "a rack of helmets")
            predicate = ("on" if phrase_item.head in lx.SERVING_SURFACES or not phrase_item.is_class
                         and not (english.is_container(phrase_item.head) or english.is_enclosure(phrase_item.head))
                         else "inside")  # ("a cage of finches": in what shuts them in)
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
                # ("lamps with green shades": shades a thing has are parts, not its hue)
                and not (phrase_item.plural and items and isinstance(items[-1], Prep) and items[-1].word == "with")
                and any(w in lx.COLOR_WORDS or hyphen_colour(w) for w in phrase_item.modifiers)
                and not any(w in lx.MATERIAL_WORDS for w in phrase_item.modifiers)):  # ("a green glass shade")
            # "a cow in a vibrant blue hue": the colour is the object's
            items.append(Adjectives(phrase_item.modifiers, colour_phrase=True))
            i = end
            continue
        if phrase_item is not None:
            items.append(phrase_item)
            i = end
            continue
        if (tok in ("has", "have", "having") and not (i + 1 < n and tokens[i + 1] in ("been", "got", "to"))
                and not perfect_tense(tokens, i)):
            verb_seen = True
            items.append(Prep(tok))  # "a cow that has a pink nose": what follows belongs to it
        elif tok in lx.ATTACHING_PREPOSITIONS and not (tok == "to" and i + 1 < n and tokens[i + 1] in LINKING_VERBS):
            # ("happens to be blue": "to" before a linking verb attaches nothing)
            items.append(Prep("from" if _out_of_a_thing(tokens, i) else tok))
            portion, after_of = _portion_at(tokens, i + 1)
            if portion is not None and portion.head not in _PORTION_PLACES:
                portions[len(items)] = portion.text()  # "along the rim of a teacup": the teacup's rim
                end = after_of
        i = max(end, i + 1)
    for item in items[spanned:]:
        set_span(item, span_start, n)
    for index, text in portions.items():
        if index < len(items) and isinstance(items[index], NounPhrase):
            items[index].portion = text  # type: ignore[union-attr]
    return Scanned(items, tokens)
