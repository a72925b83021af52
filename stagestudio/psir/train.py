"""`psir train`: LoRA supervised fine-tuning of our BAGEL on PSIR examples.

One optimizer step = `grad_accum` examples, each packed into its own sequence
(`backends/bagel/training.py`) and run through the training forward; losses are the reference's
(CE on the text the model must write, flow-matching MSE on the pictures it must draw, weights
1.0 / 1.0). AdamW with the reference's betas (0.9, 0.95), no weight decay, gradient clipping at
1.0, linear warm-up then a constant (or cosine) rate.

Everything random in a step (which example, conditioning dropout, flow times, noise, the VAE
posterior draw, LoRA dropout) comes from seeds derived from (seed, micro-step), so a run
resumed from a checkpoint continues exactly as the uninterrupted run would have.

Output folder:
    train_log.jsonl            one line per step: loss, ce, mse, lr, grad norm, examples, seconds
    rejected.txt               every example that was skipped, and why
    checkpoints/step-NNNNNN/   adapter + trainer_state.pt (optimizer, scheduler, step)
    adapter/                   the final adapter (load it with `--lora OUT/adapter`)
    loss.png                   the loss curve
    summary.json               first/last loss, counts, settings
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from stagestudio.psir import formats
from stagestudio.psir.dataset import read_records
from stagestudio.psir.examples import Example, ExamplePolicy, ExampleSet, build_examples

LOG_FILE = "train_log.jsonl"
REJECTED_FILE = "rejected.txt"
SUMMARY_FILE = "summary.json"
CURVE_FILE = "loss.png"
CHECKPOINTS_DIR = "checkpoints"
ADAPTER_DIR = "adapter"
STATE_FILE = "trainer_state.pt"


class TrainingError(RuntimeError):
    """Training cannot start or go on; the message says why and what to do."""


@dataclass
class TrainConfig:
    model: str
    data: list[str]
    out: str
    steps: int = 1000
    lr: float = 1e-4
    warmup_steps: int = 0
    schedule: str = "constant"  # constant | cosine
    min_lr: float = 1e-7
    grad_accum: int = 1
    max_grad_norm: float = 1.0
    betas: tuple[float, float] = (0.9, 0.95)
    adam_eps: float = 1e-15
    seed: int = 0
    precision: str = "bf16"  # fp32 | bf16 | nf4 (QLoRA)
    device: str | None = None
    gradient_checkpointing: bool = False
    rank: int = 16
    alpha: float = 32.0
    lora_dropout: float = 0.05
    lora_modules: tuple[str, ...] = ("attention", "mlp")
    lora_experts: tuple[str, ...] = ("und", "gen")
    ce_weight: float = 1.0
    mse_weight: float = 1.0
    timestep_shift: float = 1.0
    cond_dropout: bool = True  # the reference's conditioning dropout (keeps CFG working)
    tasks: tuple[str, ...] = formats.TASKS
    human_only: bool = False
    human_weight: float = 1.0
    max_tokens: int = 16384  # longer examples are skipped (reference max_num_tokens_per_sample)
    image_size: int | None = None  # scale larger pictures down to this side first (memory)
    probe_size: int = 8  # fixed examples whose loss is measured at the start, each save, and the end
    save_every: int = 100
    keep_checkpoints: int = 3
    resume: bool = False

    def __post_init__(self) -> None:
        checks = [
            (self.steps >= 1, "--steps must be at least 1"),
            (self.lr > 0, "--lr must be positive"),
            (self.grad_accum >= 1, "--grad-accum must be at least 1"),
            (self.warmup_steps >= 0, "--warmup must be >= 0"),
            (self.schedule in ("constant", "cosine"), "--schedule must be constant or cosine"),
            (self.precision in ("fp32", "bf16", "nf4"), "--precision must be fp32, bf16 or nf4 (QLoRA)"),
            (self.save_every >= 1, "--save-every must be at least 1"),
            (self.probe_size >= 0, "--probe must be >= 0"),
            (self.image_size is None or self.image_size >= 16, "--image-size must be at least 16 pixels"),
            (bool(self.tasks) and all(t in formats.TASKS for t in self.tasks),
             f"--tasks must be among {', '.join(formats.TASKS)}"),
            (bool(self.data), "give at least one dataset folder with --data"),
        ]
        for ok, message in checks:
            if not ok:
                raise TrainingError(message)

    def to_json_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainReport:
    out: Path
    steps_run: int
    first_loss: float  # probe loss before training (nan without a probe)
    last_loss: float  # probe loss after the last step
    first_train_loss: float  # mean training loss of the first eighth of the steps
    last_train_loss: float  # ... and of the last eighth
    examples: dict[str, int]
    rejected: int
    skipped_at_runtime: int
    resumed_from: int | None = None
    log: list[dict[str, Any]] = field(default_factory=list)


def _seed(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in ("psir-train", *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF


def example_for(examples: list[Example], seed: int, micro_step: int) -> Example:
    """The example of a micro-step: epochs walk a fresh seeded permutation of all examples."""
    epoch, position = divmod(micro_step, len(examples))
    order = torch.randperm(len(examples), generator=torch.Generator().manual_seed(_seed(seed, "epoch", epoch)))
    return examples[int(order[position])]


def probe_examples(examples: list[Example], size: int, seed: int) -> list[Example]:
    """A fixed probe set: tasks taken in turn, each task's examples in a seeded order, so every
    task the data has is measured."""
    by_task: dict[str, list[Example]] = {}
    for e in examples:
        by_task.setdefault(e.task, []).append(e)
    queues = []
    for task in sorted(by_task):
        items = by_task[task]
        order = torch.randperm(len(items), generator=torch.Generator().manual_seed(_seed(seed, "probe", task)))
        queues.append([items[int(i)] for i in order])
    probe: list[Example] = []
    while len(probe) < size and any(queues):
        for queue in queues:
            if queue and len(probe) < size:
                probe.append(queue.pop(0))
    return probe


def learning_rate(config: TrainConfig, step: int) -> float:
    if config.warmup_steps and step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    if config.schedule == "cosine":
        span = max(1, config.steps - config.warmup_steps)
        progress = min(1.0, (step - config.warmup_steps) / span)
        return config.min_lr + 0.5 * (config.lr - config.min_lr) * (1 + math.cos(math.pi * progress))
    return config.lr


def load_examples(config: TrainConfig) -> ExampleSet:
    policy = ExamplePolicy(tasks=tuple(config.tasks), human_only=config.human_only, human_weight=config.human_weight)
    merged = ExampleSet()
    for folder in config.data:
        part = build_examples(read_records(folder), folder, policy)
        merged.examples.extend(part.examples)
        merged.rejections.extend(part.rejections)
    return merged


class Trainer:
    """Holds the model, the adapter and the optimizer for one training run."""

    def __init__(self, config: TrainConfig, log: Callable[[str], None] = print) -> None:
        self.config = config
        self.say = log
        self.out = Path(config.out)
        self.examples = load_examples(config)
        if not self.examples.examples:
            reasons = "; ".join(f"{k} ({v})" for k, v in list(self.examples.rejection_counts().items())[:5])
            raise TrainingError(f"no usable training examples in {', '.join(config.data)}"
                                + (f": {reasons}" if reasons else "; export or synthesize some first"))
        self._load_model()

    # --- setup ------------------------------------------------------------------------
    def _load_model(self) -> None:
        from stagestudio.backends.bagel.golden import golden_transforms
        from stagestudio.backends.bagel.loader import load_bagel
        from stagestudio.backends.bagel.lora import LoraSettings
        from stagestudio.backends.bagel.training import LossSettings, SequencePacker

        c = self.config
        loaded = load_bagel(c.model, precision=c.precision, device=c.device)
        self.loaded = loaded
        self.inferencer = loaded.inferencer(golden_transforms(Path(loaded.folder)))
        self.model = loaded.model
        self.lora = LoraSettings(rank=c.rank, alpha=c.alpha, dropout=c.lora_dropout, modules=tuple(c.lora_modules),
                                 experts=tuple(c.lora_experts))
        dropout = {} if c.cond_dropout else {"text_cond_dropout": 0.0, "vit_cond_dropout": 0.0, "vae_cond_dropout": 0.0}
        self.loss_settings = LossSettings(ce_weight=c.ce_weight, mse_weight=c.mse_weight,
                                          timestep_shift=c.timestep_shift, **dropout)
        self.packer = SequencePacker(self.inferencer, self.loss_settings, max_image_side=c.image_size)
        self.probe = probe_examples(self.examples.examples, c.probe_size, c.seed)

    def _checkpoints(self) -> list[Path]:
        root = self.out / CHECKPOINTS_DIR
        return sorted(p for p in root.glob("step-*") if (p / STATE_FILE).is_file()) if root.is_dir() else []

    def _attach(self) -> int:
        """Attach a fresh adapter, or the latest checkpoint's when resuming; returns the start step."""
        from stagestudio.backends.bagel.lora import attach_lora, load_adapter, trainable_parameters

        start = 0
        checkpoints = self._checkpoints() if self.config.resume else []
        if checkpoints:
            latest = checkpoints[-1]
            load_adapter(self.model, latest, trainable=True)
            state = torch.load(latest / STATE_FILE, map_location="cpu", weights_only=False)
            start = int(state["step"])
        else:
            if self.config.resume:
                self.say(f"no checkpoint in {self.out / CHECKPOINTS_DIR}; starting from step 0")
            torch.manual_seed(_seed(self.config.seed, "init"))  # PEFT draws A from the global RNG
            attach_lora(self.model, self.lora)
            state = None
        params = trainable_parameters(self.model)
        self.optimizer = torch.optim.AdamW(params, lr=self.config.lr, betas=self.config.betas,
                                           eps=self.config.adam_eps, weight_decay=0.0)
        if state is not None:
            self.optimizer.load_state_dict(state["optimizer"])
            self.say(f"resumed from {checkpoints[-1].name} (step {start})")
        self.params = params
        return start

    # --- one step ---------------------------------------------------------------------
    def _micro_step(self, micro: int) -> dict[str, Any] | str:
        """Forward + backward of one example; a dict of its losses, or why it was skipped."""
        from stagestudio.backends.bagel.training import sample_draws, training_forward

        c = self.config
        example = example_for(self.examples.examples, c.seed, micro)
        generator = torch.Generator().manual_seed(_seed(c.seed, "micro", micro))
        torch.manual_seed(_seed(c.seed, "dropout", micro))  # LoRA dropout draws from the global RNG
        try:
            packed = self.packer.pack(example, generator if c.cond_dropout else None)
            if packed.length > c.max_tokens:
                return f"{example.record_id} ({example.task}): {packed.length} tokens > --max-tokens {c.max_tokens}"
            draws = sample_draws(packed, generator, self.loss_settings.timestep_shift,
                                 self.inferencer.layout.token_dim)
            self.model.train()
            out = training_forward(self.model, self.inferencer.vae, packed, draws, self.loss_settings,
                                   gradient_checkpointing=c.gradient_checkpointing)
            (out.loss / c.grad_accum).backward()
        except (OSError, ValueError) as exc:  # a picture that cannot be read or laid out
            return f"{example.record_id} ({example.task}): {type(exc).__name__}: {exc}"
        except torch.cuda.OutOfMemoryError:
            self.optimizer.zero_grad(set_to_none=True)
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            return (f"{example.record_id} ({example.task}): out of GPU memory at {packed.length} tokens; "
                    f"lower --max-tokens, use --gradient-checkpointing or --precision nf4")
        return {"task": example.task, "id": example.record_id, "loss": float(out.loss.detach()),
                "ce": None if out.ce is None else float(out.ce.detach()),
                "mse": None if out.mse is None else float(out.mse.detach()), "tokens": packed.length}

    @torch.no_grad()
    def _evaluate(self, step: int) -> dict[str, Any]:
        """Loss on the probe set with fixed draws and no dropout: comparable across steps."""
        from stagestudio.backends.bagel.training import sample_draws, training_forward

        _dropout(self.model, active=False)
        results = []
        for i, example in enumerate(self.probe):
            generator = torch.Generator().manual_seed(_seed(self.config.seed, "probe", i))
            try:
                packed = self.packer.pack(example, None, weight=1.0)
                draws = sample_draws(packed, generator, self.loss_settings.timestep_shift,
                                     self.inferencer.layout.token_dim)
                out = training_forward(self.model, self.inferencer.vae, packed, draws, self.loss_settings)
            except (OSError, ValueError):
                continue  # reported when the same example comes up in training
            results.append((float(out.loss), out.ce, out.mse))
        _dropout(self.model, active=True)

        def mean(values: list) -> float | None:
            values = [float(v) for v in values if v is not None]
            return sum(values) / len(values) if values else None

        return {"kind": "probe", "step": step, "loss": mean([r[0] for r in results]), "ce": mean([r[1] for r in results]),
                "mse": mean([r[2] for r in results]), "examples": len(results)}

    def _step(self, step: int, skipped: list[str]) -> dict[str, Any]:
        c = self.config
        started = time.perf_counter()
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate(c, step)
        parts = []
        for micro in range(step * c.grad_accum, (step + 1) * c.grad_accum):
            result = self._micro_step(micro)
            if isinstance(result, str):
                skipped.append(f"step {step}: {result}")
                self.say(f"skipped {result}")
            else:
                parts.append(result)
        grad_norm = float(torch.nn.utils.clip_grad_norm_(self.params, c.max_grad_norm)) if parts else 0.0
        if parts and math.isfinite(grad_norm):
            self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)

        def mean(key: str) -> float | None:
            values = [p[key] for p in parts if p[key] is not None]
            return sum(values) / len(values) if values else None

        return {"kind": "train", "step": step + 1, "loss": mean("loss"), "ce": mean("ce"), "mse": mean("mse"),
                "lr": learning_rate(c, step), "grad_norm": grad_norm, "tokens": sum(p["tokens"] for p in parts),
                "examples": [f"{p['task']}:{p['id']}" for p in parts], "seconds": time.perf_counter() - started}

    # --- saving -----------------------------------------------------------------------
    def _adapter_info(self, steps: int):
        from stagestudio.backends.bagel.lora import AdapterInfo

        return AdapterInfo(formats=formats.FORMATS_NAME, tasks=sorted(set(self.examples.counts())),
                           base_model=str(self.loaded.folder), settings=asdict(self.lora),
                           training={"steps": steps, "data": list(self.config.data), "precision": self.config.precision,
                                     "examples": self.examples.counts()})

    def _save_checkpoint(self, step: int) -> None:
        from stagestudio.backends.bagel.lora import save_adapter

        folder = self.out / CHECKPOINTS_DIR / f"step-{step:06d}"
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        save_adapter(self.model, tmp, self._adapter_info(step))
        torch.save({"step": step, "optimizer": self.optimizer.state_dict(), "config": self.config.to_json_dict()},
                   tmp / STATE_FILE)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
        for old in self._checkpoints()[: -self.config.keep_checkpoints]:
            shutil.rmtree(old, ignore_errors=True)

    # --- the run ----------------------------------------------------------------------
    def run(self, progress: Callable[[range], Any] | None = None) -> TrainReport:
        from stagestudio.backends.bagel.lora import save_adapter

        c = self.config
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / REJECTED_FILE).write_text("".join(f"{r}\n" for r in self.examples.rejections), encoding="utf-8")
        start = self._attach()
        log_path = self.out / LOG_FILE
        history = _read_log(log_path, before=start)  # steps logged after the checkpoint are redone
        _write_log(log_path, history)
        skipped: list[str] = []
        steps = range(start, c.steps)
        with open(log_path, "a", encoding="utf-8") as log:

            def write(entry: dict[str, Any]) -> None:
                history.append(entry)
                log.write(json.dumps(entry) + "\n")
                log.flush()

            if self.probe and not any(e["kind"] == "probe" and e["step"] == start for e in history):
                write(self._evaluate(start))
            for step in (progress(steps) if progress else steps):
                write(self._step(step, skipped))
                if (step + 1) % c.save_every == 0 or step + 1 == c.steps:
                    if self.probe:
                        write(self._evaluate(step + 1))
                    self._save_checkpoint(step + 1)
        if skipped:
            with open(self.out / REJECTED_FILE, "a", encoding="utf-8") as fh:
                fh.writelines(f"{s}\n" for s in skipped)
        save_adapter(self.model, self.out / ADAPTER_DIR, self._adapter_info(c.steps))
        losses = [e["loss"] for e in history if e["kind"] == "train" and e["loss"] is not None]
        probes = [e["loss"] for e in history if e["kind"] == "probe" and e["loss"] is not None]
        window = max(1, len(losses) // 8)
        report = TrainReport(
            out=self.out, steps_run=c.steps - start,
            first_loss=probes[0] if probes else float("nan"), last_loss=probes[-1] if probes else float("nan"),
            first_train_loss=_mean(losses[:window]), last_train_loss=_mean(losses[-window:]),
            examples=self.examples.counts(), rejected=len(self.examples.rejections), skipped_at_runtime=len(skipped),
            resumed_from=start or None, log=history,
        )
        plot_loss_curve(history, self.out / CURVE_FILE)
        summary = {"probe_loss_first": report.first_loss, "probe_loss_last": report.last_loss,
                   "train_loss_first": report.first_train_loss, "train_loss_last": report.last_train_loss, "window": window,
                   "examples": report.examples, "rejected": report.rejected, "skipped_at_runtime": len(skipped),
                   "config": c.to_json_dict(), "trainable_parameters": sum(p.numel() for p in self.params)}
        (self.out / SUMMARY_FILE).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        return report


def _dropout(model: torch.nn.Module, active: bool) -> None:
    """Switch only the dropout layers (LoRA's). The whole model stays in training mode:
    bitsandbytes repacks 4-bit weights for CPU inference on `eval()`, after which they no
    longer train."""
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.train(active)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _read_log(path: Path, before: int) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("step", 0) <= before:
            entries.append(entry)
    return entries


def _write_log(path: Path, entries: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")


def plot_loss_curve(history: list[dict[str, Any]], path: Path) -> None:
    """Loss, CE and MSE per step, with a running mean of the loss."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    train = [e for e in history if e.get("kind") == "train"]
    for key, style in (("loss", "-"), ("ce", ":"), ("mse", "--")):
        points = [(e["step"], e[key]) for e in train if e.get(key) is not None]
        if points:
            ax.plot(*zip(*points), style, label=key, alpha=0.6 if key != "loss" else 0.35)
    probe = [(e["step"], e["loss"]) for e in history if e.get("kind") == "probe" and e.get("loss") is not None]
    if probe:
        ax.plot(*zip(*probe), "o-", color="tab:red", label="probe loss (fixed examples)")
    losses = [(e["step"], e["loss"]) for e in train if e.get("loss") is not None]
    if len(losses) >= 4:
        k = max(2, len(losses) // 10)
        smooth = [(losses[i][0], _mean([v for _, v in losses[max(0, i - k + 1): i + 1]])) for i in range(len(losses))]
        ax.plot(*zip(*smooth), "-", color="black", label=f"loss (mean of {k})")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("psir train")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def train(config: TrainConfig, log: Callable[[str], None] = print, progress=None) -> TrainReport:
    return Trainer(config, log).run(progress)
