"""BAGEL's yes/no judgment: p(yes) from the answer-token logits of one packed forward, equal to
what decoding the first answer token sees; guidance that skips the image-free branch only when
it would repeat the conditional one (tiny checkpoint, float32, CPU)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from stagestudio.backends.bagel import golden, sampler
from stagestudio.backends.bagel.sampler import GenerationSettings

QUESTIONS = [
    "Is there a bear in the image? Answer yes or no.",
    "Are there exactly three red cups in the image? Answer yes or no.",
    "Is the spoon below the bear? Answer yes or no.",
]


@pytest.fixture(scope="module")
def inf(shared_dir):
    return golden.cached_golden_inferencer(str(shared_dir / "fixtures" / "bagel"))


@pytest.fixture(scope="module")
def image_state(inf):
    rng = np.random.default_rng(7)
    image = Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
    return inf.add_image(inf.new_contexts(), image, vae=False, vit=True)


def _p_yes_by_decoding(inf, ctx, question: str) -> float:
    """The reference understanding path: append the question, feed <|im_start|>, read the logits
    of the first answer token."""
    first = inf.generate_text(inf.append_text(ctx, question), max_length=1, keep_logits=True).logits[0]
    yes, no = inf.answer_token_ids()
    probs = torch.softmax(first.double(), dim=-1)
    return float(probs[yes].sum() / (probs[yes].sum() + probs[no].sum()))


def test_answer_tokens_are_the_first_tokens_of_yes_and_no(inf):
    yes, no = inf.answer_token_ids()
    assert inf.tokenizer.encode("Yes")[0] in yes and inf.tokenizer.encode("no")[0] in no
    assert not set(yes) & set(no)


def test_packed_p_yes_equals_the_decoding_path(inf, image_state):
    packed = inf.yes_no_probabilities(image_state.cond, QUESTIONS)
    expected = [_p_yes_by_decoding(inf, image_state.cond, q) for q in QUESTIONS]
    assert packed == pytest.approx(expected, abs=1e-4)
    assert all(0.0 <= p <= 1.0 for p in packed)


def test_each_question_sees_only_the_image_and_itself(inf, image_state):
    together = inf.yes_no_probabilities(image_state.cond, QUESTIONS)
    alone = [inf.yes_no_probabilities(image_state.cond, [q])[0] for q in QUESTIONS]
    assert together == pytest.approx(alone, abs=1e-5)
    reversed_order = inf.yes_no_probabilities(image_state.cond, QUESTIONS[::-1])
    assert reversed_order[::-1] == pytest.approx(together, abs=1e-5)


def test_questions_in_several_batches_give_the_same_answers(inf, image_state, monkeypatch):
    together = inf.yes_no_probabilities(image_state.cond, QUESTIONS)
    monkeypatch.setattr(type(inf), "MAX_PACKED_TOKENS", 1)  # one question per forward
    assert inf.yes_no_probabilities(image_state.cond, QUESTIONS) == pytest.approx(together, abs=1e-5)


def test_questions_leave_the_image_context_alone(inf, image_state):
    storage = image_state.cond.cache.storage
    pointers = [k.data_ptr() for k in storage.keys]
    length = image_state.cond.kv_len
    keys = [k.clone() for k, _ in image_state.cond.cache.layers]
    inf.yes_no_probabilities(image_state.cond, QUESTIONS)
    assert image_state.cond.kv_len == length and image_state.cond.cache.owns_tail()
    assert [k.data_ptr() for k in storage.keys] == pointers  # no copy of the context
    assert all(torch.equal(k, before) for (k, _), before in zip(image_state.cond.cache.layers, keys))


# --- guidance branches ------------------------------------------------------------------------------


def test_text_to_image_makes_90_forwards_per_50_step_image(inf):
    state = inf.add_text(inf.new_contexts(), "a red cube")
    assert state.image_free_is_cond and state.cfg_img is state.cond
    result = inf.generate_image(state, GenerationSettings.text_to_image(num_timesteps=50), seed=0,
                                image_shape=(16, 16))
    assert result.forwards == 90  # 49 conditional + 41 text-free inside the CFG interval


def test_edits_still_run_all_three_branches(inf, image_state):
    state = inf.add_text(inf.add_image(inf.new_contexts(), Image.new("RGB", (32, 32)), vae=True), "make it red")
    assert not state.image_free_is_cond
    result = inf.generate_image(state, GenerationSettings.edit(num_timesteps=4), seed=0)
    assert result.forwards == 3 * 3


def test_the_skipped_branch_equals_the_conditional_one(inf):
    """Skipping is exact: the image-free context, built separately, gives the conditional velocity."""
    text = "a red cube"
    state = inf.add_text(inf.new_contexts(), text)
    separate = inf.append_text(inf.new_contexts().cond, text)
    assert separate is not state.cond and separate.same_entries(state.cond)
    pos = inf.layout.position_ids(32, 32)
    query = inf.query_block(torch.randn(4, 64, generator=torch.Generator().manual_seed(1)), 0.9, pos, 0)
    torch.testing.assert_close(inf.branch_velocity(separate, query), inf.branch_velocity(state.cond, query))
    assert sampler.UNCOND_IMG in sampler.scales_at(0.9, GenerationSettings.text_to_image()).branches
