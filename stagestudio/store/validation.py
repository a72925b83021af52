"""What a stored value may be: one place that both the importer (rejecting an archive) and
the readers (flagging a damaged row instead of crashing) use.

The recorder writes sessions through the engine's pydantic models; an archive or an old
database can hold anything. These checks name the field that is wrong, so a message can
say exactly what to fix or which session to delete.
"""

from __future__ import annotations

import math
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.graph import SceneGraph, SceneGraphError

# What a session row's `status` may hold. `importing`: an archive is being written in
# bounded transactions (its importer holds the session's writer lock meanwhile).
SessionStatus = Literal["running", "completed", "stopped", "cancelled", "failed", "interrupted", "importing"]
SESSION_STATUSES: tuple[str, ...] = get_args(SessionStatus)
# What an archive may say (an export is a finished snapshot, never an import in flight).
ArchivedStatus = Literal["running", "completed", "stopped", "cancelled", "failed", "interrupted"]
# Effective statuses readers add: a dead writer's `running` is `interrupted`, a dead
# importer's `importing` is `import-failed`, an unreadable row is `damaged`.
IMPORT_FAILED = "import-failed"
DAMAGED = "damaged"

# Times are POSIX seconds. Anything outside 1970-01-01 .. 2200-01-01 is not a time this
# program wrote, even on a machine with a wrong clock (and 1e300 overflows every date
# formatter).
MIN_TIMESTAMP = 0.0
MAX_TIMESTAMP = 7_258_118_400.0
# SQLite INTEGER is a signed 64-bit number; a larger Python int cannot be stored at all.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def timestamp_problem(value: Any) -> str | None:
    """Why `value` is not a plausible stored time, or None when it is one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"is {_show(value)}, not a number of seconds"
    if not math.isfinite(value):
        return f"is {value!r}, not a finite time"
    if not MIN_TIMESTAMP <= value <= MAX_TIMESTAMP:
        return f"is {value!r}, outside the years 1970-2200"
    return None


def json_number_problem(data: Any, where: str = "") -> str | None:
    """The first number in a JSON value SQLite cannot store or JSON cannot round-trip:
    an integer outside 64 bits, or NaN/Infinity (which Python's json reads happily)."""
    if not _has_bad_number(data):
        return None  # the common case, without building a path for every value
    stack: list[tuple[str, Any]] = [(where, data)]
    while stack:
        path, value = stack.pop()
        if _is_bad_number(value):
            shown = _show(value) if isinstance(value, int) else repr(value)
            what = "too large for a 64-bit integer" if isinstance(value, int) else "not a finite number"
            return f"{path or 'a value'} is {shown}, {what}"
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
    return None


def _is_bad_number(value: Any) -> bool:
    if type(value) is int:
        return not INT64_MIN <= value <= INT64_MAX
    if type(value) is float:
        return not math.isfinite(value)
    return False


def _has_bad_number(data: Any) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
        elif (kind is int or kind is float) and _is_bad_number(value):
            return True
    return False


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _scene_graph(value: Any) -> dict[str, Any]:
    try:
        return SceneGraph.from_json_dict(value).model_dump(mode="json")
    except SceneGraphError as exc:
        raise ValueError(str(exc)) from None


class ArchivedSessionMeta(BaseModel):
    """A session's metadata as an archive carries it (`_session_meta` in archive.py).

    Every field is checked here; the ones the events also determine are then compared
    with what the events give, and the rest (status, times, graphs) must be valid as is.
    """

    model_config = ConfigDict(extra="forbid", strict=False)

    id: str = Field(pattern=SESSION_ID_PATTERN)
    prompt: str
    backend: str = Field(max_length=64)
    settings: dict[str, Any]
    seed: int = Field(ge=INT64_MIN, le=INT64_MAX)
    max_refines: int = Field(ge=0, le=INT64_MAX)
    max_steps: int = Field(ge=0, le=INT64_MAX)
    status: ArchivedStatus
    passed: bool | None
    created_at: float
    updated_at: float
    parent_session_id: str | None = Field(pattern=SESSION_ID_PATTERN)
    branch_step: int | None = Field(ge=0, le=INT64_MAX)
    graph_planned: dict[str, Any]
    graph_edited: dict[str, Any] | None
    final_verdict: dict[str, Any] | None
    step_count: int = Field(ge=0, le=INT64_MAX)
    last_seq: int = Field(ge=-1, le=INT64_MAX)
    last_error: str | None

    @field_validator("seed", "max_refines", "max_steps", "branch_step", "step_count", "last_seq", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        # pydantic's lax mode would take 3.0 or "3"; the recorder only ever wrote ints.
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"must be an integer, not {_show(value)}")
        return value

    @field_validator("created_at", "updated_at", mode="before")
    @classmethod
    def _plausible_time(cls, value: Any) -> Any:
        problem = timestamp_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("graph_planned", mode="before")
    @classmethod
    def _planned_graph(cls, value: Any) -> Any:
        return _scene_graph(value)

    @field_validator("graph_edited", mode="before")
    @classmethod
    def _edited_graph(cls, value: Any) -> Any:
        return None if value is None else _scene_graph(value)

    @field_validator("final_verdict", mode="before")
    @classmethod
    def _verdict(cls, value: Any) -> Any:
        return None if value is None else Verdict.model_validate(value).model_dump(mode="json")

    @field_validator("settings", mode="after")
    @classmethod
    def _settings_numbers(cls, value: dict[str, Any]) -> dict[str, Any]:
        problem = json_number_problem(value)
        if problem:
            raise ValueError(problem)
        return value


def first_error(exc: ValidationError) -> str:
    """'field: what is wrong' for the first problem pydantic found."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "value"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"
