"""The sketchbook backend: an offline, deterministic stand-in for a generator + inspector.

* plan    - the offline parser and planner (`OfflinePlanner`).
* sketch  - lays out the whole graph (so positions never change between steps), paints the
            step's new objects onto the accepted canvas, and with probability `error_rate`
            injects one simulated mistake into them (seeded by the request's seed and step).
* inspect - SceneGraphChecker on SketchbookDetector, which finds objects from the pixels.
* refine  - repaints the step's objects on the accepted canvas with the same seeded
            mistakes, minus every mistake touching an object the verdict's failed facts
            (or the correction text) name; from the second attempt on it repaints cleanly.
The mistakes are kept nowhere: refine re-derives them from the seed.
"""

from __future__ import annotations

import random
import re
from typing import Any

from PIL import Image

from stagestudio.backends.base import Backend, BackendStatus, RefineRequest, Sketcher, SketchRequest, StageHooks
from stagestudio.backends.offline import CheckerInspector, OfflinePlanner
from stagestudio.backends.sketchbook.colors import canonical_color
from stagestudio.backends.sketchbook.detector import SketchbookDetector
from stagestudio.backends.sketchbook.layout import solve_layout
from stagestudio.backends.sketchbook.mistakes import Drawing, Mistake, choose_mistakes
from stagestudio.backends.sketchbook.render import Stamp, draw, stamp_box
from stagestudio.inspector.checker import SceneGraphChecker
from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep


class SketchbookBackend(Backend):
    """Offline planner + sprite sketcher + pixel-detector inspector."""

    name = "sketchbook"

    def __init__(self, error_rate: float = 0.3, size: int = 512) -> None:
        self.detector = SketchbookDetector()
        super().__init__(
            planner=OfflinePlanner(),
            sketcher=SketchbookSketcher(error_rate=error_rate, size=size),
            inspector=CheckerInspector(SceneGraphChecker(self.detector)),
        )

    @classmethod
    def status(cls) -> BackendStatus:
        from stagestudio.backends.sketchbook.sprites import manifest

        try:
            manifest()
        except FileNotFoundError as exc:
            return BackendStatus(name=cls.name, state="missing dependency", detail=str(exc))
        return BackendStatus(name=cls.name, state="ready", detail="offline sprite renderer")

    def settings(self) -> dict[str, Any]:
        return {"error_rate": self.sketcher.error_rate, "size": self.sketcher.size}


class SketchbookSketcher(Sketcher):
    """Emoji sprites on a solved layout, with seeded simulated mistakes."""

    def __init__(self, error_rate: float = 0.3, size: int = 512) -> None:
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError(f"error_rate must be between 0 and 1, got {error_rate}")
        if not 128 <= size <= 2048:
            raise ValueError(f"size must be between 128 and 2048 pixels, got {size}")
        self.error_rate = float(error_rate)
        self.size = int(size)

    def _new_ids(self, target: SceneGraph, step: PlanStep, canvas: Image.Image | None) -> list[str]:
        """Objects to paint: the step's own, or everything in the target without a canvas."""
        target_ids = [o.id for o in target.objects]
        if canvas is None:
            return target_ids
        return [i for i in target_ids if i in set(step.object_ids)]

    def drawing(self, graph: SceneGraph, target: SceneGraph) -> tuple[Drawing, list[str]]:
        # Lay out the whole graph (the target's objects may lack some of it) so that every
        # step puts each object in the same place.
        full = graph if {o.id for o in target.objects} <= {o.id for o in graph.objects} else target
        layout = solve_layout(full, self.size)
        return Drawing(
            boxes={o.id: list(layout.boxes[o.id]) for o in target.objects},
            colors={o.id: canonical_color(o.attributes.color) for o in target.objects},
        ), layout.draw_order

    def _mistakes(self, seed: int, step: PlanStep, target: SceneGraph, drawing: Drawing, new_ids: list[str]) -> list[Mistake]:
        rng = random.Random(f"sketchbook-mistakes:{seed}:{step.index}:{','.join(sorted(new_ids))}")
        return choose_mistakes(rng, target, drawing, set(new_ids), self.error_rate, self.size)

    def _paint(
        self, target: SceneGraph, drawing: Drawing, order: list[str], new_ids: list[str],
        canvas: Image.Image | None, hooks: StageHooks | None,
    ) -> Image.Image:
        if canvas is not None and canvas.size != (self.size, self.size):
            canvas = canvas.convert("RGB").resize((self.size, self.size), Image.LANCZOS)
        wanted = set(new_ids)
        stamps = [
            Stamp(target.object(oid).name, drawing.colors[oid], stamp_box(box))
            for oid in order if oid in wanted and oid in drawing.boxes
            for box in drawing.boxes[oid]
        ]
        progress = hooks.progress if hooks else None
        cancel = hooks.cancel if hooks else None
        if cancel:
            cancel.raise_if_cancelled()
        image = draw(canvas, stamps, self.size)
        if progress:
            progress(1, 1)
        return image

    def planned_mistakes(self, request: SketchRequest | RefineRequest) -> list[Mistake]:
        """The simulated mistakes this backend puts into the image for `request` (derived
        from its seed; for a refine, what survives the fix). For measuring harnesses only:
        the inspector never sees them."""
        return self._prepare(request)[2]

    def _prepare(self, request: SketchRequest | RefineRequest) -> tuple[Drawing, list[str], list[Mistake], list[str]]:
        drawing, order = self.drawing(request.graph, request.target)
        new_ids = self._new_ids(request.target, request.step, request.canvas)
        mistakes = self._mistakes(request.seed, request.step, request.target, drawing, new_ids)
        if isinstance(request, RefineRequest):
            if request.attempt > 1:
                mistakes = []  # a second correction redraws carefully
            else:
                named = named_objects(request.verdict, request.correction, request.target)
                mistakes = [m for m in mistakes if not named & set(m.object_ids)]
        return drawing, order, mistakes, new_ids

    def sketch(self, request: SketchRequest, hooks: StageHooks | None = None) -> Image.Image:
        drawing, order, mistakes, new_ids = self._prepare(request)
        for m in mistakes:
            drawing.apply(m)
        return self._paint(request.target, drawing, order, new_ids, request.canvas, hooks)

    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image:
        drawing, order, mistakes, new_ids = self._prepare(request)
        for m in mistakes:
            drawing.apply(m)
        return self._paint(request.target, drawing, order, new_ids, request.canvas, hooks)


def named_objects(verdict: Verdict, correction: str, target: SceneGraph) -> set[str]:
    """Ids of the objects a verdict's failed facts or a correction text talk about."""
    from stagestudio.scene.text import plural

    ids = {oid for f in verdict.failed_facts for oid in f.object_ids}
    text = f" {correction.lower()} "
    for o in target.objects:
        for form in {o.name, plural(o.name)}:
            if re.search(rf"\b{re.escape(form)}\b", text):
                ids.add(o.id)
    return ids


