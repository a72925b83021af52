"""Sessions to training data (PSIR: plan, sketch, inspect, refine) and LoRA fine-tuning of BAGEL.

* `dataset`  — the training-data format on disk (records.jsonl + content-addressed images +
               dataset.json), its writer and its validating reader;
* `export`   — stored studio sessions -> records, with provenance (model vs a person's decisions);
* `synth`    — the paper's pipeline as a resumable batch job over a prompt file;
* `examples` — records -> per-task training examples (plan, sketch, inspect, refine) and the
               reasons examples are rejected;
* `formats`  — the text the model is trained to read and write (shared with the BAGEL roles);
* `train`    — the LoRA training loop (checkpoints, resume, loss log and curve).

The model side (packed sequences, losses, PEFT adapters) lives next to the model code in
`stagestudio/backends/bagel/training.py` and `lora.py`. The format is described in
docs/training_data.md.
"""
