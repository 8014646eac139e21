"""A LLaMA-style GPT, top to bottom: RMSNorm -> rotary positions -> attention (+ KV cache) -> SwiGLU MLP
-> decoder block -> GPTDemoModel -> GPTDemoForCausalLM.

Shapes: B batch, T new tokens in this call, P tokens already in the cache, K = P + T keys,
H query heads, G key/value heads (H % G == 0), D head_dim, C hidden_size, V vocab_size.

Module and parameter names are those of transformers' Llama (``model.embed_tokens``,
``model.layers.N.self_attn.q_proj``, ..., ``lm_head``), so a Llama state dict loads 1:1 and the logits
match ``LlamaForCausalLM``. RoPE uses transformers' ``rotate_half`` convention (the two halves of each
head are the pairs), not the interleaved pairs of the original LLaMA code.

Speed: when nothing needs autograd (generation, evaluation under ``torch.no_grad``), ``GPTDemoModel`` runs the
same arithmetic through ``gpt_demo/fast.py`` (fewer tensor ops, a KV cache written in place); the modules below
are what it computes, and what runs whenever gradients, hooks, attention weights or LoRA layers are involved.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules import module as _torch_module
from transformers import DynamicCache, GenerationMixin, PreTrainedModel
from transformers.cache_utils import Cache
from transformers.modeling_layers import GradientCheckpointingLayer
from transformers.modeling_outputs import BaseModelOutputWithPast, CausalLMOutputWithPast

from . import fast
from .configuration_gpt_demo import GPTDemoConfig
from .masking import attention_bias, combined_mask
from .masking import position_ids as positions_from_mask


class GPTDemoRMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight: LayerNorm without the mean subtraction and the bias."""

    def __init__(self, hidden_size: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (..., C) -> (..., C)
        x32 = x.float()  # normalise in fp32 even when the model runs in half precision
        x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x32.to(x.dtype)


def rotary_cos_sin(position_ids: torch.Tensor, head_dim: int, theta: float, dtype: torch.dtype):
    """cos and sin of the rotation angles, each (B, T, D).

    Pair i of a head turns by ``position * theta^(-2i/D)``: fast for the first pairs, slow for the last.
    Computed on the fly from the positions (no buffer), so nothing goes stale after ``from_pretrained``.
    """
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, device=position_ids.device).float() / head_dim))  # (D/2,)
    angles = position_ids[..., None].float() * inv_freq  # (B, T, D/2)
    angles = torch.cat((angles, angles), dim=-1)  # (B, T, D) both halves of a pair share an angle
    return angles.cos().to(dtype), angles.sin().to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """(x1, x2) -> (-x2, x1) on the two halves of the last dimension."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate each pair of (B, heads, T, D) queries or keys by its position's angle."""
    cos, sin = cos[:, None], sin[:, None]  # (B, 1, T, D) broadcast over heads
    return x * cos + rotate_half(x) * sin


