"""SessionRecorder: commits every engine event as it happens, then passes it on.

    for event in SessionRecorder(store).record(engine.run(prompt, config=...)):
        show(event)        # already durable when you see it

A crash loses at most the stage in flight. The recorder holds the session's writer lock
while it runs, so other processes can tell a live run from a dead one (`interrupted`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from stagestudio.loop.events import Event, SessionDone, SessionStarted
from stagestudio.scene.graph import SceneGraph
from stagestudio.store.errors import StoreError
from stagestudio.store.locks import WriterLock
from stagestudio.store.store import SessionStore


class SessionRecorder:
    def __init__(self, store: SessionStore) -> None:
        self.store = store
        self.session_id: str | None = None

    def record(self, events: Iterable[Event], *, planned_graph: SceneGraph | None = None) -> Iterator[Event]:
        """Commit each event, then yield it. A stream that does not start with
        SessionStarted continues a stored, interrupted session (resume).

        `planned_graph`: the graph as extracted, when the run uses an edited one; both are stored.
        """
        lock: WriterLock | None = None
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
                self.store.commit_event(event, planned_graph=planned_graph)
                if isinstance(event, SessionDone):
                    finished = True
                yield event
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # finish the engine's generator (releases its backend stage)
            if lock is not None:
                if not finished:
                    try:
                        self.store.mark_interrupted(lock.session_id)
                    except StoreError:
                        pass  # the released lock below still tells readers the run is over
                lock.release()
