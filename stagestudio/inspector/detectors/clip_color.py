"""Zero-shot colour of a detected object with CLIP, the way GenEval's evaluator does it.

GenEval classifies each object over its ten colours with three prompt templates per colour
("a photo of a {c} {object}", "a photo of a {c}-colored {object}", "a photo of a {c} object"):
every prompt is embedded and L2-normalised, the templates of a colour are averaged and the mean
normalised again (one classifier column per colour). The object is shown to CLIP as the image
composited over flat #999 grey outside its mask, then cropped to its box; its normalised image
embedding is compared with the columns and the argmax is the colour. GenEval uses open_clip's
ViT-L-14 "openai" weights, which are the weights of `openai/clip-vit-large-patch14`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from PIL import Image

from stagestudio.eval.geneval import COLORS, KeptDetection
from stagestudio.inspector.detectors.hub import load_pretrained, pick_device

DEFAULT_CLIP = "openai/clip-vit-large-patch14"
COLOR_TEMPLATES: tuple[str, ...] = (
    "a photo of a {color} {object}",
    "a photo of a {color}-colored {object}",
    "a photo of a {color} object",
)
BACKGROUND = "#999"


def color_prompts(class_name: str, colors: Sequence[str] = COLORS,
                  templates: Sequence[str] = COLOR_TEMPLATES) -> list[list[str]]:
    """Per colour, the prompts whose embeddings are averaged into that colour's column."""
    return [[t.format(color=c, object=class_name) for t in templates] for c in colors]


def object_crop(
    image: Image.Image,
    box: Sequence[float],
    mask: np.ndarray | None = None,
    background: str = BACKGROUND,
) -> Image.Image:
    """The object as CLIP sees it: outside `mask` replaced by `background`, cropped to `box`.

    Box coordinates are rounded to whole pixels (x2/y2 exclusive) as PIL's crop does."""
    rgb = image.convert("RGB")
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (rgb.height, rgb.width):
            raise ValueError(f"mask shape {mask.shape} does not match image size {rgb.size}")
        blank = Image.new("RGB", rgb.size, color=background)
        rgb = Image.composite(rgb, blank, Image.fromarray(mask))
    x1, y1, x2, y2 = (int(round(float(v))) for v in box[:4])
    return rgb.crop((x1, y1, x2, y2))


def _features(output: Any) -> torch.Tensor:
    # transformers 5 returns a model output whose pooler_output is the projected embedding;
    # older versions return the tensor itself.
    if isinstance(output, torch.Tensor):
        return output
    return output.pooler_output


class ClipColorClassifier:
    """GenEval's CLIP colour classifier on the Hugging Face stack.

    Usable directly as a `stagestudio.eval.geneval.ColorClassifier` (call it with the image, the
    class name and the kept detections) and by the detectors to fill `Detection.color`."""

    def __init__(
        self,
        model: Any,
        image_processor: Any,
        tokenizer: Any | None,
        *,
        colors: Sequence[str] = COLORS,
        templates: Sequence[str] = COLOR_TEMPLATES,
        background: str = BACKGROUND,
        batch_size: int = 16,
        device: str | None = None,
    ) -> None:
        self.device = pick_device(device)
        self.model = model.to(self.device).eval()
        self.image_processor = image_processor
        self.tokenizer = tokenizer
        self.colors = tuple(colors)
        self.templates = tuple(templates)
        self.background = background
        self.batch_size = batch_size
        self._columns: dict[str, torch.Tensor] = {}

    @classmethod
    def from_pretrained(
        cls, source: str = DEFAULT_CLIP, *, device: str | None = None,
        allow_download: bool = False, **kwargs: Any,
    ) -> "ClipColorClassifier":
        from transformers import AutoImageProcessor, AutoTokenizer, CLIPModel

        model = load_pretrained(CLIPModel.from_pretrained, source, allow_download=allow_download)
        processor = load_pretrained(
            AutoImageProcessor.from_pretrained, source, allow_download=allow_download
        )
        tokenizer = load_pretrained(
            AutoTokenizer.from_pretrained, source, allow_download=allow_download
        )
        return cls(model, processor, tokenizer, device=device, **kwargs)

    # ------------------------------------------------------------------ text side

    def set_text_columns(self, class_name: str, columns: torch.Tensor) -> None:
        """Use given colour columns (embedding dim x colours, L2-normalised per column) for a
        class instead of encoding the prompts; for callers that cache or inject embeddings."""
        if columns.shape[-1] != len(self.colors):
            raise ValueError(f"expected {len(self.colors)} colour columns, got {columns.shape}")
        self._columns[class_name] = columns.to(self.device, torch.float32)

    @torch.no_grad()
    def text_columns(self, class_name: str) -> torch.Tensor:
        """(embedding dim, colours): per colour, the normalised mean of its normalised prompts."""
        if class_name in self._columns:
            return self._columns[class_name]
        if self.tokenizer is None:
            raise RuntimeError(f"no tokenizer and no injected colour columns for {class_name!r}")
        columns = []
        for prompts in color_prompts(class_name, self.colors, self.templates):
            tokens = self.tokenizer(prompts, padding=True, return_tensors="pt").to(self.device)
            embedded = _features(self.model.get_text_features(
                input_ids=tokens["input_ids"], attention_mask=tokens.get("attention_mask")
            )).float()
            embedded = embedded / embedded.norm(dim=-1, keepdim=True)
            mean = embedded.mean(dim=0)
            columns.append(mean / mean.norm())
        stacked = torch.stack(columns, dim=1)
        self._columns[class_name] = stacked
        return stacked

    # ------------------------------------------------------------------ image side

    @torch.no_grad()
    def image_embeddings(self, crops: Sequence[Image.Image]) -> torch.Tensor:
        out = []
        for start in range(0, len(crops), self.batch_size):
            batch = self.image_processor(images=list(crops[start:start + self.batch_size]),
                                         return_tensors="pt")
            pixels = batch["pixel_values"].to(self.device, dtype=self._dtype())
            embedded = _features(self.model.get_image_features(pixel_values=pixels)).float()
            out.append(embedded / embedded.norm(dim=-1, keepdim=True))
        return torch.cat(out, dim=0)

    def _dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    def logits(
        self,
        image: Image.Image,
        class_name: str,
        boxes: Sequence[Sequence[float]],
        masks: Sequence[np.ndarray | None] | None = None,
    ) -> np.ndarray:
        """(objects, colours) cosine similarities; argmax per row is the colour."""
        if not boxes:
            return np.zeros((0, len(self.colors)), dtype=np.float32)
        masks = list(masks) if masks is not None else [None] * len(boxes)
        crops = [object_crop(image, box, mask, self.background) for box, mask in zip(boxes, masks)]
        sims = self.image_embeddings(crops) @ self.text_columns(class_name)
        return sims.cpu().numpy()

    def classify(
        self,
        image: Image.Image,
        class_name: str,
        boxes: Sequence[Sequence[float]],
        masks: Sequence[np.ndarray | None] | None = None,
    ) -> list[str]:
        scores = self.logits(image, class_name, boxes, masks)
        return [self.colors[int(i)] for i in scores.argmax(axis=1)] if len(scores) else []

    def __call__(
        self, image: Image.Image | None, class_name: str, detections: Sequence[KeptDetection]
    ) -> list[str]:
        if image is None:
            raise ValueError("the CLIP colour classifier needs the image")
        return self.classify(image, class_name, [d.box for d in detections],
                             [d.mask for d in detections])
