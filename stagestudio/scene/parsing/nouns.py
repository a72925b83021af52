"""The noun lexicon: GenEval class names and synonyms with their plurals, longest match first."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from stagestudio.scene import lexicon as lx
from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind

_MAX_NOUN_TOKENS = 5


@dataclass(frozen=True)
class _NounEntry:
    name: str  # canonical name (a GenEval class string where there is one)
    plural: bool | None  # None: same form in singular and plural
    is_class: bool


_VOWELS = set("aeiou")


def _plural_word(word: str) -> str:
    """Regular English plural (irregular ones come from the lexicon's EXTRA_PLURALS). Written
    here rather than using `inflect` so the parser starts fast."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    if word.endswith("o") and word in ("potato", "tomato", "hero", "mango", "volcano"):
        return word + "es"
    return word + "s"


def _plural_forms(singular: str) -> set[str]:
    words = singular.split()
    if "of" in words[1:]:
        # "glass of wine" -> "glasses of wine": the head comes before "of"
        head = words.index("of") - 1
        return {" ".join(words[:head] + [_plural_word(words[head])] + words[head + 1:])}
    last = words[-1]
    forms = {" ".join(words[:-1] + [_plural_word(last)])}
    forms.add(" ".join(words[:-1] + [last + "s"]))  # GenEval writes "benchs", "sandwichs"
    return forms


def _starts_with_attribute(surface: str) -> bool:
    words = surface.split()
    first = words[0]
    # only plain colour words: "coffee table" and "chocolate cake" are names, not colours
    plain_colour = first in lx.GENEVAL_COLORS or first in ("gray", "grey")
    return len(words) > 1 and (plain_colour or first in lx.MATERIAL_WORDS or first in lx.SIZE_WORDS)


@lru_cache(maxsize=1)
def _noun_lexicon() -> dict[tuple[str, ...], _NounEntry]:
    table: dict[tuple[str, ...], _NounEntry] = {}

    def add(surface: str, entry: _NounEntry, *, overwrite: bool = False) -> None:
        words = surface.replace("-", " ").split()
        # "hair dryer", "hair-dryer" and "hairdryer"-style single tokens all name it
        for key in {tuple(words), ("-".join(words),)}:
            if overwrite or key not in table:
                table[key] = entry

    classes = lx.geneval_classes()
    surfaces: list[tuple[str, str]] = [(c, c) for c in classes]
    for cls, synonyms in lx.CLASS_SYNONYMS.items():
        # "wooden bench", "little girl": the first word is an attribute, so the parser reads it
        # as one (and the rest of the phrase names the object)
        # (nor a word WordNet makes first a unit: "a few meters away" measures, it names no parking meter)
        surfaces.extend((s, cls) for s in synonyms if not _starts_with_attribute(s) and not english.is_unit(s))
    # Singular forms first and authoritative; plurals never overwrite a singular.
    for surface, cls in surfaces:
        invariant = surface in lx.INVARIANT_NOUNS or surface.split()[-1] in lx.INVARIANT_NOUNS
        add(surface, _NounEntry(cls, None if invariant else False, True), overwrite=True)
    for surface, cls in surfaces:
        extra = lx.EXTRA_PLURALS.get(surface, ())
        generated = () if surface in lx.INVARIANT_NOUNS else tuple(_plural_forms(surface))
        for form in (*generated, *extra):
            add(form, _NounEntry(cls, True, True))
        last = surface.split()[-1]
        for form in lx.EXTRA_PLURALS.get(last, ()):
            add(" ".join(surface.split()[:-1] + [form]), _NounEntry(cls, True, True))
    return table


def _species_named_by_colour(tokens: list[str], i: int) -> tuple[_NounEntry, int] | None:
    """"a red panda", "two blue whales", "a grey wolf": a colour word before an animal noun is
    part of the species' name where WordNet lists the pair as an animal of its own, and no
    colour (docs/scene_graph_conventions.md: a species is no colour). Not where the animal is a
    GenEval class, named as such or by WordNet ("a black cat", "a brown bear", "a black swan"):
    there the colour is scored, and WordNet's rare "black cat" (a fisher) is not what is meant."""
    if i + 1 >= len(tokens) or tokens[i] not in lx.COLOR_WORDS or not tokens[i + 1].isalpha():
        return None
    word = tokens[i + 1]
    lemma = english.noun_lemma(word)
    head = _noun_lexicon().get((word,))
    if head is not None and head.name in (word, lemma):
        return None
    compound = f"{tokens[i]} {lemma}"
    senses = english.noun_senses(compound)
    head_senses = [s for s in english.noun_senses(lemma) if s.is_thing]
    # (the head is an animal in one of its first drawable senses: a "whale" is first a big person)
    if not senses or senses[0].lexfile != english.ANIMAL or all(s.lexfile != english.ANIMAL for s in head_senses[:2]):
        return None
    if english.geneval_class(compound) is not None:
        return None  # a kind of a class keeps its colour: "a black swan" is a black bird
    return _NounEntry(compound, lemma != word, False), 2


def _young_named_by_species(tokens: list[str], i: int) -> tuple[_NounEntry, int] | None:
    """"a tiger cub", "two elephant calves", "a seal pup": a young animal whose noun WordNet gives
    to several kinds ("cub", "calf", "pup") after the animal's noun is that animal, named as the
    annotation conventions name the young of one kind ("puppy" -> dog)."""
    if i + 1 >= len(tokens) or not tokens[i].isalpha() or not tokens[i + 1].isalpha():
        return None
    young = english.noun_lemma(tokens[i + 1])
    species = tokens[i]
    if not english.is_young_of_several(young) or english.noun_lemma(species) != species:
        return None
    if all(s.lexfile != english.ANIMAL for s in english.noun_senses(species)[:2]):
        return None  # (the animal in one of its first two senses: a "tiger" is first a fierce person)
    plural = young != tokens[i + 1]
    entry = _noun_lexicon().get((species,))
    if entry is not None and entry.is_class:
        return _NounEntry(entry.name, plural, True), 2
    cls = english.geneval_class(species)
    return _NounEntry(cls or species, plural, cls is not None), 2


def _potted_plant(tokens: list[str], i: int) -> tuple[_NounEntry, int] | None:
    """"a potted orchid", "two potted ferns": a plant the prompt pots is GenEval's potted plant,
    whatever its kind (a bare "cactus" or "fern" stays that plant)."""
    if tokens[i] != "potted" or i + 1 >= len(tokens) or not tokens[i + 1].isalpha():
        return None
    lemma = english.noun_lemma(tokens[i + 1])
    sense = next((s for s in english.noun_senses(lemma) if s.is_thing), None)
    if sense is None or sense.lexfile != english.PLANT:
        return None
    return _NounEntry("potted plant", lemma != tokens[i + 1], True), 2


def match_noun(tokens: list[str], i: int) -> tuple[_NounEntry, int] | None:
    """Longest lexicon noun starting at tokens[i]: (entry, number of tokens)."""
    species = _species_named_by_colour(tokens, i) or _young_named_by_species(tokens, i) or _potted_plant(tokens, i)
    if species is not None:
        return species
    table = _noun_lexicon()
    for length in range(min(_MAX_NOUN_TOKENS, len(tokens) - i), 0, -1):
        entry = table.get(tuple(tokens[i:i + length]))
        if entry is not None:
            return entry, length
    young = _young_of_one_kind(tokens[i])
    return (young, 1) if young is not None else None


@lru_cache(maxsize=4096)
def _young_of_one_kind(word: str) -> _NounEntry | None:
    """"nine piglets", "an eaglet", "two cygnets": a young animal of one kind is named as that
    animal, as the annotation conventions name a puppy a dog: by its class where it has one
    ("eaglet" -> bird), else by the kind's own noun ("piglet" -> pig)."""
    if not word.isalpha() or len(word) < 4:
        return None
    lemma = english.noun_lemma(word)
    species = english.young_of(lemma)
    if species is None:
        return None
    entry = _noun_lexicon().get(tuple(species.split()))
    if entry is None:
        cls = english.geneval_class(species)
        entry = _NounEntry(cls or species, False, cls is not None)
    return _NounEntry(entry.name, lemma != word, entry.is_class)


_IRREGULAR_SINGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child",
                       "mice": "mouse", "geese": "goose", "feet": "foot", "teeth": "tooth",
                       "knives": "knife", "leaves": "leaf", "wolves": "wolf", "shelves": "shelf",
                       "loaves": "loaf", "halves": "half", "calves": "calf", "lives": "life",
                       "wives": "wife", "cacti": "cactus", "fungi": "fungus", "oxen": "ox",
                       "dice": "die", "scarves": "scarf", "thieves": "thief"}


