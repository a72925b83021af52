"""Spatial relations, round 5 (issue 9): mechanisms found on prompts the rules were not written
for, each checked on prompts written for these tests (other domains than the gold sets')."""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


def _actions(graph: SceneGraph) -> set[str]:
    return {r.predicate for r in graph.relations if not r.is_spatial}


def _check(prompt: str, expected: tuple[str, str, str], absent: tuple[str, str, str] | None) -> None:
    """The prompt's graph states `expected` and not `absent` (the reading the rule replaces)."""
    relations = _relations(parse_prompt(prompt))
    assert expected in relations
    assert absent not in relations


# --- "X is to its right": "be" with a side phrase is a place, never an action "being to"; the
# definite subject of such a phrase is drawn, and "its" means the earlier clause's subject
@pytest.mark.parametrize("prompt,expected", [
    ("the kettle is on the counter and the toaster is to its left", ("toaster", "left of", "kettle")),
    ("the anvil is near the forge and the bucket is to its right", ("bucket", "right of", "anvil")),
    ("the scanner is on the desk and the shredder is to its left", ("shredder", "left of", "scanner")),
    ("the tent is by the lake and the canoe is to its right", ("boat", "right of", "tent")),
])
def test_a_side_phrase_after_is_places_the_clause_subject(prompt, expected):
    graph = parse_prompt(prompt)
    assert expected in _relations(graph)
    assert not any(a.startswith("being") for a in _actions(graph))


# --- a row with a middle: each end relates to the middle, never the ends to each other
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a red mug on the left, a teapot in the middle and a sugar bowl on the right",
     {("cup", "left of", "teapot"), ("teapot", "left of", "bowl")}, ("cup", "left of", "bowl")),
    ("a saddle at the top, a bridle in the middle and a bucket at the bottom",
     {("saddle", "above", "bridle"), ("bridle", "above", "bucket")}, ("saddle", "above", "bucket")),
    ("violin on the left, cello in the centre, harp on the right",
     {("violin", "left of", "cello"), ("cello", "left of", "harp")}, ("violin", "left of", "harp")),
    ("a drum in the middle and a trumpet on the right", {("drum", "left of", "trumpet")}, None),
])
def test_a_middle_placement_stands_between_the_ends_of_its_row(prompt, expected, absent):
    relations = _relations(parse_prompt(prompt))
    assert expected <= relations
    assert absent not in relations


def test_a_lone_middle_placement_relates_nothing():
    assert _relations(parse_prompt("a birthday cake in the middle")) == set()


# --- a chain of fronted places: the second place describes the first place's object, and what
# the inverted clause names after the verb is on that object
@pytest.mark.parametrize("prompt,expected,absent", [
    ("On a shelf above the sink stand three jars and a candle.",
     {("shelf", "above", "sink"), ("jar", "on", "shelf"), ("candle", "on", "shelf")}, ("jar", "above", "sink")),
    ("On a wooden crate beside the fisherman lie a knife and a lantern.",
     {("crate", "next to", "person"), ("knife", "on", "crate"), ("lantern", "on", "crate")},
     ("knife", "next to", "person")),
    ("Under a table beside the stove sleep two cats.",
     {("dining table", "next to", "oven"), ("cat", "below", "dining table")}, ("cat", "next to", "oven")),
])
def test_a_chain_of_fronted_places_describes_the_first_place(prompt, expected, absent):
    relations = _relations(parse_prompt(prompt))
    assert expected <= relations
    assert absent not in relations


# --- "the barber" after "a barber ... a customer": the person called so, not the latest person
@pytest.mark.parametrize("prompt,called", [
    ("A barber shaves a customer, and a broom leans beside the barber.", "barber"),
    ("A guide leads a tourist up the hill while a mule walks behind the guide.", "guide"),
    ("A nurse helps a patient into bed; a trolley stands next to the nurse.", "nurse"),
])
def test_a_definite_noun_means_the_one_called_so(prompt, called):
    graph = parse_prompt(prompt)
    people = [o for o in graph.objects if o.name == "person"]
    assert len(people) == 2
    placed = {r.object for r in graph.relations if r.is_spatial and r.object in {p.id for p in people}}
    assert placed == {people[0].id}  # the first person named, the one called "the <called>"


