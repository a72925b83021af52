"""The parser's naming: which objects a prompt names and what they are called (issue 9, round 4).

Every prompt here is written for these tests, not copied from the gold files, so that each
mechanism is checked on text it was not tuned on.
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt


def _objects(prompt: str) -> dict[str, tuple[int | None, str | None]]:
    """name -> (count, colour) of each object the parser finds."""
    graph: SceneGraph = parse_prompt(prompt)
    return {o.name: (o.count, o.attributes.color) for o in graph.objects}


def _names(prompt: str) -> set[str]:
    return set(_objects(prompt))


def _relations(prompt: str) -> set[tuple[str, str, str]]:
    graph = parse_prompt(prompt)
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


# --- a distinct kind keeps its own name; a true synonym takes the class -------------------------
@pytest.mark.parametrize(("prompt", "name", "not_name"), [
    ("a glass beaker next to a test tube rack", "beaker", "cup"),
    ("a silver hip flask on a poker table", "flask", "bottle"),
    ("a white van parked outside a bakery", "van", "truck"),
    ("a wooden bar stool beside the counter", "stool", "chair"),
    ("three bagels with cream cheese on a plate", "bagel", "donut"),
    ("a farmer holding a rusty pitchfork", "pitchfork", "fork"),
])
def test_a_distinct_kind_keeps_its_own_name(prompt: str, name: str, not_name: str) -> None:
    names = _names(prompt)
    assert name in names
    assert not_name not in names


@pytest.mark.parametrize(("prompt", "cls"), [
    ("a chipped mug on the windowsill", "cup"),
    ("a red sofa under a window", "couch"),
    ("a smartphone lying on a desk", "cell phone"),
    ("a kayak pulled onto a sandy beach", "boat"),
])
def test_a_synonym_of_a_class_is_named_by_the_class(prompt: str, cls: str) -> None:
    assert cls in _names(prompt)


@pytest.mark.parametrize(("prompt", "name", "count"), [
    ("a baker's dozen of bagels in a paper bag", "bagel", 13),
    ("a bakers dozen cookies on a tray", "cookie", 13),
    ("two cats and a baker's dozen muffins", "cake", 13),
])
def test_a_bakers_dozen_is_thirteen(prompt: str, name: str, count: int) -> None:
    assert _objects(prompt)[name][0] == count


# --- a colour word that is part of a species' name ---------------------------------------------
@pytest.mark.parametrize(("prompt", "name", "count"), [
    ("two red pandas asleep in a tree", "red panda", 2),
    ("a blue whale swimming below a sailboat", "blue whale", 1),
    ("a grey wolf standing on a snowy ridge", "grey wolf", 1),
])
def test_a_colour_that_names_a_species_is_no_colour(prompt: str, name: str, count: int) -> None:
    assert _objects(prompt)[name] == (count, None)


@pytest.mark.parametrize(("prompt", "name", "colour"), [
    ("a black cat on a windowsill", "cat", "black"),
    ("a brown bear beside a river", "bear", "brown"),
    ("a black swan gliding past a rowboat", "bird", "black"),
])
def test_a_colour_before_a_class_animal_stays_its_colour(prompt: str, name: str, colour: str) -> None:
    assert _objects(prompt)[name][1] == colour


# --- a plural-only name WordNet lists as a lemma of its own is one thing ------------------------
@pytest.mark.parametrize(("prompt", "count"), [
    ("orange sunglasses resting on a stack of books", 1),
    ("a skier with sunglasses pushed up on her helmet", 1),
    ("two pairs of sunglasses on a beach towel", 2),
])
def test_sunglasses_are_one_thing_named_in_the_plural(prompt: str, count: int) -> None:
    objects = _objects(prompt)
    assert "sunglass" not in objects
    assert objects.get("sunglasses", (count, None))[0] == count
    assert "sunglasses" in objects or any("sunglasses" in p for o in parse_prompt(prompt).objects
                                           for p in o.attributes.parts)


# --- a verb's -s form that completes a compound noun WordNet lists ------------------------------
@pytest.mark.parametrize(("prompt", "name"), [
    ("a tray of cinnamon rolls cooling on the counter", "cinnamon roll"),
    ("a bowl of egg rolls on the table", "egg roll"),
    ("a box of fish sticks in the freezer", "fish stick"),
])
def test_an_s_word_that_completes_a_food_compound_is_its_plural(prompt: str, name: str) -> None:
    names = _names(prompt)
    assert name in names
    assert name.split()[0] not in names


def test_an_s_verb_after_an_animal_is_still_its_verb() -> None:
    # "bird call" is a WordNet noun, but a sound, not a thing: "calls" is the bird's verb
    assert "bird call" not in _names("a bird calls from the top of a fence")


# --- product listings: dimensions and size ranges ---------------------------------------------
@pytest.mark.parametrize(("prompt", "name", "measurements"), [
    ("Linen tote bag, natural, 40 x 35 cm", "handbag", {"40 cm", "35 cm"}),
    ("Oak storage box, 30x20x10 inches, with a lid", "box", {"30 inches", "20 inches", "10 inches"}),
    ("Wool rug, 160 × 230 cm, on a wooden floor", "rug", {"160 cm", "230 cm"}),
])
def test_dimensions_are_one_measurement_per_number(prompt: str, name: str, measurements: set[str]) -> None:
    graph = parse_prompt(prompt)
    obj = next(o for o in graph.objects if o.name == name)
    assert set(obj.attributes.measurements) == measurements
    assert "x" not in _names(prompt)


@pytest.mark.parametrize(("prompt", "without"), [
    ("Kids' rain boots, yellow, sizes 4-10", "Kids' rain boots, yellow"),
    ("Wooden puzzle, ages 3-5, on a play mat", "Wooden puzzle, on a play mat"),
    ("Cotton pajamas, striped, size 8", "Cotton pajamas, striped"),
    ("3-5 ripe apples in a ceramic bowl", "ripe apples in a ceramic bowl"),
])
def test_a_size_or_number_range_counts_nothing(prompt: str, without: str) -> None:
    # the range reads as if it were not there: no object named by a digit, no count from it
    assert _objects(prompt) == _objects(without)


# --- typos of verb forms ----------------------------------------------------------------------
@pytest.mark.parametrize(("prompt", "verb"), [
    ("a chef cuting a loaf of bread", "cutting"),
    ("a woman feedign the ducks in a pond", "feeding"),
    ("a girl holdign a yellow umbrella", "holding"),
])
def test_a_slip_in_a_verb_form_is_read_as_the_verb(prompt: str, verb: str) -> None:
    graph = parse_prompt(prompt)
    assert any(r.predicate.startswith(verb) for r in graph.relations)
    assert all(not o.name.startswith(verb[:3]) for o in graph.objects)


def test_a_name_the_dictionary_lacks_is_left_as_it_is() -> None:
    assert "pikachu" in _names("a pikachu plush next to a lamp")


# --- "hand painted" in a listing says how a thing was made -------------------------------------
@pytest.mark.parametrize(("prompt", "name"), [
    ("Set of 4 ceramic mugs, hand painted, blue and white", "cup"),
    ("Sourdough loaf, oven baked, on a linen cloth", "loaf"),
    ("Wooden spoon, hand carved, walnut finish", "spoon"),
])
def test_a_making_fragment_names_no_object(prompt: str, name: str) -> None:
    names = _names(prompt)
    assert name in names
    assert not names & {"hand", "oven"}


def test_a_noun_with_a_participle_inside_a_phrase_is_still_the_noun() -> None:
    # "a fence painted white" is a fence: only a fragment of its own is read as "how it was made"
    assert "fence" in _names("a tabby cat sitting on a fence painted white")


# --- a group with adjectives before it names its members --------------------------------------
@pytest.mark.parametrize(("prompt", "member", "group"), [
    ("a bright school of silver fish circling a diver", "fish", "school"),
    ("a tall stack of pancakes on a blue plate", "pancake", "stack"),
    ("a noisy flock of geese above the barn", "bird", "flock"),
    ("a thick slice of bread beside a bowl of soup", "bread", "slice"),
])
def test_adjectives_before_a_group_word_describe_the_group(prompt: str, member: str, group: str) -> None:
    names = _names(prompt)
    assert member in names
    assert group not in names


def test_a_group_of_an_invariant_noun_is_plural() -> None:
    count, _ = _objects("a school of fish below a red boat")["fish"]
    assert count != 1


# --- an -ing word between a thing that cannot act and a thing names a kind ---------------------
@pytest.mark.parametrize(("prompt", "name", "not_name"), [
    ("a stoneware serving bowl holding three lemons", "bowl", "stoneware"),
    ("a walnut serving tray with two cups on it", "tray", "walnut"),
    ("a steel mixing bowl next to a whisk", "bowl", "steel"),
])
def test_a_gerund_after_a_material_noun_names_a_kind(prompt: str, name: str, not_name: str) -> None:
    names = _names(prompt)
    assert name in names
    assert not_name not in names
    assert not any(p.endswith("ing") for _, p, _ in _relations(prompt))


def test_a_gerund_after_a_person_is_still_their_action() -> None:
    assert ("person", "slicing", "tomato") in _relations("a chef slicing tomato on a board") | _relations(
        "a chef slicing a tomato on a board")


# --- a drink before a made thing says what it is for --------------------------------------------
@pytest.mark.parametrize(("prompt", "name", "colour"), [
    ("Ceramic coffee dripper, white, on a tray", "dripper", "white"),
    ("a glass milk jug beside a loaf of bread", "bottle", None),
    ("an espresso machine, chrome, on a counter", "espresso machine", None),
    ("a chocolate cake on a stand", "cake", "brown"),
    ("a coffee-colored dress on a hanger", "dress", "brown"),
])
def test_a_drink_before_a_made_thing_is_no_colour(prompt: str, name: str, colour: str | None) -> None:
    objects = _objects(prompt)
    found = next(v for k, v in objects.items() if k == name or k.endswith(name.split()[-1]))
    assert found[1] == colour


# --- a stand is a made thing, not a place --------------------------------------------------------
@pytest.mark.parametrize(("prompt", "thing"), [
    ("two dozen cupcakes on a three-tier stand", "stand"),
    ("a sheet of music on a metal stand beside a piano", "stand"),
    ("a bonsai tree on a wooden stand", "stand"),
])
def test_a_stand_something_rests_on_is_drawn(prompt: str, thing: str) -> None:
    assert any(name.endswith(thing) for name in _names(prompt))


def test_a_mass_noun_before_an_s_verb_leaves_the_verb_alone() -> None:
    names = _names("a tall glass of cold milk stands on the counter")
    assert not any(name.endswith("stand") for name in names)


# --- after adjectives alone, an -s word that names a thing is the noun -------------------------
@pytest.mark.parametrize(("prompt", "name", "colour"), [
    ("red blocks on a wooden table", "block", "red"),
    ("a child with wooden blocks on a rug", "block", None),
    ("small green bottles lined up on a shelf", "bottle", "green"),
])
def test_an_s_word_after_adjectives_is_the_noun(prompt: str, name: str, colour: str | None) -> None:
    objects = _objects(prompt)
    assert name in objects
    assert objects[name][1] == colour


# --- cookware holds what is in it ----------------------------------------------------------------
@pytest.mark.parametrize(("prompt", "content", "holder"), [
    ("two eggs in a black cast iron pan", "egg", "pan"),
    ("shrimp sizzling in a wok", "shrimp", "wok"),
    ("sliced mushrooms in a small saucepan", "mushroom", "saucepan"),
])
def test_food_in_a_pan_is_inside_it(prompt: str, content: str, holder: str) -> None:
    assert (content, "inside", holder) in _relations(prompt)


# --- an -s word is a verb only where that reading is real ------------------------------------
@pytest.mark.parametrize(("prompt", "name", "not_name"), [
    ("ivy climbs toward its upper windows", "window", "upper"),
    ("window boxes overflowing with petunias below a balcony", "box", "window"),
    ("cigar boxes overflowing with old letters on a desk", "box", "cigar"),
])
def test_an_s_word_that_completes_a_made_thing_is_its_plural(prompt: str, name: str, not_name: str) -> None:
    names = _names(prompt)
    assert any(n.endswith(name) for n in names)
    assert not_name not in names


@pytest.mark.parametrize(("prompt", "not_name"), [
    ("soft light filters through the trees onto a bench", "filter"),
    ("a bird calls from a branch above a pond", "bird call"),
])
def test_an_s_verb_before_a_preposition_stays_a_verb(prompt: str, not_name: str) -> None:
    assert not any(n.endswith(not_name) for n in _names(prompt))


# --- an adjective whose noun use WordNet never attests is no person ---------------------------
@pytest.mark.parametrize(("prompt", "name"), [
    ("the ancient counting tool next to a pile of coins", "tool"),
    ("an old writing desk under a window", "desk"),
    ("an elderly reading lamp beside an armchair", "lamp"),
])
def test_an_adjective_before_a_gerund_kind_is_no_person(prompt: str, name: str) -> None:
    names = _names(prompt)
    assert name in names
    assert "person" not in names


def test_an_animal_before_an_ing_word_is_still_its_agent() -> None:
    assert "animal" in _names("the largest land animal spraying water")


# --- a colour fragment of a listing colours the listed thing, not the next fragment --------------
@pytest.mark.parametrize(("prompt", "name", "colour", "part"), [
    ("Stainless steel water bottle, 750 ml, matte olive green, bamboo lid", "bottle", "green", "bamboo lid"),
    ("Wool beanie, charcoal grey, leather patch", "beanie", "gray", "leather patch"),
    ("Ceramic teapot, glossy navy, cork lid", "teapot", "blue", "cork lid"),
])
def test_a_colour_fragment_ends_at_its_comma(prompt: str, name: str, colour: str, part: str) -> None:
    obj = next(o for o in parse_prompt(prompt).objects if o.name == name)
    assert obj.attributes.color == colour
    assert part in obj.attributes.parts


@pytest.mark.parametrize("word", ["barista", "influencer", "vlogger"])
def test_people_wordnet_has_no_word_for_are_people(word: str) -> None:
    assert "person" in _names(f"a {word} holding a paper cup")


# --- a shape or an amount before "of" names what follows ----------------------------------------
@pytest.mark.parametrize(("prompt", "member", "shape"), [
    ("a coil of rope on the deck of a sailboat", "rope", "coil"),
    ("a mountain of pancakes on a blue plate", "pancake", "mountain"),
    ("a swirl of whipped cream on a mug of cocoa", "whipped cream", "swirl"),
])
def test_a_shape_word_before_of_names_the_member(prompt: str, member: str, shape: str) -> None:
    names = _names(prompt)
    assert member in names
    assert shape not in names


@pytest.mark.parametrize(("prompt", "absent"), [
    ("a steam train trailing a long plume of white smoke", "plume"),
    ("a chimney puffing a thin column of smoke", "column"),
])
def test_a_shape_of_smoke_names_nothing_to_draw(prompt: str, absent: str) -> None:
    assert absent not in _names(prompt)


@pytest.mark.parametrize(("prompt", "owner", "part"), [
    ("two chopsticks resting across the rim of a bowl", "bowl", "rim"),
    ("three of the birds on a wire", "bird", None),
])
def test_a_part_or_a_number_before_of_is_not_a_shape(prompt: str, owner: str, part: str | None) -> None:
    objects = {o.name: o for o in parse_prompt(prompt).objects}
    assert owner in objects
    if part is None:
        assert objects[owner].count == 3
    else:
        assert part not in objects


# --- a proper name's sense and a plural-only compound ------------------------------------------
@pytest.mark.parametrize(("prompt", "name"), [
    ("two seagulls fighting over a french fry", "french fry"),
    ("a basket of french fries next to a burger", "french fry"),
])
def test_a_compound_wordnet_lists_in_the_plural_names_the_singular_too(prompt: str, name: str) -> None:
    names = _names(prompt)
    assert name in names
    assert "person" not in names


def test_a_food_named_like_a_person_is_not_a_person() -> None:
    # WordNet's first "bacon" after the food is Francis Bacon, a name
    from stagestudio.scene.parsing import english
    assert english.geneval_class("bacon") is None


def test_a_plural_wordnet_lists_as_a_thing_is_no_verb() -> None:
    # "sprinkles" is a WordNet noun of its own, so "rainbow" is no object with a verb after it
    assert "rainbow" not in _names("a pink donut with rainbow sprinkles on a white plate")
    assert "sprinkle" in _names("a chocolate cupcake topped with sprinkles on a napkin")


def test_a_plural_with_no_singular_keeps_its_form() -> None:
    assert "clothes" in _names("a pile of folded clothes on a bed")


# --- a shade before a colour that is also a class is the colour, in a listing ----------------------
@pytest.mark.parametrize(("prompt", "name", "colour"), [
    ("Men's running shoes, neon orange with white soles", "shoe", "orange"),
    ("Silk scarf, pale orange, folded on a chair", "scarf", "orange"),
])
def test_a_shaded_colour_fragment_is_no_fruit(prompt: str, name: str, colour: str) -> None:
    objects = _objects(prompt)
    assert "orange" not in objects
    assert objects[name][1] == colour


def test_an_orange_with_an_article_is_still_the_fruit() -> None:
    assert "orange" in _names("a bright orange on a white plate")


# --- a handle is a part, not a covering that gives the thing its colour ------------------------
@pytest.mark.parametrize(("prompt", "name", "colour", "part"), [
    ("Canvas tote bag, natural beige, black leather handles, inner zip pocket", "handbag", "brown",
     "black leather handles"),
    ("Bamboo toothbrush, charcoal bristles, biodegradable handle", "toothbrush", None, "handle"),
    ("Enamel saucepan, cream, black handle, on a stove", "saucepan", "white", "black handle"),
])
def test_a_handle_fragment_is_a_part(prompt: str, name: str, colour: str | None, part: str) -> None:
    obj = next(o for o in parse_prompt(prompt).objects if o.name == name)
    assert obj.attributes.color == colour
    assert any(p.endswith(part) for p in obj.attributes.parts)


# --- a possessive written without its apostrophe ------------------------------------------------
@pytest.mark.parametrize(("prompt", "with_apostrophe"), [
    ("a toddler on his dads shoulders at a parade", "a toddler on his dad's shoulders at a parade"),
    ("a ladybug crawling on the girls arm", "a ladybug crawling on the girl's arm"),
    ("a butterfly resting on the horses nose", "a butterfly resting on the horse's nose"),
])
def test_a_possessive_without_apostrophe_before_a_body_part(prompt: str, with_apostrophe: str) -> None:
    assert parse_prompt(prompt) == parse_prompt(with_apostrophe)


def test_a_missing_apostrophe_finds_the_owner() -> None:
    objects = parse_prompt("a toddler on his dads shoulders at a parade").objects
    assert sum(o.name == "person" for o in objects) == 2
    assert any("shoulders" in p for o in objects for p in o.attributes.parts)


def test_a_plural_subject_before_a_verb_is_not_a_possessive() -> None:
    assert _objects("the horses graze near a wooden fence")["horse"][0] != 1
