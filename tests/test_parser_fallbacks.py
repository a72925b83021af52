"""Where the reading runs out: a prompt whose every noun the reading files as setting, shape or
picture word is still drawn as its subject (with a note saying so), only a prompt that names
nothing at all is refused, and a prompt that ends where a rule looks ahead is read, not crashed."""

import pytest

from stagestudio.scene.parser import PromptError, parse_prompt


def _objects(graph) -> list[tuple[str, int]]:
    return sorted((o.name, o.count) for o in graph.objects)


@pytest.mark.parametrize("prompt,objects", [
    ("A poppy field at dawn", [("field", 1)]),
    ("a barley field in late August", [("field", 1)]),
    ("A portrait in the style of Rembrandt", [("person", 1)]),
    ("An abstract painting in the manner of Kandinsky", [("painting", 1)]),
    ("an epic scene in the style of Tolkien", [("scene", 1)]),
])
def test_a_prompt_naming_only_its_subject_draws_the_subject(prompt, objects):
    graph = parse_prompt(prompt)
    assert _objects(graph) == objects
    assert any("drawn as the prompt's subject" in note for note in graph.notes)


def test_shapes_drawn_as_the_subject_keep_their_relation():
    graph = parse_prompt("a picture of a tall, narrow rectangle and a short, wide rectangle, the narrow one on the left")
    narrow, wide = graph.objects
    assert (narrow.name, wide.name) == ("rectangle", "rectangle")
    assert [(r.subject, r.predicate, r.object) for r in graph.relations] == [(narrow.id, "left of", wide.id)]


def test_a_prompt_with_an_object_is_read_as_before():
    graph = parse_prompt("a scarecrow in a wheat field")
    assert _objects(graph) == [("scarecrow", 1)] and not graph.notes


@pytest.mark.parametrize("prompt", ["a photo of", "the style of", "a close-up shot", "a dreamy mood",
                                    "a close-up in the style of the seventies", "a wide shot at golden hour"])
def test_framing_time_and_abstractions_alone_are_still_refused(prompt):
    with pytest.raises(PromptError, match="no recognisable object"):
        parse_prompt(prompt)


@pytest.mark.parametrize("prompt", ["Four kids sitting on a fence, each", "a skull left of a wagon wheel, both",
                                    "two chairs facing each other", "the twins"])
def test_a_prompt_ending_where_a_rule_looks_ahead_is_read_not_crashed(prompt):
    assert parse_prompt(prompt).objects


def test_a_possessive_after_a_stray_word_is_read_not_crashed():
    # "'s" after a comma-less run of function words: the owner slot holds no noun phrase
    assert parse_prompt("The in that pulls Santa's sleigh, animal the snow").objects
