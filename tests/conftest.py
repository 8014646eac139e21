"""Shared fixtures: tiny configs, seeded, CPU only."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach the real Hub
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402
import torch  # noqa: E402

import gpt_demo  # noqa: E402,F401  (registers the Auto classes)
from gpt_demo import GPTDemoConfig, GPTDemoForCausalLM  # noqa: E402

torch.set_num_threads(min(2, os.cpu_count() or 1))

TINY = dict(
    vocab_size=101,
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=128,
    pad_token_id=3,
    bos_token_id=1,
    eos_token_id=2,
)


def make_model(seed: int = 0, **overrides) -> GPTDemoForCausalLM:
    """A tiny randomly initialised GPTDemo model in eval mode (seeded)."""
    torch.manual_seed(seed)
    config = GPTDemoConfig(**{**TINY, **overrides})
    model = GPTDemoForCausalLM(config).eval()
    # Small init std makes every logit nearly equal; a larger one gives the model real preferences,
    # so greedy ties (which make comparisons meaningless) do not happen.
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0, 0.2)
    return model


@pytest.fixture
def tiny_model() -> GPTDemoForCausalLM:
    return make_model()
