"""Scan: one sentence's tokens -> items."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
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
)
from stagestudio.scene.parsing.phrases import measurement_at, noun_of, parse_noun_phrase
from stagestudio.scene.parsing.relations import (
    COLOUR_NOUNS,
    HOLDER_VERBS,
    LIKENESS_PHRASES,
    LINKING_VERBS,
    MADE_OF,
    MUTUAL_PHRASES,
    MUTUAL_PLACES,
    NAMING_PHRASES,
    NEGATORS,
    PLACING_VERBS,
    SEQUENCES,
    THERE_IS,
    RelPhrase,
    match_relation,
)
from stagestudio.scene.parsing.words import (
    bare_plural,
    hyphen_colour,
    is_attribute_word,
    is_number,
    is_verb_form,
    names_someone,
)

_MOTION = 38  # WordNet's verb.motion (the lexicographer file of a verb's first sense): fly, roll, dive
# verb.communication, verb.competition, verb.emotion: what such a verb is "over" is what it is
# about ("arguing over", "fighting over", "fussing over"), where a motion verb flies over a place
_DISPUTING = frozenset({32, 33, 37})
_SOCIAL = 41  # verb.social: "trying on a hat", "working on a bike" act on it (not a posture on it)
_NOUN_PHRASE_OPENERS = lx.INDEFINITE_DETERMINERS | lx.DEFINITE_DETERMINERS | lx.POSSESSIVE_PRONOUNS


def _action_at(tokens: list[str], i: int, items: list[Item], *, finite: bool = False) -> tuple[Action, int] | None:
    """An action verb at tokens[i] with its object after it: "riding a horse", "holds a red
    umbrella", "looking at the moon" -> (Action("riding"), index of the object phrase).

    Only -ing forms and, with `finite`, the clause's own verb count (a past participle is passive
    or an adjective: "a parked car", "painted blue"); the verb must follow a noun phrase in its
    sentence, and what follows it must open a noun phrase, not a relation ("sitting on a bench"
    is the spatial "on"). A verb whose first WordNet senses take no object acts on nothing."""
    tok = tokens[i]
    # "Holding a pair of tweezers, he sets ...": its object has an article ("Gaming chair, ..." is a noun)
    fronted = not items and tok.endswith("ing") and i + 1 < len(tokens) and tokens[i + 1] in _NOUN_PHRASE_OPENERS
    if (not (finite or tok.endswith(("ing", "s"))) or not fronted and (
            not any(isinstance(item, NounPhrase) for item in items) or isinstance(items[-1], (Rel, Prep, Possessive, Action)))):
        return None
    lemma = english.verb_lemma(tok)
    if lemma is None or lemma == tok and not finite or lemma in lx.INTRANSITIVE_VERBS:
        return None
    if lemma in _MEASURING_VERBS and _measure_follows(tokens, i + 1):
        return None
    followed_by_determiner = i + 1 < len(tokens) and tokens[i + 1] in _NOUN_PHRASE_OPENERS
    # "building" is a noun, except in "building a sandcastle" (or, after someone, with its
    # particle: "a man working on a motorcycle", "a boy drawing on a wall")
    particle_follows = i + 1 < len(tokens) and (tokens[i + 1] in lx.ACTION_PARTICLES or tokens[i + 1] == "on")
    if not finite and not is_verb_form(tok) and not (tok.endswith("ing") and (
            followed_by_determiner or particle_follows and _agent_before(items))):
        return None
    clause = items[max((k for k, item in enumerate(items) if isinstance(item, Break)), default=-1) + 1:]
    if clause and isinstance(clause[0], Rel) and (finite or not any(isinstance(item, NounPhrase) for item in clause[2:])
                                                   and not _follows_subject_aside(items, len(items) - len(clause))):
        # "Underneath a green umbrella stands a hydrant": an inverted sentence, whose verb is
        # no action; a participle after the place acts ("On a bench sits a man holding a paper",
        # "The pilot, in a jacket, kneels on a float tightening a rope")
        return None
    j = i + 1
    while j + 1 < len(tokens) and _is_adverb(tokens[j]):
        j += 1  # "chewing contentedly on a ball"
    particle = ""
    if j < len(tokens) and tokens[j] == "into" and english.verb_category(lemma) == _MOTION:
        return None  # "a ball flying into the goal": a movement into a place, so "inside" it
    if j < len(tokens) and tokens[j] in lx.ACTION_PARTICLES and not _infinitive_at(tokens, j):
        particle, j = tokens[j], j + 1
    elif j < len(tokens) and tokens[j] == "on" and _acts_on(lemma):
        particle, j = "on", j + 1  # "chewing on a ball", "typing on a laptop"; "sitting on a ball" is a place
    elif j < len(tokens) and tokens[j] == "from" and english.verb_category(lemma) == english.CONSUMPTION:
        particle, j = "from", j + 1  # "drinking from a bottle"
    elif j < len(tokens) and tokens[j] in ("over", "about") and english.verb_category(lemma) in _DISPUTING:
        particle, j = tokens[j], j + 1  # "arguing over a pot", "fussing over a baby": its cause, not a place
    elif j + 1 < len(tokens) and tokens[j] in ("out", "up", "off") and (
            tokens[j + 1] in _NOUN_PHRASE_OPENERS or is_number(tokens[j + 1])
            or isinstance(parse_noun_phrase(tokens, j + 1)[0], NounPhrase)):
        j += 1  # "blowing out the candles", "picking up a ball": the particle names no relation
    elif lemma in lx.NON_ACTION_VERBS and not (_agent_before(items) and lemma not in _STATIVE_VERBS) \
            or english.only_intransitive(lemma) and not _agent_acts_on_thing(tokens, j, items, finite):
        # ("the earth glows orange": no sense of "glow" takes an object; "a photo showing a cat"
        # shows, where "a toddler stacking blocks" acts)
        return None
    if j >= len(tokens) or match_relation(tokens, j) is not None:
        return None
    nxt = tokens[j]
    opens = (nxt in _NOUN_PHRASE_OPENERS or is_number(nxt) or nxt in lx.PRONOUNS_SINGULAR
             or nxt in lx.PRONOUNS_PLURAL or nxt in lx.PRONOUNS_PERSON or nxt == "her")
    if not opens:
        phrase, _ = parse_noun_phrase(tokens, j)
        # ("spraying water on a car": a setting word may be what the verb acts on; "drinking
        # coffee": so may a colour-like noun)
        opens = (isinstance(phrase, NounPhrase) or nxt in lx.SETTING_NOUNS and english.has_noun_entry(nxt)
                 or isinstance(phrase, Adjectives) and english.has_noun_entry(english.noun_lemma(phrase.words[-1])))
    if not opens:
        return None
    predicate = english.present_participle(lemma) + (f" {particle}" if particle else "")
    return Action(predicate, fronted=fronted), j


def _follows_subject_aside(items: list[Item], start: int) -> bool:
    """Whether the clause at items[start:] follows the sentence's subject and one aside between
    commas ("The pilot, in a leather jacket, kneels on ...", "The shepherd, with a staff, stands
    on ...", "The carpenter, wearing an apron, planes ..."): its verb comes first."""
    return (start >= 4 and isinstance(items[0], NounPhrase) and isinstance(items[1], Break) and items[1].word == ","
            and isinstance(items[2], (Rel, Prep, Action))
            and isinstance(items[start - 1], Break) and items[start - 1].word == ","  # type: ignore[union-attr]
            and not any(isinstance(item, Break) and item.word not in ("and", "&") for item in items[2:start - 1]))


def _is_adverb(word: str) -> bool:
    """An -ly adverb, including one the lexicon lacks but whose adjective it knows ("lazily")."""
    if not word.endswith("ly"):
        return False
    if english.is_adverb_only(word):
        return True
    stem = word[:-3] + "y" if word.endswith("ily") else word[:-2]
    return not english.parts_of_speech(word) and "ADJ" in english.parts_of_speech(stem)


# Verbs of being, having, seeming and depicting: no action whoever the subject is. (A person or
# an animal that shows, takes, uses, fills, lights or measures something acts on it: "a referee
# showing a red card", "a baker weighing flour"; a picture that shows a cat does not.)
_STATIVE_VERBS = frozenset("be have seem appear look become remain stay feel resemble match mirror "
                           "echo suggest evoke convey complement contrast accent emphasize emphasise lend invite "
                           "reflect occupy dominate form frame surround line top contain include "
                           "feature depict represent illustrate portray render "
                           "highlight showcase enhance bathe illuminate call name describe imagine".split())
_MEASURING_VERBS = frozenset({"measure", "weigh"})  # "a baby measuring 50 cm": a size, no action


def _agent_before(items: list[Item]) -> bool:
    """Whether the phrase right before is someone who can act: a person or an animal."""
    last = items[-1] if items else None
    return isinstance(last, NounPhrase) and (last.pronoun == "person" or last.head == "person"
                                             or english.is_animate(last.head))


def _agent_acts_on_thing(tokens: list[str], j: int, items: list[Item], finite: bool) -> bool:
    """Whether someone uses a verb WordNet only knows without an object on a thing named with
    its article right after it: "a woman pedals a bicycle", "a boy paddles a canoe" (where "the
    earth glows orange" has no article and no agent)."""
    subject = _clause_subject(items) if finite else items[-1] if items else None
    agent = isinstance(subject, NounPhrase) and (subject.pronoun == "person" or subject.head == "person"
                                                 or english.is_animate(subject.head))
    if not agent or j >= len(tokens) or tokens[j] not in _NOUN_PHRASE_OPENERS:
        return False
    phrase, _ = parse_noun_phrase(tokens, j)
    return isinstance(phrase, NounPhrase) and (phrase.is_class or phrase.kind == NounKind.THING)


def _measure_follows(tokens: list[str], j: int) -> bool:
    """A measurement starts at tokens[j], after adverbs ("about", "roughly") or "measuring"."""
    while j < len(tokens) and (tokens[j] in lx.FILLER_WORDS or english.is_adverb_only(tokens[j])
                               or english.verb_lemma(tokens[j]) == "measure"):
        j += 1
    return j < len(tokens) and measurement_at(tokens, j) > j


def _names_a_thing(words: Adjectives) -> bool:
    last = words.words[-1]
    return last in lx.COLOR_WORDS and english.noun_kind(english.noun_lemma(last)) == NounKind.THING


def _clause_subject(items: list[Item]) -> NounPhrase | None:
    """The current clause's subject so far: its first noun phrase that no relation, preposition,
    action or possessive introduces ("the cook" in "the cook behind it ..."); None when the
    clause opened otherwise ("Behind him, ...") or has none yet."""
    start = max((k for k, item in enumerate(items) if isinstance(item, Break)), default=-1) + 1
    clause = items[start:]
    if (start >= 2 and items[start - 1].word in ("that", "which", "who")  # type: ignore[union-attr]
            and isinstance(items[start - 2], NounPhrase) and not any(isinstance(item, NounPhrase) for item in clause)):
        return items[start - 2]  # "the fruit that keeps ...": the relative clause is about the noun before it
    if not clause and _follows_subject_aside(items, start):
        return items[0] if isinstance(items[0], NounPhrase) else None  # "The carpenter, wearing an apron, planes ..."
    if not clause or not isinstance(clause[0], NounPhrase):
        return None
    return clause[0]


def _coordinated(items: list[Item], subject: NounPhrase) -> bool:
    """Whether the subject is the last of a list with no verb yet ("a cat and a dog chase"): the
    item before its clause is "and" or a comma, itself after a noun phrase."""
    k = next(k for k, item in enumerate(items) if item is subject)
    # (not a fronted place: "At a night market, a vendor fans the coals")
    # (nor a place word left of a fronted place: "In the foreground, a woman pedals")
    return (k >= 2 and isinstance(items[k - 1], Break) and items[k - 1].word in ("and", "&", ",")
            and isinstance(items[k - 2], NounPhrase) and not (k >= 3 and isinstance(items[k - 3], (Prep, Rel)))
            and not (items[k - 1].word == "," and items[k - 2].kind == NounKind.PLACE))


def _finite_verb_at(tokens: list[str], i: int, items: list[Item], verb_seen: bool) -> bool:
    """Whether tokens[i] is the finite verb of a clause that has its subject but no verb yet: a
    verb form that agrees with the subject in number ("the cook behind it ladles broth", "a
    sofa faces it", "two line cooks stir flaming pans") and is no relation word. Agreement is
    what tells "ladles" the verb from "ladles" the spoons."""
    tok = tokens[i]
    if verb_seen or not tok.isalpha() or tok in ("has", "have", "had", "having") or tok in _NOUN_PHRASE_OPENERS:
        return False
    subject = _clause_subject(items)
    if subject is None or match_relation(tokens, i) is not None or isinstance(items[-1], (Rel, Prep, Possessive, Action)):
        return False
    plural = not subject.member and (subject.plural or (subject.count or 1) > 1 or subject.pronoun == "they"
                                     or _coordinated(items, subject))
    # "a row of potted herbs lines the sill", "a stack of books sits": a collection takes either
    collection = subject.plural and subject.determiner == "indefinite" and subject.count is None
    return english.is_finite_form(tok, plural_subject=plural) or collection and english.is_finite_form(
        tok, plural_subject=False)


_SINGULAR_DETERMINERS = frozenset({"a", "an", "one", "this", "that", "each", "every", "another"})


def _ends_in_verb(tokens: list[str], i: int, end: int, phrase: NounPhrase, items: list[Item], verb_seen: bool) -> bool:
    """Whether the noun phrase read from tokens[i:end] swallowed the clause's verb as its plural
    head: the last word is a verb's -s form, an object follows it, and either a singular
    determiner cannot go with a plural head ("a waiter plates a steak") or the clause has a
    subject still waiting for its verb, which the word agrees with ("the cook behind the
    counter ladles soup")."""
    last = tokens[end - 1]
    if (end - i < 2 or not phrase.plural or phrase.pronoun is not None or not last.endswith("s")
            or not english.is_finite_form(last, plural_subject=False)
            or " " in phrase.head and english.has_noun_entry(phrase.head)):  # ("cinnamon rolls": a compound's plural)
        return False
    # "a giraffe bends down": "a" cannot go with "bends" the noun (but "a few trees", "a stack of books")
    singular = (tokens[i] in _SINGULAR_DETERMINERS and phrase.count is None and phrase.vague_count is None
                and "of" not in tokens[i:end] and tokens[i + 1] not in lx.QUANTIFIER_NOUNS
                and tokens[i + 1] not in lx.NUMBER_WORDS and not english.is_pair_noun(last)
                and not english.has_flag(last, "2", senses=1))  # ("a leather bellows": plural-only)
    if end >= len(tokens) or singular:
        return singular
    nxt = tokens[end]
    object_follows = nxt in _NOUN_PHRASE_OPENERS or is_number(nxt) or isinstance(
        parse_noun_phrase(tokens, end)[0], NounPhrase)
    if not object_follows or match_relation(tokens, end) is not None:
        return False
    if not verb_seen and (not items or isinstance(items[-1], Break)) and _singular_noun(tokens[end - 2]) and (
            nxt in _NOUN_PHRASE_OPENERS or is_number(nxt) or is_attribute_word(nxt)):
        # the phrase opens its clause, so it is the subject and the -s word after its singular
        # noun its verb: "her colleague sprays the next tray", "the blacksmith grips hot iron"
        return True
    subject = _clause_subject(items)
    return (not verb_seen and subject is not None and not subject.plural and (subject.count or 1) == 1
            and isinstance(items[-1], (Rel, Prep)))


def _singular_noun(word: str) -> bool:
    """A singular noun of a thing or a person that is no adjective ("colleague", "blacksmith")."""
    return (english.can_be_noun(word) and english.noun_lemma(word) == word and not is_attribute_word(word)
            and "ADJ" not in english.parts_of_speech(word)
            and english.noun_kind(word) in (NounKind.THING, NounKind.WEAK))


def _verb_inside(tokens: list[str], i: int, end: int, items: list[Item], verb_seen: bool) -> int | None:
    """The index of the clause's verb inside the noun phrase read from tokens[i:end], when a
    singular subject placed by a relation still waits for it ("a chef in a white hat chops
    onions": "chops" after the noun "hat", with a noun after it); else None."""
    if not verb_seen and items and isinstance(items[-1], Break) and items[-1].word in ("and", "&"):
        # "a father and his daughter bake cookies": after someone, the plural subject's verb
        for m in range(i + 1, min(end, len(tokens) - 1)):
            tok, before = tokens[m], tokens[m - 1]
            if (english.verb_lemma(tok) == tok and _names_someone(before)
                    and not english.has_noun_entry(f"{before} {tok}")
                    and isinstance(parse_noun_phrase(tokens, m + 1)[0], NounPhrase)):
                return m
    subject = _clause_subject(items)
    if (verb_seen or subject is None or subject.plural or (subject.count or 1) > 1 or subject.pronoun == "they"
            or not items or not isinstance(items[-1], (Rel, Prep))):
        return None
    for m in range(i + 1, end - 1):
        tok, before = tokens[m], tokens[m - 1]
        if (tok.endswith("s") and english.is_finite_form(tok, plural_subject=False)
                and english.noun_kind(english.noun_lemma(before)) == NounKind.THING
                and not english.has_noun_entry(f"{before} {english.noun_lemma(tok)}")
                and isinstance(parse_noun_phrase(tokens[:end], m + 1)[0], NounPhrase)):
            return m
    return None


def _names_someone(word: str) -> bool:
    """A singular noun for a person or an animal ("daughter", "puppy")."""
    senses = english.noun_senses(word)
    return (english.noun_lemma(word) == word and not is_attribute_word(word) and bool(senses)
            and senses[0].lexfile in (english.PERSON, english.ANIMAL))


def _infinitive_at(tokens: list[str], i: int) -> bool:
    """"to" before a verb's base form: "built to keep", "teaching his son to ride"."""
    if i + 1 >= len(tokens) or tokens[i] != "to":
        return False
    nxt = tokens[i + 1]
    return english.verb_lemma(nxt) == nxt and english.noun_kind(nxt) != NounKind.THING


def _object_infinitive(tokens: list[str], i: int, items: list[Item]) -> tuple[Action, int] | None:
    """"to ride a bike" right after the object of an action, when that object can act (a person
    or an animal: "helping her daughter to carry a box") or the verb is one WordNet gives the
    frame "somebody ----s somebody to INFINITIVE" ("teach"): the object's own action."""
    actions = [item for item in items if isinstance(item, Action)]
    if not actions or not isinstance(items[-1], NounPhrase) or items[-2] is not actions[-1]:
        return None
    lemma = english.verb_lemma(actions[-1].predicate.split()[0])
    obj = items[-1]
    can_act = obj.pronoun == "person" or obj.head == "person" or english.is_animate(obj.head)
    if lemma is None or not (can_act or english.takes_object_and_infinitive(lemma)):
        return None
    found = _action_at(tokens, i + 1, items, finite=True)
    if found is None:
        return None
    found[0].infinitive = True
    return found


def _purpose_infinitive(tokens: list[str], i: int, items: list[Item]) -> bool:
    """"built to keep", "designed to hold": an infinitive after a past participle says what a
    thing is for."""
    return i > 0 and bool(items) and english.is_past_participle(tokens[i - 1])


_GROUP_PRONOUNS = frozenset({"them", "those", "these"})


def _described_one_at(tokens: list[str], i: int) -> tuple[NounPhrase, int] | None:
    """"a red one", "the yellow one", "another small one": one thing of the kind just named,
    told apart by its adjectives; the phrase and the index after it."""
    if tokens[i] not in ("a", "an", "the", "another"):
        return None
    j = i + 1
    while j < len(tokens) and is_attribute_word(tokens[j]):
        j += 1
    if j == i + 1 or j >= len(tokens) or tokens[j] != "one" or j + 1 < len(tokens) and tokens[j + 1] == "of":
        return None
    determiner = "definite" if tokens[i] == "the" else "indefinite"
    return NounPhrase(head="", is_class=False, plural=False, count=1, determiner=determiner,
                      modifiers=tokens[i + 1:j], pronoun="one", pronoun_word="one"), j + 1


def _group_member_at(tokens: list[str], i: int) -> tuple[NounPhrase, int] | None:
    """One member of a group named before, and the index after it: "one of them", "each of the
    dogs", "the other" (with no noun after it). The phrase means the group's object."""
    n = len(tokens)
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
            i + 2 < n and isinstance(parse_noun_phrase(tokens, i + 2)[0], NounPhrase)):
        return NounPhrase(head="", is_class=False, plural=True, count=None, determiner="definite", modifiers=[],
                          pronoun="they", pronoun_word="them", member=tokens[i + 1] == "other"), i + 2
    return None


