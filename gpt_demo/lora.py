"""LoRA with peft: train an adapter, save it, load it back safely, merge it with proof.

What LoRA is (and is not): the base model's weights stay **frozen**; beside each chosen linear layer
``W`` (here the attention projections ``q_proj`` and ``v_proj`` by default) a trainable low-rank update is
learned, ``ΔW = B·A · (alpha / r)`` with ``A`` (r × in) and ``B`` (out × r). ``B`` starts at zero, so the
adapted model starts out *identical* to the base. Only A and B are trained (well under 1 % of the
parameters), and they are saved apart from the base (a few hundred KB). LoRA is fine-tuning, not compression:
after merging, ``W' = W + B·A·(alpha/r)`` has exactly the base model's shape and size.

    add_lora(base, args)            -> PeftModel with fresh (zero-B) adapters   (peft.get_peft_model)
    train_lora(base, data, args)    -> (PeftModel, metrics)                     (accelerate, AdamW, warmup+cosine)
    load_adapter(model, folder)     -> PeftModel, after checking the adapter was made for this very base
    merge(peft_model)               -> (plain GPTDemoForCausalLM, max |Δlogits|) (peft.merge_and_unload)

**peft changes the base model in place**: ``get_peft_model`` and ``PeftModel.from_pretrained`` swap the
target ``nn.Linear`` modules of the model you pass for LoRA layers, and ``merge_and_unload`` writes the
merged weights into them. A base model shared by several users (the app) must therefore never be handed
to these functions directly: pass ``copy_base=True`` (a ``copy.deepcopy``) or load a fresh base.

The popular tools fail silently in three places; each one is checked here:
  - an adapter saved while still at its zero init (it changes nothing): after training and after loading,
    every ``lora_B`` must hold non-zero weights;
  - an adapter loaded onto another base, or whose keys do not match (peft only warns, and the model keeps
    its zero init): the adapter folder records the base's identity and every tensor is checked after loading;
  - a merged model that differs from the adapted one: ``merge`` compares logits in fp32 (≤ 1e-4).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import random
import shutil
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
from torch import nn

__all__ = [
    "LoraArgs", "AdapterError", "add_lora", "train_lora", "save_adapter", "load_adapter", "merge",
    "target_module_names", "base_identity", "parameter_counts", "lora_b_report", "adapter_card",
    "ADAPTER_CONFIG", "ADAPTER_WEIGHTS", "ADAPTER_INFO",
]

ADAPTER_CONFIG = "adapter_config.json"  # peft's LoraConfig
ADAPTER_WEIGHTS = "adapter_model.safetensors"  # peft's A and B matrices
ADAPTER_INFO = "gpt_demo_adapter.json"  # ours: which base the adapter belongs to, and how it was trained
STATE_FILE = "training_state.pt"
METRICS_FILE = "metrics.jsonl"
_INFO_FORMAT = 1
# The architecture fields that decide every tensor shape: an adapter for another shape cannot fit.
ARCH_FIELDS = ("model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
               "num_attention_heads", "num_key_value_heads", "head_dim", "tie_word_embeddings",
               "attention_bias", "mlp_bias")


class AdapterError(ValueError):
    """An adapter that is missing, made for another base, empty, or that did not load/merge correctly."""


# --- arguments ----------------------------------------------------------------------------------------
@dataclass
class LoraArgs:
    """Everything a LoRA fine-tuning run needs; every field has a ``finetune-lora`` flag of the same name."""

    r: int = 8  # rank of ΔW = B·A; 4-16 is plenty for a narrow task
    alpha: float = 16.0  # ΔW is scaled by alpha / r, so changing r keeps the update's size comparable
    dropout: float = 0.05  # dropout on the LoRA branch's input (training only)
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "v_proj"])  # as in the LoRA paper
    learning_rate: float = 2e-3  # LoRA tolerates (and needs) a higher rate than full fine-tuning
    max_steps: int = 300
    warmup_steps: int = 20
    min_lr_ratio: float = 0.1  # the cosine decays to learning_rate * min_lr_ratio
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    batch_size: int = 8
    max_length: int = 256  # longer examples are cut at the end (the answer's tail and its </s> are lost)
    seed: int = 0
    mask_prompt: bool = True  # learn only the answer tokens: the prompt is given, never generated
    eval_every: int = 50
    save_every: int = 100
    log_every: int = 10
    keep_last: int = 2  # training checkpoints kept while the run is going
    keep_checkpoints: bool = False  # keep out_dir/checkpoints/ after a finished run (else it is removed)
    mixed_precision: str = "auto"  # auto: bf16/fp16 on a GPU, none on CPU; or "no", "bf16", "fp16"
    resume: str | None = None  # "auto" (latest checkpoint in out_dir/checkpoints) or a checkpoint folder
    stop_after: int | None = None  # stop (as if interrupted) after this step; for testing resume
    progress: bool = True

    def validate(self, model: nn.Module | None = None) -> None:
        """Raise ValueError naming the first impossible field; with ``model``, also check the target modules."""
        for name in ("r", "max_steps", "batch_size", "max_length", "eval_every", "save_every", "log_every",
                     "keep_last"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                extra = " (the rank of the update B·A)" if name == "r" else ""
                raise ValueError(f"{name} must be a positive integer{extra}, got {value!r}")
        if not isinstance(self.alpha, (int, float)) or isinstance(self.alpha, bool) or self.alpha <= 0:
            raise ValueError(f"alpha must be a positive number, got {self.alpha!r}")
        if not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if not 0 < self.learning_rate < 1:
            raise ValueError(f"learning_rate must be in (0, 1), got {self.learning_rate!r}")
        if not 0 <= self.min_lr_ratio <= 1:
            raise ValueError(f"min_lr_ratio must be in [0, 1], got {self.min_lr_ratio!r}")
        if not isinstance(self.warmup_steps, int) or not 0 <= self.warmup_steps < self.max_steps:
            raise ValueError(f"warmup_steps must be in [0, max_steps={self.max_steps}), got {self.warmup_steps!r}")
        if self.weight_decay < 0 or self.grad_clip <= 0:
            raise ValueError("weight_decay must be >= 0 and grad_clip > 0")
        if self.mixed_precision not in ("auto", "no", "bf16", "fp16"):
            raise ValueError(f"mixed_precision must be auto, no, bf16 or fp16, got {self.mixed_precision!r}")
        if (isinstance(self.target_modules, str) or not self.target_modules
                or not all(isinstance(t, str) and t for t in self.target_modules)):
            raise ValueError(f"target_modules must be a non-empty list of module names, got {self.target_modules!r}")
        if model is not None:
            valid = target_module_names(model)
            unknown = [t for t in self.target_modules if t not in valid]
            if unknown:
                raise ValueError(f"unknown target module name(s) {unknown}: this model's linear layers are "
                                 f"{valid}")

    def lora_config(self):
        from peft import LoraConfig

        return LoraConfig(r=self.r, lora_alpha=self.alpha, lora_dropout=self.dropout,
                          target_modules=list(self.target_modules), bias="none", task_type="CAUSAL_LM")


def target_module_names(model: nn.Module) -> list[str]:
    """Names LoRA can target in this model: the linear layers inside the transformer blocks
    (``q_proj``, ``k_proj``, ``v_proj``, ``o_proj``, ``gate_proj``, ``up_proj``, ``down_proj``).
    ``lm_head`` is left out: it is often tied to the embeddings."""
    base = _unwrap(model)
    names = set()
    for full, module in base.named_modules():
        if isinstance(module, nn.Linear) and ".layers." in f".{full}" and "lora_" not in full:
            leaf = full.rsplit(".", 1)[-1]
            if leaf != "base_layer":
                names.add(leaf)
    return sorted(names)


# --- small helpers ------------------------------------------------------------------------------------
def _is_peft(model) -> bool:
    from peft import PeftModel

    return isinstance(model, PeftModel)


def _unwrap(model: nn.Module) -> nn.Module:
    """The transformers model inside a PeftModel (or the model itself)."""
    return model.get_base_model() if _is_peft(model) else model


def _has_lora_layers(model: nn.Module) -> bool:
    from peft.tuners.tuners_utils import BaseTunerLayer

    return any(isinstance(m, BaseTunerLayer) for m in model.modules())


def _strip_lora_layers(model: nn.Module) -> None:
    """Put the original linear layers back where peft injected LoRA layers (undo a failed injection)."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    for name, module in list(model.named_modules()):
        if isinstance(module, BaseTunerLayer) and name:
            parent_name, _, child = name.rpartition(".")
            parent = model.get_submodule(parent_name) if parent_name else model
            setattr(parent, child, module.get_base_layer())
    if "peft_config" in vars(model):
        del model.peft_config


