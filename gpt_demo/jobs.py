"""Training jobs on a machine shared by many learners: a queue, a time limit, stop and resume, per-session folders.

The training tab of the app (``gpt_demo.ui.tab_train``) is a thin view over this module; nothing here imports
gradio, so the tests and scripts drive it directly::

    manager = JobManager(max_running=1, time_limit_s=600)
    plan = plan_scratch(manager.folder("learner-1"), text, settings_for("tiny"))
    job = manager.submit_scratch("learner-1", plan)
    while not job.done:
        print(job.snapshot()["rows"][-1:])      # step, loss, val_loss, tok_per_s, elapsed_s, eta_s
        time.sleep(1)
    job.result["folder"]                           # the trained model: config.json, model.safetensors, tokenizer
    job.result["zip"]                              # the same folder zipped, with a README.md model card

How a job runs:

- **One job per owner** (a session): a second ``submit`` while one is queued or running raises ``InputError``.
- **A global limit** (``max_running``, ``GPT_DEMO_MAX_JOBS``): jobs start in submission order; the others wait and
  ``position`` says where they are in the queue. One at a time on a CPU: two jobs on two cores only halve each
  other's speed, while a queue gives each learner the whole machine in turn.
- **A time limit** per job (``time_limit_s``, ``GPT_DEMO_JOB_SECONDS``), counted from its start (not from when it
  was queued). A job that reaches it stops like a learner's stop: a checkpoint is saved and ``resume`` continues.
- **Stop** is cooperative: ``training.train`` and ``lora.train_lora`` call ``on_step`` after every step, and the
  job answers True once it should stop. A from-scratch run then saves a checkpoint; ``resume`` queues a new job
  that continues from it with the same settings and data (the curve and the samples carry on).
- **Folders**: everything a job writes (the text, the tokenizer, token files, checkpoints, the exported model,
  the zip) goes into the owner's folder under one temporary root (``GPT_DEMO_JOBS_DIR`` or the system temp dir).
  ``leave(owner)`` cancels the owner's job and deletes that folder once the job has ended; folders of owners
  idle for ``session_ttl_s`` are deleted too (API clients never "leave"); ``cleanup()`` (at exit) deletes the root.
- **Progress**: every step adds a row (step, loss, val_loss when evaluated, tokens/s, elapsed, ETA) and every
  ``sample_every`` steps a sample continuation of a fixed prompt (seeded, so only the model changes between
  samples). ``snapshot()`` copies them under a lock for the UI.

Jobs run in threads of the serving process: the trained model then becomes a session's model without a copy
through another process, torch's kernels release the GIL, and the server stays responsive.
"""

from __future__ import annotations

import atexit
import copy
import hashlib
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("gpt_demo.jobs")

__all__ = [
    "MAX_TEXT_BYTES", "MIN_TEXT_CHARS", "PRESETS", "BOUNDS", "LORA_BOUNDS", "InputError",
    "ScratchSettings", "settings_for", "read_text_file", "check_text", "split_text",
    "ScratchPlan", "plan_scratch", "LoraPlan", "plan_lora", "examples_from_rows", "read_qa_file",
    "Job", "JobManager", "manager", "export_zip", "TERMINAL",
]

# --- limits and presets -----------------------------------------------------------------------------------------
MAX_TEXT_BYTES = 2 * 1024 * 1024  # 2 MB: about a novel; bigger texts would only make the learner wait longer
MIN_TEXT_CHARS = 1_000  # below this a model learns nothing worth watching, and the validation slice is empty
VAL_FRACTION = 0.1  # the last 10 % of the text is held out for the validation loss
CHARACTER_COVERAGE = 0.995  # rarer characters (rare Hangul syllables) become byte pieces: small vocabularies fit
MAX_QA_PAIRS = 200
MAX_QA_CHARS = 1_000  # per question or answer
MAX_QA_FILE_BYTES = 1024 * 1024
SAMPLE_TOKENS = 48  # new tokens in each progress sample

# tiny: measured on this project's 2-core CPU with 1 MB of the project's corpus. Quiet machine: ~23k training tokens/s
# (300 steps in 35 s, so the 400 steps take ~45 s); with other processes on the cores, 3-8k tokens/s. The run is
# seeded, so the losses do not depend on the speed: training 6.95 (about ln 1024, a uniform guess) -> 2.99,
# validation 5.13 (step 26) -> 2.82 (step 400); the sample shows English word shapes and quotes by step ~100 (about
# 12 s on the quiet machine) and sentence openings by step ~300. lr 5e-3 beats 3e-3 at this length.
# small: ~10x the compute per step (about 10 min on that CPU, inside the default time limit); meant for a GPU, where
# the same accelerate code trains in bf16/fp16.
PRESETS: dict[str, dict] = {
    "tiny": dict(num_hidden_layers=2, hidden_size=128, num_attention_heads=4, block_size=128, vocab_size=1024,
                 max_steps=400, learning_rate=5e-3, batch_size=16),
    "small": dict(num_hidden_layers=4, hidden_size=256, num_attention_heads=4, block_size=256, vocab_size=2048,
                  max_steps=500, learning_rate=2e-3, batch_size=16),
}
# (low, high) of every field a learner may set; anything outside is refused with the range in the message.
BOUNDS: dict[str, tuple] = {
    "num_hidden_layers": (1, 8),
    "hidden_size": (32, 512),
    "num_attention_heads": (1, 16),
    "block_size": (16, 512),
    "vocab_size": (300, 8192),  # 300 = tokenizer.MIN_VOCAB_SIZE: 4 special + 256 byte pieces + 40 real ones
    "max_steps": (10, 5000),
    "learning_rate": (1e-5, 5e-2),
}
LORA_BOUNDS: dict[str, tuple] = {"max_steps": (5, 500), "learning_rate": (1e-5, 5e-2)}
LORA_DEFAULTS = dict(max_steps=60, learning_rate=3e-3, r=8, alpha=16.0)

