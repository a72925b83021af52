"""PSIR numbers: (1) `psir synth` + `psir train` on the tiny fixture model (CPU): how far the
probe loss falls in 40 steps and how long it takes; (2) the GPU-memory *estimate* for LoRA on
full-size BAGEL-7B-MoT (`stagestudio/psir/memory.py`; arithmetic, not a measurement).

    python bench/psir.py [--shared ../shared] [--skip-train]

Writes bench/results/psir.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def tiny_training(shared: Path) -> dict:
    import torch

    from stagestudio.backends.sketchbook.backend import SketchbookBackend
    from stagestudio.psir.synth import read_prompts, synthesize
    from stagestudio.psir.train import TrainConfig, train

    torch.set_num_threads(1)  # the tiny model gains nothing from threads
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        prompts = read_prompts(shared / "data" / "geneval" / "evaluation_metadata.jsonl")
        synth = synthesize(SketchbookBackend(size=128), prompts, Path(tmp) / "data", limit=50)
        synth_s = time.perf_counter() - started
        started = time.perf_counter()
        report = train(TrainConfig(model=str(shared / "fixtures" / "bagel"), data=[str(Path(tmp) / "data")],
                                   out=str(Path(tmp) / "run"), steps=40, lr=1e-3, precision="fp32", device="cpu",
                                   rank=8, alpha=16, lora_dropout=0.0, image_size=64, save_every=20),
                       log=lambda _: None)
        train_s = time.perf_counter() - started
    probes = [e for e in report.log if e["kind"] == "probe"]
    return {
        "synth": {"prompts": 50, "seconds": round(synth_s, 1), "examples": synth.kept, "rejected": synth.rejected},
        "train": {"steps": 40, "seconds": round(train_s, 1), "probe_loss_first": round(report.first_loss, 4),
                  "probe_loss_last": round(report.last_loss, 4),
                  "probe_ce": [round(probes[0]["ce"], 3), round(probes[-1]["ce"], 3)],
                  "probe_mse": [round(probes[0]["mse"], 3), round(probes[-1]["mse"], 3)],
                  "train_loss_first_5": round(report.first_train_loss, 4),
                  "train_loss_last_5": round(report.last_train_loss, 4)},
        "torch": torch.__version__,
    }


def memory_table() -> list[dict]:
    from stagestudio.psir.memory import estimate

    rows = []
    for precision in ("nf4", "bf16"):
        for side in (512, 1024):
            for checkpointing in (True, False):
                rows.append(estimate(side, precision, checkpointing).to_json_dict())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()
    out = ROOT / "bench" / "results" / "psir.json"
    result = json.loads(out.read_text()) if out.exists() else {}
    if not args.skip_train:
        result["tiny_cpu"] = tiny_training(Path(args.shared))
    result["vram_estimate_24gb_card"] = {
        "note": "ESTIMATE from the model configuration (stagestudio/psir/memory.py), not measured: no GPU was lent",
        "rows": memory_table(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
