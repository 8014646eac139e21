"""What the app's tabs show, computed by the real library: plain functions that return plain data.

Each function here runs the same code a learner would run (``pieces``, ``pad_batch``, ``padding_mask``,
``combined_mask``, ``generate_stream``, ``nucleus``...) and returns lists, numbers and small tensors for
display. Nothing here imports gradio, so every number the app shows can be checked in a test or a notebook.

Sections: tokenization, padding and masks (with the proof that the mask works), ``torch.where``,
next-token distributions and generation traces (top-p), and top-p side by side.
"""

from __future__ import annotations

import ast
import math
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import torch

from .masking import causal_mask, combined_mask, pad_batch, padding_mask, position_ids
from .sampling import apply_temperature, check_sampling_args, generate_stream, nucleus, top_k_filter
from .tokenizer import MIN_VOCAB_SIZE, StreamDecoder, pieces, train_tokenizer

# Limits that keep every answer within a few seconds on a small CPU.
MAX_TOKENIZE_CHARS = 20_000  # one text in the tokenizer tab
MAX_TRAIN_CHARS = 200_000  # text pasted to train a tokenizer
MAX_TRAIN_VOCAB = 4_000
MAX_SENTENCES = 8  # rows of the padded batch
MAX_SENTENCE_TOKENS = 64  # columns of the padded batch
MAX_WHERE_ELEMENTS = 256  # torch.where playground


# --- tokenization --------------------------------------------------------------------------------
def token_report(tokenizer, text: str) -> dict:
    """How ``text`` is cut into tokens, with counts and the decode round trip.

    Returns ``{"pieces": [{"id", "piece", "text", "is_byte", "is_special"}...], "ids", "n_chars", "n_tokens",
    "tokens_per_char", "n_byte_pieces", "decoded", "roundtrip_ok"}``. ``roundtrip_ok`` is
    ``decode(encode(text)) == text`` (SentencePiece is lossless; byte fallback keeps rare characters exact).
    """
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    if len(text) > MAX_TOKENIZE_CHARS:
        raise ValueError(f"the text has {len(text)} characters; the limit here is {MAX_TOKENIZE_CHARS}")
    rows = pieces(tokenizer, text)
    ids = [r["id"] for r in rows]
    decoded = tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)
    return {
        "pieces": [{k: r[k] for k in ("id", "piece", "text", "is_byte", "is_special")} for r in rows],
        "ids": ids,
        "n_chars": len(text),
        "n_tokens": len(ids),
        "tokens_per_char": round(len(ids) / len(text), 3) if text else 0.0,
        "n_byte_pieces": sum(r["is_byte"] for r in rows),
        "decoded": decoded,
        "roundtrip_ok": decoded == text,
    }


def train_small_tokenizer(training_text: str, vocab_size: int, model_type: str = "bpe",
                          out_dir: str | Path | None = None):
    """Train a SentencePiece tokenizer on pasted text, within limits that answer in seconds.

    Returns the transformers tokenizer. ``out_dir`` defaults to a fresh temporary folder.
    Raises ValueError (too much text, vocab out of range, vocab too large for this text, ...).
    """
    if not training_text or not training_text.strip():
        raise ValueError("the training text is empty")
    if len(training_text) > MAX_TRAIN_CHARS:
        raise ValueError(f"the training text has {len(training_text)} characters; the limit is {MAX_TRAIN_CHARS}")
    if not isinstance(vocab_size, int) or not MIN_VOCAB_SIZE <= vocab_size <= MAX_TRAIN_VOCAB:
        raise ValueError(f"vocab_size must be between {MIN_VOCAB_SIZE} and {MAX_TRAIN_VOCAB}, got {vocab_size!r}")
    out_dir = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="gpt-demo-tok-")) / "tok"
    return train_tokenizer([training_text], out_dir, vocab_size, model_type=model_type, num_threads=1)


# --- padding and masks ---------------------------------------------------------------------------
def split_sentences(text: str) -> list[str]:
    """One sentence per non-blank line, stripped of the line ending only."""
    return [line.rstrip("\r") for line in (text or "").split("\n") if line.strip()]


