"""A scene graph written by a language model, checked by the schema, with the offline parser
as the fallback.

    1. Knowledge prompts ("the bird that cannot fly but is known for its speed on land") are
       first rewritten into an explicit prompt ("an ostrich running across open savanna") by
       a model that can reason (BAGEL's think mode). The rewrite is kept in the graph.
    2. The model writes the graph as JSON, guided by a few worked examples.
    3. The JSON is validated by the pydantic schema; on failure the model gets one repair
       attempt with the error; on a second failure the offline parser takes over and the
       graph says why (`source="parser"`, `source_note`).

The module knows no model: it takes `generate(prompt) -> text` callables, so BAGEL, a
transformers VLM and a remote server all use it the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from stagestudio.scene.graph import MAX_COUNT, SceneGraph, SceneGraphError
from stagestudio.scene.model_graph_examples import EXAMPLES, RULES

GenerateText = Callable[[str], str]

MAX_REWRITE_CHARS = 600


def graph_prompt(prompt: str) -> str:
    """Ask for the scene graph of `prompt`, with worked examples."""
    lines = ["Write the scene graph of an image prompt as JSON.", RULES, ""]
    for text, graph in EXAMPLES:
        lines.append(f"Prompt: {text}")
        lines.append(f"JSON: {json.dumps(graph, ensure_ascii=False)}")
        lines.append("")
    lines.append(f"Prompt: {prompt}")
    lines.append("JSON:")
    return "\n".join(lines)


def repair_prompt(prompt: str, answer: str, error: str) -> str:
    """One more try, told what was wrong with the first answer."""
    return "\n".join([
        graph_prompt(prompt),
        answer.strip()[:2000],
        f"That JSON is not valid: {error}",
        "Write the corrected JSON only.",
        "JSON:",
    ])


def rewrite_prompt(prompt: str) -> str:
    """Ask a reasoning model to name what a knowledge prompt describes indirectly."""
    return (
        "An image prompt may describe something indirectly, by what it is known for, instead of naming it. "
        "Rewrite the prompt so that every thing to draw is named explicitly, keeping every detail that "
        "matters for the picture. If everything is already named, repeat the prompt unchanged. "
        "Answer with the rewritten prompt only.\n"
        f"Prompt: {prompt}\nRewritten prompt:"
    )


_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S | re.I)


def parse_rewrite(answer: str, prompt: str) -> str | None:
    """The rewritten prompt, or None when the model kept the prompt (or wrote nothing usable)."""
    text = _THINK.sub("", answer).strip()
    text = re.sub(r"^(?:rewritten prompt\s*:\s*)", "", text, flags=re.I).strip().strip('"').strip()
    text = text.splitlines()[0].strip() if text else ""
    if not text or len(text) > MAX_REWRITE_CHARS or not _reads_as_words(text):
        return None
    if _normal(text) == _normal(prompt):
        return None
    return text


def _reads_as_words(text: str) -> bool:
    """Whether a rewrite is prose (two or more words, mostly letters and spaces), not a model's
    noise ("Y`CwY`CwY`C", token soup): such a rewrite would replace a readable prompt."""
    words = re.findall(r"[A-Za-z]{2,}", text)
    letters_and_spaces = sum(ch.isalpha() or ch.isspace() for ch in text)
    return len(words) >= 2 and letters_and_spaces >= 0.8 * len(text)


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def json_object_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the first balanced {...} in `text` (strings and escapes respected), or
    None when there is none or it is not closed yet. Also a stop condition for decoding."""
    start = text.find("{")
    if start < 0:
        return None
    depth = 0
    in_string = False
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return start, i + 1
    return None


def _first_json_object(text: str) -> Any:
    """The first balanced {...} in `text`, decoded."""
    if "{" not in text:
        raise SceneGraphError("no JSON object in the answer")
    span = json_object_span(text)
    if span is None:
        raise SceneGraphError("the JSON object is not closed")
    try:
        return json.loads(text[span[0]:span[1]])
    except json.JSONDecodeError as exc:
        raise SceneGraphError(f"the JSON does not parse: {exc.msg}") from exc


def parse_model_graph(answer: str) -> SceneGraph:
    """Validate a model's JSON as a scene graph. Counts above the maximum are capped with a
    note (as the parser does); anything else wrong raises SceneGraphError naming it."""
    data = _first_json_object(answer)
    if not isinstance(data, dict):
        raise SceneGraphError("the answer is not a JSON object")
    data = {k: v for k, v in data.items() if k in ("objects", "relations")}
    notes: list[str] = []
    for obj in data.get("objects") or []:
        if isinstance(obj, dict) and isinstance(obj.get("count"), int) and obj["count"] > MAX_COUNT:
            notes.append(f"count {obj['count']} of '{obj.get('name')}' capped at {MAX_COUNT}")
            obj["count"] = MAX_COUNT
    graph = SceneGraph.from_json_dict(data)
    if not graph.objects:
        raise SceneGraphError("the graph has no objects")
    for obj in graph.objects:
        if not re.fullmatch(r"[a-z][a-z' -]*", obj.name):
            raise SceneGraphError(f"object name {obj.name!r} is not a plain noun")
    return graph.model_copy(update={"notes": notes})


def extract_graph_with_model(
    prompt: str,
    generate: GenerateText,
    *,
    rewrite: GenerateText | None = None,
    fallback: Callable[[str], SceneGraph] | None = None,
) -> SceneGraph:
    """The model's scene graph of `prompt` (see the module docstring). `rewrite` is the
    reasoning model for knowledge prompts (None: use the prompt as written); `fallback` is
    the offline parser by default. Raises only what the fallback raises (a bad prompt)."""
    if fallback is None:
        from stagestudio.scene.parser import parse_prompt

        fallback = parse_prompt
    explicit = prompt
    rewritten: str | None = None
    rewrite_problem = ""
    if rewrite is not None:
        try:
            rewritten = parse_rewrite(rewrite(rewrite_prompt(prompt)), prompt)
        except Exception as exc:  # a model failure must not lose the prompt: go on without
            rewrite_problem = f"the knowledge rewrite failed ({type(exc).__name__}: {exc}); "
        if rewritten:
            explicit = rewritten

    problem = ""
    answer = ""
    for attempt in range(2):
        ask = graph_prompt(explicit) if attempt == 0 else repair_prompt(explicit, answer, problem)
        try:
            answer = generate(ask)
            graph = parse_model_graph(answer)
        except SceneGraphError as exc:
            problem = str(exc)
            continue
        except Exception as exc:
            problem = f"the model failed: {type(exc).__name__}: {exc}"
            break
        return graph.model_copy(update={
            "source": "model", "rewrite": rewritten,
            "source_note": rewrite_problem.rstrip("; ") if rewrite_problem else "",
        })

    note = f"{rewrite_problem}model graph unusable ({problem}); used the offline parser"
    if rewritten is None:
        graph = fallback(prompt)
    else:
        try:
            graph = fallback(rewritten)
        except ValueError as exc:  # (PromptError) the rewrite names nothing the parser can draw:
            # the prompt as written still can, so the rewrite is dropped rather than the prompt lost
            graph = fallback(prompt)
            note = f"the knowledge rewrite was dropped (the parser cannot read it: {exc}); {note}"
            rewritten = None
    return graph.model_copy(update={"source": "parser", "source_note": note[:500], "rewrite": rewritten})
