"""Column types and SQL functions that mean the same on SQLite and PostgreSQL.

- `Int64`: SQLite's INTEGER is already 64-bit (and an INTEGER primary key is the rowid);
  PostgreSQL's INTEGER is 32-bit, too small for seeds, so it gets BIGINT there.
- `NulSafeText`: PostgreSQL text cannot hold U+0000, which a prompt or a model's output
  may contain; it is stored escaped there (reversibly) and comes back exactly.
- `greatest(a, b)`: SQLite spells the two-argument maximum `max(a, b)`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeDecorator

Int64 = BigInteger().with_variant(Integer(), "sqlite")

# A noncharacter nobody types: it marks an escaped U+0000 ("\U0010FFFE0") and itself
# ("\U0010FFFE\U0010FFFE"), so every string round-trips.
_ESCAPE = "\U0010fffe"


def escape_nul(text: str) -> str:
    if "\x00" not in text and _ESCAPE not in text:
        return text
    return text.replace(_ESCAPE, _ESCAPE + _ESCAPE).replace("\x00", _ESCAPE + "0")


def unescape_nul(text: str) -> str:
    """The inverse of escape_nul; a lone escape at the end (a prefix cut by substr) is dropped."""
    if _ESCAPE not in text:
        return text
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == _ESCAPE:
            nxt = text[i + 1 : i + 2]
            if nxt:
                out.append("\x00" if nxt == "0" else nxt)
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class NulSafeText(TypeDecorator[str]):
    """Text that may contain U+0000 on every backend (escaped on PostgreSQL only)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, str) and dialect.name == "postgresql":
            return escape_nul(value)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, str) and dialect.name == "postgresql":
            return unescape_nul(value)
        return value


class greatest(GenericFunction[Any]):  # noqa: N801 - an SQL function's name
    """The larger of two values: `greatest(a, b)`, or `max(a, b)` on SQLite."""

    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"
