"""When text decoding may stop before the end token: tests on the text decoded so far.

A plan ends with its `</des>` tag and a scene graph with the end of its JSON object; anything a
model writes after that is never read, so decoding it only costs time.
"""

from __future__ import annotations

from typing import Callable

from stagestudio.scene.model_graph import json_object_span

StopCondition = Callable[[str], bool]


def stop_at(*markers: str) -> StopCondition:
    """Stop once the text contains any of `markers` (case-insensitive)."""
    wanted = tuple(m.lower() for m in markers)

    def done(text: str) -> bool:
        low = text.lower()
        return any(m in low for m in wanted)

    return done


def stop_after_json_object(text: str) -> bool:
    """Stop once the first JSON object in the text is closed."""
    return json_object_span(text) is not None
