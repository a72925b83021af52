"""Exact parameter counts of the full-size models the composed roles load, per component, from
their published configurations, built on the meta device (no weights, no download, seconds on a
CPU). Writes bench/results/model_sizes.json; `stagestudio/backends/estimates.py` carries the
numbers for `doctor`'s memory estimates and the README's table.

"quantizable" counts the 2-D linear weights (not embeddings or heads): what bitsandbytes NF4
shrinks. Run: python bench/model_sizes.py
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

OUT = Path(__file__).parent / "results" / "model_sizes.json"


def count(module: torch.nn.Module) -> dict[str, int]:
    total = quantizable = 0
    for name, p in module.named_parameters():
        total += p.numel()
        if p.dim() == 2 and "embed" not in name and "lm_head" not in name:
            quantizable += p.numel()
    return {"total": total, "quantizable": quantizable}


def qwen3(hidden: int, intermediate: int, layers: int, heads: int, kv: int, tie: bool):
    from transformers import Qwen3Config, Qwen3ForCausalLM

    return Qwen3ForCausalLM(Qwen3Config(hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
                                        num_attention_heads=heads, num_key_value_heads=kv, head_dim=128,
                                        vocab_size=151936, tie_word_embeddings=tie))


def flux_vae():
    from diffusers import AutoencoderKL

    return AutoencoderKL(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4,
                         up_block_types=("UpDecoderBlock2D",) * 4, block_out_channels=(128, 256, 512, 512),
                         layers_per_block=2, latent_channels=16, use_quant_conv=False, use_post_quant_conv=False)


def qwen25_vl_7b():
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    return Qwen2_5_VLForConditionalGeneration(Qwen2_5_VLConfig(
        text_config={"hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28,
                     "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": 152064},
        vision_config={"depth": 32, "hidden_size": 1280, "intermediate_size": 3420, "num_heads": 16,
                       "out_hidden_size": 3584}, vocab_size=152064, tie_word_embeddings=False))


def models():
    from diffusers import AutoencoderKLFlux2, AutoencoderKLQwenImage, Flux2Transformer2DModel, FluxTransformer2DModel
    from diffusers import QwenImageTransformer2DModel
    from transformers import CLIPTextConfig, CLIPTextModel, Qwen3VLConfig, Qwen3VLForConditionalGeneration
    from transformers import T5Config, T5EncoderModel

    qwen_image = {
        "transformer": lambda: QwenImageTransformer2DModel(),  # the library defaults are the 20B model
        "text_encoder": qwen25_vl_7b,
        "vae": lambda: AutoencoderKLQwenImage(),
    }
    return {
        "black-forest-labs/FLUX.2-klein-4B": {
            "transformer": lambda: Flux2Transformer2DModel(
                patch_size=1, in_channels=128, num_layers=5, num_single_layers=20, attention_head_dim=128,
                num_attention_heads=24, joint_attention_dim=7680, timestep_guidance_channels=256, mlp_ratio=3.0,
                axes_dims_rope=(32, 32, 32, 32), rope_theta=2000, eps=1e-6, guidance_embeds=False),
            "text_encoder": lambda: qwen3(2560, 9728, 36, 32, 8, tie=True),  # Qwen3-4B
            "vae": lambda: AutoencoderKLFlux2(),
        },
        "black-forest-labs/FLUX.1-Kontext-dev": {
            "transformer": lambda: FluxTransformer2DModel(
                patch_size=1, in_channels=64, num_layers=19, num_single_layers=38, attention_head_dim=128,
                num_attention_heads=24, joint_attention_dim=4096, pooled_projection_dim=768, guidance_embeds=True),
            "text_encoder_2": lambda: T5EncoderModel(T5Config(  # T5-v1.1-XXL encoder
                vocab_size=32128, d_model=4096, d_kv=64, d_ff=10240, num_layers=24, num_heads=64,
                feed_forward_proj="gated-gelu")),
            "text_encoder": lambda: CLIPTextModel(CLIPTextConfig(  # CLIP ViT-L/14 text tower
                vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                num_attention_heads=12, max_position_embeddings=77, projection_dim=768)),
            "vae": flux_vae,
        },
        "Qwen/Qwen-Image-Edit-2509": qwen_image,
        "Qwen/Qwen-Image": qwen_image,
        "Qwen/Qwen3-VL-8B-Instruct": {
            "model": lambda: Qwen3VLForConditionalGeneration(Qwen3VLConfig(
                text_config={"hidden_size": 4096, "intermediate_size": 12288, "num_hidden_layers": 36,
                             "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128,
                             "vocab_size": 151936},
                vision_config={"depth": 27, "hidden_size": 1152, "intermediate_size": 4304, "num_heads": 16,
                               "out_hidden_size": 4096, "deepstack_visual_indexes": [8, 16, 24]},
                tie_word_embeddings=False)),
        },
    }


def main() -> None:
    results: dict[str, dict[str, dict[str, int]]] = {}
    for repo, components in models().items():
        results[repo] = {}
        for name, build in components.items():
            with torch.device("meta"):
                results[repo][name] = count(build())
            print(f"{repo:40s} {name:15s} {results[repo][name]['total'] / 1e9:6.2f} B")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
