"""SentencePiece tokenizers: train one, load it as a transformers tokenizer, show its pieces.

The whole story in four steps:

1. ``train_tokenizer`` runs SentencePiece (BPE by default) on Korean + English text. Rare characters get no
   piece of their own; with ``byte_fallback=True`` they are spelled as UTF-8 bytes (``<0xEC><0x95><0x88>``)
   instead of becoming ``<unk>``, so any text can be encoded and decoded back exactly.
2. The raw SentencePiece model (``tokenizer.model``) is converted by transformers into a ``tokenizer.json``
   that the Rust ``tokenizers`` library runs; ``AutoTokenizer.from_pretrained(folder)`` then works and gives
   exactly the ids SentencePiece gives.
3. ``pieces`` shows how a text is cut, and ``StreamDecoder`` turns ids into text one at a time (for streaming
   generation) without ever showing half a character.
4. ``encode_fast`` is the bulk path for data pipelines: the transformers wrapper spends most of its time in
   Python, so we call SentencePiece (multithreaded) or the Rust backend directly.

Special tokens are fixed, LLaMA style: ``<unk>``=0, ``<s>``=1, ``</s>``=2, ``<pad>``=3. The pad id is
deliberately not 0: code must ask the tokenizer for ``pad_token_id`` instead of assuming it.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import numbers
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import sentencepiece as spm
from transformers import AutoTokenizer, PreTrainedTokenizerFast

__all__ = [
    "UNK", "BOS", "EOS", "PAD", "UNK_ID", "BOS_ID", "EOS_ID", "PAD_ID", "SPECIAL_TOKENS",
    "MIN_VOCAB_SIZE", "MAX_VOCAB_SIZE", "SPM_FILE", "TOKENIZER_FILES",
    "train_tokenizer", "load_tokenizer", "cached_tokenizer", "pieces", "StreamDecoder", "encode_fast",
    "tokenizer_fingerprint",
]

# --- special tokens (LLaMA-style ids) ---------------------------------------------------------------
UNK, BOS, EOS, PAD = "<unk>", "<s>", "</s>", "<pad>"
UNK_ID, BOS_ID, EOS_ID, PAD_ID = 0, 1, 2, 3
SPECIAL_TOKENS = {UNK: UNK_ID, BOS: BOS_ID, EOS: EOS_ID, PAD: PAD_ID}

N_BYTE_PIECES = 256  # byte_fallback adds one piece per byte value, <0x00> .. <0xFF>
# Smallest vocabulary we accept: the 4 special tokens, the 256 byte pieces and a few dozen real pieces.
MIN_VOCAB_SIZE = len(SPECIAL_TOKENS) + N_BYTE_PIECES + 40
# Largest: ids must fit in uint16, the dtype of the pre-tokenized training data (see gpt_demo.data).
MAX_VOCAB_SIZE = 65535

SPM_FILE = "tokenizer.model"  # the raw SentencePiece model
HF_FILE = "tokenizer.json"  # the same tokenizer for the Rust `tokenizers` library
# Everything a tokenizer folder may hold; train_tokenizer replaces these and removes stale ones.
TOKENIZER_FILES = (SPM_FILE, HF_FILE, "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json")

_BYTE_PIECE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")


# --- training ---------------------------------------------------------------------------------------
def _check_vocab_size(vocab_size) -> int:
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, numbers.Integral):
        raise ValueError(f"vocab_size must be an integer, got {vocab_size!r}")
    vocab_size = int(vocab_size)
    if not MIN_VOCAB_SIZE <= vocab_size <= MAX_VOCAB_SIZE:
        raise ValueError(
            f"vocab_size={vocab_size} is out of range: it must be between {MIN_VOCAB_SIZE} "
            f"({len(SPECIAL_TOKENS)} special tokens + {N_BYTE_PIECES} byte pieces + a few real pieces) and "
            f"{MAX_VOCAB_SIZE} (token ids are stored as uint16)."
        )
    return vocab_size


_PATH_LIKE = re.compile(r"^(?:/|\./|\.\./|~/)\S*$|^\S+\.(?:txt|text|md|jsonl?|csv|tsv)$")


def _looks_like_path(item) -> bool:
    """A ``Path`` is always a file. A ``str`` is a file if it names an existing one, or if it looks like a path
    ("data/train.txt", "./x", no spaces): a mistyped file name then gives FileNotFoundError instead of a
    tokenizer silently trained on the name itself."""
    if isinstance(item, os.PathLike):
        return True
    if not isinstance(item, str) or "\n" in item or len(item) >= 4096:
        return False
    return os.path.isfile(item) or bool(_PATH_LIKE.match(item))


def _split_sources(texts_or_paths) -> tuple[list[str], list[Path]]:
    if isinstance(texts_or_paths, (str, os.PathLike)):
        texts_or_paths = [texts_or_paths]
    if not isinstance(texts_or_paths, Iterable):
        raise ValueError(f"texts_or_paths must be a list of strings or file paths, got {type(texts_or_paths).__name__}")
    texts, paths = [], []
    for item in texts_or_paths:
        if _looks_like_path(item):
            path = Path(item)
            if not path.is_file():
                raise FileNotFoundError(f"training text file not found: {path}")
            paths.append(path)
        elif isinstance(item, str):
            texts.append(item)
        else:
            raise ValueError(f"texts_or_paths must hold strings or file paths, got a {type(item).__name__}")
    return texts, paths


def _file_lines(path: Path) -> Iterator[str]:
    """Lines of a UTF-8 file, split on "\\n" only (a trailing "\\r" is dropped), without the line ending."""
    try:
        with open(path, encoding="utf-8", newline="\n") as f:
            for line in f:
                yield line.rstrip("\r\n")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not valid UTF-8 text ({e.reason} at byte {e.start})") from e


def _text_lines(text: str) -> Iterator[str]:
    for line in text.split("\n"):
        yield line.rstrip("\r")


def _has_text(texts: list[str], paths: list[Path]) -> bool:
    if any(t.strip() for t in texts):
        return True
    return any(any(line.strip() for line in _file_lines(p)) for p in paths)  # stops at the first real line


def _spm_error(err: RuntimeError, vocab_size: int, model_type: str) -> Exception:
    """Turn SentencePiece's CHECK failures into messages a learner can act on."""
    msg = str(err)
    m = re.search(r"Vocabulary size too high \((\d+)\)\. Please set it to a value <= (\d+)", msg)
    if m:
        return ValueError(
            f"vocab_size={vocab_size} is too large for this text: {model_type} training found only {m.group(2)} "
            f"pieces in it. Use vocab_size <= {m.group(2)}, or train on more text."
        )
    m = re.search(r"Vocabulary size is smaller than required_chars\. (\d+) vs (\d+)", msg)
    if m:
        need = int(m.group(2))
        n_chars = need - len(SPECIAL_TOKENS) - N_BYTE_PIECES
        return ValueError(
            f"vocab_size={vocab_size} is too small for this text: its {n_chars} most frequent characters each need "
            f"a piece, plus {len(SPECIAL_TOKENS)} special tokens and {N_BYTE_PIECES} byte pieces = {need}. "
            f"Use vocab_size >= {need}, or lower character_coverage so rarer characters fall back to bytes."
        )
    return RuntimeError(f"SentencePiece training failed: {msg}")


