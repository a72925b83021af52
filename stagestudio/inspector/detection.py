"""Detector interface: image + labels -> detections. Real detectors (Mask2Former, OWLv2) and
the sketchbook's pixel matcher all implement it, so the checker never knows which one ran."""

from __future__ import annotations

from abc import ABC, abstractmethod

from PIL import Image
from pydantic import BaseModel, ConfigDict


class Detection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    # Pixel box [x1, y1, x2, y2], x2/y2 exclusive, in the image's coordinates.
    box: tuple[float, float, float, float]
    score: float
    # Dominant colour name (GenEval's ten colours where possible), or None if not judged.
    color: str | None = None

    @property
    def center(self) -> tuple[float, float]:
        x1, y1, x2, y2 = self.box
        return ((x1 + x2) / 2.0, (y1 + y2) / 2.0)


class Detector(ABC):
    """Finds instances of the given labels in an image."""

    name: str = "detector"

    @abstractmethod
    def detect(self, image: Image.Image, labels: list[str]) -> list[Detection]:
        """All detections of any of `labels`, highest score first."""
