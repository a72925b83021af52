"""Build the parser's noun-category table from WordNet 3.0 (Debian's `wordnet-base` package).

    apt-get install wordnet-base && python tools/build_noun_lexicon.py

No maintained PyPI package ships WordNet's data (`wn` and `nltk` download it at run time,
which StageStudio never does), so the few facts the parser needs are extracted once into a
small table that ships with the code: for every noun lemma, its first senses (most frequent
first) as a lexicographer category plus flags from the hypernym tree:

    p  a part or feature of something (a body part, a component, a natural covering, or a
       synset WordNet records as part of another)
    c  something worn (clothing, headgear, footwear, armour, jewellery)
    k  a container
    u  a unit of measurement or of time
    l  a place or landform (location, geological formation, body of water, ground, room)
    m  a mass or a meal: a liquid, a drink, a sauce, a soup, a powder, particles, a vapour, a
       meal ("milk", "coffee", "broth", "flour", "motes", "steam", "dinner"): drawn only in a holder
    g  large: furniture, a structure, a vehicle, a large home appliance (things stand next
       to it, rather than on a table with it)
    i  an instance, that is a proper name: a person, a place, a planet, a god ("Hendrix",
       "Paris", "Earth", "Thor")
    b  a building ("café", "barn", "lighthouse"; not a wall or a street)
    s  a seat: one sits on or in it ("chair", "sofa", "swing", "saddle")
    h  a social group, whose members are people ("family", "crew", "couple", "band", "crowd")
    y  the young of several kinds of animal, by WordNet's gloss ("calf": "young of various
       large placental mammals", "cub", "pup"; not "kitten" or "foal", one kind's young)
    2  a made thing named in the plural by nature, one object however it is written: every
       name WordNet gives it is plural ("glasses", "pliers", "shorts"), one is "pair of ..."
       ("pair of tweezers"), or its gloss says "(usually plural)" ("jeans", "trousers")

then, for a young animal of one kind, after "^" the noun of that kind, read from its gloss
("piglet": "a young pig" -> "^pig", "kitten" -> "^domestic cat"); and, for WordNet's part-of ("meronym") relations, after "<" the wholes a part belongs to and
after ">" the wholes a thing is (both as numbers into one shared list of wholes, base 36, dot
separated): a headlight is part of a motor vehicle and a truck is one, so "the headlight"
after a truck is the truck's. A whole is a holonym of the part (or of a whole it is part of)
or that holonym's direct hypernym, so "leg" (part of a chair) fits a bench (a seat); wholes
above MAX_WHOLE_SPAN senses ("artifact") say nothing and are left out. Last, after "=", the
GenEval class a sense belongs to when it descends from that class's synset ("fisherman" ->
person, "terrier" -> dog, "mallard" -> bird). A line whose senses WordNet orders without any
frequency data (its "tagsense_cnt" is 0) starts its senses with "?": which one comes first
says nothing there ("hanger" is listed as a person before the coat hanger).

Output: stagestudio/scene/parsing/data/wordnet_nouns.tsv.gz, lines "lemma<TAB>sense,sense"
where a sense is its two-digit lexicographer file number followed by its flags; and
wordnet_verbs.tsv.gz, lines "lemma<TAB>NN<TAB>flags": the lexicographer file of the verb's
first sense (34 consumption: "chew", "nibble"; 35 contact: "sit", "lean"...) and, from WordNet's
sentence frames, "t" where any of its senses takes a direct object ("somebody ----s
something": "ride", "hold", "stir", "fly" a kite), "n" where its first sense takes none ("glow", "sit"), and
"o" where one of its first three senses takes an object and an infinitive ("somebody ----s
somebody to INFINITIVE": "teach", "help"), and "v" where WordNet's sense-tagged corpus
(cntlist.rev) has the word as a verb at least MIN_VERB_TAGS times and VERB_TO_NOUN_RATIO times as often
as a noun ("drag", "paint", "lift"; not "sign" or "rock"); and wordnet_adjectives.txt.gz, one line per
single-word adjective lemma (whether a word lemminflect tags "ADJ" is an adjective in WordNet
too, or a noun used before another: "a pilot light", "a toy car").
"""

from __future__ import annotations

import argparse
import gzip
import re
from collections.abc import Iterator
from pathlib import Path

WORDNET_DIR = Path("/usr/share/wordnet")
OUT = Path(__file__).resolve().parents[1] / "stagestudio" / "scene" / "parsing" / "data" / "wordnet_nouns.tsv.gz"
MAX_SENSES = 6
MAX_WORDS = 3

