#!/usr/bin/env bash
# Wheels that bench/bagel_gpu.py needs and the bare GPU image lacks (its python3 is 3.12 with
# torch, transformers, accelerate, safetensors, tokenizers, numpy, pillow, networkx, scipy, but no
# bitsandbytes, diffusers, pydantic or inflect). They go to .whl/ (git-ignored, about 50 MB):
# carry `.whl` to the GPU machine and install them there with
#   pip install -q --no-index --no-deps .whl/*.whl
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl
where=(--only-binary=:all: --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64
       --platform manylinux2014_x86_64 --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64)
# Their dependencies are on the image already (torch, numpy, huggingface_hub, safetensors, ...).
python -m pip download -q --dest .whl --no-deps "${where[@]}" "bitsandbytes>=0.45" "diffusers>=0.32"
# Small pure-Python trees, with their dependencies so versions match (pydantic pins pydantic-core).
python -m pip download -q --dest .whl "${where[@]}" "pydantic>=2.6" "inflect>=7.0"
du -sh .whl && ls .whl
