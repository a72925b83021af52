"""Clause structure for the scan: a clause's subject, and which word is its finite verb rather
than a noun ("the cook behind the counter ladles soup", "her colleague sprays the next tray")."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
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
from stagestudio.scene.parsing.phrases import parse_noun_phrase
from stagestudio.scene.parsing.relations import (
    HOLDER_VERBS,
    PLACING_VERBS,
    RelPhrase,
    match_relation,
)
from stagestudio.scene.parsing.tagging import tag_sentence
from stagestudio.scene.parsing.words import is_attribute_word, is_number

NOUN_PHRASE_OPENERS = lx.INDEFINITE_DETERMINERS | lx.DEFINITE_DETERMINERS | lx.POSSESSIVE_PRONOUNS


def follows_subject_aside(items: list[Item], start: int) -> bool:
    """Whether the clause at items[start:] follows the sentence's subject and one aside between
    commas ("The pilot, in a leather jacket, kneels on ...", "The shepherd, with a staff, stands
    on ...", "The carpenter, wearing an apron, planes ..."), the subject perhaps after a fronted
    place ("Behind the counter, the owner, a bearded man, bags ..."): its verb comes first."""
    s = _subject_after_fronted_place(items)
    return (start >= s + 4 and isinstance(items[s], NounPhrase) and isinstance(items[s + 1], Break)
            and items[s + 1].word == ","  # type: ignore[union-attr]
            and (isinstance(items[s + 2], (Rel, Prep, Action))
                 # ("Her lab partner, a boy with curly hair, stands ...": an apposition)
                 or isinstance(items[s + 2], NounPhrase) and items[s + 2].determiner == "indefinite"
                 and not items[s + 2].plural)  # type: ignore[union-attr]
            and isinstance(items[start - 1], Break) and items[start - 1].word == ","  # type: ignore[union-attr]
            and not any(isinstance(item, Break) and item.word not in ("and", "&") for item in items[s + 2:start - 1]))


def _subject_after_fronted_place(items: list[Item]) -> int:
    """Where the sentence's subject stands: after a place phrase that opens the sentence and its
    comma ("Behind the counter, the owner ..."), else first."""
    fronted = (len(items) > 3 and isinstance(items[0], Rel) and isinstance(items[1], NounPhrase)
               and isinstance(items[2], Break) and items[2].word == ",")
    return 3 if fronted else 0


def clause_subject(items: list[Item]) -> NounPhrase | None:
    """The current clause's subject so far: its first noun phrase that no relation, preposition,
    action or possessive introduces ("the cook" in "the cook behind it ..."); None when the
    clause opened otherwise ("Behind him, ...") or has none yet."""
    start = max((k for k, item in enumerate(items) if isinstance(item, Break)), default=-1) + 1
    clause = items[start:]
    relative = start >= 2 and items[start - 1].word in ("that", "which", "who")  # type: ignore[union-attr]
    # ("the old fisherman, who mends a net": the same after a comma)
    noun_at = start - 3 if relative and start >= 3 and isinstance(items[start - 2], Break) \
        and items[start - 2].word == "," else start - 2  # type: ignore[union-attr]
    if relative and isinstance(items[noun_at], NounPhrase) and not any(isinstance(item, NounPhrase) for item in clause):
        return items[noun_at]  # "the fruit that keeps ...": the relative clause is about the noun before it
    if not clause and follows_subject_aside(items, start):
        s = _subject_after_fronted_place(items)
        return items[s] if isinstance(items[s], NounPhrase) else None  # "The carpenter, wearing an apron, planes ..."
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


def finite_verb_at(tokens: list[str], i: int, items: list[Item], verb_seen: bool) -> bool:
    """Whether tokens[i] is the finite verb of a clause that has its subject but no verb yet: a
    verb form that agrees with the subject in number ("the cook behind it ladles broth", "a
    sofa faces it", "two line cooks stir flaming pans") and is no relation word. Agreement is
    what tells "ladles" the verb from "ladles" the spoons."""
    tok = tokens[i]
    if verb_seen or not tok.isalpha() or tok in ("has", "have", "had", "having") or tok in NOUN_PHRASE_OPENERS:
        return False
    k = next((k for k in range(i - 1, max(i - 4, -1), -1) if tokens[k] in ("has", "have", "had")), None)
    if k is not None and perfect_participle(tokens, k) == i:
        # "a beekeeper has opened the hive": the participle is the clause's verb
        return clause_subject(items) is not None and not isinstance(items[-1], (Rel, Prep, Possessive, Action))
    subject = clause_subject(items)
    if subject is None or match_relation(tokens, i) is not None or isinstance(items[-1], (Rel, Prep, Possessive, Action)):
        return False
    plural = not subject.member and (subject.plural or (subject.count or 1) > 1 or subject.pronoun == "they"
                                     or _coordinated(items, subject))
    # "a row of potted herbs lines the sill", "a stack of books sits": a collection takes either
    collection = subject.plural and subject.determiner == "indefinite" and subject.count is None
    return english.is_finite_form(tok, plural_subject=plural) or collection and english.is_finite_form(
        tok, plural_subject=False)


def perfect_tense(tokens: list[str], i: int) -> bool:
    """Whether the "has" at `i` makes a perfect tense ("a beekeeper has opened the middle hive")."""
    return perfect_participle(tokens, i) is not None


def perfect_participle(tokens: list[str], i: int) -> int | None:
    """The participle's index where the "has" at `i` makes a perfect tense: a past participle
    follows, past any adverbs, and what it acts on opens with a determiner or after a particle
    ("has picked up a shell"). A bare noun after it is what is had ("a robot that has folded
    arms"), and so is the participle the parse reads as describing the noun after."""
    tags = tag_sentence(tokens)
    if tags is not None and len(tags) != len(tokens):
        tags = None
    j = i + 1
    while j < len(tokens) and (english.is_adverb_only(tokens[j]) or tags is not None and tags[j].tag == "RB"):
        j += 1  # "has just opened"
    if j + 1 >= len(tokens) or not english.is_past_participle(tokens[j]):
        return None
    if tags is not None and (tags[i].dep != "aux" or tags[j].dep == "amod"):
        return None
    after = tokens[j + 1]
    if after in _PARTICLES and j + 2 < len(tokens):
        after = tokens[j + 2]
    return j if after in NOUN_PHRASE_OPENERS or is_number(after) else None


# particles a participle may carry before its object ("has picked up a shell")
_PARTICLES = frozenset({"up", "down", "out", "off", "on", "in", "over", "away", "back"})


def compound_verb_first(tokens: list[str], i: int) -> bool:
    """Whether tokens[i] is the first half of a compound verb written open, between its doer and
    the participle that carries the action ("a groomer blow drying a poodle", "two workers power
    washing a deck", "a cook stir frying noodles"): a verb whose noun is never a thing nor a group
    (a blow, power, a stir), after a noun and before an -ing verb with an object after it."""
    if not 0 < i < len(tokens) - 2 or not tokens[i - 1].isalpha() or not tokens[i + 1].endswith("ing"):
        return False
    word = tokens[i]
    if english.verb_lemma(word) != word or english.noun_kind(word) != NounKind.ABSTRACT:
        return False
    senses = english.noun_senses(word)
    if senses and senses[0].lexfile == _GROUP_FILE or english.is_people_group(word):
        return False  # "a sheep herd crossing a road", "a dance team rehearsing a routine"
    before = tokens[i - 1]
    if english.verb_lemma(tokens[i + 1]) is None or before in NOUN_PHRASE_OPENERS or english.is_adjective_only(before):
        return False  # ("the power washing", "a quick blow drying": a noun, the act)
    if english.has_noun_entry(f"{english.noun_lemma(before)} {word}"):
        return False  # "a kid on the ski lift dropping his mitten": a thing of two words
    nxt = tokens[i + 2]
    return nxt in NOUN_PHRASE_OPENERS or is_number(nxt) or isinstance(parse_noun_phrase(tokens, i + 2)[0], NounPhrase)


_GROUP_FILE = 14  # WordNet's noun.group


_SINGULAR_DETERMINERS = frozenset({"a", "an", "one", "this", "that", "each", "every", "another"})


def ends_in_verb(tokens: list[str], i: int, end: int, phrase: NounPhrase, items: list[Item], verb_seen: bool) -> bool:
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
    object_follows = nxt in NOUN_PHRASE_OPENERS or is_number(nxt) or isinstance(
        parse_noun_phrase(tokens, end)[0], NounPhrase)
    if not object_follows or match_relation(tokens, end) is not None:
        return False
    if not verb_seen and (not items or isinstance(items[-1], Break)) and _singular_noun(tokens[end - 2]) and (
            nxt in NOUN_PHRASE_OPENERS or is_number(nxt) or is_attribute_word(nxt)):
        # the phrase opens its clause, so it is the subject and the -s word after its singular
        # noun its verb: "her colleague sprays the next tray", "the blacksmith grips hot iron"
        return True
    subject = clause_subject(items)
    return (not verb_seen and subject is not None and not subject.plural and (subject.count or 1) == 1
            and isinstance(items[-1], (Rel, Prep)))


def verb_after_unread_subject(tokens: list[str], i: int, items: list[Item], verb_seen: bool) -> bool:
    """Whether tokens[i] is the clause's verb after a plural subject that was read as nothing
    to draw ("..., and low clouds cling to the slopes", "thin mists drift over the lake"): a
    bare verb form after a plural noun, before a place, an object or the end, is the verb, not
    a noun of its own (unless the two make a compound the dictionary knows)."""
    if verb_seen or i == 0 or items and not isinstance(items[-1], Break):
        return False
    verb, subject = tokens[i], tokens[i - 1]
    if not english.is_finite_form(verb, plural_subject=True) or english.is_finite_form(verb, plural_subject=False):
        return False
    singular = english.noun_lemma(subject)
    if (subject in NOUN_PHRASE_OPENERS or "NOUN" not in english.parts_of_speech(subject) or singular == subject
            or not english.has_noun_entry(singular) or english.has_noun_entry(f"{singular} {verb}")):
        return False
    if i + 1 == len(tokens):
        return True
    nxt = tokens[i + 1]
    return (match_relation(tokens, i + 1) is not None or nxt in NOUN_PHRASE_OPENERS or nxt in lx.ACTION_PARTICLES
            or nxt in lx.ATTACHING_PREPOSITIONS)


def _object_at(tokens: list[str], j: int) -> bool:
    """A noun phrase starts at tokens[j], or adjectives ending in a noun ("hot iron")."""
    phrase, _ = parse_noun_phrase(tokens, j)
    return isinstance(phrase, NounPhrase) or (
        isinstance(phrase, Adjectives) and english.has_noun_entry(english.noun_lemma(phrase.words[-1])))


def _singular_noun(word: str) -> bool:
    """A singular noun of a thing or a person that is no adjective ("colleague", "blacksmith")."""
    return (english.can_be_noun(word) and english.noun_lemma(word) == word and not is_attribute_word(word)
            and "ADJ" not in english.parts_of_speech(word)
            and not is_number(word) and word not in lx.NUMBER_WORDS  # ("three sports balls")
            and english.noun_kind(word) in (NounKind.THING, NounKind.WEAK, NounKind.PLACE))


def verb_inside(tokens: list[str], i: int, end: int, items: list[Item], verb_seen: bool) -> int | None:
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
    if not verb_seen and (not items or isinstance(items[-1], Break)):
        # the phrase opens its clause, so it is the subject: "a baker shapes dough", "the
        # blacksmith grips hot iron" (its singular noun, then an -s verb with an object)
        for m in range(i + 1, end - 1):
            tok, before = tokens[m], tokens[m - 1]
            if (tok.endswith("s") and english.is_finite_form(tok, plural_subject=False) and _singular_noun(before)
                    and not english.has_noun_entry(f"{before} {english.noun_lemma(tok)}")
                    and _object_at(tokens[:end], m + 1)):
                return m
    subject = clause_subject(items)
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


def placing_verb(tokens: list[str], i: int) -> RelPhrase | None:
    """The relation a clause's verb at tokens[i] states between its subject and its object: "a
    quilt covers the bed" (on), "apples fill a crate" (inside), "a box contains toys" (the toys
    inside the box); None for any other verb or when no noun phrase follows."""
    lemma = english.verb_lemma(tokens[i])
    if lemma not in PLACING_VERBS or i + 1 >= len(tokens) or match_relation(tokens, i + 1) is not None:
        return None
    phrase, _ = parse_noun_phrase(tokens, i + 1)
    if not isinstance(phrase, NounPhrase) or phrase.pronoun is not None:
        return None
    senses = english.noun_senses(phrase.head)
    if phrase.possessive is not None and senses and senses[0].lexfile == english.BODY:
        return None  # "a girl covers her ears": a gesture of one's own body, no place
    if lemma in HOLDER_VERBS:
        return RelPhrase(PLACING_VERBS[lemma], kind="contents", after_verb=True)
    if lemma == "fill" and not english.is_container(phrase.head, senses=2):
        return RelPhrase("on")  # "books fill the shelves"
    return RelPhrase(PLACING_VERBS[lemma])


def predicate_verb(tokens: list[str], i: int, items: list[Item]) -> bool:
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
    follows = (nxt in NOUN_PHRASE_OPENERS or nxt in lx.ATTACHING_PREPOSITIONS or match_relation(tokens, i + 1) is not None
               or nxt.endswith("ly") and english.is_adverb_only(nxt))
    return agrees and follows


def object_her_before_function_word(tokens: list[str], i: int, items: list[Item]) -> bool:
    """Whether "her" at `i`, after a relation, a verb or a preposition, is the object pronoun
    because a preposition or a clause word follows ("crouches in front of her with a camera",
    "sits beside her on the bench", "next to her while ..."): a possessive needs its noun next,
    and prepositions, which the dictionary of inflections does not list, are no nouns."""
    if tokens[i] != "her" or i + 1 >= len(tokens) or not items or not isinstance(items[-1], (Rel, Action, Prep)):
        return False
    nxt = tokens[i + 1]
    return (nxt in lx.ATTACHING_PREPOSITIONS or nxt in lx.CLAUSE_BREAKERS
            or match_relation(tokens, i + 1) is not None)


def object_her_before_verb(tokens: list[str], i: int, items: list[Item]) -> bool:
    """Whether "her" at `i` is the object of the relation before it and the next word the verb
    of an inverted clause ("In front of her stand a rack and a burner", "behind her lie two
    knives"), not her possession ("next to her stand mixer")."""
    if tokens[i] != "her" or i + 2 >= len(tokens) or not items or not isinstance(items[-1], Rel):
        return False
    verb, after = tokens[i + 1], tokens[i + 2]
    return ("VERB" in english.parts_of_speech(verb) and english.verb_lemma(verb) is not None
            and (after in NOUN_PHRASE_OPENERS or is_number(after)))