def _placing_verb(tokens: list[str], i: int) -> RelPhrase | None:
    """The relation a clause's verb at tokens[i] states between its subject and its object: "a
    quilt covers the bed" (on), "apples fill a crate" (inside), "a box contains toys" (the toys
    inside the box); None for any other verb or when no noun phrase follows."""
    lemma = english.verb_lemma(tokens[i])
    if lemma not in PLACING_VERBS or i + 1 >= len(tokens) or match_relation(tokens, i + 1) is not None:
        return None
    phrase, _ = parse_noun_phrase(tokens, i + 1)
    if not isinstance(phrase, NounPhrase) or phrase.pronoun is not None:
        return None
    if lemma in HOLDER_VERBS:
        return RelPhrase(PLACING_VERBS[lemma], kind="contents", after_verb=True)
    if lemma == "fill" and not english.is_container(phrase.head, senses=2):
        return RelPhrase("on")  # "books fill the shelves"
    return RelPhrase(PLACING_VERBS[lemma])


def _acts_on(lemma: str) -> bool:
    """Whether "VERB on X" acts on X rather than placing the subject on it: a verb of eating,
    making, writing or doing that is no posture ("chewing on", "typing on", "trying on";
    not "sitting on", "lying on", "walking on")."""
    return (english.verb_category(lemma) in english.ACTING_CATEGORIES | {_SOCIAL} and lemma not in lx.INTRANSITIVE_VERBS
            and not lx.FILLER_WORDS & {lemma, english.present_participle(lemma)})


