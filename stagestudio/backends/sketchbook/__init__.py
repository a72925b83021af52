"""Offline "sketchbook" backend: illustrated sticker scenes, a pixel detector, simulated mistakes."""

from stagestudio.backends.sketchbook.backend import SketchbookBackend
from stagestudio.backends.sketchbook.detector import SketchbookDetector

__all__ = ["SketchbookBackend", "SketchbookDetector"]