# --- a setting word made of some stuff and placed by a positional relation is a bounded thing
@pytest.mark.parametrize("prompt,expected", [
    ("a goat standing next to a low brick wall", ("goat", "next to", "wall")),
    ("a fishing boat moored beside a wooden pier", ("boat", "next to", "pier")),
    ("a cyclist resting against a stone wall", ("person", "next to", "wall")),
    ("a heron waiting near an old concrete dock", ("bird", "near", "dock")),
])
def test_a_material_setting_word_placed_by_a_relation_is_drawn(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


def test_a_material_setting_word_that_stands_up_is_drawn_under_on():
    assert ("cat", "on", "wall") in _relations(parse_prompt("a cat sunning itself on a low brick wall"))
    assert ("bird", "on", "fence") in _relations(parse_prompt("a crow perched on a wooden fence"))


@pytest.mark.parametrize("prompt,setting", [
    ("a cat sleeping on a wooden floor", "floor"),
    ("a boy skating on a concrete sidewalk", "sidewalk"),
    ("a man walking next to the road", "road"),
    ("a horse grazing beside a busy street", "street"),
])
def test_a_setting_word_without_stuff_or_position_stays_setting(prompt, setting):
    assert setting not in {o.name for o in parse_prompt(prompt).objects}


# --- "X in front of its beak": a thing is not placed by its own part; the part's owner is the
# earlier object that can have one
@pytest.mark.parametrize("prompt,expected", [
    ("an owl perched on a post, a moth fluttering just above its head", ("moth", "above", "bird")),
    ("a horse standing in a field with a fly buzzing in front of its nose", ("fly", "in front of", "horse")),
    ("a whale surfacing, a seagull hovering above its tail", ("bird", "above", "whale")),
])
def test_a_relation_to_its_part_places_the_part_owner(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


def test_a_posture_on_ones_own_part_relates_nothing_new():
    relations = _relations(parse_prompt("a dog lying on its back next to a sofa"))
    assert ("dog", "on", "couch") not in relations


# --- "between" in an inverted clause; "them" for two single things just named
@pytest.mark.parametrize("prompt,expected", [
    ("A sofa faces a bookcase. Between them, a low table sits on a rug.",
     {("dining table", "next to", "couch"), ("dining table", "next to", "bookcase")}),
    ("A piano stands beside a window. Between them, a cello leans on a stool.",
     {("cello", "next to", "piano"), ("cello", "next to", "window")}),
    ("Between the two beds stands a lamp.", {("lamp", "next to", "bed")}),
    ("Two armchairs face each other. Between them stands a small table.", {("dining table", "next to", "chair")}),
])
def test_between_in_an_inverted_clause_places_what_follows(prompt, expected):
    assert expected <= _relations(parse_prompt(prompt))


# --- a noun first filed as someone but named as a thing ("pitcher", "printer") is a thing: it
# pairs with other things in a list and "its" may mean it
@pytest.mark.parametrize("prompt,expected", [
    ("A pitcher of lemonade and a bowl of cherries sit on a picnic table.",
     {("pitcher", "on", "dining table"), ("bowl", "on", "dining table")}),
    ("A printer and a stapler rest on a shelf.", {("printer", "on", "shelf"), ("stapler", "on", "shelf")}),
    ("the printer is on the desk and a mug is to its left", {("cup", "left of", "printer")}),
])
def test_a_thing_first_filed_as_someone_is_a_thing(prompt, expected):
    assert expected <= _relations(parse_prompt(prompt))


# --- verbs of placing: an adverb inside the verb's phrase; leaning on is leaning against;
# "overhead" before a camera word is the camera's place
@pytest.mark.parametrize("prompt,expected", [
    ("a scarf draped loosely over a chair", ("scarf", "on", "chair")),
    ("a lantern hanging crookedly from a hook", ("lantern", "on", "hook")),
    ("a rake leaning on a wheelbarrow", ("rake", "next to", "wheelbarrow")),
    ("two bicycles propped on a lamppost", ("bicycle", "next to", "lamppost")),
])
def test_placing_verbs_with_adverbs_and_leaning(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt", [
    "a wooden bowl of ramen with two eggs, overhead shot",
    "a chessboard with three pawns, overhead view",
])
def test_an_overhead_camera_places_nothing(prompt):
    assert not any(r.predicate == "above" for r in parse_prompt(prompt).relations)


# --- an animal loaded with things carries them on it; a container holds them inside
@pytest.mark.parametrize("prompt,expected", [
    ("a camel loaded with rugs", ("rug", "on", "camel")),
    ("a mule laden with sacks of grain", ("sack", "on", "mule")),
    ("an elephant loaded with baskets", ("basket", "on", "elephant")),
    ("a crate loaded with melons", ("melon", "inside", "crate")),
])
def test_what_an_animal_is_loaded_with_is_on_it(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt,expected", [
    ("a wheelbarrow loaded with pumpkins", ("pumpkin", "on", "wheelbarrow")),
    ("a bicycle loaded with crates", ("crate", "on", "bicycle")),
    ("a basket loaded with apples", ("apple", "inside", "basket")),
])
def test_a_load_is_on_a_vehicle_and_inside_a_small_container(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


# --- where someone is ("at a desk"), placed in turn by a relation, is drawn and placed
@pytest.mark.parametrize("prompt,expected", [
    ("A clockmaker sits at a bench below a window.", ("bench", "below", "window")),
    ("A radio operator sits at a console beside a map cabinet.", ("console", "next to", "cabinet")),
    ("A large dish antenna towers over the valley. A technician sits at a workbench below it.",
     ("workbench", "below", "antenna")),
])
def test_where_someone_sits_is_placed_by_the_relation_after_it(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


# --- "in the drawer of a dresser": in the whole, through its part that holds things
@pytest.mark.parametrize("prompt,expected", [
    ("a puppy asleep in the open drawer of a desk", ("dog", "inside", "desk")),
    ("a hamster hiding in the bottom drawer of a dresser", ("hamster", "inside", "dresser")),
    ("a kitten curled up in the drawer of a nightstand", ("cat", "inside", "nightstand")),
])
def test_in_a_holding_part_of_a_thing_is_inside_the_thing(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


# --- "the shelf below it", where "it" can only be the earlier shelf: another shelf
@pytest.mark.parametrize("prompt,name,predicate", [
    ("two jars on the top shelf and a tin on the shelf below it", "shelf", "below"),
    ("a lantern hangs from the lowest branch, and a bird sits on the branch above it", "branch", "above"),
    ("a bottle stands in the first crate and a cup lies in the crate behind it", "crate", "behind"),
])
def test_a_definite_noun_placed_by_its_namesake_is_another_one(prompt, name, predicate):
    graph = parse_prompt(prompt)
    same = [o.id for o in graph.objects if o.name == name]
    assert len(same) == 2
    assert any(r.predicate == predicate and {r.subject, r.object} == set(same) for r in graph.relations)


# --- a place after a held thing: a container stands where the place says ("a rose in a vase
# beside a candle"); what lies on a surface is by things on it too, but not by someone
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a rose in a slim vase beside a candle", ("vase", "next to", "candle"), ("rose", "next to", "candle")),
    ("a goldfish in a round bowl next to a lamp", ("bowl", "next to", "lamp"), ("goldfish", "next to", "lamp")),
    ("three cookies on a plate in front of the girl", ("plate", "in front of", "person"),
     ("cookie", "in front of", "person")),
    ("a pen on a desk next to a stapler", ("pen", "next to", "stapler"), ("desk", "next to", "stapler")),
])
def test_which_thing_a_place_after_a_held_thing_describes(prompt, expected, absent):
    _check(prompt, expected, absent)


# --- an adverb of distance before a relation ("close behind her", "far below")
@pytest.mark.parametrize("prompt,expected", [
    ("a jockey on a horse with a second rider close behind him", ("person", "behind", "person")),
    ("a kite flying with a small plane far above it", ("airplane", "above", "kite")),
    ("a lamb grazing with a sheepdog close beside it", ("dog", "next to", "sheep")),
])
def test_an_adverb_of_distance_keeps_the_relation(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


# --- whoever watches or works from a seat sits on it
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a grandmother throws bread to pigeons from a bench", ("person", "on", "bench"), ("bird", "on", "bench")),
    ("a girl sketches the harbour from a folding stool", ("person", "on", "stool"), None),
    ("a cat watches the birds from an armchair", ("cat", "on", "chair"), ("bird", "on", "chair")),
])
def test_someone_acting_from_a_seat_sits_on_it(prompt, expected, absent):
    _check(prompt, expected, absent)


