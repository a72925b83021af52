"""The parser's eleventh round, spatial relations between objects both found. Each group checks
one general mechanism on prompts invented for it (none is taken from the gold sets); each prompt
failed before the change, except the guards (named so), which hold what must not move."""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


# --- "overhead" / "below" with no object: relative to the figure the sentence is about ---------
@pytest.mark.parametrize("prompt,relation", [
    ("a fisherman mending nets on the quay, gulls circling overhead", ("bird", "above", "person")),
    ("a weightlifter jerking a loaded barbell overhead", ("barbell", "above", "person")),
    ("a painter on a scaffold waving to a crowd below", ("person", "below", "person")),
    ("a roofer passing a bundle of shingles to the labourer below", ("person", "below", "person")),
])
def test_overhead_is_relative_to_the_figure(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(parse_prompt(prompt))


def test_guard_overhead_after_with_stays_with_its_holder() -> None:
    assert ("dog", "below", "kite") in _relations(parse_prompt("a kite with a dog below"))


# --- showing in part "out of" a holder is inside it ---------------------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a hamster peeping out of a teacup", ("hamster", "inside", "cup")),
    ("three pencils sticking out of a ceramic mug", ("pencil", "inside", "cup")),
    ("red apples spilling out of a wicker basket", ("apple", "inside", "basket")),
    ("a rolled map poking out of a leather satchel on the desk", ("map", "inside", "handbag")),
])
def test_peeking_out_of_is_inside(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(parse_prompt(prompt))


# --- "above both": the two things the sentence named before -----------------------------------
@pytest.mark.parametrize("prompt,expected", [
    ("a cat on the sofa and a dog on the rug, a ceiling fan above both",
     {("fan", "above", "cat"), ("fan", "above", "dog")}),
    ("a toaster next to the kettle, a clock on the wall behind both",
     {("clock", "behind", "toaster"), ("clock", "behind", "kettle")}),
    ("two armchairs facing the fireplace, a chandelier hanging above both", {("chandelier", "above", "chair")}),
])
def test_both_means_the_two_named_before(prompt: str, expected: set[tuple[str, str, str]]) -> None:
    assert expected <= _relations(parse_prompt(prompt))


def test_guard_both_as_a_count_word_counts_nothing() -> None:
    graph = parse_prompt("a cat on the sofa and a dog on the rug, a ceiling fan above both")
    assert all(o.count == 1 for o in graph.objects)


# --- what is named "of" an enclosure is inside it ------------------------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a bamboo cage of songbirds hanging from the eaves", ("bird", "inside", "cage")),
    ("a corral of wild horses at dusk", ("horse", "inside", "corral")),
    ("a cupboard of jars and tins in the pantry", ("jar", "inside", "cupboard")),
])
def test_contents_of_an_enclosure_are_inside(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(parse_prompt(prompt))


def test_guard_a_rack_holds_things_on_it() -> None:
    assert ("helmet", "on", "rack") in _relations(parse_prompt("a rack of helmets by the door"))


# --- "its" after "on the director's chair": the possessed place is placed, so not salient --------
@pytest.mark.parametrize("prompt,relation", [
    ("a teddy bear sits on the child's bed, with a night lamp to its right", ("lamp", "right of", "teddy bear")),
    ("a potted fern stands on the neighbour's porch, with a watering can to its left",
     ("watering can", "left of", "potted plant")),
])
def test_its_skips_a_possessed_place(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(parse_prompt(prompt))


# --- an aside after a comma ("topped with ...") describes the latest thing a clause was about;
# "to its right" is complete, so the noun after it is not its object -----------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a bench with a lamp to its left and a fence to its right, lined with ivy", ("ivy", "on", "fence")),
    ("a birdhouse on the left and a tall pole on the right, topped with a weather vane", ("vane", "on", "pole")),
])
def test_aside_describes_the_latest_clause_head(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(parse_prompt(prompt))


def test_guard_aside_after_a_placed_noun_is_the_subjects() -> None:
    assert ("butter", "on", "pancake") in _relations(parse_prompt("pancakes on a plate, topped with butter"))


# --- "the middle one", "the last one": one of the group named, placed relative to ---------------
@pytest.mark.parametrize("prompt,relation", [
    ("four jars on the shelf, a spoon resting on the last one", ("spoon", "on", "jar")),
    ("five canoes pulled up on the beach, a paddle propped against the nearest one", ("paddle", "next to", "boat")),
    ("two lamps flank the sofa, a book beside the left one", ("book", "next to", "lamp")),
])
def test_a_ranked_one_is_one_of_the_group(prompt: str, relation: tuple[str, str, str]) -> None:
    assert relation in _relations(parse_prompt(prompt))


def test_guard_a_ranked_one_keeps_the_group_count() -> None:
    graph = parse_prompt("two lamps flank the sofa, a book beside the left one")
    assert [o.count for o in graph.objects if o.name == "lamp"] == [2]


# --- "them" after a coordinated subject is never that subject's own members ---------------------
def test_them_is_not_the_subjects_own_list() -> None:
    relations = _relations(parse_prompt("Three kids play on the lawn. Balls and hoops lie scattered around them."))
    assert {("sports ball", "next to", "person"), ("hoop", "next to", "person")} <= relations
    assert ("hoop", "next to", "sports ball") not in relations


def test_guard_him_after_a_coordinated_subject() -> None:
    prompt = "A farmer rests under an oak. A rake and a pitchfork lean on the fence behind him."
    relations = _relations(parse_prompt(prompt))
    assert {("rake", "behind", "person"), ("pitchfork", "behind", "person")} <= relations
