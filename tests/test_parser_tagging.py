"""The parser's contextual tagger: spaCy's pipeline read on the parser's own tokens."""

from __future__ import annotations

from stagestudio.scene.parsing import tagging
from stagestudio.scene.parsing.tokens import tokenise


def _tags(prompt: str) -> list[tagging.TaggedWord]:
    (sentence,) = tokenise(prompt)
    tags = tagging.tag_sentence(sentence)
    assert tags is not None, tagging.status()
    assert [t.text for t in tags] == sentence  # one tag per parser token, in order
    return list(tags)


def test_the_pinned_pipeline_is_installed():
    assert tagging.status().startswith(f"contextual tagger {tagging.PIPELINE_PACKAGE}")


def test_a_material_before_a_noun_modifies_it_and_the_last_noun_heads_the_phrase():
    tags = _tags("a cobalt blue glass float tangled in a brown fishing net")
    words = [t.text for t in tags]
    glass, float_ = words.index("glass"), words.index("float")
    assert tags[glass].dep == "compound" and tags[glass].head == float_
    net = words.index("net")
    assert tags[net].dep == "pobj" and tags[tags[net].head].text == "in"


def test_a_participle_is_a_verb_and_its_object_hangs_on_it():
    tags = _tags("an astronaut riding a white horse")
    words = [t.text for t in tags]
    assert tags[words.index("riding")].pos == "VERB"
    horse = words.index("horse")
    assert tags[horse].dep == "dobj" and tags[tags[horse].head].text == "riding"


def test_tagging_is_deterministic_and_empty_sentences_are_allowed():
    tagging._tag.cache_clear()
    first = _tags("three books stacked neatly on the left side of a desk")
    tagging._tag.cache_clear()
    assert _tags("three books stacked neatly on the left side of a desk") == first
    assert tagging.tag_sentence([]) == ()


def test_doctor_names_the_tagger_and_says_when_it_is_missing(monkeypatch):
    from stagestudio.cli.doctor import environment_lines

    assert any(line.startswith("parser") and tagging.PIPELINE_PACKAGE in line for line in environment_lines())
    monkeypatch.setattr(tagging, "_pipeline", None)
    monkeypatch.setattr(tagging, "_load_error", "OSError: [E050] Can't find model")
    tagging._tag.cache_clear()
    try:
        line = next(line for line in environment_lines() if line.startswith("parser"))
        assert "unavailable" in line and "E050" in line and "rules alone" in line
        assert tagging.tag_sentence(["a", "red", "car"]) is None
    finally:
        tagging._tag.cache_clear()


def test_without_the_tagger_the_rules_still_read_geneval_exactly(shared_dir, monkeypatch):
    from stagestudio.eval.planner_eval import evaluate_planner

    monkeypatch.setattr(tagging, "_pipeline", None)
    monkeypatch.setattr(tagging, "_load_error", "ImportError: No module named 'spacy'")
    tagging._tag.cache_clear()
    try:
        lines = (shared_dir / "data" / "geneval" / "evaluation_metadata.jsonl").read_text(encoding="utf-8").splitlines()
        report = evaluate_planner(lines)
        assert (report.total, report.matched) == (553, 553)
    finally:
        tagging._tag.cache_clear()
