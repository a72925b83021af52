"""A UI-agnostic description of a role's options (name, kind, default, choices, help, limits)
and their checking. The CLI turns each option into a flag and the studio into a form field;
both validate through `RoleOption.check`, so a bad value gets the same one-line message
wherever it was typed.

Nothing here imports torch: describing and checking options must stay cheap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

OptionKind = Literal["text", "int", "float", "bool", "choice"]


class OptionError(ValueError):
    """A role option the user gave cannot be used; the message names it and what to give."""


@dataclass(frozen=True)
class RoleOption:
    """One setting of a role (e.g. the sketcher's `steps`)."""

    name: str
    kind: OptionKind
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    multiple_of: int = 1
    # None (or an empty text) is a valid value meaning "not set" (e.g. no text-to-image model).
    optional: bool = False

    def check(self, value: Any, label: str = "") -> Any:
        """`value` converted to this option's type; OptionError when it does not fit."""
        label = label or self.name
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.optional:
                return None
            if self.kind == "text":
                raise OptionError(f"{label} is empty; {self.help}")
            raise OptionError(f"{label} is empty; give {self._expected()}")
        if self.kind == "text":
            return str(value).strip()
        if self.kind == "choice":
            text = str(value).strip().lower()
            if text not in self.choices:
                raise OptionError(f"{label} must be one of {', '.join(self.choices)}, got {value!r}")
            return text
        if self.kind == "bool":
            return _flag(label, value)
        number = _number(label, value)
        if self.kind == "int":
            if number != int(number):
                raise OptionError(f"{label} must be a whole number, got {number:g}")
            number = int(number)
        if self.minimum is not None and number < self.minimum or self.maximum is not None and number > self.maximum:
            raise OptionError(f"{label} must be between {self.minimum:g} and {self.maximum:g}, got {number:g}")
        if self.kind == "int" and number % self.multiple_of:
            below = number - number % self.multiple_of
            raise OptionError(f"{label} must be a multiple of {self.multiple_of} (e.g. {below} or "
                              f"{below + self.multiple_of}), got {number}")
        return number

    def _expected(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.minimum is not None and self.maximum is not None:
            return f"a number from {self.minimum:g} to {self.maximum:g}"
        return "a number"

    def to_json_dict(self) -> dict[str, Any]:
        """The spec as plain JSON, for a UI that renders forms from data."""
        return {
            "name": self.name, "kind": self.kind, "default": self.default, "help": self.help,
            "choices": list(self.choices), "minimum": self.minimum, "maximum": self.maximum,
            "multiple_of": self.multiple_of, "optional": self.optional,
        }


def _number(label: str, value: Any) -> float:
    if isinstance(value, bool):
        raise OptionError(f"{label} must be a number, not {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise OptionError(f"{label} must be a number, got {value!r}") from None


def _flag(label: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise OptionError(f"{label} must be on or off (true/false), got {value!r}")


def check_options(options: tuple[RoleOption, ...], raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Every option of `options`: the value in `raw` (checked) or its default. Unknown names
    are an error, so a typo is never silently ignored. `where` names the role in messages."""
    known = {o.name: o for o in options}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        names = ", ".join(known) if known else "none"
        raise OptionError(f"{where} has no option {', '.join(unknown)}; its options: {names}")
    return {o.name: o.check(raw[o.name], f"{where} {o.name}") if o.name in raw else o.default for o in options}
