"""Test-wide settings: never touch the network, find the shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STAGESTUDIO_SHARED", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared material not found at {SHARED} (set STAGESTUDIO_SHARED)")
    return SHARED
