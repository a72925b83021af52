"""The studio UI (Gradio). `build_app(db_path, default_backend)` returns the Blocks app;
`launch_options(host, allowed_hosts, share)` holds what Gradio 6 takes in `launch()`: theme, CSS,
the page script and the Host/Origin guard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gradio as gr


def build_app(db_path: Any = "sessions/studio.db", default_backend: str = "sketchbook", **kwargs: Any) -> "gr.Blocks":
    from stagestudio.ui.app import build_app as _build

    return _build(db_path, default_backend, **kwargs)


def launch_options(host: str = "127.0.0.1", allowed_hosts: Any = (), share: bool = False) -> dict[str, Any]:
    from stagestudio.ui.app import launch_options as _options

    return _options(host, allowed_hosts, share)


__all__ = ["build_app", "launch_options"]