def display_piece(tokenizer, token_id: int) -> str:
    """A short, readable label for one token: its vocabulary piece ("▁나는", "<0xEC>", "<pad>")."""
    return tokenizer.convert_ids_to_tokens(int(token_id))


def padding_walkthrough(tokenizer, sentences: Sequence[str], side: str = "right",
                        max_length: int | None = None) -> dict:
    """Every tensor of the padding story for a batch of sentences, step by step.

    1. ``input_ids = torch.full((B, T), pad_id)``, then each sentence's ids copied in (``pad_batch``);
    2. ``mask = input_ids != pad_id`` (``padding_mask``), True at real tokens;
    3. ``causal = causal_mask(T)``: query i may look at keys j <= i;
    4. ``allowed = causal & mask[:, None, :]`` (``combined_mask``), (B, T, T);
    5. ``bias = torch.where(allowed, 0.0, -inf)``, added to the attention scores;
    6. ``position_ids = mask.cumsum(-1) - 1`` with pads at 0, so left padding does not shift positions.

    Returns tensors (``input_ids``, ``attention_mask``, ``mask``, ``causal``, ``allowed``, ``bias``,
    ``position_ids``) and ``tokens`` (B lists of T pieces), ``pad_id``, ``lengths``.
    """
    sentences = [s for s in sentences if s.strip()]
    if not sentences:
        raise ValueError("no sentences: write at least one non-blank line")
    if len(sentences) > MAX_SENTENCES:
        raise ValueError(f"{len(sentences)} sentences; the limit here is {MAX_SENTENCES}")
    pad_id = tokenizer.pad_token_id
    if pad_id is None:
        raise ValueError("this tokenizer defines no pad token, so there is nothing to pad with")
    if max_length is not None and max_length <= 0:
        max_length = None
    limit = MAX_SENTENCE_TOKENS if max_length is None else min(max_length, MAX_SENTENCE_TOKENS)
    ids = [tokenizer.encode(s, add_special_tokens=False) for s in sentences]
    if all(len(row) == 0 for row in ids):
        raise ValueError("every sentence encodes to zero tokens")
    input_ids, _ = pad_batch(ids, pad_id, side=side, max_length=limit)  # (B, T), starts as torch.full(pad_id)
    mask = padding_mask(input_ids, pad_id)  # (B, T) bool, True = real token
    attention_mask = mask.long()  # what the model gets: 1 = attend, 0 = pad (a pad id typed as text is a pad too)
    T = input_ids.shape[1]
    causal = causal_mask(T)  # (T, T) bool
    allowed = combined_mask(attention_mask, T)[:, 0]  # (B, T, T) bool
    bias = torch.where(allowed, 0.0, float("-inf"))  # (B, T, T): 0 = keep the score, -inf = weight 0
    return {
        "sentences": sentences,
        "pad_id": int(pad_id),
        "pad_token": tokenizer.convert_ids_to_tokens(int(pad_id)),
        "side": side,
        "lengths": [int(n) for n in attention_mask.sum(-1)],
        "truncated": any(len(row) > limit for row in ids),
        "limit": limit,
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "mask": mask,
        "causal": causal,
        "allowed": allowed,
        "bias": bias,
        "position_ids": position_ids(attention_mask),
        "tokens": [[display_piece(tokenizer, i) for i in row] for row in input_ids.tolist()],
    }


