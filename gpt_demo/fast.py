"""Fast paths for inference: the same arithmetic as ``modeling_gpt_demo``, in fewer tensor operations.

Why this file exists. At the sizes this project uses (hidden 256-288, 4-6 layers) one decoded token costs a few
hundred *tiny* tensor operations, and on a CPU each costs ~1-10 µs of Python and dispatcher overhead, which is
more than the arithmetic. The plain modules are written to be read (one idea per line, one module per concept);
this file keeps their numbers and removes the overhead:

1. ``GPTDemoCache``: the KV cache that ``generate()`` gets. transformers' ``DynamicCache`` grows with ``torch.cat``,
   copying every past key and value at every token; here they live in a buffer allocated once, at the length
   ``generate()`` says it will need, and each token is written in place.
2. ``decoder_stack``: the decoder layers as one plain function over the layers' tensors instead of ~12 nested
   ``nn.Module`` calls per layer, RoPE as ``x * cos + roll(x) * sin_signed`` (2 fewer ops than ``rotate_half``'s
   chunk + neg + cat) with cos/sin looked up in a per-model table (``GPTDemoModel._rotary_lookup``), the
   residual stream kept 2-D so ``F.linear`` is one matrix product, and the cache written in place.
3. Fewer new tensors: the residual adds, RoPE's sum, SiLU and the gate product, and RMSNorm's scaling write into
   a tensor the same line has just made (``F.linear(...).add_(x)`` instead of ``x + F.linear(...)``: addition
   and multiplication commute exactly, so the bits do not change). Inside a real decode step, where the
   weights streaming through the caches make every new allocation touch cold memory, this was worth 4-8 %.
   RMSNorm's constants (the count and eps) are ready fp32 tensors, so no op wraps a Python number per call.

What is *not* here, because it was measured not to pay on this machine (see bench/README.md): fused q/k/v and
gate/up weights, transposed weight copies, MKL packed weights, ``F.rms_norm`` (a composite of the same ops on
CPU), attention written out instead of SDPA, q and k rotated together (one RoPE instead of two), a transposed
classifier copy, and a ``torch.compile``d fixed-shape decode step (no faster than this eager path, slower at
batch 8).

``modeling_gpt_demo`` uses ``decoder_stack`` only when nothing needs autograd, attention weights or hidden states,
and every part of every layer is the plain module (so a LoRA-wrapped projection, a hook or a subclass falls back
to the plain path). ``tests/test_fast_paths.py`` checks both paths give the same logits and tokens.
"""

from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F
from transformers import DynamicCache
from transformers.cache_utils import Cache, DynamicLayer

ENABLED = True  # switched off by ``disabled()``: the benchmarks and tests compare against the plain path


@contextlib.contextmanager
def disabled():
    """Within this block GPTDemo runs its plain modules and generate() keeps transformers' DynamicCache."""
    global ENABLED
    previous, ENABLED = ENABLED, False
    try:
        yield
    finally:
        ENABLED = previous


class PreallocatedLayer(DynamicLayer):
    """A ``DynamicLayer`` whose keys/values are views into a buffer written in place.

    ``self.keys`` is always ``buffer[:, :, :length]`` (B, G, length, D), so everything ``DynamicLayer`` does with
    it (``get_seq_length``, ``crop``, beam ``reorder_cache``, ``batch_select_indices``) keeps working; when one of
    those replaces ``self.keys`` with a new tensor, the next ``update`` copies it into a fresh buffer.
    """

    def __init__(self, capacity: int = 0):
        super().__init__()
        self.capacity = capacity  # positions to allocate at first; grows by doubling past it
        self._key_buffer = self._value_buffer = self._keys_view = None

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args, **kwargs):
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        keys = self.keys
        past = keys.shape[-2] if keys.dim() == 4 else 0  # the empty start tensor is 1-D
        total = past + key_states.shape[-2]
        buffer = self._key_buffer
        if keys is not self._keys_view or buffer.shape[-2] < total or buffer.dtype != key_states.dtype:
            self._reallocate(key_states, value_states, past, total)
        self._key_buffer[:, :, past:total] = key_states  # (B, G, T, D) written in place
        self._value_buffer[:, :, past:total] = value_states
        self.keys = self._keys_view = self._key_buffer[:, :, :total]  # (B, G, past + T, D)
        self.values = self._value_buffer[:, :, :total]
        return self.keys, self.values

    def _reallocate(self, key_states, value_states, past: int, total: int) -> None:
        """New buffers big enough for ``total`` positions, holding the current keys/values."""
        capacity = max(total, self.capacity, 2 * self._key_buffer.shape[-2] if self._key_buffer is not None else 0)
        B, G, _, D = key_states.shape
        key_buffer = key_states.new_empty((B, G, capacity, D))
        value_buffer = value_states.new_empty((B, G, capacity, value_states.shape[-1]))
        if past:
            key_buffer[:, :, :past] = self.keys
            value_buffer[:, :, :past] = self.values
        self._key_buffer, self._value_buffer = key_buffer, value_buffer

    def reset(self) -> None:
        self._key_buffer = self._value_buffer = self._keys_view = None
        super().reset()


class GPTDemoCache(DynamicCache):
    """The cache ``GPTDemoForCausalLM.generate()`` uses: a ``DynamicCache`` whose layers write in place.

    ``max_cache_len`` (optional) is the number of positions to allocate up front; ``generate()`` knows it
    (prompt + max_new_tokens). Without it the buffers start at the first update's length and double.
    """

    def __init__(self, config=None, max_cache_len: int | None = None, num_layers: int | None = None):
        if num_layers is None:
            num_layers = config.num_hidden_layers
        Cache.__init__(self, layers=[PreallocatedLayer(max_cache_len or 0) for _ in range(num_layers)])