# Anchor synsets (WordNet 3.0 offsets) whose hyponyms get a flag.
ANCHORS: dict[str, tuple[str, ...]] = {
    "p": ("05220461",  # body_part
          "05225602",  # anatomical structure
          "03892891",  # part, portion (of an artifact)
          "03081021",  # component, constituent
          "09385911",  # part, piece (of a natural object)
          "09257949"),  # natural covering (fur, shell, skin)
    "c": ("03051540",  # clothing
          "03502509",  # headdress
          "03380867", "03381126",  # footwear
          "02739668",  # armour
          "03597469",  # jewelry
          "02671780"),  # accessory
    "k": ("03094503",  # container
          "04531098",  # vessel (container)
          # cookware that holds food, which WordNet files under cooking utensils rather than
          # containers: "eggs in a cast iron pan", "soup in a pot"
          "03880531",  # pan, cooking pan (frying pan, saucepan, wok)
          "03990474"),  # pot (cooking pot, kettle, teapot, stockpot)
    "u": ("13583724",  # unit of measurement
          "15154774"),  # time unit
    "l": ("09287968",  # geological formation
          "09225146",  # body of water
          "09334396",  # land, ground
          "04105893",  # room
          "02735688"),  # area (part of a structure)
    "m": ("14939445", "14939900",  # fluid
          "14940100", "14940386",  # liquid
          "07881800",  # beverage
          "07810907",  # condiment, sauce
          "07583197",  # soup, broth
          "14839439",  # particulate
          "14997012",  # powder
          "15055633",  # vapour
          "07573696"),  # meal, repast
    "b": ("02913152",),  # building, edifice
    "s": ("04161981",  # seat (furniture)
          "04161358",  # seat (of a chair, a bench)
          "02818832",  # bed
          "04371774",  # swing
          "04123740"),  # saddle
    "h": ("07950920",),  # social group
    "g": ("03405725",  # furniture
          "04341686",  # structure, construction
          "03100490",  # conveyance
          "04580493"),  # white goods (refrigerator, washer, stove)
}
# GenEval classes whose hyponyms are named by the class (docs/scene_graph_conventions.md, "Names").
CLASS_ANCHORS: dict[str, str] = {
    "00007846": "person",
    "02084071": "dog",
    "02121808": "cat",
    "02374451": "horse",
    "02411705": "sheep",
    "02402425": "cow",
    "01503061": "bird",
    "02131653": "bear",
    "02503517": "elephant",
    "02391049": "zebra",
    "02439033": "giraffe",
}
# A whole that more stored senses than this descend from is too general to tell anything.
MAX_WHOLE_SPAN = 800
LOCATION_LEXFILE = 15
BODY_LEXFILE = 8
# Lexicographer files where WordNet's "part of" pointer means a drawable part (animal, artifact,
# body, plant); elsewhere it links units, foods and places ("centimeter" part of "meter").
PART_POINTER_LEXFILES = {5, 6, 8, 20}