def _base_parameters(model: nn.Module) -> dict[str, torch.Tensor]:
    """The base model's own parameters under their plain names (LoRA's ``.base_layer`` removed, lora_* skipped)."""
    out = {}
    for name, p in _unwrap(model).named_parameters():
        if "lora_" in name:
            continue
        out[name.replace(".base_layer.", ".")] = p
    return out


def parameter_counts(model: nn.Module) -> dict:
    """Trainable vs total parameters (and the percentage) of a model, LoRA layers included."""
    seen, trainable, total = set(), 0, 0
    for p in model.parameters():  # parameters() yields tied weights once
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += p.numel()
        trainable += p.numel() if p.requires_grad else 0
    return {"trainable_params": trainable, "total_params": total,
            "trainable_pct": round(100.0 * trainable / max(total, 1), 4)}


def lora_b_report(model: nn.Module) -> dict:
    """How many lora_B matrices there are, how many hold non-zero values, and the largest |value|."""
    bs = {n: p for n, p in model.named_parameters() if "lora_B" in n}
    zero = [n for n, p in bs.items() if not bool(p.detach().ne(0).any())]
    top = max((float(p.detach().abs().max()) for p in bs.values()), default=0.0)
    return {"lora_B_matrices": len(bs), "zero_lora_B": zero, "lora_B_abs_max": top}


def _require_nonzero_b(model: nn.Module, when: str) -> dict:
    report = lora_b_report(model)
    if report["lora_B_matrices"] == 0:
        raise AdapterError(f"{when}: the model has no lora_B weights at all (no adapter is attached)")
    if report["zero_lora_B"]:
        raise AdapterError(
            f"{when}: {len(report['zero_lora_B'])} of {report['lora_B_matrices']} lora_B matrices are all zero "
            f"(e.g. {report['zero_lora_B'][0]}); B starts at zero, so such an adapter changes nothing"
        )
    return report


# --- the base model's identity --------------------------------------------------------------------------
def _arch(config) -> dict:
    return {k: getattr(config, k, None) for k in ARCH_FIELDS}