@torch.inference_mode()
def padding_proof(model, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> dict:
    """Does the mask make padding harmless? Compare each sentence's logits in the batch with it run alone.

    ``with_mask``: the padded batch with its attention mask and pad-skipping positions vs each sentence alone,
    over real tokens only: ~1e-6 (float rounding). ``without_mask``: the same batch with the mask removed
    (positions kept): under left padding the real tokens now attend to the pads before them, so the logits
    change a lot; under right padding the pads come after every real token and the causal rule alone already
    hides them, so nothing changes. Returns max abs diffs (overall and per sentence).
    """
    device = model.device
    input_ids = input_ids.to(device)
    attention_mask = attention_mask.to(device)
    pos = position_ids(attention_mask)
    batched = model(input_ids=input_ids, attention_mask=attention_mask, position_ids=pos).logits.float()
    unmasked = model(input_ids=input_ids, attention_mask=None, position_ids=pos).logits.float()  # pads visible
    with_mask, without_mask = [], []
    for b in range(input_ids.shape[0]):
        real = attention_mask[b].bool()  # (T,)
        if not bool(real.any()):
            with_mask.append(0.0)
            without_mask.append(0.0)
            continue
        alone = model(input_ids=input_ids[b, real][None]).logits.float()[0]  # (n, V) no padding at all
        with_mask.append(float((batched[b, real] - alone).abs().max()))
        without_mask.append(float((unmasked[b, real] - alone).abs().max()))
    return {
        "with_mask": max(with_mask),
        "without_mask": max(without_mask),
        "per_sentence_with_mask": with_mask,
        "per_sentence_without_mask": without_mask,
    }


@torch.inference_mode()
def attention_weights(model, input_ids: torch.Tensor, attention_mask: torch.Tensor, sentence: int = 0,
                      layer: int = 0, head: int = 0) -> torch.Tensor:
    """The model's real softmax attention weights, (T, T), for one sentence of the padded batch.

    Row i is query position i and sums to 1 over the keys. Rows of pad queries are set to NaN: nothing reads
    them (their output is never used), so showing them would only confuse.
    """
    cfg = model.config
    if not 0 <= sentence < input_ids.shape[0]:
        raise ValueError(f"sentence must be in [0, {input_ids.shape[0] - 1}], got {sentence}")
    if not 0 <= layer < cfg.num_hidden_layers:
        raise ValueError(f"layer must be in [0, {cfg.num_hidden_layers - 1}], got {layer}")
    if not 0 <= head < cfg.num_attention_heads:
        raise ValueError(f"head must be in [0, {cfg.num_attention_heads - 1}], got {head}")
    device = model.device
    mask = attention_mask.to(device)
    out = model(input_ids=input_ids.to(device), attention_mask=mask, position_ids=position_ids(mask),
                output_attentions=True)
    weights = out.attentions[layer][sentence, head].float().cpu()  # (T, T)
    pad_rows = ~attention_mask[sentence].bool()
    weights[pad_rows] = float("nan")
    return weights


# --- torch.where ---------------------------------------------------------------------------------
def _parse_tensor(text: str, name: str) -> torch.Tensor:
    """A Python literal (number, bool or nested list) -> tensor. Only literals: ``ast.literal_eval``."""
    try:
        value = ast.literal_eval((text or "").strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as e:
        raise ValueError(f"{name}: not a Python literal such as [1, 2, 3] or 0 ({type(e).__name__})") from None
    try:
        tensor = torch.tensor(value)
    except (TypeError, ValueError, RuntimeError) as e:
        raise ValueError(f"{name}: cannot make a tensor from it ({e})") from None
    if tensor.numel() > MAX_WHERE_ELEMENTS:
        raise ValueError(f"{name}: {tensor.numel()} elements; the limit here is {MAX_WHERE_ELEMENTS}")
    if tensor.dtype not in (torch.bool, torch.int64, torch.float32):
        raise ValueError(f"{name}: numbers or True/False only")
    return tensor


def where_playground(condition: str, x: str, y: str) -> dict:
    """``torch.where(condition, x, y)`` on literals typed by a learner, with the broadcast shape.

    ``condition`` must hold True/False values (or 0/1). ``x`` and ``y`` need not have the condition's shape:
    the three are broadcast together (e.g. ``y = 0`` is used everywhere the condition is False).
    """
    cond = _parse_tensor(condition, "condition")
    if cond.dtype != torch.bool:
        if cond.dtype == torch.int64 and bool(((cond == 0) | (cond == 1)).all()):
            cond = cond.bool()
        else:
            raise ValueError("condition: use True/False values (or 0/1)")
    xt, yt = _parse_tensor(x, "x"), _parse_tensor(y, "y")
    try:
        shape = torch.broadcast_shapes(cond.shape, xt.shape, yt.shape)
    except RuntimeError:
        raise ValueError(f"shapes {tuple(cond.shape)}, {tuple(xt.shape)}, {tuple(yt.shape)} cannot be broadcast "
                         "together (each dimension must match or be 1)") from None
    result = torch.where(cond, xt, yt)
    return {
        "result": result.tolist(),
        "shapes": {"condition": list(cond.shape), "x": list(xt.shape), "y": list(yt.shape)},
        "broadcast_shape": list(shape),
        "dtype": str(result.dtype).removeprefix("torch."),
    }


# --- next-token distributions and generation (top-p) ---------------------------------------------
def next_token_view(logits: torch.Tensor, tokenizer, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                    chosen: int | None = None, n_show: int = 15) -> dict:
    """What the sampler sees for one step, for the bar chart. ``logits``: (V,).

    ``probs`` are ``softmax(logits / temperature)`` after top-k (temperature 0 = greedy: shown at temperature 1).
    Tokens are sorted most likely first; ``cumulative`` is their running sum; ``kept`` marks the nucleus, the
    smallest set of top tokens whose probabilities sum to at least ``top_p`` (``sampling.nucleus``). A chosen
    token below the first ``n_show`` is appended as one more row (its ``rank`` says where it stands).
    Returns ``{"tokens": [{"id", "piece", "prob", "cumulative", "kept"}...] (first n_show), "nucleus_size",
    "nucleus_mass", "chosen", "chosen_prob", "greedy", "top_p", "temperature", "top_k"}``.
    """
    check_sampling_args(temperature, top_k, top_p)
    logits = logits.detach().float().reshape(-1).cpu()
    greedy = temperature == 0
    scaled = logits if greedy else apply_temperature(logits, temperature)
    if not greedy:
        scaled = top_k_filter(scaled, top_k)
    probs = scaled.softmax(-1)  # (V,)
    order = torch.argsort(probs, descending=True, stable=True)
    cumulative = probs[order].cumsum(0)
    if greedy:
        kept_ids = order[:1]
    else:
        kept_ids = nucleus(probs, top_p)
    kept = set(kept_ids.tolist())
    rows = []
    for rank in range(min(n_show, probs.numel())):
        i = int(order[rank])
        rows.append({"id": i, "piece": display_piece(tokenizer, i), "prob": float(probs[i]), "rank": rank,
                     "cumulative": float(cumulative[rank]), "kept": i in kept})
    if chosen is not None and all(r["id"] != int(chosen) for r in rows):  # a sampled token from further down
        c = int(chosen)
        rank = int((order == c).nonzero()[0, 0])
        rows.append({"id": c, "piece": display_piece(tokenizer, c), "prob": float(probs[c]), "rank": rank,
                     "cumulative": float(cumulative[rank]), "kept": c in kept})
    return {
        "tokens": rows,
        "nucleus_size": len(kept),
        "nucleus_mass": float(probs[kept_ids].sum()),
        "chosen": None if chosen is None else int(chosen),
        "chosen_piece": None if chosen is None else display_piece(tokenizer, int(chosen)),
        "chosen_prob": None if chosen is None else float(probs[int(chosen)]),
        "greedy": greedy,
        "temperature": float(temperature),
        "top_k": int(top_k),
        "top_p": float(top_p),
    }


def encode_prompt(tokenizer, prompt: str, max_new_tokens: int, context: int) -> list[int]:
    """The prompt's ids, checked against the model's context (prompt + new tokens <= context)."""
    ids = tokenizer.encode(prompt, add_special_tokens=False)
    if not ids:
        raise ValueError("the prompt encodes to zero tokens")
    if len(ids) + max_new_tokens > context:
        raise ValueError(f"prompt ({len(ids)} tokens) + max_new_tokens ({max_new_tokens}) exceeds the model's "
                         f"context of {context} tokens")
    return ids


@torch.inference_mode()
def next_token_distribution(model, tokenizer, prompt: str, temperature: float = 1.0, top_k: int = 0,
                            top_p: float = 1.0, n_show: int = 15) -> dict:
    """``next_token_view`` for the token right after ``prompt`` (one forward pass, no sampling)."""
    ids = encode_prompt(tokenizer, prompt, 1, model.config.max_position_embeddings)
    logits = model(input_ids=torch.tensor([ids], device=model.device), logits_to_keep=1).logits[0, -1]
    return next_token_view(logits, tokenizer, temperature, top_k, top_p, n_show=n_show)


def generate_trace(model, tokenizer, prompt: str, max_new_tokens: int = 40, temperature: float = 1.0,
                   top_k: int = 0, top_p: float = 1.0, seed: int = 0, n_show: int = 12,
                   stop_at_eos: bool = True) -> Iterator[dict]:
    """Generate with ``sampling.generate_stream`` and yield one record per step, as it happens.

    Each record: ``{"step", "id", "piece", "text" (what the token adds to the decoded text), "prob" (its
    probability at this temperature, before top-p), "view" (``next_token_view``)}``. The same seed gives the
    same tokens as calling ``generate_stream`` with ``torch.Generator().manual_seed(seed)``.
    """
    check_sampling_args(temperature, top_k, top_p)
    if not isinstance(max_new_tokens, int) or max_new_tokens <= 0:
        raise ValueError(f"max_new_tokens must be a positive integer, got {max_new_tokens!r}")
    ids = encode_prompt(tokenizer, prompt, max_new_tokens, model.config.max_position_embeddings)
    generator = torch.Generator(device=model.device).manual_seed(int(seed))
    decoder = StreamDecoder(tokenizer, prompt_ids=ids)  # keeps the first piece's leading space
    eos = tokenizer.eos_token_id
    stream = generate_stream(model, torch.tensor([ids], device=model.device), max_new_tokens,
                             temperature=temperature, top_k=top_k, top_p=top_p,
                             eos_token_id=eos if stop_at_eos else None, generator=generator)
    for step, (tokens, logits) in enumerate(stream):
        token = int(tokens[0])
        view = next_token_view(logits[0], tokenizer, temperature, top_k, top_p, chosen=token, n_show=n_show)
        is_eos = eos is not None and token == eos
        text = "" if is_eos else decoder.push(token)
        yield {"step": step, "id": token, "piece": view["chosen_piece"], "text": text,
               "prob": view["chosen_prob"], "eos": is_eos, "view": view}
        if is_eos and stop_at_eos:
            break
    rest = decoder.flush()
    if rest:
        yield {"step": None, "id": None, "piece": None, "text": rest, "prob": None, "eos": False, "view": None}


def compare_top_p(model, tokenizer, prompt: str, top_ps: Sequence[float], seed: int = 0, max_new_tokens: int = 30,
                  temperature: float = 1.0, top_k: int = 0) -> list[dict]:
    """One prompt, one seed, several top-p values: the text each one writes and its mean nucleus size."""
    if not top_ps:
        raise ValueError("give at least one top_p value")
    rows = []
    for p in top_ps:
        check_sampling_args(temperature, top_k, p)
        text, sizes = [], []
        for rec in generate_trace(model, tokenizer, prompt, max_new_tokens, temperature, top_k, p, seed, n_show=1):
            text.append(rec["text"])
            if rec["view"] is not None:
                sizes.append(rec["view"]["nucleus_size"])
        rows.append({"top_p": float(p), "text": "".join(text),
                     "mean_nucleus_size": round(sum(sizes) / len(sizes), 2) if sizes else 0.0})
    return rows


def parse_floats(text: str) -> list[float]:
    """"0.5, 0.9, 0.95" -> [0.5, 0.9, 0.95]; ValueError naming the bad item."""
    values = []
    for item in (text or "").replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"not a number: {item!r}") from None
        if math.isnan(value):
            raise ValueError("not a number: nan")
        values.append(value)
    return values