def _predicate_verb(tokens: list[str], i: int, items: list[Item]) -> bool:
    """Whether tokens[i], right after a noun phrase, is that phrase's verb rather than a new
    noun: its form agrees with the subject (-s after one thing, the base form after several)
    and what follows starts a phrase or a place ("light filters through", "hands grip the net")."""
    if not items or not isinstance(items[-1], NounPhrase) or i + 1 >= len(tokens):
        return False
    if len(items) > 1 and isinstance(items[-2], (Rel, Prep, Action, Possessive)):
        return False  # only a clause's subject is followed by its verb here
    tok, subject = tokens[i], items[-1]
    lemma = english.verb_lemma(tok)
    if lemma is None or match_relation(tokens, i) is not None or subject.is_class:
        return False  # (a named class ends its phrase itself: "three dogs sit")
    if (subject.head not in lx.SETTING_NOUNS
            and english.has_noun_entry(f"{subject.surface or subject.head} {english.noun_lemma(tok)}")):
        return False  # "soda cans": a compound noun
    agrees = (tok == lemma + "s" or tok == lemma + "es") if not subject.plural else tok == lemma
    nxt = tokens[i + 1]
    follows = (nxt in _NOUN_PHRASE_OPENERS or nxt in lx.ATTACHING_PREPOSITIONS or match_relation(tokens, i + 1) is not None
               or nxt.endswith("ly") and english.is_adverb_only(nxt))
    return agrees and follows