def test_from_a_thing_that_is_no_seat_places_nothing():
    assert _relations(parse_prompt("a boy waves from a window")) == set()


# --- "near the barn door": a relation to a part named with its whole is one to the whole
@pytest.mark.parametrize("prompt,expected,part", [
    ("two goats wait near the barn door", ("goat", "near", "barn"), "door"),
    ("a pigeon perched on the church roof", ("bird", "on", "church"), "roof"),
    ("a cat asleep on the boat deck", ("cat", "on", "boat"), "deck"),
])
def test_a_relation_to_a_part_named_with_its_whole_places_the_whole(prompt, expected, part):
    graph = parse_prompt(prompt)
    assert expected in _relations(graph)
    assert part not in {o.name for o in graph.objects}


@pytest.mark.parametrize("prompt,name", [
    ("an axe stuck in a tree stump", "stump"),
    ("a kid waiting by the kitchen door", "door"),
])
def test_a_compound_that_names_a_kind_stays_itself(prompt, name):
    assert name in {o.name for o in parse_prompt(prompt).objects}


# --- a pronoun an action acts on was placed before: the place after it is the agent's
@pytest.mark.parametrize("prompt,expected,absent", [
    ("Two ducks swim in the pond. A fox watches them from the top of a rock.",
     ("fox", "on", "rock"), ("bird", "on", "rock")),
    ("Three puppies tumble on the rug, and a boy photographs them from the top of a ladder.",
     ("person", "on", "ladder"), ("dog", "on", "ladder")),
    ("Two kittens play on a mat, and a parrot eyes them from the top of a bookcase.",
     ("bird", "on", "bookcase"), ("cat", "on", "bookcase")),
])
def test_the_place_after_an_acted_on_pronoun_is_the_agents(prompt, expected, absent):
    _check(prompt, expected, absent)


