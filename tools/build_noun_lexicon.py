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

Output: stagestudio/scene/parsing/data/wordnet_nouns.tsv.gz, lines "lemma<TAB>sense,sense"
where a sense is its two-digit lexicographer file number followed by its flags.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

WORDNET_DIR = Path("/usr/share/wordnet")
OUT = Path(__file__).resolve().parents[1] / "stagestudio" / "scene" / "parsing" / "data" / "wordnet_nouns.tsv.gz"
MAX_SENSES = 4
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
          "04531098"),  # vessel (container)
    "u": ("13583724",  # unit of measurement
          "15154774"),  # time unit
    "l": ("09287968",  # geological formation
          "09225146",  # body of water
          "09334396",  # land, ground
          "04105893",  # room
          "02735688"),  # area (part of a structure)
}
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
                else:
                    others.append((symbol, target))
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


def flags(offset: str, synsets: dict, cache: dict) -> str:
    lexfile, _, others = synsets[offset]
    above = ancestors(offset, synsets, cache)
    out = [flag for flag, anchors in ANCHORS.items() if above.intersection(anchors)]
    if "p" not in out and (lexfile == BODY_LEXFILE or (
            lexfile in PART_POINTER_LEXFILES and any(sym == "#p" for sym, _ in others))):
        out.append("p")
    if "l" not in out and lexfile == LOCATION_LEXFILE:
        out.append("l")
    return "".join(sorted(out))


def build(wordnet_dir: Path) -> list[str]:
    synsets = read_synsets(wordnet_dir / "data.noun")
    cache: dict[str, frozenset[str]] = {}
    lines = []
    with (wordnet_dir / "index.noun").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("  "):
                continue
            fields = line.split()
            lemma = fields[0]
            words = lemma.split("_")
            if len(words) > MAX_WORDS or not all(w.replace("-", "").isalpha() and w.isascii() for w in words):
                continue
            n_senses, n_ptr_types = int(fields[2]), int(fields[3])
            offsets = fields[4 + n_ptr_types + 2:][:n_senses]
            senses = [f"{synsets[o][0]:02d}{flags(o, synsets, cache)}" for o in offsets[:MAX_SENSES]]
            lines.append(f"{' '.join(words)}\t{','.join(senses)}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=WORDNET_DIR, help="WordNet 3.0 dict folder")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    lines = build(args.wordnet)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same input gives the same bytes
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"{len(lines)} noun lemmas -> {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
