"""Fixtures shared by the PSIR tests (tiny BAGEL fixture model on the CPU)."""

from __future__ import annotations

import pytest
import torch

from stagestudio.backends.bagel import golden


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # The tiny model's matrices are too small to gain from threads; on a shared 2-core
    # machine a second thread only waits for the first.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def fixture_dir(shared_dir):
    return shared_dir / "fixtures" / "bagel"


@pytest.fixture(scope="module")
def inferencer(fixture_dir):
    return golden.cached_golden_inferencer(str(fixture_dir))
