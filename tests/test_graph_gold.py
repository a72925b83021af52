"""The gold scene-graph sets (tests/data/scene_*.jsonl) and the metric that scores a parse against
them (`eval-planner --gold`). Metric cases use hand-made predicted graphs, so they do not depend
on what the parser does today."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from stagestudio.cli import main
from stagestudio.eval.gold_data import STYLES, GoldExample, GoldFileError, load_gold, parse_gold_lines
from stagestudio.eval.gold_words import measurement_found, verb_key
from stagestudio.eval.graph_gold import evaluate_gold, match_objects, score_example
from stagestudio.scene.graph import PREDICATES, SceneGraph

DATA = Path(__file__).resolve().parent / "data"
DEV, HOLDOUT = DATA / "scene_dev.jsonl", DATA / "scene_holdout.jsonl"


def _obj(oid: str, name: str, *, aliases=(), count=1, color=None, parts=(), measurements=()) -> dict:
    return {"id": oid, "name": name, "aliases": list(aliases), "count": count, "color": color,
            "parts": list(parts), "measurements": list(measurements)}


def _gold(objects: list[dict], relations=(), optional=(), style: str = "caption") -> GoldExample:
    return GoldExample.model_validate({
        "id": "t-1", "style": style, "prompt": "(hand-made)",
        "gold": {"objects": objects, "relations": [dict(zip(("subject", "predicate", "object"), r)) for r in relations],
                 "optional": list(optional)}})


def _pred(objects: list[tuple], relations=()) -> SceneGraph:
    """objects: (id, name, count, colour[, parts[, measurements]])"""
    objs = []
    for o in objects:
        oid, name, count, color, *rest = o
        attrs = {"color": color, "parts": list(rest[0]) if rest else [],
                 "measurements": list(rest[1]) if len(rest) > 1 else []}
        objs.append({"id": oid, "name": name, "count": count, "attributes": attrs})
    rels = [dict(zip(("subject", "predicate", "object"), r)) for r in relations]
    return SceneGraph.model_validate({"objects": objs, "relations": rels})


DESK = _gold([_obj("o1", "desk", aliases=["table"]), _obj("o2", "laptop"),
              _obj("o3", "cup", aliases=["mug"], color="white"), _obj("o4", "book", count=3)],
             [("o3", "right of", "o2")], optional=["coffee"])


# --- metric: objects ------------------------------------------------------------------------
def test_a_perfect_parse_scores_one_everywhere():
    pred = _pred([("a", "desk", 1, None), ("b", "laptop", 1, None), ("c", "cup", 1, "white"), ("d", "book", 3, None)],
                 [("c", "right of", "b")])
    t = score_example(DESK, pred).tally
    assert (t.object_precision, t.object_recall, t.object_f1) == (1.0, 1.0, 1.0)
    assert (t.count_accuracy, t.color_accuracy, t.spatial_recall, t.relation_precision) == (1.0, 1.0, 1.0, 1.0)
    assert t.invented == t.color_invented == t.errors == 0
    assert score_example(DESK, pred).problems == 0


def test_a_missed_object_costs_recall_and_its_relation():
    pred = _pred([("a", "desk", 1, None), ("c", "cup", 1, "white"), ("d", "book", 3, None)])
    score = score_example(DESK, pred)
    assert score.tally.object_recall == pytest.approx(3 / 4)
    assert score.tally.object_precision == 1.0
    assert score.missed_objects == ["laptop"]
    assert score.tally.spatial_recall == 0.0 and score.missed_relations == ["cup right of laptop"]


def test_an_invented_object_costs_precision_but_an_optional_one_does_not():
    pred = _pred([("a", "desk", 1, None), ("b", "laptop", 1, None), ("c", "cup", 1, "white"), ("d", "book", 3, None),
                  ("e", "coffee", 1, None), ("f", "realism", 1, None)],
                 [("e", "inside", "c"), ("f", "near", "a")])
    score = score_example(DESK, pred)
    assert score.invented_objects == ["realism"]
    assert score.tally.invented == 1 and score.tally.object_precision == pytest.approx(4 / 5)
    # the relation to the optional coffee is neither right nor wrong; the one to "realism" is wrong
    assert score.tally.relations_predicted == 1 and score.tally.relations_right == 0


def test_aliases_and_the_same_last_word_match():
    gold = _gold([_obj("o1", "person", aliases=["knight"]), _obj("o2", "cutting board")])
    match = match_objects(_pred([("a", "knight", 1, None), ("b", "board", 1, None)]), gold.gold)
    assert match.pairs == {"a": "o1", "b": "o2"}
    # but not any noun: a different head noun is an invented object
    match = match_objects(_pred([("a", "knight", 1, None), ("b", "cutting", 1, None)]), gold.gold)
    assert match.invented == ["b"]


def test_exact_names_win_over_last_words_and_colours_break_ties():
    gold = _gold([_obj("o1", "teddy bear"), _obj("o2", "bear")])
    assert match_objects(_pred([("a", "bear", 1, None), ("b", "teddy bear", 1, None)]), gold.gold).pairs == \
        {"a": "o2", "b": "o1"}
    cars = _gold([_obj("o1", "car", color="red"), _obj("o2", "car", color="blue")])
    score = score_example(cars, _pred([("a", "car", 1, "blue"), ("b", "car", 1, "red")]))
    assert score.tally.color_accuracy == 1.0


def test_which_of_equally_named_objects_is_which_is_read_from_the_relations():
    # "the auctioneer points at a bidder; two porters to her right": a stray "person" the parse
    # adds first must not take the auctioneer's place and lose every relation stated about her
    gold = _gold([_obj("o1", "person", aliases=["auctioneer"]), _obj("o2", "person", aliases=["porter"], count=2),
                  _obj("o3", "painting")], [("o2", "right of", "o1"), ("o2", "holding", "o3")], style="paragraph")
    pred = _pred([("x", "person", 1, None), ("a", "person", 1, None), ("b", "person", 2, None), ("c", "painting", 1, None)],
                 [("b", "right of", "a"), ("b", "holding", "c")])
    score = score_example(gold, pred)
    assert (score.tally.spatial_recall, score.tally.action_recall, score.tally.relation_precision) == (1.0, 1.0, 1.0)
    assert score.invented_objects == ["person"] and score.tally.count_accuracy == 1.0
    # named in the other order, the relations still decide the pairing
    swapped = _pred([("b", "person", 2, None), ("a", "person", 1, None), ("c", "painting", 1, None)],
                    [("b", "right of", "a"), ("b", "holding", "c")])
    assert score_example(gold, swapped).problems == 0
    # but a relation that is wrong stays wrong: no pairing states it
    wrong = _pred([("a", "person", 1, None), ("b", "person", 2, None), ("c", "painting", 1, None)],
                  [("b", "left of", "a"), ("a", "holding", "c")])
    wrong_score = score_example(gold, wrong)
    assert wrong_score.tally.spatial_recall == 0.0 and wrong_score.tally.action_recall == 0.0


# --- metric: relations ----------------------------------------------------------------------
def test_an_inverse_spatial_relation_is_found_but_a_wrong_predicate_is_not():
    objs = [("a", "desk", 1, None), ("b", "laptop", 1, None), ("c", "cup", 1, "white"), ("d", "book", 3, None)]
    assert score_example(DESK, _pred(objs, [("b", "left of", "c")])).tally.spatial_recall == 1.0
    wrong = score_example(DESK, _pred(objs, [("b", "right of", "c")]))
    assert wrong.tally.spatial_recall == 0.0 and wrong.tally.relation_precision == 0.0
    assert wrong.wrong_relations == ["laptop right of cup"]


def test_action_relations_match_by_verb_lemma_in_the_same_direction():
    gold = _gold([_obj("o1", "person", aliases=["astronaut"]), _obj("o2", "horse", color="white")],
                 [("o1", "riding", "o2")], style="action")
    objs = [("a", "astronaut", 1, None), ("b", "horse", 1, "white")]
    for verb in ("riding", "rides", "ride"):
        assert score_example(gold, _pred(objs, [("a", verb, "b")])).tally.action_recall == 1.0, verb
    assert score_example(gold, _pred(objs, [("b", "riding", "a")])).tally.action_recall == 0.0
    assert score_example(gold, _pred(objs, [("a", "feeding", "b")])).tally.action_recall == 0.0
    # a spatial relation never stands in for an action
    assert score_example(gold, _pred(objs, [("a", "on", "b")])).tally.action_recall == 0.0


def test_verb_key_and_measurements():
    assert verb_key("looking at") == verb_key("looks") == "looking"
    assert verb_key("chases") == verb_key("chase") == "chasing"
    assert measurement_found("150 centimeters", ["approximately 150 cm in length"])
    assert measurement_found("2 hours", ["only two hours old"])
    assert not measurement_found("34 inches", ["34 cm in width"])
    # product listings abbreviate units glued to the number: '18V', '5.5 qt', '1200W'
    assert measurement_found("18 volts", ["18V"])
    assert measurement_found("5.5 quarts", ["5.5 qt"])
    assert measurement_found("1200 watts", ["1200W"])
    assert not measurement_found("18 volts", ["18 watts"])


# --- metric: counts, colours, parts, measurements -------------------------------------------
def test_a_null_count_is_not_scored_and_a_wrong_count_is():
    gold = _gold([_obj("o1", "tomato", count=None), _obj("o2", "plate", count=4)], style="count")
    score = score_example(gold, _pred([("a", "tomato", 7, None), ("b", "plate", 3, None)]))
    assert score.tally.count_scored == 1 and score.tally.count_accuracy == 0.0
    assert score.wrong_counts == ["plate: 3 for 4"]


def test_colour_lists_spellings_and_invented_colours():
    gold = _gold([_obj("o1", "cow", color=["black", "white"]), _obj("o2", "fence"), _obj("o3", "cat", color="gray")])
    score = score_example(gold, _pred([("a", "cow", 1, "white"), ("b", "fence", 1, "brown"), ("c", "cat", 1, "grey")]))
    assert score.tally.color_accuracy == 1.0
    assert score.tally.color_invented == 1 and score.wrong_colors == ["fence: brown for none"]


def test_parts_match_by_head_noun_and_measurements_by_number_and_unit():
    gold = _gold([_obj("o1", "bench", parts=["four sturdy iron legs", "seat"]),
                  _obj("o2", "snowboard", count=2, measurements=["150 centimeters"])])
    pred = _pred([("a", "bench", 1, None, ["leg"]), ("b", "snowboard", 2, None, [], ["150 cm"]),
                  ("c", "seat", 1, None)])
    score = score_example(gold, pred)
    assert score.tally.parts_recall == pytest.approx(1 / 2) and score.missed_parts == ["bench: seat"]
    assert score.tally.measurements_recall == 1.0
    assert score.invented_objects == ["seat"]  # a part drawn as an object is an invention


# --- metric: errors and the report ----------------------------------------------------------
def test_an_erroring_prompt_counts_as_all_misses_and_the_report_goes_on():
    ok = _gold([_obj("o1", "dog")])
    broken = GoldExample.model_validate({**DESK.model_dump(), "id": "t-2", "prompt": "boom"})

    def parse(prompt: str) -> SceneGraph:
        if prompt == "boom":
            raise RuntimeError("parser bug")
        return _pred([("a", "dog", 1, None)])

    report = evaluate_gold([ok, broken], parse=parse)
    total = report.overall()
    assert total.prompts == 2 and total.errors == 1
    assert total.gold_objects == 5 and total.matched == 1 and total.spatial_found == 0
    worst = report.worst(5)
    assert [w.id for w in worst] == ["t-2"]
    assert worst[0].error == "RuntimeError: parser bug" and worst[0].missed_objects == ["desk", "laptop", "cup", "book"]


# --- the data files -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gold_sets() -> dict[str, list[GoldExample]]:
    return {"dev": load_gold(DEV), "holdout": load_gold(HOLDOUT)}


def test_gold_files_are_valid_and_split_cleanly(gold_sets):
    dev, holdout = gold_sets["dev"], gold_sets["holdout"]
    assert len(dev) + len(holdout) >= 200
    assert 0.75 <= len(dev) / (len(dev) + len(holdout)) <= 0.86
    ids = [e.id for e in dev + holdout]
    assert len(ids) == len(set(ids))
    assert not {" ".join(e.prompt.lower().split()) for e in dev} & {" ".join(e.prompt.lower().split()) for e in holdout}
    for examples in (dev, holdout):
        per_style = Counter(e.style for e in examples)
        assert set(per_style) == set(STYLES)  # every style in both parts,
        assert len(set(per_style.values())) == 1, per_style  # in equal numbers
    # the aside set is written apart from the development data and named so
    assert all(re.fullmatch(r"(dev|hold|aside|fresh|unseen|novel|blind|sealed|kept|later|apart)-\d{3}", e.id) for e in dev)
    assert all(re.fullmatch(r"beyond-\d{3}", e.id) for e in holdout)


def test_every_gold_graph_follows_the_conventions(gold_sets):
    for example in gold_sets["dev"] + gold_sets["holdout"]:
        where = f"{example.id}: {example.prompt[:60]!r}"
        example.gold.to_scene_graph()  # ids, references, no cycle, counts within range
        assert (example.answer is not None) == (example.style == "knowledge"), where
        names = {o.name for o in example.gold.objects}
        assert not names & set(example.gold.optional), where
        for obj in example.gold.objects:
            assert obj.name not in obj.aliases, where
            assert obj.name == obj.name.strip().lower(), where
        for rel in example.gold.relations:
            if rel.is_spatial:
                assert rel.predicate in PREDICATES and rel.predicate != "under", where  # under/beneath are `below`
            else:
                assert re.fullmatch(r"[a-z]+ing( [a-z]+)*", rel.predicate), where  # participle + particle


def test_a_bad_gold_line_is_reported_with_its_number():
    good = DEV.read_text(encoding="utf-8").splitlines()[0]
    with pytest.raises(GoldFileError, match="line 2: gold.objects.0.count"):
        parse_gold_lines([good, good.replace('"count": 1', '"count": 0', 1).replace('"dev-001"', '"x"')])
    with pytest.raises(GoldFileError, match="line 2: duplicate id 'dev-001'"):
        parse_gold_lines([good, good])
    with pytest.raises(GoldFileError, match="line 1: .*color"):
        parse_gold_lines([good.replace('"color": null', '"color": "crimson"', 1)])


# --- the command line -----------------------------------------------------------------------
THREE = [
    {"id": "c-1", "style": "attribute", "prompt": "a photo of a red car",
     "gold": {"objects": [_obj("o1", "car", color="red")], "relations": [], "optional": []}},
    {"id": "c-2", "style": "spatial", "prompt": "a photo of a dog right of a teddy bear",
     "gold": {"objects": [_obj("o1", "dog"), _obj("o2", "teddy bear")],
              "relations": [{"subject": "o2", "predicate": "left of", "object": "o1"}], "optional": []}},
    {"id": "c-3", "style": "count", "prompt": "a photo of two apples",
     "gold": {"objects": [_obj("o1", "apple", count=2)], "relations": [], "optional": []}},
]


def test_eval_planner_gold_on_a_three_line_file(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(line) + "\n" for line in THREE), encoding="utf-8")
    assert main(["eval-planner", "--gold", str(gold), "--out", str(tmp_path / "r.md"), "--failures", "2"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line and not line.startswith("-")}
    assert set(rows) >= {"style", "attribute", "spatial", "count", "overall"}
    assert rows["overall"][1] == "3" and rows["overall"][4] == "1.000"  # n, object F1 (GenEval-style prompts)
    assert "no prompt had a problem" in out
    assert "| **overall** | **3** |" in (tmp_path / "r.md").read_text()

    assert main(["eval-planner", "--gold", str(gold), "--json", "--out", str(tmp_path / "r.json")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["counts"]["gold_objects"] == 4 and report["overall"]["counts"]["spatial_found"] == 1
    assert json.loads((tmp_path / "r.json").read_text()) == report


def test_eval_planner_gold_bad_input_is_a_one_line_error(tmp_path, capsys):
    assert main(["eval-planner", "--gold", str(tmp_path / "absent.jsonl")]) == 2
    assert "gold file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(THREE[0]) + "\n{oops\n", encoding="utf-8")
    assert main(["eval-planner", "--gold", str(bad)]) == 2
    assert "line 2 is not JSON" in capsys.readouterr().err
    assert main(["eval-planner", "x.jsonl", "--gold", str(bad)]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["eval-planner", str(bad), "--failures", "3"]) == 2
    assert "go with --gold" in capsys.readouterr().err
    assert main(["eval-planner"]) == 2
    assert "--gold FILE" in capsys.readouterr().err


@pytest.mark.slow
def test_eval_planner_gold_scores_a_backends_own_graphs_and_counts_their_sources(tmp_path, capsys, monkeypatch,
                                                                                  shared_dir):
    """`--backend bagel`: the model-extracted graph path on the tiny fixture checkpoint. Its random
    weights write no JSON, so every graph is the parser's, counted and explained, and the scores
    are the parser's."""
    from stagestudio.backends.bagel.backend import BagelBackend
    from stagestudio.cli import backend_args

    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(line) + "\n" for line in THREE), encoding="utf-8")
    built = []

    def tiny_bagel(args):  # the CLI's own settings, with the token caps cut so the test stays fast
        assert args.backend == "bagel" and args.model == str(shared_dir / "fixtures" / "bagel")
        built.append(BagelBackend(model=args.model, precision="fp32", device="cpu", resolution=32,
                                  max_graph_tokens=24, max_think_tokens=16, max_plan_tokens=16))
        return built[-1]

    monkeypatch.setattr(backend_args, "backend_from_args", tiny_bagel)
    assert main(["eval-planner", "--gold", str(gold), "--backend", "bagel", "--model",
                 str(shared_dir / "fixtures" / "bagel"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    sources = report["graph_sources"]
    assert sources["backend"] == "bagel" and sources["counts"] == {"parser": 3} and len(built) == 1
    assert all("model graph unusable" in note for note in sources["fallback_notes"])
    assert report["overall"]["figures"]["object_f1"] == 1.0  # the parser's graphs of GenEval-style prompts

    assert main(["eval-planner", str(gold), "--backend", "bagel"]) == 2
    assert "--backend goes with --gold FILE" in capsys.readouterr().err
