import json

import pytest

from gpt_demo.instructions import (
    ANSWER_INSTRUCTION,
    build_instruction_data,
    check_examples,
    encode_example,
    encode_prompt,
    format_prompt,
    load_instruction_file,
    save_instruction_file,
)

# A few concept Q&A pairs of our own (the project's CONCEPTS are tested below when they exist).
CONCEPTS = {
    "top_p": {
        "questions_ko": ["top_p는 무엇인가요?", "top-p 샘플링은 어떻게 동작하나요?",
                         "top_p 값을 높이면 어떻게 되나요?"],
        "questions_en": ["What does top_p do?", "How does top-p sampling work?", "What happens when I raise top_p?"],
        "explanations_ko": ["top_p는 확률이 높은 토큰부터 더해 합이 top_p 이상이 되는 가장 작은 집합만 남깁니다. "
                            "top_p가 높을수록 더 많은 후보 토큰이 남습니다."],
        "explanations_en": ["top_p keeps the smallest set of most likely tokens whose probabilities add up to at "
                            "least top_p. A higher top_p keeps more candidate tokens."],
    },
    "lora": {
        "questions_ko": ["LoRA가 무엇인가요?", "LoRA는 어떻게 학습하나요?", "LoRA는 모델을 압축하나요?"],
        "questions_en": ["What is LoRA?", "How does LoRA train a model?", "Does LoRA compress the model?"],
        "explanations_ko": ["LoRA는 기본 가중치를 고정하고 그 옆에 학습 가능한 저랭크 업데이트 ΔW = B·A·(alpha/r)를 "
                            "배웁니다. 압축이 아니라 미세 조정입니다."],
        "explanations_en": ["LoRA freezes the base weights and learns a trainable low-rank update "
                            "ΔW = B·A·(alpha/r) beside them. It is fine-tuning, not compression."],
    },
    "padding": {
        "questions_ko": ["패딩은 왜 필요한가요?", "패딩 토큰이 무엇인가요?"],
        "questions_en": ["Why do we pad sequences?", "What is a padding token?"],
        "explanations_ko": ["길이가 다른 문장을 한 배치로 묶으려고 짧은 문장 끝에 패딩 토큰을 채웁니다."],
        "explanations_en": ["Sentences of different lengths are padded with a pad token to form one batch."],
    },
}


def _question(ex):
    return (ex.get("input") or ex["instruction"]).strip()


def _project_concepts():
    try:
        from gpt_demo.corpus.concepts import CONCEPTS as concepts
    except ImportError:
        pytest.skip("gpt_demo.corpus has no CONCEPTS yet")
    return concepts


# --- the template ---------------------------------------------------------------------------------------
def test_prompt_template_forms():
    assert format_prompt("What is LoRA?") == "### Instruction:\nWhat is LoRA?\n### Response:\n"
    assert format_prompt("Answer.", "What is LoRA?") == (
        "### Instruction:\nAnswer.\n### Input:\nWhat is LoRA?\n### Response:\n")
    assert format_prompt("Q", "   ") == format_prompt("Q") == format_prompt("Q", None)
    with pytest.raises(ValueError, match="instruction"):
        format_prompt("  ")
    with pytest.raises(ValueError, match="input"):
        format_prompt("Q", 3)


class _CharTokenizer:
    """One id per character (enough to check how prompts and answers are joined)."""

    eos_token_id = 2

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [10 + ord(c) % 200 for c in text]}


def test_training_example_starts_with_the_generation_prompt():
    tok = _CharTokenizer()
    ex = {"instruction": "What is LoRA?", "input": None, "output": "  A low-rank update. "}
    ids, plen = encode_example(tok, ex)
    assert ids[:plen] == encode_prompt(tok, "What is LoRA?")
    assert ids[plen:-1] == tok("A low-rank update.")["input_ids"]  # the answer, stripped
    assert ids[-1] == tok.eos_token_id
    ids2, plen2 = encode_example(tok, {"instruction": "Answer.", "input": "What is LoRA?", "output": "x"})
    assert ids2[:plen2] == encode_prompt(tok, "Answer.", "What is LoRA?")


# --- the data set -----------------------------------------------------------------------------------------
def test_both_languages_and_a_disjoint_held_out_split():
    train, val = build_instruction_data(seed=0, concepts=CONCEPTS)
    check_examples(train)
    check_examples(val)
    for split in (train, val):
        assert {ex["lang"] for ex in split} == {"ko", "en"}
    train_q = {_question(ex) for ex in train}
    val_q = {_question(ex) for ex in val}
    assert train_q and val_q and not train_q & val_q  # held-out phrasings never appear in training
    # one phrasing per concept and language is held out; every concept is still trained on
    for key in CONCEPTS:
        for lang in ("ko", "en"):
            assert sum(1 for ex in val if ex["concept"] == key and ex["lang"] == lang and not ex.get("input")) == 1
            assert any(ex["concept"] == key and ex["lang"] == lang for ex in train)
    # both Alpaca forms: the question as the instruction, and as the input
    assert any(ex.get("input") for ex in train) and any(not ex.get("input") for ex in train)
    assert {ex["instruction"] for ex in train if ex.get("input")} <= set(ANSWER_INSTRUCTION.values())
    # answers are in the question's language
    for ex in train + val:
        assert ex["output"] == CONCEPTS[ex["concept"]][f"explanations_{ex['lang']}"][0]


