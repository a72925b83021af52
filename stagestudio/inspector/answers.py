"""How a model's answer to a yes/no question becomes a fact result.

A model whose logits we read is judged by p(yes): the probability of the "yes" answer token
against the "no" token, from one forward pass, with no decoding. Between the two thresholds
the fact is *unsure* — shown as such and never turned into a correction, since a correction
built on a coin toss may re-add an object that is already there.

A model that only answers in text (a remote server) is read strictly: the answer must open
with a plain yes or no. "Y...", "No doubt, yes" or "It is not red, it is blue" are unsure,
not passes or failures; the raw answer is kept so a person can see what the model said.
"""

from __future__ import annotations

import re

from stagestudio.inspector.questions import Question
from stagestudio.inspector.verdict import FactResult, FactStatus

# p(yes) at or above PASS_AT passes, at or below FAIL_AT fails, in between is unsure.
PASS_AT = 0.65
FAIL_AT = 0.35

_YES = frozenset({"yes", "yeah", "yep", "yup", "true", "correct"})
_NO = frozenset({"no", "nope", "false", "incorrect"})
_NEGATIONS = frozenset({"not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without"})
_CLAUSE_END = re.compile(r"[.,;:!?\n]")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def status_from_p_yes(p_yes: float) -> FactStatus:
    if not 0.0 <= p_yes <= 1.0 or p_yes != p_yes:  # NaN or out of range: nothing to go on
        return "unsure"
    if p_yes >= PASS_AT:
        return "pass"
    if p_yes <= FAIL_AT:
        return "fail"
    return "unsure"


def read_yes_no(answer: str) -> bool | None:
    """True for a plain yes, False for a plain no, None for anything else.

    Only the first clause counts. It must be a yes/no word on its own ("Yes.", "no,
    there is none"), or open with one and agree with it ("yes there is a dog", "no there
    isn't"): "no doubt" and a yes clause carrying a negation are unsure."""
    text = answer.strip().lower().lstrip("\"'*`([ ")
    first = _CLAUSE_END.split(text, maxsplit=1)[0]
    words = _WORD.findall(first)
    if not words or words[0] not in _YES | _NO:
        return None
    head, rest = words[0], words[1:]
    negated = any(w in _NEGATIONS or w.endswith("n't") for w in rest)
    if head in _YES:
        return None if negated else True
    if not rest or negated:
        return False
    return None


def fact_from_answer(
    question: Question, *, p_yes: float | None = None, answer: str = "", source: str = "vqa"
) -> FactResult:
    """The fact `question` decides, from p(yes) when the logits were read, else from the text."""
    if p_yes is not None:
        status = status_from_p_yes(p_yes)
        word = {"pass": "yes", "fail": "no", "unsure": "unsure"}.get(status, status)
        observed = f"{word} (p(yes) = {p_yes:.2f})"
    else:
        said = read_yes_no(answer)
        status = "unsure" if said is None else ("pass" if said else "fail")
        observed = ("yes" if said else "no") if said is not None else f"unclear answer: {answer.strip()[:60]!r}"
    return FactResult(
        kind=question.kind,  # type: ignore[arg-type]
        fact=question.fact,
        status=status,
        object_ids=list(question.object_ids),
        expected=question.expected,
        observed=observed,
        source=source,
        question=question.text,
        answer=answer.strip()[:500],
        p_yes=None if p_yes is None else float(p_yes),
    )
