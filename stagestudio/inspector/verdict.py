"""What an inspector says about a sketch: one result per fact, a critique and a correction."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FactKind = Literal["presence", "count", "color", "relation", "instruction"]


class FactResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: FactKind
    # Human-readable statement of the fact checked: "2 dogs", "the car is red",
    # "the bear is above the spoon".
    fact: str
    passed: bool
    object_ids: list[str] = Field(default_factory=list)
    expected: str = ""
    observed: str = ""
    # Where a result came from ("detector", "vqa", ...) so disagreements can be reported.
    source: str = "detector"


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passed: bool
    facts: list[FactResult] = Field(default_factory=list)
    critique: str = ""
    # A corrective instruction for the refine stage; empty when the sketch passed.
    correction: str = ""
    # Set when a person overrode the inspector; `passed` then holds the person's decision.
    overridden: bool = False

    @property
    def failed_facts(self) -> list[FactResult]:
        return [f for f in self.facts if not f.passed]
