"""Which workspace (StudioSession) each browser tab shows, and how a tab finds one again.

A tab is attached to one workspace; the page's URL names the stored session it shows
(`?session=ID`), so a reloaded tab (a new Gradio session) re-attaches to the workspace that
shows that session — live, with its run still going or waiting — or, when none does any more,
to a new workspace that opens the session from the store. Closing a tab detaches it and never
stops a run. Workspaces nobody watches are dropped once idle for `idle_ttl_s` (their sessions
stay in the store)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from stagestudio.ui.session import StudioError, StudioSession

DEFAULT_IDLE_TTL_S = 30 * 60
MAX_WORKSPACES = 64


class Tab:
    """One browser tab: the workspace it shows, and how to wake its stream."""

    def __init__(self, key: str, workspace: StudioSession) -> None:
        self.key = key
        self.workspace = workspace
        self.closed = False
        self.wake: Callable[[], None] = lambda: None


class Workspaces:
    def __init__(self, make: Callable[[], StudioSession], store: Any = None,
                 idle_ttl_s: float = DEFAULT_IDLE_TTL_S) -> None:
        self._make = make
        self.store = store
        self.idle_ttl_s = idle_ttl_s
        self._all: dict[str, StudioSession] = {}
        self._tabs: dict[str, Tab] = {}
        self._lock = threading.RLock()

    # --- workspaces ----------------------------------------------------------------------
    def new(self) -> StudioSession:
        workspace = self._make()
        with self._lock:
            self._all[workspace.id] = workspace
        self.sweep()
        return workspace

    def showing(self, session_id: str) -> StudioSession | None:
        """The workspace that shows `session_id` now, preferring one whose run is live."""
        with self._lock:
            found = [w for w in self._all.values() if w.session_id == session_id]
        found.sort(key=lambda w: (w.running, w.last_used), reverse=True)
        return found[0] if found else None

    def open(self, session_id: str, reuse: StudioSession | None = None, running_only: bool = False) -> StudioSession:
        """The workspace showing `session_id` (with `running_only`, only one whose run is live:
        another tab's finished copy is not shared), else `reuse` (when it is not running) or a
        new workspace, loaded from the store. StudioError when the session is unknown."""
        session_id = (session_id or "").strip()
        shown = self.showing(session_id)
        if shown is not None and (shown.running or not running_only or shown is reuse):
            return shown
        if self.store is None:
            raise StudioError(f"Session {session_id} is not open in this studio, and it keeps no session store.")
        try:
            events = list(self.store.replay(session_id, include_history=True))
        except Exception as exc:
            raise StudioError(f"Could not open session {session_id}: {exc}") from exc
        workspace = reuse if reuse is not None and not reuse.running else self.new()
        workspace.load(events)
        return workspace

    def live(self) -> dict[str, StudioSession]:
        """Stored session id -> the workspace running it (for the Sessions tab)."""
        with self._lock:
            workspaces = list(self._all.values())
        return {w.session_id: w for w in workspaces if w.running and w.session_id is not None}

    def sweep(self, now: float | None = None) -> list[str]:
        """Drop workspaces nobody watches that have been idle too long (never a running one),
        and the oldest idle ones beyond MAX_WORKSPACES. Returns the dropped ids."""
        now = time.monotonic() if now is None else now
        with self._lock:
            attached = {tab.workspace.id for tab in self._tabs.values()}
            idle = [w for w in self._all.values() if w.id not in attached and not w.running]
            idle.sort(key=lambda w: w.last_used)
            excess = max(0, len(self._all) - MAX_WORKSPACES)
            dropped = [w for k, w in enumerate(idle) if k < excess or now - w.last_used > self.idle_ttl_s]
            for w in dropped:
                del self._all[w.id]
        for w in dropped:
            w.close()
        return [w.id for w in dropped]

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self):
        with self._lock:
            return iter(list(self._all.values()))

    # --- tabs ----------------------------------------------------------------------------
    def attach(self, key: str, session_id: str | None = None) -> tuple[Tab, str | None]:
        """Attach the tab `key` (a page load): to the workspace showing `session_id` when given
        and known, else to a new one. Returns the tab and a note when the session was not found."""
        note = None
        workspace = None
        if session_id:
            try:
                workspace = self.open(session_id)
            except StudioError as exc:
                note = str(exc)
        with self._lock:
            tab = self._tabs.get(key)
            if tab is None:
                tab = self._tabs[key] = Tab(key, workspace or self.new())
            elif workspace is not None:
                tab.workspace = workspace
            tab.closed = False
        return tab, note

    def tab(self, key: str) -> Tab:
        """The tab `key`, attached to a new workspace if it has none (an action before the page's
        stream started)."""
        with self._lock:
            tab = self._tabs.get(key)
            if tab is None:
                tab = self._tabs[key] = Tab(key, self.new())
            return tab

    def switch(self, key: str, workspace: StudioSession) -> None:
        """Show another workspace in tab `key` (Open in Studio, Fork, a history thumbnail)."""
        tab = self.tab(key)
        with self._lock:
            tab.workspace = workspace
        tab.wake()

    def detach(self, key: str) -> None:
        """The tab went away; its workspace (and any run in it) carries on."""
        with self._lock:
            tab = self._tabs.pop(key, None)
        if tab is not None:
            tab.closed = True
            tab.wake()
        self.sweep()

    @property
    def tabs(self) -> int:
        return len(self._tabs)

    def close(self) -> None:
        """Shut down: cancel every running run."""
        with self._lock:
            workspaces = list(self._all.values())
        for w in workspaces:
            w.close()
