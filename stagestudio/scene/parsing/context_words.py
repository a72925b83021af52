"""What the contextual tagger says a word IS in its sentence, asked by the noun-phrase rules.

The rules know what a word can be (WordNet, lemminflect); where a word can be two things (a
colour or a fruit, a material or a vessel, a noun or a verb) the tagger's reading of the whole
sentence decides. Each question here also asks the lexicon, so a tagger error on lower-case or
fragmentary text does not make a noun of a word WordNet never calls one. Without the pipeline
every question answers False and the rules read as before.
"""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.relations import match_relation
from stagestudio.scene.parsing.tagging import TaggedWord, tag_sentence
from stagestudio.scene.parsing.words import is_attribute_word, is_number, is_verb_form

_MODIFIER_ARCS = frozenset({"compound", "amod", "nmod"})
_NOUN_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS"})
_BOUNDARIES = lx.HARD_BOUNDARIES | lx.CLAUSE_BREAKERS | lx.ATTACHING_PREPOSITIONS


def _tags(tokens: list[str]) -> tuple[TaggedWord, ...] | None:
    tags = tag_sentence(tokens)
    return tags if tags and len(tags) == len(tokens) else None


def _plain_word(tokens: list[str], k: int, tags: tuple[TaggedWord, ...] | None = None) -> bool:
    word = tokens[k]
    # (an -ing or -ed verb form is where the tagger errs on fragments: "cowboy roping a calf",
    # "bread cooling on a rack" read as compound nouns; the rules read those words - unless,
    # inside a run an attribute word opened, it modifies a noun after it: "a glass fishing float")
    gerund_modifier = tags is not None and word.endswith("ing") and k + 1 < len(tokens) and tags[k].head > k and (
        tags[k].dep == "compound" and tags[k].tag == "NN"
        or english.has_noun_entry(f"{word} {english.noun_lemma(tokens[k + 1])}"))  # ("an orange sleeping bag")
    return (word.replace("-", "").isalpha() and word not in _BOUNDARIES and match_relation(tokens, k) is None
            and not (word.endswith(("ing", "ed")) and is_verb_form(word) and not gerund_modifier))


def _verb_with_complement(tokens: list[str], k: int) -> bool:
    """A word that can be a verb, followed by what a verb takes (an article, a number, a
    preposition): "the cradle lie three gouges", "sunlight filters through" - the tagger's
    noun reading there is no evidence against the verb."""
    if k + 1 >= len(tokens) or english.verb_lemma(tokens[k]) is None:
        return False
    after = tokens[k + 1]
    if english.is_past_participle(after) and after.endswith(("ed", "en", "wn")):
        return False  # ("the orange ring thrown to ...": a participle describing the noun)
    return (after in _BOUNDARIES - lx.HARD_BOUNDARIES or after in lx.INDEFINITE_DETERMINERS
            or after in lx.DEFINITE_DETERMINERS or is_number(after) or match_relation(tokens, k + 1) is not None)


def noun_head_after(tokens: list[str], last: int) -> int | None:
    """The index of the noun that the attribute-like word at `last` modifies further right, in
    one run of nouns and adjectives, as the tagger parses the sentence: "a rusty orange ice cream van" (orange ->
    van), "a cobalt blue glass float" (glass -> float); None when the word heads its phrase."""
    tags = _tags(tokens)
    # (only a word with an attribute reading is in doubt: a colour, a material, "toy"; a
    # noun that is only a noun, "a toy fire truck lie scattered", keeps the rules' reading)
    if tags is None or last + 1 >= len(tokens) or not is_attribute_word(tokens[last]):
        return None
    k = last
    # follow the modifier arcs rightwards: orange -> cream -> van
    while tags[k].dep in _MODIFIER_ARCS and k < tags[k].head <= k + 4:
        head = tags[k].head
        if not all(_plain_word(tokens, m, tags) and (tags[m].pos in ("NOUN", "PROPN", "ADJ") or m < head)
                   for m in range(k + 1, head + 1)):
            return None
        k = head
    if (k == last or tags[k].tag not in _NOUN_TAGS
            # (a word no dictionary knows is a noun when the tagger says so: "orange lifebuoys")
            or not english.has_noun_entry(english.noun_lemma(tokens[k])) and not english.noun_senses(tokens[k])
            and english.is_known_word(tokens[k])):
        return None
    # reached through another noun (not a gerund modifier), a word that can be a verb is that
    # noun's verb unless WordNet names the pair: "a toy fire truck lie scattered", "its black
    # boiler gleams" but "orange sea fans"; right after the attribute word it is its noun: "a
    # glass float"; after a gerund modifier it is a noun even before a preposition: "an orange
    # sleeping bag on a cot"
    verb = english.verb_lemma(tokens[k])
    through_noun = k > last + 1 and not tokens[k - 1].endswith("ing")
    if through_noun and verb is not None and not english.has_noun_entry(f"{tokens[k - 1]} {english.noun_lemma(tokens[k])}"):
        return None
    if _verb_with_complement(tokens, k) and not tokens[k - 1].endswith("ing"):
        return None
    return k


