"""gpt_demo.tokenizer: SentencePiece training, the transformers wrapper, pieces, streaming decode, encode_fast."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
import sentencepiece as spm
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from gpt_demo import tokenizer as T
from gpt_demo.tokenizer import (
    BOS_ID,
    EOS_ID,
    PAD,
    PAD_ID,
    UNK_ID,
    StreamDecoder,
    encode_fast,
    load_tokenizer,
    pieces,
    train_tokenizer,
)

# --- a small Korean + English sample, built by a loop --------------------------------------------------
_KO_SUBJ = ("나는 우리는 그녀는 학생들은 고양이가 선생님께서 친구가 할머니는 개발자는 아이들이 "
            "동생이 강아지가 사람들은 엄마는 아빠가").split()
_KO_OBJ = "사과를 책을 음식을 코드를 음악을 영화를 편지를 커피를 문제를 그림을 노래를 바다를 하늘을 꽃을 김치를".split()
_KO_VERB = ("좋아합니다 읽었습니다 먹었어요 작성했다 들었습니다 보았다 썼습니다 마셨어요 풀었다 그렸습니다 불렀어요 "
            "바라보았다 기다렸다 만들었습니다").split()
_KO_ADV = "오늘 어제 천천히 매일 조용히 아침에 주말에 다시 함께 열심히 저녁에 가끔".split()
_EN_SUBJ = ["The cat", "A student", "My friend", "The model", "Our team", "This function", "The teacher",
            "A developer", "The tokenizer", "Every child"]
_EN_VERB = ["reads", "writes", "likes", "trains", "returns", "explains", "computes", "prints", "remembers", "counts"]
_EN_OBJ = ["a book", "the tokens", "some coffee", "the loss", "a long story", "every batch", "the answer",
           "two numbers", "the weather", "a small garden"]
# Each appears exactly once in the sample: too rare for character_coverage=0.9995, so they must become bytes.
RARE = "뷁쀍똠꿿햏"


def sample_lines(n: int = 400, seed: int = 0) -> list[str]:
    """Korean and English paragraphs, one per line, with numbers and a few very rare syllables."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        if i % 2 == 0:
            parts = [f"{rng.choice(_KO_ADV)} {rng.choice(_KO_SUBJ)} {rng.choice(_KO_OBJ)} {rng.choice(_KO_VERB)}."
                     for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.3:
                parts.append(f"가격은 {rng.randint(0, 99999)}원입니다.")
        else:
            parts = [f"{rng.choice(_EN_SUBJ)} {rng.choice(_EN_VERB)} {rng.choice(_EN_OBJ)} "
                     f"{rng.choice(['today', 'again', 'slowly', 'in 2024', 'twice'])}."
                     for _ in range(rng.randint(1, 4))]
        lines.append(" ".join(parts))
    for k, ch in enumerate(RARE):
        lines[10 * k + 3] += f" {ch}"
    return lines


VOCAB = {"bpe": 600, "unigram": 450}


@pytest.fixture(scope="session")
def sample() -> list[str]:
    return sample_lines()


@pytest.fixture(scope="session")
def tok_dirs(tmp_path_factory, sample) -> dict[str, Path]:
    """One BPE and one Unigram tokenizer, trained once per session (well under a second each)."""
    root = tmp_path_factory.mktemp("tok")
    dirs = {}
    for model_type, vocab_size in VOCAB.items():
        dirs[model_type] = root / model_type
        train_tokenizer(sample, dirs[model_type], vocab_size, model_type=model_type)
    return dirs


@pytest.fixture(scope="session")
def tok(tok_dirs) -> PreTrainedTokenizerFast:
    return load_tokenizer(tok_dirs["bpe"])


@pytest.fixture(scope="session")
def sp(tok_dirs) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_file=str(tok_dirs["bpe"] / "tokenizer.model"))


