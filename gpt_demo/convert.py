"""Between transformers' ``LlamaForCausalLM`` and ``GPTDemoForCausalLM``.

The two models use the same parameter names and the same RoPE convention (``rotate_half``), so the
weights copy over unchanged; only the config needs translating.
"""

from __future__ import annotations

import os
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


# -- llama2.c checkpoints ------------------------------------------------------------------------------------
#
# Karpathy's llama2.c trains the same architecture under other names (``layers.N.attention.wq`` for
# ``model.layers.N.self_attn.q_proj``, ...) and rotates *interleaved* pairs of dimensions in RoPE:
# (0, 1), (2, 3), ... where transformers (and GPTDemo) rotate the two halves of a head: (0, D/2), (1, D/2+1), ...
# Reordering the rows of wq and wk per head turns one convention into the other, so the converted model
# computes the same function. Three file formats exist:
#   - ``.pt`` from its train.py: {"model": state_dict, "model_args": {...}, ...}
#   - ``.bin`` legacy ("version 0") export: 7 int32 header + fp32 weights, read by run.c
#   - ``.bin`` version 1 export: 256-byte header starting with the magic "ak42" + fp32 weights

LLAMA2C_MAGIC = 0x616B3432  # "ak42": version 1+ export header
LLAMA2C_NAMES = {  # llama2.c name (per layer, after "layers.N.") -> GPTDemo / transformers name
    "attention.wq.weight": "self_attn.q_proj.weight",
    "attention.wk.weight": "self_attn.k_proj.weight",
    "attention.wv.weight": "self_attn.v_proj.weight",
    "attention.wo.weight": "self_attn.o_proj.weight",
    "feed_forward.w1.weight": "mlp.gate_proj.weight",
    "feed_forward.w2.weight": "mlp.down_proj.weight",
    "feed_forward.w3.weight": "mlp.up_proj.weight",
    "attention_norm.weight": "input_layernorm.weight",
    "ffn_norm.weight": "post_attention_layernorm.weight",
}


def permute_interleaved_to_half(w: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Reorder the output rows of a q or k projection, (n_heads * D, C), from interleaved RoPE pairs to
    ``rotate_half`` pairs: row 2i+p of each head moves to row i + p*D/2 (as llama2.c's export.py does)."""
    dim1, dim2 = w.shape
    return w.view(n_heads, dim1 // n_heads // 2, 2, dim2).transpose(1, 2).reshape(dim1, dim2)


def unpickling_refusal_reason(error: Exception) -> str:
    """The informative line of torch's "Weights only load failed" message (which global was blocked)."""
    lines = [ln.strip() for ln in str(error).splitlines() if ln.strip()]
    detail = [ln for ln in lines if not ln.startswith(("Weights only load failed", "Check the documentation"))]
    return detail[0] if detail else (lines[0] if lines else type(error).__name__)


def _llama2c_read_pt(path) -> tuple[dict, dict]:
    """(params, llama2.c state dict) from a train.py checkpoint, unpickled with weights_only=True."""
    import pickle

    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise ValueError(f"{path}: refused; torch.load(weights_only=True) will not open it, because unpickling it "
                         f"could run code ({unpickling_refusal_reason(e)})") from e
    except (RuntimeError, EOFError, OSError) as e:
        raise ValueError(f"{path}: not a readable llama2.c .pt checkpoint (cut short or damaged?): {e}") from e
    if not isinstance(checkpoint, Mapping) or "model" not in checkpoint or "model_args" not in checkpoint:
        raise ValueError(f"{path}: not a llama2.c train.py checkpoint (expected a dict with 'model' and 'model_args')")
    args = dict(checkpoint["model_args"])
    state = {k.removeprefix("_orig_mod."): v for k, v in checkpoint["model"].items()}  # torch.compile prefix
    if "tok_embeddings.weight" not in state or "layers.0.feed_forward.w1.weight" not in state:
        raise ValueError(f"{path}: the 'model' state dict does not have llama2.c's parameter names")
    n_heads = int(args["n_heads"])
    params = {
        "dim": int(args["dim"]),
        "hidden_dim": int(state["layers.0.feed_forward.w1.weight"].shape[0]),
        "n_layers": int(args["n_layers"]),
        "n_heads": n_heads,
        "n_kv_heads": int(args.get("n_kv_heads") or n_heads),
        "vocab_size": int(state["tok_embeddings.weight"].shape[0]),
        "max_seq_len": int(args.get("max_seq_len", 2048)),
        "norm_eps": float(args.get("norm_eps", 1e-5)),
    }
    output = state.get("output.weight")
    params["shared"] = output is None or torch.equal(output, state["tok_embeddings.weight"])
    return params, state


def _llama2c_read_bin(path) -> tuple[dict, dict]:
    """(params, llama2.c state dict) from a legacy (v0) or version 1 ``.bin`` export."""
    import struct

    import numpy as np

    with open(path, "rb") as f:
        head = f.read(256)
    if len(head) < 28:
        raise ValueError(f"{path}: too short to be a llama2.c .bin file ({len(head)} bytes)")
    (magic,) = struct.unpack("<I", head[:4])
    if magic == LLAMA2C_MAGIC:
        (version,) = struct.unpack("<i", head[4:8])
        if version != 1:
            raise ValueError(f"{path}: llama2.c export version {version} is not supported (only the fp32 formats: "
                             "legacy and version 1; version 2 is int8-quantized)")
        dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len = struct.unpack("<7i", head[8:36])
        shared, offset, legacy = bool(head[36]), 256, False
    else:
        dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len = struct.unpack("<7i", head[:28])
        shared, offset, legacy = vocab > 0, 28, True
        vocab = abs(vocab)
    for name, value in (("dim", dim), ("hidden_dim", hidden), ("n_layers", n_layers), ("n_heads", n_heads),
                        ("n_kv_heads", n_kv), ("vocab_size", vocab), ("seq_len", seq_len)):
        if not 0 < value < 1 << 24:
            raise ValueError(f"{path}: not a llama2.c .bin file (header field {name}={value} is impossible)")
    if dim % n_heads or n_heads % n_kv:
        raise ValueError(f"{path}: not a llama2.c .bin file (dim={dim}, n_heads={n_heads}, n_kv_heads={n_kv})")
    head_dim = dim // n_heads
    kv_dim = n_kv * head_dim
    L = n_layers
    layer_shapes = {  # one entry per layer, stored layer after layer
        "attention_norm.weight": (dim,),
        "ffn_norm.weight": (dim,),
        "attention.wq.weight": (dim, dim),
        "attention.wk.weight": (kv_dim, dim),
        "attention.wv.weight": (kv_dim, dim),
        "attention.wo.weight": (dim, dim),
        "feed_forward.w1.weight": (hidden, dim),
        "feed_forward.w2.weight": (dim, hidden),
        "feed_forward.w3.weight": (hidden, dim),
    }
    if legacy:  # run.c's order; the two RoPE tables (seq_len * head_dim / 2 floats each) are skipped
        order = ["tok_embeddings.weight", "attention_norm.weight", "attention.wq.weight", "attention.wk.weight",
                 "attention.wv.weight", "attention.wo.weight", "ffn_norm.weight", "feed_forward.w1.weight",
                 "feed_forward.w2.weight", "feed_forward.w3.weight", "norm.weight", "freq_cis_real",
                 "freq_cis_imag"]
    else:
        order = ["attention_norm.weight", "ffn_norm.weight", "norm.weight", "tok_embeddings.weight",
                 "attention.wq.weight", "attention.wk.weight", "attention.wv.weight", "attention.wo.weight",
                 "feed_forward.w1.weight", "feed_forward.w2.weight", "feed_forward.w3.weight"]
    if not shared:
        order.append("output.weight")
    global_shapes = {"tok_embeddings.weight": (vocab, dim), "norm.weight": (dim,), "output.weight": (vocab, dim),
                     "freq_cis_real": (seq_len, head_dim // 2), "freq_cis_imag": (seq_len, head_dim // 2)}

    def numel(shape):
        n = 1
        for s in shape:
            n *= s
        return n

    total = sum(numel(layer_shapes[k]) * L if k in layer_shapes else numel(global_shapes[k]) for k in order)
    size = os.path.getsize(path)
    if size != offset + 4 * total:
        raise ValueError(f"{path}: size {size} bytes does not match its header (expected {offset + 4 * total}): "
                         "the file is cut short, damaged, or not an fp32 llama2.c export")
    data = torch.from_numpy(np.fromfile(path, dtype="<f4", offset=offset).astype(np.float32))
    state, pos = {}, 0
    for key in order:
        if key in layer_shapes:
            shape = layer_shapes[key]
            for i in range(L):
                state[f"layers.{i}.{key}"] = data[pos:pos + numel(shape)].view(shape)
                pos += numel(shape)
        else:
            shape = global_shapes[key]
            state[key] = data[pos:pos + numel(shape)].view(shape)
            pos += numel(shape)
    params = {"dim": dim, "hidden_dim": hidden, "n_layers": L, "n_heads": n_heads, "n_kv_heads": n_kv,
              "vocab_size": vocab, "max_seq_len": seq_len, "norm_eps": 1e-5, "shared": shared}
    return params, state


def from_llama2c(path, *, bos_token_id: int | None = 1, eos_token_id: int | None = 2,
                 pad_token_id: int | None = None) -> GPTDemoForCausalLM:
    """Build a GPTDemoForCausalLM from a llama2.c checkpoint: a train.py ``.pt`` file or a ``.bin`` export
    (legacy or version 1, fp32). The format is recognised from the file's content.

    q and k rows are permuted from llama2.c's interleaved RoPE to ``rotate_half``; rope_theta is 10000 (llama2.c's
    only value). The tokenizer is not part of these files: load it separately (llama2.c's tokenizers use
    <unk>=0, <s>=1, </s>=2, hence the defaults of the special ids).
    """
    import zipfile

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"llama2.c checkpoint not found: {path}")
    if zipfile.is_zipfile(path) or path.endswith((".pt", ".pth")):
        params, state = _llama2c_read_pt(path)
    else:
        params, state = _llama2c_read_bin(path)
    n_heads, n_kv = params["n_heads"], params["n_kv_heads"]
    config = GPTDemoConfig(
        vocab_size=params["vocab_size"],
        hidden_size=params["dim"],
        intermediate_size=params["hidden_dim"],
        num_hidden_layers=params["n_layers"],
        num_attention_heads=n_heads,
        num_key_value_heads=n_kv,
        max_position_embeddings=params["max_seq_len"],
        rms_norm_eps=params["norm_eps"],
        rope_theta=10000.0,
        tie_word_embeddings=params["shared"],
        bos_token_id=bos_token_id if bos_token_id is None or bos_token_id < params["vocab_size"] else None,
        eos_token_id=eos_token_id if eos_token_id is None or eos_token_id < params["vocab_size"] else None,
        pad_token_id=pad_token_id,
    )
    ours = {
        "model.embed_tokens.weight": state["tok_embeddings.weight"],
        "model.norm.weight": state["norm.weight"],
    }
    for i in range(params["n_layers"]):
        for theirs, name in LLAMA2C_NAMES.items():
            key = f"layers.{i}.{theirs}"
            if key not in state:
                raise ValueError(f"{path}: missing weight {key}")
            w = state[key]
            if theirs == "attention.wq.weight":
                w = permute_interleaved_to_half(w, n_heads)
            elif theirs == "attention.wk.weight":
                w = permute_interleaved_to_half(w, n_kv)
            ours[f"model.layers.{i}.{name}"] = w
    if not params["shared"]:
        ours["lm_head.weight"] = state["output.weight"]
    ours = {k: v.float().contiguous() for k, v in ours.items()}  # llama2.c trains and exports in fp32
    return from_llama(ours, config=config)
