"""The concept texts: shape, languages, and the facts the course glossary gets wrong (fast, stdlib only)."""

from __future__ import annotations

import ast
import dataclasses
import random
import re
import sys
from pathlib import Path

import pytest

from gpt_demo.corpus import concepts as concepts_module
from gpt_demo.corpus.concepts import CONCEPTS, Concept, concept_paragraph

REQUIRED = {
    "padding", "attention_mask", "torch_where", "torch_full", "sentencepiece", "half_precision", "cuda",
    "checkpoint", "top_p", "lora", "temperature", "token", "kv_cache", "rope", "language_model", "llama_alpaca",
}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def statements(c: Concept, lang: str) -> tuple[str, ...]:
    """What the concept asserts in ``lang``: its explanations and its canonical answer."""
    return (*c.explanations(lang), c.answer(lang))


def all_texts(c: Concept, lang: str) -> tuple[str, ...]:
    name = c.name_ko if lang == "ko" else c.name_en
    return (name, *statements(c, lang), *c.questions(lang))


# --- fact checkers (each one is also tested on the glossary's wrong claims below) ---------------

_NEG_EN = re.compile(r"\bnot\b|n't\b|\bno\b|\bnever\b", re.IGNORECASE)
_NEG_KO = re.compile(r"아닙니다|아니라|아니에요|아니고|않|없")


def _negated(sentence: str, lang: str) -> bool:
    return bool((_NEG_KO if lang == "ko" else _NEG_EN).search(sentence))


def says_higher_top_p_keeps_more(text: str, lang: str) -> bool:
    for s in sentences(text):
        if lang == "en" and re.search(r"higher top_p", s, re.IGNORECASE) and re.search(r"\bmore\b", s):
            return True
        if lang == "ko" and "top_p" in s and re.search(r"높|올리", s) and "더 많은" in s:
            return True
    return False


def says_lower_top_p_keeps_more(text: str, lang: str) -> bool:
    """A clause that ties a lower top_p to more tokens (the glossary's mistake)."""
    for clause in re.split(r"[,;:]|(?<=[.!?])\s+", text):
        more = re.search(r"more (candidate )?(tokens|candidates)", clause)
        if lang == "en" and re.search(r"\blower\b", clause) and more:
            return True
        if lang == "ko" and re.search(r"낮", clause) and re.search(r"더 많은 (토큰|후보)", clause):
            return True
    return False


def claims_top_five_percent(text: str, lang: str) -> bool:
    """A sentence that mentions "top 5%" without denying it."""
    pattern = r"상위 5\s?%" if lang == "ko" else r"top 5\s?%"
    return any(re.search(pattern, s, re.IGNORECASE) and not _negated(s, lang) for s in sentences(text))


_COMPRESS_EN = re.compile(r"compress|smaller|shrink|lighter|reduc\w* (the )?model('s)? size", re.IGNORECASE)
_COMPRESS_KO = re.compile(r"압축|경량|작은 모델|모델을 작게|모델이 작아|크기를 줄")


def claims_lora_compresses(text: str, lang: str) -> bool:
    """A statement that LoRA compresses / shrinks the model. Denials and learners' questions do not count."""
    pattern = _COMPRESS_KO if lang == "ko" else _COMPRESS_EN
    for s in sentences(text):
        if s.endswith("?"):
            continue
        if pattern.search(s) and not _negated(s, lang):
            return True
    return False


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("A lower top_p considers more tokens, so the text is more varied.", "en"),
        ("top_p가 낮을수록 더 많은 토큰을 고려합니다.", "ko"),
    ],
)
def test_checker_catches_lower_means_more(text, lang):
    assert says_lower_top_p_keeps_more(text, lang)
    assert not says_higher_top_p_keeps_more(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "wrong"),
    [
        ("With top_p = 0.95 the model keeps the top 5% of tokens.", "en", True),
        ("top_p = 0.95 does not mean the top 5% of tokens.", "en", False),
        ("top_p를 0.95로 두면 상위 5%의 토큰만 고려합니다.", "ko", True),
        ("top_p = 0.95는 상위 5%라는 뜻이 아닙니다.", "ko", False),
    ],
)
def test_checker_top_five_percent(text, lang, wrong):
    assert claims_top_five_percent(text, lang) is wrong


@pytest.mark.parametrize(
    ("text", "lang", "wrong"),
    [
        ("LoRA is a compression technique that makes the model smaller for deployment.", "en", True),
        ("LoRA shrinks a large model.", "en", True),
        ("LoRA is not a compression method.", "en", False),
        ("Is LoRA a compression method?", "en", False),
        ("LoRA는 모델을 저차원으로 압축해서 배포를 쉽게 하는 기법입니다.", "ko", True),
        ("LoRA로 모델을 경량화할 수 있어요.", "ko", True),
        ("LoRA는 압축 기법이 아니라 미세조정 기법입니다.", "ko", False),
    ],
)
def test_checker_lora_compression(text, lang, wrong):
    assert claims_lora_compresses(text, lang) is wrong


# --- shape ---------------------------------------------------------------------------------------


def test_required_concepts_present():
    assert REQUIRED <= set(CONCEPTS)
    for key, c in CONCEPTS.items():
        assert isinstance(c, Concept)
        assert c.key == key


