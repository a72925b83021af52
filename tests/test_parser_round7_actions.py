"""The parser's seventh round, part C: mechanisms for action relations and parts that must hold
on prompts nobody tuned against.

Each group checks one general mechanism on prompts invented for it, in other domains than the
gold sets' prompts (none is taken from them).
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


# --- a reciprocal object: those named together act on each other ---------------------------------
@pytest.mark.parametrize("prompt,first,second,predicate", [
    ("a boy and a girl looking at each other", "person", "person", "looking at"),
    ("a cat and a dog staring at one another across a fence", "cat", "dog", "staring at"),
    ("a knight and a dragon fighting each other in a cave", "person", "dragon", "fighting"),
    ("A fox and a hare chase one another around a tree.", "fox", "hare", "chasing"),
    ("A boy and his grandfather wave at each other from across the street.", "person", "person", "waving at"),
])
def test_each_other_relates_the_subjects_both_ways(prompt, first, second, predicate):
    graph = parse_prompt(prompt)
    names = {o.id: o.name for o in graph.objects}
    pairs = {(r.subject, r.object) for r in graph.relations if r.predicate == predicate}
    assert len(pairs) == 2
    assert {(names[s], names[o]) for s, o in pairs} == {(first, second), (second, first)}


def test_each_other_within_one_group_relates_nothing():
    # one object stands for the group: a relation of it to itself says nothing
    graph = parse_prompt("two chairs facing each other")
    assert [o.name for o in graph.objects] == ["chair"]
    assert graph.relations == []


# --- a passive phrasal verb keeps its particle, and a thing can do its work ---------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a bookshelf held up by two brackets", ("bracket", "holding up", "bookshelf")),
    ("a tent held down by four stakes", ("stake", "holding down", "tent")),
    ("a wooden gate propped open by a rock", ("rock", "propping open", "gate")),
    ("a banner held up by two protesters", ("person", "holding up", "banner")),
    ("a canoe tied up by a rope", ("rope", "tying up", "boat")),
])
def test_a_passive_with_a_particle_is_an_action_of_its_agent(prompt, relation):
    relations = _relations(parse_prompt(prompt))
    assert relation in relations
    assert not any(p == "next to" for _, p, _ in relations)


# --- a passive after "a holder of its contents" acts on the holder -------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a basket of apples carried by a girl", ("person", "carrying", "basket")),
    ("a crate of bottles lifted by a worker", ("person", "lifting", "crate")),
    ("a jar of cookies held by a grandmother", ("person", "holding", "jar")),
    ("a box of kittens carried by a boy", ("person", "carrying", "box")),
])
def test_a_passive_after_contents_acts_on_their_holder(prompt, relation):
    graph = parse_prompt(prompt)
    relations = _relations(graph)
    assert relation in relations
    holder = relation[2]
    assert {(s, p) for s, p, o in relations if o == holder} >= {("person", relation[1])}
    assert not any(p == relation[1] and o != holder for _, p, o in relations)


# --- a verb of posture done to someone moves them -----------------------------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a nurse stretching a patient's leg", ("person", "stretching", "person")),
    ("a coach stretching a swimmer's shoulder", ("person", "stretching", "person")),
    ("a mother lays her baby in a crib", ("person", "laying", "person")),
    ("a farmer laying a lamb on the straw", ("person", "laying", "sheep")),
    ("a dancer leaning his partner backwards", ("person", "leaning", "person")),
])
def test_a_posture_verb_with_someone_after_it_acts_on_them(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt", ["a cat stretching its legs on a sofa", "a yoga teacher stretching her arms",
                                    "Beside the gate stands a boy"])
def test_a_posture_verb_on_ones_own_body_or_inverted_moves_no_one(prompt):
    assert not any(p in ("stretching", "standing") for _, p, _ in _relations(parse_prompt(prompt)))


# --- a small made thing a person has "with" them is their part ---------------------------------
@pytest.mark.parametrize("prompt,part", [
    ("a miner with a headlamp kneels in the tunnel", "headlamp"),
    ("a surveyor with a tripod stands on the hill", "tripod"),
    ("An elderly man with reading glasses sits in a chair", "reading glasses"),
    ("a pilot with a headset sits in the cockpit", "headset"),
    ("a gardener with a trowel kneels on a mat", "trowel"),
])
def test_a_thing_a_person_has_with_them_is_their_part(prompt, part):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, "person")
    assert part.split()[-1] not in {o.name for o in graph.objects}


@pytest.mark.parametrize("prompt,thing", [
    ("a farmer with a tractor in a field", "tractor"),
    ("a woman with a suitcase at the station", "suitcase"),
    ("a girl with a jar of honey", "jar"),
    ("a toddler with plastic cups on a blanket", "cup"),
])
def test_a_vehicle_a_class_or_a_holder_of_contents_stays_an_object(prompt, thing):
    assert thing in {o.name for o in parse_prompt(prompt).objects}


# --- "the <part> of <a whole>" after a plain preposition is the whole's part --------------------
@pytest.mark.parametrize("prompt,whole,part", [
    ("a squirrel watches from the lid of a trash can", "trash can", "lid"),
    ("a gecko crawls along the rim of a teacup", "cup", "rim"),
    ("a child waves from the window of a bus", "bus", "window"),
    ("a note taped to the door of a fridge", "refrigerator", "door"),
    ("a sticker stuck to the lid of a laptop", "laptop", "lid"),
])
def test_a_part_of_a_whole_after_a_preposition_is_the_wholes(prompt, whole, part):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, whole)
    assert part not in {o.name for o in graph.objects}


# --- a listed product that WordNet names first as someone has made components too --------------
@pytest.mark.parametrize("prompt,owner,part", [
    ("Bamboo drawer organizer, 4 compartments", "organizer", "4 compartments"),
    ("Plastic closet organizer, 6 shelves", "organizer", "6 shelves"),
    ("Wooden planter, 2 handles", "potted plant", "2 handles"),
    ("Canvas carrier, 2 handles, zip pocket", "carrier", "zip pocket"),
    ("Ceramic planter, bamboo saucer, drainage hole", "potted plant", "bamboo saucer"),
])
def test_a_listed_feature_of_a_product_named_first_as_someone_is_its_part(prompt, owner, part):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, owner)
    assert [o.name for o in graph.objects] == [owner]


# --- "one" / "the other" before a verb's -s form is a member of the group, then its verb --------
@pytest.mark.parametrize("prompt,relations", [
    ("Two boys sit on a dock. One holds a rod while the other eats a sandwich.",
     {("person", "holding", "rod"), ("person", "eating", "sandwich")}),
    ("Two dogs play in a yard; one chews a bone.", {("dog", "chewing", "bone")}),
    ("Two girls stand at a sink; one washes a plate and the other dries a cup.",
     {("person", "washing", "plate"), ("person", "drying", "cup")}),
    ("Two men on a roof: one holds a ladder while the other fixes a gutter.",
     {("person", "holding", "ladder"), ("person", "fixing", "gutter")}),
])
def test_one_and_the_other_before_a_verb_act_for_their_group(prompt, relations):
    graph = parse_prompt(prompt)
    assert relations <= _relations(graph)
    assert not any(o.name in ("hold", "chew", "wash", "dry") for o in graph.objects)


@pytest.mark.parametrize("prompt,name", [("one pants", "pants"), ("one boots", "boot")])
def test_one_before_a_plural_only_or_bare_thing_still_names_it(prompt, name):
    assert [o.name for o in parse_prompt(prompt).objects] == [name]


# --- a second verb joined by "and" has the first verb's subject, whatever verb it is -----------
@pytest.mark.parametrize("prompt,relation,wrong", [
    ("A man holds a leash and measures the dog.", ("person", "measuring", "dog"), ("person", "holding", "dog")),
    ("A farmer opens a gate and measures a calf.", ("person", "measuring", "cow"), ("person", "opening", "cow")),
    ("A vet holds a chart and weighs a puppy.", ("vet", "weighing", "dog"), ("vet", "holding", "dog")),
    ("A girl picks a flower and shows a butterfly to her brother.", ("person", "showing", "butterfly"),
     ("person", "picking", "butterfly")),
])
def test_a_verb_after_and_acts_for_the_first_verbs_subject(prompt, relation, wrong):
    relations = _relations(parse_prompt(prompt))
    assert relation in relations
    assert wrong not in relations


# --- after "a", an -s word is no plural noun, so the worn noun after it is no verb -------------
@pytest.mark.parametrize("prompt,part", [
    ("a boy in a sideways cap", "sideways cap"),
    ("a skater with a sideways cap", "sideways cap"),
    ("a girl in a backwards dress", "backwards dress"),
    ("a man in a backwards coat", "backwards coat"),
])
def test_a_worn_thing_after_an_s_adjective_is_worn(prompt, part):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, "person")
    assert [o.name for o in graph.objects] == ["person"]


# --- a listed feature may open with its size, and is still the product's part ------------------
@pytest.mark.parametrize("prompt,owner,part,measure", [
    ("Cordless drill, 18V battery, two drill bits", "drill", "battery", "18 v"),
    ("Camping lantern, 5000 mAh battery, metal hook", "lantern", "battery", "5000 mah"),
    ("Travel kettle, 0.5 L, 1000 W heating element", "kettle", "heating element", "1000 w"),
    ("Garden sprayer, 5 L tank, brass nozzle", "sprayer", "tank", "5 l"),
])
def test_a_sized_listed_feature_is_the_products_part(prompt, owner, part, measure):
    graph = parse_prompt(prompt)
    assert [o.name for o in graph.objects] == [owner]
    assert part in _parts(graph, owner)
    assert measure in graph.objects[0].attributes.measurements


# --- a verb's -s form after "and", before its object's article, is the subject's second verb ----
@pytest.mark.parametrize("prompt,relation", [
    ("A nurse sits beside a bed and washes a patient.", ("person", "washing", "person")),
    ("A sailor leans over the rail and steadies a rope.", ("person", "steadying", "rope")),
    ("A baker stands at the counter and dusts a cake.", ("person", "dusting", "cake")),
    ("A potter leans over a student and steadies her bowl.", ("person", "steadying", "bowl")),
])
def test_a_verb_after_and_before_an_article_is_a_verb(prompt, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert not any(o.name in ("wash", "steady", "dust") for o in graph.objects)


# --- a machine that grips, lifts or conveys acts on what it holds; a holder only holds ---------
@pytest.mark.parametrize("prompt,relation", [
    ("a silver robot holding a paper lantern", ("robot", "holding", "lantern")),
    ("an android holding a teacup in a garden", ("android", "holding", "cup")),
    ("a hoist holding an engine above a workbench", ("hoist", "holding", "engine")),
    ("a red truck carrying three logs", ("truck", "carrying", "log")),
    ("a tractor carrying a hay bale across a field", ("tractor", "carrying", "bale")),
    ("a small canoe carrying two fishing rods", ("boat", "carrying", "rod")),
])
def test_a_machine_or_vehicle_holding_something_acts_on_it(prompt, relation):
    graph = parse_prompt(prompt)
    assert relation in _relations(graph)
    assert not any(p in ("on", "inside") and s == relation[2] for s, p, _ in _relations(graph))


@pytest.mark.parametrize("prompt,relation", [
    ("a shopping cart holding oranges", ("orange", "inside", "cart")),
    ("a glass jar holding buttons", ("button", "inside", "jar")),
    ("a side table holding two candles", ("candle", "on", "dining table")),
])
def test_a_holder_holding_something_still_holds_it(prompt, relation):
    assert relation in _relations(parse_prompt(prompt))


# --- after an action, "the <part> on <its whole>" is the whole's part, and the whole is acted on --
@pytest.mark.parametrize("prompt,whole,part,verb", [
    ("a mechanic replacing the wheel on a truck", "truck", "wheel", "replacing"),
    ("a luthier tightening the strings on a violin", "violin", "strings", "tightening"),
    ("a sailor mending the sail on a small boat", "boat", "sail", "mending"),
    ("a boy turning the knob on a door", "door", "knob", "turning"),
    ("a tailor fixing the zipper on a jacket", "jacket", "zipper", "fixing"),
])
def test_the_part_on_its_whole_after_an_action_is_the_wholes(prompt, whole, part, verb):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, whole)
    assert ("person", verb, whole) in _relations(graph)
    assert part not in {o.name for o in graph.objects}


def test_a_thing_placed_on_another_after_an_action_stays_apart():
    relations = _relations(parse_prompt("a man polishing the lamp on his desk"))
    assert {("person", "polishing", "lamp"), ("lamp", "on", "desk")} <= relations


# --- "rides on (top of) / in" what is ridden is riding it, not a place -------------------------
@pytest.mark.parametrize("prompt,relation", [
    ("a monkey riding on top of a bus", ("monkey", "riding", "bus")),
    ("a parrot rides on a bicycle", ("bird", "riding", "bicycle")),
    ("a dog riding in a canoe", ("dog", "riding", "boat")),
    ("two kids riding on a tractor", ("person", "riding", "tractor")),
    ("a frog rides on top of a turtle", ("frog", "riding", "turtle")),
])
def test_riding_on_or_in_a_thing_rides_it(prompt, relation):
    relations = _relations(parse_prompt(prompt))
    assert relation in relations
    assert not any(p in ("on", "inside") for _, p, _ in relations)


# --- a thing someone has "with" them before the clause's own verb is theirs; they do the verb --
@pytest.mark.parametrize("prompt,part,relation", [
    ("a nurse with a clipboard checks a chart", "clipboard", ("person", "checking", "chart")),
    ("a chef with a ladle stirs a pot", "ladle", ("person", "stirring", "pot")),
    ("a jeweler with a loupe inspects a ring", "loupe", ("person", "inspecting", "ring")),
    ("a guard with a flashlight checks a door", "flashlight", ("person", "checking", "door")),
    ("a hiker with a headlamp climbs a hill", "headlamp", None),
])
def test_a_with_thing_before_a_finite_verb_is_the_persons(prompt, part, relation):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, "person")
    assert part not in {o.name for o in graph.objects}
    if relation is not None:
        assert relation in _relations(graph)


def test_a_with_thing_before_a_participle_still_acts_on_its_own():
    graph = parse_prompt("a boy with a drone hovering above him")
    assert ("drone", "above", "person") in _relations(graph)


# --- a comma clause that places its own noun after an action's object is no second object -------
@pytest.mark.parametrize("prompt,placed,wrong", [
    ("A student reads a textbook, her phone on the desk.", ("cell phone", "on", "desk"), ("person", "reading", "cell phone")),
    ("A girl feeds a goat, a bucket beside her.", ("bucket", "next to", "person"), ("person", "feeding", "bucket")),
    ("A chef slices onions, a pot on the stove behind him.", ("pot", "on", "oven"), ("person", "slicing", "pot")),
    ("A florist trims roses, a bucket beside her.", ("bucket", "next to", "person"), ("person", "trimming", "bucket")),
])
def test_a_placed_comma_clause_after_an_object_is_not_acted_on(prompt, placed, wrong):
    relations = _relations(parse_prompt(prompt))
    assert placed in relations
    assert wrong not in relations


def test_a_comma_list_of_objects_is_still_acted_on():
    relations = _relations(parse_prompt("a woman carrying a cup, a saucer and a spoon"))
    assert {("person", "carrying", x) for x in ("cup", "saucer", "spoon")} <= relations


# --- after an action, a made thing a living owner has (not its part, not worn) is acted on itself --
@pytest.mark.parametrize("prompt,thing,verb,owner", [
    ("a boy holds the dog's leash", "leash", "holding", "dog"),
    ("a woman fills the cat's bowl", "bowl", "filling", "cat"),
    ("a child hugs the dog's pillow", "pillow", "hugging", "dog"),
    ("a woman folds the horse's rug", "rug", "folding", "horse"),
    ("a farmer repairs the goat's pen", "pen", "repairing", "goat"),
    ("a man repairs the horse's saddlebag", "saddlebag", "repairing", "horse"),
])
def test_a_living_owners_made_thing_after_an_action_is_acted_on(prompt, thing, verb, owner):
    graph = parse_prompt(prompt)
    assert ("person", verb, thing) in _relations(graph)
    assert thing not in _parts(graph, owner)


def test_a_living_owners_part_after_an_action_still_reaches_the_owner():
    graph = parse_prompt("a groom brushes the horse's mane")
    assert ("person", "brushing", "horse") in _relations(graph)
