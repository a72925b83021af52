"""Per-stage seeds. Every stage's seed is a pure function of (session seed, step, attempt,
stage), so a session replays bit for bit and a rewound branch reuses the seeds of the steps
it shares with its parent."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

STAGES = ("plan", "sketch", "inspect", "refine", "final")


def stage_seed(session_seed: int, step: int, attempt: int, stage: str) -> int:
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")
    digest = hashlib.sha256(f"stagestudio:{session_seed}:{step}:{attempt}:{stage}".encode()).digest()
    # 31 bits: fits every RNG we feed (numpy, torch, random) on every platform.
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF


# A session seed must fit SQLite's signed 64-bit INTEGER (the store) and JSON readers
# that parse integers as int64; 0..2**63-1 keeps it non-negative as well.
MAX_SESSION_SEED = 2**63 - 1
RANDOM_SEED = -1
# Drawn seeds stay short enough to read out and type back in.
_RANDOM_SEED_BOUND = 2**31


@dataclass(frozen=True)
class ResolvedSeed:
    """The seed a session runs with, and what the person asked for."""

    seed: int
    requested: int
    # Says how `seed` was obtained when it is not `requested` (shown and recorded).
    note: str | None = None


def resolve_seed(requested: int | float | str | None, *, rng: random.Random | None = None) -> ResolvedSeed:
    """The session seed for whatever integer a person typed (CLI or studio).

    -1 draws a random seed (the drawn one is the session's seed, so it can be re-run).
    0..2**63-1 is used as it is. Any other integer is hashed down to 0..2**63-1 (the same
    input always gives the same seed, and unlike a modulo it does not land on small seeds
    people type) and the note says so. Anything that is not an integer raises ValueError
    with a one-line message.
    """
    value = _as_integer(requested)
    if value == RANDOM_SEED:
        drawn = (rng or random.SystemRandom()).randrange(_RANDOM_SEED_BOUND)
        return ResolvedSeed(drawn, value, f"seed -1 means random: drew seed {drawn}")
    if 0 <= value <= MAX_SESSION_SEED:
        return ResolvedSeed(value, value)
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True)
    reduced = int.from_bytes(hashlib.sha256(b"stagestudio-seed:" + raw).digest()[:8], "big") & MAX_SESSION_SEED
    shown = str(value) if value.bit_length() <= 128 else f"a {value.bit_length()}-bit integer"
    return ResolvedSeed(reduced, value, f"seed {shown} is outside 0..2**63-1; it was hashed to seed {reduced}")


def _as_integer(requested: int | float | str | None) -> int:
    if requested is None or (isinstance(requested, str) and not requested.strip()):
        return 0  # an empty field means the default seed
    if isinstance(requested, bool):
        raise ValueError("the seed must be an integer, not true/false")
    if isinstance(requested, int):
        return requested
    if isinstance(requested, float):
        if not math.isfinite(requested) or requested != int(requested):
            raise ValueError(f"the seed must be a whole number, not {requested!r}")
        return int(requested)
    text = str(requested).strip()
    try:
        return int(text)
    except ValueError:
        if text.lstrip("+-").isdigit():  # more digits than Python converts (int_max_str_digits)
            raise ValueError(f"the seed has {len(text)} digits; use -1 (random) or 0..2**63-1") from None
        raise ValueError(f"the seed must be an integer (or -1 for random), not {text[:40]!r}") from None
