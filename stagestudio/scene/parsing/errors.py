"""The parser's one error type."""

from __future__ import annotations


class PromptError(ValueError):
    """The prompt cannot be turned into a scene graph; the message says why and what was understood."""
