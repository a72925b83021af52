"""BAGEL-7B-MoT backend internals: our own inference implementation of ByteDance-Seed/Bagel.

Public entry points (imported lazily by callers; importing this package pulls in no torch model):
* `loader.load_bagel(source, precision, device, offload)` -> `LoadedBagel` (model, VAE, tokenizer);
* `inferencer.InterleavedInferencer(model, tokenizer, vae, transforms)`: contexts, text, images;
* `golden.run_golden(folder)`: re-run the recorded reference cases.
"""
