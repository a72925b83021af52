"""The parser's eighth round, part C: parts, counts and measurements on prompts nobody tuned
against.

Each group checks one general mechanism on prompts invented for it, in other domains than the
gold sets' prompts (none is taken from them).
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _names(graph: SceneGraph) -> list[str]:
    return [o.name for o in graph.objects]


def _parts(graph: SceneGraph, name: str) -> list[str]:
    return [p for o in graph.objects if o.name == name for p in o.attributes.parts]


def _measurements(graph: SceneGraph, name: str) -> list[str]:
    return [m for o in graph.objects if o.name == name for m in o.attributes.measurements]


# --- worn "in": a garment no dictionary has, or one whose first sense is no garment -------------
@pytest.mark.parametrize("prompt,wearer,worn", [
    ("a toddler in a onesie naps on a sofa", "person", "onesie"),
    ("a dog in a hoodie rides a skateboard", "dog", "hoodie"),
    ("a fisherman in waders casts a line from a rock", "person", "waders"),
    ("a girl in a gilet eats ice cream on a bench", "person", "gilet"),
    ("an old man in hip waders stands beside a canoe", "person", "waders"),
    ("a surgeon in latex gloves holds a scalpel", "person", "latex gloves"),
    ("a goalkeeper in green gloves dives for a ball", "person", "green gloves"),
    ("a gardener in rubber gloves kneels by a rose bush", "person", "rubber gloves"),
])
def test_worn_in_is_the_wearers_part(prompt, wearer, worn):
    graph = parse_prompt(prompt)
    assert worn in _parts(graph, wearer)
    assert "bird" not in _names(graph) and "baseball glove" not in _names(graph)


# --- a relative clause's measurement is its antecedent's ----------------------------------------
@pytest.mark.parametrize("prompt,owner,other,size", [
    ("two cows next to a horse that weighs 500 kg", "horse", "cow", "500 kg"),
    ("a boy lifting a dumbbell that weighs 5 kg", "dumbbell", "person", "5 kg"),
    ("a cat sleeping beside a pumpkin that weighs 300 kg", "pumpkin", "cat", "300 kg"),
    ("a child hugging a teddy bear that stands 2 m tall", "teddy bear", "person", "2 m"),
])
def test_relative_clause_measurement_goes_to_its_antecedent(prompt, owner, other, size):
    graph = parse_prompt(prompt)
    assert any(m.startswith(size) for m in _measurements(graph, owner))
    assert not any(m.startswith(size) for m in _measurements(graph, other))


# --- what a named someone wears, placed by a relation, is their part ---------------------------
@pytest.mark.parametrize("prompt,other,relation,worn", [
    ("a cat hiding under the wizard's cloak", "cat", "below", "cloak"),
    ("a parrot perched on the pirate's hat", "bird", "on", "hat"),
    ("a kitten tangled in the knitter's scarf", "cat", "inside", "scarf"),
    ("a dog sleeping on the farmer's jacket", "dog", "on", "jacket"),
])
def test_possessed_garment_is_its_wearers_part(prompt, other, relation, worn):
    graph = parse_prompt(prompt)
    assert worn in _parts(graph, "person")
    assert worn not in _names(graph)
    names = {o.id: o.name for o in graph.objects}
    assert (other, relation, "person") in {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


@pytest.mark.parametrize("prompt,product", [
    ("Men's leather jacket, brown, hanging on a hook", "jacket"),
    ("Women's wool coat, camel, on a mannequin", "coat"),
    ("Kids' winter coat, navy, hanging on a peg", "coat"),
])
def test_a_product_made_for_people_stays_the_product(prompt, product):
    assert product in _names(parse_prompt(prompt))


# --- a group word before a mass is one mass; before an animal's name, many ---------------------
def _count(graph: SceneGraph, name: str) -> int:
    return next(o.count for o in graph.objects if o.name == name)


@pytest.mark.parametrize("prompt,mass", [
    ("a cat asleep on a pile of laundry", "laundry"),
    ("a goat standing on a heap of hay", "hay"),
    ("a child sitting on a stack of firewood", "firewood"),
    ("a bundle of straw beside a barn", "straw"),
])
def test_a_pile_of_a_mass_is_one(prompt, mass):
    assert _count(parse_prompt(prompt), mass) == 1


@pytest.mark.parametrize("prompt,animal", [
    ("a school of fish near a reef", "fish"),
    ("a herd of deer in a meadow", "deer"),
    ("a flock of sheep on a hill", "sheep"),
])
def test_a_group_of_animals_is_many(prompt, animal):
    assert _count(parse_prompt(prompt), animal) > 1


# --- the tool named after an action's object with "with" is the doer's --------------------------
@pytest.mark.parametrize("prompt,doer,tool,acted_on", [
    ("a boy painting a fence with a roller", "person", "roller", "fence"),
    ("a mason smoothing a brick with a trowel", "person", "trowel", "brick"),
    ("a jeweler polishing a ring with a cloth", "person", "cloth", "ring"),
    ("a doctor checking a boy's ear with an otoscope", "person", "otoscope", "person"),
    ("a baker dusting a loaf with a sieve", "person", "sieve", "loaf"),
])
def test_tool_after_the_object_is_the_doers_part(prompt, doer, tool, acted_on):
    graph = parse_prompt(prompt)
    assert tool in _parts(graph, doer)
    assert tool not in _names(graph) and acted_on in _names(graph)
    assert not any(tool in o.attributes.parts for o in graph.objects if o.name == acted_on and o.name != doer)


# --- a listed tree's wood is the product's material, not a tree -------------------------------
@pytest.mark.parametrize("prompt,product,tree", [
    ("Salad bowl, acacia wood, with matching servers", "bowl", "acacia"),
    ("Coat hanger, cedar wood, with brass hook", "coat hanger", "cedar"),
    ("Bird feeder, cedar wood, with copper roof", "bird feeder", "cedar"),
    ("Jewelry box, walnut wood, with velvet lining", "box", "walnut"),
])
def test_listed_wood_is_the_products_material(prompt, product, tree):
    graph = parse_prompt(prompt)
    assert _names(graph) == [product]


# --- a made thing's part named after a body part ----------------------------------------------
@pytest.mark.parametrize("prompt,owner,part", [
    ("a clay jug with a wide mouth beside a loaf", "bottle", "wide mouth"),
    ("Winter mittens, fleece lining, touchscreen fingertips", "mitten", "touchscreen fingertips"),
    ("a wooden rocking horse with carved ears", "rocking horse", "carved ears"),
    ("a porcelain doll with painted lips", "doll", "painted lips"),
])
def test_body_shaped_part_of_a_made_thing(prompt, owner, part):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, owner)
    assert len([o for o in graph.objects if o.name not in (owner, "loaf")]) == 0


# --- a made thing named only in the plural, after "with", is a fitting -------------------------
@pytest.mark.parametrize("prompt,owner,fitting,wrong", [
    ("a reading desk with gold spectacles and an inkwell", "desk", "gold spectacles", "spectacle"),
    ("Vintage trunk, leather straps, with brass spectacles", "trunk", "brass spectacles", "spectacle"),
    ("Fireplace tool set, black iron, with leather bellows", "tool", "leather bellows", "bellow"),
    ("a hearth brush with leather bellows", "brush", "leather bellows", "bellow"),
])
def test_plural_only_made_thing_after_with_is_a_fitting(prompt, owner, fitting, wrong):
    graph = parse_prompt(prompt)
    assert fitting in _parts(graph, owner)
    assert wrong not in _names(graph)


# --- "a dozen" counts across a participle ------------------------------------------------------
@pytest.mark.parametrize("prompt,name,count", [
    ("a dozen carved ducks on a mantel", "bird", 12),
    ("a dozen polished stones on a windowsill", "stone", 12),
    ("a dozen folded towels on a bench", "towel", 12),
    ("a dozen boiled eggs in a bowl", "boiled egg", 12),
])
def test_number_noun_counts_across_a_participle(prompt, name, count):
    assert _count(parse_prompt(prompt), name) == count


# --- an absolute phrase: a made thing carried on the doer's own body ---------------------------
@pytest.mark.parametrize("prompt,carried", [
    ("a soldier stands guard, a rifle slung over his shoulder", "rifle"),
    ("two nurses walk down a hall, clipboards under their arms", "clipboards"),
    ("a fisherman walks the pier, a net over his shoulder", "net"),
    ("pickers climb the trees, wicker baskets strapped to their backs", "wicker baskets"),
])
def test_absolute_phrase_on_own_body_is_carried(prompt, carried):
    graph = parse_prompt(prompt)
    assert carried in _parts(graph, "person")
    assert len(graph.objects) == len([o for o in graph.objects if o.name in ("person", "hall", "tree")])


# --- an apposition renames the thing just named (the dependency parse's appos / repeated object) ---
@pytest.mark.parametrize("prompt,kept,renamed", [
    ("A child spins a zoetrope, a slotted paper cylinder on a wooden stand.", "zoetrope", "cylinder"),
    ("On the workbench lies a spokeshave, a small two-handled blade for shaping chair legs.", "spokeshave", "knife"),
    ("A beekeeper lifts a frame from a skep, a domed straw basket on a low stool.", "skep", "basket"),
    ("A glassblower turns a gather of glass on a marver, a flat steel table beside the furnace.", "marver",
     "dining table"),
])
def test_apposition_is_the_same_thing(prompt, kept, renamed):
    graph = parse_prompt(prompt)
    names = _names(graph)
    assert kept in names and renamed not in names


@pytest.mark.parametrize("prompt,names", [
    ("a van parked beside a low hedge, a jogger running past on its right", ["hedge", "person"]),
    ("a kite above the pier, a gull below it", ["kite", "bird"]),
    ("A stable hand brushes a pony, a metal pail beside him.", ["horse", "pail"]),
    ("Desk flatlay: a brass lamp, a jar of pencils, and two notebooks on oak", ["lamp", "jar"]),
])
def test_list_or_fragment_after_a_comma_is_another_thing(prompt, names):
    assert set(names) <= set(_names(parse_prompt(prompt)))


# --- a kind named after someone inside a quantifier: the quantifier counts the kind ---------------
@pytest.mark.parametrize("prompt,name,count", [
    ("A trio of cooper's hawks circle above a barn.", "bird", 3),
    ("A trio of steller's jays squabble on a fence.", "bird", 3),
    ("A trio of bell's vireos sing in a hedge.", "bird", 3),
    ("A trio of swainson's thrushes sit on a wire.", "thrush", 3),
])
def test_possessive_kind_inside_a_quantifier_is_counted(prompt, name, count):
    graph = parse_prompt(prompt)
    assert [o.count for o in graph.objects if o.name == name] == [count]


# --- what is moved along "its" part is not the part's owner ------------------------------------
@pytest.mark.parametrize("prompt,owner,part,moved", [
    ("A girl sits on a rocking chair sliding a bead along its arm.", "chair", "arm", "bead"),
    ("A boy sits on a sofa rolling a toy car along its arm.", "couch", "arm", "car"),
    ("An old man sits in an armchair tapping a pipe along its armrest.", "chair", "armrest", "pipe"),
    ("A student sits on a bench rolling a pencil along its arms.", "bench", "arms", "pencil"),
])
def test_thing_moved_along_its_part_does_not_own_it(prompt, owner, part, moved):
    graph = parse_prompt(prompt)
    assert part in _parts(graph, owner) and part not in _parts(graph, moved)


# --- "can" after a noun with no bare verb after it is the container, not the modal --------------
@pytest.mark.parametrize("prompt,wrong", [
    ("A rusty paint can sits on a ladder.", "paint"),
    ("A gas can, a rope and a tarp lie in the truck bed.", "gas"),
    ("A red fuel can and a shovel lean on the shed.", "fuel"),
    ("A small brass oil can rests on a shelf.", "oil"),
])
def test_can_after_a_noun_is_a_container(prompt, wrong):
    names = _names(parse_prompt(prompt))
    assert wrong not in names and any(n.endswith("can") for n in names)


def test_modal_can_before_a_bare_verb_stays_a_verb():
    assert _names(parse_prompt("The dog can run across the field.")) == ["dog"]
