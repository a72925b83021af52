"""Per-stage seeds. Every stage's seed is a pure function of (session seed, step, attempt,
stage), so a session replays bit for bit and a rewound branch reuses the seeds of the steps
it shares with its parent."""

from __future__ import annotations

import hashlib
import secrets

STAGES = ("plan", "sketch", "inspect", "refine", "final")


def stage_seed(session_seed: int, step: int, attempt: int, stage: str) -> int:
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")
    digest = hashlib.sha256(f"stagestudio:{session_seed}:{step}:{attempt}:{stage}".encode()).digest()
    # 31 bits: fits every RNG we feed (numpy, torch, random) on every platform.
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF


# A session seed is stored in SQLite's signed 64-bit INTEGER: 0 .. 2**63 - 1.
SEED_LIMIT = 2**63
RANDOM_SEED = -1


def resolve_seed(seed: int | None) -> int:
    """The session seed for what a person asked for: None or -1 draws a random seed in
    [0, 2**63) (the drawn seed is the session's, so the run can be repeated); 0 .. 2**63-1 is
    used as it is; anything else raises ValueError with a one-line message."""
    if seed is None or seed == RANDOM_SEED:
        return secrets.randbelow(SEED_LIMIT)
    if not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"seed {seed} is out of range: use -1 for a random seed, or 0 to {SEED_LIMIT - 1}")
    return seed