def base_identity(model: nn.Module, n_probe: int = 8) -> dict:
    """A small record of which base model this is: its architecture, and ``n_probe`` weight values at fixed
    positions of every tensor (plus the tensor's RMS). Stored with an adapter; compared on load with a
    tolerance that accepts the same weights in bf16/fp16 and rejects another training run of the same shape."""
    base = _unwrap(model)
    arch = _arch(base.config)
    probe = {}
    with torch.no_grad():
        for name, p in _base_parameters(model).items():
            flat = p.detach().reshape(-1)
            idx = torch.linspace(0, flat.numel() - 1, steps=min(n_probe, flat.numel())).round().long()
            probe[name] = {"shape": list(p.shape), "values": flat[idx.to(flat.device)].float().cpu().tolist(),
                           "rms": float(flat.float().pow(2).mean().sqrt())}
    return {
        "name_or_path": str(getattr(base.config, "_name_or_path", "") or getattr(base, "name_or_path", "") or ""),
        "architecture": arch,
        "architecture_sha256": hashlib.sha256(json.dumps(arch, sort_keys=True).encode()).hexdigest(),
        "probe": probe,
    }


def _check_identity(recorded: dict, model: nn.Module, where: str) -> None:
    """Raise AdapterError if ``model`` is not the base the adapter was made for (shape first, then weights)."""
    base = _unwrap(model)
    made_for = recorded.get("name_or_path") or "an unnamed base"
    arch_now = _arch(base.config)
    arch_then = recorded.get("architecture", {})
    diffs = [f"{k} {arch_then.get(k)!r} (adapter) vs {arch_now.get(k)!r} (this model)"
             for k in ARCH_FIELDS if k in arch_then and arch_then.get(k) != arch_now.get(k)]
    if diffs:
        raise AdapterError(f"{where} was made for another shape of model ({made_for}): " + "; ".join(diffs))
    params = _base_parameters(model)
    probe = recorded.get("probe", {})
    missing = [n for n in probe if n not in params]
    if missing or len(probe) != len(params):
        raise AdapterError(f"{where} was made for another base ({made_for}): its parameter names differ "
                           f"(e.g. {(missing or sorted(set(params) - set(probe)))[:1]})")
    bad = []
    with torch.no_grad():
        for name, rec in probe.items():
            p = params[name]
            if list(p.shape) != rec["shape"]:
                raise AdapterError(f"{where} was made for another shape of model ({made_for}): {name} is "
                                   f"{rec['shape']} there, {list(p.shape)} here")
            flat = p.detach().reshape(-1)
            idx = torch.linspace(0, flat.numel() - 1, steps=len(rec["values"])).round().long()
            now = flat[idx.to(flat.device)].float().cpu()
            then = torch.tensor(rec["values"], dtype=torch.float32)
            # bf16 keeps ~3 significant digits: 1 % relative plus a sliver of the tensor's RMS absorbs it,
            # while another run's weights differ by about the RMS itself.
            if not torch.allclose(now, then, rtol=1e-2, atol=1e-3 * rec["rms"] + 1e-8):
                bad.append(name)
    if bad:
        raise AdapterError(
            f"{where} was made for another base model ({made_for}): same shape, but {len(bad)} of {len(probe)} "
            f"weight tensors differ (e.g. {bad[0]}). An adapter only makes sense on the exact weights it was "
            "trained beside"
        )


# --- adding LoRA layers -------------------------------------------------------------------------------
def add_lora(base: nn.Module, args: LoraArgs, copy_base: bool = False):
    """Wrap ``base`` in a PeftModel with fresh LoRA layers (A random, B zero: the output equals the base).

    peft modifies ``base`` **in place** (its target linears become LoRA layers); ``copy_base=True`` works on
    a deep copy and leaves ``base`` as it was. Asserts that every non-LoRA weight is frozen.
    """
    from peft import get_peft_model

    if _is_peft(base) or _has_lora_layers(base):
        raise ValueError("this model already has LoRA layers: start from the plain base model "
                         "(merge or unload the old adapter first)")
    args.validate(base)
    if copy_base:
        base = copy.deepcopy(base)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")  # harmless, from transformers
        model = get_peft_model(base, args.lora_config())
    for name, p in model.named_parameters():
        assert p.requires_grad == ("lora_" in name), f"{name}: requires_grad={p.requires_grad} after get_peft_model"
    return model


# --- training ----------------------------------------------------------------------------------------
class _Batches:
    """Shuffled passes over the examples, ``batch_size`` at a time; resumable (generator + position)."""

    def __init__(self, n: int, batch_size: int, seed: int):
        self.n, self.batch_size = n, batch_size
        self.generator = torch.Generator().manual_seed(seed)
        self.order: list[int] = []
        self.pos = 0

    def next(self) -> list[int]:
        out = []
        while len(out) < self.batch_size:
            if self.pos >= len(self.order):
                self.order = torch.randperm(self.n, generator=self.generator).tolist()
                self.pos = 0
            take = self.order[self.pos:self.pos + self.batch_size - len(out)]
            out += take
            self.pos += len(take)
        return out

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state(), "order": list(self.order), "pos": self.pos, "n": self.n}

    def load_state_dict(self, state: dict) -> None:
        if state["n"] != self.n:
            raise ValueError(f"the checkpoint was trained on {state['n']} examples, this data has {self.n}: "
                             "the data changed since the checkpoint")
        self.generator.set_state(state["generator"])
        self.order, self.pos = list(state["order"]), int(state["pos"])


