"""GPTDemoConfig: every size and switch of the model, validated in one place.

The field names are the ones transformers' ``LlamaConfig`` uses, so a Llama config maps onto this one
field by field (see ``gpt_demo.convert``). Each default says why it is what it is.
"""

from __future__ import annotations

from transformers import PreTrainedConfig


def _require(condition: bool, field: str, allowed: str, value) -> None:
    """Raise a ValueError that names the field, the allowed range and the value given."""
    if not condition:
        raise ValueError(f"GPTDemoConfig: {field} must be {allowed}, got {value!r}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class GPTDemoConfig(PreTrainedConfig):
    """Configuration of a LLaMA-style GPT (RMSNorm, RoPE, SwiGLU, grouped-query attention).

    Derived fields: ``head_dim`` defaults to ``hidden_size // num_attention_heads`` and
    ``num_key_value_heads`` to ``num_attention_heads`` (plain multi-head attention).
    Impossible values raise ``ValueError`` naming the field and its allowed range.
    """

    model_type = "gpt_demo"

    def __init__(
        self,
        vocab_size: int = 4096,  # small SentencePiece vocabulary: Korean + English fit in a few thousand pieces
        hidden_size: int = 256,  # width of the residual stream; tiny so it trains on a laptop CPU
        intermediate_size: int = 688,  # SwiGLU width, about 8/3 * hidden_size as in LLaMA
        num_hidden_layers: int = 4,  # number of transformer blocks
        num_attention_heads: int = 4,  # query heads; head_dim = hidden_size / heads = 64
        num_key_value_heads: int | None = None,  # < heads means grouped-query attention (smaller KV cache)
        head_dim: int | None = None,  # None: hidden_size // num_attention_heads
        max_position_embeddings: int = 512,  # longest sequence (prompt + generated) the model accepts
        rms_norm_eps: float = 1e-5,  # keeps RMSNorm finite on an all-zero vector
        rope_theta: float = 10000.0,  # RoPE base: larger means slower-turning rotations, longer context
        tie_word_embeddings: bool = True,  # share embed_tokens and lm_head: saves vocab*hidden parameters
        attention_bias: bool = False,  # LLaMA has no biases; some LLaMA-family models do on q/k/v/o
        mlp_bias: bool = False,
        hidden_act: str = "silu",  # SwiGLU gate activation; the only one implemented
        initializer_range: float = 0.02,  # std of the normal init of linear and embedding weights
        pad_token_id: int | None = 3,  # our SentencePiece ids: <unk>=0, <s>=1, </s>=2, <pad>=3
        bos_token_id: int | None = 1,
        eos_token_id: int | list[int] | None = 2,
        use_cache: bool = True,  # keep keys/values of past tokens while generating
        **kwargs,
    ):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.intermediate_size = intermediate_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.num_key_value_heads = num_attention_heads if num_key_value_heads is None else num_key_value_heads
        self.head_dim = head_dim  # filled in by validate() when None
        self.max_position_embeddings = max_position_embeddings
        self.rms_norm_eps = rms_norm_eps
        self.rope_theta = rope_theta
        self.tie_word_embeddings = tie_word_embeddings
        self.attention_bias = attention_bias
        self.mlp_bias = mlp_bias
        self.hidden_act = hidden_act
        self.initializer_range = initializer_range
        self.pad_token_id = pad_token_id
        self.bos_token_id = bos_token_id
        self.eos_token_id = eos_token_id
        self.use_cache = use_cache
        # A Llama config nests rope_theta in rope_parameters; accept that spelling too.
        rope_parameters = kwargs.pop("rope_parameters", None)
        if isinstance(rope_parameters, dict):
            kind = rope_parameters.get("rope_type", "default")
            _require(kind == "default", "rope_parameters.rope_type", "'default' (no RoPE scaling is implemented)", kind)
            self.rope_theta = rope_parameters.get("rope_theta", self.rope_theta)
        super().__init__(**kwargs)
        self.validate()

    def validate(self) -> None:
        """Check every field and derive ``head_dim``; raise ValueError naming the first impossible one."""
        for name in ("hidden_size", "num_attention_heads"):
            value = getattr(self, name)
            _require(_is_int(value) and value > 0, name, "a positive integer", value)
        if self.head_dim is None:
            # An explicit head_dim (some LLaMA-family models) may differ from hidden_size // heads;
            # the default needs heads to divide the hidden size.
            _require(
                self.hidden_size % self.num_attention_heads == 0,
                "hidden_size",
                f"a multiple of num_attention_heads={self.num_attention_heads}",
                self.hidden_size,
            )
            self.head_dim = self.hidden_size // self.num_attention_heads
        for name in (
            "vocab_size",
            "hidden_size",
            "intermediate_size",
            "num_hidden_layers",
            "num_attention_heads",
            "num_key_value_heads",
            "head_dim",
            "max_position_embeddings",
        ):
            value = getattr(self, name)
            _require(_is_int(value) and value > 0, name, "a positive integer", value)
        _require(
            self.num_attention_heads % self.num_key_value_heads == 0,
            "num_key_value_heads",
            f"a divisor of num_attention_heads={self.num_attention_heads} (each KV head serves a group of query heads)",
            self.num_key_value_heads,
        )
        _require(self.head_dim % 2 == 0, "head_dim", "even (RoPE rotates pairs of dimensions)", self.head_dim)
        _require(
            isinstance(self.rms_norm_eps, (int, float)) and 0 < self.rms_norm_eps < 1,
            "rms_norm_eps",
            "in (0, 1)",
            self.rms_norm_eps,
        )
        _require(
            isinstance(self.rope_theta, (int, float)) and self.rope_theta > 1,
            "rope_theta",
            "a number > 1",
            self.rope_theta,
        )
        _require(self.hidden_act == "silu", "hidden_act", "'silu' (SwiGLU)", self.hidden_act)
        _require(
            isinstance(self.initializer_range, (int, float)) and self.initializer_range > 0,
            "initializer_range",
            "> 0",
            self.initializer_range,
        )
        eos = self.eos_token_id if isinstance(self.eos_token_id, list) else [self.eos_token_id]
        for name, values in (("pad_token_id", [self.pad_token_id]), ("bos_token_id", [self.bos_token_id]),
                             ("eos_token_id", eos)):
            for value in values:
                _require(
                    value is None or (_is_int(value) and 0 <= value < self.vocab_size),
                    name,
                    f"None or an id in [0, {self.vocab_size - 1}]",
                    value,
                )
