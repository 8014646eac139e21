"""The bench/ scripts still run and their built-in correctness checks still hold.

These are not timed tests: each script runs once on the smallest settings, and only what the script itself checks
(same tokens as Llama, same loss and gradients, same ids as SentencePiece) is asserted, never a speed ratio.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bench(script: str, *args: str) -> str:
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


def test_generate_speed_checks_the_tokens_against_llama():
    out = run_bench("generate_speed.py", "--config", "default", "--batch", "2", "--repeats", "1",
                    "--new-tokens", "4", "--plain")
    assert "same tokens: True" in out and "summary: default b2" in out


def test_train_speed_checks_loss_and_gradients_against_llama():
    out = run_bench("train_speed.py", "--config", "default", "--batch", "2", "--seq-len", "16", "--steps", "1",
                    "--repeats", "1")
    assert "first-step loss diff 0.0e+00, max grad diff 0.0e+00" in out


def test_tokenizer_speed_checks_the_ids_against_sentencepiece():
    out = run_bench("tokenizer_speed.py", "--mb", "0.3", "--repeats", "1", "--app-lines", "50")
    assert "same ids as SentencePiece" in out
    assert "pieces(tok, text) / spm rows from its proto" in out


def test_memory_measures_the_half_precision_weights():
    out = run_bench("memory.py", "--calls", "4")  # too few calls for the growth verdict, which is not asserted
    assert "summary: weights halve in bf16/fp16" in out


def test_startup_explains_itself():  # a real run starts the app several times (~30 s a repeat): not here
    assert "usage" in run_bench("startup.py", "--help")
