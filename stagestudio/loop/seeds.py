"""Per-stage seeds. Every stage's seed is a pure function of (session seed, step, attempt,
stage), so a session replays bit for bit and a rewound branch reuses the seeds of the steps
it shares with its parent."""

from __future__ import annotations

import hashlib

STAGES = ("plan", "sketch", "inspect", "refine", "final")


def stage_seed(session_seed: int, step: int, attempt: int, stage: str) -> int:
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")
    digest = hashlib.sha256(f"stagestudio:{session_seed}:{step}:{attempt}:{stage}".encode()).digest()
    # 31 bits: fits every RNG we feed (numpy, torch, random) on every platform.
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF
