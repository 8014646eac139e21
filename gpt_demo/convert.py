"""Between transformers' ``LlamaForCausalLM`` and ``GPTDemoForCausalLM``.

The two models use the same parameter names and the same RoPE convention (``rotate_half``), so the
weights copy over unchanged; only the config needs translating.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from .configuration_gpt_demo import GPTDemoConfig
from .modeling_gpt_demo import GPTDemoForCausalLM

# Config fields that mean the same thing in both models.
SHARED_FIELDS = (
    "vocab_size",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "max_position_embeddings",
    "rms_norm_eps",
    "tie_word_embeddings",
    "attention_bias",
    "mlp_bias",
    "hidden_act",
    "initializer_range",
    "pad_token_id",
    "bos_token_id",
    "eos_token_id",
)


def _rope_theta(llama_config) -> float:
    """rope_theta from a Llama config, refusing RoPE variants GPTDemo does not implement."""
    params = getattr(llama_config, "rope_parameters", None) or {}
    kind = params.get("rope_type", "default")
    if kind != "default":
        raise ValueError(
            f"RoPE type {kind!r} (rope scaling) is not implemented in GPTDemo; only 'default' RoPE is. "
            "Models such as Llama 3.1+ use 'llama3' scaling and cannot be converted."
        )
    theta = params.get("rope_theta", getattr(llama_config, "rope_theta", None))
    return 10000.0 if theta is None else float(theta)


def config_from_llama(llama_config) -> GPTDemoConfig:
    """Translate a ``LlamaConfig`` into a ``GPTDemoConfig`` (ValueError for unsupported features)."""
    if getattr(llama_config, "pretraining_tp", 1) not in (None, 1):
        raise ValueError("pretraining_tp > 1 (sliced linear layers) is not supported")
    kwargs = {name: getattr(llama_config, name) for name in SHARED_FIELDS
              if getattr(llama_config, name, None) is not None}
    kwargs.setdefault("tie_word_embeddings", False)  # LlamaConfig's default
    return GPTDemoConfig(rope_theta=_rope_theta(llama_config), **kwargs)


def config_to_llama(config: GPTDemoConfig):
    """Translate a ``GPTDemoConfig`` into a ``LlamaConfig``."""
    from transformers import LlamaConfig

    kwargs = {name: getattr(config, name) for name in SHARED_FIELDS}
    return LlamaConfig(rope_parameters={"rope_type": "default", "rope_theta": float(config.rope_theta)}, **kwargs)


def from_llama(model_or_state_dict, config=None) -> GPTDemoForCausalLM:
    """Build a GPTDemoForCausalLM from a ``LlamaForCausalLM`` (or its state dict plus a Llama/GPTDemo config).

    The weights are copied with ``strict=True``: a missing or extra tensor is an error, never silently
    left at its random init.
    """
    if isinstance(model_or_state_dict, Mapping):
        if config is None:
            raise ValueError("from_llama(state_dict) needs the config too")
        state_dict = model_or_state_dict
    else:
        config = model_or_state_dict.config if config is None else config
        state_dict = model_or_state_dict.state_dict()
    gpt_config = config if isinstance(config, GPTDemoConfig) else config_from_llama(config)
    state_dict = {k: v for k, v in state_dict.items() if not k.endswith("rotary_emb.inv_freq")}
    if gpt_config.tie_word_embeddings:
        state_dict.pop("lm_head.weight", None)  # shared with model.embed_tokens.weight
    dtype = next(iter(state_dict.values())).dtype
    with torch.device("meta"):
        model = GPTDemoForCausalLM(gpt_config)
    model.load_state_dict(state_dict, strict=not gpt_config.tie_word_embeddings, assign=True)
    if gpt_config.tie_word_embeddings:
        missing = {k for k, _ in model.named_parameters() if k not in state_dict} - {"lm_head.weight"}
        if missing:
            raise ValueError(f"state dict is missing weights: {sorted(missing)[:5]}")
        model.tie_weights()
    return model.to(dtype).eval()


def to_llama(model: GPTDemoForCausalLM):
    """Build a transformers ``LlamaForCausalLM`` holding the same weights."""
    from transformers import LlamaForCausalLM

    llama_config = config_to_llama(model.config)
    dtype = next(model.parameters()).dtype
    with torch.device("meta"):
        llama = LlamaForCausalLM(llama_config)
    state_dict = dict(model.state_dict())
    if model.config.tie_word_embeddings:
        state_dict.pop("lm_head.weight", None)
    # Llama's rotary inv_freq buffers are non-persistent, so they are not in the state dict: rebuild them.
    result = llama.load_state_dict(state_dict, strict=False, assign=True)
    unexpected = list(result.unexpected_keys)
    missing = [k for k in result.missing_keys if not (model.config.tie_word_embeddings and k == "lm_head.weight")]
    if unexpected or missing:
        raise ValueError(f"weights do not map onto LlamaForCausalLM: missing={missing[:5]} unexpected={unexpected[:5]}")
    rotary = llama.model.rotary_emb
    inv_freq, scaling = rotary.compute_default_rope_parameters(llama_config)
    rotary.inv_freq = inv_freq
    rotary.original_inv_freq = inv_freq.clone()
    rotary.attention_scaling = scaling
    if model.config.tie_word_embeddings:
        llama.tie_weights()
    return llama.to(dtype).eval()