def train_tokenizer(
    texts_or_paths,
    out_dir: str | os.PathLike,
    vocab_size: int,
    model_type: str = "bpe",
    character_coverage: float = 0.9995,
    input_sentence_size: int = 1_000_000,
    num_threads: int | None = None,
    seed: int = 0,
    verbose: bool = False,
) -> PreTrainedTokenizerFast:
    """Train a SentencePiece tokenizer and save it into ``out_dir``; return it as a transformers tokenizer.

    ``texts_or_paths``: one or more texts (each line is one training sentence) or UTF-8 files (one paragraph
    per line). A ``Path`` is always read as a file; a ``str`` is read as a file when it names one, else it is text.

    Settings and why:
      - ``model_type`` "bpe" (default, like LLaMA) or "unigram".
      - ``byte_fallback=True`` + ``character_coverage`` < 1.0: the rarest 0.05 % of characters (rare Hangul
        syllables, emoji) get no piece and are spelled as UTF-8 bytes, so nothing ever becomes ``<unk>``.
      - ``split_digits=True``: every digit is its own piece, numbers are not memorised as whole words.
      - ``normalization_rule_name="identity"``, ``remove_extra_whitespaces=False``: the text is not changed
        (no NFKC, spaces kept), so ``decode(encode(text)) == text``.
      - ``input_sentence_size``: at most this many lines (a random sample) are used for training, so big corpora
        train in bounded time; ``num_threads`` defaults to the CPU count.

    Writes ``tokenizer.model`` (raw SentencePiece), ``tokenizer.json`` and ``tokenizer_config.json`` into
    ``out_dir`` (created if needed). Everything is built in a temporary folder next to ``out_dir`` first, so a
    failure never leaves a half-written tokenizer behind. Raises ``ValueError`` for bad arguments, empty text,
    or a ``vocab_size`` that does not fit the text; ``FileNotFoundError`` for a missing input file.
    """
    if model_type not in ("bpe", "unigram"):
        raise ValueError(f"model_type must be 'bpe' or 'unigram', got {model_type!r}")
    vocab_size = _check_vocab_size(vocab_size)
    if not isinstance(character_coverage, numbers.Real) or not 0.9 <= character_coverage <= 1.0:
        raise ValueError(f"character_coverage must be a number in [0.9, 1.0], got {character_coverage!r}")
    if not isinstance(input_sentence_size, int) or input_sentence_size <= 0:
        raise ValueError(f"input_sentence_size must be a positive integer, got {input_sentence_size!r}")
    texts, paths = _split_sources(texts_or_paths)
    if not texts and not paths:
        raise ValueError("no training text given: texts_or_paths is empty")
    if not _has_text(texts, paths):
        raise ValueError("the training text is empty (only whitespace): a tokenizer needs real text to learn from")

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"out_dir {out_dir} exists and is not a folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)

    def sentences() -> Iterator[str]:
        for t in texts:
            yield from (line for line in _text_lines(t) if line)
        for p in paths:
            yield from (line for line in _file_lines(p) if line)

    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private (0700); it may become out_dir itself
        model_file = io.BytesIO()
        spm.set_random_generator_seed(seed)  # the input sampling is random; make it repeatable
        try:
            spm.SentencePieceTrainer.train(
                sentence_iterator=sentences(),
                model_writer=model_file,
                model_type=model_type,
                vocab_size=vocab_size,
                character_coverage=float(character_coverage),
                byte_fallback=True,
                split_digits=True,
                normalization_rule_name="identity",
                remove_extra_whitespaces=False,
                unk_id=UNK_ID, bos_id=BOS_ID, eos_id=EOS_ID, pad_id=PAD_ID,
                unk_piece=UNK, bos_piece=BOS, eos_piece=EOS, pad_piece=PAD,
                max_sentence_length=1 << 20,  # bytes; longer lines would be silently skipped
                input_sentence_size=input_sentence_size,
                shuffle_input_sentence=True,
                num_threads=num_threads or os.cpu_count() or 1,
                minloglevel=0 if verbose else 2,
            )
        except RuntimeError as e:
            raise _spm_error(e, vocab_size, model_type) from e
        (tmp / SPM_FILE).write_bytes(model_file.getvalue())

        tok = _from_spm_dir(tmp)
        tok.save_pretrained(tmp)
        _drop_load_time_keys(tmp / "tokenizer_config.json")
        if not (tmp / SPM_FILE).is_file():  # save_pretrained does not always keep it; we always ship it
            raise RuntimeError("tokenizer.model disappeared while saving")
        _install(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return load_tokenizer(out_dir)


def _drop_load_time_keys(config_path: Path) -> None:
    """transformers 5 saves how the tokenizer was *loaded* ("is_local": true, "local_files_only") into
    tokenizer_config.json (tokenization_utils_base.py, ``init_kwargs["is_local"] = _is_local``); they describe
    our temporary folder, not the tokenizer, so drop them."""
    config = json.loads(config_path.read_text(encoding="utf-8"))
    for key in ("is_local", "local_files_only"):
        config.pop(key, None)
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def _install(tmp: Path, out_dir: Path) -> None:
    """Move the finished tokenizer from ``tmp`` into ``out_dir``, one atomic rename per file.

    A new ``out_dir`` is one rename of the whole folder. An existing one (e.g. a checkpoint folder that also
    holds model weights) gets each tokenizer file replaced with ``os.replace``; tokenizer_config.json goes
    last, and stale tokenizer files from an older version are removed.
    """
    if not out_dir.exists():
        try:
            os.rename(tmp, out_dir)
            return
        except OSError:  # someone created it meanwhile: fall through to file-by-file
            pass
    written = [name for name in TOKENIZER_FILES if (tmp / name).is_file()]
    written.sort(key=lambda name: name == "tokenizer_config.json")
    for name in written:
        os.replace(tmp / name, out_dir / name)
    for name in TOKENIZER_FILES:
        if name not in written and (out_dir / name).is_file():
            (out_dir / name).unlink()


# --- loading ----------------------------------------------------------------------------------------
def _from_spm_dir(folder: Path) -> PreTrainedTokenizerFast:
    """Convert a folder that holds only ``tokenizer.model`` into a transformers tokenizer.

    ``PreTrainedTokenizerFast`` (= ``TokenizersBackend`` in transformers 5) builds the Rust tokenizer from the
    SentencePiece model proto (needs ``protobuf``). Not ``LlamaTokenizer``: it forces its own decoder and does
    not reproduce SentencePiece. The special tokens are read from the model, since pad is not set otherwise.
    """
    sp = _spm_processor(str(folder / SPM_FILE))
    specials = {}
    for key, idx in (("unk_token", sp.unk_id()), ("bos_token", sp.bos_id()), ("eos_token", sp.eos_id()),
                     ("pad_token", sp.pad_id())):
        if idx >= 0:
            specials[key] = sp.id_to_piece(idx)
    return PreTrainedTokenizerFast.from_pretrained(
        str(folder), clean_up_tokenization_spaces=False, padding_side="right", **specials
    )


def load_tokenizer(path: str | os.PathLike) -> PreTrainedTokenizerFast:
    """Load a tokenizer folder (``tokenizer.json``, or only ``tokenizer.model``) as a transformers tokenizer.

    The pad token is always set: the tokenizer's own, else ``<pad>`` if the vocabulary has it, else the EOS token
    (GPT-2 style vocabularies have no pad; labels use the attention mask, so EOS is still learned).
    ``padding_side`` is "right", right for training; batched generation sets ``tok.padding_side = "left"``
    so that every row ends with a real token. Never runs remote code.
    """
    folder = Path(path)
    if folder.is_file() and folder.name in (SPM_FILE, HF_FILE):
        folder = folder.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"tokenizer folder not found: {folder}")
    if (folder / HF_FILE).is_file():
        tok = AutoTokenizer.from_pretrained(str(folder), trust_remote_code=False)
    elif (folder / SPM_FILE).is_file():
        tok = _from_spm_dir(folder)
    else:
        raise FileNotFoundError(
            f"no tokenizer in {folder}: expected {HF_FILE} or {SPM_FILE} (train one with train_tokenizer)"
        )
    if tok.pad_token is None:
        if PAD in tok.get_vocab():
            tok.pad_token = PAD
        elif tok.eos_token is not None:
            tok.pad_token = tok.eos_token
    tok.padding_side = "right"
    return tok


