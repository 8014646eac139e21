"""Pre-training a GPTDemo model with accelerate: the whole loop in one readable function.

    text files -> tokenizer -> uint16 token files -> random blocks -> AdamW + warmup/cosine -> checkpoints

``train(TrainArgs(...))`` runs unchanged on a CPU (fp32), on one GPU (bf16/fp16 mixed precision), and
under ``accelerate launch --num_processes N`` on several GPUs. A checkpoint holds everything needed to
continue exactly: model, tokenizer, optimizer, scheduler, step, RNG states and the data sampler's state;
``resume`` continues so that an interrupted run produces the same losses as an uninterrupted one.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
import torch.nn.functional as F

from .configuration_gpt_demo import GPTDemoConfig
from .modeling_gpt_demo import GPTDemoForCausalLM

STATE_FILE = "training_state.pt"
METRICS_FILE = "metrics.jsonl"


@dataclass
class TrainArgs:
    """Everything a training run needs; every field has a command-line flag of the same name."""

    train_file: str  # UTF-8 text, one paragraph per line
    out_dir: str  # run folder: checkpoints, metrics.jsonl, loss.png, final/
    val_file: str | None = None  # held-out text for the validation loss
    tokenizer: str | None = None  # an existing tokenizer folder; None trains one into out_dir/tokenizer
    vocab_size: int = 4096  # only used when a tokenizer is trained
    # model
    hidden_size: int = 256
    intermediate_size: int = 688
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    num_key_value_heads: int = 4
    block_size: int = 256  # tokens per training example; also the model's context length
    tie_word_embeddings: bool = True
    # optimisation
    batch_size: int = 16
    grad_accum: int = 1  # batches per optimizer step (effective batch = batch_size * grad_accum * processes)
    max_steps: int = 1000
    learning_rate: float = 2e-3
    min_lr_ratio: float = 0.1  # the cosine decays to learning_rate * min_lr_ratio
    warmup_steps: int = 50
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    # bookkeeping
    eval_every: int = 100
    eval_batches: int = 20
    save_every: int = 200
    keep_last: int = 2  # checkpoints kept on disk
    log_every: int = 10
    seed: int = 0
    mixed_precision: str = "auto"  # auto: bf16/fp16 on a GPU, none on CPU; or "no", "bf16", "fp16"
    resume: str | None = None  # "auto" (latest checkpoint in out_dir) or a checkpoint folder
    stop_after: int | None = None  # stop (as if interrupted) after this step; for testing resume
    progress: bool = True
    extra: dict = field(default_factory=dict)

    def validate(self) -> None:
        """Raise ValueError naming the first impossible field."""
        positive = ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                    "num_key_value_heads", "block_size", "batch_size", "grad_accum", "max_steps", "eval_every",
                    "eval_batches", "save_every", "keep_last", "log_every"]
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0 < self.learning_rate < 1:
            raise ValueError(f"learning_rate must be in (0, 1), got {self.learning_rate!r}")
        if not 0 <= self.min_lr_ratio <= 1:
            raise ValueError(f"min_lr_ratio must be in [0, 1], got {self.min_lr_ratio!r}")
        if self.warmup_steps < 0 or self.warmup_steps >= self.max_steps:
            raise ValueError(f"warmup_steps must be in [0, max_steps={self.max_steps}), got {self.warmup_steps!r}")
        if self.weight_decay < 0 or self.grad_clip <= 0:
            raise ValueError("weight_decay must be >= 0 and grad_clip > 0")
        if self.mixed_precision not in ("auto", "no", "bf16", "fp16"):
            raise ValueError(f"mixed_precision must be auto, no, bf16 or fp16, got {self.mixed_precision!r}")
        if not Path(self.train_file).is_file():
            raise FileNotFoundError(f"training text not found: {self.train_file}")
        if self.val_file is not None and not Path(self.val_file).is_file():
            raise FileNotFoundError(f"validation text not found: {self.val_file}")
        # the model config validates the architecture (heads dividing the hidden size, ...)
        self.model_config(vocab_size=self.vocab_size)

    def model_config(self, vocab_size: int, pad_id: int = 3, bos_id: int = 1, eos_id: int = 2) -> GPTDemoConfig:
        return GPTDemoConfig(
            vocab_size=vocab_size,
            hidden_size=self.hidden_size,
            intermediate_size=self.intermediate_size,
            num_hidden_layers=self.num_hidden_layers,
            num_attention_heads=self.num_attention_heads,
            num_key_value_heads=self.num_key_value_heads,
            max_position_embeddings=self.block_size,
            tie_word_embeddings=self.tie_word_embeddings,
            pad_token_id=pad_id,
            bos_token_id=bos_id,
            eos_token_id=eos_id,
        )


def lr_at(step: int, args: TrainArgs) -> float:
    """Learning-rate multiplier: linear warmup, then cosine down to ``min_lr_ratio``."""
    if step < args.warmup_steps:
        return (step + 1) / args.warmup_steps
    progress = (step - args.warmup_steps) / max(1, args.max_steps - args.warmup_steps)
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return args.min_lr_ratio + (1 - args.min_lr_ratio) * cosine


def _optimizer(model: torch.nn.Module, args: TrainArgs) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not on norms' scales or biases)."""
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=args.learning_rate, betas=(0.9, 0.95), eps=1e-8)


