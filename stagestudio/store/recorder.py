"""SessionRecorder: commits every engine event as it happens, then passes it on.

    for event in SessionRecorder(store).record(engine.run(prompt, config=...)):
        show(event)        # already durable when you see it

A crash loses at most the stage in flight. The recorder holds the session's writer lock
while it runs, so other processes can tell a live run from a dead one (`interrupted`).
On PostgreSQL that lock lives on a connection; before each durable commit the recorder
checks it still holds it, and takes it again if the connection dropped (or stops, if
another process has taken the session over meanwhile).

Another writer holding the database (a big import, a second run) never costs the session:
an event that cannot be committed within `live_wait_s` is kept in memory, the run goes on
with a visible warning, and the backlog is committed, in order, as soon as the database is
free (at the latest when the run ends, waiting up to `final_wait_s`: by default ten times
the store's lock timeout, 5 minutes).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator

from stagestudio.loop.events import Event, SessionDone, SessionStarted, SketchReady
from stagestudio.scene.graph import SceneGraph
from stagestudio.store import store as store_module
from stagestudio.store.errors import SessionBusyError, StoreError, StoreLockedError
from stagestudio.store.images import encode_png
from stagestudio.store.locks import SessionLock
from stagestudio.store.store import SessionStore

log = logging.getLogger("stagestudio.store")

# A live event waits this long for the database before it is kept in memory instead:
# long enough for any ordinary commit of another writer, short enough not to stall a run.
LIVE_WAIT_S = 2.0
# At the end of a run the backlog is committed with this many lock timeouts of patience.
FINAL_WAIT_LOCK_TIMEOUTS = 10
# While events wait in memory, each new event tries to store them for this long (no stall).
BACKLOG_TRY_S = 0.05


class SessionRecorder:
    def __init__(
        self,
        store: SessionStore,
        *,
        on_warning: Callable[[str], None] | None = None,
        live_wait_s: float | None = None,
        final_wait_s: float | None = None,
    ) -> None:
        self.store = store
        self.session_id: str | None = None
        # Every warning given (also passed to `on_warning`, else logged).
        self.warnings: list[str] = []
        self._on_warning = on_warning
        lock_timeout = store.db.lock_timeout_s
        self.live_wait_s = min(LIVE_WAIT_S, lock_timeout) if live_wait_s is None else live_wait_s
        self.final_wait_s = FINAL_WAIT_LOCK_TIMEOUTS * lock_timeout if final_wait_s is None else final_wait_s
        self._nag_every_s = max(lock_timeout, 1.0)
        # Events not yet committed because another writer held the database, in order,
        # with their encoded images.
        self._backlog: list[tuple[Event, bytes | None, SceneGraph | None]] = []
        self._final_wait_done = False

    @property
    def pending(self) -> int:
        """Events waiting to be committed."""
        return len(self._backlog)

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self._on_warning is not None:
            self._on_warning(message)
        else:
            log.warning(message)

    def record(self, events: Iterable[Event], *, planned_graph: SceneGraph | None = None) -> Iterator[Event]:
        """Commit each event, then yield it. A stream that does not start with
        SessionStarted continues a stored, interrupted session (resume).

        `planned_graph`: the graph as extracted, when the run uses an edited one; both are stored.
        """
        lock: SessionLock | None = None
        finished = False
        iterator = iter(events)
        try:
            for event in iterator:
                if lock is None:
                    self.session_id = event.session_id
                    lock = self.store.acquire_writer(event.session_id)
                    if not isinstance(event, SessionStarted):
                        last_seq = self.store.begin_resume(event.session_id)
                        if event.seq <= last_seq:
                            raise StoreError(
                                f"resumed run of {event.session_id} starts at seq {event.seq}, but seq {last_seq} "
                                f"is already stored; pass start_seq={last_seq + 1}"
                            )
                elif event.session_id != self.session_id:
                    raise StoreError(f"event of session {event.session_id} in the stream of {self.session_id}")
                elif isinstance(event, store_module.DURABLE_EVENTS):
                    lock = self._keep_lock(lock)
                self._commit(event, planned_graph)
                if isinstance(event, SessionDone):
                    self._final_wait_done = True  # one final wait, not a second one in _finish
                    self._store_backlog()  # raises StoreLockedError if it never can
                    finished = True
                yield event
        finally:
            # Whatever failed above (a full disk, a locked database, the consumer going
            # away), the writer lock is released last: a leaked lock would show the session
            # as running in a live process until this one exits.
            try:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()  # finish the engine's generator (releases its backend stage)
            finally:
                if lock is not None:
                    self._finish(lock, finished)

    def _keep_lock(self, lock: SessionLock) -> SessionLock:
        """`lock`, or a new one if its connection dropped; raises if another process took
        the session meanwhile (the run must not write beside it)."""
        if lock.verify():
            return lock
        lock.release()
        again = self.store.writers.lock(lock.session_id)
        try:
            again.acquire()
        except SessionBusyError:
            raise StoreError(
                f"session {lock.session_id} lost its writer lock (the database connection holding it dropped) "
                f"and another process is writing it now; this run stops here, everything before is stored"
            ) from None
        self.store.mark_running(lock.session_id)  # a sweep may have marked it interrupted
        self._warn(f"the connection holding session {lock.session_id}'s writer lock dropped; the lock was taken again")
        return again

    # --- committing ---------------------------------------------------------------------
    def _commit(self, event: Event, planned_graph: SceneGraph | None) -> None:
        png = encode_png(event.image) if isinstance(event, SketchReady) and event.image is not None else None
        graph = planned_graph if isinstance(event, SessionStarted) else None
        if self._backlog:
            # Keep the order: behind what is already waiting; a quick try, no stall.
            self._backlog.append((event, png, graph))
            self._flush_backlog(BACKLOG_TRY_S)
            return
        try:
            self.store.commit_encoded(event, png, planned_graph=graph, lock_timeout_s=self.live_wait_s)
        except StoreLockedError:
            self._backlog.append((event, png, graph))
            self._warn(
                f"database {self.store.location} is busy (another writer holds it); session {event.session_id} goes on "
                f"and its events are kept in memory until they can be stored"
            )

    def _flush_backlog(self, wait_s: float) -> bool:
        """Commit the backlog in order, waiting up to `wait_s` for the database; True when
        everything is stored."""
        deadline = time.monotonic() + wait_s
        while self._backlog:
            event, png, graph = self._backlog[0]
            remaining = max(0.0, deadline - time.monotonic())
            try:
                self.store.commit_encoded(event, png, planned_graph=graph, lock_timeout_s=min(remaining, self.live_wait_s))
            except StoreLockedError:
                if time.monotonic() >= deadline:
                    return False
                continue
            self._backlog.pop(0)
            if not self._backlog:
                self._warn(f"database {self.store.location} is free again; session {event.session_id} is stored up to date")
        return True

    def _store_backlog(self) -> None:
        """At the end of a run: everything still in memory goes in, however long the other
        writer takes (up to `final_wait_s`, with a warning now and then)."""
        deadline = time.monotonic() + self.final_wait_s
        while not self._flush_backlog(min(self._nag_every_s, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                raise StoreLockedError(
                    f"database {self.store.location} stayed locked for {self.final_wait_s:.0f}s; the last "
                    f"{len(self._backlog)} event(s) of session {self.session_id} could not be stored"
                )
            self._warn(f"still waiting for database {self.store.location} to store {len(self._backlog)} event(s) of session {self.session_id}")

    def _finish(self, lock: SessionLock, finished: bool) -> None:
        """After the stream: store what is still in memory, mark an unfinished session
        interrupted (so it can be resumed), release the lock — each step whatever the
        previous one raised."""
        try:
            if self._backlog and not self._final_wait_done:
                try:
                    self._store_backlog()
                except StoreError as exc:
                    self._warn(str(exc))
            if not finished and lock.held:  # a lock lost to another process: its session now
                try:
                    self.store.mark_interrupted(lock.session_id)
                except Exception as exc:  # noqa: BLE001 - e.g. a full disk; the released lock says it all
                    self._warn(
                        f"could not mark session {lock.session_id} interrupted ({exc}); "
                        f"it reads as interrupted anyway once this run has ended"
                    )
        finally:
            lock.release()
