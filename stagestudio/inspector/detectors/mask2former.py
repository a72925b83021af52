"""Mask2Former COCO instance segmentation (transformers) as GenEval's object detector.

GenEval runs mmdetection's Mask2Former (Swin-S, COCO instance); this is the same architecture
and training data through transformers (`facebook/mask2former-swin-small-coco-instance`).
Post-processing follows mmdetection's instance head rather than transformers' helper (which
resamples masks through a fixed 384x384 grid and ignores padding):

* class probabilities = softmax over the classes + "no object", the last one dropped;
* the top `num_queries` (query, class) pairs over all queries x classes are candidates;
* each candidate's mask logits are upsampled to the padded input, cropped to the valid (unpadded)
  area, resized to the original image and thresholded at 0 (sigmoid 0.5);
* score = class probability x mean mask probability inside the binary mask;
* box = the mask's bounding box, x2/y2 one past the last pixel (empty masks are dropped).

COCO label spellings are mapped to GenEval's class names (`geneval_class_name`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from stagestudio.eval.geneval import ObjectDetection
from stagestudio.inspector.detection import Detection, Detector
from stagestudio.inspector.detectors.clip_color import ClipColorClassifier
from stagestudio.inspector.detectors.hub import load_pretrained, pick_device

DEFAULT_MASK2FORMER = "facebook/mask2former-swin-small-coco-instance"
# GenEval's mmdetection test pipeline (like detectron2's COCO evaluation) resizes the shorter
# side to 800 px, the longer to at most 1333; the hub processor's own default is smaller.
GENEVAL_RESIZE: dict[str, int] = {"shortest_edge": 800, "longest_edge": 1333}

# COCO / dataset label spellings -> GenEval's object names (shared/data/geneval/object_names.txt).
# The first three are the names in which GenEval departs from COCO; the rest are spellings used by
# other COCO-trained checkpoints (VOC-style or panoptic names).
LABEL_ALIASES: dict[str, str] = {
    "mouse": "computer mouse",
    "remote": "tv remote",
    "keyboard": "computer keyboard",
    "hair dryer": "hair drier",
    "hairdrier": "hair drier",
    "diningtable": "dining table",
    "table": "dining table",
    "tvmonitor": "tv",
    "tv monitor": "tv",
    "television": "tv",
    "motorbike": "motorcycle",
    "aeroplane": "airplane",
    "sofa": "couch",
    "pottedplant": "potted plant",
    "cellphone": "cell phone",
    "mobile phone": "cell phone",
    "sportsball": "sports ball",
    "ball": "sports ball",
    "doughnut": "donut",
    "hotdog": "hot dog",
    "teddybear": "teddy bear",
    "wineglass": "wine glass",
    "firehydrant": "fire hydrant",
    "stopsign": "stop sign",
    "trafficlight": "traffic light",
    "parkingmeter": "parking meter",
    "tennisracket": "tennis racket",
    "baseballbat": "baseball bat",
    "baseballglove": "baseball glove",
    "fridge": "refrigerator",
}

_PANOPTIC_SUFFIX = re.compile(r"[- ](merged|other|stuff)$")


def geneval_class_name(label: str) -> str:
    """GenEval's name for a detector label ("mouse" -> "computer mouse", "dining_table" ->
    "dining table"); labels GenEval does not know come back normalised but otherwise unchanged."""
    name = _PANOPTIC_SUFFIX.sub("", label.strip().lower())
    name = re.sub(r"[_\s]+", " ", name).strip()
    return LABEL_ALIASES.get(name, name)


def mask_to_box(mask: np.ndarray) -> tuple[float, float, float, float] | None:
    """Bounding box of a boolean mask, x2/y2 exclusive; None for an empty mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return (float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1))


def _valid_extent(pixel_mask: torch.Tensor | None, height: int, width: int) -> tuple[int, int]:
    if pixel_mask is None:
        return height, width
    valid = pixel_mask[0].bool()
    rows = int(valid.any(dim=1).sum().item())
    cols = int(valid.any(dim=0).sum().item())
    return max(rows, 1), max(cols, 1)


