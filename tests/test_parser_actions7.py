"""The parser's sixth round, part C: mechanisms for actions and parts that must hold on prompts
nobody tuned against.

Each group checks one general mechanism on prompts written for it, in other domains than the
gold sets' prompts (none is taken from them): who acts when the subject wears a list of things,
whose participle follows a comma in a later clause, and the others below.
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


def _parts(graph: SceneGraph, name: str) -> list[str]:
    return [p for o in graph.objects if o.name == name for p in o.attributes.parts]


# --- a thing listed after something worn or carried is worn too, never the agent --------------
@pytest.mark.parametrize("prompt,relation,not_agent", [
    ("A beekeeper in a veil and thick gloves lifts a wooden crate.", ("person", "lifting", "crate"),
     "baseball glove"),
    ("A mechanic in overalls and a cap holds a wrench.", ("person", "holding", "wrench"), "cap"),
    ("A cyclist with a backpack and a helmet pushes a bicycle up the hill.", ("person", "pushing", "bicycle"),
     "helmet"),
])
def test_a_list_after_a_worn_thing_does_not_take_the_action(prompt, relation, not_agent):
    relations = _relations(parse_prompt(prompt))
    assert relation in relations
    assert not any(s == not_agent for s, _, _ in relations)


def test_a_clause_joined_by_and_still_has_its_own_subject():
    # "above the fireplace and a sofa faces it": "and" opens a clause, the sofa is its subject
    relations = _relations(parse_prompt("The clock hangs above the dresser and a cat watches it from the bed"))
    assert ("cat", "watching", "clock") in relations


# --- a participle after a comma belongs to the clause the comma ends --------------------------
@pytest.mark.parametrize("prompt,relation,wrong_agent", [
    ("A kayak rests on the shore, and a fisherman sits on a rock, holding a rod.",
     ("person", "holding", "rod"), "boat"),
    ("A tractor waits by the gate, and a farmer in overalls stands beside it, carrying a bucket.",
     ("person", "carrying", "bucket"), "tractor"),
    ("A piano stands in the hall while a girl sits on its bench, turning a page of the score.",
     ("person", "turning", "page"), "piano"),
])
def test_a_comma_participle_acts_through_its_own_clause_subject(prompt, relation, wrong_agent):
    relations = _relations(parse_prompt(prompt))
    assert relation in relations
    assert not any(wrong_agent in (s, o) and p == relation[1] for s, p, o in relations)


def test_a_comma_participle_after_one_clause_acts_through_the_sentence_subject():
    relations = _relations(parse_prompt("A potter sits at her wheel, shaping a tall vase."))
    assert ("person", "shaping", "vase") in relations


# --- an action on a part reaches its owner; on one's own body it is no action ----------------
@pytest.mark.parametrize("prompt,relation,part", [
    ("A jockey pats his horse's neck.", ("person", "patting", "horse"), ("horse", "neck")),
    ("A keeper cleans the elephant's tusks.", ("person", "cleaning", "elephant"), ("elephant", "tusks")),
    ("A vet examines the cow and strokes its flank.", ("vet", "stroking", "cow"), ("cow", "flank")),
])
def test_an_action_on_a_part_reaches_the_owner(prompt, relation, part):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert part[1] in _parts(graph, part[0])


@pytest.mark.parametrize("prompt,owner,part", [
    ("A toddler presses both hands against the window.", "person", "hands"),
    ("Two boys holding hands on a bridge.", "person", "hands"),
    ("A girl waving both arms at a bus.", "person", "arms"),
    ("A man clapping hands beside a fire.", "person", "hands"),
])
def test_ones_own_body_part_after_a_verb_is_a_part_not_an_object(prompt, owner, part):
    graph = parse_prompt(prompt)
    assert not any(o.name in ("hand", "arm") for o in graph.objects)
    assert any(p.endswith(part) for p in _parts(graph, owner))


def test_someone_elses_body_part_after_a_verb_stays_acted_on():
    # "a hand" with its article may be anyone's: a thing the dog licks
    assert ("dog", "licking", "hand") in _relations(parse_prompt("a dog licking a hand"))


# --- a verb joined by "and" with no subject of its own shares the agent before it ------------
@pytest.mark.parametrize("prompt,relations", [
    ("A woman walks her neighbor's dog and strokes its ears.",
     {("person", "walking", "dog"), ("person", "stroking", "dog")}),
    ("A farmer pats his neighbor's cow and checks its hooves.",
     {("person", "patting", "cow"), ("person", "checking", "cow")}),
    ("A girl with a kite and a balloon chases a puppy and waves at a bus.",
     {("person", "chasing", "dog"), ("person", "waving at", "bus")}),
    ("A nurse lifts a tray and wipes the table.",
     {("person", "lifting", "tray"), ("person", "wiping", "dining table")}),
])
def test_a_verb_after_and_shares_the_agent_of_the_verb_before(prompt, relations):
    found = _relations(parse_prompt(prompt))
    assert relations <= found


# --- "her" opening a clause owns what follows; a worn thing placed on its own is a thing -----
@pytest.mark.parametrize("prompt,thing,place", [
    ("A girl reads on the porch. Her boots stand by the door.", "boot", "door"),
    ("A hiker rests on a log. Her hiking boots stand beside the tent.", "boot", "tent"),
    ("A knight kneels in the chapel. His helmet lies beside the altar.", "helmet", "altar"),
])
def test_a_possessed_garment_placed_on_its_own_is_an_object(prompt, thing, place):
    graph = parse_prompt(prompt)
    relations = _relations(graph)
    assert (thing, "next to", place) in relations
    assert not any(p.startswith("hik") for _, p, _ in relations)


def test_a_worn_garment_with_no_place_of_its_own_stays_a_part():
    graph = parse_prompt("A nurse in green scrubs checks a chart. Her badge is clipped to her pocket.")
    assert not any(o.name == "scrubs" for o in graph.objects)


# --- a passive with someone after "by": that someone does it ---------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a carriage pulled by two white horses", ("horse", "pulling", "carriage")),
    ("a sled pulled by a team of huskies across the snow", ("dog", "pulling", "sled")),
    ("The cart is pushed by a little boy.", ("person", "pushing", "cart")),
    ("a mouse chased by a cat", ("cat", "chasing", "mouse")),
    ("a rowboat on a quiet lake, steered by an old fisherman", ("person", "steering", "boat")),
])
def test_the_agent_after_by_does_what_the_participle_says(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt", ["a cottage surrounded by trees", "a room lit by a lamp",
                                    "a garden shaded by a tall oak"])
def test_by_after_a_participle_of_place_or_light_is_no_action(prompt):
    graph = parse_prompt(prompt)
    assert not any(r.predicate.endswith("ing") for r in graph.relations)


# --- who receives: what is fed "to" an animal feeds the animal; poured "for" someone ----------
@pytest.mark.parametrize("prompt,relation", [
    ("a girl feeding hay to a goat", ("person", "feeding", "goat")),
    ("a farmer feeding corn to the chickens", ("person", "feeding", "bird")),
    ("a boy pouring milk for his cat", ("person", "pouring", "cat")),
    ("a bartender pouring beer for two sailors", ("person", "pouring", "person")),
])
def test_the_recipient_of_food_or_a_drink_is_what_the_action_reaches(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt,relation", [
    ("a boy throwing a stick to his dog", ("person", "throwing", "stick")),
    ("a courier handing a box to a clerk", ("person", "handing", "box")),
    ("a chef baking a cake for her son", ("person", "baking", "cake")),
])
def test_a_drawn_thing_given_to_someone_stays_the_object(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


# --- verbs with their preposition: seeing through or out of, touching "on" ------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a geologist looking through a magnifying glass", ("person", "looking through", "magnifying glass")),
    ("a cat peering out of a cardboard box", ("cat", "peering out of", "box")),
    ("a girl looking out of the train window", ("person", "looking out of", "window")),
    ("a woodpecker tapping on a tree trunk", ("bird", "tapping on", "trunk")),
    ("a kitten pawing on a ball of yarn", ("cat", "pawing on", "sports ball")),
])
def test_a_verb_keeps_the_preposition_that_makes_it_act(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt,relation", [
    ("a cat sitting on a windowsill", ("cat", "on", "windowsill")),
    ("a dog lying on a rug", ("dog", "on", "rug")),
])
def test_a_posture_on_something_stays_a_place(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


# --- "with X doing Y": X does it --------------------------------------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a woman with a dog pulling at its leash", ("dog", "pulling at", "leash")),
    ("A basket sits on the porch, with a kitten chewing on a ribbon.", ("cat", "chewing on", "ribbon")),
    ("a fisherman with a pelican eating a fish from his bucket", ("bird", "eating", "fish")),
])
def test_a_living_thing_after_with_does_the_participle_after_it(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


# --- what paragraphs invent: a passive participle or an inverted verb read as a noun ----------
@pytest.mark.parametrize("prompt,not_object", [
    ("A small cabin ringed by tall pines sits by a lake.", "ringed"),
    ("A cottage girdled by hedges stands at the end of the lane.", "girdled"),
    ("A potter works at her wheel. On the shelf behind her stand three glazed jars.", "stand"),
    ("A girl naps in a hammock. Beside her lies a closed book.", "lie"),
])
def test_a_verb_is_not_read_as_an_invented_object(prompt, not_object):
    assert not_object not in {o.name for o in parse_prompt(prompt).objects}


# --- product listings: a colour fragment ends at its comma; "and" goes on listing parts -------
@pytest.mark.parametrize("prompt,owner,parts,not_objects", [
    ("Canvas tote bag, navy, inner pocket and leather handles", "handbag", {"inner pocket", "leather handles"},
     {"handle"}),
    ("Desk lamp, matte black, adjustable arm", "lamp", {"adjustable arm"}, set()),
    ("Hiking backpack, forest green, padded straps and side pockets", "backpack", {"padded straps"},
     {"strap", "pocket"}),
    ("Travel mug, steel, flip lid and rubber grip", "cup", {"rubber grip"}, {"grip"}),
])
def test_a_product_listing_keeps_its_fragments_apart_and_owned(prompt, owner, parts, not_objects):
    graph = parse_prompt(prompt)
    assert parts <= set(_parts(graph, owner))
    assert not not_objects & {o.name for o in graph.objects}


def test_and_after_a_contents_phrase_still_lists_a_new_object():
    # "a bottle of olive oil and three lemons": the lemons are drawn, not the bottle's parts
    names = {o.name for o in parse_prompt("a 1 liter jug of milk and four pears on a tray").objects}
    assert "pear" in names


# --- a participle after a comma acts through the clause's subject, even a verb of depiction ---
@pytest.mark.parametrize("prompt,relation", [
    ("An artist sits by the river, painting a small boat.", ("person", "painting", "boat")),
    ("A girl kneels on the rug, sketching a sleeping cat.", ("person", "sketching", "cat")),
])
def test_a_comma_participle_of_depiction_is_the_subjects_action(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


def test_a_picture_verb_after_a_thing_stays_no_action():
    # the agent test after a comma asks for someone: a vase is no painter
    relations = _relations(parse_prompt("A vase stands on a shelf, painting the wall with its shadow."))
    assert not any(p == "painting" for _, p, _ in relations)


# --- an adverb after a participle is its particle, never a verb of its own --------------------
@pytest.mark.parametrize("prompt,relation", [
    ("two boys sliding down a sand dune on a plastic sled", ("person", "on", "sled")),
    ("a boy scrambling up a rocky slope with a rope", None),
])
def test_a_particle_after_a_participle_is_no_verb(prompt, relation):
    relations = _relations(parse_prompt(prompt))
    assert not any(p.startswith(("downing", "upping")) for _, p, _ in relations)
    assert relation is None or relation in relations


# --- "as" opening a clause; a verb with two objects --------------------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("A girl claps as the juggler tosses a torch into the air.", ("person", "tossing", "torch")),
    ("The farmer smiles as his dog herds the sheep.", ("dog", "herding", "sheep")),
])
def test_as_before_a_subject_and_its_verb_opens_a_clause(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


def test_as_naming_a_likeness_opens_no_clause():
    relations = _relations(parse_prompt("a boy dressed as a pirate holds a sword"))
    assert ("person", "holding", "sword") in relations


@pytest.mark.parametrize("prompt,relation", [
    ("a boy throws his dog a ball", ("person", "throwing", "sports ball")),
    ("a keeper feeds the seal a fish", ("person", "feeding", "seal")),
    ("A grandmother knits by the fire. Her grandson hands her a ball of yarn.", ("person", "handing", "sports ball")),
])
def test_a_verb_with_someone_and_a_thing_acts_on_the_thing_unless_it_feeds(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


# --- a bare infinitive after help/watch/let: the object's own action ---------------------------
@pytest.mark.parametrize("prompt,relations", [
    ("a girl helping her father wash the car", {("person", "helping", "person"), ("person", "washing", "car")}),
    ("a boy watching his sister climb a tree", {("person", "watching", "person"), ("person", "climbing", "tree")}),
])
def test_a_bare_infinitive_is_what_the_object_does(prompt, relations):
    assert relations <= _relations(parse_prompt(prompt))


# --- a list after "in" keeps being worn ---------------------------------------------------------
@pytest.mark.parametrize("prompt,parts", [
    ("a knight in shining armor and a red cape holding a sword", {"shining armor", "red cape"}),
    ("a woman in a long coat and boots walks a dog through the park", {"long coat", "boots"}),
    ("Two miners in overalls and yellow helmets push a cart.", {"overalls", "yellow helmets"}),
])
def test_everything_listed_after_in_is_worn(prompt, parts):
    graph = parse_prompt(prompt)
    assert parts <= set(_parts(graph, "person"))
    assert not {"cape", "boot", "helmet"} & {o.name for o in graph.objects}


def test_people_listed_after_in_are_still_people():
    graph = parse_prompt("a boy in a red coat and a girl in a blue dress")
    assert [o.name for o in graph.objects] == ["person", "person"]


# --- a subject of several named together: each one acts --------------------------------------
@pytest.mark.parametrize("prompt,relations", [
    ("a puppy and a toddler tugging on a rope toy", {("dog", "tugging on", "rope"), ("person", "tugging on", "rope")}),
    ("A goat and a sheep eating hay from a trough.", {("goat", "eating", "hay"), ("sheep", "eating", "hay")}),
    ("a fox and a badger sniffing a log", {("fox", "sniffing", "log"), ("badger", "sniffing", "log")}),
])
def test_each_member_of_a_listed_subject_acts(prompt, relations):
    assert relations <= _relations(parse_prompt(prompt))


def test_a_thing_placed_before_and_is_no_co_agent():
    relations = _relations(parse_prompt("A woman walks past a bench and a dog chasing a ball."))
    assert ("dog", "chasing", "sports ball") in relations
    assert not any(s == "bench" for s, _, _ in relations)


# --- an animal's own part named without an owner is the animal's (WordNet files it with animals)
@pytest.mark.parametrize("prompt,owner,part", [
    ("A horse stands in the stable, one hoof resting on a bucket.", "horse", "hoof"),
    ("A gull perches on a post, one wing stretched over the water.", "bird", "wing"),
    ("A dog naps on the rug, one paw over a chew toy.", "dog", "paw"),
])
def test_an_animals_part_is_a_part_not_an_object(prompt, owner, part):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, owner)
    assert part not in {o.name for o in graph.objects}


def test_a_thing_named_before_a_passive_is_kept_and_acted_on():
    # "the style of shoe worn by women": the shoe is drawn and worn, not a detail of a style
    relations = _relations(parse_prompt("The style of hat worn by sailors in winter"))
    assert ("person", "wearing", "hat") in relations
