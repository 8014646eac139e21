"""Choosing the next token: temperature, top-k, top-p (nucleus), and a didactic generate loop.

The filters are pure functions of a (..., vocab) logits tensor: they set the logits of removed tokens
to ``-inf`` so the softmax gives them probability 0. They follow transformers' logits warpers
(``TemperatureLogitsWarper``, ``TopKLogitsWarper``, ``TopPLogitsWarper``) and the tests check that
they agree exactly.

top-p in one sentence: keep the smallest set of most likely tokens whose probabilities add up to at
least ``top_p``, then sample among them. A HIGHER ``top_p`` keeps MORE candidates (more varied text);
a lower one keeps fewer (more predictable text). ``top_p = 1.0`` keeps every token.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from .masking import position_ids as positions_from_mask


def check_sampling_args(temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> None:
    """Raise ValueError naming the argument and its allowed range."""
    if not isinstance(temperature, (int, float)) or temperature != temperature or temperature < 0:
        raise ValueError(f"temperature must be >= 0 (0 means greedy), got {temperature!r}")
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 0:
        raise ValueError(f"top_k must be an integer >= 0 (0 means no top-k), got {top_k!r}")
    if not isinstance(top_p, (int, float)) or not (0 < top_p <= 1):
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Divide logits by the temperature: < 1 sharpens the distribution, > 1 flattens it."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0 here (use greedy decoding for 0), got {temperature!r}")
    return logits / temperature


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the k largest logits of each row (ties with the k-th are kept); 0 means keep all."""
    if not isinstance(k, int) or k < 0:
        raise ValueError(f"top_k must be an integer >= 0, got {k!r}")
    if k == 0 or k >= logits.shape[-1]:
        return logits
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]  # (..., 1) the k-th largest logit
    return logits.masked_fill(logits < kth, float("-inf"))


def _tail_to_remove(sorted_probs_ascending: torch.Tensor, top_p: float, min_tokens_to_keep: int) -> torch.Tensor:
    """Given probabilities sorted from least to most likely, mark the unlikely tail to drop.

    Walking up from the least likely token, everything whose running total stays <= 1 - top_p can go:
    what is left is the smallest set of top tokens whose probabilities add up to at least top_p.
    """
    cumulative = sorted_probs_ascending.cumsum(dim=-1)  # (..., V) running total from the tail
    remove = cumulative <= (1 - top_p)  # (..., V) True = in the dropped tail
    remove[..., -min_tokens_to_keep:] = False  # the most likely tokens always stay
    return remove


def top_p_filter(logits: torch.Tensor, top_p: float, min_tokens_to_keep: int = 1) -> torch.Tensor:
    """Nucleus filter: -inf outside the smallest set of tokens whose probability sums to >= top_p.

    ``logits``: (..., V). Returns a tensor of the same shape. ``top_p = 1.0`` keeps every token with
    non-zero probability. Matches ``transformers.TopPLogitsWarper`` exactly (same sort, same rule).
    """
    if not isinstance(top_p, (int, float)) or not (0 < top_p <= 1):
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
    if not isinstance(min_tokens_to_keep, int) or min_tokens_to_keep < 1:
        raise ValueError(f"min_tokens_to_keep must be a positive integer, got {min_tokens_to_keep!r}")
    sorted_logits, sorted_idx = torch.sort(logits, descending=False)  # (..., V) least likely first
    remove_sorted = _tail_to_remove(sorted_logits.softmax(dim=-1), top_p, min_tokens_to_keep)
    remove = remove_sorted.scatter(-1, sorted_idx, remove_sorted)  # back to vocabulary order
    return logits.masked_fill(remove, float("-inf"))


def nucleus(probs: torch.Tensor, top_p: float, min_tokens_to_keep: int = 1) -> torch.Tensor:
    """The token ids that top-p keeps, most likely first, for display. ``probs``: (V,) summing to 1.

    It is the same rule as ``top_p_filter``; the nucleus never shrinks when top_p grows.
    """
    if probs.dim() != 1:
        raise ValueError(f"nucleus expects a 1-D probability vector, got shape {tuple(probs.shape)}")
    if not (0 < top_p <= 1):
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
    sorted_probs, sorted_idx = torch.sort(probs, descending=False)  # (V,)
    keep = ~_tail_to_remove(sorted_probs, top_p, min_tokens_to_keep)  # (V,)
    return sorted_idx[keep].flip(0)  # (n_kept,) most likely first


