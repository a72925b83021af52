"""The scene-graph view: layout geometry (boxes, not pixels), the drawings, the header HTML and
the editable tables."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from stagestudio.scene.graph import (
    ObjectAttributes,
    Relation,
    SceneGraph,
    SceneGraphError,
    SceneObject,
)
from stagestudio.ui.graph import (
    Box,
    GraphLayout,
    draw_graph,
    graph_header_html,
    graph_html,
    graph_layout,
    graph_svg,
    graph_to_tables,
    tables_to_graph,
)
from stagestudio.ui.graph.card import MAX_TEXT_WIDTH, PAD_X, node_card
from stagestudio.ui.graph.curves import hits, samples
from stagestudio.ui.graph.fonts import text_width
from stagestudio.ui.graph.shapes import Text
from stagestudio.ui.graph_view import (  # the studio's import path
    OBJECT_COLUMNS,
    RELATION_COLUMNS,
)

NAMES = ["apple", "vase", "cup", "dog", "cat", "car", "bus", "chair", "table", "lamp", "book", "clock",
         "bowl", "bird", "horse", "sheep", "cow", "bench", "bicycle", "umbrella", "kite", "laptop", "mouse",
         "cell phone", "oven", "sink", "bed", "toilet", "tv", "pizza"]
PREDICATES = ["left of", "above", "on", "near", "holding", "in front of", "right of", "below", "behind",
              "under", "next to", "chasing", "inside", "looking at"]


def make_graph(names: list[str], relations: list[tuple[str, str, str]], **kw) -> SceneGraph:
    return SceneGraph(objects=[SceneObject(id=f"o{i + 1}", name=n) for i, n in enumerate(names)],
                      relations=[Relation(subject=s, predicate=p, object=o) for s, p, o in relations], **kw)


def thirty_objects() -> SceneGraph:
    """30 objects: pairs, triples and chains joined by every kind of relation, a few loose ones,
    with attributes, parts and measurements that make the cards different sizes."""
    relations = [(f"o{i + 1}", PREDICATES[i % len(PREDICATES)], f"o{i}") for i in range(1, 26, 2)]
    relations += [(f"o{i}", PREDICATES[(i + 3) % len(PREDICATES)], f"o{i + 4}") for i in range(1, 18, 4)]
    graph = make_graph(NAMES, relations)
    for k, o in enumerate(graph.objects):
        o.count = 1 + k % 4
        if k % 3 == 0:
            o.attributes = ObjectAttributes(color=["red", "blue", "light green", "golden"][k % 4], size="small")
        if k % 5 == 0:
            o.attributes.parts = ["handle", "four sturdy legs", "a lid"]
            o.attributes.measurements = ["150 centimeters long"]
    return graph


def all_boxes(layout: GraphLayout) -> list[tuple[str, Box]]:
    named = [(f"node {n}", b) for n, b in layout.boxes.items()]
    named += [(f"label {e.subject} {e.predicate} {e.object}", e.label) for e in layout.edges]
    if layout.legend is not None:
        named.append(("legend", layout.legend))
    return named


def assert_no_overlap(layout: GraphLayout) -> None:
    for (name_a, a), (name_b, b) in itertools.combinations(all_boxes(layout), 2):
        assert not a.overlaps(b), f"{name_a} {a} overlaps {name_b} {b}"
    for name, box in all_boxes(layout):
        assert 0 <= box.x0 and box.x1 <= layout.width and 0 <= box.y0 and box.y1 <= layout.height, name
    for edge in layout.edges:  # arrows, bent ones too, stay on the canvas
        assert all(0 <= x <= layout.width and 0 <= y <= layout.height for x, y in samples(edge.curve)), edge


# --- layout ---------------------------------------------------------------------------------
def test_thirty_objects_lay_out_without_overlap_and_stay_readable():
    graph = thirty_objects()
    layout = graph_layout(graph)
    assert set(layout.boxes) == {o.id for o in graph.objects}
    assert len(layout.edges) == len(graph.relations)
    assert_no_overlap(layout)
    assert layout.legend is not None  # both spatial and action relations appear
    assert layout.contradicted == []
    # Readable at its natural size (fonts never shrink in the layout), and not absurdly large:
    # groups wrap onto shelves instead of forming one endless row.
    assert layout.width < 1600 and layout.height < 1600
    assert graph_layout(graph) == layout  # deterministic


def test_unrelated_objects_form_a_tidy_grid():
    layout = graph_layout(make_graph(NAMES, []))
    assert_no_overlap(layout)
    rows = sorted({round(b.center[1], 1) for b in layout.boxes.values()})
    cols = sorted({round(b.center[0], 1) for b in layout.boxes.values()})
    assert 4 <= len(cols) <= 8 and len(rows) * len(cols) >= 30 and len(rows) <= 8
    # Mention order, row by row.
    first_row = [n for n, b in layout.boxes.items() if round(b.center[1], 1) == rows[0]]
    assert first_row == [f"o{i}" for i in range(1, len(cols) + 1)]


@pytest.mark.parametrize(("predicate", "side"), [
    ("left of", "left"), ("right of", "right"), ("above", "above"), ("below", "below"),
    ("on", "above"), ("under", "below"), ("behind", "above"), ("in front of", "below"),
])
def test_spatial_relations_place_the_subject_on_their_side(predicate, side):
    # Both mention orders: the side must not depend on which object the layout placed first.
    for graph in (make_graph(["apple", "vase"], [("o1", predicate, "o2")]),
                  make_graph(["vase", "apple"], [("o2", predicate, "o1")])):
        boxes = graph_layout(graph).boxes
        ids = {o.name: o.id for o in graph.objects}
        apple, vase = boxes[ids["apple"]], boxes[ids["vase"]]
        if side == "left":
            assert apple.x1 < vase.x0 and apple.center[1] == pytest.approx(vase.center[1])
        elif side == "right":
            assert apple.x0 > vase.x1 and apple.center[1] == pytest.approx(vase.center[1])
        elif side == "above":
            assert apple.y1 < vase.y0
        else:
            assert apple.y0 > vase.y1


def test_on_and_above_stack_in_one_column_and_depth_steps_aside():
    on = graph_layout(make_graph(["cat", "table"], [("o1", "on", "o2")])).boxes
    assert on["o1"].center[0] == pytest.approx(on["o2"].center[0])
    assert on["o2"].y0 - on["o1"].y1 < 60  # touching distance: just room for the arrow's label
    behind = graph_layout(make_graph(["tree", "house"], [("o1", "behind", "o2")])).boxes
    assert behind["o1"].y1 < behind["o2"].y0 and behind["o1"].x0 > behind["o2"].x1  # an oblique depth axis


def test_action_relations_sit_side_by_side_with_their_label_between():
    graph = make_graph(["man", "horse", "dog", "tree", "ball"],
                       [("o1", "riding", "o2"), ("o3", "chasing", "o5"), ("o4", "left of", "o1")])
    layout = graph_layout(graph)
    assert_no_overlap(layout)
    for edge in layout.edges:
        if not edge.is_action:
            continue
        subject, obj = layout.boxes[edge.subject], layout.boxes[edge.object]
        assert subject.center[1] == pytest.approx(obj.center[1])  # same row
        assert subject.x1 < obj.x0  # reads left to right: "man riding horse"
        gap = Box(subject.x1, subject.y0, obj.x0, subject.y1)
        assert not any(b.overlaps(gap) for n, b in layout.boxes.items() if n not in (edge.subject, edge.object))
        assert subject.x1 < edge.label.x0 and edge.label.x1 < obj.x0  # the verb sits on the arrow
        assert gap.width < 140


def test_arrows_run_from_subject_to_object_and_avoid_other_nodes():
    # "dog left of cat left of bird" and "dog near bird": the straight dog -> bird line would
    # cross the cat, so that arrow bends around it.
    layout = graph_layout(make_graph(["dog", "cat", "bird"], [("o1", "left of", "o2"), ("o2", "left of", "o3"),
                                                               ("o1", "near", "o3")]))
    assert_no_overlap(layout)
    for edge in layout.edges:
        start, _, end = edge.curve
        assert layout.boxes[edge.subject].contains(start, margin=5) and layout.boxes[edge.object].contains(end, margin=5)
    around = next(e for e in layout.edges if e.predicate == "near")
    assert hits(around.curve, [layout.boxes["o2"]]) == 0


def test_contradictory_relations_still_lay_out_without_overlap():
    cycle = make_graph(["a", "b", "c", "d"], [("o1", "left of", "o2"), ("o2", "left of", "o3"), ("o3", "left of", "o4"),
                                              ("o4", "left of", "o1"), ("o1", "above", "o3"), ("o3", "above", "o1"),
                                              ("o1", "left of", "o2")])
    layout = graph_layout(cycle)
    assert_no_overlap(layout)
    assert len(layout.edges) == 7 and layout.contradicted  # it says what it could not honour
    # A relation to a missing object or to itself is skipped, not a crash.
    odd = SceneGraph.model_construct(objects=cycle.objects, relations=[Relation(subject="o1", predicate="near", object="o9"),
                                                                       Relation(subject="o2", predicate="on", object="o2")])
    assert graph_layout(odd).edges == [] and len(graph_layout(odd).boxes) == 4


def test_many_relations_between_one_pair_get_separate_labels():
    pair = make_graph(["man", "horse"], [("o1", "riding", "o2"), ("o1", "above", "o2"), ("o1", "near", "o2"),
                                         ("o2", "carrying", "o1")])
    assert_no_overlap(graph_layout(pair))


def test_cards_fit_their_text_and_cap_their_width():
    obj = SceneObject(id="o1", name="supercalifragilisticexpialidocious teapot", count=12,
                      attributes=ObjectAttributes(color="red", material="porcelain", size="tiny",
                                                  adjectives=["antique", "chipped", "glazed", "ornate", "tall"],
                                                  parts=["spout", "handle", "lid", "a very long decorative rim"] * 3,
                                                  measurements=["two hundred years old", "30 cm tall"]))
    card = node_card(obj)
    assert card.width <= MAX_TEXT_WIDTH + 2 * PAD_X + 1
    for shape in card.shapes:
        if isinstance(shape, Text):
            left = shape.x - (text_width(shape.text, shape.font) / 2 if shape.centered else 0)
            assert left >= 0 and left + text_width(shape.text, shape.font) <= card.width + 0.5, shape.text
            assert 0 < shape.y <= card.height
    texts = [s.text for s in card.shapes if isinstance(s, Text)]
    assert "×12" in texts and any(t.startswith("parts: spout") for t in texts) and any("…" in t for t in texts)


# --- drawing ------------------------------------------------------------------------------------
def test_draw_graph_png_and_placeholder():
    image = draw_graph(thirty_objects())
    layout = graph_layout(thirty_objects())
    assert isinstance(image, Image.Image) and image.mode == "RGB"
    assert image.size == (pytest.approx(layout.width * 2, abs=2), pytest.approx(layout.height * 2, abs=2))
    assert len(image.resize((64, 64)).getcolors(maxcolors=65536) or []) > 20  # cards, chips, arrows
    empty = draw_graph(None)
    assert isinstance(empty, Image.Image) and empty.width > 300
    # A 30-object chain is one long row: the PNG stays bounded instead of growing without limit.
    chain = draw_graph(make_graph(NAMES, [(f"o{i}", "left of", f"o{i + 1}") for i in range(1, 30)]))
    assert chain.width <= 12_000 and chain.width * chain.height <= 12_000_000


def test_svg_is_well_formed_scales_and_escapes_prompt_text():
    graph = make_graph(["<script>hi</script>", "vase & co"], [("o1", "holding", "o2"), ("o1", "left of", "o2")])
    graph.objects[0].attributes = ObjectAttributes(color='"><img src=x onerror=alert(2)>',
                                                   parts=["</svg><script>x</script>"], measurements=["< 5 cm"])
    svg = graph_svg(graph)
    root = ET.fromstring(svg)  # escaping mistakes would break the XML
    assert root.tag.endswith("svg") and "viewBox" in root.attrib and root.attrib["width"] == "100%"
    assert "<script" not in svg and "<img" not in svg and "&lt;script&gt;" in svg
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<script>hi</script>" in texts  # shown as text
    assert "holding" in texts and "left of" in texts and "what it does" in texts  # labels and the key
    assert "dasharray" in svg  # the action is dashed
    assert "No scene graph yet" in graph_svg(None)


# --- header -------------------------------------------------------------------------------------
def test_header_html_escapes_everything_and_names_the_source():
    graph = make_graph(["ostrich"], [], source="model", source_note="<b>kept</b> the model's graph",
                       rewrite="an ostrich <script>alert(1)</script> running", notes=["count 150 of 'candle' capped at 20",
                                                                                       "<img src=x>"])
    html = graph_header_html(graph)
    assert "from the model" in html and "Rewritten prompt:" in html and html.count("<li>") == 2
    assert "<script" not in html and "<img" not in html and "<b>kept" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&#x27;candle&#x27;" in html
    assert "from the parser" in graph_header_html(make_graph(["dog"], []))
    assert "edited" in graph_header_html(make_graph(["dog"], [], source="user"))
    assert graph_header_html(None) == ""
    combined = graph_html(graph)
    assert combined.index("from the model") < combined.index("<svg") and "<script" not in combined


# --- tables -------------------------------------------------------------------------------------
def rich_graph() -> SceneGraph:
    graph = make_graph(["knight", "horse", "castle"], [("o1", "riding", "o2"), ("o3", "behind", "o2"),
                                                        ("o1", "looking at", "o3")],
                       source="model", rewrite="a knight riding a horse before a castle", notes=["kept 3 objects"])
    graph.objects[0].attributes = ObjectAttributes(color="silver", adjectives=["brave", "tired"], parts=["sword", "helmet"])
    graph.objects[1].count = 2
    graph.objects[1].attributes = ObjectAttributes(color="white", measurements=["1,000 kilograms", "two years old"],
                                                   parts=["long mane"])
    graph.objects[2].attributes = ObjectAttributes(material="stone", size="huge",
                                                   measurements=["50 m tall, at the top"])
    return graph


def test_tables_round_trip_parts_measurements_and_actions():
    graph = rich_graph()
    objects, relations = graph_to_tables(graph)
    assert len(objects[0]) == len(OBJECT_COLUMNS) and len(relations[0]) == len(RELATION_COLUMNS)
    assert objects[0][7] == "sword, helmet" and objects[1][8] == "1,000 kilograms, two years old"
    assert objects[2][8] == "50 m tall, at the top;"  # one item with a comma in it
    rebuilt = tables_to_graph(objects, relations, based_on=graph)
    assert rebuilt.objects == graph.objects and rebuilt.relations == graph.relations
    assert [r.is_action for r in rebuilt.relations] == [True, False, True]
    assert rebuilt.source == "user" and rebuilt.source_note == "edited from the model's graph"
    assert rebuilt.rewrite == graph.rewrite
    assert tables_to_graph(objects, relations).source == "user"


def test_tables_accept_what_people_type():
    objects = [["", "Bear", "three", "brown", "", "", "", "", ""],
               ["o1", "spoon", 2.0, "", "silver", "", "", "handle,bowl", ""],
               [None, None, None, None, None, None, None, None, None],
               ["", "cup", "", "", "", "", "", "", ""]]
    graph = tables_to_graph(objects, [["bear", "above", "o1"], ["o3", "Next  To", "spoon"], ["bear", "above", "o1"]])
    assert [(o.id, o.name, o.count) for o in graph.objects] == [("o2", "bear", 3), ("o1", "spoon", 2), ("o3", "cup", 1)]
    assert graph.object("o1").attributes.parts == ["handle", "bowl"]
    assert [(r.subject, r.predicate, r.object) for r in graph.relations] == [("o2", "above", "o1"), ("o3", "next to", "o1")]


@pytest.mark.parametrize(("objects", "relations", "message"), [
    ([["o1", "bear", "many"]], [], r"^object row 1: count 'many' is not a number$"),
    ([["o1", "bear", "2.5"]], [], r"^object row 1: count '2.5' is not a whole number$"),
    ([["o1", "bear", "1"], ["o2", "cars", "21"]], [], r"^object row 2: count 21 is out of range \(1 to 20\)$"),
    ([["o1", "bear", "0"]], [], r"^object row 1: count 0 is out of range"),
    ([["o1", "", "1", "red"]], [], r"^object row 1: the name is empty$"),
    ([["o1", "<b>bear</b>"]], [], r"^object row 1: the name '<b>bear</b>' contains markup or symbols"),
    ([["o1", "bear"], ["o2", "cat", "", "<i>red</i>"]], [], r"^object row 2: color '<i>red</i>' contains markup"),
    ([["o1", "bear"], ["o1", "cat"]], [], r"^object row 2: id 'o1' is already used by row 1$"),
    ([["o 1", "bear"]], [], r"^object row 1: id 'o 1' must be one word"),
    ([["o1", "bear"], ["o2", "cat"]], [["o1", "<b>beside</b>", "o2"]], r"^relation row 1: unknown predicate"),
    ([["o1", "bear"], ["o2", "cat"]], [["o1", "above", "o2"], ["o1", "above", "o9"]],
     r"^relation row 2: unknown object 'o9' \(objects: o1, o2\)$"),
    ([["o1", "bear"], ["o2", "bear"]], [["bear", "above", "o2"]], r"^relation row 1: 'bear' names several objects"),
    ([["o1", "bear"], ["o2", "cat"]], [["o1", "", "o2"]], r"^relation row 1: subject, predicate and object"),
    ([["o1", "bear"]], [["o1", "above", "o1"]], r"^relation row 1: relates 'o1' to itself$"),
    ([["o1", "a"], ["o2", "b"]], [["o1", "left of", "o2"], ["o2", "riding", "o1"], ["o2", "left of", "o1"]],
     r"^relation row 3: 'o2 left of o1' contradicts the rows above it"),
    ([], [], r"^the scene needs at least one object$"),
])
def test_tables_reject_bad_rows_with_one_line_naming_the_row(objects, relations, message):
    with pytest.raises(SceneGraphError, match=message) as info:
        tables_to_graph(objects, relations)
    assert "\n" not in str(info.value)