# --- "from left to right:" orders the list after it, not where the list stands
@pytest.mark.parametrize("prompt,expected,absent", [
    ("from left to right: a fork, a plate and a knife on the table",
     {("fork", "left of", "plate"), ("plate", "left of", "knife"), ("knife", "on", "dining table")},
     ("knife", "left of", "dining table")),
    ("from top to bottom: a clock, a mirror and a shelf beside the door",
     {("clock", "above", "mirror"), ("mirror", "above", "shelf")}, ("shelf", "above", "door")),
])
def test_a_sequence_orders_its_list_only(prompt, expected, absent):
    relations = _relations(parse_prompt(prompt))
    assert expected <= relations
    assert absent not in relations


# --- above and below after a thing on a surface describe the surface, which shares its height
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a kettle on a trivet above a candle", ("trivet", "above", "candle"), ("kettle", "above", "candle")),
    ("a radio on a shelf over a small desk", ("shelf", "above", "desk"), ("radio", "above", "desk")),
    ("a pot on a grate over a camp stove", ("grate", "above", "oven"), ("pot", "above", "oven")),
])
def test_vertical_places_after_a_thing_on_a_surface_describe_the_surface(prompt, expected, absent):
    _check(prompt, expected, absent)


# --- "with X <participle> <place>": the participle's clause is about X
@pytest.mark.parametrize("prompt,expected,absent", [
    ("a mantelpiece with three cards standing next to a clock", ("card", "next to", "clock"),
     ("mantelpiece", "next to", "clock")),
    ("a bookcase with a cat sleeping on a cushion", ("cat", "on", "cushion"), ("bookcase", "on", "cushion")),
    ("a desk with a lamp next to a window", ("desk", "next to", "window"), ("lamp", "next to", "window")),
])
def test_a_participle_after_a_with_noun_describes_that_noun(prompt, expected, absent):
    _check(prompt, expected, absent)


