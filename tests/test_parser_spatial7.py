"""Spatial relations, round 7 (issue 9): mechanisms found on the unseen prompts, each checked on
prompts written for these tests (other domains than the gold sets')."""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


def _check(prompt: str, expected: set[tuple[str, str, str]], absent: set[tuple[str, str, str]]) -> None:
    """The prompt's graph states every `expected` relation and none of `absent` (the readings the
    mechanism replaces)."""
    relations = _relations(parse_prompt(prompt))
    assert expected <= relations, relations
    assert not absent & relations, relations


# --- a coordinated subject that opens a clause after ", and": the place phrase describes every member
@pytest.mark.parametrize("prompt,expected", [
    ("A mechanic repairs a tractor, and a wrench and two screwdrivers lie on the ground beside him",
     {("wrench", "next to", "person"), ("screwdriver", "next to", "person")}),
    ("The old captain steers the ship, and a parrot and a monkey sit on the railing behind him",
     {("bird", "behind", "person"), ("monkey", "behind", "person")}),
    ("A potter shapes a bowl at the wheel, and a sponge and a wire cutter rest on the bench near her",
     {("sponge", "near", "person"), ("wire cutter", "near", "person")}),
])
def test_a_list_after_comma_and_is_placed_as_a_whole(prompt, expected):
    _check(prompt, expected, set())


# --- a definite relation object that is a part of an earlier object only in a rare sense (a
# "shore" is first a coast, a prop only later; a "wall" first a building's, a body wall only
# later) is the setting, not that object: no relation to it; a part in its common sense still is
@pytest.mark.parametrize("prompt,absent", [
    ("a sailor coiling ropes on the harbor wall", ("rope", "on", "person")),
    ("a grandmother drying towels on the garden wall", ("towel", "on", "person")),
    ("a tent pitched near the trees, a kayak resting on the shore", ("boat", "on", "tent")),
    ("a boy eating an apple on the wall", ("apple", "on", "person")),
])
def test_a_part_in_a_rare_sense_is_not_the_earlier_objects(prompt, absent):
    _check(prompt, set(), {absent})


@pytest.mark.parametrize("prompt,expected", [
    ("a cat asleep on the seat of the bench", ("cat", "on", "bench")),
    ("a kettle on the burner of the stove", ("kettle", "on", "oven")),
])
def test_a_part_in_its_common_sense_still_places_on_its_owner(prompt, expected):
    _check(prompt, {expected}, set())


# --- a holder's contents begin with a bare noun; a member named with an article or a number
# after it is a thing of its own, placed by what follows, never held
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a bowl of cherries and a knife on a cutting board", {("knife", "on", "cutting board")},
     {("knife", "inside", "bowl")}),
    ("a jar of nails and two hammers on the workbench", {("nail", "inside", "jar")},
     {("hammer", "inside", "jar")}),
    ("a bucket of sand and a small shovel beside the sandcastle", {("shovel", "next to", "sandcastle")},
     {("shovel", "inside", "bucket")}),
    ("a crate of oranges and lemons", {("orange", "inside", "crate"), ("lemon", "inside", "crate")}, set()),
])
def test_a_determined_member_ends_a_holders_contents(prompt, expected, absent):
    _check(prompt, expected, absent)


# --- "inside" as an adverb, its object left out: the thing inside is in what it was named with
@pytest.mark.parametrize("prompt,expected", [
    ("a fishbowl with a goldfish inside", ("goldfish", "inside", "fishbowl")),
    ("a glass cabinet with a violin inside", ("violin", "inside", "cabinet")),
    ("a shopping cart with a toddler sitting inside", ("person", "inside", "cart")),
    ("a cast iron pan, 12 inch, with a wooden spoon resting inside", ("spoon", "inside", "pan")),
])
def test_inside_with_its_object_left_out_is_inside_the_holder(prompt, expected):
    _check(prompt, {expected}, set())


def test_a_bare_in_with_nothing_after_places_nothing():
    # "sliced in half": "in" names no place, so the egg is in nothing
    graph = parse_prompt("a bowl of noodles on a table, topped with an egg sliced in half")
    assert not any(p == "inside" and s == "egg" for s, p, _ in _relations(graph))


