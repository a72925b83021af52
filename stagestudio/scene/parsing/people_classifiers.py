"""People named in the plural right before a made thing say whom the thing is for, as a
possessive written without its apostrophe does: "Kids wooden workbench toy" is a kids' toy,
"a kids store listing" a kids' store, "kids bikes leaning on a wall" the kids' bikes. Nobody is
drawn for them; the possessive reading (`'s`) already leaves such an owner out.

Only where the words after the plural run, as nouns and adjectives, to a noun that is first a
made thing: "kids ice skating" (an activity), "women farmers" (people), "kids fly kites" (a
verb between) and "three kids, two bikes" keep their people."""

from __future__ import annotations

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.tagging import tag_sentence

# Penn tags of the words a noun compound is built of: adjectives and nouns
_COMPOUND_TAGS = frozenset({"JJ", "JJR", "JJS", "NN", "NNS", "NNP", "NNPS"})
_LONGEST_COMPOUND = 4  # ("kids wooden workbench toy": three words before the head)


def _counted(tokens: list[str], i: int) -> bool:
    """Whether a number counts the people: "3 kids bikes" may be three kids."""
    before = tokens[i - 1] if i > 0 else ""
    return before.isdigit() or lx.NUMBER_WORDS.get(before) is not None


def _plural_people(word: str) -> bool:
    """A plural whose noun names people, and not animals as well in its first senses ("gulls
    wheel above the stack": WordNet's first gull is a dupe, its second the bird that is meant)."""
    # (a word the dictionary of English forms lacks is no plural of people but a name or a
    # coinage, which the phrase reader reads on its own: "Pilates ball" is no Pilate's ball)
    if not english.parts_of_speech(word):
        return False
    lemma = english.noun_lemma(word)
    return lemma != word and english.is_person(lemma) and not any(
        sense.lexfile == english.ANIMAL for sense in english.noun_senses(lemma)[:2])


def _made_head_after(tokens: list[str], i: int, tags: tuple) -> bool:
    """Whether the adjectives and nouns right after tokens[i] end in a noun first a made thing."""
    j = i + 1
    while j < len(tokens) and j - i <= _LONGEST_COMPOUND and tags[j].tag in _COMPOUND_TAGS:
        j += 1
    if j == i + 1:
        return False
    head = tokens[j - 1]
    return tags[j - 1].tag.startswith("NN") and english.is_artifact(english.noun_lemma(head))


def mark_classifier_possessives(tokens: list[str]) -> list[str]:
    """The sentence's tokens with "'s" after each plural of people that classifies the made
    thing after it ("kids wooden workbench toy" -> "kids 's wooden workbench toy")."""
    candidates = [i for i, tok in enumerate(tokens[:-1])
                  if tok.isalpha() and tokens[i + 1] != "'s" and _plural_people(tok) and not _counted(tokens, i)]
    if not candidates:
        return tokens
    tags = tag_sentence(tokens)
    if tags is None:
        return tokens
    marked = [i for i in candidates if _made_head_after(tokens, i, tags)]
    out: list[str] = []
    for i, tok in enumerate(tokens):
        out.append(tok)
        if i in marked:
            out.append("'s")
    return out