def _encode_all(tokenizer, examples: list[dict], max_length: int) -> tuple[list[list[int]], list[int], int]:
    from .instructions import encode_example

    seqs, prompts, cut = [], [], 0
    for i, ex in enumerate(examples):
        ids, plen = encode_example(tokenizer, ex)
        if plen >= max_length:
            raise ValueError(f"example {i + 1}: its prompt alone has {plen} tokens, max_length is {max_length}; "
                             "shorten the instruction or raise max_length")
        cut += len(ids) > max_length
        seqs.append(ids)
        prompts.append(plen)
    return seqs, prompts, cut


def _batch(seqs, prompts, idx, pad_id, args: LoraArgs, device) -> dict:
    from .data import collate_padded

    b = collate_padded([seqs[i] for i in idx], pad_id, side="right", max_length=args.max_length,
                       prompt_lengths=[prompts[i] for i in idx] if args.mask_prompt else None)
    return {k: v.to(device) for k, v in b.items()}  # input_ids, attention_mask, labels: (B, T) each


def _loss_sum(model, batch) -> tuple[torch.Tensor, int]:
    """(mean loss over learned tokens, number of learned tokens) — the model shifts the labels itself."""
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"],
                use_cache=False)
    n = int((batch["labels"][:, 1:] != -100).sum())
    return out.loss, n


