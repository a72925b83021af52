"""OWLv2 open-vocabulary detection (transformers) for objects outside COCO's 80 classes.

Each label becomes the text query "a photo of a {label}". OWLv2 scores every image patch against
every query; a patch is assigned its best query, kept when sigmoid(logit) > threshold, and
boxes of the same label that overlap more than `nms_iou` are suppressed (highest score wins).
OWLv2's image processor pads the image to a square at the bottom/right before resizing, so the
predicted (cx, cy, w, h) boxes are relative to that square: they are scaled by the longer side
and clipped to the image.
"""

from __future__ import annotations

from typing import Any

import torch
from PIL import Image

from stagestudio.inspector.detection import Detection, Detector
from stagestudio.inspector.detectors.clip_color import ClipColorClassifier
from stagestudio.inspector.detectors.hub import load_pretrained, pick_device

DEFAULT_OWL = "google/owlv2-base-patch16-ensemble"
QUERY_TEMPLATE = "a photo of a {label}"


def box_iou(box: torch.Tensor, others: torch.Tensor) -> torch.Tensor:
    """IoU of one [x1, y1, x2, y2] box with each row of `others` (x2/y2 exclusive)."""
    x1 = torch.maximum(box[0], others[:, 0])
    y1 = torch.maximum(box[1], others[:, 1])
    x2 = torch.minimum(box[2], others[:, 2])
    y2 = torch.minimum(box[3], others[:, 3])
    inter = (x2 - x1).clamp(min=0) * (y2 - y1).clamp(min=0)
    area = (box[2] - box[0]).clamp(min=0) * (box[3] - box[1]).clamp(min=0)
    areas = (others[:, 2] - others[:, 0]).clamp(min=0) * (others[:, 3] - others[:, 1]).clamp(min=0)
    union = area + areas - inter
    return torch.where(union > 0, inter / union, torch.zeros_like(union))


def suppress_overlaps(boxes: torch.Tensor, scores: torch.Tensor, iou: float) -> list[int]:
    """Greedy non-maximum suppression; indices kept, highest score first."""
    order = scores.argsort(descending=True).tolist()
    kept: list[int] = []
    while order:
        best = order.pop(0)
        kept.append(best)
        if order and iou < 1:
            rest = torch.tensor(order)
            overlaps = box_iou(boxes[best], boxes[rest])
            order = [i for i, o in zip(order, overlaps.tolist()) if o <= iou]
    return kept


class OwlDetector(Detector):
    name = "owlv2"

    def __init__(
        self,
        model: Any,
        image_processor: Any,
        tokenizer: Any,
        *,
        color_classifier: ClipColorClassifier | None = None,
        threshold: float = 0.2,
        nms_iou: float = 0.5,
        query_template: str = QUERY_TEMPLATE,
        device: str | None = None,
    ) -> None:
        self.device = pick_device(device)
        self.model = model.to(self.device).eval()
        self.image_processor = image_processor
        self.tokenizer = tokenizer
        self.color_classifier = color_classifier
        self.threshold = threshold
        self.nms_iou = nms_iou
        self.query_template = query_template
        self.max_text_length = int(model.config.text_config.max_position_embeddings)

    @classmethod
    def from_pretrained(
        cls,
        source: str = DEFAULT_OWL,
        *,
        device: str | None = None,
        allow_download: bool = False,
        color_classifier: ClipColorClassifier | None = None,
        **kwargs: Any,
    ) -> "OwlDetector":
        from transformers import AutoImageProcessor, AutoTokenizer, Owlv2ForObjectDetection

        model = load_pretrained(Owlv2ForObjectDetection.from_pretrained, source,
                                allow_download=allow_download)
        processor = load_pretrained(AutoImageProcessor.from_pretrained, source,
                                    allow_download=allow_download)
        tokenizer = load_pretrained(AutoTokenizer.from_pretrained, source,
                                    allow_download=allow_download)
        return cls(model, processor, tokenizer, color_classifier=color_classifier,
                   device=device, **kwargs)

    @torch.no_grad()
    def raw_scores(self, image: Image.Image, labels: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """(patches, labels) probabilities and (patches, 4) pixel boxes clipped to the image."""
        rgb = image.convert("RGB")
        width, height = rgb.size
        queries = [self.query_template.format(label=label) for label in labels]
        text = self.tokenizer(queries, padding="max_length", truncation=True,
                              max_length=self.max_text_length, return_tensors="pt")
        pixels = self.image_processor(images=rgb, return_tensors="pt")["pixel_values"]
        outputs = self.model(
            input_ids=text["input_ids"].to(self.device),
            attention_mask=text["attention_mask"].to(self.device),
            pixel_values=pixels.to(self.device, dtype=next(self.model.parameters()).dtype),
        )
        probs = outputs.logits[0].float().sigmoid()  # (patches, queries)
        cx, cy, w, h = outputs.pred_boxes[0].float().unbind(-1)
        side = float(max(width, height))
        boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=-1) * side
        limits = torch.tensor([width, height, width, height], dtype=boxes.dtype,
                              device=boxes.device)
        boxes = torch.minimum(boxes.clamp(min=0), limits)
        return probs.cpu(), boxes.cpu()

    def detect(self, image: Image.Image, labels: list[str]) -> list[Detection]:
        if not labels:
            return []
        probs, boxes = self.raw_scores(image, labels)
        best, which = probs.max(dim=-1)
        detections: list[Detection] = []
        for label_index, label in enumerate(labels):
            # Boxes under a pixel wide or high (clipped away) cannot be shown to anything.
            visible = ((boxes[:, 2] - boxes[:, 0]) >= 1) & ((boxes[:, 3] - boxes[:, 1]) >= 1)
            chosen = torch.nonzero(
                (which == label_index) & (best > self.threshold) & visible
            ).flatten()
            if chosen.numel() == 0:
                continue
            label_boxes, label_scores = boxes[chosen], best[chosen]
            kept = suppress_overlaps(label_boxes, label_scores, self.nms_iou)
            kept_boxes = [tuple(float(v) for v in label_boxes[i].tolist()) for i in kept]
            colors: list[str | None] = [None] * len(kept)
            if self.color_classifier is not None:
                colors = list(self.color_classifier.classify(image, label, kept_boxes))
            for i, box, color in zip(kept, kept_boxes, colors):
                detections.append(Detection(label=label, box=box, score=float(label_scores[i]),
                                            color=color))
        detections.sort(key=lambda d: d.score, reverse=True)
        return detections
