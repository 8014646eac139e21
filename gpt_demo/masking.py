"""Padding and attention masks as small pure functions.

A batch holds sentences of different lengths, so the short ones are filled up with a pad id.
The model must then (1) never attend to a pad and (2) never attend to a future token.
Both rules are boolean masks; ``attention_bias`` turns the combined mask into numbers that are
added to the attention scores before the softmax.

Convention: in every mask here ``True`` means "may attend / is a real token".
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def pad_batch(
    sequences: Sequence[Sequence[int]],
    pad_id: int,
    side: str = "right",
    max_length: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack token-id lists of different lengths into one (B, T) tensor.

    The batch starts as ``torch.full((B, T), pad_id)``; each sequence is then copied in from the left
    (``side="right"`` padding, for training) or from the right (``side="left"``, for generation, so that
    every row's last position is a real token). Sequences longer than ``max_length`` are cut, keeping
    their start for right padding and their end for left padding.

    Returns ``(input_ids, attention_mask)``, both (B, T): ``attention_mask`` is ``input_ids != pad_id``
    as a long tensor of 0/1 when no real token equals the pad id (see ``padding_mask``); it is built
    from the lengths so that a real token that happens to equal ``pad_id`` is still marked real.
    """
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    if max_length is not None and (not isinstance(max_length, int) or max_length <= 0):
        raise ValueError(f"max_length must be a positive integer or None, got {max_length!r}")
    if len(sequences) == 0:
        raise ValueError("pad_batch needs at least one sequence")
    rows = [list(s) for s in sequences]
    if max_length is not None:
        rows = [r[:max_length] if side == "right" else r[len(r) - max_length:] if len(r) > max_length else r
                for r in rows]
    T = max(len(r) for r in rows)  # length of the longest row
    if T == 0:
        raise ValueError("pad_batch needs at least one non-empty sequence")
    B = len(rows)
    input_ids = torch.full((B, T), pad_id, dtype=torch.long)  # (B, T) all pads
    attention_mask = torch.zeros((B, T), dtype=torch.long)  # (B, T) 0 = pad
    for b, row in enumerate(rows):
        n = len(row)
        if n == 0:
            continue
        cols = slice(0, n) if side == "right" else slice(T - n, T)
        input_ids[b, cols] = torch.tensor(row, dtype=torch.long)
        attention_mask[b, cols] = 1
    return input_ids, attention_mask


def padding_mask(input_ids: torch.Tensor, pad_id: int) -> torch.Tensor:
    """``input_ids != pad_id``: True at real tokens, False at pads. Shape as ``input_ids``."""
    return input_ids != pad_id


def causal_mask(length: int, key_length: int | None = None, device=None) -> torch.Tensor:
    """Bool (length, key_length) mask: query i may see key j when j <= i + (key_length - length).

    With a KV cache the queries are the last ``length`` of ``key_length`` positions, so query i sits at
    absolute position ``i + key_length - length``. Without a cache both lengths are equal and this is
    the lower triangle ``torch.tril(torch.ones(T, T))``.
    """
    key_length = length if key_length is None else key_length
    if length <= 0 or key_length < length:
        raise ValueError(f"need 0 < length <= key_length, got length={length}, key_length={key_length}")
    q = torch.arange(length, device=device)[:, None] + (key_length - length)  # (Q, 1) absolute positions
    k = torch.arange(key_length, device=device)[None, :]  # (1, K)
    return k <= q  # (Q, K)


def combined_mask(attention_mask: torch.Tensor | None, query_length: int, key_length: int | None = None,
                  device=None) -> torch.Tensor:
    """Causal AND padding: bool (B, 1, Q, K), True where a query may attend a key.

    ``attention_mask`` is (B, K) with 1/True at real tokens (or None: no padding, shape (1, 1, Q, K)).
    """
    key_length = query_length if key_length is None else key_length
    if attention_mask is not None:
        device = attention_mask.device
        key_length = attention_mask.shape[-1]
    allowed = causal_mask(query_length, key_length, device=device)[None, None]  # (1, 1, Q, K)
    if attention_mask is not None:
        allowed = allowed & attention_mask.bool()[:, None, None, :]  # (B, 1, Q, K)
    return allowed


def attention_bias(attention_mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Turn a bool mask into an additive float mask with ``torch.where``: 0 where allowed, a huge negative
    number where blocked. Same shape as the mask.

    Added to the scores, the blocked positions get ``exp(-huge) = 0`` weight after the softmax. We use the
    dtype's most negative finite value rather than ``-inf``: a row with no allowed key (a left-pad query)
    then gets a uniform, ignored softmax instead of ``nan`` (``-inf - -inf``).
    """
    if dtype not in (torch.float32, torch.float16, torch.bfloat16, torch.float64):
        raise ValueError(f"attention_bias needs a floating dtype, got {dtype}")
    blocked = torch.finfo(dtype).min
    zero = torch.zeros((), dtype=dtype, device=attention_mask.device)
    return torch.where(attention_mask.bool(), zero, torch.tensor(blocked, dtype=dtype, device=attention_mask.device))


def position_ids(attention_mask: torch.Tensor) -> torch.Tensor:
    """Positions that skip pads: ``attention_mask.cumsum(-1) - 1``, with pads set to 0. (B, T) long.

    Under left padding the first real token of every row gets position 0, exactly as if the sentence
    were run alone, so RoPE rotates it the same way.
    """
    mask = attention_mask.long()
    pos = mask.cumsum(-1) - 1  # (B, T)
    return pos.masked_fill(mask == 0, 0)