# --- pieces for display -----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _byte_level_decoder() -> dict[str, int]:
    """GPT-2's byte <-> printable-character table, inverted: "Ġ" -> 0x20 (space), "ì" -> 0xEC, ..."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), 256))
    chars = keep[:]
    n = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(keep, chars)}


def _decoder_state(tokenizer) -> dict | None:
    """The Rust decoder's settings as a dict (its JSON in tokenizer.json), or None if it has none."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    decoder = getattr(backend, "decoder", None)
    return None if decoder is None else json.loads(decoder.__getstate__())


def _decoder_types(tokenizer) -> set[str]:
    """Names of the Rust decoder steps, e.g. {"Replace", "ByteFallback", "Fuse", "Strip"} or {"ByteLevel"}."""
    state = _decoder_state(tokenizer)
    if state is None:
        return set()
    steps = state.get("decoders", [state])
    return {step.get("type", "") for step in steps}


def _piece_bytes(piece: str, byte_level: bool) -> bytes | None:
    if byte_level:
        table = _byte_level_decoder()
        if all(c in table for c in piece):
            return bytes(table[c] for c in piece)
        return None
    m = _BYTE_PIECE.match(piece)
    if m:
        return bytes([int(m.group(1), 16)])
    return piece.replace("▁", " ").encode("utf-8")


