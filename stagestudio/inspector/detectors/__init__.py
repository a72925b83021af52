"""Real detectors on the Hugging Face stack, behind the core `Detector` interface.

`create_detector("mask2former" | "owlv2", **kwargs)` builds one from a hub id or local folder
(`source=`), with an optional CLIP colour classifier (`color=True` or `color_source=`). Weights
are only read from a local folder or the Hugging Face cache unless `allow_download=True`; when
they are missing the error says how to get them.

The heavy modules (torch, transformers) are imported on first use, so importing this package
is cheap.
"""

from __future__ import annotations

from typing import Any, Callable

from stagestudio.inspector.detection import Detector
from stagestudio.inspector.detectors.hub import WeightsUnavailable, missing_weights_message

__all__ = [
    "DETECTOR_NAMES",
    "WeightsUnavailable",
    "create_color_classifier",
    "create_detector",
    "missing_weights_message",
]


def create_color_classifier(source: str | None = None, **kwargs: Any):
    """GenEval's CLIP colour classifier (default `openai/clip-vit-large-patch14`)."""
    from stagestudio.inspector.detectors.clip_color import DEFAULT_CLIP, ClipColorClassifier

    return ClipColorClassifier.from_pretrained(source or DEFAULT_CLIP, **kwargs)


def _with_color(kwargs: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(kwargs)
    color = kwargs.pop("color", False)
    color_source = kwargs.pop("color_source", None)
    if "color_classifier" not in kwargs and (color or color_source):
        kwargs["color_classifier"] = create_color_classifier(
            color_source,
            device=kwargs.get("device"),
            allow_download=kwargs.get("allow_download", False),
        )
    return kwargs


def _mask2former(source: str | None = None, **kwargs: Any) -> Detector:
    from stagestudio.inspector.detectors.mask2former import DEFAULT_MASK2FORMER, Mask2FormerDetector

    return Mask2FormerDetector.from_pretrained(source or DEFAULT_MASK2FORMER, **_with_color(kwargs))


def _owlv2(source: str | None = None, **kwargs: Any) -> Detector:
    from stagestudio.inspector.detectors.owl import DEFAULT_OWL, OwlDetector

    return OwlDetector.from_pretrained(source or DEFAULT_OWL, **_with_color(kwargs))


def _sketchbook(**kwargs: Any) -> Detector:
    from stagestudio.backends.sketchbook.detector import SketchbookDetector

    return SketchbookDetector(**kwargs)


_FACTORIES: dict[str, Callable[..., Detector]] = {
    "mask2former": _mask2former,
    "owlv2": _owlv2,
    "owl": _owlv2,
    "sketchbook": _sketchbook,
}
DETECTOR_NAMES: tuple[str, ...] = ("mask2former", "owlv2", "sketchbook")


def create_detector(name: str, **kwargs: Any) -> Detector:
    """A detector by name: "mask2former" (COCO, GenEval's), "owlv2" (open vocabulary) or
    "sketchbook" (the offline sticker matcher; takes its own options only).

    Keyword arguments: `source` (hub id or folder), `device`, `allow_download`, `threshold`,
    `color` / `color_source` / `color_classifier`, and the detector's own options."""
    try:
        factory = _FACTORIES[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown detector {name!r}; choose one of {', '.join(DETECTOR_NAMES)}"
        ) from None
    return factory(**kwargs)