def read_synsets(path: Path) -> dict[str, tuple[int, list[str], list[tuple[str, str]]]]:
    """offset -> (lexicographer file number, hypernym offsets, other noun pointers (symbol, offset))."""
    synsets: dict[str, tuple[int, list[str], list[tuple[str, str]]]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("  "):
                continue  # licence header
            fields = line.split(" | ", 1)[0].split()
            offset, lexfile, n_words = fields[0], int(fields[1]), int(fields[3], 16)
            k = 4 + 2 * n_words
            n_ptrs = int(fields[k])
            hypernyms, others = [], []
            for i in range(n_ptrs):
                symbol, target, pos = fields[k + 1 + 4 * i:k + 4 + 4 * i]
                if pos != "n":
                    continue
                if symbol in ("@", "@i"):
                    hypernyms.append(target)
                if symbol != "@":
                    others.append((symbol, target))  # ("@i" is kept here too: it marks a name)
            synsets[offset] = (lexfile, hypernyms, others)
    return synsets


def ancestors(offset: str, synsets: dict, cache: dict[str, frozenset[str]]) -> frozenset[str]:
    if offset in cache:
        return cache[offset]
    cache[offset] = frozenset()  # guards against cycles
    found: set[str] = {offset}
    for parent in synsets[offset][1]:
        found |= ancestors(parent, synsets, cache)
    cache[offset] = frozenset(found)
    return cache[offset]


ARTIFACT_LEXFILE = 6
_NOT_PLURAL_ENDINGS = ("us", "is", "ss", "os", "ns", "as")


def synset_lines(path: Path) -> Iterator[tuple[list[str], str]]:
    """Each synset line of a WordNet data file as (its fields before the gloss, its gloss)."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("  "):
                continue  # licence header
            head, _, gloss = line.partition(" | ")
            yield head.split(), gloss


YOUNG = "01321579"  # young, offspring (of an animal)
_SEVERAL_KINDS = re.compile(r"\b(various|certain|any of|several)\b")


def young_of_several_kinds(path: Path, synsets: dict, cache: dict) -> frozenset[str]:
    """Offsets of young animals whose gloss names several kinds (flag "y")."""
    found: set[str] = set()
    for fields, gloss in synset_lines(path):
        if _SEVERAL_KINDS.search(gloss.split(";")[0]) and YOUNG in ancestors(fields[0], synsets, cache):
            found.add(fields[0])
    return frozenset(found)


_YOUNG_GLOSS = re.compile(r"^(?:an? |the )?young (?:of (?:an? )?)?([a-z][a-z -]*)")
_GLOSS_STOPS = frozenset({"or", "and", "that", "not", "up", "under", "having", "usually", "especially", "without",
                          "of", "with", "in", "e.g."})
_TOO_GENERAL = frozenset({"animal", "mammal", "creature", "organism"})


def young_species(path: Path, nouns: frozenset[str]) -> dict[str, str]:
    """offset -> the noun of the one kind an animal sense is the young of, by its gloss ("piglet":
    "a young pig" -> "pig"; "kitten": "young domestic cat" -> "domestic cat"; "filly": "a young
    female horse under ..." -> "horse"): the longest tail of the gloss's words, up to the first
    that no longer names the kind, that is a noun lemma."""
    found: dict[str, str] = {}
    for fields, gloss in synset_lines(path):
        match = _YOUNG_GLOSS.match(gloss.split(";")[0].strip().lower())
        if int(fields[1]) != 5 or match is None:
            continue
        words: list[str] = []
        for word in match.group(1).split():
            if word in _GLOSS_STOPS:
                break
            words.append(word)
        tails = (" ".join(words[k:]) for k in range(len(words)))
        species = next((t for t in tails if t.replace(" ", "_") in nouns), None)
        if species is not None and species not in _TOO_GENERAL:
            found[fields[0]] = species
    return found


def plural_by_nature(path: Path) -> frozenset[str]:
    """Offsets of made things whose names are plural by nature (flag "2")."""
    found: set[str] = set()
    for fields, gloss in synset_lines(path):
        if int(fields[1]) != ARTIFACT_LEXFILE:
            continue
        words = [fields[4 + 2 * i].lower() for i in range(int(fields[3], 16))]
        # (a word in -us, -is, -ss, -os, -ns or -as is no plural: "abacus", "lens", "bus")
        if (all(w.endswith("s") and not w.endswith(_NOT_PLURAL_ENDINGS) for w in words)
                or any(w.startswith("pair_of_") for w in words)
                or gloss.startswith(("(usually plural)", "(usually in the plural)"))):
            found.add(fields[0])
    return frozenset(found)


def flags(offset: str, synsets: dict, cache: dict, plural_things: frozenset[str] = frozenset(),
          young: frozenset[str] = frozenset()) -> str:
    lexfile, _, others = synsets[offset]
    above = ancestors(offset, synsets, cache)
    out = [flag for flag, anchors in ANCHORS.items() if above.intersection(anchors)]
    if offset in plural_things:
        out.append("2")
    if offset in young:
        out.append("y")
    if "p" not in out and (lexfile == BODY_LEXFILE or (
            lexfile in PART_POINTER_LEXFILES and any(sym == "#p" for sym, _ in others))):
        out.append("p")
    if "l" not in out and lexfile == LOCATION_LEXFILE:
        out.append("l")
    if any(sym == "@i" for sym, _ in others):
        out.append("i")
    cls = next((name for anchor, name in CLASS_ANCHORS.items() if anchor in above), None)
    return "".join(sorted(out)) + (f"={cls}" if cls else "")


def wholes_of(offset: str, synsets: dict) -> set[str]:
    """The wholes a part sense belongs to: its part-of holonyms and theirs (a door is part of a
    wall, which is part of a building), each with its direct hypernyms (a chair's leg fits any seat)."""
    holonyms: set[str] = set()
    frontier = [offset]
    for _ in range(2):
        frontier = [target for o in frontier for sym, target in synsets[o][2] if sym == "#p"]
        holonyms.update(frontier)
    return holonyms | {parent for h in holonyms for parent in synsets[h][1]}


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def read_index(wordnet_dir: Path) -> list[tuple[str, list[str], bool]]:
    """(lemma, its first MAX_SENSES sense offsets, whether their order is attested by sense
    frequencies) for every stored noun lemma."""
    entries = []
    with (wordnet_dir / "index.noun").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("  "):
                continue
            fields = line.split()
            words = fields[0].split("_")
            if len(words) > MAX_WORDS or not all(w.replace("-", "").isalpha() and w.isascii() for w in words):
                continue
            n_senses, n_ptr_types = int(fields[2]), int(fields[3])
            tagged = int(fields[4 + n_ptr_types + 1])
            entries.append((" ".join(words), fields[4 + n_ptr_types + 2:][:n_senses][:MAX_SENSES],
                            tagged > 0 or n_senses == 1))
    return entries


TOPS_LEXFILE, OBJECT_LEXFILE = 3, 17
PHYSICAL_OBJECT = "00002684"


# Top concepts filed with the things below them: an animal as an animal, a plant as a plant.
TOP_KINDS = {"00015388": 5, "00017222": 20}  # animal (noun.animal), plant (noun.plant)


def lexfile_of(offset: str, synsets: dict, cache: dict) -> int:
    """The sense's lexicographer file; a top concept that is a physical object ("animal",
    "creature", "object", "artifact") is filed like the things below it: "animal" and "creature"
    as animals, "plant" as a plant, the rest as objects."""
    lexfile = synsets[offset][0]
    if lexfile == TOPS_LEXFILE and PHYSICAL_OBJECT in ancestors(offset, synsets, cache):
        above = ancestors(offset, synsets, cache)
        return next((kind for top, kind in TOP_KINDS.items() if top in above), OBJECT_LEXFILE)
    return lexfile


def build(wordnet_dir: Path) -> list[str]:
    synsets = read_synsets(wordnet_dir / "data.noun")
    plural_things = plural_by_nature(wordnet_dir / "data.noun")
    cache: dict[str, frozenset[str]] = {}
    young = young_of_several_kinds(wordnet_dir / "data.noun", synsets, cache)
    entries = read_index(wordnet_dir)
    species_of = young_species(wordnet_dir / "data.noun", frozenset(lemma.replace(" ", "_") for lemma, _, _ in entries))
    senses = sorted({o for _, offsets, _ in entries for o in offsets})
    span: dict[str, int] = {}
    for o in senses:
        for above in ancestors(o, synsets, cache):
            span[above] = span.get(above, 0) + 1
    part_wholes = {o: {w for w in wholes_of(o, synsets) if span.get(w, 0) <= MAX_WHOLE_SPAN} for o in senses}
    whole_ids = {w: _base36(i) for i, w in enumerate(sorted(set().union(*part_wholes.values())))}
    lines = []
    for lemma, offsets, attested in entries:
        codes = []
        for o in offsets:
            code, _, cls = flags(o, synsets, cache, plural_things, young).partition("=")
            is_whole = sorted(whole_ids[w] for w in ancestors(o, synsets, cache) if w in whole_ids)
            part_of = sorted(whole_ids[w] for w in part_wholes[o])
            code = f"{lexfile_of(o, synsets, cache):02d}{code}"
            code += f"<{'.'.join(part_of)}" if part_of else ""
            code += f">{'.'.join(is_whole)}" if is_whole else ""
            code += f"={cls}" if cls else ""
            codes.append(code + (f"^{species_of[o]}" if o in species_of and o not in young else ""))
        lines.append(f"{lemma}\t{'' if attested else '?'}{','.join(codes)}")
    return lines


# WordNet's verb sentence frames (wninput(5WN)) with a direct object, and with an object and
# an infinitive.
TRANSITIVE_FRAMES = frozenset({5, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21, 24, 25, 30, 31})
OBJECT_INFINITIVE_FRAMES = frozenset({24, 25})


def read_verb_synsets(path: Path) -> dict[str, tuple[int, dict[int, set[int]]]]:
    """offset -> (lexicographer file number, {word number in the synset (0: all): frame numbers})."""
    synsets: dict[str, tuple[int, dict[int, set[int]]]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("  "):
                continue
            fields = line.split(" | ", 1)[0].split()
            offset, lexfile, n_words = fields[0], int(fields[1]), int(fields[3], 16)
            k = 4 + 2 * n_words
            k += 1 + 4 * int(fields[k])  # past the pointers
            frames: dict[int, set[int]] = {}
            for i in range(int(fields[k])):
                _, frame, word = fields[k + 1 + 3 * i:k + 4 + 3 * i]
                frames.setdefault(int(word, 16), set()).add(int(frame))
            synsets[offset] = (lexfile, frames)
    return synsets


def _frames_of(lemma: str, offset: str, synsets: dict, words: dict[str, list[str]]) -> set[int]:
    """The frames a sense allows for this lemma: those of the whole synset and its own."""
    _, frames = synsets[offset]
    position = words[offset].index(lemma) + 1 if lemma in words[offset] else -1
    return frames.get(0, set()) | frames.get(position, set())


# The verb reading is the commoner one where the tagged corpus has it at least this many times
# and more than VERB_TO_NOUN_RATIO times as often as the noun ("drag" 33 to 1, "paint" 41 to 7;
# not "sign" 40 to 36, "print" 13 to 4).
MIN_VERB_TAGS = 5
VERB_TO_NOUN_RATIO = 4


def _verb_commoner(counts: list[int]) -> bool:
    nouns, verbs = counts
    return verbs >= MIN_VERB_TAGS and verbs > VERB_TO_NOUN_RATIO * nouns


def tagged_counts(wordnet_dir: Path) -> dict[str, list[int]]:
    """lemma -> [noun, verb] occurrences in WordNet's sense-tagged corpus (cntlist.rev)."""
    counts: dict[str, list[int]] = {}
    with (wordnet_dir / "cntlist.rev").open(encoding="utf-8") as fh:
        for line in fh:
            key, _, count = line.split()
            lemma, _, sense = key.partition("%")
            if sense[:1] in ("1", "2"):
                counts.setdefault(lemma, [0, 0])[int(sense[0]) - 1] += int(count)
    return counts


def build_verbs(wordnet_dir: Path) -> list[str]:
    """"lemma<TAB>lexicographer file of its first sense<TAB>frame flags" for every single-word verb."""
    synsets = read_verb_synsets(wordnet_dir / "data.verb")
    counts = tagged_counts(wordnet_dir)
    words: dict[str, list[str]] = {}
    with (wordnet_dir / "data.verb").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("  "):
                fields = line.split()
                n_words = int(fields[3], 16)
                words[fields[0]] = [fields[4 + 2 * i].lower() for i in range(n_words)]
    lines = []
    with (wordnet_dir / "index.verb").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("  "):
                continue
            fields = line.split()
            lemma = fields[0]
            if "_" in lemma or not lemma.isalpha():
                continue
            n_ptr_types = int(fields[3])
            offsets = fields[4 + n_ptr_types + 2:]
            frames = [_frames_of(lemma, o, synsets, words) for o in offsets]
            flags = ("t" if any(f & TRANSITIVE_FRAMES for f in frames) else "") \
                + ("n" if frames[0] - TRANSITIVE_FRAMES else "") \
                + ("o" if any(f & OBJECT_INFINITIVE_FRAMES for f in frames[:3]) else "") \
                + ("v" if _verb_commoner(counts.get(lemma, [0, 0])) else "")
            lines.append(f"{lemma}\t{synsets[offsets[0]][0]:02d}\t{flags}")
    return lines


def build_adjectives(wordnet_dir: Path) -> list[str]:
    """Every single-word adjective lemma WordNet lists (head adjectives and satellites)."""
    with (wordnet_dir / "index.adj").open(encoding="utf-8") as fh:
        lemmas = {line.split(" ", 1)[0] for line in fh if not line.startswith("  ")}
    return sorted(lemma for lemma in lemmas if "_" not in lemma)


def _write(lines: list[str], out: Path, what: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same input gives the same bytes
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"{len(lines)} {what} -> {out} ({out.stat().st_size} bytes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=WORDNET_DIR, help="WordNet 3.0 dict folder")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    _write(build(args.wordnet), args.out, "noun lemmas")
    _write(build_verbs(args.wordnet), args.out.with_name("wordnet_verbs.tsv.gz"), "verb lemmas")
    _write(build_adjectives(args.wordnet), args.out.with_name("wordnet_adjectives.txt.gz"), "adjective lemmas")


if __name__ == "__main__":
    main()