@pytest.fixture(scope="session")
def byte_level_dir(tmp_path_factory, sample) -> Path:
    """A tiny GPT-2 style byte-level BPE ("Ġ" for spaces, no pad token), built with the tokenizers library."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>"], show_progress=False)
    backend.train_from_iterator(sample, trainer)
    out = tmp_path_factory.mktemp("bytelevel")
    PreTrainedTokenizerFast(tokenizer_object=backend, eos_token="<|endoftext|>").save_pretrained(out)
    return out


HAND_PICKED = [
    "나는 맛있는 음식을 좋아합니다.",
    "  leading spaces,  double  spaces\tand a tab\nand a newline ",
    "뷁 똠 쀍 😀 漢字 ㄱㄴㄷ café 12345 3.14",
    "",
    " ",
    "The model reads 100 tokens.",
]


# --- files and loading ------------------------------------------------------------------------------
def test_files_and_autotokenizer(tok_dirs, tok):
    d = tok_dirs["bpe"]
    assert {"tokenizer.model", "tokenizer.json", "tokenizer_config.json"} <= set(os.listdir(d))
    assert not [p for p in d.parent.iterdir() if p.name.startswith(".")], "temporary folder left behind"
    auto = AutoTokenizer.from_pretrained(d)
    assert auto("나는 책을 읽었습니다.")["input_ids"] == tok("나는 책을 읽었습니다.")["input_ids"]
    assert (tok.unk_token_id, tok.bos_token_id, tok.eos_token_id, tok.pad_token_id) == (UNK_ID, BOS_ID, EOS_ID, PAD_ID)
    assert tok.pad_token == PAD and tok.padding_side == "right"
    assert len(tok) == VOCAB["bpe"]
    config = json.loads((d / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert config["tokenizer_class"] == "TokenizersBackend" and config["pad_token"] == PAD
    assert "is_local" not in config


def test_load_from_spm_model_only(tok_dirs, tmp_path, sp):
    shutil.copy(tok_dirs["bpe"] / "tokenizer.model", tmp_path / "tokenizer.model")
    only_spm = load_tokenizer(tmp_path)
    assert only_spm.pad_token_id == PAD_ID and only_spm.eos_token_id == EOS_ID
    for text in HAND_PICKED:
        assert only_spm(text)["input_ids"] == sp.encode(text)


@pytest.mark.parametrize("model_type", ["bpe", "unigram"])
def test_ids_and_decode_match_sentencepiece(tok_dirs, sample, model_type):
    hf = load_tokenizer(tok_dirs[model_type])
    raw = spm.SentencePieceProcessor(model_file=str(tok_dirs[model_type] / "tokenizer.model"))
    texts = sample + HAND_PICKED
    got = hf(texts)["input_ids"]
    want = raw.encode(texts)
    assert got == want
    for ids, text in zip(got, texts):
        assert hf.decode(ids) == raw.decode(ids) == text  # identity normalization: exact round trip


_SPECIAL_STRINGS = ("<s>", "</s>", "<pad>", "<unk>")
_unicode_text = st.lists(
    st.one_of(
        st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul syllables
        st.characters(min_codepoint=0x1100, max_codepoint=0x11FF),  # conjoining jamo
        st.characters(min_codepoint=0x3131, max_codepoint=0x318E),  # compatibility jamo
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
        st.sampled_from([" ", "  ", "   ", "\t", "\n", "\r\n", "\u3000", "\u00a0", " \t "]),  # whitespace runs
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # ASCII
        st.characters(codec="utf-8"),  # anything encodable
    ),
    max_size=40,
).map("".join)


@pytest.mark.parametrize("model_type", ["bpe", "unigram"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_unicode_text)
def test_random_unicode_matches_sentencepiece(tok_dirs, model_type, text):
    assume(not any(s in text for s in _SPECIAL_STRINGS))  # literal "</s>" is a control token for HF only
    hf = _cached_load(tok_dirs[model_type])
    raw = _cached_spm(tok_dirs[model_type])
    ids = hf(text)["input_ids"]
    assert ids == raw.encode(text)
    shown = text.replace("▁", " ")  # "▁" (U+2581) in the input is SentencePiece's own space symbol: back as " "
    assert hf.decode(ids) == raw.decode(ids) == shown
    ps = pieces(hf, text)
    assert [p["id"] for p in ps] == ids
    assert "".join(p["text"] for p in ps) == shown
    assert b"".join(p["bytes"] for p in ps).decode("utf-8") == (" " + shown if text else "")  # + dummy prefix


_cache: dict = {}


def _cached_load(path):
    if ("hf", path) not in _cache:
        _cache["hf", path] = load_tokenizer(path)
    return _cache["hf", path]


def _cached_spm(path):
    if ("spm", path) not in _cache:
        _cache["spm", path] = spm.SentencePieceProcessor(model_file=str(path / "tokenizer.model"))
    return _cache["spm", path]


@pytest.mark.parametrize("side", ["right", "left"])
def test_padding_mask_matches_pad_id(tok_dirs, side):
    hf = load_tokenizer(tok_dirs["bpe"])
    hf.padding_side = side
    batch = hf(["나는 책을 읽었습니다.", "a", "The model reads 100 tokens and 뷁."], padding=True, return_tensors="pt")
    ids, mask = batch["input_ids"], batch["attention_mask"]
    assert (ids == PAD_ID).any()
    assert bool((mask == (ids != PAD_ID).long()).all())
    first_col = ids[:, 0] if side == "left" else ids[:, -1]
    assert (first_col == PAD_ID).any()  # pads are on the requested side


# --- byte fallback, pieces, streaming -------------------------------------------------------------
def test_rare_syllables_become_bytes(tok, sample):
    assert all(sum(line.count(ch) for line in sample) == 1 for ch in RARE)
    text = "나는 뷁 소리를 들었습니다. 쀍! 똠양꿍"
    ps = pieces(tok, text)
    for ch in "뷁쀍똠":
        assert ch not in tok.get_vocab() and "▁" + ch not in tok.get_vocab()
    byte_pieces = [p for p in ps if p["is_byte"]]
    assert len(byte_pieces) >= 9  # three syllables x three UTF-8 bytes
    assert all(p["piece"].startswith("<0x") and len(p["bytes"]) == 1 for p in byte_pieces)
    assert not any(p["is_special"] for p in ps)
    assert "".join(p["text"] for p in ps) == tok.decode([p["id"] for p in ps]) == text
    assert b"".join(p["bytes"] for p in ps).decode("utf-8").lstrip(" ") == text  # the dummy-prefix space
    common = [p for p in ps if p["piece"].lstrip("▁") in ("나", "나는")]  # frequent: a real piece
    assert common and not common[0]["is_byte"]


def test_pieces_marks_special_tokens(tok):
    ps = pieces(tok, "안녕</s>")
    assert [p["is_special"] for p in ps][-1] and ps[-1]["id"] == EOS_ID
    assert "".join(p["text"] for p in ps) == tok.decode([p["id"] for p in ps])


KOREAN_WITH_BYTES = "뷁뷁 똠얌꿍 쀍쀍쀍 햏! 나는 😀 커피를 마셨어요 🇰🇷 뷁"


# pieces() computes its rows from SentencePiece directly (_pieces_fast); they must equal the plain definition
# (_pieces_reference: the wrapper's ids, texts from StreamDecoder) field for field.
_pieces_text = st.lists(
    st.one_of(
        st.sampled_from(["나는", "학생들은", "책을", "읽었습니다", "The", " model", "reads", "12345", "."]),  # common
        st.sampled_from(list(RARE) + ["😀", "🇰🇷", "漢字", "é", "\ufffd", "▁", "<0xEB>"]),  # byte pieces, oddities
        st.sampled_from([" ", "  ", "\t", "\n", "\u3000"]),
        st.sampled_from(_SPECIAL_STRINGS),  # the wrapper reads these as special tokens: the reference decides
        st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
        st.characters(codec="utf-8"),
    ),
    max_size=30,
).map("".join)


@pytest.mark.parametrize("model_type", ["bpe", "unigram"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_pieces_text)
def test_pieces_fast_path_equals_reference(tok_dirs, model_type, text):
    hf = _cached_load(tok_dirs[model_type])
    fast = T._pieces_fast(hf, text)
    # The fast path covers every text without a special-token string, except, for Unigram, a literal "<0xEB>":
    # the Rust Unigram reads it as that byte piece (SentencePiece as characters), a lone byte the reference shows.
    if not any(s in text for s in _SPECIAL_STRINGS) and not (model_type == "unigram" and "<0x" in text):
        assert fast is not None
    assert pieces(hf, text) == T._pieces_reference(hf, text)
    if fast is not None:
        assert fast == T._pieces_reference(hf, text)


@pytest.mark.parametrize("text", HAND_PICKED + [KOREAN_WITH_BYTES, " 뷁", "뷁", "a\ufffd", "a\ufffdb", "\ufffd뷁",
                                                "x▁y", "▁", "안녕</s>", "<s>나는"])
def test_pieces_fast_path_hand_picked(tok, byte_level_dir, text):
    assert pieces(tok, text) == T._pieces_reference(tok, text)
    assert (T._pieces_fast(tok, text) is None) == any(s in text for s in _SPECIAL_STRINGS)
    bl = load_tokenizer(byte_level_dir)
    assert T._pieces_fast(bl, text) is None and pieces(bl, text) == T._pieces_reference(bl, text)


def test_pieces_rows_are_fresh_and_follow_special_token_changes(tok_dirs):
    hf = load_tokenizer(tok_dirs["bpe"])
    first = pieces(hf, "나는 책을")
    first[0]["text"] = "changed"  # the caller owns the rows: the table behind them must not change
    assert pieces(hf, "나는 책을") == T._pieces_reference(hf, "나는 책을")
    word = pieces(hf, "나는")[0]["piece"]
    hf.add_special_tokens({"additional_special_tokens": [word]})  # an ordinary piece becomes special
    ps = pieces(hf, "나는 책을")
    assert ps == T._pieces_reference(hf, "나는 책을") and ps[0]["is_special"]


def test_stream_decoder_never_shows_replacement_char(tok):
    ids = tok.encode(KOREAN_WITH_BYTES)
    assert sum(p["is_byte"] for p in pieces(tok, KOREAN_WITH_BYTES)) >= 20
    naive = [tok.decode([i]) for i in ids]
    assert any("\ufffd" in s for s in naive)  # what we avoid: decoding byte pieces one by one
    stream = StreamDecoder(tok)
    chunks = [stream.push(i) for i in ids]
    assert not any("\ufffd" in c for c in chunks)
    assert "".join(chunks) + stream.flush() == tok.decode(ids) == KOREAN_WITH_BYTES
    assert stream.flush() == ""  # flush resets


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.one_of(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
                                       st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
                                       st.sampled_from(list(" 나는책을.a1"))), max_size=30))
def test_stream_decoder_random_korean(tok_dirs, text):
    hf = _cached_load(tok_dirs["bpe"])
    ids = hf.encode(text)
    stream = StreamDecoder(hf)
    chunks = [stream.push(i) for i in ids]
    assert not any("\ufffd" in c for c in chunks)
    assert "".join(chunks) + stream.flush() == text


def test_stream_decoder_releases_a_real_trailing_fragment(tok):
    ids = tok.encode("가뷁")[:-1]  # stop in the middle of "뷁"
    stream = StreamDecoder(tok)
    text = "".join(stream.push(i) for i in ids)
    assert "\ufffd" not in text
    assert text + stream.flush() == tok.decode(ids)  # the broken tail comes out only at the end


def test_byte_level_bpe_pieces_stream_and_encode(byte_level_dir):
    bl = load_tokenizer(byte_level_dir)
    assert bl.pad_token == bl.eos_token == "<|endoftext|>"  # no pad in GPT-2 style vocabularies
    text = "나는 뷁 hello world 😀"
    ps = pieces(bl, text)
    assert any(p["piece"].startswith("Ġ") for p in ps)
    assert b"".join(p["bytes"] for p in ps) == text.encode("utf-8")
    assert "".join(p["text"] for p in ps) == bl.decode([p["id"] for p in ps]) == text
    assert any(p["is_byte"] for p in ps)  # "뷁" is not in a 400-token vocabulary: split mid-character
    for p in ps:
        whole = True
        try:
            p["bytes"].decode("utf-8")
        except UnicodeDecodeError:
            whole = False
        assert p["is_byte"] == (not whole)
    stream = StreamDecoder(bl)
    chunks = [stream.push(p["id"]) for p in ps]
    assert not any("\ufffd" in c for c in chunks) and "".join(chunks) + stream.flush() == text
    texts = sample_lines(50, seed=3) + HAND_PICKED
    assert T._matching_spm(bl) is None  # no tokenizer.model: the Rust backend path
    assert encode_fast(bl, texts) == bl(texts, add_special_tokens=False)["input_ids"]
    assert encode_fast(byte_level_dir, texts) == bl(texts, add_special_tokens=False)["input_ids"]


# --- encode_fast ------------------------------------------------------------------------------------
@pytest.mark.parametrize("model_type", ["bpe", "unigram"])
def test_encode_fast_equals_wrapper(tok_dirs, model_type):
    hf = load_tokenizer(tok_dirs[model_type])
    texts = sample_lines(200, seed=7) + HAND_PICKED
    want = hf(texts, add_special_tokens=False)["input_ids"]
    assert T._matching_spm(hf) is not None  # our own tokenizer: the SentencePiece path
    assert encode_fast(hf, texts) == want
    assert encode_fast(tok_dirs[model_type], texts) == want
    assert encode_fast(str(tok_dirs[model_type]), texts, num_threads=1) == want
    assert encode_fast(hf, []) == []
    assert sum(map(len, texts)) >= T._POOL_MIN_CHARS  # the batch (thread pool) path above; one by one below
    assert [encode_fast(hf, [t]) for t in texts] == [[w] for w in want]
    assert encode_fast(hf, texts[:3]) == want[:3] and T._few_chars(texts[:3])


def test_encode_fast_checks_the_model_file_once(tok_dirs, monkeypatch):
    hf = load_tokenizer(tok_dirs["bpe"])
    assert encode_fast(hf, ["나는 책을 읽었습니다."]) == [hf.encode("나는 책을 읽었습니다.")]
    monkeypatch.setattr(T, "_file_key", lambda *a: pytest.fail("encode_fast looked at the file again"))
    assert encode_fast(hf, ["The model reads 100 tokens."]) == [hf.encode("The model reads 100 tokens.")]
    hf.add_tokens(["<new>"])  # the tokenizer changed: checked again (and no longer matches the .model file)
    monkeypatch.undo()
    assert T._matching_spm(hf) is None
    assert encode_fast(hf, ["a <new> b"]) == [hf.encode("a <new> b", add_special_tokens=False)]


def test_encode_fast_rust_path_ignores_wrapper_padding_state(byte_level_dir):
    bl = load_tokenizer(byte_level_dir)
    bl(["a", "a much longer text"], padding=True)  # leaves padding switched on in the Rust backend
    assert bl.backend_tokenizer.padding is not None
    texts = ["a", "a much longer text"]
    assert encode_fast(bl, texts) == [bl.encode(t, add_special_tokens=False) for t in texts]


def test_encode_fast_rejects_a_single_string(tok):
    with pytest.raises(ValueError, match="list"):
        encode_fast(tok, "one text")


# --- training input and errors ----------------------------------------------------------------------
def test_train_from_files_and_existing_folder(tmp_path, sample, sp, tok_dirs):
    (tmp_path / "a.txt").write_text("\n".join(sample[:200]) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("\r\n".join(sample[200:]) + "\r\n", encoding="utf-8")
    out = tmp_path / "ckpt"
    out.mkdir()
    (out / "model.safetensors").write_bytes(b"weights")  # a checkpoint folder: keep what is not ours
    (out / "special_tokens_map.json").write_text("{}")  # stale tokenizer file from an older save
    hf = train_tokenizer([tmp_path / "a.txt", str(tmp_path / "b.txt")], out, VOCAB["bpe"])
    assert (out / "model.safetensors").read_bytes() == b"weights"
    assert not (out / "special_tokens_map.json").exists()
    # same lines and settings as the session tokenizer (CRLF handled): the very same model
    assert (out / "tokenizer.model").read_bytes() == (tok_dirs["bpe"] / "tokenizer.model").read_bytes()
    assert hf(HAND_PICKED)["input_ids"] == sp.encode(HAND_PICKED)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _no_output(tmp_path: Path, out: Path) -> None:
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folder left behind"


@pytest.mark.parametrize("texts", [[], [""], ["   ", "\n\t\n"]])
def test_empty_text_is_rejected(tmp_path, texts):
    with pytest.raises(ValueError, match="empty"):
        train_tokenizer(texts, tmp_path / "out", 600)
    _no_output(tmp_path, tmp_path / "out")


def test_empty_file_is_rejected(tmp_path):
    (tmp_path / "blank.txt").write_text("\n  \n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty"):
        train_tokenizer([tmp_path / "blank.txt"], tmp_path / "out", 600)


def test_missing_training_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        train_tokenizer([tmp_path / "nope.txt"], tmp_path / "out", 600)
    with pytest.raises(FileNotFoundError, match="trian.txt"):  # a str that looks like a path is not text
        train_tokenizer([str(tmp_path / "trian.txt")], tmp_path / "out", 600)
    with pytest.raises(FileNotFoundError, match="corpus.txt"):
        train_tokenizer("corpus.txt", tmp_path / "out", 600)


@pytest.mark.parametrize("model_type", ["bpe", "unigram"])
def test_vocab_too_big_for_corpus(tmp_path, sample, model_type):
    with pytest.raises(ValueError, match=r"vocab_size=20000 is too large for this text.*<= \d+") as info:
        train_tokenizer(sample, tmp_path / "out", 20000, model_type=model_type)
    assert "more text" in str(info.value)
    _no_output(tmp_path, tmp_path / "out")


def test_vocab_too_small_for_characters(tmp_path, sample):
    with pytest.raises(ValueError, match=r"vocab_size=310 is too small for this text.*>= \d+"):
        train_tokenizer(sample, tmp_path / "out", 310)
    _no_output(tmp_path, tmp_path / "out")


@pytest.mark.parametrize("vocab_size", [0, 100, T.MIN_VOCAB_SIZE - 1, 65536, 100_000, 600.0, "600", True, None])
def test_vocab_size_out_of_range(tmp_path, sample, vocab_size):
    with pytest.raises(ValueError, match="vocab_size"):
        train_tokenizer(sample, tmp_path / "out", vocab_size)
    _no_output(tmp_path, tmp_path / "out")


@pytest.mark.parametrize("model_type", ["BPE", "wordpiece", "char", ""])
def test_bad_model_type(tmp_path, sample, model_type):
    with pytest.raises(ValueError, match="model_type must be 'bpe' or 'unigram'"):
        train_tokenizer(sample, tmp_path / "out", 600, model_type=model_type)


def test_failed_retrain_keeps_the_old_tokenizer(tmp_path, sample):
    out = tmp_path / "tok"
    train_tokenizer(sample, out, 600)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(ValueError):
        train_tokenizer(sample, out, 30000)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_missing_tokenizer_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_tokenizer(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no tokenizer"):
        load_tokenizer(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        encode_fast(tmp_path / "empty", ["x"])


# --- CLI entries --------------------------------------------------------------------------------------
def test_cli_tokenizer_pieces_pretokenize(tmp_path, sample, capsys):
    from gpt_demo import cli

    (tmp_path / "a.txt").write_text("\n".join(sample) + "\n", encoding="utf-8")
    assert cli.main(["train-tokenizer", "--input", str(tmp_path / "a.txt"), "--out", str(tmp_path / "tok"),
                     "--vocab-size", "600"]) == 0
    assert json.loads(capsys.readouterr().out)["pad_token_id"] == PAD_ID
    assert cli.main(["pieces", "--tokenizer", str(tmp_path / "tok"), "나는 뷁"]) == 0
    assert "byte" in capsys.readouterr().out
    assert cli.main(["pretokenize", "--input", str(tmp_path / "a.txt"), "--tokenizer", str(tmp_path / "tok"),
                     "--out", str(tmp_path / "a.bin")]) == 0
    assert json.loads(capsys.readouterr().out)["dtype"] == "uint16"
    assert cli.main(["train-tokenizer", "--input", str(tmp_path / "a.txt"), "--out", str(tmp_path / "t2"),
                     "--vocab-size", "70000"]) == 2
    assert "vocab_size=70000" in capsys.readouterr().err


@pytest.mark.parametrize("prompt, continuation", [("One day, Mina", " went to the park."), ("나는", " 학교에 갔다.")])
def test_stream_decoder_continuing_a_prompt_keeps_the_leading_space(tok, prompt, continuation):
    prompt_ids = tok(prompt, add_special_tokens=False)["input_ids"]
    full_ids = tok(prompt + continuation, add_special_tokens=False)["input_ids"]
    assert full_ids[:len(prompt_ids)] == prompt_ids  # the continuation starts on a token boundary
    decoder = StreamDecoder(tok, prompt_ids=prompt_ids)
    shown = "".join(decoder.push(i) for i in full_ids[len(prompt_ids):]) + decoder.flush()
    assert prompt + shown == tok.decode(full_ids)
    assert shown == continuation