# --- a participle clause after a comma is about the sentence's subject, not the latest noun
@pytest.mark.parametrize("prompt,expected", [
    ("A lighthouse that guided the fishing boats home, standing beside a cottage", ("lighthouse", "next to", "cottage")),
    ("The bird that carried the message to the king, perched on a fence", ("bird", "on", "fence")),
    ("The tool a carpenter uses to drive nails, lying next to a toolbox", ("tool", "next to", "toolbox")),
])
def test_a_participle_clause_after_a_comma_places_the_sentence_subject(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


# --- "them" / "their" for things named together with "and": each of them
@pytest.mark.parametrize("prompt,expected", [
    ("A cup and a saucer sit on the table. A spoon lies beside them.",
     {("spoon", "next to", "cup"), ("spoon", "next to", "saucer")}),
    ("A kettle and a teapot stand on the stove, and a cat sleeps to their left.",
     {("cat", "left of", "kettle"), ("cat", "left of", "teapot")}),
    ("A tent and a canoe rest by the lake. A dog sleeps in front of them.",
     {("dog", "in front of", "tent"), ("dog", "in front of", "boat")}),
])
def test_them_means_each_of_the_things_named_together(prompt, expected):
    assert expected <= _relations(parse_prompt(prompt))


def test_them_still_means_a_group_when_there_is_one():
    relations = _relations(parse_prompt("Three puppies play near a kitten. A boy stands behind them."))
    assert ("person", "behind", "dog") in relations
    assert ("person", "behind", "cat") not in relations


# --- "The fisherman, with a pipe, sits on a crate mending a net": after an aside, the verb's
# subject is the one before it, not what the aside names nor what follows
@pytest.mark.parametrize("prompt,expected,absent", [
    ("The fisherman, with a pipe and a cap, sits on a crate mending a net.",
     ("person", "on", "crate"), ("net", "on", "crate")),
    ("A dog sleeps, and the old man, with a cane and a hat, sits on a bench reading a book.",
     ("person", "on", "bench"), ("book", "on", "bench")),
    ("The goalkeeper, in gloves and a cap, crouches behind a ball holding a towel.",
     ("person", "behind", "sports ball"), ("towel", "behind", "sports ball")),
])
def test_after_an_aside_the_verb_places_the_subject_before_it(prompt, expected, absent):
    _check(prompt, expected, absent)


# --- "it" after "X on Y" is not X: the place phrase places Y relative to something else
@pytest.mark.parametrize("prompt,expected,absent", [
    ("A red motorcycle is parked beside a workbench, and a helmet hangs on a hook above it.",
     ("hook", "above", "motorcycle"), None),
    ("A bicycle leans against the fence, and a bell hangs from a nail above it.",
     ("nail", "above", "bicycle"), None),
    ("A sofa faces the window, and a cat sleeps on a cushion in front of it.",
     ("cushion", "in front of", "couch"), ("cushion", "in front of", "cat")),
])
def test_a_pronoun_after_a_placed_thing_is_not_what_it_holds(prompt, expected, absent):
    _check(prompt, expected, absent)


# --- in an inverted clause the subject is the possessed noun, not its possessor
@pytest.mark.parametrize("prompt,place,predicate", [
    ("A girl reads on the sofa. Beside the fireplace, the girl's father sleeps.", "fireplace", "next to"),
    ("A boy plays with blocks on the rug. In the armchair by the window, the boy's grandmother knits.",
     "chair", "on"),
])
def test_an_inverted_clause_places_the_possessed_not_the_possessor(prompt, place, predicate):
    graph = parse_prompt(prompt)
    people = [o.id for o in graph.objects if o.name == "person"]
    target = next(o.id for o in graph.objects if o.name == place)
    assert len(people) == 2
    placed = {r.subject for r in graph.relations if r.object == target and r.predicate == predicate}
    assert placed == {people[1]}


def test_a_subjectless_clause_after_a_comma_places_the_sentence_subject():
    relations = _relations(parse_prompt("The metal that a king's crown is made of, set in a velvet box"))
    assert ("metal", "inside", "box") in relations


# --- "before" a made or living thing is in front of it; before a time it places nothing
@pytest.mark.parametrize("prompt,expected", [
    ("a priest standing before an altar", ("person", "in front of", "altar")),
    ("a dog sitting before the fireplace", ("dog", "in front of", "fireplace")),
])
def test_before_a_thing_is_in_front_of_it(prompt, expected):
    assert expected in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt", ["a cat stretching before a nap", "a farmer resting before the harvest",
                                    "a fox crossing the road before dawn"])
def test_before_a_time_places_nothing(prompt):
    assert not any(r.predicate == "in front of" for r in parse_prompt(prompt).relations)