_ES_PLURALS_OF_O = {"potatoes", "tomatoes", "heroes", "mangoes", "volcanoes", "echoes", "torpedoes"}


def singular_form(word: str) -> tuple[str, bool]:
    """(singular form, was plural) of a noun outside the lexicon."""
    if word in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[word], True
    if word in ("news", "lens", "series", "species", "means", "chess", "gas", "canvas", "atlas"):
        return word, False
    if word.endswith("ics") and not english.has_noun_entry(word) and english.has_noun_entry(word[:-1]):
        return word[:-1], True  # "paramedics", "medics": no science of that name, so the plural
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "ics", "ous")):
        return word, False
    lemma = english.noun_lemma(word)
    if (lemma != word and english.has_noun_entry(word) and english.is_artifact(word)
            and english.noun_kind(lemma) in (NounKind.ABSTRACT, NounKind.UNKNOWN)):
        # a made thing named by an -s word whose "singular" names no thing: "scrubs", "gallows"
        # (not "rings" or "falls", whose singular is a thing in a later sense; "sprinkles" are
        # food, named by the singular)
        return word, False
    if lemma != word and english.parts_of_speech(word) and lemma[:2] == word[:2]:
        return lemma, True  # the dictionary knows the plural ("tomatoes", "shelves", "cacti")
    if lemma == word and english.parts_of_speech(word) and english.has_noun_entry(word):
        # a plural with no singular: "clothes", "groceries" ("clothe" is a verb); a singular in
        # -s has a plural of its own ("a thermos", "thermoses"; "a pancreas")
        return word, english.plural_is_itself(word)
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y", True
    if word.endswith(("ches", "shes", "xes", "zzes", "sses")) or word in _ES_PLURALS_OF_O:
        return word[:-2], True
    return word[:-1], True