def _contents_follow(tokens: list[str], end: int, phrase: NounPhrase) -> bool:
    """"a basket of bread", "a plate of cookies": a container or serving surface with what it
    holds after "of"; both are drawn, the contents in (or on) the container."""
    if end + 1 >= len(tokens) or tokens[end] != "of":
        return False
    if phrase.is_class:
        # of the classes, the open holders of solid things ("a vase of tulips"); a bottle of
        # perfume or a suitcase of clothes is drawn as the holder
        return phrase.head in ("bowl", "cup", "vase")
    return phrase.head in lx.SERVING_SURFACES or english.is_container(phrase.head)


# places on a thing ("the top of"), and parts WordNet lists as parts in a later sense only
_PORTION_PLACES = frozenset({"top", "bottom", "side", "edge", "corner", "middle", "center", "centre", "end", "front",
                             "back", "surface"})
_PORTION_PARTS = frozenset({"rim", "base", "foot", "head", "tip", "lip", "seat"})


def _portion_at(tokens: list[str], i: int) -> tuple[NounPhrase | None, int]:
    """"the top of", "one arm of", "the rim of" after a relation, and the index past its "of":
    "lounging across the top of a bookshelf", "draped over one arm of the chair" relate to the
    bookshelf and the chair. (None, i) when no such portion starts at i."""
    if i >= len(tokens):
        return None, i
    phrase, end = parse_noun_phrase(tokens, i)
    if (not isinstance(phrase, NounPhrase) or end + 1 >= len(tokens) or tokens[end] != "of" or phrase.pronoun
            or names_someone(tokens, end + 1) or _contents_follow(tokens, end, phrase)
            and not _part_of_next(tokens, end + 1, phrase)):
        # ("a bust of Albert Einstein" is the bust; "carrying two buckets of milk", "arguing over
        # a pot of soup": a container with its contents, not a part of them; "the open drawer
        # of a dresser" is the dresser's)
        return None, i
    head = phrase.surface.split()[-1] if phrase.surface else phrase.head
    if head in _PORTION_PLACES or head in _PORTION_PARTS or english.is_part(english.noun_lemma(head)):
        return phrase, end + 1
    if _part_of_next(tokens, end + 1, phrase):
        return phrase, end + 1  # "the engine of a red truck": WordNet makes it the truck's
    return None, i