# --- a finite verb after "X on Y": the verb's place phrase is X's, not the thing X stands on;
# a plural noun that could be a verb ("pawns") is still read as the noun it ends
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a lantern on a long pole stands beside the gate", ("lantern", "next to", "gate"), ("pole", "next to", "gate")),
    ("a parrot on a wooden perch squawks behind the counter", ("bird", "behind", "counter"),
     ("perch", "behind", "counter")),
    ("a clock on a brass bracket hangs above the door", ("clock", "above", "door"), ("bracket", "above", "door")),
    ("a toy soldier standing behind a row of pawns on the table", ("pawn", "on", "dining table"),
     ("person", "on", "dining table")),
])
def test_a_finite_verbs_place_is_its_subjects(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- "To the left of X, a Y ...": the comma after a fronted place ends the place, it lists
# nothing, so Y is what its clause is about and what a later "it" means first
@pytest.mark.parametrize("prompt,expected,absent", [
    ("To the left of the oven, a mixer stands on a tray, and a cat sits on a stool beside it",
     ("stool", "next to", "mixer"), ("stool", "next to", "tray")),
    ("In front of the shed, a wheelbarrow rests on a plank, and a dog lies on a mat next to it",
     ("mat", "next to", "wheelbarrow"), ("mat", "next to", "plank")),
    ("Behind the sofa, a floor lamp stands on a rug, and a guitar leans against a stool beside it",
     ("stool", "next to", "lamp"), ("stool", "next to", "rug")),
])
def test_a_fronted_place_is_no_list_member_for_a_pronoun(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- a path along a thing ("down a ladder", "up a rope") is "on" it, after a verb of motion or
# the thing carried; a verb's particle ("puts down a plate") and a place ("down the slope") relate nothing
@pytest.mark.parametrize("prompt,expected", [
    ("a cat sliding down a banister", ("cat", "on", "banister")),
    ("a monkey swinging down a rope", ("monkey", "on", "rope")),
    ("a sailor carrying a crate down a gangplank", ("person", "on", "gangplank")),
])
def test_a_path_along_a_thing_is_on_it(prompt, expected):
    _check(prompt, {expected}, set())


@pytest.mark.parametrize("prompt", ["a waiter puts down a plate", "kids racing down the slope",
                                    "a boy picks up a stick"])
def test_a_particle_or_a_place_after_down_relates_nothing_on(prompt):
    assert not any(p == "on" for _, p, _ in _relations(parse_prompt(prompt)))


# --- "putting them into a jar": what a verb puts into a holder is in it, its agent is not
@pytest.mark.parametrize("prompt,expected,absent", [
    ("A boy collects shells and puts them into a jar", ("shell", "inside", "jar"), ("person", "inside", "jar")),
    ("A girl picks apples and drops them into a basket", ("apple", "inside", "basket"),
     ("person", "inside", "basket")),
])
def test_a_pronoun_object_put_into_a_holder_is_inside_it(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- "X ..., between A and B": a "between" aside after a comma is about the sentence's subject
@pytest.mark.parametrize("prompt,expected", [
    ("the vase stands in the middle of the table, between a candle and a bowl of fruit",
     {("vase", "next to", "candle"), ("vase", "next to", "bowl")}),
    ("a lamp glows on the desk, between a stack of books and a mug",
     {("lamp", "next to", "book"), ("lamp", "next to", "cup")}),
    ("the clock hangs on the wall, between two paintings", {("clock", "next to", "painting")}),
])
def test_a_between_aside_places_the_sentence_subject(prompt, expected):
    _check(prompt, expected, set())


# --- a relation to a part a product listing gave an object ("2 burners", then "on one burner")
# is a relation to that object, not to a new thing
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a gas grill, 4 burners, with a frying pan on one burner", ("pan", "on", "grill"), ("pan", "on", "burner")),
    ("Wooden sofa, 3 seats, grey, with a cat asleep on one seat", ("cat", "on", "couch"), ("cat", "on", "seat")),
    ("Camping stove, 2 burners, with a kettle on one burner, on a picnic table", ("kettle", "on", "oven"),
     ("kettle", "on", "burner")),
])
def test_a_listed_part_places_on_its_owner(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- "X on a plate, topped with Y": a holder phrase after a comma is about the sentence's subject
@pytest.mark.parametrize("prompt,expected,absent", [
    ("A slice of cheesecake on a glass plate, topped with fresh strawberries and mint",
     {("strawberry", "on", "cake")}, {("strawberry", "on", "plate")}),
    ("A pizza on a metal tray, covered with olives and basil", {("olive", "on", "pizza"), ("basil", "on", "pizza")},
     {("olive", "on", "tray")}),
    ("A stack of crepes on a blue plate, topped with sliced bananas", {("banana", "on", "crepe")},
     {("banana", "on", "plate")}),
])
def test_a_holder_aside_after_a_comma_is_the_subjects(prompt, expected, absent):
    _check(prompt, expected, absent)


# --- "X in a holder by the front door": a place phrase never names a part of its own subject
@pytest.mark.parametrize("prompt,expected", [
    ("a wallet in a tray next to the front door", ("tray", "next to", "door")),
    ("a phone in a basket near the front door", ("basket", "near", "door")),
])
def test_a_place_is_not_a_part_of_its_own_subject(prompt, expected):
    _check(prompt, {expected}, set())


def test_a_part_of_another_object_still_places_on_that_object():
    _check("a cat beside the front tire of a truck", {("cat", "next to", "truck")}, set())


# --- "crates of crabs and mussels behind him": a place phrase after a holder's contents places the
# holder, not its last content (whatever the relation: "baskets of peaches and plums on a table")
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a bowl of apples and pears beside a candle", ("bowl", "next to", "candle"), ("pear", "next to", "candle")),
    ("jars of pickles and jams near the window", ("jar", "near", "window"), ("jam", "near", "window")),
    ("A carpenter saws a plank. Buckets of nails and screws stand behind him.", ("bucket", "behind", "person"),
     ("screw", "behind", "person")),
    ("Baskets of peaches and plums sit on a folding table", ("basket", "on", "dining table"),
     ("plum", "on", "dining table")),
    ("Boxes of nails and screws rest on the workbench", ("box", "on", "workbench"), ("screw", "on", "workbench")),
])
def test_a_place_after_contents_places_the_holder(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- "at its foot", "at its base", "in its centre": a fixed "at the foot of" phrase whose owner is
# a possessive pronoun relates to what the pronoun means
@pytest.mark.parametrize("prompt,expected", [
    ("an old oak tree with a wooden bench at its base", ("bench", "below", "tree")),
    ("a lighthouse on a cliff with a small cottage at its foot", ("cottage", "below", "lighthouse")),
    ("a round table with a vase of tulips in its centre", ("vase", "on", "dining table")),
    ("a fountain in a plaza with a statue in its center", ("statue", "on", "fountain")),
])
def test_a_portion_phrase_owned_by_a_pronoun_relates_to_its_owner(prompt, expected):
    _check(prompt, {expected}, set())


# --- a thing named through "with" is less salient than what it hangs on: "with a mug to its left
# and a lamp behind it" means the laptop both times
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a laptop on a desk with a coffee mug to its left and a lamp behind it", ("lamp", "behind", "laptop"),
     ("lamp", "behind", "cup")),
    ("a sofa with a floor lamp to its right and a bookshelf behind it", ("bookshelf", "behind", "couch"),
     ("bookshelf", "behind", "lamp")),
    ("a bed under the window with a nightstand to its left and a rug in front of it", ("rug", "in front of", "bed"),
     ("rug", "in front of", "nightstand")),
])
def test_a_with_detail_is_not_what_a_later_it_means(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- "below it on the radiator": a pronoun a relation placed is not the subject of the next place phrase
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a lantern on the windowsill, with a cat sitting right below it on the radiator", ("cat", "on", "radiator"),
     ("lantern", "on", "radiator")),
    ("a clock on the wall, with a dog sleeping right below it on a cushion", ("dog", "on", "cushion"),
     ("clock", "on", "cushion")),
    ("a mirror on the wall, with a boy standing below it on a stool", ("person", "on", "stool"),
     ("mirror", "on", "stool")),
])
def test_a_placed_pronoun_is_not_the_next_phrases_subject(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- "steam rising above the pot, a ladle resting beside it": a place phrase after a subject that is
# not drawn belongs to that subject, never to what the next clause names
@pytest.mark.parametrize("prompt,expected,absent", [
    ("steam rising above the pot, a ladle resting beside it", ("ladle", "next to", "pot"), ("ladle", "above", "pot")),
    ("rain falling on the greenhouse, a wheelbarrow parked beside it", ("wheelbarrow", "next to", "greenhouse"),
     ("wheelbarrow", "on", "greenhouse")),
    ("snow piled on the roof of the shed, a sled leaning beside it", ("sled", "next to", "shed"),
     ("sled", "on", "shed")),
])
def test_a_place_of_an_undrawn_subject_is_not_the_next_clauses(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- "in its top", "on its top": the preposition of containment or contact decides, not "top"
@pytest.mark.parametrize("prompt,expected,absent", [
    ("an old oak with a treehouse built in its top", ("treehouse", "inside", "oak"), ("treehouse", "above", "oak")),
    ("a tall cabinet with a cat asleep on its top", ("cat", "on", "cabinet"), ("cat", "above", "cabinet")),
])
def test_in_or_on_its_top_is_inside_or_on(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- in a relative clause, "its" means first what the clause is about
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a sofa facing a fireplace that has a clock to its left", ("clock", "left of", "fireplace"),
     ("clock", "left of", "couch")),
    ("a bus parked beside a tree that has a kite caught in its top", ("kite", "inside", "tree"),
     ("kite", "above", "bus")),
])
def test_its_in_a_relative_clause_is_the_clauses_head(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- "X on the ice behind a boat": a layer of stuff X lies on is not what the next place phrase describes
@pytest.mark.parametrize("prompt,expected,absent", [
    ("seals lying on the ice behind a fishing boat", ("seal", "behind", "boat"), ("ice", "behind", "boat")),
    ("two penguins standing on the ice in front of a research hut", ("bird", "in front of", "hut"),
     ("ice", "in front of", "hut")),
    ("melons lying on the straw beneath a wooden cart", ("melon", "below", "cart"), ("straw", "below", "cart")),
])
def test_a_layer_of_stuff_passes_the_place_to_what_lies_on_it(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


# --- "on the floor" of a building named before is the setting, as any floor is, not the building
@pytest.mark.parametrize("prompt,expected,absent", [
    ("An old barn stands in a field. A cat naps on the floor next to a hay bale.", {("cat", "next to", "bale")},
     {("cat", "on", "barn")}),
    ("A greenhouse full of orchids. A watering can sits on the floor near a bench.",
     {("watering can", "near", "bench")}, {("watering can", "on", "greenhouse"), ("greenhouse", "near", "bench")}),
])
def test_a_buildings_floor_is_setting(prompt, expected, absent):
    _check(prompt, expected, absent)


# --- "behind her stand two lamps": after a relation, "her" before a verb and its subject is the
# relation's object, not a possessive ("next to her stand mixer" stays one)
@pytest.mark.parametrize("prompt,expected,absent", [
    ("A girl reads. Behind her stand two tall lamps.", ("lamp", "behind", "person"), ("lamp", "behind", "stand")),
    ("A chef cooks. In front of her lie two knives.", ("knife", "in front of", "person"), None),
    ("A woman sits. On the table in front of her stand a vase and a candle.",
     ("dining table", "in front of", "person"), ("dining table", "in front of", "stand")),
])
def test_her_before_an_inverted_verb_is_the_relations_object(prompt, expected, absent):
    _check(prompt, {expected}, {absent} if absent else set())


def test_her_before_a_noun_stays_a_possessive():
    _check("a cat next to her stand mixer", {("cat", "next to", "mixer")}, set())


# --- an inverted list ("On the workbench lie a box of screws, a hammer and ..."): every holder listed
# is placed, past what the first one holds
@pytest.mark.parametrize("prompt,expected", [
    ("On the workbench lie a box of screws, a hammer and a tape measure.",
     {("box", "on", "workbench"), ("hammer", "on", "workbench"), ("tape measure", "on", "workbench")}),
    ("Beside the sink stand a jar of spoons, a kettle and a toaster.",
     {("jar", "next to", "sink"), ("kettle", "next to", "sink"), ("toaster", "next to", "sink")}),
])
def test_an_inverted_list_places_every_holder(prompt, expected):
    _check(prompt, expected, set())


@pytest.mark.parametrize("prompt,expected", [
    ("The mixture of honey and lemon juice in a mug", ("mixture", "inside", "cup")),
    ("a mixture of sand and cement in a wheelbarrow", ("mixture", "inside", "wheelbarrow")),
])
def test_a_place_after_an_undrawn_list_member_is_the_lists_heads(prompt, expected):
    # the juice is not drawn, but it ends the list "of honey and lemon juice", whose head is placed
    _check(prompt, {expected}, set())


# --- "X in a pot stands in the corner to the left of Y": a setting word right after another noun
# phrase is a verb's complement, so the place phrase after it is the verb's subject's
@pytest.mark.parametrize("prompt,expected,absent", [
    ("A fern in a clay pot stands in the corner to the left of the bookcase", ("fern", "left of", "bookcase"),
     ("pot", "left of", "bookcase")),
    ("A lamp on a brass stand sits in the corner behind the armchair", ("lamp", "behind", "chair"),
     ("stand", "behind", "chair")),
])
def test_a_place_after_a_verbs_setting_complement_is_the_subjects(prompt, expected, absent):
    _check(prompt, {expected}, {absent})


@pytest.mark.parametrize("prompt", ["a kite in the top and a boat in the bottom",
                                    "a sun in the top of the image and a boat at the bottom"])
def test_in_the_top_of_the_picture_stays_a_placement(prompt):
    relations = _relations(parse_prompt(prompt))
    assert relations & {(prompt.split()[1], "above", "boat"), ("boat", "below", prompt.split()[1])}
    assert not any(p == "inside" for _, p, _ in relations)
