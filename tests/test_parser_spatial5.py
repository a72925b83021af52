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
