"""Tokenising: prompt text -> sentences of lower-case tokens."""

from __future__ import annotations

import re
import unicodedata

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.listing_counts import (
    included_as_listed,
    move_listing_counts,
)
from stagestudio.scene.parsing.nouns import match_noun
from stagestudio.scene.parsing.people_classifiers import mark_classifier_possessives
from stagestudio.scene.parsing.spelling import correct
from stagestudio.scene.parsing.words import POSTPOSITIVE_ADJECTIVES

# ("a 3-story house": a number joined to a noun stays one token, a size of what follows; so
# does an ordinal or a decade, "a 12th-century castle", "the 3rd floor", "a 1950s jukebox",
# which date or rank and never count)
_TOKEN_RE = re.compile(r"\d+\.\d+|\d+(?:st|nd|rd|th)\b(?:-[a-z]+)*|\d+0s\b|\d+-[a-z]+\b(?!-)|\d+|[a-z]+(?:-[a-z]+)*(?:'[a-z]+)?|'s\b|[.,;:!?()\"&\n]")
_SENTENCE_ENDS = {".", "!", "?", ";", "\n"}


_COLOUR_ALTERNATION = "|".join(sorted((re.escape(w) for w in lx.COLOR_WORDS), key=len, reverse=True))


_MARKUP_BLOCK = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_MARKUP_TAG = re.compile(r"</?[a-zA-Z!][^<>]*>|&[a-zA-Z]+;|&#\d+;")


def strip_markup(prompt: str) -> str:
    """Remove HTML/XML tags, script and style blocks and character entities: markup never
    names an object ("<script>" is not a script to draw)."""
    return _MARKUP_TAG.sub(" ", _MARKUP_BLOCK.sub(" ", prompt))


