"""Round 12 (spatial helper): spatial relations the parser missed while both objects were found."""

from __future__ import annotations

import pytest

from stagestudio.scene.parser import parse_prompt


def _relations(prompt: str) -> set[tuple[str, str, str]]:
    graph = parse_prompt(prompt)
    name = {o.id: o.name for o in graph.objects}
    return {(name[r.subject], r.predicate, name[r.object]) for r in graph.relations}


@pytest.mark.parametrize(("prompt", "relation"), [
    # the parse hangs the place phrase from the thing named after "with": it places that thing
    ("a pickup truck with a canoe on the roof", ("boat", "on", "truck")),  # the roof: the truck's part
    ("a sailor with a parrot on his shoulder", ("bird", "on", "person")),
    ("a beekeeper with a bee on her glove", ("bee", "on", "person")),  # a worn thing: its wearer
    ("a girl with a kitten in a basket", ("cat", "inside", "basket")),
])
def test_a_place_after_a_with_object_places_it(prompt, relation):
    assert relation in _relations(prompt)


@pytest.mark.parametrize(("prompt", "relation"), [
    # a part or a worn thing after "with" is the holder's: the place is the holder's
    ("a dog with a blue collar on a couch", ("dog", "on", "couch")),
    ("a man with a beard on a bench", ("person", "on", "bench")),
    # "with" after a verb says what it is done with
    ("a cook slices a loaf with a knife on a cutting board", ("loaf", "on", "cutting board")),
])
def test_a_place_after_a_detail_stays_the_holders(prompt, relation):
    assert relation in _relations(prompt)


def _related_to_both_people(prompt: str, subject: str, predicate: str) -> bool:
    graph = parse_prompt(prompt)
    name = {o.id: o.name for o in graph.objects}
    targets = [r.object for r in graph.relations
               if name[r.subject] == subject and r.predicate == predicate and name[r.object] == "person"]
    return len(set(targets)) == 2


@pytest.mark.parametrize(("prompt", "subject", "predicate"), [
    # "them" carries on the people the previous sentence was about, not things it mentioned
    ("A farmer and his wife carry baskets of apples. A dog trots behind them.", "dog", "behind"),
    ("A boy and his grandfather sit on crates. A lantern hangs above them.", "lantern", "above"),
    ("A nurse and a doctor wheel two trolleys down the hall. Behind them, a porter mops the floor.",
     "person", "behind"),
])
def test_them_means_the_people_the_previous_sentence_was_about(prompt, subject, predicate):
    assert _related_to_both_people(prompt, subject, predicate)


def test_them_of_things_stays_the_latest_mention():
    # (of things the latest mention is what "them" means: not the flags the sentence was about)
    assert ("yak", "behind", "tent") in _relations(
        "Prayer flags are strung between two poles above the tents. Behind them, a line of yaks walks.")


@pytest.mark.parametrize(("prompt", "relation"), [
    # one who watches someone "from" a place is on it, or inside it when it is an enclosure
    ("a white rabbit watches the children from a hutch", ("rabbit", "inside", "hutch")),
    ("Two boys play chess. A parrot watches them from its cage.", ("bird", "inside", "cage")),
    ("a cat watches the birds from a stack of crates", ("cat", "on", "crate")),
    ("A toucan watches her from a branch above her head.", ("bird", "on", "branch")),
])
def test_a_watcher_is_where_it_watches_from(prompt, relation):
    assert relation in _relations(prompt)


@pytest.mark.parametrize(("prompt", "relation", "whose"), [
    # "his" after "her" in one sentence is another person than the one "her" meant
    ("a climber high on the wall above her belay partner, a coil of rope at his feet",
     ("rope", "next to", "person"), "partner"),
    ("a dancer leans on her partner, a top hat at his feet", ("hat", "next to", "person"), "partner"),
])
def test_his_after_her_is_someone_else(prompt, relation, whose):
    graph = parse_prompt(prompt)
    obj = {o.id: o for o in graph.objects}
    found = [r for r in graph.relations if (obj[r.subject].name, r.predicate, obj[r.object].name) == relation]
    assert found and obj[found[0].object].noun == whose


@pytest.mark.parametrize(("prompt", "relation"), [
    # a participle of what only a living thing does, after a thing named with "with", is the holder's
    ("a boy with a toy truck napping under a tree", ("person", "below", "tree")),
    ("a spaniel with a red bandana snoozing on a rug by the fire", ("dog", "on", "rug")),
    # a living thing named with "with" does it itself, and a thing rests on its own
    ("a woman with a puppy sleeping on her lap", ("dog", "on", "person")),
    ("a piano with a rose lying on its lid", ("rose", "on", "piano")),
])
def test_a_living_act_after_a_with_object(prompt, relation):
    assert relation in _relations(prompt)


@pytest.mark.parametrize(("prompt", "relation"), [
    # "the middle shelf" is one of a row, an ordinary place; "in the middle" alone is in the picture
    ("On the middle bench a backpacker sleeps.", ("person", "on", "bench")),
    ("a ceramic vase on the middle shelf", ("vase", "on", "shelf")),
    ("a lamp in the centre drawer", ("lamp", "inside", "drawer")),
])
def test_the_middle_one_of_a_row_is_a_place(prompt, relation):
    assert relation in _relations(prompt)


def test_in_the_middle_alone_still_orders_a_row():
    assert ("book", "left of", "cup") in _relations(
        "a laptop on the left, a notebook in the middle and a cup on the right")