# job states; the last five are terminal
STATES = ("queued", "preparing", "training", "saving", "finished", "stopped", "timeout", "failed", "cancelled")
TERMINAL = frozenset(STATES[4:])


class InputError(ValueError):
    """Bad input a learner can fix. ``key`` names the message (the UI translates it), ``values`` fill it in;
    ``str(err)`` is the English message for scripts."""

    def __init__(self, key: str, message: str, **values):
        super().__init__(message)
        self.key = key
        self.values = values


# --- settings ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScratchSettings:
    """What a from-scratch run is: the model's shape, the tokenizer's size and the optimisation."""

    preset: str = "tiny"
    num_hidden_layers: int = 2
    hidden_size: int = 128
    num_attention_heads: int = 4
    block_size: int = 128  # the context length: tokens per training example
    vocab_size: int = 1024
    max_steps: int = 400
    learning_rate: float = 5e-3
    batch_size: int = 16
    seed: int = 0

    @property
    def intermediate_size(self) -> int:
        """SwiGLU width: about 8/3 of the hidden size (as in LLaMA), rounded up to a multiple of 16."""
        return -(-(8 * self.hidden_size // 3) // 16) * 16

    @property
    def eval_every(self) -> int:
        return max(5, self.max_steps // 15)

    @property
    def sample_every(self) -> int:
        return max(5, self.max_steps // 15)


def _number(name: str, value, integer: bool):
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or (integer and number != int(number)):
        kind = "a whole number" if integer else "a number"
        raise InputError("setting_type", f"{name} must be {kind}, got {value!r}", field=name, value=str(value))
    return int(number) if integer else number


def _bounded(name: str, value, bounds: dict[str, tuple]):
    low, high = bounds[name]
    number = _number(name, value, isinstance(low, int) and isinstance(high, int))
    if not low <= number <= high:
        raise InputError("setting_range", f"{name} must be between {low} and {high}, got {number}",
                         field=name, value=number, low=low, high=high)
    return number


def settings_for(preset: str = "tiny", **overrides) -> ScratchSettings:
    """The preset's settings with the learner's ``overrides`` (None = keep the preset's), each checked against
    ``BOUNDS``; InputError names the first bad field and its range."""
    if preset not in PRESETS:
        raise InputError("preset", f"preset must be one of {', '.join(PRESETS)}, got {preset!r}",
                         value=str(preset), presets=", ".join(PRESETS))
    values = dict(PRESETS[preset])
    for name, value in overrides.items():
        if name not in BOUNDS:
            raise TypeError(f"unknown setting {name!r}")
        if value is not None and value != "":
            values[name] = _bounded(name, value, BOUNDS)
    heads, hidden = values["num_attention_heads"], values["hidden_size"]
    if hidden % heads or (hidden // heads) % 2:
        raise InputError("heads", f"hidden_size={hidden} must be a multiple of 2 x num_attention_heads={heads} "
                         "(every head gets an even share: RoPE rotates pairs of dimensions)",
                         hidden=hidden, heads=heads)
    return ScratchSettings(preset=preset, **values)


# --- text --------------------------------------------------------------------------------------------------------
def read_text_file(path: str | os.PathLike, limit: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of an uploaded file; InputError for a file over ``limit`` bytes (checked before reading),
    binary data (NUL bytes) or bytes that are not UTF-8 (the position is named)."""
    path = Path(path)
    size = path.stat().st_size
    if size > limit:
        raise InputError("file_too_big", f"the file has {size:,} bytes, at most {limit:,} are accepted",
                         size=size, limit=limit)
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise InputError("binary_file", "the file holds binary data (NUL bytes): upload a UTF-8 .txt file",
                         name=path.name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError("not_utf8", f"the file is not UTF-8 text (byte {e.start}: {e.reason}); save it as UTF-8",
                         name=path.name, position=e.start) from None
    return text.removeprefix("\ufeff")


def check_text(text) -> str:
    """``text`` with Windows/Mac line ends made "\\n"; InputError when empty, whitespace only, over
    ``MAX_TEXT_BYTES`` in UTF-8, or shorter than ``MIN_TEXT_CHARS`` characters."""
    if text is None or text == "":
        raise InputError("text_empty", "the training text is empty")
    if not isinstance(text, str):
        raise InputError("text_empty", f"the training text must be text, got {type(text).__name__}")
    if not text.strip():
        raise InputError("text_whitespace", "the training text holds only whitespace")
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise InputError("text_too_big", f"the text has {size:,} bytes in UTF-8, at most {MAX_TEXT_BYTES:,}",
                         size=size, limit=MAX_TEXT_BYTES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    n = len(text.strip())
    if n < MIN_TEXT_CHARS:
        raise InputError("text_too_short", f"the text has {n:,} characters; a model needs at least "
                         f"{MIN_TEXT_CHARS:,} to learn anything", n=n, need=MIN_TEXT_CHARS)
    return text


def split_text(text: str, val_fraction: float = VAL_FRACTION) -> tuple[str, str]:
    """(train, validation): the last ``val_fraction`` of the text is held out. The cut moves forward to the next
    line break (or space) so no word is split, unless that would leave less than half the intended slice."""
    text = text.strip("\n")
    cut = int(len(text) * (1 - val_fraction))
    slack = int(len(text) * val_fraction / 2)
    for sep in ("\n", " "):
        at = text.find(sep, cut, len(text) - slack)
        if at != -1:
            cut = at
            break
    return text[:cut].strip("\n"), text[cut:].strip()


# --- a from-scratch run ----------------------------------------------------------------------------------------------
@dataclass
class ScratchPlan:
    """Files and settings of one from-scratch run, all inside ``folder`` (the owner's folder)."""

    settings: ScratchSettings
    folder: Path
    run_dir: Path
    train_file: Path
    val_file: Path
    sample_prompt: str
    chars: int
    tokenizer_dir: Path = field(init=False)

    def __post_init__(self):
        self.tokenizer_dir = self.run_dir / "tokenizer"

    def train_args(self, resume: bool):
        from .training import TrainArgs

        s = self.settings
        return TrainArgs(
            train_file=str(self.train_file), val_file=str(self.val_file), out_dir=str(self.run_dir),
            tokenizer=str(self.tokenizer_dir), vocab_size=s.vocab_size, hidden_size=s.hidden_size,
            intermediate_size=s.intermediate_size, num_hidden_layers=s.num_hidden_layers,
            num_attention_heads=s.num_attention_heads, num_key_value_heads=s.num_attention_heads,
            block_size=s.block_size, batch_size=s.batch_size, max_steps=s.max_steps, learning_rate=s.learning_rate,
            warmup_steps=min(30, s.max_steps // 10), eval_every=s.eval_every, eval_batches=4,
            save_every=10 * s.max_steps,  # checkpoints only when stopped and at the end: the disk is shared
            keep_last=1, log_every=1, seed=s.seed, progress=False, resume="auto" if resume else None,
        )


def default_prompt(text: str, max_chars: int = 24) -> str:
    """The first words of the text (what the model should learn to continue): up to three words of the first line."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    words = first.split()[:3]
    prompt = " ".join(words)[:max_chars]
    return prompt or first[:max_chars]


def plan_scratch(folder: str | os.PathLike, text, settings: ScratchSettings, sample_prompt: str | None = None
                 ) -> ScratchPlan:
    """Check the text, split off the validation slice and write both into a new run folder inside ``folder``."""
    text = check_text(text)
    prompt = (sample_prompt or "").strip() or default_prompt(text)
    if len(prompt) > 200:
        raise InputError("prompt_too_long", f"the sample prompt has {len(prompt)} characters, at most 200",
                         n=len(prompt), limit=200)
    train_text, val_text = split_text(text)
    folder = Path(folder)
    run_dir = folder / f"run-{uuid.uuid4().hex[:8]}"
    run_dir.mkdir(parents=True)
    (run_dir / "train.txt").write_text(train_text + "\n", encoding="utf-8")
    (run_dir / "val.txt").write_text(val_text + "\n", encoding="utf-8")
    return ScratchPlan(settings=settings, folder=folder, run_dir=run_dir, train_file=run_dir / "train.txt",
                       val_file=run_dir / "val.txt", sample_prompt=prompt, chars=len(text))


def _tokenizer_error(err: ValueError, vocab_size: int) -> InputError:
    """train_tokenizer's explanations of a vocabulary that does not fit the text, as InputErrors."""
    message = str(err)
    m = re.search(r"found only (\d+) pieces", message)
    if m:
        return InputError("vocab_too_big", f"vocab_size={vocab_size} is too large for this text: it has only "
                          f"{m.group(1)} distinct pieces; use a smaller vocabulary or more text",
                          vocab=vocab_size, max=int(m.group(1)))
    m = re.search(r"Use vocab_size >= (\d+)", message)
    if m:
        return InputError("vocab_too_small", f"vocab_size={vocab_size} is too small for this text's characters; "
                          f"use at least {m.group(1)}", vocab=vocab_size, min=int(m.group(1)))
    return InputError("tokenizer", f"the tokenizer could not be trained on this text: {message}",
                      detail=message.splitlines()[0][:300])


def _prepare(plan: ScratchPlan) -> dict:
    """Train the tokenizer on the training slice and tokenize both slices (``training.train`` reuses the token
    files); InputError when the vocabulary does not fit or a slice is shorter than one context window."""
    from .data import tokenize_to_memmap
    from .tokenizer import train_tokenizer

    s = plan.settings
    try:
        train_tokenizer([plan.train_file], plan.tokenizer_dir, s.vocab_size, character_coverage=CHARACTER_COVERAGE,
                        seed=s.seed)
    except ValueError as e:
        raise _tokenizer_error(e, s.vocab_size) from None
    counts = {}
    for split, path in (("train", plan.train_file), ("val", plan.val_file)):
        counts[split] = tokenize_to_memmap(path, plan.tokenizer_dir, plan.run_dir / "tokens" / f"{split}.bin")
        if counts[split] < s.block_size + 1:
            raise InputError("text_too_short_for_context",
                             f"the {split} slice has {counts[split]} tokens, fewer than one context window of "
                             f"{s.block_size} + 1; use more text or a shorter context",
                             split=split, tokens=counts[split], context=s.block_size)
    return counts


class Sampler:
    """A continuation of one fixed prompt, with a fixed seed: between two samples only the model has changed."""

    def __init__(self, tokenizer, prompt: str, context: int, max_new_tokens: int = SAMPLE_TOKENS, seed: int = 0):
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"] or [tokenizer.eos_token_id]
        self.ids = ids[-max(context // 2, 1):]  # a long prompt keeps its end: half the context is for new tokens
        self.max_new = min(max_new_tokens, context - len(self.ids))
        self.tokenizer, self.prompt, self.seed = tokenizer, prompt, seed

    def __call__(self, model) -> str:
        import torch

        from .sampling import generate_stream

        was_training = model.training
        model.eval()
        device = next(model.parameters()).device
        try:
            g = torch.Generator(device=device).manual_seed(self.seed)
            new = [int(t[0]) for t, _ in generate_stream(model, torch.tensor([self.ids], device=device), self.max_new,
                                                         temperature=0.8, top_p=0.95, generator=g)]
        finally:
            model.train(was_training)
        return decode_lines(self.tokenizer, list(self.ids) + new)


def decode_lines(tokenizer, ids: list[int]) -> str:
    """Decode ids, with every ``</s>`` (the end of a training line) shown as a line break."""
    eos, parts, current = tokenizer.eos_token_id, [], []
    for i in ids:
        if i == eos:
            parts.append(current)
            current = []
        else:
            current.append(i)
    parts.append(current)
    return "\n".join(tokenizer.decode(p, skip_special_tokens=True, clean_up_tokenization_spaces=False) for p in parts)


def _scratch_work(plan: ScratchPlan, resume: bool) -> Callable[[Job], None]:
    def work(job: Job) -> None:
        from .tokenizer import load_tokenizer
        from .training import latest_checkpoint, train

        s = plan.settings
        job.set_state("preparing")
        if not resume:
            job.info["tokens"] = _prepare(plan)
        tokenizer = load_tokenizer(plan.tokenizer_dir)
        if job.should_stop():
            return
        sampler = Sampler(tokenizer, plan.sample_prompt, s.block_size, seed=s.seed)
        job.set_state("training")

        def on_step(row: dict, model) -> bool:
            job.add_row(row)
            step = row["step"]
            if step == job.first_step or step % s.sample_every == 0 or step == s.max_steps:
                job.add_sample(step, sampler(model))
            return job.should_stop()

        metrics = train(plan.train_args(resume), on_step=on_step)
        if latest_checkpoint(plan.run_dir) is None:
            return  # stopped before the first step: nothing to export
        job.set_state("saving")
        job.result.update(_export_scratch(plan, job, metrics))

    return work


def _export_scratch(plan: ScratchPlan, job: Job, metrics: dict) -> dict:
    from .training import export_checkpoint

    folder = plan.folder / f"model-{job.id[:8]}"
    export_checkpoint(plan.run_dir, folder)
    rows = job.rows_copy()
    vals = [r for r in rows if "val_loss" in r]
    card = scratch_card(plan, rows, job.samples_copy(), metrics, job.info.get("tokens", {}))
    _write_text(folder / "README.md", card)
    return {"folder": folder, "zip": export_zip(folder, plan.folder / f"{folder.name}.zip"),
            "step": metrics.get("step"), "loss": rows[-1]["loss"] if rows else None,
            "val_loss": vals[-1]["val_loss"] if vals else None, "first_loss": rows[0]["loss"] if rows else None,
            "parameters": metrics.get("parameters"), "mixed_precision": metrics.get("mixed_precision")}


def scratch_card(plan: ScratchPlan, rows: list[dict], samples: list[dict], metrics: dict, tokens: dict) -> str:
    """A short README.md for a model a learner trained in the app (lighter than training.model_card: no
    re-generated samples, the ones seen while training are quoted)."""
    s = plan.settings
    vals = [r for r in rows if "val_loss" in r]
    last = rows[-1] if rows else {}
    lines = [
        "# A tiny GPT trained in the gpt_demo app",
        "",
        f"Trained from scratch on {plan.chars:,} characters of the learner's own text (the last "
        f"{VAL_FRACTION:.0%} held out for validation), preset `{s.preset}`.",
        "",
        "```python",
        "import gpt_demo  # registers the gpt_demo model type with transformers",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        'model = AutoModelForCausalLM.from_pretrained("path/to/this/folder")',
        'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")',
        "```",
        "",
        "| setting | value |",
        "|---|---|",
        f"| layers × hidden × heads | {s.num_hidden_layers} × {s.hidden_size} × {s.num_attention_heads} |",
        f"| context | {s.block_size} tokens |",
        f"| vocabulary | {s.vocab_size} (SentencePiece BPE, byte fallback) |",
        f"| parameters | {metrics.get('parameters') or 0:,} |",
        f"| steps | {last.get('step', 0)} of {s.max_steps} (batch {s.batch_size} × {s.block_size} tokens) |",
        f"| learning rate | {s.learning_rate:g} (warmup, then cosine) |",
        f"| tokens | {tokens.get('train', 0):,} train, {tokens.get('val', 0):,} validation |",
        f"| precision | {metrics.get('mixed_precision', 'no')} |",
        "",
        f"- Training loss: {rows[0]['loss'] if rows else 'n/a'} (step 1) → {last.get('loss', 'n/a')} "
        f"(step {last.get('step', 0)})",
        f"- Validation loss: {vals[-1]['val_loss']} nats/token" if vals else "- Validation loss: n/a",
        "",
        f"## Samples of the prompt _{plan.sample_prompt}_ while training (temperature 0.8, top-p 0.95, seed "
        f"{s.seed})",
        "",
    ]
    for sample in samples:
        lines += [f"**step {sample['step']}**", "", "> " + sample["text"].replace("\n", " ⏎ "), ""]
    return "\n".join(lines) + "\n"


# --- LoRA ------------------------------------------------------------------------------------------------------------
def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def examples_from_rows(rows) -> list[dict]:
    """Instruction examples from table rows ``[question, answer]`` (a pandas DataFrame, a list of lists, or
    gradio's ``{"headers", "data"}``). Blank rows are skipped; InputError names a half-filled row."""
    if rows is None:
        return []
    if hasattr(rows, "values") and hasattr(rows, "columns"):  # a pandas DataFrame
        rows = rows.values.tolist()
    elif isinstance(rows, dict):
        rows = rows.get("data") or []
    out = []
    for n, row in enumerate(rows, start=1):
        cells = [_cell(c) for c in (list(row) + ["", ""])[:2]]
        if not any(cells):
            continue
        if not all(cells):
            missing = "answer" if cells[0] else "question"
            raise InputError("qa_row", f"row {n} has no {missing}", row=n, missing=missing)
        for c in cells:
            if len(c) > MAX_QA_CHARS:
                raise InputError("qa_too_long", f"row {n}: at most {MAX_QA_CHARS} characters per cell",
                                 row=n, limit=MAX_QA_CHARS)
        out.append({"instruction": cells[0], "output": cells[1]})
    return out


def read_qa_file(path: str | os.PathLike) -> list[dict]:
    """Examples from an uploaded Alpaca JSON (or JSON lines) file; InputError names the line of a problem."""
    from .instructions import load_instruction_file

    path = Path(path)
    if path.stat().st_size > MAX_QA_FILE_BYTES:
        raise InputError("file_too_big", f"the file has {path.stat().st_size:,} bytes, at most "
                         f"{MAX_QA_FILE_BYTES:,}", size=path.stat().st_size, limit=MAX_QA_FILE_BYTES)
    try:
        examples = load_instruction_file(path)
    except ValueError as e:
        detail = str(e).replace(str(path), path.name).splitlines()[0][:300]
        raise InputError("qa_file", f"the Q&A file cannot be used: {detail}", detail=detail) from None
    for n, ex in enumerate(examples, start=1):
        if len(ex["instruction"]) + len(ex.get("input") or "") > MAX_QA_CHARS or len(ex["output"]) > MAX_QA_CHARS:
            raise InputError("qa_too_long", f"record {n}: at most {MAX_QA_CHARS} characters per question or answer",
                             row=n, limit=MAX_QA_CHARS)
    return examples


@dataclass
class LoraPlan:
    examples: list[dict]
    question: str  # the held-out question: answered before and after training, never trained on
    folder: Path
    max_steps: int = LORA_DEFAULTS["max_steps"]
    learning_rate: float = LORA_DEFAULTS["learning_rate"]
    r: int = LORA_DEFAULTS["r"]
    alpha: float = LORA_DEFAULTS["alpha"]

    def lora_args(self, context: int):
        from .lora import LoraArgs

        return LoraArgs(r=self.r, alpha=self.alpha, learning_rate=self.learning_rate, max_steps=self.max_steps,
                        warmup_steps=min(10, self.max_steps // 5), batch_size=min(8, len(self.examples)),
                        max_length=min(256, context), eval_every=10 * self.max_steps,
                        save_every=10 * self.max_steps, log_every=1, progress=False)


def plan_lora(folder: str | os.PathLike, examples: Sequence[dict], question, max_steps=None, learning_rate=None
              ) -> LoraPlan:
    """Check the examples, the held-out question (it must not be a training question) and the settings."""
    from .instructions import check_examples

    examples = list(examples)
    if not examples:
        raise InputError("qa_empty", "no question/answer pairs: type a few into the table or upload a JSON file")
    if len(examples) > MAX_QA_PAIRS:
        raise InputError("qa_too_many", f"{len(examples)} pairs, at most {MAX_QA_PAIRS}", n=len(examples),
                         limit=MAX_QA_PAIRS)
    examples = check_examples(examples, "Q&A pairs")
    question = _cell(question)
    if not question:
        raise InputError("qa_question", "type a held-out question to compare the answers before and after")
    if len(question) > MAX_QA_CHARS:
        raise InputError("qa_too_long", f"the question: at most {MAX_QA_CHARS} characters", row=0,
                         limit=MAX_QA_CHARS)
    if any(question == ex["instruction"].strip() and not (ex.get("input") or "").strip() for ex in examples):
        raise InputError("qa_not_held_out", "the held-out question is also a training question: then the "
                         "comparison shows memorising, not learning; ask it in other words")
    steps = LORA_DEFAULTS["max_steps"] if max_steps in (None, "") else _bounded("max_steps", max_steps, LORA_BOUNDS)
    lr = (LORA_DEFAULTS["learning_rate"] if learning_rate in (None, "")
          else _bounded("learning_rate", learning_rate, LORA_BOUNDS))
    return LoraPlan(examples=examples, question=question, folder=Path(folder), max_steps=steps, learning_rate=lr)


def _lora_work(plan: LoraPlan, base_model, tokenizer) -> Callable[[Job], None]:
    def work(job: Job) -> None:
        from . import checkpoints, lora
        from .instructions import generate_answer

        job.set_state("preparing")
        # a private fp32 copy: the shared model is never touched, and LoRA trains in fp32
        base = copy.deepcopy(base_model).float()
        base.requires_grad_(False)
        context = base.config.max_position_embeddings
        job.result["before"] = generate_answer(base, tokenizer, plan.question, max_new_tokens=60)
        if job.should_stop():
            return
        job.set_state("training")

        def on_step(row: dict, model) -> bool:
            job.add_row(row)
            return job.should_stop()

        model, metrics = lora.train_lora(base, plan.examples, plan.lora_args(context), tokenizer=tokenizer,
                                         on_step=on_step)
        if metrics["step"] == 0:
            return  # stopped before the first step: nothing learned
        job.set_state("saving")
        job.result["after"] = generate_answer(model, tokenizer, plan.question, max_new_tokens=60)
        merged, diff = lora.merge(model)  # consumes the private copy; checks merged == adapted logits
        folder = plan.folder / f"model-{job.id[:8]}"
        checkpoints.save(merged, tokenizer, folder)
        rows = job.rows_copy()
        _write_text(folder / "README.md", lora_card(plan, rows, metrics, job.result, diff))
        job.result.update({"folder": folder, "zip": export_zip(folder, plan.folder / f"{folder.name}.zip"),
                           "merge_diff": diff, "step": metrics["step"], "loss": metrics.get("loss"),
                           "first_loss": rows[0]["loss"] if rows else None,
                           "trainable_params": metrics.get("trainable_params"),
                           "total_params": metrics.get("total_params"), "trainable_pct": metrics.get("trainable_pct")})

    return work


def lora_card(plan: LoraPlan, rows: list[dict], metrics: dict, result: dict, diff: float) -> str:
    return "\n".join([
        "# A GPT fine-tuned with LoRA in the gpt_demo app (merged)",
        "",
        f"The learner's model, fine-tuned on {len(plan.examples)} question/answer pairs with LoRA (r = {plan.r}, "
        f"alpha = {plan.alpha:g}, q_proj and v_proj), then merged: W' = W + B·A·(alpha/r). Same size as the base.",
        "",
        "```python",
        "import gpt_demo",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        'model = AutoModelForCausalLM.from_pretrained("path/to/this/folder")',
        'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")',
        "```",
        "",
        f"- Steps: {metrics.get('step')} (learning rate {plan.learning_rate:g}); loss "
        f"{rows[0]['loss'] if rows else 'n/a'} → {metrics.get('loss')}",
        f"- Trainable while training: {metrics.get('trainable_params', 0):,} of {metrics.get('total_params', 0):,} "
        f"parameters ({metrics.get('trainable_pct')}%)",
        f"- Merge check: max |Δlogits| merged vs adapted = {diff:.2e}",
        "",
        f"**Held-out question:** {plan.question}",
        "",
        f"- before: {result.get('before') or '(nothing)'}".replace("\n", " "),
        f"- after: {result.get('after') or '(nothing)'}".replace("\n", " "),
        "",
    ]) + "\n"


# --- files ----------------------------------------------------------------------------------------------------------
def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def export_zip(folder: str | os.PathLike, zip_path: str | os.PathLike) -> Path:
    """Zip a model folder (config, safetensors, tokenizer files, README.md) under a top folder of the same name;
    written to a temporary name, then renamed."""
    folder, zip_path = Path(folder), Path(zip_path)
    tmp = zip_path.with_name(f".{zip_path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.iterdir()):
            if p.is_file() and not p.name.startswith("."):
                z.write(p, f"{folder.name}/{p.name}")
    os.replace(tmp, zip_path)
    return zip_path


# --- jobs -----------------------------------------------------------------------------------------------------------
class Job:
    """One training run of one owner. Threads other than the job's own read it through ``snapshot()``."""

    def __init__(self, owner: str, kind: str, max_steps: int, folder: Path):
        self.id = uuid.uuid4().hex
        self.owner, self.kind, self.max_steps, self.folder = owner, kind, max_steps, folder
        self.state = "queued"
        self.created = time.time()
        self.started: float | None = None  # monotonic
        self.ended: float | None = None  # monotonic
        self.deadline: float | None = None  # monotonic
        self.stop_reason: str | None = None  # "stopped" (by the learner), "timeout", "cancelled" (the learner left)
        self.error: BaseException | None = None
        self.result: dict = {}
        self.info: dict = {}
        self.plan = None  # the ScratchPlan, kept for resume
        self.first_step = 1  # the first step this job trains (> 1 when resuming)
        self.version = 0  # bumped on every change: watchers redraw only when it moved
        self._rows: list[dict] = []
        self._samples: list[dict] = []
        self._train_t0: tuple[int, float] | None = None  # (step, elapsed_s) of this job's first row
        self._lock = threading.Lock()
        self._done = threading.Event()

    # -- written by the job's thread --
    def set_state(self, state: str) -> None:
        with self._lock:
            self.state = state
            self.version += 1

    def add_row(self, row: dict) -> None:
        keep = {k: row[k] for k in ("step", "loss", "val_loss", "tok_per_s", "elapsed_s", "lr") if k in row}
        with self._lock:
            if self._train_t0 is None:
                self._train_t0 = (row["step"] - 1, 0.0)
            done_steps = row["step"] - self._train_t0[0]
            rate = done_steps / max(row.get("elapsed_s", 0.0), 1e-6)
            keep["eta_s"] = round((self.max_steps - row["step"]) / rate, 1) if rate > 0 else None
            keep["wall_s"] = round(time.monotonic() - (self.started or time.monotonic()), 1)
            self._rows.append(keep)
            self.version += 1

    def add_sample(self, step: int, text: str) -> None:
        with self._lock:
            self._samples.append({"step": step, "text": text})
            self.version += 1

    def rows_copy(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._rows]

    def samples_copy(self) -> list[dict]:
        with self._lock:
            return [dict(s) for s in self._samples]

    # -- control --
    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def request_stop(self, reason: str = "stopped") -> None:
        with self._lock:
            if self.stop_reason is None:
                self.stop_reason = reason
                self.version += 1

    def should_stop(self) -> bool:
        """True once a stop was requested or the time limit has passed (which then becomes the reason)."""
        if self.stop_reason is None and self.deadline is not None and time.monotonic() > self.deadline:
            self.request_stop("timeout")
        return self.stop_reason is not None

    def _finish(self, error: BaseException | None = None) -> None:
        with self._lock:
            self.error = error
            if error is not None:
                self.state = "failed"
            elif self.stop_reason is not None and not self._completed():
                self.state = self.stop_reason
            else:
                self.state = "finished"
            self.ended = time.monotonic()
            self.version += 1
        self._done.set()

    def _completed(self) -> bool:
        return bool(self._rows) and self._rows[-1]["step"] >= self.max_steps and "folder" in self.result

    def snapshot(self, position: int = 0) -> dict:
        """Everything a watcher shows, copied: state, queue position (0 = not waiting), rows, samples, result
        (paths as strings), error (``key``/``values`` for an InputError), elapsed seconds."""
        with self._lock:
            now = self.ended or time.monotonic()
            error = None
            if self.error is not None:
                error = {"key": getattr(self.error, "key", None), "values": dict(getattr(self.error, "values", {})),
                         "message": str(self.error) or type(self.error).__name__, "type": type(self.error).__name__}
            return {
                "id": self.id, "kind": self.kind, "state": self.state, "done": self._done.is_set(),
                "position": position, "max_steps": self.max_steps, "stop_reason": self.stop_reason,
                "rows": [dict(r) for r in self._rows], "samples": [dict(s) for s in self._samples],
                "result": {k: (str(v) if isinstance(v, Path) else v) for k, v in self.result.items()},
                "error": error, "version": self.version,
                "elapsed_s": round(now - self.started, 1) if self.started else 0.0,
            }


def _default_max_running() -> int:
    try:
        import torch

        if torch.cuda.is_available():
            return 2
    except ImportError:  # pragma: no cover
        pass
    return 1


class JobManager:
    """Runs jobs in threads, at most ``max_running`` at once, in submission order, each for at most
    ``time_limit_s`` seconds; one job per owner; every owner's files in ``folder(owner)``."""

    def __init__(self, root: str | os.PathLike | None = None, max_running: int | None = None,
                 time_limit_s: float | None = None, session_ttl_s: float | None = None):
        env = os.environ.get
        self.max_running = int(max_running or env("GPT_DEMO_MAX_JOBS") or _default_max_running())
        self.time_limit_s = float(time_limit_s or env("GPT_DEMO_JOB_SECONDS") or 600)
        self.session_ttl_s = float(session_ttl_s or env("GPT_DEMO_SESSION_TTL") or 4 * 3600)
        if self.max_running < 1 or self.time_limit_s <= 0:
            raise ValueError("max_running must be >= 1 and time_limit_s > 0")
        self._root_parent = root or env("GPT_DEMO_JOBS_DIR")
        self._root: Path | None = None
        self._cond = threading.Condition()
        self._waiting: list[Job] = []
        self._running: list[Job] = []
        self._jobs: dict[str, Job] = {}  # owner -> latest job
        self._seen: dict[str, float] = {}  # owner -> last activity (time.time())
        self._left: set[str] = set()
        self._threads: list[threading.Thread] = []

    # -- folders --
    @property
    def root(self) -> Path:
        with self._cond:
            if self._root is None:
                parent = self._root_parent
                if parent is not None:
                    Path(parent).mkdir(parents=True, exist_ok=True)
                self._root = Path(tempfile.mkdtemp(prefix="gpt_demo-train-", dir=parent))
            return self._root

    def folder(self, owner: str, create: bool = True) -> Path:
        """The owner's private folder (a hash of the owner, so a session id never becomes a path)."""
        folder = self.root / ("s-" + hashlib.sha256(owner.encode()).hexdigest()[:20])
        if create:
            with self._cond:
                if owner in self._left:
                    raise InputError("session_left", "this session has ended; reload the page")
                self._seen[owner] = time.time()
            folder.mkdir(exist_ok=True)
        return folder

    def _remove_folder(self, owner: str) -> None:
        shutil.rmtree(self.folder(owner, create=False), ignore_errors=True)

    # -- submitting --
    def _check_free(self, owner: str) -> None:
        current = self._jobs.get(owner)
        if current is not None and not current.done:
            raise InputError("job_running", "a training job of this session is still queued or running: stop it "
                             "or wait for it to end", state=current.state)

    def submit(self, owner: str, kind: str, work: Callable[[Job], None], max_steps: int, plan=None,
               history: tuple[list[dict], list[dict]] | None = None) -> Job:
        """Queue ``work(job)`` for ``owner``; InputError if the owner already has a job queued or running."""
        self.sweep()
        folder = self.folder(owner)
        with self._cond:
            self._check_free(owner)
            job = Job(owner, kind, max_steps, folder)
            job.plan = plan
            if history:
                job._rows, job._samples = [dict(r) for r in history[0]], [dict(s) for s in history[1]]
                job.first_step = (history[0][-1]["step"] + 1) if history[0] else 1
            self._jobs[owner] = job
            self._waiting.append(job)
            thread = threading.Thread(target=self._run, args=(job, work), name=f"gpt_demo-job-{job.id[:8]}",
                                      daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    def submit_scratch(self, owner: str, plan: ScratchPlan) -> Job:
        """Queue a from-scratch run. The owner's previous run folder (its checkpoint, kept for resume) is deleted:
        only the latest run can be resumed. Exported models stay until the owner leaves."""
        previous = self.job_of(owner)
        try:
            job = self.submit(owner, "scratch", _scratch_work(plan, resume=False), plan.settings.max_steps,
                              plan=plan)
        except InputError:
            shutil.rmtree(plan.run_dir, ignore_errors=True)
            raise
        if previous is not None and previous.plan is not None and previous.plan.run_dir != plan.run_dir:
            shutil.rmtree(previous.plan.run_dir, ignore_errors=True)
        return job

    def resume(self, owner: str) -> Job:
        """Continue the owner's last from-scratch run from its checkpoint, as a new job at the back of the queue."""
        from .training import latest_checkpoint

        with self._cond:
            self._check_free(owner)
            last = self._jobs.get(owner)
        if last is None or last.kind != "scratch" or last.plan is None:
            raise InputError("nothing_to_resume", "there is no stopped training run in this session to resume")
        ckpt = latest_checkpoint(last.plan.run_dir)
        if ckpt is None:
            raise InputError("nothing_to_resume", "the last run was stopped before its first step: start a new one")
        step = int(ckpt.name.split("-")[-1])
        if step >= last.plan.settings.max_steps:
            raise InputError("already_finished", "the last run already finished all its steps: start a new run "
                             "(with more steps) instead", steps=step)
        rows = [r for r in last.rows_copy() if r["step"] <= step]
        samples = [s for s in last.samples_copy() if s["step"] <= step]
        job = self.submit(owner, "scratch", _scratch_work(last.plan, resume=True), last.plan.settings.max_steps,
                          plan=last.plan, history=(rows, samples))
        job.info["tokens"] = last.info.get("tokens", {})
        return job

    def submit_lora(self, owner: str, plan: LoraPlan, base_model, tokenizer) -> Job:
        return self.submit(owner, "lora", _lora_work(plan, base_model, tokenizer), plan.max_steps)

    # -- the worker --
    def _run(self, job: Job, work: Callable[[Job], None]) -> None:
        with self._cond:
            while job.stop_reason is None and not (self._waiting[0] is job and len(self._running) < self.max_running):
                self._cond.wait(0.25)
            self._waiting.remove(job)
            if job.stop_reason is not None:  # stopped (or the learner left) while waiting
                self._cond.notify_all()
                job._finish()
                self._cleanup_if_left(job)
                return
            self._running.append(job)
            job.started = time.monotonic()
            job.deadline = job.started + self.time_limit_s
        error = None
        try:
            work(job)
        except InputError as e:
            error = e
        except Exception as e:  # noqa: BLE001 - a failed job is reported, never crashes the server
            log.exception("training job %s failed", job.id)
            error = e
        finally:
            job._finish(error)
            with self._cond:
                self._running.remove(job)
                if job.owner not in self._left:
                    self._seen[job.owner] = time.time()
                self._cond.notify_all()
                self._cleanup_if_left(job)

    def _cleanup_if_left(self, job: Job) -> None:
        if job.owner in self._left:
            self._remove_folder(job.owner)

    # -- watching and control --
    def job_of(self, owner: str) -> Job | None:
        with self._cond:
            return self._jobs.get(owner)

    def position(self, job: Job) -> int:
        """1 for the next job to start, 2 for the one after it, ...; 0 when the job is not waiting."""
        with self._cond:
            return self._waiting.index(job) + 1 if job in self._waiting else 0

    def snapshot(self, job: Job) -> dict:
        snap = job.snapshot(self.position(job))
        with self._cond:
            snap["running"] = len(self._running)
            snap["waiting"] = len(self._waiting)
        snap["max_running"], snap["time_limit_s"] = self.max_running, self.time_limit_s
        return snap

    def stop(self, owner: str) -> Job | None:
        """Ask the owner's job to stop (it ends after the current step); None when nothing is running."""
        job = self.job_of(owner)
        if job is None or job.done:
            return None
        job.request_stop("stopped")
        with self._cond:
            self._cond.notify_all()
        return job

    def leave(self, owner: str) -> None:
        """The owner has gone: cancel their job and delete their folder (now, or when the job has ended)."""
        with self._cond:
            self._left.add(owner)
            job = self._jobs.pop(owner, None)
            self._seen.pop(owner, None)
            active = job is not None and not job.done
            if active:
                job.request_stop("cancelled")
                self._cond.notify_all()
        if not active and self._root is not None:
            self._remove_folder(owner)

    def sweep(self) -> list[str]:
        """Delete the folders of owners idle for longer than ``session_ttl_s`` (no job queued or running)."""
        now, gone = time.time(), []
        with self._cond:
            for owner, seen in list(self._seen.items()):
                job = self._jobs.get(owner)
                if now - seen > self.session_ttl_s and (job is None or job.done):
                    gone.append(owner)
                    self._seen.pop(owner, None)
                    self._jobs.pop(owner, None)
        for owner in gone:
            self._remove_folder(owner)
        return gone

    def cleanup(self, timeout: float = 10.0) -> None:
        """Cancel every job, wait up to ``timeout`` seconds for them, delete the root folder."""
        with self._cond:
            jobs = list(self._jobs.values())
            threads = list(self._threads)
            for job in jobs:
                job.request_stop("cancelled")
            self._cond.notify_all()
        end = time.monotonic() + timeout
        for t in threads:
            t.join(max(0.0, end - time.monotonic()))
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None


_manager: JobManager | None = None
_manager_lock = threading.Lock()


def manager() -> JobManager:
    """The server's JobManager (created on first use; its folders are deleted when the process exits)."""
    global _manager
    with _manager_lock:
        if _manager is None:
            _manager = JobManager()
            atexit.register(_manager.cleanup, 5.0)
        return _manager

