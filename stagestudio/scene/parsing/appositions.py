"""A second name for a thing just named, read from the dependency parse.

Paragraph writers describe an uncommon thing right after naming it: "a hank of wool on a swift, a
spinning wooden frame clamped to the counter", "a water tower, a great steel tank on stilts". The
phrase after the comma is the same thing, not a second one. The hand rule (`resolve._apposed`)
only sees a repeated head noun; the parse's `appos` arc says so for any noun. A list ("a cup, a
plate and a fork") is never read this way: a list goes on after the phrase.
"""

from __future__ import annotations

from stagestudio.scene.parsing.english import is_animate
from stagestudio.scene.parsing.items import Break, NounPhrase, Prep, Rel, span_of
from stagestudio.scene.parsing.state import Ref
from stagestudio.scene.parsing.tagging import tag_sentence


def apposed_by_parse(items: list, k: int, resolved: list) -> str | None:
    """The object the indefinite phrase items[k] renames, where it follows that object's phrase
    and a comma and the parse hangs its head from that phrase by an apposition."""
    item = items[k]
    if not (isinstance(item, NounPhrase) and item.determiner == "indefinite" and not item.plural
            and item.pronoun is None and k >= 2 and isinstance(items[k - 1], Break) and items[k - 1].word == ","):
        return None
    before = items[k - 2]
    if not isinstance(before, NounPhrase) or before.pronoun is not None or before.plural:
        return None
    if item.head != before.head and (_animate(item) or before.is_class and (item.is_class or _animate(before))):
        # a person or an animal is no other thing's second name, nor a class thing named so
        # by some other class ("a swift" the parser took for no bird may be a yarn swift)
        return None
    tokens = getattr(items, "tokens", None)
    tags = tag_sentence(tokens) if tokens else None
    if _list_goes_on(items, k, tags) or _points_back(items, k) or _after_fronted_place(items, k):
        return None
    span, before_span = span_of(item), span_of(before)
    if not tags or span is None or before_span is None or span[1] > len(tags):
        return None
    if not _renames(tags, span, before_span):
        return None
    ref = resolved[k - 2] if len(resolved) > k - 2 else None
    return ref.object_id if isinstance(ref, Ref) and ref.pronoun is None else None


def _list_goes_on(items: list, k: int, tags) -> bool:
    """Whether another noun phrase follows the next comma or 'and' (the phrase is a list's member),
    or a comma came right before the earlier phrase too. Neither counts where the parse says
    otherwise: the comma that closes a fronted place ("Behind the counter, the owner, a bearded
    man, ...") and a word after the closing comma the tagger reads as the clause's verb ("...,
    bags a comic": no "bags" to list)."""
    if k >= 3 and isinstance(items[k - 3], Break) and items[k - 3].word == "," and not _closes_fronted_place(items, k - 3):
        return True
    following = next((m for m in range(k + 1, len(items)) if isinstance(items[m], Break)), None)
    if following is None:
        return False
    after = items[following + 1] if following + 1 < len(items) else None
    return (items[following].word != "," or isinstance(after, NounPhrase) and not _read_as_verb(after, tags)
            or isinstance(after, Break) and after.word in ("and", "or", "&"))  # "..., and three rollers"


def _closes_fronted_place(items: list, comma: int) -> bool:
    """Whether the comma at items[comma] ends a place phrase that opens the clause ("Behind the
    counter,", "At the front desk,")."""
    opener = items[comma - 2] if comma >= 2 else None
    return (isinstance(items[comma - 1], NounPhrase)
            and (isinstance(opener, Rel) and opener.phrase.kind == "object" or isinstance(opener, Prep))
            and (comma == 2 or isinstance(items[comma - 3], Break)))


def _read_as_verb(np_: NounPhrase, tags) -> bool:
    """Whether the tagger reads the one word a bare phrase was made of as a verb."""
    span = span_of(np_)
    return (tags is not None and span is not None and span[1] - span[0] == 1 and span[1] <= len(tags)
            and np_.determiner == "none" and tags[span[0]].pos == "VERB")


def _renames(tags, span: tuple[int, int], before_span: tuple[int, int]) -> bool:
    """Whether the parse reads the phrase at `span` as another name for what precedes it: an
    apposition hung from the earlier phrase, or a second object or adverbial of the very word the earlier phrase hangs from
    ("spins a zoetrope, a slotted paper cylinder": two objects of one verb with no 'and')."""
    nouns = [t for t in range(*span) if tags[t].is_noun and not span[0] <= tags[t].head < span[1]]
    if not nouns:
        return False
    word = tags[nouns[0]]
    if word.dep == "appos":
        # (hung from a noun further back, it is a fragment's next item: "a satellite above the
        # moon, a comet behind it")
        return before_span[0] <= word.head < before_span[1]
    earlier = [t for t in range(*before_span) if tags[t].is_noun and not before_span[0] <= tags[t].head < before_span[1]]
    if not earlier:
        return False
    first = tags[earlier[0]]
    return word.head == first.head and (word.dep == first.dep or word.dep == "npadvmod")


def _after_fronted_place(items: list, k: int) -> bool:
    """Whether the phrase before the comma is the object of a place phrase that opens the clause
    ("tucked behind the crate, a rope"): what follows the comma is the clause's subject, placed
    there, not the place's second name."""
    opener = k - 3
    return (opener >= 0 and isinstance(items[opener], Rel) and items[opener].phrase.kind == "object"
            and (opener == 0 or isinstance(items[opener - 1], Break)))


def _animate(np_: NounPhrase) -> bool:
    return is_animate(np_.head) or bool(np_.surface) and is_animate(np_.surface)


def _points_back(items: list, k: int) -> bool:
    """Whether the rest of the clause names someone by a pronoun ("a goat, a bucket beside her",
    "a mule, a sack on its back"): a thing placed by the one before it is another thing."""
    for item in items[k + 1:]:
        if isinstance(item, Break):
            return False
        if isinstance(item, NounPhrase) and (item.pronoun is not None or item.possessive is not None):
            return True
    return False