def tagged_run_head(tokens: list[str], j: int) -> int | None:
    """The head noun of the run the word at `j` continues, opened by an attribute-like word at
    most three words before it: "orange sea fans" (at "sea" or "fans": the index of "fans");
    None when no such run reaches past j - 1."""
    m = j - 1
    while m >= 0 and m >= j - 3 and _plain_word(tokens, m):
        head = noun_head_after(tokens, m)
        if head is not None:
            return head if head >= j else None
        m -= 1
    return None


# (only an auxiliary is evidence enough: on a listing's fragments the tagger finds subjects and
# objects for nouns, "ramen bowl set", "garden hose reel with ...")
_VERB_CHILDREN = frozenset({"aux", "neg"})


def not_a_noun_here(tokens: list[str], k: int, *, bare: bool) -> bool:
    """Whether the word at k, read as a phrase's head, is in this sentence an adverb ("waves a
    camper van forward"), a preposition or conjunction WordNet has no noun for ("until it is
    dry"), or - for a `bare` phrase, with no article or number - a verb with its own auxiliary
    ("so the crew can wash it"); the lexicon must allow that reading too."""
    tags = _tags(tokens)
    if tags is None or k >= len(tokens):
        return False
    tag, word = tags[k], tokens[k]
    if word.startswith("mid-") and word.count("-") == 1:
        return True  # "players mid-fight", "a gull mid-flight": when, not a thing (a morphological adverb)
    parts = english.parts_of_speech(word)
    if tag.pos == "ADV" and tag.tag.startswith("RB") and "ADV" in parts and not english.is_part(english.noun_lemma(word)):
        return True  # (a part's noun is a listing's fragment, whatever the tagger says: "mesh back")
    if tag.pos in ("ADP", "SCONJ", "AUX", "PART", "CCONJ", "DET", "PRON") and "NOUN" not in parts:
        return True
    return (bare and tag.pos in ("VERB", "AUX") and tag.tag in ("VB", "VBP", "VBZ", "VBD")
            and english.verb_lemma(word) is not None
            # (or a pronoun subject: "when you chop it")
            and any(t.head == k and m != k and (t.dep in _VERB_CHILDREN or t.dep == "nsubj" and t.tag == "PRP")
                    for m, t in enumerate(tags)))


def modifies_people_group(tokens: list[str], k: int) -> bool:
    """"a pit crew", "the film crew", "a school group": the noun at k modifies, as the tagger
    parses the sentence, the noun right after it that names a group of people; that group is
    the phrase's head (a group's noun is no thing to draw, so the rules would end the phrase
    at the modifier)."""
    return (modifies_next_noun(tokens, k) and tokens[k + 1].isalpha()
            and english.is_people_group(english.noun_lemma(tokens[k + 1])))


def modifies_next_noun(tokens: list[str], k: int) -> bool:
    """The tagger reads the word at k as a compound modifier of the noun right after it."""
    tags = _tags(tokens)
    return (tags is not None and k + 1 < len(tokens) and tags[k].dep == "compound" and tags[k].head == k + 1
            and tags[k + 1].tag in _NOUN_TAGS)