class GPTDemoAttention(nn.Module):
    """Causal self-attention with grouped-query heads and an optional KV cache."""

    def __init__(self, config: GPTDemoConfig, layer_idx: int):
        super().__init__()
        self.layer_idx = layer_idx  # which slot of the cache belongs to this layer
        self.num_heads = config.num_attention_heads  # H
        self.num_kv_heads = config.num_key_value_heads  # G
        self.head_dim = config.head_dim  # D
        bias = config.attention_bias
        self.q_proj = nn.Linear(config.hidden_size, self.num_heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(config.hidden_size, self.num_kv_heads * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(config.hidden_size, self.num_kv_heads * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, config.hidden_size, bias=bias)

    def forward(self, x, cos, sin, bias=None, cache: Cache | None = None, output_attentions: bool = False):
        B, T, _ = x.shape  # (B, T, C)
        q = self.q_proj(x).view(B, T, self.num_heads, self.head_dim).transpose(1, 2)  # (B, H, T, D)
        k = self.k_proj(x).view(B, T, self.num_kv_heads, self.head_dim).transpose(1, 2)  # (B, G, T, D)
        v = self.v_proj(x).view(B, T, self.num_kv_heads, self.head_dim).transpose(1, 2)  # (B, G, T, D)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)  # positions enter here, and only here
        if cache is not None:
            k, v = cache.update(k, v, self.layer_idx)  # (B, G, K, D) past keys/values + the new ones
        groups = self.num_heads // self.num_kv_heads  # query heads sharing one key/value head
        weights = None
        if output_attentions:
            # Written out, to return the weights: softmax(q k^T / sqrt(D) + bias) v
            k_rep = k.repeat_interleave(groups, dim=1)  # (B, H, K, D)
            v_rep = v.repeat_interleave(groups, dim=1)  # (B, H, K, D)
            scores = (q @ k_rep.transpose(-2, -1)) * self.head_dim**-0.5  # (B, H, T, K)
            if bias is not None:
                scores = scores + bias
            weights = scores.float().softmax(dim=-1).to(q.dtype)  # (B, H, T, K) each row sums to 1
            y = weights @ v_rep  # (B, H, T, D)
        else:
            # The same computation in one fused call. bias None means "no mask needed" (one new token,
            # no padding), or plain causal when T > 1 and nothing is cached.
            is_causal = bias is None and T > 1
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, is_causal=is_causal,
                                               enable_gqa=groups > 1)  # (B, H, T, D)
        y = y.transpose(1, 2).reshape(B, T, self.num_heads * self.head_dim)  # (B, T, H*D)
        return self.o_proj(y), weights  # (B, T, C)


class GPTDemoMLP(nn.Module):
    """SwiGLU: down(silu(gate(x)) * up(x))."""

    def __init__(self, config: GPTDemoConfig):
        super().__init__()
        C, F_ = config.hidden_size, config.intermediate_size
        self.gate_proj = nn.Linear(C, F_, bias=config.mlp_bias)
        self.up_proj = nn.Linear(C, F_, bias=config.mlp_bias)
        self.down_proj = nn.Linear(F_, C, bias=config.mlp_bias)

    def forward(self, x):  # (B, T, C) -> (B, T, C)
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class GPTDemoDecoderLayer(GradientCheckpointingLayer):
    """Pre-norm block: x + attn(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, config: GPTDemoConfig, layer_idx: int):
        super().__init__()
        self.self_attn = GPTDemoAttention(config, layer_idx)
        self.mlp = GPTDemoMLP(config)
        self.input_layernorm = GPTDemoRMSNorm(config.hidden_size, config.rms_norm_eps)
        self.post_attention_layernorm = GPTDemoRMSNorm(config.hidden_size, config.rms_norm_eps)

    def forward(self, x, cos, sin, bias=None, cache=None, output_attentions=False):
        attn_out, weights = self.self_attn(self.input_layernorm(x), cos, sin, bias, cache, output_attentions)
        x = x + attn_out  # (B, T, C)
        x = x + self.mlp(self.post_attention_layernorm(x))  # (B, T, C)
        return x, weights

    def plain_tensors(self) -> tuple | None:
        """This layer's weights for ``fast.decoder_stack``, or None when the fast path would not compute what
        ``forward`` computes: a part is not the plain module of this file (a LoRA-wrapped projection, a
        subclass) or carries a hook. Runs at every forward, so it reads the module dicts directly
        (``self.mlp`` goes through ``nn.Module.__getattr__``, ~10x slower)."""
        attn, mlp = self._modules["self_attn"], self._modules["mlp"]
        ln1, ln2 = self._modules["input_layernorm"], self._modules["post_attention_layernorm"]
        q, k, v, o = (attn._modules[name] for name in ("q_proj", "k_proj", "v_proj", "o_proj"))
        gate, up, down = (mlp._modules[name] for name in ("gate_proj", "up_proj", "down_proj"))
        if not (type(self) is GPTDemoDecoderLayer and type(attn) is GPTDemoAttention and type(mlp) is GPTDemoMLP
                and type(ln1) is GPTDemoRMSNorm and type(ln2) is GPTDemoRMSNorm
                and type(q) is type(k) is type(v) is type(o) is type(gate) is type(up) is type(down) is nn.Linear):
            return None
        for m in (self, attn, mlp, ln1, ln2, q, k, v, o, gate, up, down):
            if m._forward_hooks or m._forward_pre_hooks:
                return None
        p = [m._parameters for m in (q, k, v, o, gate, up, down)]
        return (ln1._parameters["weight"], ln1.eps, p[0]["weight"], p[0]["bias"], p[1]["weight"], p[1]["bias"],
                p[2]["weight"], p[2]["bias"], p[3]["weight"], p[3]["bias"], ln2._parameters["weight"], ln2.eps,
                p[4]["weight"], p[4]["bias"], p[5]["weight"], p[5]["bias"], p[6]["weight"], p[6]["bias"])


class GPTDemoPreTrainedModel(PreTrainedModel):
    config_class = GPTDemoConfig
    base_model_prefix = "model"  # the bare GPTDemoModel and the LM checkpoint cross-load
    supports_gradient_checkpointing = True
    _no_split_modules = ["GPTDemoDecoderLayer"]
    _supports_sdpa = True  # attention calls F.scaled_dot_product_attention itself

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=std)
        elif isinstance(module, GPTDemoRMSNorm):
            nn.init.ones_(module.weight)


class GPTDemoModel(GPTDemoPreTrainedModel):
    """Token embeddings -> N decoder blocks -> final RMSNorm. Returns hidden states (B, T, C)."""

    def __init__(self, config: GPTDemoConfig):
        super().__init__(config)
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(GPTDemoDecoderLayer(config, i) for i in range(config.num_hidden_layers))
        self.norm = GPTDemoRMSNorm(config.hidden_size, config.rms_norm_eps)
        self.gradient_checkpointing = False
        self._rotary_tables = {}  # fast path only: (device, dtype, theta, D, L) -> (L, 2, D) cos and sin
        self.post_init()

    def get_input_embeddings(self):
        return self.embed_tokens

    def set_input_embeddings(self, value):
        self.embed_tokens = value

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.LongTensor | None = None,
        cache: Cache | None = None,
        inputs_embeds: torch.Tensor | None = None,
        use_cache: bool | None = None,
        output_attentions: bool | None = None,
        output_hidden_states: bool | None = None,
        **kwargs,
    ) -> BaseModelOutputWithPast:
        if cache is None and kwargs.get("past_key_values") is not None:
            cache = kwargs.pop("past_key_values")  # the pre-5.x name of the same argument
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("pass exactly one of input_ids or inputs_embeds")
        use_cache = self.config.use_cache if use_cache is None else use_cache
        if self.gradient_checkpointing and self.training:
            use_cache = False  # the recomputed forward would write the cache twice
        x = self.embed_tokens(input_ids) if inputs_embeds is None else inputs_embeds  # (B, T, C)
        B, T, _ = x.shape
        if use_cache and cache is None:
            cache = DynamicCache(config=self.config)
        if not use_cache:
            cache = None
        if cache is not None and not isinstance(cache, DynamicCache):
            # A fixed-size cache (StaticCache, sliding window, quantized, ...) returns keys for slots not yet
            # written; the masks below cover only the K real positions, so its results would be silently wrong.
            raise ValueError(
                f"GPTDemo supports DynamicCache (and gpt_demo.fast.GPTDemoCache, one of them), not "
                f"{type(cache).__name__}; leave cache_implementation unset in generate()"
            )
        P = cache.get_seq_length() if cache is not None else 0  # tokens already cached
        K = P + T
        if K > self.config.max_position_embeddings:
            raise ValueError(
                f"sequence length {K} (cached {P} + new {T}) exceeds max_position_embeddings="
                f"{self.config.max_position_embeddings}"
            )
        if attention_mask is not None and attention_mask.shape[-1] != K:
            raise ValueError(f"attention_mask covers {attention_mask.shape[-1]} positions, expected {K} (cached + new)")

        # Positions: given (generate derives them from the mask), or skipping pads, or simply P..K-1.
        given_positions = position_ids is not None
        if position_ids is None:
            if attention_mask is not None:
                position_ids = positions_from_mask(attention_mask)[:, P:]  # (B, T)
            else:
                position_ids = torch.arange(P, K, device=x.device)[None].expand(B, T)  # (B, T)
        # The fast path (see _fast_path_tensors) looks the angles up in a table, with sin in the form it uses.
        plain = None if output_attentions or output_hidden_states else self._fast_path_tensors()
        cos_sin = self._rotary_lookup(position_ids, x.dtype, given_positions) if plain is not None else None
        if cos_sin is not None:
            cos, sin = cos_sin.unbind(2)  # (B, T, D) each; sin has rotate_half's sign folded in (fast.signed_sin)
        else:
            cos, sin = rotary_cos_sin(position_ids, self.config.head_dim, self.config.rope_theta, x.dtype)
            if plain is not None:
                sin = fast.signed_sin(sin)

        # Mask: causal AND padding, as an additive bias. Skipped when nothing needs masking.
        has_padding = attention_mask is not None and not bool(attention_mask.all())
        need_mask = has_padding or output_attentions or (T > 1 and P > 0)
        bias = None
        if need_mask:
            allowed = combined_mask(attention_mask, T, K, device=x.device)  # (B or 1, 1, T, K) bool
            bias = attention_bias(allowed, x.dtype)  # 0 where allowed, very negative where blocked

        all_hidden = [] if output_hidden_states else None
        all_weights = [] if output_attentions else None
        if plain is not None:
            # Same numbers in fewer tensor ops (see gpt_demo/fast.py); used only when nothing needs autograd.
            x = fast.decoder_stack(x, plain, cos, sin, bias, cache, self.config.num_attention_heads,
                                   self.config.num_key_value_heads, self.config.head_dim)  # (B, T, C)
        else:
            for layer in self.layers:
                if all_hidden is not None:
                    all_hidden.append(x)
                x, weights = layer(x, cos, sin, bias, cache, bool(output_attentions))
                if all_weights is not None:
                    all_weights.append(weights)
        norm = self.norm
        if plain is not None:  # the same arithmetic as the module (GPTDemoRMSNorm), without its module call
            x = fast.rms_norm(x, norm._parameters["weight"], norm.eps)  # (B, T, C)
        else:
            x = norm(x)  # (B, T, C)
        if all_hidden is not None:
            all_hidden.append(x)
        return BaseModelOutputWithPast(
            last_hidden_state=x,
            cache=cache,
            hidden_states=tuple(all_hidden) if all_hidden is not None else None,
            attentions=tuple(all_weights) if all_weights is not None else None,
        )

    def _rotary_lookup(self, position_ids: torch.Tensor, dtype: torch.dtype, check_range: bool):
        """(B, T, 2, D): cos and sign-folded sin of ``position_ids`` from a table of every position, built once per
        device and dtype with ``rotary_cos_sin`` itself (so the same bits); saves ~12 small ops per forward on
        the fast path. None when a given position lies outside the table."""
        c = self.config
        key = (position_ids.device, dtype, c.rope_theta, c.head_dim, c.max_position_embeddings)
        table = self._rotary_tables.get(key)
        if table is None:
            every = torch.arange(c.max_position_embeddings, device=position_ids.device)[None]  # (1, L)
            cos, sin = rotary_cos_sin(every, c.head_dim, c.rope_theta, dtype)  # (1, L, D) each
            table = self._rotary_tables[key] = torch.stack((cos[0], fast.signed_sin(sin)[0]), dim=1)  # (L, 2, D)
        if check_range and position_ids.numel():
            low, high = torch.aminmax(position_ids)
            if int(low) < 0 or int(high) >= table.shape[0]:
                return None
        return table[position_ids]  # (B, T, 2, D)

    def _fast_path_tensors(self) -> list[tuple] | None:
        """Every layer's ``plain_tensors()``, or None to take the plain path: autograd is on (training,
        gradients), gradient checkpointing, a global module hook, or any layer (or the final norm) not plain."""
        if not fast.ENABLED or torch.is_grad_enabled() or self.gradient_checkpointing or _global_hooks():
            return None
        norm = self._modules["norm"]
        if type(norm) is not GPTDemoRMSNorm or norm._forward_hooks or norm._forward_pre_hooks:
            return None
        tensors = [layer.plain_tensors() for layer in self.layers]
        return None if any(t is None for t in tensors) else tensors


def _global_hooks() -> bool:
    """Whether a hook registered for every module (``register_module_forward_hook``) is active."""
    return bool(getattr(_torch_module, "_global_forward_hooks", None)
                or getattr(_torch_module, "_global_forward_pre_hooks", None))


class GPTDemoForCausalLM(GPTDemoPreTrainedModel, GenerationMixin):
    """GPTDemoModel + a linear head to vocabulary logits; ``labels`` give the next-token loss."""

    _tied_weights_keys = {"lm_head.weight": "model.embed_tokens.weight"}  # used when tie_word_embeddings

    def __init__(self, config: GPTDemoConfig):
        super().__init__(config)
        self.model = GPTDemoModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.post_init()

    def get_input_embeddings(self):
        return self.model.embed_tokens

    def set_input_embeddings(self, value):
        self.model.embed_tokens = value

    def get_output_embeddings(self):
        return self.lm_head

    def set_output_embeddings(self, value):
        self.lm_head = value

    def _prepare_cache_for_generation(self, generation_config, model_kwargs, generation_mode, batch_size,
                                      max_cache_length):
        """Let ``generate()`` choose its cache as usual, then swap the ``DynamicCache`` it builds by default for a
        ``fast.GPTDemoCache`` of the length it will need: same behaviour, but each token's keys and values are
        written in place instead of re-copying the whole cache with ``torch.cat``. A cache the caller passed,
        or any other ``cache_implementation``, is left alone."""
        super()._prepare_cache_for_generation(generation_config, model_kwargs, generation_mode, batch_size,
                                              max_cache_length)
        cache = model_kwargs.get("cache")
        if (fast.ENABLED and type(cache) is DynamicCache and not getattr(cache, "_is_user_defined", False)
                and not cache.offloading):
            model_kwargs["cache"] = fast.GPTDemoCache(self.config, max_cache_len=max_cache_length)

    _DECODE_STEP_KWARGS = frozenset({"use_cache", "logits_to_keep", "position_ids"})

    def prepare_inputs_for_generation(self, input_ids, next_sequence_length=None, cache=None, attention_mask=None,
                                      inputs_embeds=None, is_first_iteration=False, **kwargs):
        """``generate()`` calls this before every forward. For the decode steps with our own cache it builds the
        same inputs as ``GenerationMixin.prepare_inputs_for_generation`` in a few dict operations: the new ids,
        the cache, the mask, the new positions, ``use_cache``/``logits_to_keep``. Everything else (the first
        step, ``inputs_embeds``, other caches or arguments) goes to transformers' version. Its copies of the
        sliced ids and positions (for a stable stride under torch.compile) are skipped: an embedding lookup and
        a table lookup read any stride. ~0.1 ms a token here."""
        if (is_first_iteration or inputs_embeds is not None or next_sequence_length is None
                or type(cache) is not fast.GPTDemoCache or not kwargs.keys() <= self._DECODE_STEP_KWARGS
                or input_ids.device != self.model.embed_tokens.weight.device):  # = self.device, cheaper
            return super().prepare_inputs_for_generation(
                input_ids, next_sequence_length=next_sequence_length, cache=cache, attention_mask=attention_mask,
                inputs_embeds=inputs_embeds, is_first_iteration=is_first_iteration, **kwargs)
        inputs = {"input_ids": input_ids[:, -next_sequence_length:], "cache": cache}  # (B, new)
        position_ids = kwargs.pop("position_ids", None)
        if position_ids is not None:
            inputs["position_ids"] = position_ids[..., -next_sequence_length:]  # (B, new)
        if attention_mask is not None:
            inputs["attention_mask"] = attention_mask  # (B, past + new): the whole mask, as transformers passes it
        inputs.update(kwargs)  # use_cache, logits_to_keep
        return inputs

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.LongTensor | None = None,
        cache: Cache | None = None,
        inputs_embeds: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        use_cache: bool | None = None,
        logits_to_keep: int | torch.Tensor = 0,
        output_attentions: bool | None = None,
        output_hidden_states: bool | None = None,
        **kwargs,
    ) -> CausalLMOutputWithPast:
        """``labels`` (B, T) are the input ids themselves (the shift happens here); -100 is ignored.
        ``logits_to_keep`` > 0 computes logits for the last positions only (generation needs one)."""
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            inputs_embeds=inputs_embeds,
            use_cache=use_cache,
            output_attentions=output_attentions,
            output_hidden_states=output_hidden_states,
            **kwargs,
        )
        h = out.last_hidden_state  # (B, T, C)
        if isinstance(logits_to_keep, int):
            h = h[:, -logits_to_keep:] if logits_to_keep > 0 else h
        else:
            h = h[:, logits_to_keep]  # explicit positions
        logits = self.lm_head(h)  # (B, T or kept, V)

        loss = None
        if labels is not None:
            # Position t predicts token t+1: shift the labels left; the last position has no next token (-100).
            # (Slicing off the last logit instead, logits[:, :-1], would copy all B*T*V logits to flatten them.)
            shift_labels = F.pad(labels[:, 1:].to(logits.device), (0, 1), value=-100)  # (B, T)
            loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), shift_labels.reshape(-1),
                                   ignore_index=-100)
        return CausalLMOutputWithPast(
            loss=loss,
            logits=logits,
            cache=out.cache,
            hidden_states=out.hidden_states,
            attentions=out.attentions,
        )