class Mask2FormerDetector(Detector):
    """COCO instance segmentation; `segment` gives GenEval-style per-class detections with
    masks, `detect` the core Detector view (optionally with CLIP colours)."""

    name = "mask2former"

    def __init__(
        self,
        model: Any,
        image_processor: Any,
        *,
        color_classifier: ClipColorClassifier | None = None,
        threshold: float = 0.3,
        resize: dict[str, int] | None = None,
        device: str | None = None,
    ) -> None:
        self.device = pick_device(device)
        self.model = model.to(self.device).eval()
        self.image_processor = image_processor
        self.color_classifier = color_classifier
        self.threshold = threshold
        # Input size override for the processor (None: the processor's own setting).
        self.resize = resize
        id2label = {int(k): v for k, v in model.config.id2label.items()}
        self.class_names = [geneval_class_name(id2label[i]) for i in range(len(id2label))]

    @classmethod
    def from_pretrained(
        cls,
        source: str = DEFAULT_MASK2FORMER,
        *,
        device: str | None = None,
        allow_download: bool = False,
        color_classifier: ClipColorClassifier | None = None,
        resize: dict[str, int] | None = GENEVAL_RESIZE,
        **kwargs: Any,
    ) -> "Mask2FormerDetector":
        from transformers import AutoImageProcessor, Mask2FormerForUniversalSegmentation

        model = load_pretrained(
            Mask2FormerForUniversalSegmentation.from_pretrained, source,
            allow_download=allow_download,
        )
        processor = load_pretrained(
            AutoImageProcessor.from_pretrained, source, allow_download=allow_download
        )
        return cls(model, processor, color_classifier=color_classifier, resize=resize,
                   device=device, **kwargs)

    @torch.no_grad()
    def segment(self, image: Image.Image, min_score: float = 0.0) -> dict[str, list[ObjectDetection]]:
        """All instances whose score is at least `min_score`, per GenEval class name, highest
        score first, each with its full-resolution boolean mask and the box around it."""
        rgb = image.convert("RGB")
        width, height = rgb.size
        extra = {"size": dict(self.resize)} if self.resize else {}
        inputs = self.image_processor(images=rgb, return_tensors="pt", **extra)
        pixel_values = inputs["pixel_values"].to(self.device, dtype=self._dtype())
        pixel_mask = inputs.get("pixel_mask")
        outputs = self.model(
            pixel_values=pixel_values,
            pixel_mask=None if pixel_mask is None else pixel_mask.to(self.device),
        )
        class_logits = outputs.class_queries_logits[0].float()  # (Q, C + 1)
        mask_logits = outputs.masks_queries_logits[0].float()  # (Q, h, w)
        num_queries, num_classes = class_logits.shape[0], class_logits.shape[1] - 1

        probs = class_logits.softmax(dim=-1)[:, :-1]
        top_scores, flat_index = probs.flatten().topk(min(num_queries, probs.numel()))
        queries = flat_index // num_classes
        labels = flat_index % num_classes
        # A mask's mean probability is at most 1, so candidates under the floor cannot pass.
        keep = top_scores >= min_score
        top_scores, queries, labels = top_scores[keep], queries[keep], labels[keep]
        if queries.numel() == 0:
            return {}

        unique_queries, inverse = torch.unique(queries, return_inverse=True)
        padded_h, padded_w = pixel_values.shape[-2:]
        valid_h, valid_w = _valid_extent(pixel_mask, padded_h, padded_w)
        logits = F.interpolate(mask_logits[unique_queries][None], size=(padded_h, padded_w),
                               mode="bilinear", align_corners=False)
        logits = logits[:, :, :valid_h, :valid_w]
        logits = F.interpolate(logits, size=(height, width), mode="bilinear",
                               align_corners=False)[0]
        binary = logits > 0
        mask_probs = (logits.sigmoid() * binary).flatten(1).sum(1) / (
            binary.flatten(1).sum(1) + 1e-6
        )

        result: dict[str, list[ObjectDetection]] = {}
        masks_np = binary.cpu().numpy()
        for score, label, slot in zip(top_scores.tolist(), labels.tolist(), inverse.tolist()):
            final = float(score * mask_probs[slot].item())
            if final < min_score:
                continue
            mask = masks_np[slot]
            box = mask_to_box(mask)
            if box is None:
                continue
            result.setdefault(self.class_names[label], []).append(
                ObjectDetection(box=box, score=final, mask=mask)
            )
        for items in result.values():
            items.sort(key=lambda d: d.score, reverse=True)
        return result

    def _dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    def detect(self, image: Image.Image, labels: list[str]) -> list[Detection]:
        wanted = {geneval_class_name(label): label for label in labels}
        found = self.segment(image, min_score=self.threshold)
        detections: list[Detection] = []
        for class_name, items in found.items():
            if class_name not in wanted:
                continue
            items = [d for d in items if d.score > self.threshold]
            colors = self._colors(image, class_name, items)
            for item, color in zip(items, colors):
                detections.append(Detection(label=wanted[class_name], box=item.box,
                                            score=item.score, color=color))
        detections.sort(key=lambda d: d.score, reverse=True)
        return detections

    def _colors(self, image: Image.Image, class_name: str,
                items: Sequence[ObjectDetection]) -> Iterable[str | None]:
        if self.color_classifier is None or not items:
            return [None] * len(items)
        return self.color_classifier.classify(image, class_name, [d.box for d in items],
                                              [d.mask for d in items])