def _is_whole_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def pieces(tokenizer, text: str) -> list[dict]:
    """How ``text`` is cut into tokens, for display. One dict per token (no BOS/EOS added):

    - ``id``: the token id; ``piece``: the vocabulary string ("▁나는", "<0xEC>", or "Ġhello" in GPT-2 style);
    - ``text``: what this token adds to the decoded text. ``"".join(p["text"] for p in result)`` equals
      ``tokenizer.decode(ids)``. A byte piece that does not finish a character adds ""; the one that
      finishes it adds the whole character;
    - ``bytes``: the raw UTF-8 bytes the token stands for (None for special tokens or unknown schemes);
    - ``is_byte``: a SentencePiece byte-fallback piece (``<0xEC>``), or, for byte-level BPE, a token that holds
      only part of a character;
    - ``is_special``: ``<s>``, ``</s>``, ``<pad>``, ``<unk>``, ...

    Works for SentencePiece-style tokenizers ("▁" for spaces) and byte-level BPE ("Ġ" for spaces).

    ``_pieces_reference`` below is the plain definition (the wrapper's ids, texts from ``StreamDecoder``);
    ``_pieces_fast`` computes the same rows from SentencePiece and a per-id table, ~9x faster (the tokenizer tab
    calls this on every keystroke), and hands anything it does not cover back to the reference.
    """
    rows = _pieces_fast(tokenizer, text)
    return _pieces_reference(tokenizer, text) if rows is None else rows


