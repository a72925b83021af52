"""Scene-graph view benchmark (not a timed test): layout, SVG and PNG time and picture size
for graphs of 3, 6 and 30 objects, and a sweep over every GenEval and WISE prompt's parsed graph
checking that no node overlaps another node or a label.

    python bench/graph_view.py                       # writes bench/results/graph_view.json
    python bench/graph_view.py --shared ../shared    # where the GenEval / WISE prompts are
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneObject  # noqa: E402
from stagestudio.scene.parser import PromptError, parse_prompt  # noqa: E402
from stagestudio.ui.graph import draw_graph, graph_layout, graph_svg  # noqa: E402
from stagestudio.ui.graph.layout import GraphLayout  # noqa: E402

NOUNS = ["dog", "cat", "horse", "bench", "lamp", "book", "clock", "vase", "chair", "table", "kite", "bird", "cup",
         "bowl", "car", "bus", "sheep", "cow", "apple", "pizza", "oven", "sink", "bed", "tv", "laptop", "mouse",
         "phone", "umbrella", "bicycle", "toilet"]
VERBS_AND_PLACES = ["riding", "on", "left of", "behind", "holding", "above", "next to", "under", "chasing",
                    "in front of", "right of", "near", "below", "carrying"]


def sample(n: int, linked_every: int) -> SceneGraph:
    """n objects; object k relates to object k - 1 when k is a multiple of `linked_every`,
    cycling through spatial and action predicates; every third object has attributes."""
    objects = [SceneObject(id=f"o{k + 1}", name=NOUNS[k], count=1 + k % 3) for k in range(n)]
    for k, o in enumerate(objects):
        if k % 3 == 0:
            o.attributes = ObjectAttributes(color="red" if k % 2 else "blue", parts=["handle"] if k % 6 == 0 else [])
    relations = [Relation(subject=f"o{k + 1}", predicate=VERBS_AND_PLACES[k % len(VERBS_AND_PLACES)], object=f"o{k}")
                 for k in range(1, n) if k % linked_every == 0]
    return SceneGraph(objects=objects, relations=relations)


def overlaps(layout: GraphLayout) -> int:
    boxes = list(layout.boxes.values()) + layout.label_boxes + ([layout.legend] if layout.legend else [])
    return sum(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def timed_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def prompts(shared: Path) -> list[str]:
    geneval = shared / "data" / "geneval" / "evaluation_metadata.jsonl"
    wise = shared / "data" / "wise" / "final_data.json"
    out = [json.loads(line)["prompt"] for line in geneval.read_text().splitlines() if line.strip()]
    return out + [item["Prompt"] for item in json.loads(wise.read_text())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("STAGESTUDIO_SHARED", REPO.parent / "shared")))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "graph_view.json")
    args = parser.parse_args()

    graph_svg(sample(1, 1))  # first use loads fonts and the English inflector
    cases = {"3 objects": sample(3, 1), "6 objects": sample(6, 1), "30 objects, half related": sample(30, 2),
             "30 objects, unrelated": sample(30, 99)}
    sizes = {}
    for name, graph in cases.items():
        layout = graph_layout(graph)
        png = draw_graph(graph)
        sizes[name] = {
            "relations": len(graph.relations),
            "layout_ms": timed_ms(lambda g=graph: graph_layout(g), args.repeats),
            "svg_ms": timed_ms(lambda g=graph: graph_svg(g), args.repeats),
            "png_ms": timed_ms(lambda g=graph: draw_graph(g), args.repeats),
            "css_px": [round(layout.width), round(layout.height)],
            "png_px": list(png.size),
            "svg_kb": round(len(graph_svg(graph).encode()) / 1024, 1),
            "overlapping_boxes": overlaps(layout),
        }
        print(name, sizes[name])

    started = time.perf_counter()
    parsed = skipped = overlapping = contradicted = 0
    widest = 0.0
    for prompt in prompts(args.shared):
        try:
            graph = parse_prompt(prompt)
        except PromptError:
            skipped += 1
            continue
        layout = graph_layout(graph)
        parsed += 1
        overlapping += overlaps(layout)
        contradicted += bool(layout.contradicted)
        widest = max(widest, layout.width)
    sweep = {"graphs": parsed, "prompts_without_objects": skipped, "overlapping_boxes": overlapping,
             "graphs_with_contradicted_relations": contradicted, "widest_css_px": round(widest),
             "seconds_parse_and_layout": round(time.perf_counter() - started, 2)}
    print("GenEval + WISE", sweep)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_avg": list(os.getloadavg())},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "note": "Median wall-clock ms over --repeats on a shared 2-core VM; PNG at 2 device px per CSS px.",
        "cases": sizes,
        "geneval_and_wise_sweep": sweep,
    }, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
