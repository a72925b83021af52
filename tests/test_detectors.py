"""Hugging Face detectors on tiny random-weight models built here (no downloads): plumbing,
post-processing (masks -> boxes, padding, box scaling), class mapping, thresholds, colour crops."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from stagestudio.eval import geneval
from stagestudio.hub_command import download_command
from stagestudio.inspector.detection import Detection
from stagestudio.inspector.detectors import WeightsUnavailable, create_detector
from stagestudio.inspector.detectors.clip_color import (
    COLOR_TEMPLATES,
    ClipColorClassifier,
    color_prompts,
    object_crop,
)
from stagestudio.inspector.detectors.mask2former import (
    Mask2FormerDetector,
    geneval_class_name,
    mask_to_box,
)
from stagestudio.inspector.detectors.owl import OwlDetector, suppress_overlaps

WORDS = sorted(
    {w for t in COLOR_TEMPLATES for w in t.replace("{color}-colored", "colored").split()
     if "{" not in w}
    | set(geneval.COLORS) | {"colored", "-", "cat", "dog", "car", "computer", "mouse", "kite"}
)


def image_processor_class(model: str, name: str):
    """The PIL-backed image processor (transformers 5 without torchvision), else the classic."""
    import importlib

    try:
        module = importlib.import_module(f"transformers.models.{model}.image_processing_pil_{model}")
        return getattr(module, f"{name}Pil")
    except (ImportError, AttributeError):
        import transformers

        return getattr(transformers, name)


def tiny_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<unk>": 1, "<bos>": 2, "<eos>": 3}
    for word in WORDS:
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()]
    )
    tok.post_processor = processors.TemplateProcessing(
        single="<bos> $A <eos>", special_tokens=[("<bos>", 2), ("<eos>", 3)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>", bos_token="<bos>",
        eos_token="<eos>",
    )


def tiny_text_config(vocab_size: int) -> dict:
    return dict(vocab_size=vocab_size, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                num_attention_heads=2, max_position_embeddings=16, pad_token_id=0,
                bos_token_id=2, eos_token_id=3)


@pytest.fixture(scope="module")
def clip_parts():
    from transformers import CLIPConfig, CLIPModel
    CLIPImageProcessorPil = image_processor_class("clip", "CLIPImageProcessor")

    tokenizer = tiny_tokenizer()
    config = CLIPConfig(
        text_config=tiny_text_config(len(tokenizer)),
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                           num_attention_heads=2, image_size=32, patch_size=8),
        projection_dim=8,
    )
    torch.manual_seed(0)
    model = CLIPModel(config).eval()
    processor = CLIPImageProcessorPil(size={"shortest_edge": 32},
                                      crop_size={"height": 32, "width": 32})
    return model, processor, tokenizer


@pytest.fixture(scope="module")
def clip(clip_parts) -> ClipColorClassifier:
    return ClipColorClassifier(*clip_parts, device="cpu")


def two_colour_image() -> Image.Image:
    image = np.zeros((48, 80, 3), dtype=np.uint8)
    image[:, :] = (0, 0, 255)
    image[10:30, 20:40] = (255, 0, 0)
    return Image.fromarray(image)


# ---------------------------------------------------------------- class names, masks, crops


@pytest.mark.parametrize("label, name", [
    ("mouse", "computer mouse"), ("remote", "tv remote"), ("keyboard", "computer keyboard"),
    ("hair dryer", "hair drier"), ("hair drier", "hair drier"), ("diningtable", "dining table"),
    ("dining table", "dining table"), ("table-merged", "dining table"), ("tvmonitor", "tv"),
    ("Potted_Plant", "potted plant"), ("motorbike", "motorcycle"), ("giraffe", "giraffe"),
])
def test_geneval_class_names(label: str, name: str) -> None:
    assert geneval_class_name(label) == name


def test_every_geneval_name_maps_to_itself(shared_dir: Path) -> None:
    names = (shared_dir / "data/geneval/object_names.txt").read_text().split("\n")
    for name in filter(None, names):
        assert geneval_class_name(name) == name


def test_mask_to_box_is_exclusive_and_empty_is_none() -> None:
    mask = np.zeros((10, 12), dtype=bool)
    assert mask_to_box(mask) is None
    mask[2:5, 3:9] = True
    assert mask_to_box(mask) == (3.0, 2.0, 9.0, 5.0)


def test_object_crop_composites_over_grey_and_crops_box() -> None:
    image = two_colour_image()
    mask = np.zeros((48, 80), dtype=bool)
    mask[10:30, 20:30] = True  # half of the red square
    crop = np.asarray(object_crop(image, (15, 5, 45, 35), mask))
    assert crop.shape == (30, 30, 3)
    assert tuple(crop[10, 8]) == (255, 0, 0)  # inside the mask: original pixel
    assert tuple(crop[10, 20]) == (153, 153, 153)  # red but outside the mask: #999
    assert tuple(crop[0, 0]) == (153, 153, 153)
    unmasked = np.asarray(object_crop(image, (15.4, 5, 45.6, 35)))
    assert unmasked.shape == (30, 31, 3) and tuple(unmasked[0, 0]) == (0, 0, 255)
    with pytest.raises(ValueError):
        object_crop(image, (0, 0, 5, 5), np.zeros((5, 5), dtype=bool))


def test_color_prompts_follow_geneval_templates() -> None:
    prompts = color_prompts("tv remote")
    assert len(prompts) == 10
    assert prompts[0] == ["a photo of a red tv remote", "a photo of a red-colored tv remote",
                          "a photo of a red object"]


# ---------------------------------------------------------------- CLIP colour classifier


def test_clip_text_columns_are_normalised(clip: ClipColorClassifier) -> None:
    columns = clip.text_columns("cat")
    assert columns.shape == (8, 10)
    assert torch.allclose(columns.norm(dim=0), torch.ones(10), atol=1e-5)
    # Per colour: the normalised mean of the normalised template embeddings.
    tokens = clip.tokenizer(color_prompts("cat")[3], padding=True, return_tensors="pt")
    emb = clip.model.get_text_features(**tokens)
    emb = getattr(emb, "pooler_output", emb)
    emb = emb / emb.norm(dim=-1, keepdim=True)
    mean = emb.mean(0)
    assert torch.allclose(columns[:, 3], mean / mean.norm(), atol=1e-5)


def test_clip_classifies_with_injected_columns(clip_parts) -> None:
    classifier = ClipColorClassifier(*clip_parts, device="cpu")
    image = two_colour_image()
    red_box, blue_box = (20, 10, 40, 30), (50, 10, 80, 48)
    emb = classifier.image_embeddings([object_crop(image, red_box), object_crop(image, blue_box)])
    columns = torch.zeros(8, 10)
    columns[:, geneval.COLORS.index("red")] = emb[0]
    columns[:, geneval.COLORS.index("blue")] = emb[1]
    classifier.set_text_columns("car", columns)
    assert classifier.classify(image, "car", [red_box, blue_box]) == ["red", "blue"]

    # As GenEval's colour callback: the scorer sends exactly the clause's top detection.
    meta = {"tag": "colors", "include": [{"class": "car", "count": 1, "color": "blue"}]}
    dets = {"car": [geneval.ObjectDetection(red_box, 0.5), geneval.ObjectDetection(blue_box, 0.8)]}
    verdict = geneval.score_image(meta, dets, classifier, image)
    assert verdict.correct, verdict.reason
    dets["car"][0].score = 0.9
    verdict = geneval.score_image(meta, dets, classifier, image)
    assert verdict.reason == "expected blue car>=1, found 0 blue; and 1 red"


# ---------------------------------------------------------------- Mask2Former


ID2LABEL = {0: "person", 1: "mouse", 2: "remote", 3: "keyboard", 4: "dining table", 5: "car"}


def tiny_mask2former_processor():
    Mask2FormerImageProcessorPil = image_processor_class("mask2former", "Mask2FormerImageProcessor")

    return Mask2FormerImageProcessorPil(size={"shortest_edge": 64, "longest_edge": 96},
                                        size_divisor=32)


@pytest.fixture(scope="module")
def tiny_mask2former():
    from transformers import Mask2FormerConfig, Mask2FormerForUniversalSegmentation, SwinConfig

    backbone = SwinConfig(image_size=64, patch_size=4, embed_dim=32, depths=[1, 1, 1, 1],
                          num_heads=[1, 1, 1, 1], window_size=4,
                          out_features=["stage1", "stage2", "stage3", "stage4"])
    config = Mask2FormerConfig(
        backbone_config=backbone, feature_size=32, mask_feature_size=32, hidden_dim=32,
        encoder_feedforward_dim=32, dim_feedforward=32, encoder_layers=1, decoder_layers=2,
        num_queries=6, num_attention_heads=2, id2label=ID2LABEL,
        label2id={v: k for k, v in ID2LABEL.items()},
    )
    torch.manual_seed(0)
    return Mask2FormerForUniversalSegmentation(config).eval()


def test_mask2former_tiny_model_end_to_end(tiny_mask2former, clip) -> None:
    detector = Mask2FormerDetector(tiny_mask2former, tiny_mask2former_processor(),
                                   color_classifier=clip, threshold=0.0, device="cpu")
    image = two_colour_image()
    found = detector.segment(image)
    assert found and set(found) <= {geneval_class_name(v) for v in ID2LABEL.values()}
    for items in found.values():
        assert [d.score for d in items] == sorted((d.score for d in items), reverse=True)
        for d in items:
            assert d.mask.shape == (48, 80) and d.mask.dtype == bool
            assert d.box == mask_to_box(d.mask)
            assert 0.0 <= d.score <= 1.0
    labels = ["mouse", "tv remote", "car", "person", "dining table", "computer keyboard"]
    detections = detector.detect(image, labels)
    assert detections and all(isinstance(d, Detection) for d in detections)
    assert all(d.label in labels and d.color in geneval.COLORS for d in detections)
    assert detector.detect(image, ["giraffe"]) == []


class FakeMask2Former(torch.nn.Module):
    """Stands in for the network to test post-processing with known outputs."""

    def __init__(self, class_logits: torch.Tensor, mask_logits_fn) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.config = SimpleNamespace(id2label=ID2LABEL)
        self.class_logits = class_logits
        self.mask_logits_fn = mask_logits_fn

    def forward(self, pixel_values, pixel_mask=None):
        masks = self.mask_logits_fn(pixel_values.shape[-2:])
        return SimpleNamespace(class_queries_logits=self.class_logits[None],
                               masks_queries_logits=masks[None])


class PaddingProcessor:
    """The tiny processor, then 8 rows of padding below, as a padded batch would have."""

    def __init__(self) -> None:
        self.inner = tiny_mask2former_processor()

    def __call__(self, images, return_tensors, **kwargs):
        out = self.inner(images=images, return_tensors=return_tensors, **kwargs)
        pixels = torch.nn.functional.pad(out["pixel_values"], (0, 0, 0, 8))
        mask = torch.nn.functional.pad(out["pixel_mask"], (0, 0, 0, 8))
        return {"pixel_values": pixels, "pixel_mask": mask}


@pytest.mark.parametrize("resize, padded_size", [
    (None, (72, 96)),  # 80x48 -> 96x64 (size_divisor 32), + 8 rows of padding
    ({"shortest_edge": 96, "longest_edge": 160}, (104, 160)),  # -> 160x96, + 8 rows
])
def test_mask2former_postprocessing_maps_classes_crops_padding_and_scores(
    resize, padded_size
) -> None:
    strong = torch.full((3, 7), -10.0)
    strong[0, 1] = 10.0  # query 0: "mouse", certain
    strong[1, 2] = 10.0  # query 1: "remote", certain, but its mask lies in the padding
    strong[2, 6] = 10.0  # query 2: no object

    def masks(size):
        h, w = size
        assert (h, w) == padded_size
        scale_x, scale_y = w / 80, (h - 8) / 48
        logits = torch.full((3, h, w), -20.0)
        x1, x2 = round(20 * scale_x), round(40 * scale_x)
        y1, y2 = round(10 * scale_y), round(30 * scale_y)
        logits[0, y1:y2, x1:x2] = 20.0
        logits[1, h - 7:, :] = 20.0
        return logits

    detector = Mask2FormerDetector(FakeMask2Former(strong, masks), PaddingProcessor(),
                                   threshold=0.3, resize=resize, device="cpu")
    found = detector.segment(two_colour_image(), min_score=0.3)
    assert list(found) == ["computer mouse"]
    (mouse,) = found["computer mouse"]
    assert mouse.score == pytest.approx(1.0, abs=1e-3)
    assert all(abs(a - b) <= 1 for a, b in zip(mouse.box, (20, 10, 40, 30)))
    assert mouse.mask[20, 30] and not mouse.mask[40, 60]
    (detection,) = detector.detect(two_colour_image(), ["mouse"])
    assert detection.label == "mouse" and detection.color is None

    # The GenEval scorer consumes segment() output directly.
    meta = {"tag": "single_object", "include": [{"class": "computer mouse", "count": 1}]}
    assert geneval.score_image(meta, found, geneval.no_colors).correct


# ---------------------------------------------------------------- OWLv2


@pytest.fixture(scope="module")
def tiny_owl():
    from transformers import Owlv2Config, Owlv2ForObjectDetection
    Owlv2ImageProcessorPil = image_processor_class("owlv2", "Owlv2ImageProcessor")

    tokenizer = tiny_tokenizer()
    config = Owlv2Config(
        text_config=tiny_text_config(len(tokenizer)),
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                           num_attention_heads=2, image_size=32, patch_size=8),
        projection_dim=16,  # OWL's class head needs it equal to the text width
    )
    torch.manual_seed(0)
    model = Owlv2ForObjectDetection(config).eval()
    processor = Owlv2ImageProcessorPil(size={"height": 32, "width": 32})
    return model, processor, tokenizer


def test_owl_tiny_model_end_to_end(tiny_owl, clip) -> None:
    detector = OwlDetector(*tiny_owl, color_classifier=clip, threshold=0.0, nms_iou=1.0,
                           device="cpu")
    image = two_colour_image()
    probs, boxes = detector.raw_scores(image, ["cat", "kite"])
    assert probs.shape == (16, 2) and boxes.shape == (16, 4)
    assert float(boxes[:, [0, 2]].max()) <= 80 and float(boxes[:, [1, 3]].max()) <= 48
    detections = detector.detect(image, ["cat", "kite"])
    assert detections and {d.label for d in detections} <= {"cat", "kite"}
    assert all(d.color in geneval.COLORS for d in detections)
    assert [d.score for d in detections] == sorted((d.score for d in detections), reverse=True)
    detector.threshold = 1.0
    assert detector.detect(image, ["cat"]) == []


class FakeOwl(torch.nn.Module):
    def __init__(self, logits: torch.Tensor, boxes: torch.Tensor) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.config = SimpleNamespace(text_config=SimpleNamespace(max_position_embeddings=16))
        self.logits, self.boxes = logits, boxes

    def forward(self, input_ids, attention_mask, pixel_values):
        assert input_ids.shape[0] == self.logits.shape[1]
        return SimpleNamespace(logits=self.logits[None], pred_boxes=self.boxes[None])


def test_owl_boxes_scale_by_longer_side_threshold_and_nms(tiny_owl) -> None:
    _, processor, tokenizer = tiny_owl
    logits = torch.tensor([[4.0, -4.0], [3.0, -4.0], [-4.0, 2.0], [-4.0, -3.0]])
    boxes = torch.tensor([
        [0.25, 0.25, 0.2, 0.2],  # cat, square-normalised -> (12, 12, 28, 28) on the 80-side
        [0.26, 0.25, 0.2, 0.2],  # cat duplicate, suppressed by NMS
        [0.95, 0.5, 0.2, 0.4],  # kite, right edge clipped to 80, y2 clipped to 48
        [0.5, 0.5, 0.1, 0.1],  # below threshold
    ])
    detector = OwlDetector(FakeOwl(logits, boxes), processor, tokenizer, threshold=0.5,
                           nms_iou=0.5, device="cpu")
    detections = detector.detect(two_colour_image(), ["cat", "kite"])
    assert [d.label for d in detections] == ["cat", "kite"]
    assert detections[0].box == pytest.approx((12.0, 12.0, 28.0, 28.0), abs=1e-4)
    assert detections[1].box == pytest.approx((68.0, 24.0, 80.0, 48.0), abs=1e-4)
    assert detections[0].score == pytest.approx(torch.sigmoid(torch.tensor(4.0)).item())


def test_suppress_overlaps_keeps_best_first() -> None:
    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], dtype=torch.float32)
    assert suppress_overlaps(boxes, torch.tensor([0.5, 0.9, 0.7]), 0.5) == [1, 2]
    assert suppress_overlaps(boxes, torch.tensor([0.5, 0.9, 0.7]), 1.0) == [1, 2, 0]


# ---------------------------------------------------------------- loading


def test_missing_weights_give_actionable_error(tmp_path: Path) -> None:
    with pytest.raises(WeightsUnavailable) as info:
        create_detector("mask2former", source="stagestudio-tests/no-such-model")
    assert str(info.value) == (
        "weights for stagestudio-tests/no-such-model are not in the Hugging Face cache; run "
        f"`{download_command('stagestudio-tests/no-such-model')}` or pass a local folder"
    )
    with pytest.raises(WeightsUnavailable, match="no model folder"):
        create_detector("owlv2", source=str(tmp_path / "absent"))
    with pytest.raises(ValueError, match="unknown detector"):
        create_detector("yolo")


def test_mask2former_and_clip_score_a_geneval_folder(tiny_mask2former, clip, tmp_path) -> None:
    from stagestudio.eval import harness

    folder = tmp_path / "00000"
    (folder / "samples").mkdir(parents=True)
    meta = {"tag": "colors", "include": [{"class": "computer mouse", "count": 1, "color": "red"}],
            "prompt": "a photo of a red computer mouse"}
    (folder / "metadata.jsonl").write_text(json.dumps(meta) + "\n")
    two_colour_image().save(folder / "samples" / "0000.png")
    detector = Mask2FormerDetector(tiny_mask2former, tiny_mask2former_processor(), device="cpu")
    rows = harness.score_geneval_folder(tmp_path, harness.Mask2FormerModels(detector, clip,
                                                                            min_score=0.0))
    (row,) = rows
    assert row["filename"] == "00000/samples/0000.png" and row["tag"] == "colors"
    # Random weights: whatever the verdict, it must be one of GenEval's reasons for this prompt.
    assert row["correct"] or row["reason"].startswith(("expected computer mouse>=1, found 0",
                                                       "expected red computer mouse>=1, found 0 red"))


def test_registry_loads_detectors_from_local_folders(tiny_mask2former, tiny_owl, clip_parts,
                                                     tmp_path: Path) -> None:
    m2f_dir, owl_dir, clip_dir = tmp_path / "m2f", tmp_path / "owl", tmp_path / "clip"
    tiny_mask2former.save_pretrained(m2f_dir)
    tiny_mask2former_processor().save_pretrained(m2f_dir)
    owl_model, owl_processor, owl_tokenizer = tiny_owl
    for part in tiny_owl:
        part.save_pretrained(owl_dir)
    for part in clip_parts:
        part.save_pretrained(clip_dir)

    m2f = create_detector("mask2former", source=str(m2f_dir), color_source=str(clip_dir),
                          device="cpu", threshold=0.0, resize=None)
    assert isinstance(m2f, Mask2FormerDetector) and m2f.color_classifier is not None
    # The CLIP loaded from the folder computes the same colour columns as the original.
    assert torch.allclose(m2f.color_classifier.text_columns("dog"),
                          ClipColorClassifier(*clip_parts, device="cpu").text_columns("dog"),
                          atol=1e-5)
    assert "computer mouse" in m2f.class_names and "tv remote" in m2f.class_names
    found = m2f.detect(two_colour_image(), ["mouse", "car"])
    assert all(d.color in geneval.COLORS for d in found)

    owl = create_detector("owlv2", source=str(owl_dir), device="cpu", threshold=0.0)
    assert isinstance(owl, OwlDetector)
    assert {d.label for d in owl.detect(two_colour_image(), ["cat"])} <= {"cat"}
