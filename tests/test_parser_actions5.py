"""The parser's fifth round, part C: action relations, parts and what paragraphs invent.

Each group checks one general mechanism on prompts written for it, in other domains than the
gold sets' prompts (none is taken from them): what a container "of" its contents is, what a
verb of dispute is "over", which verbs only a picture (not a person) uses without acting, and
the others below. A mechanism is kept only when it holds on prompts someone else would write.
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _names(graph: SceneGraph) -> set[str]:
    return {o.name for o in graph.objects}


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


def _parts(graph: SceneGraph, name: str) -> list[str]:
    return [p for o in graph.objects if o.name == name for p in o.attributes.parts]


# --- a container "of" its contents is the container, not a part of the contents ---------------
@pytest.mark.parametrize("prompt,relation,contents", [
    ("a waiter carrying two pitchers of lemonade", ("person", "carrying", "pitcher"), None),
    ("a girl lifting a basket of apples", ("person", "lifting", "basket"), ("apple", "inside", "basket")),
    ("a sailor hauling a crate of oranges up the gangway", ("person", "hauling", "crate"),
     ("orange", "inside", "crate")),
    ("a toddler dragging a bucket of sand", ("person", "dragging", "bucket"), None),
])
def test_an_action_on_a_container_of_contents_acts_on_the_container(prompt, relation, contents):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    if contents is not None:
        assert contents in _relations(graph)


@pytest.mark.parametrize("prompt,owner,part", [
    # a container WordNet makes a part of what follows stays that thing's part
    ("a kitten hiding in the drawer of a desk", "desk", "drawer"),
    ("a boy opening the drawer of a dresser", "dresser", "drawer"),
    ("a man lifting the lid of a pot", "pot", "lid"),
])
def test_a_container_that_is_part_of_the_next_noun_stays_its_part(prompt, owner, part):
    graph = parse_prompt(prompt)
    assert part not in _names(graph)
    assert any(p.endswith(part) for p in _parts(graph, owner))
    assert any(o == owner for _, _, o in _relations(graph))  # in it, or acted on through its part


# --- a verb of dispute or feeling is "over" its cause, a motion verb over a place -------------
@pytest.mark.parametrize("prompt,relation", [
    ("two kids fighting over a toy truck", ("person", "fighting over", "truck")),
    ("a nurse fussing over a newborn baby", ("person", "fussing over", "person")),
    ("three crows squabbling over a bagel", ("bird", "squabbling over", "bagel")),
    ("two brothers arguing about a broken vase", ("person", "arguing about", "vase")),
])
def test_a_verb_of_dispute_is_over_its_cause(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt,relation", [
    ("a helicopter flying over a bridge", ("helicopter", "above", "bridge")),
    ("a kite soaring over a lighthouse", ("kite", "above", "lighthouse")),
])
def test_a_motion_verb_over_a_thing_stays_above_it(prompt, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert not [r for r in graph.relations if r.predicate.endswith("over")]


# --- a person who shows, takes, uses or measures something acts on it; a picture does not -----
@pytest.mark.parametrize("prompt,relation", [
    ("a magician showing a playing card to a child", ("person", "showing", "card")),
    ("a baker weighing a sack of flour on a scale", ("person", "weighing", "sack")),
    ("a tourist using a selfie stick on a bridge", ("person", "using", "stick")),
    ("a waiter lighting a candle on the table", ("person", "lighting", "candle")),
    ("a girl filling a watering can at the tap", ("person", "filling", "watering can")),
])
def test_a_person_acts_with_a_verb_a_picture_only_depicts_with(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt", [
    "a poster showing a red car",
    "a painting depicting a lighthouse",
    "a baby measuring 50 centimeters",
])
def test_a_picture_or_a_size_relates_nothing(prompt):
    graph = parse_prompt(prompt)
    assert not graph.relations


# --- a verb of doing that is no posture acts on what it is "on" -------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a man trying on a leather jacket in a shop", ("person", "trying on", "jacket")),
    ("a grandfather working on an old motorcycle", ("person", "working on", "motorcycle")),
])
def test_a_social_verb_acts_on_what_it_is_on(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt,relation", [
    ("a cat sitting on a suitcase", ("cat", "on", "suitcase")),
    ("a boy standing on a skateboard", ("person", "on", "skateboard")),
])
def test_a_posture_verb_on_a_thing_stays_on_it(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


# --- what a person wears "in" is theirs, in any of its first senses ---------------------------
@pytest.mark.parametrize("prompt,part", [
    ("a surgeon in green scrubs holding a scalpel", "green scrubs"),  # plural-only: not brushwood
    ("a soldier in desert fatigues next to a jeep", "desert fatigues"),
    ("a cyclist in a yellow jersey riding a bicycle", "yellow jersey"),  # not the island
])
def test_a_garment_worn_in_is_the_wearers_part(prompt, part):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, "person")
    assert part.split()[-1] not in _names(graph)


# --- after someone, an -ing word is what they do, not a noun they modify ----------------------
@pytest.mark.parametrize("prompt,name", [
    ("a woman painting", "person"),  # was read as "a painting" of a kind, and refused
    ("a grey cat sleeping", "cat"),
    ("an old man fishing", "person"),
])
def test_an_ing_word_after_someone_is_what_they_do(prompt, name):
    graph = parse_prompt(prompt)
    assert [o.name for o in graph.objects] == [name]



# --- a made thing someone has "with" them on their own body is carried like something worn ---
@pytest.mark.parametrize("prompt,owner,part", [
    ("a carpenter with a pencil behind his ear", "person", "pencil"),
    ("a lifeguard with a whistle in her mouth", "person", "whistle"),
    ("a nurse with a stethoscope around her neck", "person", "stethoscope"),
    ("a terrier with a stick in its mouth", "dog", "stick"),
])
def test_a_thing_carried_on_the_owners_body_is_their_part(prompt, owner, part):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, owner)
    assert part not in _names(graph)


@pytest.mark.parametrize("prompt,thing", [
    ("a dog with a frisbee in its mouth", "frisbee"),  # a class keeps its own box
    ("a piano with a red rose lying on its lid", "rose"),  # a lid is no body part
])
def test_a_class_or_a_thing_on_a_made_part_stays_an_object(prompt, thing):
    assert thing in _names(parse_prompt(prompt))


# --- a thing WordNet names only in the plural is one thing after "a" --------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a farmhand pumps a leather bellows by the stove", ("person", "pumping", "bellows")),
    ("a hangman builds a wooden gallows in the square", ("person", "building", "gallows")),
])
def test_a_plural_only_noun_after_a_is_one_thing_not_a_verb(prompt, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert [o.count for o in graph.objects if o.name == relation[2]] == [1]


# --- a clause's opening phrase is its subject, so an -s word after its noun is the verb -------
@pytest.mark.parametrize("prompt,relation", [
    ("A gardener waters the roses while his neighbour trims the hedge", ("person", "trimming", "hedge")),
    ("The carpenter planes a board", ("person", "planing", "board")),  # not two airplanes
    ("the sculptor chisels a marble block", ("person", "chiselling", "block")),
])
def test_an_s_word_after_the_clause_subjects_noun_is_its_verb(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt,name", [
    ("two bakery shelves hold bread", "shelf"),
    ("the kitchen counters gleam in the morning light", "counter"),
])
def test_a_plural_noun_before_its_verb_stays_the_noun(prompt, name):
    assert name in _names(parse_prompt(prompt))


# --- an action on a picture "of" something is aimed at what it shows -------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a tourist taking a photo of a lighthouse", ("person", "taking a photo of", "lighthouse")),
    ("an artist sketching a portrait of a horse", ("person", "sketching a portrait of", "horse")),
    ("a child drawing a picture of a giraffe", ("person", "drawing a picture of", "giraffe")),
])
def test_an_action_on_a_depiction_is_aimed_at_what_it_shows(prompt, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert not _names(graph) & {"photo", "portrait", "picture"}


# --- a participle after a place acts, unless the sentence is inverted -------------------------
@pytest.mark.parametrize("prompt,relation", [
    # the subject, an aside between commas, its verb and a place: the subject acts
    ("The diver, in a black wetsuit and flippers, floats above a reef holding a flashlight",
     ("diver", "holding", "flashlight")),
    ("The shepherd, with a wooden staff, stands on a rock watching a flock of sheep",
     ("person", "watching", "sheep")),
    # an inverted sentence: the participle is what its subject does
    ("On a bench sits an old man feeding a pigeon", ("person", "feeding", "bird")),
])
def test_a_participle_after_a_place_is_what_the_subject_does(prompt, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert not [r for r in _relations(graph) if r[1] == relation[1] and r[0] != relation[0]]


def test_an_inverted_sentences_verb_stays_no_action():
    graph = parse_prompt("Underneath a green umbrella stands a hydrant")
    assert _relations(graph) == {("fire hydrant", "below", "umbrella")}


# --- after a verb of posture, a bare singular noun is its complement --------------------------
@pytest.mark.parametrize("prompt,names", [
    ("A sentry stands guard beside the palace gate, holding a rifle", {"person", "gate", "rifle"}),
    ("a marine stands watch on the deck of a ship", {"person", "boat"}),
])
def test_a_bare_noun_after_a_posture_verb_is_no_new_thing(prompt, names):
    graph = parse_prompt(prompt)
    assert [o.name for o in graph.objects].count("person") == 1
    assert names <= _names(graph)


def test_an_inverted_subject_after_a_posture_verb_is_still_drawn():
    assert {"couch", "clock"} <= _names(parse_prompt("Above the sofa hangs an old clock"))


# --- a definite class word points back at a compound of the same word --------------------------
@pytest.mark.parametrize("prompt,name", [
    ("A long conference table fills the room. A jug of water sits on the table.", "conference table"),
    ("An old drafting table stands by the window. A lamp sits on the table.", "drafting table"),
])
def test_the_class_word_refers_to_the_compound_named_before(prompt, name):
    graph = parse_prompt(prompt)
    assert [o.name for o in graph.objects].count(name) == 1
    assert "dining table" not in _names(graph)
    assert any(o == name for _, p, o in _relations(graph) if p == "on")


# --- a thing placed by "its" part is placed by another thing's part ---------------------------
@pytest.mark.parametrize("prompt,relation,owner,part", [
    ("a heron standing in the reeds, a frog just below its beak", ("frog", "below", "bird"), "bird", "beak"),
    ("a statue in the square with three pigeons sitting on its shoulders", ("bird", "on", "statue"),
     "statue", "shoulders"),
    ("an old bicycle in the yard with a cat asleep on its seat", ("cat", "on", "bicycle"), "bicycle", "seat"),
])
def test_a_relation_to_its_part_is_a_relation_to_the_other_owner(prompt, relation, owner, part):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert part in _parts(graph, owner)


def test_a_part_wordnet_gives_the_placed_thing_stays_its_own():
    graph = parse_prompt("a ramekin of jam with a silver spoon propped against its rim")
    assert "rim" not in _names(graph)


# --- someone acts with a verb WordNet knows only without an object, on a thing with an article --
@pytest.mark.parametrize("prompt,relation", [
    ("a girl in a yellow raincoat pedals a tricycle", ("person", "pedaling", "tricycle")),
    ("an old fisherman paddles a canoe across the lake", ("person", "paddling", "boat")),
    ("In the background, a boy in a red cap pedals a bicycle", ("person", "pedaling", "bicycle")),
])
def test_someone_acts_on_a_thing_after_an_intransitive_verb(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt", ["the lantern glows orange above the door", "a dog sleeps a lot"])
def test_no_agent_or_no_article_relates_nothing_new(prompt):
    assert not [r for r in parse_prompt(prompt).relations if r.predicate.endswith("ing")]


# --- a listed made thing with no article is a component of the product ------------------------
@pytest.mark.parametrize("prompt,owner,part", [
    ("Camping lantern, matte black, glass globe, steel handle", "lantern", "glass globe"),
    ("Toddler raincoat, yellow with a duck print, plastic toggle", "raincoat", "plastic toggle"),
    ("Kids' bicycle, bright red with white stripes, padded saddle", "bicycle", "padded saddle"),
])
def test_a_listed_component_is_part_of_the_product(prompt, owner, part):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, owner)
    assert part.split()[-1] not in _names(graph)


def test_things_after_a_fronted_place_are_no_listing():
    graph = parse_prompt("To the right of the vase, two small brass candlesticks hold white candles")
    assert "candlestick" in _names(graph) or "candle" in _names(graph)
    assert not _parts(graph, "vase")


# --- a verb's base form after a singular noun, ending a listed phrase, is the head noun ---------
@pytest.mark.parametrize("prompt,owner,part", [
    ("Baby stroller, gray, with rain cover", "stroller", "rain cover"),  # not the weather
    ("Garden bench, teak, with seat cushion and rain cover", "bench", "rain cover"),
])
def test_a_base_verb_form_after_a_singular_noun_in_a_list_is_a_noun(prompt, owner, part):
    graph = parse_prompt(prompt)
    assert any(p.endswith(part) for p in _parts(graph, owner))


# --- a coordinated subject's verb after a person or an animal ----------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("In a sunny kitchen, a father and his daughter bake cookies", ("person", "baking", "cookie")),
    ("a girl and her puppy chase bubbles", ("dog", "chasing", "bubble")),
])
def test_the_verb_of_a_coordinated_subject_is_not_read_into_its_last_noun(prompt, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert [o.name for o in graph.objects].count("person") >= 1


# --- after the subject and an aside between commas comes the subject's verb ---------------------
@pytest.mark.parametrize("prompt,relation", [
    ("The old carpenter, wearing a leather apron, planes a long oak board", ("person", "planing", "board")),
    ("The potter, with clay on her hands, shapes a tall vase", ("person", "shaping", "vase")),
])
def test_the_verb_after_a_subject_aside_is_the_subjects(prompt, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert "airplane" not in _names(graph)


@pytest.mark.parametrize("prompt,relation,owner,part", [
    ("a jeep with a spare tire on its back door", ("spare tire", "on", "car"), "car", "back door"),
    ("a fire truck with a ladder on its front bumper", ("ladder", "on", "truck"), "truck", "front bumper"),
])
def test_a_part_named_by_its_place_on_the_owner_is_the_owners(prompt, relation, owner, part):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert part in _parts(graph, owner)


# --- what someone carries on their body belongs to them, whatever was named last ---------------
@pytest.mark.parametrize("prompt,thing,relation", [
    ("A lighthouse keeper climbs the spiral staircase with an oil lamp in his hand", "staircase",
     ("person", "climbing", "staircase")),
    ("a girl walks her dog with a leash in her hand", "dog", ("person", "walking", "dog")),
])
def test_a_thing_carried_in_a_hand_is_the_carriers_not_the_last_things(prompt, thing, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert not [r for r in _relations(graph) if r[0] == thing and r[2] == "person"]  # no "staircase inside person"
    assert not _parts(graph, thing)


# --- an opening phrase's -s word after its singular noun, before an object, is the verb ---------
@pytest.mark.parametrize("prompt,relation", [
    ("a baker shapes dough into small rolls with his hands", ("person", "shaping", "dough")),
    ("a potter spins a clay bowl on the wheel", ("person", "spinning", "bowl")),
])
def test_the_verb_inside_an_opening_phrase_is_split_off(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


def test_a_plural_noun_wordnet_knows_no_verb_of_is_no_action():
    graph = parse_prompt("a cook presses rice into small ovals")
    assert not [r for r in graph.relations if r.predicate.startswith("ovaling")]


# --- a bare plural of nothing drawable after a verb is its object; the action aims past it -------
@pytest.mark.parametrize("prompt,relation", [
    ("A student sits at the table writing notes in a notebook", ("person", "writing", "book")),
    ("Her assistant, a young man in a cap, stands beside her sorting receipts into a box",
     ("person", "sorting", "box")),
])
def test_an_action_on_an_undrawn_plural_aims_at_the_thing_after_it(prompt, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert not [r for r in _relations(graph) if r[1] == "inside" and r[0] == "person"]


# --- "the" made thing "of" a made thing is its part; the action acts on the whole --------------
@pytest.mark.parametrize("prompt,relation,owner,part", [
    ("a welder repairing the hull of a fishing boat", ("person", "repairing", "boat"), "boat", "hull"),
    ("a kid spinning the propeller of a toy plane", ("person", "spinning", "airplane"), "airplane", "propeller"),
    ("a boy painting the door of a barn", ("person", "painting", "barn"), "barn", "door"),
])
def test_an_action_on_the_part_of_a_made_thing_acts_on_the_thing(prompt, relation, owner, part):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert part in _parts(graph, owner)


def test_a_thing_of_a_reader_is_no_part():
    graph = parse_prompt("a girl reading the menu of a cafe")
    assert "menu" in _names(graph)