@torch.no_grad()
def _evaluate(model, seqs, prompts, pad_id, args: LoraArgs, device) -> float:
    """Mean loss per learned (answer) token over every validation example."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(seqs), args.batch_size):
        idx = list(range(start, min(start + args.batch_size, len(seqs))))
        loss, n = _loss_sum(model, _batch(seqs, prompts, idx, pad_id, args, device))
        if n:
            total += float(loss) * n
            count += n
    model.train(was_training)
    return total / max(count, 1)


def _checksum(params: dict[str, torch.Tensor]) -> torch.Tensor:
    return torch.stack([p.detach().double().sum() for p in params.values()]).cpu()


def _atomic_dir(final: Path, write) -> None:
    """Build a folder with ``write(tmp)`` next to ``final``, then swap it into place."""
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        write(tmp)
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_adapter_files(model, folder: Path, identity: dict, info: dict) -> None:
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "README.md").unlink(missing_ok=True)  # peft's empty template; adapter_card writes a real one
    record = {"format": _INFO_FORMAT, "base": identity, **info}
    (folder / ADAPTER_INFO).write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def save_adapter(model, out_dir: str | os.PathLike, identity: dict | None = None, info: dict | None = None) -> Path:
    """Write the adapter (adapter_config.json, adapter_model.safetensors, gpt_demo_adapter.json) into
    ``out_dir``. Files are written to a temporary folder first and renamed in one by one, so a crash never
    leaves a half-written file; other files in ``out_dir`` (metrics, README) are kept.

    ``identity`` is the base's :func:`base_identity`, taken *before* training (it is recomputed if None; the
    base weights are frozen, so both give the same). Refuses an adapter whose lora_B are all zero.
    """
    if not _is_peft(model):
        raise ValueError("save_adapter needs a PeftModel (from add_lora, train_lora or load_adapter)")
    _require_nonzero_b(model, "save_adapter")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    identity = identity or base_identity(model)
    tmp = out_dir / f".adapter.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _write_adapter_files(model, tmp, identity, info or {})
        for name in (ADAPTER_INFO, ADAPTER_CONFIG, ADAPTER_WEIGHTS):
            os.chmod(tmp / name, 0o644)  # readable like any other checkpoint file
            os.replace(tmp / name, out_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def _save_training_checkpoint(path: Path, model, identity, optimizer, scheduler, step, batches,
                              args: LoraArgs) -> None:
    def write(tmp: Path) -> None:
        _write_adapter_files(model, tmp, identity, {"step": step})
        torch.save({"step": step, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                    "rng": {"python": random.getstate(), "torch": torch.get_rng_state(),
                            **({"cuda": torch.cuda.get_rng_state_all()} if torch.cuda.is_available() else {})},
                    "data": batches.state_dict(), "args": asdict(args)}, tmp / STATE_FILE)

    _atomic_dir(path, write)


def _latest_checkpoint(ckpt_dir: Path) -> Path | None:
    found = [p for p in ckpt_dir.glob("checkpoint-*")
             if p.name.split("-")[-1].isdigit() and (p / STATE_FILE).is_file() and (p / ADAPTER_WEIGHTS).is_file()]
    return max(found, key=lambda p: int(p.name.split("-")[-1]), default=None)


def _as_examples(data, what: str) -> list[dict]:
    from .instructions import check_examples, load_instruction_file

    if isinstance(data, (str, os.PathLike)):
        return load_instruction_file(data)
    return check_examples(data, what)


def train_lora(base, data, args: LoraArgs, out_dir: str | os.PathLike | None = None, *, val_data=None,
               tokenizer=None, copy_base: bool = False, on_step=None):
    """Fine-tune a LoRA adapter on instruction data; return ``(peft_model, metrics)``.

    ``base``: a GPTDemoForCausalLM (then ``tokenizer`` is required) or a checkpoint folder/name (model and
    tokenizer are loaded fresh, in fp32). **A model object is modified in place** by peft (its target linears
    become LoRA layers; its weights stay untouched and frozen); pass ``copy_base=True`` to train on a deep copy.
    ``data`` / ``val_data``: lists of ``{instruction, input?, output}`` or paths to Alpaca JSON / JSON lines.

    Prompt tokens are masked out of the loss (``args.mask_prompt``), so only answers are learned. The loop
    is the pre-training one (accelerate, AdamW, warmup + cosine, gradient clipping). With ``out_dir``:
    metrics.jsonl and loss.png are written there, resumable checkpoints go to ``out_dir/checkpoints/``,
    and the finished adapter is saved into ``out_dir``. Without it nothing is written.

    Everything that can be wrong with the inputs (arguments, data, target modules) raises ValueError before
    anything is written or the model is touched. Afterwards it checks that the base weights did not move
    and that every lora_B holds non-zero values. ``metrics`` has the last step's loss and val_loss, the
    validation loss before training (``base_val_loss``), trainable/total parameters and the percentage.

    ``on_step(row, model)``, if given, is called after every step with that step's metrics row and the PeftModel
    (in train mode). Returning True stops the run there, as ``stop_after`` does (``finished`` is then False and,
    with ``out_dir``, only the training checkpoint of that step is written); ``metrics["stopped"]`` says so.
    """
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from tqdm.auto import tqdm

    from .training import lr_at, mixed_precision, plot_losses, prune_checkpoints

    args.validate()
    if isinstance(base, (str, os.PathLike)):
        from . import checkpoints

        base, loaded_tok = checkpoints.load(base, device="cpu", dtype="fp32")
        tokenizer = tokenizer if tokenizer is not None else loaded_tok
        copy_base = False  # a fresh load belongs to nobody else
    if tokenizer is None:
        raise ValueError("train_lora needs the tokenizer of the base model (tokenizer=...)")
    if _is_peft(base) or _has_lora_layers(base):
        raise ValueError("this model already has LoRA layers: start from the plain base model")
    args.validate(base)
    train_examples = _as_examples(data, "training data")
    val_examples = _as_examples(val_data, "validation data") if val_data is not None else []
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else base.config.pad_token_id
    seqs, prompts, cut = _encode_all(tokenizer, train_examples, args.max_length)
    vseqs, vprompts, _ = _encode_all(tokenizer, val_examples, args.max_length) if val_examples else ([], [], 0)
    if args.max_length > base.config.max_position_embeddings:
        raise ValueError(f"max_length={args.max_length} exceeds the model's context of "
                         f"{base.config.max_position_embeddings} tokens")

    resume_from = None
    out = Path(out_dir) if out_dir is not None else None
    ckpt_dir = out / "checkpoints" if out is not None else None
    if args.resume:
        if out is None:
            raise ValueError("resume needs out_dir (where the checkpoints are)")
        resume_from = _latest_checkpoint(ckpt_dir) if args.resume == "auto" else Path(args.resume)
        if resume_from is not None and not (resume_from / STATE_FILE).is_file():
            raise ValueError(f"--resume {args.resume}: not a LoRA training checkpoint (no {STATE_FILE})")
    if resume_from is not None:
        info = json.loads((resume_from / ADAPTER_INFO).read_text(encoding="utf-8"))
        _check_identity(info["base"], base, f"checkpoint {resume_from}")

    # --- from here on the model is changed and files may be written ---
    accelerator = Accelerator(mixed_precision=mixed_precision(args.mixed_precision),
                              cpu=not torch.cuda.is_available())
    set_seed(args.seed)
    identity = base_identity(base)
    model = add_lora(base, args, copy_base=copy_base)
    base_params = _base_parameters(model)
    before = _checksum(base_params)
    counts = parameter_counts(model)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.learning_rate, betas=(0.9, 0.999),
                                  weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_at(s, args))
    batches = _Batches(len(seqs), args.batch_size, args.seed)
    step = 0
    if resume_from is not None:
        from peft import set_peft_model_state_dict
        from safetensors.torch import load_file

        result = set_peft_model_state_dict(model, load_file(resume_from / ADAPTER_WEIGHTS))
        if getattr(result, "unexpected_keys", None):
            raise AdapterError(f"checkpoint {resume_from} does not fit these LoRA settings: unexpected "
                               f"{result.unexpected_keys[:2]}")
        state = torch.load(resume_from / STATE_FILE, weights_only=True)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        batches.load_state_dict(state["data"])
        random.setstate(state["rng"]["python"])
        torch.set_rng_state(state["rng"]["torch"])
        if "cuda" in state["rng"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["rng"]["cuda"])
        step = int(state["step"])
        accelerator.print(f"resumed from {resume_from} at step {step}")
    model, optimizer = accelerator.prepare(model, optimizer)
    device = accelerator.device
    model.train()

    metrics_path = out / METRICS_FILE if out is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        if resume_from is None and metrics_path.exists():
            metrics_path.unlink()  # a fresh run starts a fresh log

    def log(row: dict) -> None:
        if metrics_path is not None:
            with metrics_path.open("a") as f:
                f.write(json.dumps(row) + "\n")

    base_val = None
    if vseqs and resume_from is None:
        base_val = round(_evaluate(model, vseqs, vprompts, pad_id, args, device), 5)  # B = 0: the base itself
        log({"step": 0, "val_loss": base_val})
    elif metrics_path is not None and metrics_path.exists():
        rows = [json.loads(x) for x in metrics_path.read_text().splitlines() if x.strip()]
        base_val = next((r["val_loss"] for r in rows if r.get("step") == 0 and "val_loss" in r), None)

    start_step, t0 = step, time.perf_counter()
    last: dict = {"step": step}
    stopped = False  # by on_step
    bar = tqdm(total=args.max_steps, initial=step, disable=not args.progress, unit="step", dynamic_ncols=True)
    while step < args.max_steps:
        batch = _batch(seqs, prompts, batches.next(), pad_id, args, device)
        with accelerator.autocast():
            loss, n_tokens = _loss_sum(model, batch)
        accelerator.backward(loss)
        grad_norm = accelerator.clip_grad_norm_(trainable, args.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        scheduler.step()
        step += 1
        value = loss.item()
        if not math.isfinite(value):
            raise FloatingPointError(f"loss became {value} at step {step}; lower the learning rate")
        elapsed = time.perf_counter() - t0
        row = {"step": step, "loss": round(value, 5), "lr": scheduler.get_last_lr()[0],
               "grad_norm": round(float(grad_norm), 4), "answer_tokens": n_tokens, "elapsed_s": round(elapsed, 2),
               "steps_per_s": round((step - start_step) / max(elapsed, 1e-9), 3)}
        if vseqs and (step % args.eval_every == 0 or step == args.max_steps):
            row["val_loss"] = round(_evaluate(model, vseqs, vprompts, pad_id, args, device), 5)
        if step % args.log_every == 0 or "val_loss" in row or step == args.max_steps:
            log(row)
        bar.set_postfix(loss=f"{value:.3f}", **({"val": f"{row['val_loss']:.3f}"} if "val_loss" in row else {}))
        bar.update(1)
        last = row
        stop_requested = bool(on_step(dict(row), model)) if on_step is not None else False
        stopped = stop_requested and step < args.max_steps
        stopping = stop_requested or (args.stop_after is not None and step >= args.stop_after)
        if out is not None and (step % args.save_every == 0 or step == args.max_steps or stopping):
            _save_training_checkpoint(ckpt_dir / f"checkpoint-{step}", accelerator.unwrap_model(model), identity,
                                      optimizer, scheduler, step, batches, args)
            prune_checkpoints(ckpt_dir, args.keep_last)
            plot_losses(metrics_path, out / "loss.png")
        if stopping:
            break
    bar.close()
    model = accelerator.unwrap_model(model)
    model.eval()

    # --- the checks that catch silent failures ---
    if not torch.equal(before, _checksum(base_params)):
        raise AssertionError("a base weight changed during LoRA training: the base must stay frozen")
    frozen = all(not p.requires_grad for n, p in model.named_parameters() if "lora_" not in n)
    assert frozen, "a base weight is trainable"
    report = _require_nonzero_b(model, "after training") if step > 0 else lora_b_report(model)
    finished = step >= args.max_steps
    metrics = {**last, **counts, "base_val_loss": base_val, "train_examples": len(seqs),
               "val_examples": len(vseqs), "truncated_examples": cut,
               "lora_B_abs_max": report["lora_B_abs_max"], "seconds": round(time.perf_counter() - t0, 1),
               "finished": finished, "stopped": stopped, "r": args.r, "alpha": args.alpha,
               "target_modules": list(args.target_modules)}
    if out is not None and finished:
        info = {"lora": {"r": args.r, "alpha": args.alpha, "dropout": args.dropout,
                         "target_modules": list(args.target_modules)},
                "training": {k: metrics.get(k) for k in ("step", "loss", "val_loss", "base_val_loss",
                                                         "train_examples", "val_examples", "trainable_params",
                                                         "total_params", "trainable_pct")},
                "args": asdict(args)}
        save_adapter(model, out, identity, info)
        if not args.keep_checkpoints:
            shutil.rmtree(ckpt_dir, ignore_errors=True)
    return model, metrics


# --- loading ------------------------------------------------------------------------------------------
def _check_adapter_folder(path: Path, model) -> tuple[dict, dict]:
    """Everything about an adapter folder that can be checked without touching the model.
    Returns (our info record, {saved key: tensor})."""
    from safetensors.torch import load_file

    from .checkpoints import CorruptCheckpointError, read_safetensors_header

    if not path.is_dir():
        raise FileNotFoundError(f"adapter folder not found: {path}")
    needed = (ADAPTER_CONFIG, ADAPTER_WEIGHTS)
    missing = [n for n in needed if not (path / n).is_file()]
    if missing:
        present = sorted(p.name for p in path.iterdir())
        raise FileNotFoundError(f"{path} is not a complete LoRA adapter: missing {', '.join(missing)} "
                                f"(found: {', '.join(present) or 'nothing'}); an adapter folder needs "
                                f"{' and '.join(needed)}")
    if not (path / ADAPTER_INFO).is_file():
        raise AdapterError(f"{path} has no {ADAPTER_INFO}, so nothing says which base model it was made for; "
                           "only adapters saved by gpt_demo (train_lora / save_adapter) can be checked and loaded")
    try:
        info = json.loads((path / ADAPTER_INFO).read_text(encoding="utf-8"))
        config = json.loads((path / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise AdapterError(f"{path}: a damaged JSON file ({e})") from None
    if config.get("peft_type") != "LORA":
        raise AdapterError(f"{path}: not a LoRA adapter (peft_type {config.get('peft_type')!r})")
    _check_identity(info.get("base", {}), model, f"the adapter in {path}")
    # The shapes the adapter must have on this model: A (r, in), B (out, r) for every targeted linear.
    try:
        header = read_safetensors_header(path / ADAPTER_WEIGHTS)
    except CorruptCheckpointError as e:
        raise AdapterError(f"{path}: {e}") from None
    r, targets = config.get("r"), config.get("target_modules") or []
    if isinstance(targets, str):
        raise AdapterError(f"{path}: target_modules is a pattern ({targets!r}); gpt_demo adapters list names")
    unknown = [t for t in targets if t not in target_module_names(model)]
    if unknown:
        raise AdapterError(f"{path}: target modules {unknown} do not exist in this model")
    expected = {}
    for name, module in _unwrap(model).named_modules():
        if isinstance(module, nn.Linear) and name.rsplit(".", 1)[-1] in targets and ".layers." in f".{name}":
            prefix = f"base_model.model.{name}"
            expected[f"{prefix}.lora_A.weight"] = (r, module.in_features)
            expected[f"{prefix}.lora_B.weight"] = (module.out_features, r)
    found = {k: shape for k, (_, shape) in header.items()}
    if set(found) != set(expected):
        extra, lost = sorted(set(found) - set(expected)), sorted(set(expected) - set(found))
        raise AdapterError(f"{path}: the adapter's tensors do not match this model "
                           f"(unexpected: {extra[:2]}, missing: {lost[:2]})")
    wrong = [k for k in expected if tuple(found[k]) != tuple(expected[k])]
    if wrong:
        raise AdapterError(f"{path}: {wrong[0]} has shape {list(found[wrong[0]])}, this model needs "
                           f"{list(expected[wrong[0]])}")
    tensors = load_file(path / ADAPTER_WEIGHTS)
    zero = [k for k, t in tensors.items() if "lora_B" in k and not bool(t.ne(0).any())]
    if zero:
        raise AdapterError(f"{path}: {len(zero)} lora_B matrices are all zero (e.g. {zero[0]}): the adapter "
                           "was saved before training and would change nothing")
    return info, tensors


def load_adapter(model: nn.Module, path: str | os.PathLike, copy_base: bool = False):
    """Attach the LoRA adapter in ``path`` to ``model`` (the base it was trained on); return the PeftModel.

    Checks, before the model is touched: the folder has adapter_config.json and adapter_model.safetensors;
    it records the base it was made for (gpt_demo_adapter.json) and ``model`` is that base (same shape, same
    weights, in any dtype); its tensors have exactly the names and shapes this model needs; its lora_B hold
    non-zero values. After loading: every tensor in the model equals the file's. Any failure raises
    (FileNotFoundError / AdapterError) and leaves ``model`` as it was.

    Like peft, this injects LoRA layers into ``model`` **in place**; ``copy_base=True`` loads onto a deep copy.
    """
    from peft import PeftModel, get_peft_model_state_dict

    path = Path(path)
    if _is_peft(model) or _has_lora_layers(model):
        raise ValueError("this model already has LoRA layers: load the adapter onto the plain base model")
    info, tensors = _check_adapter_folder(path, model)
    target = copy.deepcopy(model) if copy_base else model
    was_training = target.training
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
            peft_model = PeftModel.from_pretrained(target, str(path), is_trainable=False)
        loaded = get_peft_model_state_dict(peft_model)
        if set(loaded) != set(tensors):
            raise AdapterError(f"{path}: after loading, the model's LoRA weights do not match the file's names")
        for k, t in tensors.items():
            now = loaded[k].detach().cpu()
            if not torch.equal(now, t.to(now.dtype)):  # the file's values, in the dtype peft keeps them in
                raise AdapterError(f"{path}: {k} did not load (the model's value differs from the file's)")
        _require_nonzero_b(peft_model, f"after loading {path}")
    except BaseException:
        _strip_lora_layers(target)
        target.train(was_training)
        raise
    peft_model.eval()
    return peft_model


# --- merging -------------------------------------------------------------------------------------------
def _sample_ids(config, device, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    T = min(32, config.max_position_embeddings)
    return torch.randint(0, config.vocab_size, (2, T), generator=g).to(device)  # (2, T)


def merge(model, sample_inputs: torch.Tensor | None = None, atol: float = 1e-4, copy_model: bool = False):
    """Fold the adapter into the base weights, W' = W + B·A·(alpha/r); return ``(merged, max_abs_diff)``.

    ``merged`` is a plain GPTDemoForCausalLM (no ``lora_`` weights, the base's exact size). Before and after
    merging, the logits on ``sample_inputs`` (default: two seeded random sequences of 32 tokens) are
    compared in fp32; ``max_abs_diff`` is the largest difference, and above ``atol`` an AdapterError is
    raised. peft merges **in place**: ``model`` is consumed (its base now holds the merged weights) unless
    ``copy_model=True``. A model in bf16/fp16 is merged and checked in fp32 (on a copy), then cast back.
    """
    if not _is_peft(model):
        raise ValueError("merge needs a model with a LoRA adapter (a PeftModel from train_lora or load_adapter)")
    dtype = next(iter(_base_parameters(model).values())).dtype
    if dtype != torch.float32:
        model = copy.deepcopy(model).float()
    elif copy_model:
        model = copy.deepcopy(model)
    model.eval()
    config = _unwrap(model).config
    device = next(model.parameters()).device
    ids = sample_inputs.to(device) if sample_inputs is not None else _sample_ids(config, device)
    with torch.no_grad():
        before = model(input_ids=ids, use_cache=False).logits.float()  # (B, T, V) base + adapter
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
            merged = model.merge_and_unload()
        after = merged(input_ids=ids, use_cache=False).logits.float()  # (B, T, V) merged weights only
    max_abs_diff = float((before - after).abs().max())
    leftovers = [k for k in merged.state_dict() if "lora_" in k]
    if leftovers or _has_lora_layers(merged):
        raise AdapterError(f"merge left LoRA weights behind: {leftovers[:2]}")
    if not math.isfinite(max_abs_diff) or max_abs_diff > atol:
        raise AdapterError(f"the merged model differs from the adapted one: max |Δlogits| = {max_abs_diff:.3g} "
                           f"> {atol:g}; the merge is wrong, do not use it")
    merged.eval()
    return (merged.to(dtype) if dtype != torch.float32 else merged), max_abs_diff


# --- model card -----------------------------------------------------------------------------------------
def adapter_card(out_dir: str | os.PathLike, model, tokenizer, metrics: dict, val_examples: Sequence[dict],
                 command: str, data: str, n_questions: int = 3, max_new_tokens: int = 100) -> str:
    """A README.md for an adapter folder: how it was made, its numbers, and before/after answers to
    held-out questions (greedy, through the shared template; "before" is the base with the adapter disabled)."""
    from .instructions import generate_answer

    out_dir = Path(out_dir)
    info = json.loads((out_dir / ADAPTER_INFO).read_text(encoding="utf-8")) if (out_dir / ADAPTER_INFO).is_file() \
        else {}
    base_name = info.get("base", {}).get("name_or_path") or "the base model"
    # direct questions, alternating languages, each about another concept (top-p and LoRA first: the two
    # the course glossary gets wrong)
    direct = [ex for ex in val_examples if not ex.get("input")] or list(val_examples)
    direct.sort(key=lambda ex: (ex.get("concept") not in ("top_p", "lora"), str(ex.get("concept"))))
    chosen: list[dict] = []
    used: set = set()
    for _ in range(len(direct)):
        lang = ("ko", "en")[len(chosen) % 2]
        ex = next((e for e in direct if e.get("lang", lang) == lang and e.get("concept") not in used
                   and e not in chosen), None) or next((e for e in direct if e not in chosen), None)
        if ex is None or len(chosen) >= n_questions:
            break
        chosen.append(ex)
        used.add(ex.get("concept"))
    rows = []
    for ex in chosen:
        with model.disable_adapter():
            before = generate_answer(model, tokenizer, ex["instruction"], ex.get("input"), max_new_tokens)
        after = generate_answer(model, tokenizer, ex["instruction"], ex.get("input"), max_new_tokens)
        rows.append((ex, before, after))
    _, merge_diff = merge(model, copy_model=True)  # the merge check, on a copy: the adapter stays attached
    pct = metrics.get("trainable_pct")
    lines = [
        f"# LoRA adapter for {base_name}",
        "",
        "Instruction-following adapter trained on the project's own Korean + English concept questions "
        "(padding and masks, torch.where / torch.full, checkpoints, top-p, half precision, CUDA, LoRA, ...). "
        "The base weights are untouched; this folder holds only the low-rank update ΔW = B·A·(alpha/r).",
        "",
        "```python",
        "import gpt_demo",
        "from gpt_demo import checkpoints, lora",
        f'base, tokenizer = checkpoints.load("{base_name}")',
        f'model = lora.load_adapter(base, "{out_dir.as_posix()}", copy_base=True)',
        "```",
        "",
        "## How it was made",
        "",
        "```bash",
        command,
        "```",
        "",
        f"- Data: {data}",
        f"- LoRA: r = {metrics.get('r')}, alpha = {metrics.get('alpha')}, targets = "
        f"{', '.join(metrics.get('target_modules') or [])}",
        f"- Trainable parameters: {metrics.get('trainable_params'):,} of {metrics.get('total_params'):,} "
        f"({pct}%)" if pct is not None else "",
        f"- Steps: {metrics.get('step')}, {metrics.get('train_examples')} training examples, "
        f"{metrics.get('val_examples')} held-out examples (their question phrasings never appear in training)",
        f"- Training loss (last step): {metrics.get('loss')}",
        f"- Validation loss on held-out questions: {metrics.get('base_val_loss')} before → "
        f"{metrics.get('val_loss')} after (nats per answer token)",
        f"- Merge check (`python -m gpt_demo merge-lora`): merged vs adapted logits differ by at most "
        f"{merge_diff:.2e} in fp32 (limit 1e-4); the merged model has the base's exact size",
        "",
        "![loss curve](loss.png)" if (out_dir / "loss.png").exists() else "",
        "",
        "## Before and after (held-out questions, greedy decoding)",
        "",
    ]
    for ex, before, after in rows:
        q = ex["instruction"] + (f" / {ex['input']}" if ex.get("input") else "")
        lines += [f"**Q:** {q}", "", f"- base: {before or '(nothing)'}".replace("\n", " "),
                  f"- with the adapter: {after or '(nothing)'}".replace("\n", " "),
                  f"- reference: {ex['output']}".replace("\n", " "), ""]
    text = "\n".join(lines) + "\n"
    tmp = out_dir / ".README.md.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out_dir / "README.md")
    return text


def args_from_namespace(ns) -> LoraArgs:
    """LoraArgs from an argparse namespace with the same field names."""
    names = {f.name for f in fields(LoraArgs)}
    return LoraArgs(**{k: v for k, v in vars(ns).items() if k in names and v is not None})
