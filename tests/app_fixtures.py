"""Tiny checkpoints for the app tests: a real SentencePiece tokenizer and a tiny random GPTDemo, saved like the
bundled checkpoint, plus LoRA adapters (one for it, one for another base). Built once per test session.

``tiny_checkpoints`` points ``GPT_DEMO_CHECKPOINTS`` (and ``gpt_demo.checkpoints.CHECKPOINTS_DIR``) at a temporary
folder (built once per session, installed per test module) holding:

- ``gpt-demo-ko-en-tiny``: the default name, so the app finds it without the real bundled checkpoint;
- ``gpt-demo-ko-en-tiny-lora-test``: an adapter with non-zero B for it;
- ``other-tiny`` and ``other-tiny-lora``: another base of the same shape (other weights) and its adapter,
  for the "adapter made for another base" bad input.

``launched_app`` serves ``app.demo``'s twin (``build_demo()``) on a free port with ``prevent_thread_lock=True``
and closes it at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
import torch

from tests.conftest import make_model

DEFAULT_NAME = "gpt-demo-ko-en-tiny"
ADAPTER_NAME = "gpt-demo-ko-en-tiny-lora-test"
OTHER_NAME = "other-tiny"
OTHER_ADAPTER = "other-tiny-lora"
CONTEXT = 128

_TRAIN_LINES = [
    "나는 공부를 합니다.", "나는 맛있는 음식을 좋아합니다.", "I like delicious food.", "The model reads tokens.",
]


def training_text() -> str:
    from gpt_demo.ui.tab_tokenizer import default_training_text

    return default_training_text(300) + "\n" + "\n".join(_TRAIN_LINES * 5)


def _save_base(folder: Path, tokenizer, seed: int):
    model = make_model(seed=seed, vocab_size=len(tokenizer), max_position_embeddings=CONTEXT,
                       num_attention_heads=4, num_key_value_heads=2)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / "README.md").write_text(f"# {folder.name}\n\nA tiny random test model (seed {seed}).\n", encoding="utf-8")
    return model


def _save_adapter(base, folder: Path, seed: int) -> None:
    from gpt_demo import lora

    identity = lora.base_identity(base)
    peft_model = lora.add_lora(base, lora.LoraArgs(r=4, alpha=8.0), copy_base=True)
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)  # trained adapters have non-zero B; zero B would change nothing
    lora.save_adapter(peft_model, folder, identity=identity)


def build_checkpoints(root: Path) -> Path:
    """Write the tiny checkpoints and adapters into ``root``; return ``root``."""
    from gpt_demo.tokenizer import train_tokenizer

    root.mkdir(parents=True, exist_ok=True)
    tok_dir = root / ".tokenizer"
    tokenizer = train_tokenizer([training_text()], tok_dir, 400, num_threads=1)
    base = _save_base(root / DEFAULT_NAME, tokenizer, seed=0)
    other = _save_base(root / OTHER_NAME, tokenizer, seed=1)
    _save_adapter(base, root / ADAPTER_NAME, seed=2)
    _save_adapter(other, root / OTHER_ADAPTER, seed=3)
    shutil.rmtree(tok_dir, ignore_errors=True)
    return root


@pytest.fixture(scope="session")
def tiny_checkpoints_folder(tmp_path_factory) -> Path:
    """The tiny checkpoints, built once per test session."""
    return build_checkpoints(tmp_path_factory.mktemp("app-checkpoints"))


@pytest.fixture(scope="module")
def tiny_checkpoints(tiny_checkpoints_folder):
    """The tiny checkpoints installed as the app's checkpoints folder, for one test module (then put back, so
    other modules see the real setting)."""
    import gpt_demo.checkpoints as checkpoints

    root = tiny_checkpoints_folder
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GPT_DEMO_CHECKPOINTS", str(root))
        mp.setattr(checkpoints, "CHECKPOINTS_DIR", root.resolve())
        mp.delenv("GPT_DEMO_DEFAULT_CHECKPOINT", raising=False)
        from gpt_demo.ui.state import MODELS

        MODELS.clear()
        yield root
        MODELS.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def launched_app(tiny_checkpoints):
    """(demo, url) of the app served on a free local port; closed after the module."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    from gpt_demo.ui import build_demo

    demo = build_demo()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield demo, f"http://127.0.0.1:{port}/"
    finally:
        demo.close()
