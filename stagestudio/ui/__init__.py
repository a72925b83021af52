"""The studio UI (Gradio). `build_app(db_path, default_backend)` returns the Blocks app;
`launch_options()` holds the theme and CSS that Gradio 6 takes in `launch()`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gradio as gr


def build_app(db_path: Any = "sessions/studio.db", default_backend: str = "sketchbook", **kwargs: Any) -> "gr.Blocks":
    from stagestudio.ui.app import build_app as _build

    return _build(db_path, default_backend, **kwargs)


def launch_options() -> dict[str, Any]:
    from stagestudio.ui.app import launch_options as _options

    return _options()


__all__ = ["build_app", "launch_options"]
