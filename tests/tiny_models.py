"""Tiny random-weight checkpoints in the real folder layouts, built in the test the way
diffusers' and transformers' own test suites build theirs, and saved with `save_pretrained`
so our loaders read them exactly as they would read a download. No network.

Text encoders and the VLM share the Qwen2 byte-level BPE tokenizer of the BAGEL fixtures
(300 tokens, with the Qwen vision special tokens); the CLIP and T5 tokenizers of Kontext are
built here from a letters-only vocabulary.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

# A ChatML template like the Qwen3 tokenizer's (text) and Qwen3-VL's (images as content items).
CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>{% else %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

QWEN_TOKENS = {"image_token_id": 298, "video_token_id": 299, "vision_start_token_id": 295, "vision_end_token_id": 296}


def qwen_tokenizer(tokenizer_dir: Path):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    tok.chat_template = CHATML
    return tok


def save_flux2_klein(folder: Path, tokenizer_dir: Path) -> Path:
    import torch
    from diffusers import AutoencoderKLFlux2, FlowMatchEulerDiscreteScheduler, Flux2KleinPipeline, Flux2Transformer2DModel
    from transformers import Qwen3Config, Qwen3ForCausalLM

    torch.manual_seed(0)
    # The pipeline taps text-encoder layers 9, 18 and 27 (joint width 3 x 16), as the real one does.
    text_encoder = Qwen3ForCausalLM(Qwen3Config(
        hidden_size=16, intermediate_size=16, num_hidden_layers=28, num_attention_heads=2, num_key_value_heads=2,
        head_dim=8, vocab_size=300, max_position_embeddings=512))
    transformer = Flux2Transformer2DModel(
        patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
        joint_attention_dim=48, timestep_guidance_channels=256, axes_dims_rope=[4, 4, 4, 4], guidance_embeds=False)
    vae = AutoencoderKLFlux2(
        sample_size=32, in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",),
        up_block_types=("UpDecoderBlock2D",), block_out_channels=(4,), layers_per_block=1, latent_channels=1,
        norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False)
    pipe = Flux2KleinPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=text_encoder,
                              tokenizer=qwen_tokenizer(tokenizer_dir), transformer=transformer)
    pipe.save_pretrained(str(folder))
    return folder


def _kontext_tokenizers():
    from transformers import CLIPTokenizer, T5TokenizerFast

    letters = list(string.ascii_lowercase)
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for piece in letters + [c + "</w>" for c in letters]:
        vocab[piece] = len(vocab)
    clip = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)
    t5_vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    t5_vocab += [("\u2581" + c, -1.0) for c in letters] + [(c, -2.0) for c in letters]
    return clip, T5TokenizerFast(vocab=t5_vocab, extra_ids=0)


def save_flux_kontext(folder: Path) -> Path:
    import torch
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxKontextPipeline, FluxTransformer2DModel
    from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel

    clip_tokenizer, t5_tokenizer = _kontext_tokenizers()
    torch.manual_seed(0)
    transformer = FluxTransformer2DModel(
        patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
        joint_attention_dim=32, pooled_projection_dim=32, axes_dims_rope=[4, 4, 8])
    clip = CLIPTextModel(CLIPTextConfig(
        bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=32, intermediate_size=37, num_attention_heads=4,
        num_hidden_layers=2, vocab_size=len(clip_tokenizer), projection_dim=32, max_position_embeddings=77))
    t5 = T5EncoderModel(T5Config(vocab_size=len(t5_tokenizer), d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4))
    vae = AutoencoderKL(
        sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4,), layers_per_block=1, latent_channels=1,
        norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False, shift_factor=0.0609, scaling_factor=1.5035)
    pipe = FluxKontextPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=clip,
                               tokenizer=clip_tokenizer, text_encoder_2=t5, tokenizer_2=t5_tokenizer, transformer=transformer)
    pipe.save_pretrained(str(folder))
    return folder


def _qwen_image_components(tokenizer_dir: Path) -> dict:
    import torch
    from diffusers import AutoencoderKLQwenImage, FlowMatchEulerDiscreteScheduler, QwenImageTransformer2DModel
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    torch.manual_seed(0)
    transformer = QwenImageTransformer2DModel(
        patch_size=2, in_channels=16, out_channels=4, num_layers=2, attention_head_dim=16, num_attention_heads=3,
        joint_attention_dim=16, guidance_embeds=False, axes_dims_rope=(8, 4, 4))
    # Three downsamplings (8x, like the real VAE): the edit pipeline always encodes its input
    # image at about 1024x1024, which is only cheap on CPU with a small latent grid.
    vae = AutoencoderKLQwenImage(
        base_dim=4, z_dim=4, dim_mult=[1, 2, 4, 4], num_res_blocks=1, temperal_downsample=[False, True, True],
        latents_mean=[0.0] * 4, latents_std=[1.0] * 4)
    text_encoder = Qwen2_5_VLForConditionalGeneration(Qwen2_5_VLConfig(
        text_config={"hidden_size": 16, "intermediate_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
                     "num_key_value_heads": 2, "vocab_size": 300,
                     "rope_parameters": {"mrope_section": [1, 1, 2], "rope_type": "default", "rope_theta": 1e6}},
        vision_config={"depth": 2, "hidden_size": 16, "intermediate_size": 16, "num_heads": 2, "out_hidden_size": 16,
                       "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2},
        vocab_size=300, **QWEN_TOKENS))
    return {"scheduler": FlowMatchEulerDiscreteScheduler(), "vae": vae, "text_encoder": text_encoder,
            "tokenizer": qwen_tokenizer(tokenizer_dir), "transformer": transformer}


def save_qwen_image_edit(folder: Path, tokenizer_dir: Path) -> Path:
    """A QwenImageEditPlusPipeline folder laid out like Qwen/Qwen-Image-Edit-2509, with its
    `processor/` (tokenizer + Qwen2-VL image processor settings)."""
    from diffusers import QwenImageEditPlusPipeline
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    components = _qwen_image_components(tokenizer_dir)
    # transformers' Qwen2VLProcessor cannot be built without torchvision; save its two parts
    # where the real checkpoint keeps them and name it in model_index.json as the real one does.
    QwenImageEditPlusPipeline(processor=None, **components).save_pretrained(str(folder))
    processor = folder / "processor"
    components["tokenizer"].save_pretrained(str(processor))
    Qwen2VLImageProcessorPil(patch_size=14, merge_size=2, temporal_patch_size=2).save_pretrained(str(processor))
    index = json.loads((folder / "model_index.json").read_text())
    index["processor"] = ["transformers", "Qwen2VLProcessor"]
    (folder / "model_index.json").write_text(json.dumps(index, indent=2))
    return folder


def save_qwen_image(folder: Path, tokenizer_dir: Path) -> Path:
    from diffusers import QwenImagePipeline

    QwenImagePipeline(**_qwen_image_components(tokenizer_dir)).save_pretrained(str(folder))
    return folder


def _steer_answers(model, tokenizer, yes_logit: float) -> None:
    """Make the model open every answer with yes (yes_logit > 0) or no (< 0), whatever it is
    asked: with the attention and MLP outputs zeroed, the last position's final hidden state is
    the normed embedding of the prompt's last token (the "\n" after "assistant"), and the yes/no
    rows of the head are set along it, so p(yes) = sigmoid(2 * yes_logit) exactly."""
    import torch

    text = model.model.language_model
    with torch.no_grad():
        for layer in text.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        newline = tokenizer.encode("\n", add_special_tokens=False)[-1]
        hidden = text.norm(text.embed_tokens.weight[newline][None])[0]
        direction = hidden / hidden.pow(2).sum()
        for word, sign in (("Yes", 1.0), ("yes", 1.0), ("YES", 1.0), ("No", -1.0), ("no", -1.0), ("NO", -1.0)):
            model.lm_head.weight[tokenizer.encode(word, add_special_tokens=False)[0]] = sign * yes_logit * direction


def save_qwen3_vl(folder: Path, tokenizer_dir: Path, seed: int = 0, yes_logit: float | None = None) -> Path:
    """A Qwen3-VL checkpoint folder: config + weights, tokenizer, image processor settings and
    the chat template (as `chat_template.jinja`, where the real checkpoints keep it).
    `yes_logit` makes every answer a confident yes (> 0) or no (< 0); None keeps it random."""
    import torch
    from transformers import Qwen3VLConfig, Qwen3VLForConditionalGeneration
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    config = Qwen3VLConfig(
        text_config={"vocab_size": 300, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                     "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "max_position_embeddings": 2048,
                     "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 1, 1],
                                         "mrope_interleaved": True}},
        vision_config={"depth": 2, "hidden_size": 32, "intermediate_size": 64, "num_heads": 4, "patch_size": 16,
                       "spatial_merge_size": 2, "temporal_patch_size": 2, "out_hidden_size": 32,
                       "num_position_embeddings": 64, "deepstack_visual_indexes": [1]},
        **QWEN_TOKENS)
    torch.manual_seed(seed)
    model = Qwen3VLForConditionalGeneration(config)
    tokenizer = qwen_tokenizer(tokenizer_dir)
    if yes_logit is not None:
        _steer_answers(model, tokenizer, yes_logit)
    model.save_pretrained(str(folder))
    tokenizer.chat_template = None
    tokenizer.save_pretrained(str(folder))
    (folder / "chat_template.jinja").write_text(CHATML)
    # Small pictures (at most 64x64 -> 4 merged patches) keep the tiny model fast.
    Qwen2VLImageProcessorPil(patch_size=16, merge_size=2, temporal_patch_size=2, image_mean=[0.5] * 3,
                             image_std=[0.5] * 3, size={"shortest_edge": 32 * 32, "longest_edge": 64 * 64},
                             ).save_pretrained(str(folder))
    return folder


def cached(tmp_path_factory, name: str, build) -> Path:
    """`build(folder)` once per test session (the folder is shared by every test module)."""
    folder = tmp_path_factory.getbasetemp() / "tiny-models" / name
    if not (folder / ".complete").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        build(folder)
        (folder / ".complete").write_text("")
    return folder


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny models gain nothing from several threads, and on a shared CPU their spinning costs
    ten times the work; restored after the module."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