def _past_complement(tokens: list[str], i: int) -> int:
    """After a verb of posture, a bare singular noun is its complement, not a thing: "stands
    guard at the gate", "keeps watch", "lies face down" (an inverted subject has its article:
    "above the sofa hangs a clock"). The index past it, or `i`."""
    lemma = english.verb_lemma(tokens[i - 1])
    if lemma not in lx.INTRANSITIVE_VERBS or i >= len(tokens) or tokens[i] in _NOUN_PHRASE_OPENERS:
        return i
    phrase, end = parse_noun_phrase(tokens, i)
    if (isinstance(phrase, NounPhrase) and phrase.determiner == "none" and not phrase.plural and phrase.count is None
            and phrase.pronoun is None and not phrase.modifiers and end == i + 1
            and (end >= len(tokens) or tokens[end] in lx.ATTACHING_PREPOSITIONS or tokens[end] in lx.HARD_BOUNDARIES
                 or tokens[end] in lx.CLAUSE_BREAKERS or match_relation(tokens, end) is not None)):
        return end
    return i


def _past_depiction(tokens: list[str], i: int, action: Action) -> int:
    """"taking a picture of a bride", "sketching a portrait of a horse": the action is aimed at
    what the picture shows, which the predicate names ("taking a picture of"); the index of
    that thing's phrase (`i` itself when no depiction "of" something starts there)."""
    phrase, end = parse_noun_phrase(tokens, i)
    if (not isinstance(phrase, NounPhrase) or phrase.head not in lx.DEPICTION_NOUNS or phrase.pronoun
            or end + 1 >= len(tokens) or tokens[end] != "of" or len(action.predicate.split()) + end - i + 1 > 4):
        return i
    action.predicate = " ".join([action.predicate, *tokens[i:end], "of"])
    return end + 1