def test_split_is_seeded():
    a = build_instruction_data(seed=1, concepts=CONCEPTS)
    assert a == build_instruction_data(seed=1, concepts=CONCEPTS)
    held = [{_question(ex) for ex in build_instruction_data(seed=s, concepts=CONCEPTS)[1]} for s in range(4)]
    assert len({frozenset(h) for h in held}) > 1  # another seed holds out other phrasings


def test_bad_concepts():
    with pytest.raises(ValueError, match="no concepts"):
        build_instruction_data(concepts={})
    with pytest.raises(ValueError, match="no en answer"):
        build_instruction_data(concepts={"x": {"questions_en": ["Q?"], "explanations_en": []}})


def _sentences(text: str) -> list[str]:
    import re

    return [x for x in re.split(r"(?<=[.!?。])\s+", text) if x]


def _negated(sentence: str) -> bool:
    low = sentence.lower()
    return " not " in f" {low} " or "n't" in low or any(w in sentence for w in ("아니", "아닙", "아님", "않"))


def _top_p_is_right(text: str, lang: str) -> bool:
    """Says a higher top_p keeps more candidates (in one sentence); never says top_p=0.95 is "the top 5%"
    or that a lower top_p keeps more, unless to deny it."""
    sents = _sentences(text)
    if lang == "en":
        says_more = any("higher" in s.lower() and "more" in s.lower() for s in sents)
        wrong = any(("top 5%" in s.lower() or "lower top_p keeps more" in s.lower()) and not _negated(s)
                    for s in sents)
    else:
        says_more = any("높" in s and "많" in s for s in sents)
        wrong = any("상위 5%" in s and not _negated(s) for s in sents)
    return says_more and not wrong


def _lora_is_right(text: str, lang: str) -> bool:
    """Frozen base + a low-rank update; "compression" only ever denied."""
    sents = _sentences(text)
    low = text.lower()
    if lang == "en":
        compress = any("compress" in s.lower() and not _negated(s) for s in sents)
        return not compress and ("frozen" in low or "freez" in low) and "low-rank" in low
    compress = any("압축" in s and not _negated(s) for s in sents)
    return not compress and ("고정" in text or "얼" in text) and "랭크" in text


def test_our_top_p_and_lora_answers_are_correct():
    train, val = build_instruction_data(seed=0, concepts=CONCEPTS)
    for ex in train + val:
        if ex["concept"] == "top_p":
            assert _top_p_is_right(ex["output"], ex["lang"]), ex["output"]
        if ex["concept"] == "lora":
            assert _lora_is_right(ex["output"], ex["lang"]), ex["output"]


def test_project_concepts_give_a_good_data_set():
    concepts = _project_concepts()
    train, val = build_instruction_data(seed=0, concepts=concepts)
    assert {ex["lang"] for ex in train} == {"ko", "en"} and {ex["lang"] for ex in val} == {"ko", "en"}
    assert not {_question(ex) for ex in train} & {_question(ex) for ex in val}
    by_concept = {}
    for ex in train + val:
        by_concept.setdefault(ex["concept"], []).append(ex)
    assert len(by_concept) >= 5
    top_p = [k for k in by_concept if "top" in k.lower() and "p" in k.lower().replace("top", "")]
    lora = [k for k in by_concept if "lora" in k.lower()]
    assert top_p and lora, sorted(by_concept)
    for key in top_p:
        for ex in by_concept[key]:
            assert _top_p_is_right(ex["output"], ex["lang"]), ex["output"]
    for key in lora:
        for ex in by_concept[key]:
            assert _lora_is_right(ex["output"], ex["lang"]), ex["output"]


# --- files ------------------------------------------------------------------------------------------------
def test_save_and_load_round_trip(tmp_path):
    train, _ = build_instruction_data(seed=0, concepts=CONCEPTS)
    path = save_instruction_file(train, tmp_path / "d" / "train.json")
    assert load_instruction_file(path) == train
    jsonl = tmp_path / "train.jsonl"
    jsonl.write_text("\n".join(json.dumps(ex, ensure_ascii=False) for ex in train) + "\n\n", encoding="utf-8")
    assert load_instruction_file(jsonl) == train


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "is empty"),
        ("  \n\n", "is empty"),
        ("[]", "no examples"),
        ('[\n {"instruction": "a", "output": "b"},\n {"instruction": "c" "output": "d"}\n]', "line 3"),
        ('[\n {"instruction": "a", "output": "b"},\n {"instruction": "c"}\n]', "line 3: no 'output'"),
        ('[\n {"instruction": "a", "output": "b"}\n', "line 2"),
        ('{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": }\n', "line 2"),
        ('{"instruction": "a", "output": "b"}\n\n["not", "an", "object"]\n', "line 3: a list"),
        ('{"instruction": "", "output": "b"}\n', "line 1: 'instruction' must be non-empty"),
        ('{"instruction": "a", "output": "b", "input": 5}\n', "line 1: 'input'"),
    ],
)
def test_bad_data_files_name_the_line(tmp_path, text, message):
    path = tmp_path / "data.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        load_instruction_file(path)
    assert str(path) in str(err.value)


def test_missing_data_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_instruction_file(tmp_path / "nope.json")
