"""What an inspector says about a sketch: one result per fact, a critique and a correction."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

FactKind = Literal["presence", "count", "color", "relation", "instruction"]

# pass / fail: the inspector is confident either way. unsure: a model's answer was too close
# to call (or unreadable); it is shown as such and never turned into a correction, which
# could re-add an object that is already there. unchecked: this inspector cannot judge the
# fact at all (an action such as "riding" from boxes alone).
FactStatus = Literal["pass", "fail", "unsure", "unchecked"]


class FactResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: FactKind
    # Human-readable statement of the fact checked: "2 dogs", "the car is red",
    # "the bear is above the spoon".
    fact: str
    status: FactStatus
    object_ids: list[str] = Field(default_factory=list)
    expected: str = ""
    observed: str = ""
    # Where a result came from ("detector", "vqa", ...) so disagreements can be reported.
    source: str = "detector"
    # Model inspectors: the question asked, the model's raw answer, and the probability of
    # "yes" read from the answer-token logits (None for detector results).
    question: str = ""
    answer: str = ""
    p_yes: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _status_from_passed(cls, data: Any) -> Any:
        # `passed=True/False` is accepted as shorthand (and is what records written before
        # `status` existed hold); `status` wins when both are present.
        if isinstance(data, dict) and "passed" in data:
            data = dict(data)
            passed = data.pop("passed")
            data.setdefault("status", "pass" if passed else "fail")
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def failed(self) -> bool:
        return self.status == "fail"


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # True when no fact failed and none is unsure (unchecked facts do not count against it).
    passed: bool
    facts: list[FactResult] = Field(default_factory=list)
    critique: str = ""
    # A corrective instruction for the refine stage; empty when the sketch passed, and
    # empty when nothing failed but some facts are unsure (there is nothing to correct).
    correction: str = ""
    # Set when a person overrode the inspector; `passed` then holds the person's decision.
    overridden: bool = False

    @property
    def failed_facts(self) -> list[FactResult]:
        return [f for f in self.facts if f.status == "fail"]

    @property
    def unsure_facts(self) -> list[FactResult]:
        return [f for f in self.facts if f.status == "unsure"]

    @property
    def unsure(self) -> bool:
        """Nothing failed, but the inspector could not confirm everything."""
        return not self.passed and not self.failed_facts and bool(self.unsure_facts)

    @property
    def label(self) -> str:
        """pass / fail / unsure, for badges."""
        if self.passed:
            return "pass"
        return "unsure" if self.unsure else "fail"


def verdict_passes(facts: list[FactResult]) -> bool:
    """The rule every inspector uses for `Verdict.passed`."""
    return all(f.status in ("pass", "unchecked") for f in facts)