def mixed_precision(choice: str) -> str:
    """accelerate's mixed_precision for a choice: 'auto' is bf16 (or fp16) on a CUDA GPU and none on a CPU."""
    if choice != "auto":
        return choice
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "no"


def next_token_loss(model, input_ids: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of predicting ``labels`` (already shifted: labels[t] = input_ids[t+1])."""
    logits = model(input_ids=input_ids, use_cache=False).logits  # (B, T, V)
    return F.cross_entropy(logits.float().flatten(0, 1), labels.flatten(), ignore_index=-100)


@torch.no_grad()
def evaluate(model, blocks, batch_size: int, max_batches: int, device) -> float:
    """Mean loss over the first ``max_batches`` non-overlapping validation blocks (same blocks every time)."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for x, y in blocks.sequential(batch_size, max_batches=max_batches, device=device):
        total += next_token_loss(model, x, y).item() * x.shape[0]
        count += x.shape[0]
    model.train(was_training)
    return total / max(count, 1)


# --- checkpoints -------------------------------------------------------------------------------------
def is_checkpoint(path: str | os.PathLike) -> bool:
    path = Path(path)
    return (path / STATE_FILE).is_file() and (path / "config.json").is_file()


def latest_checkpoint(out_dir: str | os.PathLike) -> Path | None:
    """The checkpoint-<step> folder with the highest step in ``out_dir`` (complete ones only)."""
    found = [p for p in Path(out_dir).glob("checkpoint-*") if p.name.split("-")[-1].isdigit() and is_checkpoint(p)]
    return max(found, key=lambda p: int(p.name.split("-")[-1]), default=None)


def _rng_state() -> dict:
    state = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_training_checkpoint(path: Path, model, tokenizer, optimizer, scheduler, step: int, blocks,
                             args: TrainArgs) -> None:
    """Write model + tokenizer + training state into ``path`` atomically (temp folder, then rename)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        from .checkpoints import _copy_sentencepiece_model

        _copy_sentencepiece_model(tokenizer, tmp)  # the raw SentencePiece model too, as checkpoints.save does
        torch.save(
            {
                "step": step,
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": _rng_state(),
                "data": blocks.state_dict(),
                "args": asdict(args),
            },
            tmp / STATE_FILE,
        )
        old = path.with_name(f".{path.name}.old-{os.getpid()}")
        if path.exists():
            path.rename(old)  # keep the previous one until the new one is in place
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def prune_checkpoints(out_dir: Path, keep_last: int) -> None:
    """Delete all but the newest ``keep_last`` checkpoint-<step> folders."""
    found = sorted((p for p in out_dir.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
                   key=lambda p: int(p.name.split("-")[-1]))
    for old in found[:-keep_last]:
        shutil.rmtree(old, ignore_errors=True)


def plot_losses(metrics_path: Path, out_png: Path) -> None:
    """Train and validation loss curves from metrics.jsonl into a PNG (matplotlib, headless)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [json.loads(line) for line in metrics_path.read_text().splitlines() if line.strip()]
    train = [(r["step"], r["loss"]) for r in rows if "loss" in r]
    val = [(r["step"], r["val_loss"]) for r in rows if "val_loss" in r]
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    if train:
        ax.plot(*zip(*train), label="train loss", linewidth=1)
    if val:
        ax.plot(*zip(*val), "o-", label="validation loss")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    tmp = out_png.with_name(f".{out_png.name}.tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, out_png)


# --- the loop ----------------------------------------------------------------------------------------
def _prepare_tokenizer_and_data(args: TrainArgs, out_dir: Path, is_main: bool, accelerator):
    from .data import TokenBlocks, tokenize_to_memmap
    from .tokenizer import load_tokenizer, train_tokenizer

    tok_dir = Path(args.tokenizer) if args.tokenizer else out_dir / "tokenizer"
    if is_main and not args.tokenizer and not (tok_dir / "tokenizer.json").is_file():
        train_tokenizer([args.train_file], tok_dir, vocab_size=args.vocab_size)
    accelerator.wait_for_everyone()
    tokenizer = load_tokenizer(tok_dir)
    data_dir = out_dir / "tokens"
    if is_main:
        tokenize_to_memmap(args.train_file, tok_dir, data_dir / "train.bin")
        if args.val_file:
            tokenize_to_memmap(args.val_file, tok_dir, data_dir / "val.bin")
    accelerator.wait_for_everyone()
    # each process draws its own batches: seed + process index
    train_blocks = TokenBlocks(data_dir / "train.bin", args.block_size, seed=args.seed + accelerator.process_index)
    val_blocks = TokenBlocks(data_dir / "val.bin", args.block_size) if args.val_file else None
    return tokenizer, train_blocks, val_blocks


def train(args: TrainArgs, on_step: Callable[[dict, torch.nn.Module], bool | None] | None = None) -> dict:
    """Train (or resume) and return the final metrics: step, loss, val_loss, tokens_seen, seconds, ...

    ``on_step(row, model)``, if given, is called on the main process after every optimizer step with that
    step's metrics row (step, loss, lr, tok_per_s, elapsed_s, and val_loss when it was evaluated) and the
    unwrapped model (in train mode: a callback that generates must use eval mode and switch back). It is how a
    caller watches a run and stops it: returning True stops the run as if interrupted, after saving a checkpoint
    of that step (so ``resume="auto"`` continues from it); the returned metrics then have ``stopped=True``.
    """
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from tqdm.auto import tqdm

    args.validate()
    out_dir = Path(args.out_dir)
    resume_from = None
    if args.resume:
        resume_from = latest_checkpoint(out_dir) if args.resume == "auto" else Path(args.resume)
        if args.resume != "auto" and not is_checkpoint(resume_from):
            raise ValueError(f"--resume {args.resume}: not a training checkpoint (no {STATE_FILE} and config.json)")
    accelerator = Accelerator(mixed_precision=mixed_precision(args.mixed_precision),
                              gradient_accumulation_steps=args.grad_accum, cpu=not torch.cuda.is_available())
    is_main = accelerator.is_main_process
    if is_main:
        out_dir.mkdir(parents=True, exist_ok=True)
    set_seed(args.seed)
    tokenizer, train_blocks, val_blocks = _prepare_tokenizer_and_data(args, out_dir, is_main, accelerator)

    config = args.model_config(len(tokenizer), tokenizer.pad_token_id, tokenizer.bos_token_id,
                               tokenizer.eos_token_id)
    model = GPTDemoForCausalLM(config) if resume_from is None else GPTDemoForCausalLM.from_pretrained(resume_from)
    if resume_from is not None and model.config.to_dict() != config.to_dict():
        # a different architecture than the one asked for: follow the checkpoint, say so
        accelerator.print(f"resuming with the checkpoint's architecture from {resume_from}")
    optimizer = _optimizer(model, args)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_at(s, args))
    step = 0
    if resume_from is not None:
        state = torch.load(resume_from / STATE_FILE, weights_only=True)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        train_blocks.load_state_dict(state["data"])
        _set_rng_state(state["rng"])
        step = int(state["step"])
        accelerator.print(f"resumed from {resume_from} at step {step}")
    model, optimizer = accelerator.prepare(model, optimizer)
    model.train()

    metrics_path = out_dir / METRICS_FILE
    if is_main and resume_from is None and metrics_path.exists():
        metrics_path.unlink()  # a fresh run starts a fresh log
    tokens_per_step = args.batch_size * args.block_size * args.grad_accum * accelerator.num_processes
    start_step, t0 = step, time.perf_counter()
    last = {"step": step}
    stopped = False  # by on_step
    bar = tqdm(total=args.max_steps, initial=step, disable=not (is_main and args.progress), unit="step",
               dynamic_ncols=True)
    while step < args.max_steps:
        # one optimizer step = grad_accum micro-batches
        loss_sum, grad_norm = torch.zeros((), device=accelerator.device), 0.0
        for _ in range(args.grad_accum):
            x, y = train_blocks.get_batch(args.batch_size, device=accelerator.device)  # (B, T) each
            with accelerator.accumulate(model), accelerator.autocast():
                loss = next_token_loss(model, x, y)
                accelerator.backward(loss)
                if accelerator.sync_gradients:
                    grad_norm = accelerator.clip_grad_norm_(model.parameters(), args.grad_clip)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
            loss_sum += loss.detach()
        scheduler.step()
        step += 1
        # with several processes, log the mean over all of them
        loss_value = accelerator.reduce(loss_sum / args.grad_accum, reduction="mean").item()
        if not math.isfinite(loss_value):
            raise FloatingPointError(f"loss became {loss_value} at step {step}; lower the learning rate")
        elapsed = time.perf_counter() - t0
        tok_s = (step - start_step) * tokens_per_step / max(elapsed, 1e-9)
        row = {"step": step, "loss": round(loss_value, 5), "lr": scheduler.get_last_lr()[0],
               "grad_norm": round(float(grad_norm), 4), "tokens_seen": step * tokens_per_step,
               "tok_per_s": round(tok_s, 1), "elapsed_s": round(elapsed, 2)}
        if val_blocks is not None and (step % args.eval_every == 0 or step == args.max_steps):
            row["val_loss"] = round(evaluate(model, val_blocks, args.batch_size, args.eval_batches,
                                             accelerator.device), 5)
        if is_main:
            if step % args.log_every == 0 or "val_loss" in row or step == args.max_steps:
                with metrics_path.open("a") as f:
                    f.write(json.dumps(row) + "\n")
            bar.set_postfix(loss=f"{loss_value:.3f}", tok_s=f"{tok_s:.0f}",
                            **({"val": f"{row['val_loss']:.3f}"} if "val_loss" in row else {}))
            bar.update(1)
        last = row
        stop_requested = bool(on_step(dict(row), accelerator.unwrap_model(model))) if on_step and is_main else False
        if on_step is not None and accelerator.num_processes > 1:  # every process must stop at the same step
            flag = torch.tensor(float(stop_requested), device=accelerator.device)
            stop_requested = accelerator.reduce(flag, reduction="sum").item() > 0
        stopping = stop_requested or (args.stop_after is not None and step >= args.stop_after)
        stopped = stop_requested and step < args.max_steps
        if step % args.save_every == 0 or step == args.max_steps or stopping:
            accelerator.wait_for_everyone()
            if is_main:
                save_training_checkpoint(out_dir / f"checkpoint-{step}", accelerator.unwrap_model(model), tokenizer,
                                         optimizer, scheduler, step, train_blocks, args)
                prune_checkpoints(out_dir, args.keep_last)
                if metrics_path.exists():  # a run stopped before its first logged step has no metrics yet
                    plot_losses(metrics_path, out_dir / "loss.png")
        if stopping:
            break
    bar.close()
    last["stopped"] = stopped
    last["seconds"] = round(time.perf_counter() - t0, 1)
    last["parameters"] = sum(p.numel() for p in accelerator.unwrap_model(model).parameters())
    last["processes"] = accelerator.num_processes
    last["process_index"] = accelerator.process_index
    last["mixed_precision"] = accelerator.mixed_precision
    return last


def args_from_namespace(ns) -> TrainArgs:
    """Build TrainArgs from an argparse namespace with the same field names."""
    names = {f.name for f in fields(TrainArgs)} - {"extra"}
    return TrainArgs(**{k: v for k, v in vars(ns).items() if k in names})


# --- from a run to a shareable checkpoint -----------------------------------------------------------
def export_checkpoint(run_dir: str | os.PathLike, out_dir: str | os.PathLike, checkpoint: str | None = None) -> Path:
    """Copy the model and tokenizer of a run's checkpoint (default: the latest) into a plain model folder:
    config.json, model.safetensors, tokenizer files and generation_config.json; no optimizer state.
    Written atomically through ``checkpoints.save``."""
    from transformers import GenerationConfig

    from . import checkpoints
    from .tokenizer import load_tokenizer

    source = Path(checkpoint) if checkpoint else latest_checkpoint(run_dir)
    if source is None or not is_checkpoint(source):
        raise ValueError(f"no training checkpoint found in {run_dir}")
    model = GPTDemoForCausalLM.from_pretrained(source).eval()
    tokenizer = load_tokenizer(source)
    model.generation_config = GenerationConfig(
        do_sample=True, temperature=0.8, top_k=0, top_p=0.9, max_new_tokens=100,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
    )
    checkpoints.save(model, tokenizer, out_dir)
    return Path(out_dir)


def read_metrics(run_dir: str | os.PathLike) -> list[dict]:
    path = Path(run_dir) / METRICS_FILE
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def sample_texts(model, tokenizer, prompts: list[str], top_ps=(0.5, 0.9, 1.0), max_new_tokens: int = 60,
                 temperature: float = 1.0, seed: int = 0) -> list[tuple[str, float, str]]:
    """(prompt, top_p, continuation) for every prompt and top_p, seeded so the card can be reproduced."""
    from .sampling import generate

    out = []
    for prompt in prompts:
        ids = torch.tensor([tokenizer(prompt, add_special_tokens=False)["input_ids"]])
        for top_p in top_ps:
            g = torch.Generator().manual_seed(seed)
            full = generate(model, ids, max_new_tokens, temperature=temperature, top_p=top_p,
                            eos_token_id=tokenizer.eos_token_id, generator=g)
            # decode prompt + continuation together, so the continuation keeps its leading space
            prompt_text = tokenizer.decode(ids[0].tolist(), skip_special_tokens=True)
            text = tokenizer.decode(full[0].tolist(), skip_special_tokens=True)[len(prompt_text):]
            out.append((prompt, top_p, text))
    return out


def model_card(model_dir: str | os.PathLike, title: str, metrics: list[dict], commands: list[str], data: str,
               hardware: str, prompts: list[str], notes: str = "") -> str:
    """A README.md for a trained model folder: how it was made, how well it does, what it writes."""
    from .tokenizer import load_tokenizer

    model_dir = Path(model_dir)
    model = GPTDemoForCausalLM.from_pretrained(model_dir).eval()
    tokenizer = load_tokenizer(model_dir)
    c = model.config
    n_params = sum(p.numel() for p in model.parameters())
    last = metrics[-1] if metrics else {}
    vals = [r for r in metrics if "val_loss" in r]
    val = vals[-1]["val_loss"] if vals else None
    lines = [
        f"# {title}",
        "",
        "A tiny LLaMA-style GPT (GPTDemo) trained from scratch on the project's own generated Korean + English "
        "stories, dialogues and concept explanations. Load it with:",
        "",
        "```python",
        "import gpt_demo  # registers the model type with transformers",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        f'model = AutoModelForCausalLM.from_pretrained("{model_dir.as_posix()}")',
        f'tokenizer = AutoTokenizer.from_pretrained("{model_dir.as_posix()}")',
        "```",
        "",
        "## How it was made",
        "",
        "```bash",
        *commands,
        "```",
        "",
        f"- Data: {data}",
        f"- Hardware: {hardware}",
        f"- Steps: {last.get('step')}, tokens seen: {last.get('tokens_seen'):,}" if last else "- Steps: n/a",
        f"- Wall time: {last.get('elapsed_s', 0) / 60:.1f} min, about {last.get('tok_per_s', 0):.0f} training tokens/s"
        if last else "",
        "",
        "## Architecture",
        "",
        "| field | value |",
        "|---|---|",
        f"| parameters | {n_params:,} ({n_params / 1e6:.2f} M) |",
        f"| layers × hidden | {c.num_hidden_layers} × {c.hidden_size} |",
        f"| heads (query / key-value) | {c.num_attention_heads} / {c.num_key_value_heads} (head_dim {c.head_dim}) |",
        f"| SwiGLU width | {c.intermediate_size} |",
        f"| vocabulary | {c.vocab_size} (SentencePiece BPE, byte fallback) |",
        f"| context | {c.max_position_embeddings} tokens, RoPE theta {c.rope_theta:g} |",
        f"| tied embeddings | {c.tie_word_embeddings} |",
        f"| special ids | <unk>=0, <s>={c.bos_token_id}, </s>={c.eos_token_id}, <pad>={c.pad_token_id} |",
        "",
        "## Results",
        "",
        f"- Final training loss: {last.get('loss')}" if last else "",
        f"- Validation loss (held-out text from another seed): {val} nats/token, perplexity {math.exp(val):.2f}"
        if val is not None else "- Validation loss: n/a",
        "",
        "![loss curve](loss.png)" if (model_dir / "loss.png").exists() else "",
        "",
        "## Samples",
        "",
        "Temperature 1.0, seed 0, at three top-p values. A higher top_p keeps more candidate tokens, so the text "
        "gets more varied; a lower one keeps fewer, so it gets more predictable.",
        "",
    ]
    for prompt, top_p, text in sample_texts(model, tokenizer, prompts):
        lines += [f"**top_p = {top_p}** — _{prompt}_", "", f"> {prompt}{text}".replace("\n", " "), ""]
    if notes:
        lines += ["## Notes", "", notes, ""]
    return "\n".join(line for line in lines if line is not None) + "\n"
