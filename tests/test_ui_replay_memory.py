"""Replay memory in the Sessions tab: events are kept without pictures, pictures are decoded on
demand through one cache bounded by bytes, and a tab's replay is freed when the tab goes away
(or expires), so memory returns to where it was after many clients come and go."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.ui.replay_memory import ImageCache, ReplayStates, image_bytes
from stagestudio.ui.timeline import build_timeline


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A real store holding one 6-step sketchbook session (512 px pictures)."""
    from stagestudio.backends.registry import create_backend
    from stagestudio.store import SessionRecorder, open_store

    store = open_store(tmp_path_factory.mktemp("replay") / "replay.db")
    prompt = "a cat, a dog, a red apple, a blue cup, a book and a lamp"
    engine = LoopEngine(create_backend("sketchbook", error_rate=0.5))
    for _ in SessionRecorder(store).record(engine.run(prompt, config=RunConfig(seed=3, max_refines=1))):
        pass
    yield store, store.list_sessions()[0].id
    store.close()


class FakeRequest:
    def __init__(self, key: str) -> None:
        self.session_hash = key


def open_replay(tab, key: str, session_id: str) -> list:
    """What the Replay button does for one browser tab, and the view it draws."""
    state = tab._replay(FakeRequest(key))
    state.session_id = session_id
    state.events = list(tab.store.replay(session_id, with_images=False, include_history=True))
    state.position = len(state.events)
    return tab._replay_views(state)


def sessions_tab(store):
    import gradio as gr

    from stagestudio.ui.sessions_tab import SessionsTab

    with gr.Blocks():
        return SessionsTab(store)


def test_events_are_kept_without_pictures_and_pictures_come_from_the_cache(stored):
    store, sid = stored
    events = list(store.replay(sid, with_images=False))
    sketches = [e for e in events if e.type == "sketch_ready"]
    assert sketches and all(e.image is None and e.image_sha256 for e in sketches)
    cache = ImageCache(store.load_image, budget=64 * 1024 * 1024)
    view = build_timeline(events, load_image=cache.get)
    assert all(s.shown.image is not None for s in view.steps if s.outcome != "skipped")
    assert len(cache) == len({e.image_sha256 for e in sketches})
    again = build_timeline(events, load_image=cache.get)  # a second tab: the same decoded pictures
    assert again.steps[0].shown.image is view.steps[0].shown.image


def test_the_image_cache_stays_within_its_byte_budget(stored):
    store, sid = stored
    shas = [e.image_sha256 for e in store.replay(sid, with_images=False) if e.type == "sketch_ready"]
    one = image_bytes(store.load_image(shas[0]))
    cache = ImageCache(store.load_image, budget=2 * one)
    for sha in shas:
        assert cache.get(sha) is not None
    assert cache.held <= 2 * one and len(cache) == 2
    assert cache.get("0" * 64) is None  # a missing picture shows as none, never an exception


def test_replays_expire_and_are_bounded():
    states = ReplayStates(ttl_s=60, max_replays=3)
    for key in "abcd":
        states.get(key)
    assert len(states) == 3  # the oldest went first
    states.drop("d")
    assert len(states) == 2
    for state in states._states.values():
        state.last_used -= 120
    states.get("e")
    assert len(states) == 1  # the idle ones expired


def test_memory_returns_near_baseline_after_many_clients_disconnect(stored):
    """40 clients each replay a stored session and leave. Memory held afterwards must be
    close to where it started: at most the image cache's budget, not 40 copies of the
    session's pictures (issue 12 saw ~18.5 MB kept per client)."""
    store, sid = stored
    tab = sessions_tab(store)
    tab.images.budget = 16 * 1024 * 1024
    open_replay(tab, "warm-up", sid)  # imports, lazily built tables: not what we measure
    tab.forget(FakeRequest("warm-up"))
    tab.images.clear()
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        for n in range(40):
            views = open_replay(tab, f"client-{n}", sid)
            assert "ss-card" in views[2]  # the timeline, with its pictures
        assert len(tab.replays) == 40
        during = tracemalloc.get_traced_memory()[0]
        for n in range(40):
            tab.forget(FakeRequest(f"client-{n}"))  # Gradio's unload for each closed tab
        del views
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(tab.replays) == 0
    # Decoded pictures are shared and bounded: what stays is the cache (<= its budget).
    assert after - baseline <= tab.images.budget + 4 * 1024 * 1024, (baseline, during, after)
    assert tab.images.held <= tab.images.budget