def signed_sin(sin: torch.Tensor) -> torch.Tensor:
    """(..., D) sin with its first half negated, so that ``rotate_half(x) * sin == x.roll(D/2, -1) * signed_sin``.

    rotate_half(x) = (-x2, x1) and roll(x, D/2) = (x2, x1): the only difference is the sign of the first half,
    moved onto sin here once per forward instead of onto x in every layer. Negation is exact, so the product
    is bit-for-bit the same.
    """
    half = sin.shape[-1] // 2
    return torch.cat((-sin[..., :half], sin[..., half:]), dim=-1)


_CONSTANTS: dict = {}


def _constant(value: float, device: torch.device) -> torch.Tensor:
    """A 0-dim fp32 tensor holding ``value``, made once per device. An op with a Python number (``.add_(eps)``,
    and the ``div_`` inside ``mean``) wraps it into a new tensor and converts it to fp32 at every call (a
    ``_to_copy`` each, ~5-10 µs here); a ready fp32 tensor skips that and gives the same fp32 arithmetic."""
    key = (value, device)
    constant = _CONSTANTS.get(key)
    if constant is None:
        with torch.inference_mode(False):  # a normal tensor even when first made under inference_mode
            constant = _CONSTANTS[key] = torch.tensor(value, dtype=torch.float32, device=device)
    return constant


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    """``GPTDemoRMSNorm`` in the same order of operations (so the same bits: on CPU ``mean`` is ``sum`` then ``div_``
    by the count, ``pow(2)`` is ``x * x``), with in-place temporaries, the constants as fp32 tensors (``_constant``) and
    without the two no-op casts in fp32."""
    x32 = x if x.dtype is torch.float32 else x.float()  # normalise in fp32 in half precision, as the module does
    if x.device.type == "cpu":
        count, eps = _constant(float(x.shape[-1]), x.device), _constant(eps, x.device)
        scale = (x32 * x32).sum(-1, keepdim=True).div_(count).add_(eps).rsqrt_()  # (..., 1): 1 / sqrt(mean(x^2) + eps)
    else:  # CUDA's mean multiplies by 1/count instead of dividing: keep the module's formula there
        scale = x32.pow(2).mean(-1, keepdim=True).add_(eps).rsqrt_()
    normed = x * scale if x32 is x else (x32 * scale).to(x.dtype)  # (..., C), a new tensor: scaled in place below
    if weight.dtype != normed.dtype:  # e.g. an fp32 weight on bf16 activations: the product is promoted
        return weight * normed
    return normed.mul_(weight)  # = weight * normed, bit for bit (IEEE multiplication commutes)


def decoder_stack(x: torch.Tensor, layers: list[tuple], cos: torch.Tensor, sin: torch.Tensor,
                  bias: torch.Tensor | None, cache: Cache | None, num_heads: int, num_kv_heads: int,
                  head_dim: int) -> torch.Tensor:
    """All decoder layers on x (B, T, C) -> (B, T, C), without autograd, module calls or hooks.

    ``layers``: one tuple per layer from ``GPTDemoDecoderLayer.plain_tensors()``; ``cos`` (B, T, D) as
    ``rotary_cos_sin`` returns it and ``sin`` through ``signed_sin``; ``bias`` the additive mask or None,
    exactly as the plain path gets it.
    The residual stream is kept 2-D, (B*T, C), so that ``F.linear`` goes straight to one matrix product.
    """
    B, T, C = x.shape
    H, G, D = num_heads, num_kv_heads, head_dim
    cos = cos[:, :, None]  # (B, T, 1, D) broadcast over heads; q/k stay (B, T, heads, D) until the transpose
    sin = sin[:, :, None]  # (B, T, 1, D)
    half = D // 2
    is_causal = bias is None and T > 1
    x = x.reshape(B * T, C)  # (BT, C)
    for idx, (ln1, eps1, wq, bq, wk, bk, wv, bv, wo, bo, ln2, eps2, wg, bg, wu, bu, wd, bd) in enumerate(layers):
        # Every `op_` below writes into a tensor this line has just made, never into x or a weight; a + b and
        # a * b commute exactly, so the bits are the plain modules'. Fewer new tensors per token pays here.
        h = rms_norm(x, ln1, eps1)  # (BT, C)
        q = F.linear(h, wq, bq).view(B, T, H, D)
        k = F.linear(h, wk, bk).view(B, T, G, D)
        v = F.linear(h, wv, bv).view(B, T, G, D).transpose(1, 2)  # (B, G, T, D)
        q = (q * cos).add_(q.roll(half, -1).mul_(sin)).transpose(1, 2)  # (B, H, T, D) rotated
        k = (k * cos).add_(k.roll(half, -1).mul_(sin)).transpose(1, 2)  # (B, G, T, D) rotated
        if cache is not None:
            k, v = cache.update(k, v, idx)  # (B, G, K, D) past keys/values + the new ones
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, is_causal=is_causal, enable_gqa=G != H)
        x = F.linear(y.transpose(1, 2).reshape(B * T, H * D), wo, bo).add_(x)  # (BT, C) = x + attention
        h = rms_norm(x, ln2, eps2)
        gate = F.silu(F.linear(h, wg, bg), inplace=True)  # (BT, I)
        x = F.linear(gate.mul_(F.linear(h, wu, bu)), wd, bd).add_(x)  # (BT, C) = x + SwiGLU
    return x.view(B, T, C)
