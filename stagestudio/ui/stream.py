"""One ordered stream of screens per browser tab.

The page's load event runs `TabStream.run`, an async generator that lives as long as the tab:
it attaches the tab to a workspace, sends the whole screen, then sleeps until the workspace (or
the tab's choice of workspace) changes and sends what changed. Buttons only act on the
workspace and return nothing, so this stream is the only writer of the studio's outputs and
its messages arrive in order: the page cannot go back to an older state.

A quiet stream still yields (nothing) every HEARTBEAT_S, which is when Gradio notices that a
closed tab's connection is gone and ends the generator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import anyio
import gradio as gr

from stagestudio.ui.screen import Screen
from stagestudio.ui.session import StudioSession
from stagestudio.ui.workspaces import Tab, Workspaces

HEARTBEAT_S = 5.0
# Screens are sent at most this often; changes in between are folded into the next one.
MIN_INTERVAL_S = 0.03

log = logging.getLogger(__name__)


class Waker:
    """Wakes one asyncio task from any thread."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def __call__(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._event.set)
        except RuntimeError:  # the loop is gone (server shutting down)
            pass

    def clear(self) -> None:
        self._event.clear()

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
            return True
        except TimeoutError:
            return False


def diff(screen: Screen, names: Sequence[str], sent: dict[str, Any]) -> list[Any]:
    """The updates for `names` in order: what changed since `sent` (which is updated), and
    gr.skip() for the rest."""
    out = []
    for name in names:
        part = screen.parts[name]
        if name in sent and sent[name] == part.key:
            out.append(gr.skip())
        else:
            sent[name] = part.key
            out.append(part.update)
    return out


class TabStream:
    def __init__(self, workspaces: Workspaces, names: Sequence[str],
                 compose: Callable[[StudioSession], Screen]) -> None:
        self.workspaces = workspaces
        self.names = list(names)
        self.compose = compose

    async def run(self, request: gr.Request) -> AsyncIterator[list[Any]]:
        key = request.session_hash or "default"
        wanted = (request.query_params or {}).get("session") if request is not None else None
        tab, note = await anyio.to_thread.run_sync(self.workspaces.attach, key, wanted)
        waker = Waker()
        tab.wake = waker
        if note:
            tab.workspace.set_message(f"{note} A new workspace was opened instead.")
        watched: StudioSession | None = None
        sent: dict[str, Any] = {}
        try:
            while not tab.closed:
                workspace = tab.workspace
                if workspace is not watched:
                    if watched is not None:
                        watched.unsubscribe(waker)
                    workspace.subscribe(waker)
                    watched = workspace
                waker.clear()  # changes from here on wake the next round
                screen = await anyio.to_thread.run_sync(self._compose_safely, workspace)
                if screen is not None:
                    yield diff(screen, self.names, sent)
                await asyncio.sleep(MIN_INTERVAL_S)
                if not await waker.wait(HEARTBEAT_S):
                    yield [gr.skip()] * len(self.names)  # lets Gradio notice a closed tab
        finally:
            if watched is not None:
                watched.unsubscribe(waker)
            self._forget(tab, waker)

    def _compose_safely(self, workspace: StudioSession) -> Screen | None:
        try:
            return self.compose(workspace)
        except Exception:  # never end the tab's stream over one bad screen; the next change redraws
            log.exception("could not draw the studio screen")
            return None

    def _forget(self, tab: Tab, waker: Waker) -> None:
        if tab.wake is waker:
            tab.wake = lambda: None
