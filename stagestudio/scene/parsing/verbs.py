"""Action verbs for the scan: a verb with its object ("riding a horse", "arguing over a pot"),
its particle, and the infinitives and complements around it."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.clauses import (
    NOUN_PHRASE_OPENERS,
    clause_subject,
    follows_subject_aside,
)
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import (
    Action,
    Adjectives,
    Break,
    Item,
    NounPhrase,
    Possessive,
    Prep,
    Rel,
)
from stagestudio.scene.parsing.phrase_endings import RECIPROCALS
from stagestudio.scene.parsing.phrase_quantities import measurement_at
from stagestudio.scene.parsing.phrases import parse_noun_phrase
from stagestudio.scene.parsing.relations import PLACING_VERBS, match_relation
from stagestudio.scene.parsing.words import is_number, is_verb_form

MOTION = 38  # WordNet's verb.motion (the lexicographer file of a verb's first sense): fly, roll, dive
# verb.communication, verb.competition, verb.emotion: what such a verb is "over" is what it is
# about ("arguing over", "fighting over", "fussing over"), where a motion verb flies over a place
_DISPUTING = frozenset({32, 33, 37})
_SOCIAL = 41  # verb.social: "trying on a hat", "working on a bike" act on it (not a posture on it)
_CONTACT = 35  # verb.contact: "tugging on a rope", "tapping on a window" (its postures are intransitive)
# verb.communication and verb.creation: "writing", "jotting", "sketching", "drawing" in a book
_WRITING = frozenset({32, 36})
_PERCEPTION = 39  # verb.perception: "looking through a microscope", "peering out through a grille"
# what a verb of seeing looks through or out of is what it looks at (not a place the looker is in)
# what a verb leaves its object (closed class): "prying open a crate", "kicking shut a door"
_LEFT_STATES = frozenset({"open", "shut"})
_SIGHT_LINES = frozenset({"through", "into", "out"})


def action_at(tokens: list[str], i: int, items: list[Item], *, finite: bool = False) -> tuple[Action, int] | None:
    """An action verb at tokens[i] with its object after it: "riding a horse", "holds a red
    umbrella", "looking at the moon" -> (Action("riding"), index of the object phrase).

    Only -ing forms and, with `finite`, the clause's own verb count (a past participle is passive
    or an adjective: "a parked car", "painted blue"); the verb must follow a noun phrase in its
    sentence, and what follows it must open a noun phrase, not a relation ("sitting on a bench"
    is the spatial "on"). A verb whose first WordNet senses take no object acts on nothing."""
    tok = tokens[i]
    finite = finite or _joined_verb(tokens, i, items)
    if i > 0 and tokens[i - 1].endswith("ing") and is_verb_form(tokens[i - 1]) and "ADV" in english.parts_of_speech(tok):
        return None  # "sledding down a hill": the particle of the verb before, no verb of its own
    # "Holding a pair of tweezers, he sets ...": its object has an article ("Gaming chair, ..." is a noun)
    fronted = not items and tok.endswith("ing") and i + 1 < len(tokens) and tokens[i + 1] in NOUN_PHRASE_OPENERS
    if (not (finite or tok.endswith(("ing", "s"))) or not fronted and (
            not any(isinstance(item, NounPhrase) for item in items) or isinstance(items[-1], (Rel, Prep, Possessive, Action)))):
        return None
    lemma = english.verb_lemma(tok)
    if lemma is None or lemma == tok and not finite or lemma in lx.INTRANSITIVE_VERBS and not _moves_someone(
            tokens, i, items, lemma, finite) and not _goes_past(tokens, i, lemma):
        return None
    if not tok.endswith("ing") and english.verb_category(lemma) is None and english.has_noun_entry(english.noun_lemma(tok)):
        return None  # "presses rice into small ovals": a plural noun WordNet knows no verb of
    if lemma in _MEASURING_VERBS and measure_follows(tokens, i + 1):
        return None
    followed_by_determiner = i + 1 < len(tokens) and tokens[i + 1] in NOUN_PHRASE_OPENERS
    # "building" is a noun, except in "building a sandcastle" (or, after someone, with its
    # particle or object: "a man working on a motorcycle", "a boy writing notes in a notebook")
    particle_follows = i + 1 < len(tokens) and (tokens[i + 1] in lx.ACTION_PARTICLES or tokens[i + 1] == "on")
    object_follows = i + 1 < len(tokens) and isinstance(parse_noun_phrase(tokens, i + 1)[0], NounPhrase)
    if not finite and not is_verb_form(tok) and not (tok.endswith("ing") and (
            followed_by_determiner or (particle_follows or object_follows) and _agent_before(items))):
        return None
    clause = items[max((k for k, item in enumerate(items) if isinstance(item, Break)), default=-1) + 1:]
    if clause and isinstance(clause[0], Rel) and (finite or not any(isinstance(item, NounPhrase) for item in clause[2:])
                                                   and not follows_subject_aside(items, len(items) - len(clause))):
        # "Underneath a green umbrella stands a hydrant": an inverted sentence, whose verb is
        # no action; a participle after the place acts ("On a bench sits a man holding a paper",
        # "The pilot, in a jacket, kneels on a float tightening a rope")
        return None
    j = i + 1
    while j + 1 < len(tokens) and _is_adverb(tokens[j]):
        j += 1  # "chewing contentedly on a ball"
    particle = ""
    if j < len(tokens) and tokens[j] == "into" and english.verb_category(lemma) == MOTION:
        return None  # "a ball flying into the goal": a movement into a place, so "inside" it
    if (j < len(tokens) and tokens[j] in lx.ACTION_PARTICLES and not infinitive_at(tokens, j)
            and lemma != "be"):  # ("the lamp is to its right": a place, no action)
        particle, j = tokens[j], j + 1
    elif j + 1 < len(tokens) and tokens[j] in _SIGHT_LINES and english.verb_category(lemma) == _PERCEPTION \
            and _agent_before(items):
        particle, j = _sight_line(tokens, j)  # "looking through a microscope", "peering out of a window"
    elif lemma == "ride" and j + 1 < len(tokens) and tokens[j] in _RIDDEN_ON:
        # "a cat rides on top of it", "riding in a canoe": what one rides is ridden, so the place
        # word is no relation (riding already says where the rider is)
        j += 3 if tokens[j] == "on" and tuple(tokens[j + 1:j + 3]) == ("top", "of") else 1
    elif j < len(tokens) and tokens[j] == "on" and _acts_on(lemma):
        particle, j = "on", j + 1  # "chewing on a ball", "typing on a laptop"; "sitting on a ball" is a place
    elif j < len(tokens) and tokens[j] == "from" and english.verb_category(lemma) == english.CONSUMPTION:
        particle, j = "from", j + 1  # "drinking from a bottle"
    elif (j < len(tokens) and tokens[j] == "past" and tok.endswith("ing") and english.verb_category(lemma) == MOTION
          and _agent_before(items)):  # (a finite "rides past a cow standing by ..." leaves the cow its own clause)
        particle, j = "past", j + 1  # "drifting past a diver", "walking past a shop": no place of the eleven
    elif j + 1 < len(tokens) and tokens[j] == "in" and english.verb_category(lemma) in _WRITING \
            and _has_pages(parse_noun_phrase(tokens, j + 1)[0]):
        particle, j = "in", j + 1  # "writing in a notebook", "sketching in a journal": the pages written on
    elif j < len(tokens) and tokens[j] in ("over", "about") and english.verb_category(lemma) in _DISPUTING:
        particle, j = tokens[j], j + 1  # "arguing over a pot", "fussing over a baby": its cause, not a place
    elif j + 1 < len(tokens) and tokens[j] in _LEFT_STATES and (tokens[j + 1] in NOUN_PHRASE_OPENERS
                                                           or is_number(tokens[j + 1])):
        particle, j = tokens[j], j + 1  # "prying open an oyster": the state the object is left in
    elif (j + 1 < len(tokens) and tokens[j] == "down" and tokens[j + 1] in NOUN_PHRASE_OPENERS
          and english.verb_category(lemma) not in (MOTION, _PERCEPTION) and not english.only_intransitive(lemma)
          and _agent_before(items) and not _portion_follows(tokens, j + 1)):
        # "hosing down a truck", "wiping down the counter", "pinning down a tarp": someone's verb
        # that moves nothing along a way takes "down" as its particle, where "walking down the
        # road" and "looking down the well" follow a way ("wiping down the back of a client" is
        # the statistical parse's: arc_relations.unread_actions)
        particle, j = "down", j + 1
    elif j + 1 < len(tokens) and tokens[j] in ("out", "up", "off") and (
            tokens[j + 1] in NOUN_PHRASE_OPENERS or is_number(tokens[j + 1])
            or isinstance(parse_noun_phrase(tokens, j + 1)[0], NounPhrase)):
        j += 1  # "blowing out the candles", "picking up a ball": the particle names no relation
    elif lemma in lx.NON_ACTION_VERBS and not (_doer_before(items, lemma, finite) and lemma not in _STATIVE_VERBS) \
            or english.only_intransitive(lemma) and not _agent_acts_on_thing(tokens, j, items, finite):
        # ("the earth glows orange": no sense of "glow" takes an object; "a photo showing a cat"
        # shows, where "a toddler stacking blocks" acts)
        return None
    if tuple(tokens[j:j + 2]) in RECIPROCALS:
        # "an umpire and a manager yelling at each other": each acts on the other
        return Action(english.present_participle(lemma) + (f" {particle}" if particle else ""),
                      fronted=fronted, mutual=True), j + 2
    if j >= len(tokens) or match_relation(tokens, j) is not None:
        return None
    nxt = tokens[j]
    opens = (nxt in NOUN_PHRASE_OPENERS or is_number(nxt) or nxt in lx.PRONOUNS_SINGULAR
             or nxt in lx.PRONOUNS_PLURAL or nxt in lx.PRONOUNS_PERSON or nxt == "her")
    if not opens:
        phrase, _ = parse_noun_phrase(tokens, j)
        # ("spraying water on a car": a setting word may be what the verb acts on; "drinking
        # coffee": so may a colour-like noun)
        opens = (isinstance(phrase, NounPhrase) or nxt in lx.SETTING_NOUNS and english.has_noun_entry(nxt)
                 or isinstance(phrase, Adjectives) and english.has_noun_entry(english.noun_lemma(phrase.words[-1]))
                 or undrawn_plural_at(tokens, j))
    if not opens:
        return None
    predicate = english.present_participle(lemma) + (f" {particle}" if particle else "")
    return Action(predicate, fronted=fronted, finite=not tok.endswith("ing")), j


def passive_agent_at(tokens: list[str], i: int, items: list[Item]) -> tuple[Action | None, int] | None:
    """A past participle with someone after "by": "a plow guided by an old farmer", "the bagpipes,
    played by a man in a kilt" -> (Action("guiding", passive=True), index of the agent's phrase).
    Only a person or an animal acts so ("lit by a lamp", "surrounded by trees" say where); after
    an action verb with another thing after "by", (None, index of "by"): the participle is skipped."""
    # ("held together by two pins", "propped up by bricks": a phrasal verb keeps its particle)
    particle = tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1] in _PASSIVE_PARTICLES else ""
    by = i + 2 if particle else i + 1
    if not (by + 1 < len(tokens) and tokens[by] == "by" and english.is_past_participle(tokens[i])
            and any(isinstance(item, NounPhrase) for item in items)):
        return None
    lemma = english.verb_lemma(tokens[i])
    if lemma is None or lemma in lx.NON_ACTION_VERBS or lemma in _STATIVE_VERBS or lemma in lx.INTRANSITIVE_VERBS:
        return None
    agent, _ = parse_noun_phrase(tokens, by + 1)
    # (a noun the lexicon lacks after "by" is taken for someone: "armor worn by Greek hoplites";
    # a thing does a phrasal verb's work: "a shelf held up by two brackets" is held by them, where
    # "lit by a lamp" only says where the light comes from)
    if not (isinstance(agent, NounPhrase) and (agent.pronoun == "person" or agent.head == "person"
                                               or english.is_animate(agent.head) or agent.kind == NounKind.UNKNOWN
                                               or particle and (agent.is_class or agent.kind in (NounKind.THING, NounKind.WEAK)))):
        return None, by
    return Action(english.present_participle(lemma) + (f" {particle}" if particle else ""), passive=True), by + 1


# the prepositions before what one rides, a closed class
_RIDDEN_ON = frozenset({"on", "in", "aboard", "atop", "inside"})


# the particles of phrasal verbs that come before "by" in a passive, a closed class
_PASSIVE_PARTICLES = frozenset({"up", "down", "together", "back", "open", "shut", "off", "out", "apart", "in"})


def clause_opening_as(tokens: list[str], i: int) -> bool:
    """"as" that opens a clause with its own subject and verb ("laughs as the groom feeds her",
    "as a heron lands on the rail"): a clause break, where "dressed as a pirate" names a likeness."""
    if tokens[i] != "as" or i + 1 >= len(tokens) or tokens[i + 1] not in NOUN_PHRASE_OPENERS:
        return False
    phrase, end = parse_noun_phrase(tokens, i + 1)
    if not isinstance(phrase, NounPhrase):
        return False
    end = _past_modifiers(tokens, end)
    return end < len(tokens) and english.is_finite_form(tokens[end], plural_subject=phrase.plural)


def _past_modifiers(tokens: list[str], j: int) -> int:
    """Where the verb of a subject that ends at `j` may stand: after the place or "with" phrases
    that describe it ("as a bidder in the back row raises a paddle", "as her brother with a red
    cap kicks a ball"), each a preposition and a determined noun phrase."""
    for _ in range(3):
        matched = match_relation(tokens, j) if j < len(tokens) else None
        after = matched[1] if matched is not None else (
            j + 1 if j < len(tokens) and tokens[j] in _DESCRIBING_PREPOSITIONS else None)
        if after is None or after >= len(tokens) or tokens[after] not in NOUN_PHRASE_OPENERS:
            return j
        phrase, end = parse_noun_phrase(tokens, after)
        if not isinstance(phrase, NounPhrase) or end <= after:
            return j
        j = end
    return j


# prepositions that describe the noun before them ("a boy with a cap", "a man at the counter")
_DESCRIBING_PREPOSITIONS = frozenset({"with", "at", "by", "from", "of"})


def undrawn_plural_at(tokens: list[str], j: int) -> bool:
    """A bare plural noun of nothing drawable right after an action verb ("writing notes in a
    notebook", "taking notes"): the verb's object, though a verb form would not open a phrase."""
    tok = tokens[j] if j < len(tokens) else ""
    lemma = english.noun_lemma(tok)
    return (tok.isalpha() and tok.endswith("s") and lemma != tok and english.has_noun_entry(lemma)
            and english.noun_kind(lemma) in (NounKind.ABSTRACT, NounKind.UNKNOWN))


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
    """Whether the phrase right before is someone who can act: a person or an animal (after a
    comma, the subject of the clause it ends: "a monk bends over a desk, painting a letter")."""
    last = items[-1] if items else None
    if isinstance(last, Break) and (last.word == "," or last.word == "and" and _verb_before(items[:-1])):
        # ("holds a clipboard and measures a seedling": the second verb has the first one's subject)
        last = clause_subject(items[:-1])
    elif isinstance(last, Break) and last.word in ("who", "that", "which"):
        last = clause_subject(items)  # "the old fisherman, who casts a net": the noun the clause is about
    return isinstance(last, NounPhrase) and (last.pronoun == "person" or last.head == "person"
                                             or english.is_animate(last.head))


def _doer_before(items: list[Item], lemma: str, finite: bool) -> bool:
    """Whether someone who can act does the verb: the phrase right before it, or for the clause's
    own verb its subject past what describes it ("a researcher in waders measures a trunk"; a
    verb that places, "a girl behind the rope covers her ears", stays a place)."""
    if _agent_before(items):
        return True
    subject = clause_subject(items) if finite and lemma not in PLACING_VERBS else None
    return isinstance(subject, NounPhrase) and _can_act(subject)


def _moves_someone(tokens: list[str], i: int, items: list[Item], lemma: str, finite: bool) -> bool:
    """A verb of posture that WordNet also gives an object, done by someone to a person or an
    animal named right after it: "a physio stretching a runner's hamstring", "a mother lays her
    baby in a cot" (where "a cat stretching on a rug" or "lies a few feet away" move no one)."""
    subject = clause_subject(items) if finite else items[-1] if items else None
    if finite and isinstance(items[-1] if items else None, (Rel, Prep)):
        return False  # ("Beside the gate stands a boy": an inverted clause)
    agent = isinstance(subject, NounPhrase) and (subject.pronoun == "person" or subject.head == "person"
                                                 or english.is_animate(subject.head))
    if not agent or english.only_intransitive(lemma) or i + 1 >= len(tokens):
        return False
    phrase, _ = parse_noun_phrase(tokens, i + 1)
    return isinstance(phrase, NounPhrase) and phrase.pronoun is None and phrase.determiner != "none" and (
        phrase.head == "person" or english.is_animate(phrase.head))


def _joined_verb(tokens: list[str], i: int, items: list[Item]) -> bool:
    """A verb's -s form right after "and", with its object's article or possessive after it: a
    second verb of the clause's subject ("leans over a student and steadies her bowl"), as no
    plural noun stands between "and" and an article."""
    return (bool(items) and isinstance(items[-1], Break) and items[-1].word == "and" and tokens[i].endswith("s")
            and i + 1 < len(tokens) and tokens[i + 1] in NOUN_PHRASE_OPENERS
            and any(isinstance(item, NounPhrase) for item in items)
            and english.is_finite_form(tokens[i], plural_subject=False) and not english.plural_is_itself(tokens[i]))


def _verb_before(items: list[Item]) -> bool:
    """Whether the clause that ends `items` has an action verb with its object."""
    start = max((k for k, item in enumerate(items) if isinstance(item, Break)), default=-1) + 1
    return any(isinstance(item, Action) for item in items[start:]) and isinstance(items[-1], NounPhrase)


def _agent_acts_on_thing(tokens: list[str], j: int, items: list[Item], finite: bool) -> bool:
    """Whether someone uses a verb WordNet only knows without an object on a thing named with
    its article right after it: "a woman pedals a bicycle", "a boy paddles a canoe" (where "the
    earth glows orange" has no article and no agent)."""
    subject = clause_subject(items) if finite else items[-1] if items else None
    agent = isinstance(subject, NounPhrase) and (subject.pronoun == "person" or subject.head == "person"
                                                 or english.is_animate(subject.head))
    if not agent or j >= len(tokens) or tokens[j] not in NOUN_PHRASE_OPENERS:
        return False
    phrase, _ = parse_noun_phrase(tokens, j)
    return isinstance(phrase, NounPhrase) and (phrase.is_class or phrase.kind == NounKind.THING)


def measure_follows(tokens: list[str], j: int) -> bool:
    """A measurement starts at tokens[j], after adverbs ("about", "roughly") or "measuring"."""
    while j < len(tokens) and (tokens[j] in lx.FILLER_WORDS or english.is_adverb_only(tokens[j])
                               or english.verb_lemma(tokens[j]) == "measure"):
        j += 1
    return j < len(tokens) and measurement_at(tokens, j) > j


def infinitive_at(tokens: list[str], i: int) -> bool:
    """"to" before a verb's base form: "built to keep", "teaching his son to ride"."""
    if i + 1 >= len(tokens) or tokens[i] != "to":
        return False
    nxt = tokens[i + 1]
    # (a word that is also a thing's name is a verb when an object follows it: "to spear a
    # fish", "to photograph a whale")
    return english.verb_lemma(nxt) == nxt and (english.noun_kind(nxt) != NounKind.THING or (
        i + 2 < len(tokens) and tokens[i + 2] in NOUN_PHRASE_OPENERS))


def object_infinitive(tokens: list[str], i: int, items: list[Item]) -> tuple[Action, int] | None:
    """"to ride a bike" right after the object of an action, when that object can act (a person
    or an animal: "helping her daughter to carry a box") or the verb is one WordNet gives the
    frame "somebody ----s somebody to INFINITIVE" ("teach"): the object's own action."""
    actions = [item for item in items if isinstance(item, Action)]
    if not actions or not isinstance(items[-1], NounPhrase) or items[-2] is not actions[-1]:
        return purpose_of_someone(tokens, i, items)
    lemma = english.verb_lemma(actions[-1].predicate.split()[0])
    obj = items[-1]
    if lemma is None or not (_can_act(obj) or english.takes_object_and_infinitive(lemma)):
        return purpose_of_someone(tokens, i, items)
    found = action_at(tokens, i + 1, items, finite=True)
    if found is None:
        return None
    found[0].infinitive = True
    return found


def _portion_follows(tokens: list[str], j: int) -> bool:
    """Whether the noun phrase at `j` names a portion of what follows "of" ("the back of a client")."""
    _, end = parse_noun_phrase(tokens, j)
    return end < len(tokens) and tokens[end] == "of"


def _can_act(np_: NounPhrase) -> bool:
    return np_.pronoun == "person" or np_.head == "person" or english.is_animate(np_.head)


def purpose_of_someone(tokens: list[str], i: int, items: list[Item]) -> tuple[Action, int] | None:
    """"diving to catch the ball", "climbing down a scaffold to inspect the rudder", "winds up to
    throw a ball": an infinitive with an object after what someone does says what they do it
    for, and they do it (the clause's subject: someone, or an animal, who can act)."""
    clause = items[max((k for k, item in enumerate(items) if isinstance(item, Break)), default=-1) + 1:]
    subjects = [item for item in clause if isinstance(item, NounPhrase)]
    if not subjects or not _can_act(subjects[0]) or any(isinstance(item, Action) for item in clause):
        return None
    return action_at(tokens, i + 1, items, finite=True)


# verbs whose object's action follows as a bare infinitive: "helping her father wash the car",
# "watching his son climb a tree", "letting a dog lick a plate" (a closed class of English)
_BARE_INFINITIVE_VERBS = frozenset({"help", "let", "make", "watch", "see", "hear", "have"})


def bare_infinitive(tokens: list[str], i: int, items: list[Item]) -> tuple[Action, int] | None:
    """A verb's base form right after the living object of one of those verbs: that object's own
    action ("helping mum knead dough": mum kneads)."""
    actions = [item for item in items if isinstance(item, Action)]
    if (not actions or len(items) < 2 or items[-2] is not actions[-1] or not isinstance(items[-1], NounPhrase)
            or english.verb_lemma(actions[-1].predicate.split()[0]) not in _BARE_INFINITIVE_VERBS
            or english.verb_lemma(tokens[i]) != tokens[i]):
        return None
    obj = items[-1]
    if not (obj.pronoun == "person" or obj.head == "person" or english.is_animate(obj.head)):
        return None
    found = action_at(tokens, i, items, finite=True)
    if found is not None:
        found[0].infinitive = True
    return found


def purpose_infinitive(tokens: list[str], i: int, items: list[Item]) -> bool:
    """"built to keep", "designed to hold": an infinitive after a past participle says what a
    thing is for."""
    return i > 0 and bool(items) and english.is_past_participle(tokens[i - 1])


def _sight_line(tokens: list[str], j: int) -> tuple[str, int]:
    """The particle of a verb of seeing at tokens[j] and the index past it: "through", "into",
    "out of", "out through"."""
    if tokens[j] == "out" and j + 1 < len(tokens) and tokens[j + 1] in ("of", "through", "from", "at"):
        return f"out {tokens[j + 1]}", j + 2
    return tokens[j], j + 1


def _acts_on(lemma: str) -> bool:
    """Whether "VERB on X" acts on X rather than placing the subject on it: a verb of eating,
    making, writing, doing or touching that is no posture ("chewing on", "typing on", "trying
    on", "tugging on"; not "sitting on", "lying on", "walking on")."""
    category = english.verb_category(lemma)
    return ((category in english.ACTING_CATEGORIES | {_SOCIAL}
             or category == _CONTACT and not english.only_intransitive(lemma))
            and lemma not in lx.INTRANSITIVE_VERBS
            and not lx.FILLER_WORDS & {lemma, english.present_participle(lemma)})


def past_complement(tokens: list[str], i: int) -> int:
    """After a verb of posture, a bare singular noun is its complement, not a thing: "stands
    guard at the gate", "keeps watch", "lies face down" (an inverted subject has its article:
    "above the sofa hangs a clock"). The index past it, or `i`."""
    lemma = english.verb_lemma(tokens[i - 1])
    if lemma not in lx.INTRANSITIVE_VERBS or i >= len(tokens) or tokens[i] in NOUN_PHRASE_OPENERS:
        return i
    phrase, end = parse_noun_phrase(tokens, i)
    if (isinstance(phrase, NounPhrase) and phrase.determiner == "none" and not phrase.plural and phrase.count is None
            and phrase.pronoun is None and not phrase.modifiers and end == i + 1
            and (end >= len(tokens) or tokens[end] in lx.ATTACHING_PREPOSITIONS or tokens[end] in lx.HARD_BOUNDARIES
                 or tokens[end] in lx.CLAUSE_BREAKERS or match_relation(tokens, end) is not None)):
        return end
    return i


def past_depiction(tokens: list[str], i: int, action: Action) -> int:
    """"taking a picture of a bride", "sketching a portrait of a horse": the action is aimed at
    what the picture shows, which the predicate names ("taking a picture of"); the index of
    that thing's phrase (`i` itself when no depiction "of" something starts there)."""
    phrase, end = parse_noun_phrase(tokens, i)
    if (not isinstance(phrase, NounPhrase) or phrase.head not in lx.DEPICTION_NOUNS or phrase.pronoun
            or end + 1 >= len(tokens) or tokens[end] != "of" or len(action.predicate.split()) + end - i + 1 > 4):
        return i
    action.predicate = " ".join([action.predicate, *tokens[i:end], "of"])
    return end + 1


def _goes_past(tokens: list[str], i: int, lemma: str) -> bool:
    """"drifting past a diver", "strolling past a kiosk": a motion right before "past" relates the
    mover to what it passes, which none of the eleven places says."""
    return (i + 1 < len(tokens) and tokens[i + 1] == "past" and tokens[i].endswith("ing")
            and english.verb_category(lemma) == MOTION)


def _has_pages(phrase: object) -> bool:
    """A notebook, a diary, a sketchbook: a document, or a thing WordNet gives a book's parts
    (its pages), so that one writes in it rather than stands in it."""
    if not isinstance(phrase, NounPhrase):
        return False
    head = english.noun_lemma(phrase.surface.split()[-1]) if phrase.surface else phrase.head
    senses = english.noun_senses(head)
    return english.is_document(head) or bool(senses) and bool(senses[0].wholes & english.noun_senses("book")[0].wholes)
