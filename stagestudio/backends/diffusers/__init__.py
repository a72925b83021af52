"""Sketchers on diffusers editing pipelines: FLUX.2 [klein], FLUX.1 Kontext [dev] and
Qwen-Image-Edit, through the pipelines themselves (`families` says how each is called,
`pipeline` loads and runs one, `sketcher` is the loop role). Importing this package loads
nothing heavy."""
