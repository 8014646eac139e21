import json
import random

import pytest
import torch

from gpt_demo import GPTDemoForCausalLM
from gpt_demo.training import TrainArgs, latest_checkpoint, save_training_checkpoint, train

WORDS_EN = "the cat dog sat ran on mat park home happy sad because then finally she he they ate apple".split()
WORDS_KO = "고양이가 강아지가 공원에서 집으로 사과를 먹었다 기뻤다 슬펐다 그래서 마침내 그는 그녀는".split()


@pytest.fixture(scope="module")
def text_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("text")
    rng = random.Random(0)

    def lines(n):
        out = []
        for i in range(n):
            words = WORDS_KO if i % 2 else WORDS_EN
            out.append(" ".join(rng.choice(words) for _ in range(rng.randint(8, 20))) + ".")
        return "\n".join(out) + "\n"

    (root / "train.txt").write_text(lines(1500), encoding="utf-8")
    (root / "val.txt").write_text(lines(100), encoding="utf-8")
    return root


def tiny_args(text_files, out_dir, **overrides):
    base = dict(train_file=str(text_files / "train.txt"), val_file=str(text_files / "val.txt"), out_dir=str(out_dir),
                vocab_size=400, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, block_size=32, batch_size=8, max_steps=30, learning_rate=5e-3,
                warmup_steps=5, eval_every=10, eval_batches=4, save_every=10, log_every=1, progress=False)
    return TrainArgs(**{**base, **overrides})


def read_losses(run_dir):
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: r["loss"] for r in rows}, {r["step"]: r["val_loss"] for r in rows if "val_loss" in r}


def test_tiny_training_run_lowers_the_loss(text_files, tmp_path):
    metrics = train(tiny_args(text_files, tmp_path / "run"))
    losses, val = read_losses(tmp_path / "run")
    assert metrics["step"] == 30
    assert losses[30] < losses[1] - 1.0
    assert val[30] < val[10]
    assert (tmp_path / "run" / "loss.png").stat().st_size > 1000
    ckpt = latest_checkpoint(tmp_path / "run")
    assert ckpt.name == "checkpoint-30"
    assert (ckpt / "tokenizer.model").is_file()  # the raw SentencePiece model travels with the weights
    assert len(list((tmp_path / "run").glob("checkpoint-*"))) == 2  # keep_last
    model = GPTDemoForCausalLM.from_pretrained(ckpt)
    assert model.config.vocab_size == 400 and model.config.max_position_embeddings == 32


def test_resume_gives_the_same_losses_as_an_uninterrupted_run(text_files, tmp_path):
    train(tiny_args(text_files, tmp_path / "full", max_steps=24, save_every=8))
    train(tiny_args(text_files, tmp_path / "cut", max_steps=24, save_every=8, stop_after=13))
    assert latest_checkpoint(tmp_path / "cut").name == "checkpoint-13"
    train(tiny_args(text_files, tmp_path / "cut", max_steps=24, save_every=8, resume="auto"))
    full, full_val = read_losses(tmp_path / "full")
    cut, cut_val = read_losses(tmp_path / "cut")
    assert cut == full
    assert cut_val == full_val
    a = GPTDemoForCausalLM.from_pretrained(tmp_path / "full" / "checkpoint-24").state_dict()
    b = GPTDemoForCausalLM.from_pretrained(tmp_path / "cut" / "checkpoint-24").state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_crash_while_saving_keeps_the_previous_checkpoint(text_files, tmp_path, monkeypatch):
    run = tmp_path / "run"
    train(tiny_args(text_files, run, max_steps=10, save_every=10))
    before = GPTDemoForCausalLM.from_pretrained(run / "checkpoint-10").state_dict()

    import gpt_demo.training as training

    def exploding_save(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(training.torch, "save", exploding_save)
    model = GPTDemoForCausalLM.from_pretrained(run / "checkpoint-10")
    from gpt_demo.tokenizer import load_tokenizer

    opt = torch.optim.AdamW(model.parameters())
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)

    class Blocks:
        def state_dict(self):
            return {}

    with pytest.raises(OSError, match="simulated"):
        save_training_checkpoint(run / "checkpoint-10", model, load_tokenizer(run / "tokenizer"), opt, sched, 10,
                                 Blocks(), tiny_args(text_files, run))
    after = GPTDemoForCausalLM.from_pretrained(run / "checkpoint-10").state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not [p for p in run.iterdir() if p.name.startswith(".")]  # no temp folder left behind


@pytest.mark.parametrize(
    "overrides, error, message",
    [
        (dict(resume="somewhere/not-a-checkpoint"), ValueError, "not a training checkpoint"),
        (dict(hidden_size=30), ValueError, "hidden_size"),
        (dict(learning_rate=0.0), ValueError, "learning_rate"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(train_file="missing.txt"), FileNotFoundError, "missing.txt"),
    ],
)
def test_bad_training_arguments(text_files, tmp_path, overrides, error, message):
    with pytest.raises(error, match=message):
        train(tiny_args(text_files, tmp_path / "run", **overrides))
    assert not (tmp_path / "run" / "checkpoint-10").exists()
