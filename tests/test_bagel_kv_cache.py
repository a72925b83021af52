"""The KV storage behind BAGEL contexts: appends write in place, decoding reserves once, a
shared prefix is copied only when a live context already extends it, and the runtime's
context cache stays within its byte budgets (tiny checkpoint, float32, CPU)."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import torch
from PIL import Image

from stagestudio.backends.bagel import golden
from stagestudio.backends.bagel.context import KVStorage
from stagestudio.backends.bagel.context_cache import CachedContext, ContextCache


@pytest.fixture(scope="module")
def inf(shared_dir):
    return golden.cached_golden_inferencer(str(shared_dir / "fixtures" / "bagel"))


def _picture(w: int, h: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def _fresh(inf, texts: list[str]):
    ctx = inf.new_contexts().cond
    for text in texts:
        ctx = inf.append_text(ctx, text)
    return ctx


def _assert_same_cache(a, b) -> None:
    assert a.kv_len == b.kv_len
    for (ka, va), (kb, vb) in zip(a.cache.layers, b.cache.layers):
        torch.testing.assert_close(ka, kb, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(va, vb, atol=1e-5, rtol=1e-5)


def test_appending_writes_into_the_same_storage_without_copying(inf):
    base = inf.append_text(inf.new_contexts().cond, "a bear")
    storage = base.cache.storage
    pointers = [k.data_ptr() for k in storage.keys]
    longer = inf.append_text(base, "above a spoon")
    assert longer.cache.storage is storage
    assert [k.data_ptr() for k in storage.keys] == pointers  # no reallocation, no copy
    # The shorter context still reads exactly its own entries.
    _assert_same_cache(base, _fresh(inf, ["a bear"]))
    _assert_same_cache(longer, _fresh(inf, ["a bear", "above a spoon"]))


def test_a_prefix_shared_with_a_live_context_is_copied_once_and_stays_correct(inf):
    base = inf.append_text(inf.new_contexts().cond, "a bear")
    first = inf.append_text(base, "red")
    second = inf.append_text(base, "blue and green")  # `first` is alive: copy on write
    assert second.cache.storage is not base.cache.storage
    _assert_same_cache(first, _fresh(inf, ["a bear", "red"]))
    _assert_same_cache(second, _fresh(inf, ["a bear", "blue and green"]))


def test_a_dropped_extension_releases_the_tail(inf):
    base = inf.append_text(inf.new_contexts().cond, "a bear")
    temporary = inf.append_text(base, "red")
    assert not base.cache.owns_tail()
    del temporary
    gc.collect()
    assert base.cache.owns_tail()
    again = inf.append_text(base, "blue")
    assert again.cache.storage is base.cache.storage
    _assert_same_cache(again, _fresh(inf, ["a bear", "blue"]))


def test_decoding_reserves_once_and_leaves_the_context_unchanged(inf, monkeypatch):
    ctx = inf.append_text(inf.new_contexts().cond, "What is in the picture?")
    allocations = []
    reserve, allocate = KVStorage.reserve, KVStorage.allocate.__func__

    def counting_reserve(self, capacity):
        if capacity > self.capacity:
            allocations.append(capacity)
        return reserve(self, capacity)

    def counting_allocate(cls, *args, **kwargs):
        allocations.append("new")
        return allocate(cls, *args, **kwargs)

    monkeypatch.setattr(KVStorage, "reserve", counting_reserve)
    monkeypatch.setattr(KVStorage, "allocate", classmethod(counting_allocate))
    before = [k.clone() for k, _ in ctx.cache.layers]
    result = inf.generate_text(ctx, max_length=40)
    assert len(result.fed_ids) > 5
    assert len(allocations) <= 1  # one reservation for the whole answer, not one per token
    assert [torch.equal(k, b) for (k, _), b in zip(ctx.cache.layers, before)] == [True] * len(before)
    gc.collect()
    assert ctx.cache.owns_tail()


def test_stop_condition_ends_decoding_and_keeps_the_stop_text(inf, monkeypatch):
    ctx = inf.append_text(inf.new_contexts().cond, "hi")
    ids = inf.tokenizer.encode("<des>x</des> and more")
    script = iter(ids + [inf.special.eos])

    def fake_logits(hidden):
        out = torch.zeros(hidden.shape[0], inf.model.config.llm.vocab_size)
        out[:, next(script)] = 1.0
        return out

    monkeypatch.setattr(inf.model, "logits", fake_logits)
    from stagestudio.backends.bagel.stopping import stop_at

    result = inf.generate_text(ctx, max_length=100, stop=stop_at("</des>"))
    assert result.text == "<des>x</des>"


def test_context_cache_spills_and_drops_by_bytes(inf):
    states = [inf.add_image(inf.new_contexts(), _picture(64, 48, seed), vae=False) for seed in range(4)]
    one = sum(s.nbytes for s in states[0].storages())
    cache = ContextCache(device_budget=int(2.5 * one), host_budget=int(1.5 * one))
    for i, state in enumerate(states):
        cache.put(f"k{i}", CachedContext(state))
    # Two fit on the device; the older ones were spilled, and beyond the host budget dropped.
    assert cache.bytes(False) <= 2.5 * one and cache.bytes(True) <= 1.5 * one
    assert "k0" not in cache and cache.is_spilled("k1") and not cache.is_spilled("k3")
    entry = cache.get("k1", torch.device("cpu"))
    assert entry is not None and not cache.is_spilled("k1")  # taken back, the newest entry
    assert cache.bytes(False) <= 2.5 * one


def test_spilled_context_answers_the_same(inf):
    state = inf.add_image(inf.new_contexts(), _picture(64, 48), vae=False)
    question = ["Is there a bear in the image? Answer yes or no."]
    before = inf.yes_no_probabilities(state.cond, question)
    cache = ContextCache(device_budget=0, host_budget=10**9)
    cache.put("a", CachedContext(state))
    cache.put("b", CachedContext(inf.add_text(inf.new_contexts(), "x")))
    assert cache.is_spilled("a")
    back = cache.get("a", torch.device("cpu")).state
    assert inf.yes_no_probabilities(back.cond, question) == pytest.approx(before, abs=1e-6)