def fold_accents(text: str) -> str:
    """"café" -> "cafe", "naïve" -> "naive": the lexicon is ASCII, and a letter with an accent
    is the same letter to it (a character with no ASCII base is left as it is)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SMALL = {**_UNITS, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS_UNITS = rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS)}))?|{'|'.join(_SMALL)})"
_SPELLED_NUMBER = re.compile(
    rf"\b(?:(?P<hundreds>a|{'|'.join(_UNITS)}) hundred(?: and)?(?: (?P<rest>{_TENS_UNITS}))?"
    rf"|(?P<tens>{'|'.join(_TENS)})[- ](?P<unit>{'|'.join(_UNITS)})"
    rf"|(?P<half>half) a dozen|(?P<couple>a couple(?: of)?) dozen|(?P<dozens>{'|'.join(_UNITS)}|\d+) dozen)\b")


def _words_value(words: str) -> int:
    parts = words.replace("-", " ").split()
    return sum(_TENS.get(w, 0) + _SMALL.get(w, 0) for w in parts)


def _spelled_number(match: re.Match[str]) -> str:
    """"one hundred" -> "100", "twenty-five" -> "25", "half a dozen" -> "6", "two dozen", "2 dozen"
    and "a couple dozen" -> "24": a number written in several words is one number."""
    if match.group("hundreds"):
        hundreds = 1 if match.group("hundreds") == "a" else _UNITS[match.group("hundreds")]
        return str(100 * hundreds + (_words_value(match.group("rest")) if match.group("rest") else 0))
    if match.group("tens"):
        return str(_TENS[match.group("tens")] + _UNITS[match.group("unit")])
    if match.group("half"):
        return "6"
    if match.group("couple"):
        return "24"  # "a couple dozen rubber ducks": two dozen, not a couple
    dozens = match.group("dozens")
    return str(12 * (int(dozens) if dozens.isdigit() else _UNITS[dozens]))


_HYPHENATED_MEASURE = re.compile(r"\b(\d+)-([a-z]+)(?:-([a-z]+))?\b")


_WORD_NUMBER_COMPOUND = re.compile(rf"\b({'|'.join(_SMALL)})-([a-z]+)\b(?!-)")


def _digit_compound(match: re.Match[str]) -> str:
    """"a two-story house", "a four-door car" -> "2-story", "4-door" (not "three-legged")."""
    word = match.group(2)
    if word.endswith(("ed", "ing")) or not english.has_noun_entry(english.noun_lemma(word)):
        return match.group(0)
    return f"{_SMALL[match.group(1)]}-{word}"


def _spaced_measure(match: re.Match[str]) -> str:
    number, unit, after = match.group(1), match.group(2), match.group(3)
    if not (english.is_measure_unit(english.noun_lemma(unit)) or unit in lx.UNIT_ABBREVIATIONS):
        return match.group(0)
    if after is None and re.match(r"\s+[a-z]", match.string[match.end():]):
        return match.group(0)  # "a 40-foot sailboat": one token, a size of the noun after it
    return f"{number} {unit}" + (f" {after}" if after else "")


_AGE_ALONE = re.compile(r"\b([a-z]+|\d+) (\d+ (?:year|month|week)s? old)(s?)\b(?=\s*([,;.!?]|$|[a-z]+))")
_AFTER_AGE_NOUN = frozenset({"in", "on", "at", "with", "and", "by", "under", "beside", "next", "near", "behind",
                             "holding", "who", "that", "is", "was", "sits", "stands"})


def _age_alone(match: re.Match[str]) -> str:
    """"a 2-year-old pulling a wagon", "the 10-year-old, grinning": an age with no noun after it
    stands for the person of that age, the noun it leaves out ("a 5-year-old boy" keeps its boy)."""
    after = match.group(4) or ""
    if after.isalpha() and after not in _AFTER_AGE_NOUN and after not in POSTPOSITIVE_ADJECTIVES and not (
            english.is_participle_or_finite(after) and english.noun_kind(english.noun_lemma(after)) != NounKind.THING):
        return match.group(0)
    return f"{match.group(1)} {match.group(2)} {'people' if match.group(3) else 'person'}"


_DIMENSIONS = re.compile(r"\b(\d+(?:\.\d+)?)\s*[x\u00d7*]\s*(\d+(?:\.\d+)?)(?:\s*[x\u00d7*]\s*(\d+(?:\.\d+)?))?"
                         r"\s*([a-z]+)\b")
_NUMBER_RANGE = re.compile(r"(?:\b(?:sizes?|ages?|fits?)\s+)?\b\d+\s*[-\u2013]\s*\d+\b(?=\s*([a-z]*))"
                           r"|\b(?:sizes?|ages?)\s+\d+\+?(?=\s*(?:$|[,;.)]))")


_LISTING_SEPARATOR = re.compile(r"(?:^|\s)(?:-{1,2}|[\u2013\u2014|\u2022\u00b7/])(?=\s|$)")


def _is_unit_word(word: str) -> bool:
    return english.is_measure_unit(english.noun_lemma(word)) or word in lx.UNIT_ABBREVIATIONS


def _dimensions(match: re.Match[str]) -> str:
    """"40 x 35 cm", "30 x 20 x 10 inches": each number is a measurement in the unit after the
    last ("40 cm, 35 cm"); without a unit ("a 2 x 4 board") the numbers are left as they are."""
    unit = match.group(4)
    if not _is_unit_word(unit):
        return match.group(0)
    numbers = [n for n in match.group(1, 2, 3) if n]
    return " , ".join(f"{n} {unit}" for n in numbers)


def _number_range(match: re.Match[str]) -> str:
    """"sizes 4-10", "ages 3-5", "size 12": a range or a size label specifies, it counts nothing;
    "3-5 apples" leaves "apples" with no count. A range before a unit ("10-12 cm") measures, and
    is left to the measurement reading."""
    if match.group(1) and _is_unit_word(match.group(1)):
        return match.group(0)
    return " "


_FRAGMENT_PARTICIPLE = re.compile(r"(^|[,;:(]\s*)([a-z]+) ([a-z]+ed|[a-z]+en|made|built|thrown|sewn|spun|blown|woven|dyed)"
                                  r"(?=\s*(?:$|[,;.)]|and\b))", re.MULTILINE)
_MAKING_NOUN_FILES = frozenset({english.BODY, english.ARTIFACT, english.OBJECT})


def _made_by(match: re.Match[str]) -> str:
    """"..., hand painted, ...", "..., oven baked.": a fragment of a listing that is a noun and a
    past participle says how the thing was made ("hand-painted"), naming no hand; joined, it
    reads as the adjective it is. Only a noun that is first a body part, a made thing or a
    natural object, and only as a fragment of its own, since "a fence painted white" is a fence."""
    noun, participle = match.group(2), match.group(3)
    senses = english.noun_senses(noun)
    if (not senses or senses[0].lexfile not in _MAKING_NOUN_FILES or english.is_name(noun)
            or not english.is_past_participle(participle)):
        return match.group(0)
    return f"{match.group(1)}{noun}-{participle}"


_COVERED_BY = re.compile(r"\b(an?|the|its|his|her|their|some|two|three|four|five|[0-9]+) ((?:[a-z]+ )?)([a-z]+) "
                        r"([a-z]+ed) ([a-z]+)\b")
# what lies on, lines or lights a surface: a food, a natural object or phenomenon, a plant, a substance
_COVERING_FILES = frozenset({english.FOOD, english.OBJECT, english.PLANT, english.SUBSTANCE, 19})  # 19: noun.phenomenon


def _covered_by(match: re.Match[str]) -> str:
    """"a flour dusted counter", "the snow covered roofs", "a tree lined avenue": between a
    determiner and a noun, a covering noun and a past participle written apart are one adjective
    ("flour-dusted"), so the counter is what the phrase names, not the flour."""
    covering, participle, noun = match.group(3), match.group(4), match.group(5)
    senses = english.noun_senses(covering)
    if (not senses or senses[0].lexfile not in _COVERING_FILES or not english.is_past_participle(participle)
            or english.is_name(covering) or covering in lx.COLOR_WORDS  # ("an orange potted plant")
            or "ADJ" in english.parts_of_speech(covering) or english.noun_kind(english.noun_lemma(noun)) in (
                NounKind.ABSTRACT, NounKind.UNIT, NounKind.UNKNOWN)):
        return match.group(0)
    return f"{match.group(1)} {match.group(2)}{covering}-{participle} {noun}"


# "bottle-feeding a lamb", "spoon-feeding her son", "hand-washing a car": a noun and an -ing verb
# written as one word, right before its object, is that verb (the noun is only how it is done)
_NOUN_VERB_COMPOUND = re.compile(r"(?<!\ban )(?<!\ba )(?<!\bthe )\b([a-z]+)-([a-z]+ing)"
                                 r"(?= (?:a|an|the|his|her|their|its|my|our|your|some|two|three|four|five|six|[0-9]+)\b)")


def _verb_of_compound(match: re.Match[str]) -> str:
    noun, verb = match.group(1), match.group(2)
    if not english.has_noun_entry(noun) or english.verb_lemma(verb) in (None, verb):
        return match.group(0)
    return verb


def _colour_family(match: re.Match[str]) -> str:
    word = match.group(1)
    return lx.COLOR_WORDS[word] if english.is_mass(word) else word


_BARE_POSSESSIVE = re.compile(r"\b(his|her|my|their|your|our|the|an?)((?: [a-z]+){0,2}?) ([a-z]{3,}s) ([a-z]+)\b")


def _bare_possessive(match: re.Match[str]) -> str:
    """"on his dads shoulders", "the dogs tail", "an old mans arm": a person or an animal in the
    -s form right before a body part (or another part: "a big dogs paw"), after a determiner and
    any adjectives, is a possessive written without its apostrophe."""
    describing, owner, part = match.group(2).split(), match.group(3), match.group(4)
    singular = english.noun_lemma(owner)
    part_lemma = english.noun_lemma(part)
    part_senses = english.noun_senses(part_lemma)
    body_part = bool(part_senses) and (part_senses[0].lexfile == english.BODY or english.is_part(part_lemma))
    if singular == owner or not english.is_animate(singular) or not body_part:
        return match.group(0)
    if not all("ADJ" in english.parts_of_speech(word) for word in describing):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)} {singular}'s {part}"


_SUPERLATIVE_DOMAIN = re.compile(rf"\s*,?\s*\b(?:in|on|of) (?:the|our|this) (?:{'|'.join(sorted(lx.WHOLE_WORLD_NOUNS))})\b")
_WORD = re.compile(r"[a-z]+")
_DRAWABLE_KINDS = frozenset({english.NounKind.THING, english.NounKind.WEAK})


def _superlative_domain(match: re.Match[str]) -> str:
    """"the largest mammal on the planet", "the tallest tree in the world": after a superlative
    in the same sentence, "in the world" says within what the thing ranks first; it places
    nothing and names nothing to draw ("a globe on the desk" has no superlative, and stays)."""
    sentence_start = max(match.string.rfind(end, 0, match.start()) for end in _SENTENCE_ENDS)
    words = _WORD.findall(match.string[sentence_start + 1:match.start()])
    ranked = next((k for k, word in enumerate(words) if english.is_superlative(word)), None)
    # (only where the ranked thing is one to draw: "the most used currency in the world" keeps
    # its world, the one drawable noun it has)
    if ranked is not None and any(english.noun_kind(english.noun_lemma(word)) in _DRAWABLE_KINDS
                                  for word in words[ranked + 1:]):
        return " "
    return match.group(0)


_INITIALISM = re.compile(r"\b([A-Z]{2,5})\s+(?=([a-z]+)\b)")


def _initialism_before_noun(match: re.Match[str]) -> str:
    """"purple LED lights", "a DSLR camera": capitals in a prompt written in lower case spell an
    initialism, which before a noun says what kind of thing it is; read as a word it would be
    another ("led", the past of "lead"). It is left out unless the noun lexicon knows it ("TV")."""
    short, after = match.group(1).lower(), match.group(2)
    lemma = english.noun_lemma(after)
    plural_noun = after.endswith("s") and lemma != after
    if match_noun([short], 0) is not None or not english.has_noun_entry(lemma) \
            or english.is_participle_or_finite(after) and not plural_noun:
        return match.group(0)  # ("an RV parked by a lake": the initialism is the noun)
    return ""


_CHAT_ABBREVIATION = re.compile(
    r"(?<![a-z])(" + "|".join(re.escape(w) for w in sorted(lx.CHAT_ABBREVIATIONS, key=len, reverse=True)) + r")(?![a-z/])")
_CHAT_INTERJECTION = re.compile(r"\b(?:" + "|".join(sorted(lx.CHAT_INTERJECTIONS)) + r")\b[!.]*")


def informal_writing(text: str) -> str:
    """Lower-case text with chat shorthand spelled out and its interjections, hashtags and handles
    dropped: "by the window w/ a cup of tea" -> "with a cup", "my dog refuses to get out lol" ->
    "... out", "a dog on the beach #goldenhour" -> "... beach". A layer before every lexicon, so a
    word the shorthand hides is read like any other."""
    text = re.sub(r"(?<![\w&])[#@][a-z0-9_]+", " ", text)  # hashtags and handles tag a post, they describe nothing
    text = text.replace("\u00d7", "x")  # "jars \u00d76": a multiplier
    text = _CHAT_ABBREVIATION.sub(lambda m: f" {lx.CHAT_ABBREVIATIONS[m.group(1)]} ", text)
    text = re.sub(r"(?<=[a-z]) n (?=[a-z])", " and ", text)  # "fish n chips"
    return _CHAT_INTERJECTION.sub(" ", text)


def tokenise(prompt: str) -> list[list[str]]:
    prompt = fold_accents(strip_markup(prompt))
    if any(ch.islower() for ch in prompt):
        prompt = _INITIALISM.sub(_initialism_before_noun, prompt)
    text = prompt.lower()
    text = informal_writing(text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"\bt\.v\.", "tv", text)
    text = re.sub(r"\b(?:a |one )?bakers?'?s? dozen(?: of)?\b", "13", text)  # the idiom counts thirteen
    text = _BARE_POSSESSIVE.sub(_bare_possessive, text)
    text = re.sub(r"\b(it|that|there|here|what|who|where|this)'s\b", r"\1 is", text)
    text = re.sub(r"(?<=[a-z])'s\b", " 's", text)  # possessive becomes its own token
    text = re.sub(r"(?<=[a-z]s)'(?=\s)", " 's", text)  # so does a plural one ("kids' backpack")
    # "orange-colored cow", "a red coloured car": the colour word is the attribute
    # ("coffee-colored" is the colour even where a bare "coffee" would say what a thing is for)
    text = re.sub(rf"\b({_COLOUR_ALTERNATION})[- ](?:colou?red|toned|hued|tinted)\b", _colour_family, text)
    text = re.sub(rf"\b({_COLOUR_ALTERNATION})-(?:painted|dyed|stained|glazed|coated|furred|feathered|skinned|"
                  r"lacquered|enamelled|enameled|upholstered|plumaged)\b", r"\1", text)
    # Hyphenated words stay one token ("cotton-ball clouds", "double-decker") unless they
    # spell a relation; hyphenated names are in the noun lexicon in both spellings.
    text = re.sub(r"\b(left|right)-hand(ed)?\b", r"\1 hand", text)
    text = re.sub(r"\bside-by-side\b", "side by side", text)
    text = re.sub(r"\b(next|close)-to\b", r"\1 to", text)
    # "20-odd pigeons", "thirty-odd chairs", "40-some guests": a round number given roughly counts
    text = re.sub(r"\b(\d+|[a-z]+ty)-(?:odd|some|ish)\b(?= [a-z])", r"\1", text)
    text = _NOUN_VERB_COMPOUND.sub(_verb_of_compound, text)
    text = _SPELLED_NUMBER.sub(_spelled_number, text)
    text = _SUPERLATIVE_DOMAIN.sub(_superlative_domain, text)
    text = _DIMENSIONS.sub(_dimensions, text)
    text = included_as_listed(text)  # (before "lanyard included" is read as "lanyard-included")
    text = _FRAGMENT_PARTICIPLE.sub(_made_by, text)
    text = _COVERED_BY.sub(_covered_by, text)
    # "is a step too late", "was a touch too long": after a copula the noun before "too" measures
    # how much, it names nothing to draw
    text = re.sub(r"\b(is|are|was|were|be|seems?|looks?) (?:a|one) [a-z]+ too\b", r"\1 too", text)
    text = _NUMBER_RANGE.sub(_number_range, text)
    # "controller - wireless - purple", "saddle | gel padding": a spaced dash, a bar or a bullet
    # separates a listing's fragments as a comma does; the tokeniser would drop it and run two
    # fragments into one phrase (after the ranges above, so "10 - 12" is already read)
    text = _LISTING_SEPARATOR.sub(" , ", text)
    # "battery + charger", "5 cups + 1 moka pot": a spaced plus joins a listing's items as "&"
    # does; the tokeniser would drop it and run the two into one phrase
    text = re.sub(r"(?<=\S)\s+\+\s+(?=\S)", " & ", text)
    text = _WORD_NUMBER_COMPOUND.sub(_digit_compound, text)
    # "a 12-pack of soda cans", "a six-pack of beer bottles": the number counts what is packed
    text = re.sub(r"\b(?:an? )?(\d+)-pack of\b", r"\1", text)
    # "a 10-year-old boy", "a 6-foot-tall cactus", "a 2-liter bottle": a number and a unit
    text = _HYPHENATED_MEASURE.sub(_spaced_measure, text)
    text = _AGE_ALONE.sub(_age_alone, text)
    # "3.5 inches": a decimal measures, never counts (it stays a token only before a unit)
    text = re.sub(r"\d+\.\d+(?![ -]?[a-z])", " ", text)
    text = re.sub(r"\(\s*\d+\s*\)", " ", text)  # "four (4) apples": the digits repeat the word
    text = re.sub(r"\b(e\.g|i\.e|etc|approx|vs|mr|mrs|ms|dr|st)\.", r"\1", text)  # not sentence ends
    sentences: list[list[str]] = [[]]
    for tok in _TOKEN_RE.findall(text):
        tok = correct(tok)
        if tok in _SENTENCE_ENDS:
            if sentences[-1]:
                sentences.append([])
            continue
        sentences[-1].append(tok)
    return [move_listing_counts(mark_classifier_possessives(s)) for s in sentences if s]