def sample_next(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Pick one next token per row from (B, V) logits. Returns (B,) token ids.

    temperature 0 means greedy (argmax): no randomness, top-k and top-p do not matter.
    Otherwise: divide by the temperature, apply top-k, then top-p, and draw from the softmax.
    """
    check_sampling_args(temperature, top_k, top_p)
    if temperature == 0:
        return logits.argmax(dim=-1)
    logits = apply_temperature(logits.float(), temperature)
    logits = top_k_filter(logits, top_k)
    if top_p < 1.0:
        logits = top_p_filter(logits, top_p)
    probs = logits.softmax(dim=-1)  # (B, V) zero outside the kept set
    return torch.multinomial(probs, num_samples=1, generator=generator).squeeze(-1)  # (B,)


@torch.inference_mode()
def generate_stream(
    model,
    input_ids: torch.Tensor,
    max_new_tokens: int = 50,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    attention_mask: torch.Tensor | None = None,
    eos_token_id: int | None = None,
    generator: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The generation loop, one step at a time. Yields ``(next_tokens (B,), logits (B, V))`` per step.

    ``input_ids`` (B, T): a left-padded batch (with its ``attention_mask``) or a single prompt.
    Stops after ``max_new_tokens`` or when every row has produced ``eos_token_id``; rows that are
    finished keep receiving ``eos_token_id``.
    """
    check_sampling_args(temperature, top_k, top_p)
    from transformers import DynamicCache

    from . import fast

    B, T = input_ids.shape
    if attention_mask is None:
        attention_mask = torch.ones_like(input_ids)  # (B, T) every token is real
    # The KV cache keeps every layer's keys and values of past tokens. GPTDemo's holds them in one buffer sized for
    # the whole run (DynamicCache copies all of them again at every token); the numbers are the same.
    if fast.ENABLED and getattr(model.config, "model_type", None) == "gpt_demo":
        cache = fast.GPTDemoCache(model.config, max_cache_len=T + max_new_tokens)
    else:
        cache = DynamicCache(config=model.config)
    positions = positions_from_mask(attention_mask)  # (B, T) pads skipped, so left padding is harmless
    tokens = input_ids  # the first step feeds the whole prompt ("prefill")
    finished = torch.zeros(B, dtype=torch.bool, device=input_ids.device)
    for _ in range(max_new_tokens):
        # 1. Run the model on the new tokens only; the cache supplies everything before them.
        out = model(input_ids=tokens, attention_mask=attention_mask, position_ids=positions,
                    cache=cache, use_cache=True, logits_to_keep=1)
        # 2. Only the last position predicts the next token.
        logits = out.logits[:, -1, :].float()  # (B, V)
        # 3. Choose: greedy when temperature is 0, else temperature -> top-k -> top-p -> draw.
        next_tokens = sample_next(logits, temperature, top_k, top_p, generator)  # (B,)
        # 4. Rows that already ended keep emitting EOS.
        if eos_token_id is not None:
            next_tokens = torch.where(finished, torch.full_like(next_tokens, eos_token_id), next_tokens)
        yield next_tokens, logits
        # 5. Stop when every row has ended.
        if eos_token_id is not None:
            finished |= next_tokens == eos_token_id
            if bool(finished.all()):
                return
        # 6. Next step's input: the chosen token, one position further, marked as real.
        tokens = next_tokens[:, None]  # (B, 1)
        positions = positions[:, -1:] + 1  # (B, 1)
        attention_mask = torch.cat([attention_mask, torch.ones_like(tokens)], dim=-1)  # (B, T + steps)


def generate(model, input_ids: torch.Tensor, max_new_tokens: int = 50, **kwargs) -> torch.Tensor:
    """Run ``generate_stream`` to the end; returns (B, T + new) ids, prompt included, like ``model.generate``."""
    new = [tokens[:, None] for tokens, _ in generate_stream(model, input_ids, max_new_tokens, **kwargs)]
    return torch.cat([input_ids, *new], dim=-1)