def _part_of_next(tokens: list[str], i: int, part: NounPhrase) -> bool:
    """Whether the noun phrase at tokens[i] names a whole WordNet makes `part` a part of."""
    owner, _ = parse_noun_phrase(tokens, i)
    head = part.surface.split()[-1] if part.surface else part.head
    return (isinstance(owner, NounPhrase) and owner.pronoun is None
            and english.is_part_of(english.noun_lemma(head), owner.head, strict=True))


def scan(tokens: list[str]) -> list[Item]:
    items: list[Item] = []
    i = 0
    n = len(tokens)
    portions: dict[int, str] = {}  # item index -> a part of it a relation named first ("one arm" of the chair)
    verb_seen = False  # the current clause has its finite verb
    while i < n:
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
        if (tok in lx.HARD_BOUNDARIES or tok in lx.CLAUSE_BREAKERS) and tok != "whose":
            if tok in ("and", "&") and items and isinstance(items[-1], Rel):
                i += 1  # "to the left and ..." keeps its relation open
                continue
            items.append(Break(tok))
            verb_seen = False
            i += 1
            continue
        rel = match_relation(tokens, i)
        if rel is not None:
            phrase, end = rel
            if phrase.kind == "owner_before" and len(items) >= 2 and isinstance(items[-2], Rel) \
                    and items[-2].phrase.predicate in ("on", "near", "inside") and isinstance(items[-1], NounPhrase):
                del items[-2]  # "on the bench's left": the "on" belonged to the side phrase
            phrase.after_verb = i > 0 and english.verb_lemma(tokens[i - 1]) in LINKING_VERBS
            if tok == "into" and i > 0 and english.verb_category(english.verb_lemma(tokens[i - 1]) or "") == _MOTION:
                phrase.needs_class_object = False  # "flying into the goal": whatever it moves into
            items.append(Rel(phrase))
            portion, i = _portion_at(tokens, end)
            if portion is not None and portion.head not in _PORTION_PLACES:
                portions[len(items)] = portion.text()
            continue
        if tok in ("'s", "whose"):
            items.append(Possessive(tok))
            i += 1
            continue
        if tok in ("each", "every", "all") and items and isinstance(items[-1], Break) and _measure_follows(tokens, i + 1):
            i += 1  # "eight candles on a cake, each about 3 inches tall": the size of what the sentence is about
            continue
        infinitive = _infinitive_at(tokens, i)
        if infinitive and _purpose_infinitive(tokens, i, items):
            # "a wall built to keep invaders out": what a thing is for is not in the picture
            i += 2
            while i < n and tokens[i] not in lx.HARD_BOUNDARIES and match_relation(tokens, i) is None:
                i += 1
            continue
        finite = not infinitive and _finite_verb_at(tokens, i, items, verb_seen)
        action = _object_infinitive(tokens, i, items) if infinitive else _action_at(tokens, i, items, finite=finite)
        if finite:
            verb_seen = True
            if action is None:
                placing = _placing_verb(tokens, i)
                if placing is not None:
                    items.append(Rel(placing))  # "a quilt covers the bed": on it
                i += 1  # "paper lanterns hang above the stall": the clause's verb, no object
                i = _past_complement(tokens, i)
                continue
        if action is not None:
            items.append(action[0])
            i = action[1]
            i = _past_depiction(tokens, i, action[0])
            portion, i = _portion_at(tokens, i)
            if portion is not None and portion.head not in _PORTION_PLACES:
                portions[len(items)] = portion.text()  # "repairing the engine of a truck": the truck
            phrase_item, end = parse_noun_phrase(tokens, i)
            if isinstance(phrase_item, Adjectives) and english.has_noun_entry(english.noun_lemma(phrase_item.words[-1])):
                # "drinking coffee", "catching a salmon": after a verb the colour-like word is a noun
                items.append(noun_of(phrase_item))
                i = end
            elif phrase_item is None and i < n and tokens[i] in lx.SETTING_NOUNS:
                action[0].dropped_object = True  # "spraying water on ..."
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
        if _predicate_verb(tokens, i, items):
            i += 1  # "soft light filters through the trees", "his hands grip the net": the verb
            continue
        phrase_item, end = parse_noun_phrase(tokens, i)
        if isinstance(phrase_item, NounPhrase) and _ends_in_verb(tokens, i, end, phrase_item, items, verb_seen):
            end -= 1  # "a waiter plates a steak", "behind the counter ladles soup": the verb, not a noun
            phrase_item, end = parse_noun_phrase(tokens[:end], i)
        elif isinstance(phrase_item, NounPhrase):
            verb_at = _verb_inside(tokens, i, end, items, verb_seen)
            if verb_at is not None:
                # "a chef in a white hat chops onions": the subject's verb, read into the phrase
                phrase_item, end = parse_noun_phrase(tokens[:verb_at], i)
        if isinstance(phrase_item, Measure):
            items.append(phrase_item)
            i = end
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
        if tok in ("has", "have", "having") and not (i + 1 < n and tokens[i + 1] in ("been", "got", "to")):
            verb_seen = True
            items.append(Prep(tok))  # "a cow that has a pink nose": what follows belongs to it
        elif tok in lx.ATTACHING_PREPOSITIONS and not (tok == "to" and i + 1 < n and tokens[i + 1] in LINKING_VERBS):
            # ("happens to be blue": "to" before a linking verb attaches nothing)
            items.append(Prep(tok))
        i = max(end, i + 1)
    for index, text in portions.items():
        if index < len(items) and isinstance(items[index], NounPhrase):
            items[index].portion = text  # type: ignore[union-attr]
    return items
