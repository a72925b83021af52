"""The parser's eighth round, part A: which words become objects and what they are named, decided
with the contextual tagger's reading where the lexicon alone cannot tell.

Each group checks one general mechanism on prompts invented for it, in other domains than the
gold sets' prompts (none is taken from them). Without the tagger the rules read as before, so
these groups are skipped where the pipeline is not installed.
"""

from __future__ import annotations

import pytest

from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.parser import parse_prompt
from stagestudio.scene.parsing.tagging import tag_sentence

pytestmark = pytest.mark.skipif(tag_sentence(["a", "cat"]) is None, reason="contextual tagger not installed")


def _names(graph: SceneGraph) -> list[str]:
    return [o.name for o in graph.objects]


def _colour(graph: SceneGraph, name: str) -> str | None:
    return next(o.attributes.color for o in graph.objects if o.name == name)


# --- a colour or material word that is also a noun, before the noun it describes -----------------
@pytest.mark.parametrize("prompt,thing,colour,not_a_thing", [
    ("an orange ice hockey puck on a bench", "hockey puck", "orange", "orange"),
    ("an orange float bobbing in a pond", "float", "orange", "orange"),
    ("a glass float resting on a shelf", "float", None, "wine glass"),
    ("a glass float hanging in a window", "float", None, "wine glass"),
])
def test_attribute_word_before_a_noun_describes_it(prompt, thing, colour, not_a_thing):
    graph = parse_prompt(prompt)
    assert thing in _names(graph)
    assert not_a_thing not in _names(graph)
    assert _colour(graph, thing) == colour