def _pieces_reference(tokenizer, text: str) -> list[dict]:
    """``pieces`` through the transformers wrapper: each token's text is what ``StreamDecoder`` emits for it."""
    ids = tokenizer.encode(text, add_special_tokens=False)
    tokens = tokenizer.convert_ids_to_tokens(ids)
    special = set(tokenizer.all_special_ids)
    byte_level = "ByteLevel" in _decoder_types(tokenizer)
    stream = StreamDecoder(tokenizer, skip_special_tokens=False)
    out = []
    for idx, piece in zip(ids, tokens):
        is_special = idx in special
        raw = None if is_special else _piece_bytes(piece, byte_level)
        if byte_level:
            is_byte = raw is not None and not _is_whole_utf8(raw)
        else:
            is_byte = bool(_BYTE_PIECE.match(piece)) and not is_special
        out.append({"id": idx, "piece": piece, "text": stream.push(idx), "bytes": raw,
                    "is_byte": is_byte, "is_special": is_special})
    rest = stream.flush()
    if rest and out:
        out[-1]["text"] += rest
    return out


# --- pieces without the transformers wrapper ----------------------------------------------------------
# The decoder transformers builds for a SentencePiece model: "▁" -> " ", byte pieces <0xNN> -> bytes, join, then
# drop one leading space (the one SentencePiece puts in front of every text, add_dummy_prefix).
_SPM_DECODER = {"type": "Sequence", "decoders": [
    {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"},
    {"type": "Strip", "content": " ", "start": 1, "stop": 0},
]}


class _PieceTable:
    """For each id, the row ``pieces`` shows for that token when it stands alone (copied, never handed out).

    A byte piece's "text" is "" here: what it adds depends on its neighbours (see ``_attach_texts``).
    """

    def __init__(self, tokenizer):
        self.size = len(tokenizer)  # rebuilt if tokens are added
        self.bpe = type(tokenizer.backend_tokenizer.model).__name__ == "BPE"
        self.rows: list[dict | None] = []
        byte_ids = []
        for idx, piece in enumerate(tokenizer.convert_ids_to_tokens(list(range(self.size)))):
            if piece is None:
                self.rows.append(None)
                continue
            is_byte = bool(_BYTE_PIECE.match(piece))
            if is_byte:
                byte_ids.append(idx)
            self.rows.append({"id": idx, "piece": piece, "text": "" if is_byte else piece.replace("▁", " "),
                              "bytes": _piece_bytes(piece, byte_level=False), "is_byte": is_byte,
                              "is_special": False})
        self.byte_ids = frozenset(byte_ids)
        self.max_byte_id = max(byte_ids, default=-1)  # SentencePiece puts them low (after the specials): min(ids) > it


# tokenizer -> its _PieceTable, or None when it does not decode the SentencePiece way (then pieces() runs the
# reference). Exact type only: a subclass may encode or decode differently.
_piece_tables: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _piece_table(tokenizer) -> _PieceTable | None:
    table = _piece_tables.get(tokenizer, False)
    if table is False or (table is not None and table.size != len(tokenizer)):
        table = None
        if type(tokenizer) is PreTrainedTokenizerFast and _decoder_state(tokenizer) == _SPM_DECODER:
            table = _PieceTable(tokenizer)
        _piece_tables[tokenizer] = table
    return table


def _pieces_fast(tokenizer, text: str) -> list[dict] | None:
    """``pieces`` without the wrapper's Python overhead; None where the reference must decide (a tokenizer that
    is not SentencePiece-style, a text that spells an added token such as "</s>", a special id in the result).

    The ids come from SentencePiece itself for BPE models (the ids the wrapper gives, see ``encode_fast``), else
    from the Rust backend (for Unigram, SentencePiece may split runs like "////" differently). Each row is copied
    from a per-id table; only texts with byte pieces or a "\\ufffd" need the token-by-token pass.
    """
    table = _piece_table(tokenizer)
    if table is None or not isinstance(text, str):
        return None
    if any(t.normalized or t.content in text for t in tokenizer.added_tokens_decoder.values()):
        return None  # the wrapper cuts these out of the text first
    sp = _matching_spm(tokenizer) if table.bpe else None
    ids = sp.encode(text) if sp is not None else _plain_backend(tokenizer).encode(text, add_special_tokens=False).ids
    low = min(ids, default=table.size)  # one pass in C: most texts need no set of their ids
    special = tokenizer.all_special_ids
    if special and max(special) >= low and not frozenset(special).isdisjoint(ids):
        return None
    rows = table.rows
    out = [rows[i].copy() for i in ids]
    if (low > table.max_byte_id or table.byte_ids.isdisjoint(ids)) and "\ufffd" not in text:
        # Whole characters only: each token adds its own text, minus the leading space the decoder drops.
        if out and out[0]["text"].startswith(" "):
            out[0]["text"] = out[0]["text"][1:]
        return out
    return out if _attach_texts(out) else None


def _attach_texts(rows: list[dict]) -> bool:
    """Set each row's "text" to what ``StreamDecoder`` emits for its token; False if the bytes are not UTF-8.

    The rows' bytes go through an incremental UTF-8 decoder, so a character spelled as byte pieces
    (<0xEB><0xB7><0x81>) appears whole at its last piece. As in ``StreamDecoder``, text that ends in "\\ufffd"
    waits for the next token, and the first space of the whole text is dropped.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    held, at_start = "", True
    try:
        for row in rows:
            new = decoder.decode(row["bytes"])
            if at_start and new:
                at_start = False
                if new[0] == " ":
                    new = new[1:]
            held += new
            if held and not held.endswith("\ufffd") and not decoder.getstate()[0]:  # [0]: bytes of an unfinished char
                row["text"], held = held, ""
            else:
                row["text"] = ""
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:  # not seen for real text (its bytes are valid); the reference shows "\ufffd"s
        return False
    if held:
        rows[-1]["text"] += held
    return True


# --- streaming decode -------------------------------------------------------------------------------
class StreamDecoder:
    """Turn token ids into text one id at a time, never emitting half a character.

    Why: a rare syllable like "뷁" arrives as three byte pieces ``<0xEB><0xB7><0x81>``. Decoding after the first
    one gives "�". Printing that and then the real character would leave garbage on screen.

    How: keep the ids since the last point where the text was stable (``_ids[_prefix:]``). On each ``push``,
    decode that window twice: without the new tokens (``_ids[_prefix:_read]``, text already emitted) and with
    them. If the longer text ends in "�" (an unfinished UTF-8 sequence), emit nothing and wait; otherwise
    emit the part after the already-emitted text and move the window forward. Decoding a window that starts
    mid-text is safe because both decodes start at the same token, so anything the decoder does at the start
    (SentencePiece drops the leading space of the first piece) cancels out. ``flush()`` returns what is
    still held back at the end (a real "�" if the ids really end mid-character).

    ``"".join(push(i) for i in ids) + flush() == tokenizer.decode(ids)``.

    ``prompt_ids``: when continuing a prompt that is already on screen, pass its ids. The window then starts
    at the prompt's last token, so the first generated piece keeps its leading space ("Mina" + "▁went" shows
    as "Mina went", not "Minawent"); nothing of the prompt itself is emitted.
    """

    def __init__(self, tokenizer, skip_special_tokens: bool = True, prompt_ids: list[int] | None = None):
        self.tokenizer = tokenizer
        self.skip_special_tokens = skip_special_tokens
        self._prompt_tail = [int(i) for i in (prompt_ids or [])][-1:]
        self.reset()

    def reset(self) -> None:
        self._ids: list[int] = list(self._prompt_tail)
        self._prefix = 0  # start of the window
        self._read = len(self._ids)  # ids[:_read] are already emitted as text (or were on screen before)

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=self.skip_special_tokens,
                                     clean_up_tokenization_spaces=False)

    def push(self, token_id: int) -> str:
        """Add one token id; return the newly finished text ("" while a character is incomplete)."""
        self._ids.append(int(token_id))
        done = self._decode(self._ids[self._prefix:self._read])
        now = self._decode(self._ids[self._prefix:])
        if len(now) > len(done) and not now.endswith("\ufffd"):
            self._prefix, self._read = self._read, len(self._ids)
            return now[len(done):]
        return ""

    def flush(self) -> str:
        """Return whatever is still held back and start over."""
        done = self._decode(self._ids[self._prefix:self._read])
        now = self._decode(self._ids[self._prefix:])
        self._prompt_tail = []  # after a flush the next push starts fresh text
        self.reset()
        return now[len(done):]


# --- fast bulk encoding -----------------------------------------------------------------------------
def tokenizer_fingerprint(folder: str | os.PathLike) -> str:
    """sha256 over a tokenizer folder's ``tokenizer.model`` and ``tokenizer.json`` (those present).

    Anything derived from token ids (pre-tokenized data, a model's embedding rows) is only valid for the exact
    tokenizer that made it; store this next to it and compare.
    """
    folder = Path(folder)
    h = hashlib.sha256()
    found = False
    for name in (SPM_FILE, HF_FILE):
        if (folder / name).is_file():
            found = True
            h.update(name.encode() + b"\0")
            with open(folder / name, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
    if not found:
        raise FileNotFoundError(f"no tokenizer in {folder}: expected {HF_FILE} or {SPM_FILE}")
    return h.hexdigest()


def _file_key(path: str) -> tuple[str, int, int]:
    st = os.stat(path)
    return os.path.realpath(path), st.st_mtime_ns, st.st_size


@lru_cache(maxsize=16)
def _spm_processor_cached(key: tuple[str, int, int]) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_file=key[0])


def _spm_processor(model_path: str) -> spm.SentencePieceProcessor:
    """One ``SentencePieceProcessor`` per file (re-read if the file changed)."""
    return _spm_processor_cached(_file_key(model_path))


@lru_cache(maxsize=16)
def _load_cached(key: tuple[str, int, int]) -> PreTrainedTokenizerFast:
    return load_tokenizer(Path(key[0]).parent)


def cached_tokenizer(folder: str | os.PathLike) -> PreTrainedTokenizerFast:
    """``load_tokenizer(folder)``, loaded once per folder (again if its files change).

    The object is shared by every caller: read from it, but do not change it (e.g. ``padding_side``); use
    ``load_tokenizer`` for a private copy.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"tokenizer folder not found: {folder}")
    anchor = folder / (HF_FILE if (folder / HF_FILE).is_file() else SPM_FILE)
    if not anchor.is_file():
        raise FileNotFoundError(f"no tokenizer in {folder}: expected {HF_FILE} or {SPM_FILE}")
    return _load_cached(_file_key(str(anchor)))


