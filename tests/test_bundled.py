"""The bundled checkpoint: it ships in the repo, loads through the Auto classes, and its greedy output is fixed."""

from pathlib import Path

import pytest
import sentencepiece as spm
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

import gpt_demo  # noqa: F401  (registers the model type)
from gpt_demo.sampling import generate

BUNDLED = Path(__file__).resolve().parents[1] / "checkpoints" / "gpt-demo-ko-en-tiny"

# Greedy continuations of the shipped weights (24 new tokens). If the weights are retrained on purpose,
# regenerate these with the snippet in this file's test and say so in the commit.
GOLDEN = {
    "토요일 오후에 민수는": [1904, 417, 1090, 2572, 3322, 420, 3307, 2441, 372, 895, 3749, 706, 3327, 423, 3631, 3329,
                       2273, 378, 517, 3307, 1250, 1087, 3297, 4083],
    "One day, Mina": [3348, 3304, 671, 1575, 428, 1207, 373, 264, 1613, 2171, 264, 2913, 2937, 3307, 1590, 589, 349,
                      2004, 287, 566, 262, 1114, 3307, 1469],
}


@pytest.fixture(scope="module")
def bundled():
    model = AutoModelForCausalLM.from_pretrained(BUNDLED).eval()
    tokenizer = AutoTokenizer.from_pretrained(BUNDLED)
    return model, tokenizer


def test_the_folder_has_what_the_issue_lists_and_stays_small():
    names = {p.name for p in BUNDLED.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.model", "tokenizer.json", "tokenizer_config.json",
            "generation_config.json", "README.md"} <= names
    assert sum(p.stat().st_size for p in BUNDLED.iterdir()) <= 25 * 2**20
    card = (BUNDLED / "README.md").read_text(encoding="utf-8")
    for needle in ("-m gpt_demo train --train-file", "Validation loss", "perplexity", "tokens seen", "top_p = 0.5",
                   "top_p = 0.9", "top_p = 1.0", "Hardware"):
        assert needle in card


def test_loads_with_auto_classes_and_the_special_ids_agree(bundled):
    model, tok = bundled
    assert type(model).__name__ == "GPTDemoForCausalLM"
    assert len(tok) == model.config.vocab_size == 4096
    assert (tok.unk_token_id, tok.bos_token_id, tok.eos_token_id, tok.pad_token_id) == (0, 1, 2, 3)
    assert (model.config.bos_token_id, model.config.eos_token_id, model.config.pad_token_id) == (1, 2, 3)


def test_tokenizer_equals_raw_sentencepiece(bundled):
    _, tok = bundled
    sp = spm.SentencePieceProcessor(model_file=str(BUNDLED / "tokenizer.model"))
    texts = ["나는 공부를 합니다.", "나는 맛있는 음식을 좋아합니다.", "One day, Mina went to the park.",
             "뷁 똠 쀍 — rare syllables fall back to bytes", "  spaces\tand\nnewlines 123 "]
    for text in texts:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        assert ids == sp.encode(text)
        assert tok.decode(ids) == sp.decode(ids) == text
    assert any(p.startswith("<0x") for p in sp.encode("뷁", out_type=str))  # byte fallback is visible


@pytest.mark.parametrize("prompt", list(GOLDEN))
def test_golden_greedy_output(bundled, prompt):
    model, tok = bundled
    ids = tok(prompt, add_special_tokens=False, return_tensors="pt").input_ids
    out = model.generate(ids, max_new_tokens=24, do_sample=False)
    assert out[0, ids.shape[1]:].tolist() == GOLDEN[prompt]
    # the didactic loop agrees, and the text is readable (no byte garbage)
    ours = generate(model, ids, 24, temperature=0)
    assert torch.equal(ours, out)
    assert "\ufffd" not in tok.decode(out[0])