def test_concept_is_frozen():
    c = CONCEPTS["top_p"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.answer_en = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("key", sorted(CONCEPTS))
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_counts_and_single_lines(key, lang):
    c = CONCEPTS[key]
    explanations, questions = c.explanations(lang), c.questions(lang)
    assert isinstance(explanations, tuple) and isinstance(questions, tuple)
    assert len(explanations) >= 4
    assert len(questions) >= 5
    assert len(set(explanations)) == len(explanations), "explanations must differ"
    assert len(set(questions)) == len(questions), "questions must differ"
    for text in all_texts(c, lang):
        assert isinstance(text, str) and text
        assert text == text.strip()
        assert "\n" not in text and "\r" not in text
        assert "  " not in text
    for q in questions:
        assert q.endswith("?"), q


@pytest.mark.parametrize("key", sorted(CONCEPTS))
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_paragraph_lengths(key, lang):
    c = CONCEPTS[key]
    for text in c.explanations(lang):
        assert 2 <= len(sentences(text)) <= 4, text
        assert len(text) <= 400, text
    assert 1 <= len(sentences(c.answer(lang))) <= 3, c.answer(lang)


@pytest.mark.parametrize("key", sorted(CONCEPTS))
def test_languages(key):
    c = CONCEPTS[key]
    for text in all_texts(c, "ko"):
        assert HANGUL.search(text) or text == c.name_ko, text
    for text in (*statements(c, "ko"), *c.questions("ko")):
        assert HANGUL.search(text), text
    for text in all_texts(c, "en"):
        assert not HANGUL.search(text), text


def test_explanations_unique_across_concepts():
    seen: dict[str, str] = {}
    for key, c in CONCEPTS.items():
        for text in (*c.explanations_ko, *c.explanations_en):
            assert text not in seen, f"{key} repeats an explanation of {seen.get(text)}"
            seen[text] = key


def test_module_uses_only_the_standard_library():
    tree = ast.parse(Path(concepts_module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        else:
            continue
        for name in names:
            assert name.split(".")[0] in sys.stdlib_module_names, name


# --- facts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_top_p_higher_keeps_more(lang):
    c = CONCEPTS["top_p"]
    for text in statements(c, lang):
        assert says_higher_top_p_keeps_more(text, lang), text
        assert not says_lower_top_p_keeps_more(text, lang), text
        assert not claims_top_five_percent(text, lang), text
    # the correction itself is taught somewhere, and the answer says top_p = 1.0 / 0.95 correctly
    five = "상위 5%" if lang == "ko" else "top 5%"
    assert any(five in t for t in statements(c, lang))
    assert "95%" in c.answer(lang)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_no_concept_claims_top_five_percent(lang):
    for c in CONCEPTS.values():
        for text in statements(c, lang):
            assert not claims_top_five_percent(text, lang), text


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_lora_is_not_compression(lang):
    c = CONCEPTS["lora"]
    for text in all_texts(c, lang):
        assert not claims_lora_compresses(text, lang), text
    frozen = "얼려" if lang == "ko" else "frozen"
    assert frozen in c.answer(lang)
    assert "B·A" in c.answer(lang) and "alpha/r" in c.answer(lang)
    assert any("B·A·alpha/r" in t for t in c.explanations(lang)), "the merge formula is taught"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_torch_where_broadcasts(lang):
    c = CONCEPTS["torch_where"]
    word = "브로드캐스팅" if lang == "ko" else "broadcast"
    for text in statements(c, lang):
        assert word in text, text
    assert "[1,20,3,40]" in c.answer(lang)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_padding_id_comes_from_the_tokenizer(lang):
    c = CONCEPTS["padding"]
    word = "토크나이저" if lang == "ko" else "tokenizer"
    for text in statements(c, lang):
        assert word in text, text
    answer = c.answer(lang)
    assert "0" in answer and "<unk>" in answer and "3" in answer and "<pad>" in answer


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_sentencepiece_has_no_bidirectional_tokenization(lang):
    c = CONCEPTS["sentencepiece"]
    word = "양방향" if lang == "ko" else "bidirectional"
    for text in statements(c, lang):
        for s in sentences(text):
            if word in s.lower():
                assert _negated(s, lang), s
    answer = c.answer(lang)
    assert "▁" in answer and "decode(encode(text)) == text" in answer


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_misc_facts(lang):
    assert "65504" in CONCEPTS["half_precision"].answer(lang)
    assert "torch.cuda.is_available()" in CONCEPTS["cuda"].answer(lang)
    assert "torch.full((2, 6), pad_id)" in CONCEPTS["torch_full"].answer(lang)
    assert "argmax" in CONCEPTS["temperature"].answer(lang)
    mask = CONCEPTS["attention_mask"]
    assert "input_ids != pad_id" in mask.answer(lang) and "-inf" in mask.answer(lang)


# --- concept_paragraph ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_concept_paragraph_is_deterministic(lang):
    a = [concept_paragraph(random.Random(1234), lang) for _ in range(3)]
    assert len(set(a)) == 1
    r1, r2 = random.Random(7), random.Random(7)
    assert [concept_paragraph(r1, lang) for _ in range(50)] == [concept_paragraph(r2, lang) for _ in range(50)]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_concept_paragraph_language_and_coverage(lang):
    rng = random.Random(0)
    known = {t: k for k, c in CONCEPTS.items() for t in c.explanations(lang)}
    hit = set()
    for _ in range(600):
        text = concept_paragraph(rng, lang)
        assert text in known
        assert "\n" not in text
        assert bool(HANGUL.search(text)) is (lang == "ko")
        hit.add(known[text])
    assert hit == set(CONCEPTS)


def test_concept_paragraph_rejects_unknown_language():
    with pytest.raises(ValueError):
        concept_paragraph(random.Random(0), "fr")