# Probe texts to check that a tokenizer.model really matches the tokenizer it sits next to.
_PROBES = [
    "나는 맛있는 음식을 좋아합니다.", "The model reads 12345 tokens.", "  두 칸  spaces\tand\nnewlines ",
    "뷁 똠 쀍 😀 漢字 ㄱㄴㄷ é", "", " ", "x",
]
# tokenizer -> (len(tokenizer) when checked, its SentencePiece processor or None). The processor is the one the
# check ran on, kept in memory: later changes to the file on disk cannot make it disagree with the checked result.
# One get or set is atomic, so no lock: two threads that check the same new tokenizer at once both run the check.
_spm_ok: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _matching_spm(tokenizer) -> spm.SentencePieceProcessor | None:
    """The SentencePiece model behind ``tokenizer`` if there is one and it gives the same ids, else None.

    Checked once per tokenizer object (again only if tokens are added to it): this runs on every ``encode_fast``
    call, where a file check (stat + realpath) per call cost as much as encoding a short text.
    """
    checked = _spm_ok.get(tokenizer)
    if checked is not None and checked[0] == len(tokenizer):
        return checked[1]
    sp = None
    path = None
    for cand in (getattr(tokenizer, "vocab_file", None), os.path.join(tokenizer.name_or_path or "", SPM_FILE)):
        if isinstance(cand, str) and cand.endswith(".model") and os.path.isfile(cand):
            path = cand
            break
    if path is not None:
        sp = _spm_processor(path)
        want = [e.ids for e in _plain_backend(tokenizer).encode_batch(_PROBES, add_special_tokens=False)]
        if sp.get_piece_size() != len(tokenizer) or sp.encode(_PROBES) != want:
            sp = None
    _spm_ok[tokenizer] = (len(tokenizer), sp)
    return sp


