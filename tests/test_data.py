"""gpt_demo.data: pre-tokenized uint16 files, random/sequential token blocks, padded collate with -100 labels."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from gpt_demo import data as D
from gpt_demo.data import IGNORE_INDEX, TokenBlocks, collate_padded, read_meta, tokenize_to_memmap
from gpt_demo.tokenizer import EOS_ID, PAD_ID, load_tokenizer, train_tokenizer
from tests.test_tokenizer import sample_lines


@pytest.fixture(scope="session")
def lines() -> list[str]:
    return sample_lines(400, seed=0)


@pytest.fixture(scope="session")
def tok_dir(tmp_path_factory, lines) -> Path:
    out = tmp_path_factory.mktemp("data_tok") / "tok"
    train_tokenizer(lines, out, 600)
    return out


@pytest.fixture(scope="session")
def tok(tok_dir):
    return load_tokenizer(tok_dir)


@pytest.fixture(scope="session")
def text_file(tmp_path_factory, lines) -> Path:
    path = tmp_path_factory.mktemp("data_text") / "corpus.txt"
    body = lines[:5] + ["", "   "] + lines[5:]  # blank lines are skipped
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def token_file(tmp_path_factory, text_file, tok_dir) -> Path:
    out = tmp_path_factory.mktemp("data_bin") / "train.bin"
    tokenize_to_memmap(text_file, tok_dir, out, batch_lines=64)
    return out


# --- tokenize_to_memmap ------------------------------------------------------------------------------
def test_memmap_round_trip(token_file, tok, lines, tok_dir):
    arr = np.memmap(token_file, dtype=np.uint16, mode="r")
    meta = read_meta(token_file)
    assert arr.dtype == np.uint16 and meta["dtype"] == "uint16"
    assert meta["n_tokens"] == len(arr) == token_file.stat().st_size // 2
    assert token_file.stat().st_mode & 0o044  # readable by others (not mkstemp's private 0600)
    assert meta["vocab_size"] == 600 and meta["eos_id"] == EOS_ID
    assert len(meta["tokenizer_sha256"]) == 64 and meta["source_size"] > 0
    first_eos = int(np.argmax(arr == EOS_ID))
    assert tok.decode(arr[:first_eos].tolist()) == lines[0]
    assert int((arr == EOS_ID).sum()) == len(lines)  # one </s> per non-blank line
    want = [i for ids in tok(lines, add_special_tokens=False)["input_ids"] for i in ids + [EOS_ID]]
    assert arr.tolist() == want  # exactly the wrapper's ids, whatever the batch size


def test_memmap_is_not_recomputed_when_unchanged(tmp_path, text_file, tok_dir, monkeypatch):
    out = tmp_path / "t.bin"
    n = tokenize_to_memmap(text_file, tok_dir, out)
    stamp = out.stat().st_mtime_ns

    def boom(*args, **kwargs):
        raise AssertionError("re-tokenized an unchanged file")

    monkeypatch.setattr(D, "encode_fast", boom)
    assert tokenize_to_memmap(text_file, tok_dir, out) == n
    assert out.stat().st_mtime_ns == stamp
    monkeypatch.undo()

    changed = tmp_path / "changed.txt"
    changed.write_text(text_file.read_text(encoding="utf-8") + "한 줄 더.\n", encoding="utf-8")
    n2 = tokenize_to_memmap(changed, tok_dir, out)
    assert n2 > n and read_meta(out)["n_tokens"] == n2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_memmap_without_eos(tmp_path, text_file, tok_dir, token_file):
    n = tokenize_to_memmap(text_file, tok_dir, tmp_path / "noeos.bin", add_eos=False)
    arr = np.memmap(tmp_path / "noeos.bin", dtype=np.uint16, mode="r")
    assert n == len(arr) and EOS_ID not in arr
    assert n == read_meta(token_file)["n_tokens"] - 400


def test_memmap_bad_input(tmp_path, tok_dir):
    with pytest.raises(FileNotFoundError, match="text file not found"):
        tokenize_to_memmap(tmp_path / "missing.txt", tok_dir, tmp_path / "x.bin")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "blank.txt").write_text("\n \n\t\n", encoding="utf-8")
    for name in ("empty.txt", "blank.txt"):
        with pytest.raises(ValueError, match="no text"):
            tokenize_to_memmap(tmp_path / name, tok_dir, tmp_path / "x.bin")
    (tmp_path / "latin1.txt").write_bytes("café\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not valid UTF-8"):
        tokenize_to_memmap(tmp_path / "latin1.txt", tok_dir, tmp_path / "x.bin")
    assert not (tmp_path / "x.bin").exists() and not (tmp_path / "x.bin.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with pytest.raises(FileNotFoundError, match="tokenizer"):
        tokenize_to_memmap(tmp_path / "blank.txt", tmp_path / "no_tok", tmp_path / "x.bin")
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(FileNotFoundError, match="no tokenizer"):
        tokenize_to_memmap(tmp_path / "blank.txt", tmp_path / "empty_dir", tmp_path / "x.bin")


# --- TokenBlocks -------------------------------------------------------------------------------------
def test_blocks_shapes_and_shift(token_file):
    blocks = TokenBlocks(token_file, block_size=16, seed=0)
    x, y = blocks.get_batch(4)
    assert x.shape == y.shape == (4, 16) and x.dtype == y.dtype == torch.long
    assert torch.equal(x[:, 1:], y[:, :-1])  # labels are the inputs shifted by one
    arr = torch.from_numpy(np.asarray(blocks.tokens).astype(np.int64))
    for row_x, row_y in zip(x, y):  # each row is a contiguous window of the file
        starts = [s for s in range(len(arr) - 16) if torch.equal(arr[s:s + 16], row_x)]
        assert any(torch.equal(arr[s + 1:s + 17], row_y) for s in starts)


def test_blocks_deterministic_and_resumable(token_file):
    a, b = TokenBlocks(token_file, 8, seed=123), TokenBlocks(token_file, 8, seed=123)
    for _ in range(3):
        assert all(torch.equal(u, v) for u, v in zip(a.get_batch(5), b.get_batch(5)))
    other = TokenBlocks(token_file, 8, seed=124)
    assert not torch.equal(other.get_batch(5)[0], TokenBlocks(token_file, 8, seed=123).get_batch(5)[0])

    # checkpoint after 2 batches (through torch.save / weights_only load, as a trainer would), then resume
    run = TokenBlocks(token_file, 8, seed=7)
    run.get_batch(4), run.get_batch(4)
    buf = io.BytesIO()
    torch.save(run.state_dict(), buf)
    expected = [run.get_batch(4) for _ in range(3)]
    resumed = TokenBlocks(token_file, 8, seed=999)  # the seed is overridden by the saved state
    buf.seek(0)
    resumed.load_state_dict(torch.load(buf, weights_only=True))
    for (ex, ey), (gx, gy) in zip(expected, [resumed.get_batch(4) for _ in range(3)]):
        assert torch.equal(ex, gx) and torch.equal(ey, gy)


def test_blocks_external_generator(token_file):
    blocks = TokenBlocks(token_file, 8, seed=0)
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert torch.equal(blocks.get_batch(3, generator=g1)[0], blocks.get_batch(3, generator=g2)[0])
    before = blocks.generator.get_state()
    blocks.get_batch(3, generator=g1)
    assert torch.equal(before, blocks.generator.get_state())  # own generator untouched


def test_blocks_state_for_other_data_is_rejected(token_file):
    state = TokenBlocks(token_file, 8).state_dict()
    with pytest.raises(ValueError, match="data changed"):
        TokenBlocks(token_file, 16).load_state_dict(state)


def test_sequential_blocks(token_file):
    blocks = TokenBlocks(token_file, 32)
    state = blocks.generator.get_state()
    batches = list(blocks.sequential(batch_size=5))
    n_blocks = (blocks.n_tokens - 1) // 32
    assert sum(x.shape[0] for x, _ in batches) == n_blocks
    assert all(x.shape[1] == 32 for x, _ in batches)
    xs = torch.cat([x for x, _ in batches])  # (n_blocks, 32)
    ys = torch.cat([y for _, y in batches])
    arr = torch.from_numpy(np.asarray(blocks.tokens).astype(np.int64))
    assert torch.equal(xs.reshape(-1), arr[:n_blocks * 32])  # non-overlapping, in order, no gaps
    assert torch.equal(ys.reshape(-1), arr[1:n_blocks * 32 + 1])
    assert len(list(blocks.sequential(batch_size=2, max_batches=3))) == 3
    assert torch.equal(state, blocks.generator.get_state())


def test_blocks_bad_input(tmp_path, token_file):
    with pytest.raises(FileNotFoundError, match="tokenize_to_memmap"):
        TokenBlocks(tmp_path / "missing.bin", 8)
    (tmp_path / "empty.bin").write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        TokenBlocks(tmp_path / "empty.bin", 8)
    small = tmp_path / "small.bin"
    np.arange(10, dtype=np.uint16).tofile(small)
    with pytest.raises(ValueError, match="too few"):
        TokenBlocks(small, 10)
    assert TokenBlocks(small, 9).get_batch(2)[0].shape == (2, 9)  # exactly one window fits
    with pytest.raises(ValueError, match="block_size"):
        TokenBlocks(token_file, 0)
    with pytest.raises(ValueError, match="batch_size"):
        TokenBlocks(token_file, 8).get_batch(0)


# --- collate_padded ----------------------------------------------------------------------------------
SEQS = [[5, 6, 7, 8, 9], [10, 11], [12, 13, 14]]


@pytest.mark.parametrize("side", ["right", "left"])
def test_collate_labels_are_ignored_exactly_on_pads(side):
    batch = collate_padded(SEQS, PAD_ID, side=side)
    ids, mask, labels = batch["input_ids"], batch["attention_mask"], batch["labels"]
    assert ids.shape == mask.shape == labels.shape == (3, 5)
    assert torch.equal(labels == IGNORE_INDEX, mask == 0)
    assert torch.equal(labels[mask == 1], ids[mask == 1])
    assert torch.equal(ids[mask == 0], torch.full_like(ids[mask == 0], PAD_ID))
    if side == "left":
        assert ids[1].tolist() == [PAD_ID, PAD_ID, PAD_ID, 10, 11]
    else:
        assert ids[1].tolist() == [10, 11, PAD_ID, PAD_ID, PAD_ID]


def test_collate_pad_id_equal_to_a_real_token():
    batch = collate_padded([[4, 2], [4]], pad_id=2)  # GPT-2 style: pad == eos
    assert batch["labels"].tolist() == [[4, 2], [4, IGNORE_INDEX]]  # the real </s> is still learned


@pytest.mark.parametrize("side", ["right", "left"])
def test_collate_prompt_masking(side):
    batch = collate_padded(SEQS, PAD_ID, side=side, prompt_lengths=[3, 0, 3])
    labels, mask = batch["labels"], batch["attention_mask"]
    real = [labels[i][mask[i] == 1].tolist() for i in range(3)]
    assert real == [[-100, -100, -100, 8, 9], [10, 11], [-100, -100, -100]]
    assert bool((labels[mask == 0] == IGNORE_INDEX).all())


@pytest.mark.parametrize("side", ["right", "left"])
def test_collate_truncation_with_prompt(side):
    batch = collate_padded([[1, 2, 3, 4, 5, 6]], PAD_ID, side=side, max_length=4, prompt_lengths=[3])
    if side == "right":  # keeps the start: 3 prompt tokens kept, 1 answer token
        assert batch["input_ids"].tolist() == [[1, 2, 3, 4]]
        assert batch["labels"].tolist() == [[-100, -100, -100, 4]]
    else:  # keeps the end: 2 prompt tokens were cut, 1 is left
        assert batch["input_ids"].tolist() == [[3, 4, 5, 6]]
        assert batch["labels"].tolist() == [[-100, 4, 5, 6]]


def test_collate_bad_prompt_lengths():
    with pytest.raises(ValueError, match="entries"):
        collate_padded(SEQS, PAD_ID, prompt_lengths=[1, 1])
    with pytest.raises(ValueError, match=r"prompt_lengths\[1\]"):
        collate_padded(SEQS, PAD_ID, prompt_lengths=[1, 3, 1])
    with pytest.raises(ValueError, match="side"):
        collate_padded(SEQS, PAD_ID, side="middle")


def test_collate_with_real_tokenizer(tok):
    texts = ["나는 책을 읽었습니다.", "The model counts.", "뷁"]
    seqs = [tok.encode(t) + [tok.eos_token_id] for t in texts]
    batch = collate_padded(seqs, tok.pad_token_id)
    assert json.dumps(batch["labels"].tolist())  # plain ints
    assert torch.equal(batch["attention_mask"], (batch["input_ids"] != tok.pad_token_id).long())
