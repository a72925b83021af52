"""The parser's eighth round, part B: relations read from the dependency parse.

Each group checks one general mechanism on prompts invented for it, in other domains than the
gold sets' prompts (none is taken from them). Without the contextual tagger installed the
mechanisms cannot act, so those groups are skipped.
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.parsing.tagging import tag_sentence

needs_tagger = pytest.mark.skipif(tag_sentence(["a", "dog"]) is None, reason="contextual tagger not installed")


def _relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    names = {o.id: o.name for o in graph.objects}
    return {(names[r.subject], r.predicate, names[r.object]) for r in graph.relations}


def _id_relations(graph: SceneGraph) -> set[tuple[str, str, str]]:
    return {(r.subject, r.predicate, r.object) for r in graph.relations}


# --- a participle or relative clause describes the noun it hangs from: that noun acts -----------
@needs_tagger
@pytest.mark.parametrize("prompt,doer,predicate,acted_on,not_doer", [
    ("a farmer drives a tractor pulling a plough", "tractor", "pulling", "plough", "person"),
    ("a boy walks a dog chasing a ball", "dog", "chasing", "sports ball", "person"),
    ("a woman photographs a horse jumping a fence", "horse", "jumping", "fence", "person"),
    ("a man rides a bicycle towing a trailer", "bicycle", "towing", "trailer", "person"),
    ("a keeper feeds a seal balancing a ball on its nose", "seal", "balancing", "sports ball", "person"),
])
def test_participle_after_an_object_is_that_objects_action(prompt, doer, predicate, acted_on, not_doer):
    relations = _relations(parse_prompt(prompt))
    assert (doer, predicate, acted_on) in relations
    assert (not_doer, predicate, acted_on) not in relations


@needs_tagger
@pytest.mark.parametrize("prompt,predicate", [
    ("a girl watches a cat that is licking a kitten", "licking"),
    ("a teacher scolds a pupil who is kicking a chair", "kicking"),
    ("a guard stops a tourist who is climbing a statue", "climbing"),
    ("a girl pets a goat that is chewing a rope", "chewing"),
])
def test_relative_clause_acts_for_the_noun_it_follows(prompt, predicate):
    graph = parse_prompt(prompt)
    # the second thing named does it, not the sentence's subject (o1)
    doers = {s for s, p, o in _id_relations(graph) if p == predicate}
    assert doers == {"o2"}


@needs_tagger
@pytest.mark.parametrize("prompt,doer,predicate,acted_on", [
    ("a monkey sitting on a branch eating a banana", "monkey", "eating", "banana"),
    ("a dog by a bench chewing a bone", "dog", "chewing", "bone"),
])
def test_participle_after_a_place_stays_the_subjects(prompt, doer, predicate, acted_on):
    # the parser hangs the participle from the nearest noun; a place's noun does not act
    assert (doer, predicate, acted_on) in _relations(parse_prompt(prompt))


# --- a verb the reading passed over: the parse names its subject and its object ----------------
@needs_tagger
@pytest.mark.parametrize("prompt,predicate,acted_on", [
    ("a nurse wiping down the arm of a patient", "wiping down", "person"),
    ("a jockey wiping down the legs of a horse", "wiping down", "horse"),
    ("a father patting down the fur of a dog", "patting down", "dog"),
    ("a technician wiping down the screen of a laptop", "wiping down", "laptop"),
    ("a farmer wiping down the flank of a cow", "wiping down", "cow"),
])
def test_unread_verb_acts_on_the_owner_of_the_part_it_names(prompt, predicate, acted_on):
    graph = parse_prompt(prompt)
    names = {o.id: o.name for o in graph.objects}
    assert {(s, p, names[o]) for s, p, o in _id_relations(graph)} == {("o1", predicate, acted_on)}


@needs_tagger
def test_unread_holding_verb_of_a_thing_holds_it():
    # a made thing that holds something up is its holder, not an agent
    relations = _relations(parse_prompt("a wall shelf holding up three plates"))
    assert relations == {("plate", "on", "shelf")}


@needs_tagger
@pytest.mark.parametrize("prompt,acted_on", [
    ("A janitor walks down the hall, shining a flashlight at a locker.", "flashlight"),
    ("A girl lies in the tent, shining a flashlight at a spider.", "flashlight"),
    ("A guide and a tourist stand at the cave mouth, shining a lantern at a bat.", "lantern"),
    ("A nurse and a doctor stand by the bed, shining a penlight at a patient.", "penlight"),
])
def test_unread_participle_after_a_comma_is_the_clause_subjects(prompt, acted_on):
    assert ("person", "shining", acted_on) in _relations(parse_prompt(prompt))


@needs_tagger
def test_unread_participle_after_a_comma_is_each_coordinated_subjects():
    graph = parse_prompt("A nurse and a doctor stand by the bed, shining a penlight at a patient.")
    doers = {s for s, p, o in _id_relations(graph) if p == "shining"}
    assert doers == {"o1", "o2"}


@needs_tagger
def test_parse_doer_named_together_with_the_rules_doer_leaves_the_rules_reading():
    # the parser misreads "stand" as a noun; the rules' doer is named together with its doer
    relations = _id_relations(parse_prompt("A pilot and a mechanic stand under the wing, inspecting a propeller."))
    assert ("o2", "inspecting", "o4") in relations


# --- "the <calling>" after someone named by another calling is someone else ---------------------
def _people(graph: SceneGraph) -> int:
    return sum(o.count for o in graph.objects if o.name == "person")


@pytest.mark.parametrize("prompt,people,doer,predicate", [
    ("a nurse checks a chart while the surgeon washes a scalpel", 2, "o3", "washing"),
    ("a cashier scans a melon as the manager watches a customer", 3, "o3", "watching"),
    ("a referee blows a whistle as the coach shouts at a player", 3, "o3", "shouting at"),
    ("a pilot waves as the mechanic checks a tire", 2, "o2", "checking"),
    ("a waiter pours wine while the chef tastes a sauce", 2, None, None),
])
def test_the_other_calling_names_another_person(prompt, people, doer, predicate):
    graph = parse_prompt(prompt)
    assert _people(graph) == people
    if doer is not None:
        assert {s for s, p, o in _id_relations(graph) if p == predicate} == {doer}


@pytest.mark.parametrize("prompt", [
    "A fisherman casts a line from a pier. The fisherman wears a hat.",
    "An old man feeds pigeons on a bench. The man holds a paper bag.",
    "A luthier in an apron sands a violin. The woman hums.",
])
def test_the_same_calling_or_a_plain_person_word_is_the_one_named_before(prompt):
    assert _people(parse_prompt(prompt)) == 1


# --- a living doer the parse names is not replaced by the thing it sits on ------------------------
@needs_tagger
@pytest.mark.parametrize("prompt,thing,predicate", [
    ("a girl on the carousel waving her hat at a crowd", "carousel", "waving"),
    ("a boy on the swing kicking his shoe into the air", "swing", "kicking"),
    ("a woman on the ferry throwing her scarf to a friend", "boat", "throwing"),
    ("a man on the tractor lifting his cap at a neighbour", "tractor", "lifting"),
])
def test_a_thing_someone_sits_on_does_not_do_what_they_do(prompt, thing, predicate):
    relations = _relations(parse_prompt(prompt))
    assert ("person", "on", thing) in relations
    assert not any(s == thing and p == predicate for s, p, o in relations)


# --- a perfect tense: "has" before a participle and its object is no possession ----------------------
@pytest.mark.parametrize("prompt,doer,predicate,acted_on", [
    ("a diver has just grabbed a rope", "diver", "grabbing", "rope"),
    ("two boys have caught a fish in the creek", "person", "catching", "fish"),
    ("a mechanic has lifted the hood of a truck", "person", "lifting", "truck"),
    ("the old dog had chewed a slipper", "dog", "chewing", "slipper"),
    ("a kid has picked up a shell on the beach", "person", "picking", "shell"),
])
def test_perfect_tense_participle_acts_on_its_object(prompt, doer, predicate, acted_on):
    assert (doer, predicate, acted_on) in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt,thing", [
    ("a robot that has folded arms", "arm"),
    ("a woman who has dyed hair", "hair"),
])
def test_has_before_a_participle_and_a_bare_noun_still_has_it(prompt, thing):
    relations = _relations(parse_prompt(prompt))
    assert not any(o == thing for _, _, o in relations)


# --- a compound verb written open: its participle acts, its first half is no object ----------------
@pytest.mark.parametrize("prompt,doer,predicate,acted_on", [
    ("a zookeeper blow drying a panda", "person", "drying", "bear"),
    ("a janitor power washing a bench", "person", "washing", "bench"),
    ("a mechanic pressure washing the engine of a tractor", "person", "washing", "tractor"),
    ("a cook stir frying noodles in a wok", "person", "frying", "noodle"),
    ("a barber blow drying a customer", "person", "drying", "person"),
])
def test_open_compound_verb_acts_with_its_participle(prompt, doer, predicate, acted_on):
    graph = parse_prompt(prompt)
    assert (doer, predicate, acted_on) in _relations(graph)
    assert not {"blow", "power", "pressure", "stir"} & {o.name for o in graph.objects}


@pytest.mark.parametrize("prompt,thing", [
    ("a kid on the ski lift dropping his mitten into the snow", "ski lift"),
    ("a tabby cat watching a bird", "cat"),
])
def test_a_two_word_thing_before_a_participle_stays_a_thing(prompt, thing):
    assert thing in {o.name for o in parse_prompt(prompt).objects}


# --- who is fed or thrown to is an animal in a later sense too -----------------------------------------
@pytest.mark.parametrize("prompt,animal", [
    ("a girl feeding a carrot to a doe", "doe"),
    ("a shepherd feeding a pellet to a vicuna", "vicuna"),
    ("a trapper feeding a fish to a mink", "mink"),
])
def test_the_animal_fed_is_drawn_and_fed(prompt, animal):
    assert ("person", "feeding", animal) in _relations(parse_prompt(prompt))


@pytest.mark.parametrize("prompt,animal", [
    ("a kid throwing a carrot to an alpaca", "alpaca"),
    ("a hiker tossing a nut to an ermine", "ermine"),
])
def test_the_animal_thrown_to_is_drawn(prompt, animal):
    assert animal in {o.name for o in parse_prompt(prompt).objects}


# --- "N of them" counts among the group named before, not the sentence's first thing ----------------
@pytest.mark.parametrize("prompt,first,group", [
    ("A barge carries a row of barrels, two of them leaking.", "barge", "barrel"),
    ("A van waits beside crates, three of them empty.", "van", "crate"),
    ("A potter sits among drying vases, two of them cracked.", "person", "vase"),
    ("A goat stands by the feeders, three of them empty.", "goat", "feeder"),
])
def test_a_count_of_them_is_among_the_group(prompt, first, group):
    counts = {o.name: o.count for o in parse_prompt(prompt).objects}
    assert counts.get(first) == 1 and counts.get(group, 0) >= 2