def _plain_backend(tokenizer):
    """The Rust tokenizer without padding/truncation. The wrapper leaves those switched on after a call with
    ``padding=True`` (``set_truncation_and_padding`` in transformers/tokenization_utils_tokenizers.py), which
    would pad our output; in that case work on a copy instead of touching the shared object."""
    backend = tokenizer.backend_tokenizer
    if backend.padding is None and backend.truncation is None:
        return backend
    import copy

    backend = copy.deepcopy(backend)
    backend.no_padding()
    backend.no_truncation()
    return backend


# Below this many characters in all, texts are encoded one by one: SentencePiece's batch call costs about as much
# as encoding 2 paragraphs of ~450 bytes, and its threads pay from ~16 such paragraphs (measured on 2 cores).
_POOL_MIN_CHARS = 8192


def _few_chars(texts: list[str]) -> bool:
    if len(texts) == 1:  # one text cannot be split between threads
        return True
    total = 0
    for text in texts:
        total += len(text)
        if total >= _POOL_MIN_CHARS:
            return False
    return True


def encode_fast(tokenizer_or_dir, texts: list[str], num_threads: int | None = None) -> list[list[int]]:
    """Encode many texts to ids quickly; equal to ``tokenizer(texts, add_special_tokens=False)["input_ids"]``.

    ``tokenizer_or_dir``: a tokenizer from ``load_tokenizer`` / ``AutoTokenizer``, or a tokenizer folder.
    Uses SentencePiece's multithreaded ``encode`` when a ``tokenizer.model`` that gives the same ids is
    available (checked once per tokenizer on a few probe texts; a few short texts are encoded one by one, which
    is faster than starting threads), else the Rust backend's ``encode_batch``. Both skip the
    transformers wrapper's Python overhead (4-8x). No BOS/EOS is added. One difference from the wrapper: the
    SentencePiece path reads a literal "</s>" in the text as plain characters, not as the EOS id.
    """
    if isinstance(texts, str):
        raise ValueError("encode_fast takes a list of texts; wrap a single text in a list")
    texts = list(texts)
    if isinstance(tokenizer_or_dir, (str, os.PathLike)):
        tokenizer = cached_tokenizer(tokenizer_or_dir)
    else:
        tokenizer = tokenizer_or_dir
    if not texts:
        return []
    sp = _matching_spm(tokenizer)
    if sp is not None:
        if _few_chars(texts):  # one text at a time: a batch call starts a thread pool, ~60 µs even with 1 thread
            return [sp.encode(text) for text in texts]
        return sp.encode(texts, num_threads=num_threads or os.cpu_count() or 1)
    backend = _plain_backend(tokenizer)
    return [e.ids for e in backend.encode_batch_fast(texts, add_special_tokens=False)]
