"""The project's own bilingual corpus: short stories and dialogues in Korean and English.

Everything is generated from the word lists in :mod:`.lexicon` and the plot patterns in ``patterns_*.py``;
no third-party text.  The stream is deterministic: one ``random.Random(seed)`` drives every choice, so the
same seed gives the same text in every process (nothing depends on ``hash()`` or on the global ``random``).

    >>> from gpt_demo.corpus import iter_paragraphs
    >>> text = next(iter_paragraphs(seed=1, lang="ko"))

About 4% of the paragraphs are short explanations of the course's concepts (from :mod:`.concepts`).
"""

from __future__ import annotations

import os
import random
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import patterns_1, patterns_2, patterns_3, patterns_4, patterns_5, patterns_6
from .lexicon import content_words
from .template import Context, Pattern, choose_steps, fill_slots

__all__ = [
    "CONCEPT_RATE",
    "PATTERNS",
    "generate_text",
    "iter_paragraphs",
    "iter_records",
    "patterns_for",
    "write_corpus",
]

PATTERNS: list[Pattern] = [
    *patterns_1.PATTERNS,
    *patterns_2.PATTERNS,
    *patterns_3.PATTERNS,
    *patterns_4.PATTERNS,
    *patterns_5.PATTERNS,
    *patterns_6.PATTERNS,
]
CONCEPT_RATE = 0.04
LANGS = ("ko", "en")

_keys = [p.key for p in PATTERNS]
if len(set(_keys)) != len(_keys):  # pragma: no cover - guards against a copy-pasted pattern
    raise RuntimeError("duplicate pattern keys: " + ", ".join(k for k, n in Counter(_keys).items() if n > 1))


def patterns_for(lang: str) -> list[Pattern]:
    """The patterns that have steps in ``lang`` (all of them, today)."""
    return [p for p in PATTERNS if p.steps(lang)]


def _concept_fn() -> Callable[[random.Random, str], str] | None:
    """``concepts.concept_paragraph`` if that module exists, else None (then no concept text is mixed in)."""
    try:
        from .concepts import concept_paragraph
    except ImportError:
        return None
    return concept_paragraph


def _check_lang(lang: str | None) -> None:
    if lang not in (None, *LANGS):
        raise ValueError(f"lang must be 'ko', 'en' or None, not {lang!r}")


def _render(pattern: Pattern, lang: str, rng: random.Random) -> tuple[str, list[str]]:
    """One paragraph and the lexicon words chosen for its slots."""
    values = fill_slots(pattern, lang, rng)
    ctx = Context(lang, rng, values)
    out = []
    for st in choose_steps(pattern, lang, rng):
        alt = st.alts[rng.randrange(len(st.alts))] if len(st.alts) > 1 else st.alts[0]
        out.append(ctx.render(alt))
    words = [w.ko if lang == "ko" else w.en for w in values.values()]
    return " ".join(out), words


def iter_records(seed: int, lang: str | None = None) -> Iterator[tuple[str, str, str, list[str]]]:
    """The stream behind :func:`iter_paragraphs`: endless (lang, pattern key or "concept", paragraph, slot words)."""
    _check_lang(lang)
    rng = random.Random(seed)
    concept = _concept_fn()
    by_lang = {lg: patterns_for(lg) for lg in LANGS}
    while True:
        lg = lang if lang is not None else ("ko" if rng.random() < 0.5 else "en")
        if concept is not None and rng.random() < CONCEPT_RATE:
            text = " ".join(concept(rng, lg).split())  # one line, single spaces
            yield lg, "concept", text, []
            continue
        pats = by_lang[lg]
        pattern = pats[rng.randrange(len(pats))]
        text, words = _render(pattern, lg, rng)
        yield lg, pattern.key, text, words


def iter_paragraphs(seed: int, lang: str | None = None) -> Iterator[str]:
    """An endless, deterministic stream of paragraphs (``lang=None``: about half Korean, half English)."""
    for _, _, text, _ in iter_records(seed, lang):
        yield text


def generate_text(seed: int, n_bytes: int, lang: str | None = None) -> str:
    """Paragraphs, one per line, until the text has at least ``n_bytes`` UTF-8 bytes."""
    if n_bytes <= 0:
        return ""
    lines: list[str] = []
    size = -1  # n lines are joined by n - 1 newlines
    for text in iter_paragraphs(seed, lang):
        if size >= n_bytes:
            break
        lines.append(text)
        size += len(text.encode("utf-8")) + 1
    return "\n".join(lines)


_WORD = re.compile(r"[^\W\d_][\w'-]*")


def _write_split(path: Path, seed: int, n_bytes: int) -> dict[str, Any]:
    """Write one split atomically; return its statistics."""
    lexicon = {lg: content_words(lg) for lg in LANGS}
    paragraphs: Counter[str] = Counter()
    pattern_use: Counter[str] = Counter()
    words: dict[str, set[str]] = {lg: set() for lg in LANGS}
    used: dict[str, set[str]] = {lg: set() for lg in LANGS}
    size = lines = concepts = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            for lg, key, text, slot_words in iter_records(seed, None):
                if size >= n_bytes:
                    break
                f.write(text + "\n")
                size += len(text.encode("utf-8")) + 1
                lines += 1
                paragraphs[lg] += 1
                if key == "concept":
                    concepts += 1
                else:
                    pattern_use[key] += 1
                words[lg].update(m.group(0).lower() for m in _WORD.finditer(text))
                used[lg].update(w for w in slot_words if w in lexicon[lg] and w in text)
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; a corpus is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return {
        "path": str(path),
        "bytes": size,
        "lines": lines,
        "paragraphs": dict(paragraphs),
        "distinct_words": {lg: len(words[lg]) for lg in LANGS},
        "content_words_used": {lg: len(used[lg]) for lg in LANGS},
        "patterns_used": len(pattern_use),
        "concept_paragraphs": concepts,
    }


def write_corpus(
    out_dir: str | os.PathLike[str],
    train_mb: float = 12.0,
    val_mb: float = 0.5,
    seed: int = 1234,
    val_seed: int = 99991,
) -> dict[str, Any]:
    """Write ``train.txt`` and ``val.txt`` (UTF-8, one paragraph per line) into ``out_dir``; return statistics.

    Each file is written to a temporary file in the same folder and then renamed over the target, so a
    crash never leaves a half-written corpus behind.  ``val_seed`` must differ from ``seed``.
    """
    if train_mb <= 0 or val_mb <= 0:
        raise ValueError("train_mb and val_mb must be > 0")
    if seed == val_seed:
        raise ValueError("seed and val_seed must differ, or the validation text is not held out")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    train = _write_split(out / "train.txt", seed, int(train_mb * 1_000_000))
    val = _write_split(out / "val.txt", val_seed, int(val_mb * 1_000_000))
    return {
        "out_dir": str(out),
        "train": train,
        "val": val,
        "patterns": {lg: len(patterns_for(lg)) for lg in LANGS},
        "lexicon_content_words": {lg: len(content_words(lg)) for lg in LANGS},
        "concepts_included": _concept_fn() is not None,
    }
