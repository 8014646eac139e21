"""From text to training batches: pre-tokenize once to a compact file, then cut random blocks from it.

Pre-training reads the same corpus many times, so it is tokenized once into a flat ``uint16`` array on disk
(2 bytes per token: every id fits because vocab_size <= 65535). Each paragraph is followed by ``</s>``, so
the model learns where a text ends. Training then takes random windows of ``block_size + 1`` tokens from
that array through ``np.memmap`` (the file is never loaded whole).

Two label conventions live here; know which one you hold:
  - ``TokenBlocks`` returns labels **already shifted** (nanoGPT style): ``labels[:, t]`` is the token that
    follows ``input_ids[:, t]``; compute the loss as ``cross_entropy(logits, labels)`` with no further shift.
  - ``collate_padded`` returns labels **unshifted** (transformers style): ``labels == input_ids`` except -100
    on positions that must not be learned; the model shifts them inside its loss.

(The corpus generator is ``gpt_demo.corpus``.)
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from .masking import pad_batch
from .tokenizer import HF_FILE, SPM_FILE, cached_tokenizer, encode_fast, tokenizer_fingerprint

__all__ = ["tokenize_to_memmap", "read_meta", "TokenBlocks", "collate_padded", "IGNORE_INDEX"]

IGNORE_INDEX = -100  # label value that torch's cross_entropy (and transformers' losses) skip
_FORMAT = 1  # bump when the .bin layout or the sidecar meaning changes
_DTYPE = np.uint16


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _meta_path(out_path: Path) -> Path:
    return out_path.with_name(out_path.name + ".json")


def read_meta(path: str | os.PathLike) -> dict:
    """The JSON sidecar written next to a token file by ``tokenize_to_memmap`` ({} if there is none)."""
    meta = _meta_path(Path(path))
    if not meta.is_file():
        return {}
    return json.loads(meta.read_text(encoding="utf-8"))


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp files are private (0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _tokenizer_facts(tokenizer_dir: Path) -> tuple[int, int]:
    """(vocab_size, eos_id) of a tokenizer folder, from SentencePiece when possible (fast, no conversion)."""
    if (tokenizer_dir / SPM_FILE).is_file() and not (tokenizer_dir / HF_FILE).is_file():
        import sentencepiece as spm

        sp = spm.SentencePieceProcessor(model_file=str(tokenizer_dir / SPM_FILE))
        return sp.get_piece_size(), sp.eos_id()
    tok = cached_tokenizer(tokenizer_dir)
    return len(tok), (tok.eos_token_id if tok.eos_token_id is not None else -1)


def _line_batches(path: Path, batch_lines: int) -> Iterator[list[str]]:
    """Non-blank lines of a UTF-8 file in lists of ``batch_lines`` (split on "\\n", a trailing "\\r" dropped)."""
    batch: list[str] = []
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            batch.append(line)
            if len(batch) >= batch_lines:
                yield batch
                batch = []
    if batch:
        yield batch


def tokenize_to_memmap(
    text_path: str | os.PathLike,
    tokenizer_dir: str | os.PathLike,
    out_path: str | os.PathLike,
    add_eos: bool = True,
    batch_lines: int = 4096,
    num_threads: int | None = None,
) -> int:
    """Tokenize a UTF-8 text file (one paragraph per line) into a flat uint16 token file; return its token count.

    Each non-blank line becomes its ids followed by ``</s>`` (``add_eos``); blank lines are skipped. Lines are
    encoded ``batch_lines`` at a time with SentencePiece's multithreaded encoder (``encode_fast``). The result
    goes to ``out_path`` (raw ``uint16``, read it with ``np.memmap(out_path, dtype=np.uint16, mode="r")``) and a
    sidecar ``out_path + ".json"`` records dtype, n_tokens, vocab_size, eos_id, the tokenizer's and the source's
    sha256 and the source size. If the sidecar matches the current text and tokenizer, nothing is recomputed.
    Both files are written to temporary names and renamed, so a crash never leaves a truncated file that
    looks finished.

    Raises ``FileNotFoundError`` for a missing text file or tokenizer, ``ValueError`` for text that is empty or
    not UTF-8, or a tokenizer whose ids do not fit uint16.
    """
    text_path, tokenizer_dir, out_path = Path(text_path), Path(tokenizer_dir), Path(out_path)
    if not text_path.is_file():
        raise FileNotFoundError(f"text file not found: {text_path}")
    if not isinstance(batch_lines, int) or batch_lines <= 0:
        raise ValueError(f"batch_lines must be a positive integer, got {batch_lines!r}")
    if not tokenizer_dir.is_dir():
        raise FileNotFoundError(f"tokenizer folder not found: {tokenizer_dir}")
    fingerprint = tokenizer_fingerprint(tokenizer_dir)  # FileNotFoundError if the folder holds no tokenizer
    vocab_size, eos_id = _tokenizer_facts(tokenizer_dir)
    if vocab_size > np.iinfo(_DTYPE).max:
        raise ValueError(f"this tokenizer has {vocab_size} tokens; ids above {np.iinfo(_DTYPE).max} do not fit "
                         f"in {np.dtype(_DTYPE).name}")
    if add_eos and eos_id < 0:
        raise ValueError("add_eos=True but the tokenizer has no end-of-text token")

    source = {"source_size": text_path.stat().st_size, "source_sha256": _sha256(text_path)}
    wanted = {"format": _FORMAT, "dtype": np.dtype(_DTYPE).name, "vocab_size": vocab_size,
              "eos_id": eos_id if add_eos else None, "tokenizer_sha256": fingerprint, **source}
    old = read_meta(out_path)
    if (old and all(old.get(k) == v for k, v in wanted.items()) and out_path.is_file()
            and out_path.stat().st_size == old.get("n_tokens", -1) * np.dtype(_DTYPE).itemsize):
        return int(old["n_tokens"])  # up to date

    out_path.parent.mkdir(parents=True, exist_ok=True)
    _meta_path(out_path).unlink(missing_ok=True)  # the old sidecar must never describe the new file
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    n_tokens = 0
    try:
        tokenizer = cached_tokenizer(tokenizer_dir)

        def encode(batch: list[str]) -> np.ndarray:  # runs in a worker thread: SentencePiece releases the GIL
            ids = encode_fast(tokenizer, batch, num_threads=num_threads)
            if add_eos:
                for row in ids:
                    row.append(eos_id)
            count = sum(len(row) for row in ids)
            return np.fromiter(itertools.chain.from_iterable(ids), dtype=_DTYPE, count=count)

        # Pipeline: batch k+1 is encoded while batch k is written and the next lines are read.
        with os.fdopen(fd, "wb") as f, ThreadPoolExecutor(max_workers=1) as pool:
            pending = None
            try:
                for batch in _line_batches(text_path, batch_lines):
                    job = pool.submit(encode, batch)
                    if pending is not None:
                        flat = pending.result()
                        flat.tofile(f)
                        n_tokens += len(flat)
                    pending = job
            except UnicodeDecodeError as e:
                raise ValueError(f"{text_path} is not valid UTF-8 text ({e.reason} at byte {e.start})") from e
            if pending is not None:
                flat = pending.result()
                flat.tofile(f)
                n_tokens += len(flat)
        if n_tokens == 0:
            raise ValueError(f"{text_path} has no text (empty or only blank lines): nothing to tokenize")
        os.chmod(tmp, 0o644)  # mkstemp files are private (0600)
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _atomic_write_text(_meta_path(out_path), json.dumps({**wanted, "n_tokens": n_tokens}, indent=2) + "\n")
    return n_tokens


class TokenBlocks:
    """Random contiguous blocks from a pre-tokenized file, as training batches.

    ``get_batch(B)`` picks B random start positions and returns ``(input_ids, labels)``, both LongTensors of
    shape (B, T) with ``T = block_size``: a window of T + 1 tokens, ``input_ids = window[:-1]`` and
    ``labels = window[1:]`` (already shifted; see the module docstring). Blocks may cross ``</s>``: the model
    sees where one paragraph ends and the next begins.

    Randomness comes from a ``torch.Generator`` seeded with ``seed`` (or one you pass in), so the batches are
    deterministic. ``state_dict()`` / ``load_state_dict()`` save and restore it: a resumed run draws exactly
    the batches the uninterrupted run would have drawn.
    """

    def __init__(self, path: str | os.PathLike, block_size: int, seed: int = 0):
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"token file not found: {path} (make it with tokenize_to_memmap)")
        if not isinstance(block_size, int) or block_size <= 0:
            raise ValueError(f"block_size must be a positive integer, got {block_size!r}")
        if path.stat().st_size == 0:
            raise ValueError(f"{path} is empty: no tokens to make blocks from")
        meta = read_meta(path)
        self.path = path
        self.block_size = block_size
        self.seed = seed
        self.tokens = np.memmap(path, dtype=np.dtype(meta.get("dtype", "uint16")), mode="r")  # (N,)
        if len(self.tokens) < block_size + 1:
            raise ValueError(f"{path} has {len(self.tokens)} tokens, too few for one block of "
                             f"block_size + 1 = {block_size + 1}; use a smaller block_size or more text")
        self.generator = torch.Generator().manual_seed(seed)

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    def _window(self, starts: np.ndarray) -> torch.Tensor:
        idx = starts[:, None] + np.arange(self.block_size + 1)  # (B, T+1) positions in the file
        return torch.from_numpy(self.tokens[idx].astype(np.int64))  # (B, T+1)

    def get_batch(self, batch_size: int, generator: torch.Generator | None = None,
                  device: str | torch.device | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(input_ids, labels)``, each (B, T) long. Uses ``generator`` if given, else this object's own."""
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        g = self.generator if generator is None else generator
        high = len(self.tokens) - self.block_size  # last valid start is N - (T + 1)
        starts = torch.randint(high, (batch_size,), generator=g).numpy()  # (B,)
        window = self._window(starts)  # (B, T+1)
        x, y = window[:, :-1], window[:, 1:]  # (B, T), (B, T)
        if device is not None:
            x, y = x.to(device), y.to(device)
        return x, y

    def sequential(self, batch_size: int, max_batches: int | None = None,
                   device: str | torch.device | None = None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Non-overlapping blocks in file order, for evaluation: block i is tokens ``[i*T, i*T + T]``.

        Yields ``(input_ids, labels)`` batches of up to ``batch_size`` blocks (the last may be smaller); covers
        every token except a tail shorter than one block. Does not touch the random generator.
        """
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        n_blocks = (len(self.tokens) - 1) // self.block_size
        starts = np.arange(n_blocks) * self.block_size
        for i, b in enumerate(range(0, n_blocks, batch_size)):
            if max_batches is not None and i >= max_batches:
                return
            window = self._window(starts[b:b + batch_size])
            x, y = window[:, :-1], window[:, 1:]
            if device is not None:
                x, y = x.to(device), y.to(device)
            yield x, y

    def state_dict(self) -> dict:
        """What a checkpoint needs to resume the same batch sequence."""
        return {"generator_state": self.generator.get_state(), "block_size": self.block_size,
                "n_tokens": len(self.tokens), "seed": self.seed}

    def load_state_dict(self, state: dict) -> None:
        if state.get("block_size") != self.block_size or state.get("n_tokens") != len(self.tokens):
            raise ValueError(
                f"this state is for block_size={state.get('block_size')} over {state.get('n_tokens')} tokens, "
                f"not block_size={self.block_size} over {len(self.tokens)}: the data changed since the checkpoint"
            )
        self.generator.set_state(state["generator_state"])


def collate_padded(
    sequences: Sequence[Sequence[int]],
    pad_id: int,
    side: str = "right",
    max_length: int | None = None,
    prompt_lengths: Sequence[int] | None = None,
) -> dict[str, torch.Tensor]:
    """Pad variable-length examples into a batch with labels for causal-LM training.

    Returns ``input_ids``, ``attention_mask`` and ``labels``, all (B, T) long. ``labels`` equals ``input_ids``
    (unshifted, transformers style) except ``-100`` wherever ``attention_mask`` is 0 (the pads) and, if
    ``prompt_lengths`` is given, on the first ``prompt_lengths[i]`` tokens of example i (instruction tuning
    learns only the answer). Pads are found from the mask, not by comparing with ``pad_id``, because the pad id
    may equal a real token (GPT-2 pads with EOS). Padding is ``masking.pad_batch``; ``max_length`` cuts long
    examples (keeping the start for right padding, the end for left padding) and shortens the prompt part by
    what was cut.
    """
    if prompt_lengths is not None:
        if len(prompt_lengths) != len(sequences):
            raise ValueError(f"prompt_lengths has {len(prompt_lengths)} entries for {len(sequences)} sequences")
        for i, (p, seq) in enumerate(zip(prompt_lengths, sequences)):
            if not isinstance(p, (int, np.integer)) or not 0 <= p <= len(seq):
                raise ValueError(f"prompt_lengths[{i}]={p!r} must be an integer in [0, {len(seq)}] "
                                 f"(the example has {len(seq)} tokens)")
    input_ids, attention_mask = pad_batch(sequences, pad_id, side=side, max_length=max_length)  # (B, T) each
    labels = input_ids.masked_fill(attention_mask == 0, IGNORE_INDEX)  # (B, T)
    if prompt_lengths is not None:
        T = input_ids.shape[1]
        for i, (p, seq) in enumerate(zip(prompt_lengths, sequences)):
            n = int(attention_mask[i].sum())  # real tokens kept after truncation
            cut = len(seq) - n  # tokens removed by max_length: from the end (right) or the start (left)
            kept_prompt = min(int(p), n) if side == "right" else max(int(p) - cut, 0)
            start = 0 if side == "right" else T - n  # column of the first real token
            labels[i, start:start + kept_prompt] = IGNORE_INDEX
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
