"""Model inputs for Qwen-VL models (Qwen3-VL, and the Qwen2.5-VL text encoder of
Qwen-Image-Edit) built from the tokenizer and transformers' PIL image processor.

Why not transformers' own processor: `Qwen3VLProcessor` / `Qwen2VLProcessor` also build a video
processor, which needs torchvision, and torchvision does not load beside the CPU torch build our
CI installs. What the processor does for images is small and documented, so we do it here:

1. the image processor (`Qwen2VLImageProcessorPil`, the same settings file as the fast one)
   resizes each image to multiples of patch_size x merge_size within min/max pixels, rescales,
   normalises and cuts it into patches: `pixel_values` (patches, C*T*P*P) and
   `image_grid_thw` (t, h, w in patches);
2. each `<|image_pad|>` in the text becomes t*h*w / merge_size**2 copies, one per merged patch;
3. `mm_token_type_ids` marks those copies (1) among text tokens (0), which Qwen3-VL needs to lay
   out its multimodal rotary positions.

`QwenVLInputs` is called like the processor (`text=`, `images=`, `padding=`, `return_tensors=`),
so a diffusers pipeline can take it as its `processor` component.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

IMAGE_PAD = "<|image_pad|>"


class QwenVLInputs:
    def __init__(self, tokenizer: Any, image_processor: Any) -> None:
        self.tokenizer = tokenizer
        self.image_processor = image_processor

    @classmethod
    def from_folder(cls, folder: Path, tokenizer: Any | None = None) -> "QwenVLInputs":
        """The tokenizer and image processor saved in `folder` (a VLM checkpoint, or a
        pipeline's `processor/` folder)."""
        from transformers import AutoTokenizer
        from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

        if tokenizer is None:
            tokenizer = AutoTokenizer.from_pretrained(str(folder))
        return cls(tokenizer, Qwen2VLImageProcessorPil.from_pretrained(str(folder)))

    def image_tokens(self, grid_thw) -> int:
        """How many `<|image_pad|>` tokens an image with this patch grid takes."""
        t, h, w = (int(x) for x in grid_thw)
        return t * h * w // (self.image_processor.merge_size ** 2)

    def __call__(
        self,
        text: str | list[str],
        images: Image.Image | list[Image.Image] | None = None,
        padding: bool | str = True,
        return_tensors: str = "pt",
        **tokenizer_kwargs: Any,
    ):
        from transformers import BatchFeature

        texts = [text] if isinstance(text, str) else list(text)
        data: dict[str, Any] = {}
        if images is not None:
            image_list = images if isinstance(images, list) else [images]
            pixels = self.image_processor(images=[im.convert("RGB") for im in image_list], return_tensors=return_tensors)
            data.update(pixels)
            counts = [self.image_tokens(g) for g in pixels["image_grid_thw"]]
            texts = _expand_image_pads(texts, counts)
        encoded = self.tokenizer(texts, padding=padding, return_tensors=return_tensors, **tokenizer_kwargs)
        data.update(encoded)
        if return_tensors == "pt":
            image_id = self.tokenizer.convert_tokens_to_ids(IMAGE_PAD)
            data["mm_token_type_ids"] = (encoded["input_ids"] == image_id).int()
        return BatchFeature(data=data)


def _expand_image_pads(texts: list[str], counts: list[int]) -> list[str]:
    """Each `<|image_pad|>` (in reading order across the batch) repeated for its image."""
    pads = sum(t.count(IMAGE_PAD) for t in texts)
    if pads != len(counts):
        raise ValueError(f"the text has {pads} image placeholder(s) but {len(counts)} image(s) were given")
    out, k = [], 0
    for text in texts:
        pieces = text.split(IMAGE_PAD)
        built = pieces[0]
        for piece in pieces[1:]:
            built += IMAGE_PAD * counts[k] + piece
            k += 1
        out.append(built)
    return out
