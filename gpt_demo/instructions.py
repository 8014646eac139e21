"""Instruction data for LoRA fine-tuning, and the ONE prompt template that training and generation share.

An instruction example is Alpaca style: ``{"instruction": ..., "input": ... (optional), "output": ...}``.
The model never sees the dict, only one string built by :func:`format_prompt`::

    ### Instruction:
    What does top_p do?
    ### Response:
    <the answer the model must learn to write>

(with a ``### Input:`` section between the two when ``input`` is given). Training and generation both go
through :func:`encode_prompt`, so the prompt tokens at generation time are exactly the prompt tokens the
model was trained on; a template that differs by one newline between the two is the classic way an
instruction-tuned model "forgets" everything it learned.

The data itself comes from the project's own bilingual concept explanations
(``gpt_demo.corpus.concepts.CONCEPTS``): every concept has several Korean and English phrasings of a
question and a correct short answer.
:func:`build_instruction_data` turns them into a training set and a held-out validation set whose
*questions* (phrasings) never appear in training, so the validation loss measures whether the model
answers a question it was never asked in those words, not whether it memorised a row.

    python -m gpt_demo.instructions --out data/instructions   # writes train.json and val.json
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

__all__ = [
    "INSTRUCTION_HEADER", "INPUT_HEADER", "RESPONSE_HEADER", "ANSWER_INSTRUCTION",
    "format_prompt", "encode_prompt", "encode_example", "generate_answer",
    "build_instruction_data", "check_examples", "load_instruction_file", "save_instruction_file",
]

# --- the template -------------------------------------------------------------------------------------
# Short headers: the bundled model has a 256-token context, so every template token is one answer token less.
INSTRUCTION_HEADER = "### Instruction:\n"
INPUT_HEADER = "### Input:\n"
RESPONSE_HEADER = "### Response:\n"

# Instructions used when the question goes into the ``input`` field (Alpaca's second form).
ANSWER_INSTRUCTION = {
    "ko": "다음 질문에 답하세요.",
    "en": "Answer the following question.",
}


def format_prompt(instruction: str, input: str | None = None) -> str:  # noqa: A002 (Alpaca's field name)
    """The prompt string for one instruction (and optional input); the answer follows it directly.

    ``input`` None or blank means the two-section form. Used by training *and* generation: do not build
    prompts anywhere else.
    """
    if not isinstance(instruction, str) or not instruction.strip():
        raise ValueError("instruction must be a non-empty string")
    if input is not None and not isinstance(input, str):
        raise ValueError(f"input must be a string or None, got {type(input).__name__}")
    text = INSTRUCTION_HEADER + instruction.strip() + "\n"
    if input is not None and input.strip():
        text += INPUT_HEADER + input.strip() + "\n"
    return text + RESPONSE_HEADER


def encode_prompt(tokenizer, instruction: str, input: str | None = None) -> list[int]:  # noqa: A002
    """Token ids of :func:`format_prompt` (no BOS: the pre-training data has none either)."""
    return list(tokenizer(format_prompt(instruction, input), add_special_tokens=False)["input_ids"])


def encode_example(tokenizer, example: Mapping) -> tuple[list[int], int]:
    """``(ids, prompt_length)`` for one example: prompt ids, then answer ids, then ``</s>``.

    Prompt and answer are tokenized separately, so ``ids[:prompt_length]`` is exactly what
    :func:`encode_prompt` gives at generation time (tokenizing the joined string could merge pieces across
    the boundary). The ``</s>`` at the end teaches the model to stop after the answer.
    """
    prompt = encode_prompt(tokenizer, example["instruction"], example.get("input"))
    answer = list(tokenizer(example["output"].strip(), add_special_tokens=False)["input_ids"])
    if tokenizer.eos_token_id is None:
        raise ValueError("the tokenizer has no end-of-text token; instruction tuning needs one to learn to stop")
    return prompt + answer + [tokenizer.eos_token_id], len(prompt)


def generate_answer(model, tokenizer, instruction: str, input: str | None = None,  # noqa: A002
                    max_new_tokens: int = 128, temperature: float = 0.0, top_p: float = 1.0,
                    seed: int = 0) -> str:
    """Answer one instruction with ``model`` (a plain or LoRA-adapted model), through the shared template.

    Greedy by default (``temperature=0``), so before/after comparisons are reproducible. Stops at ``</s>``
    or after ``max_new_tokens`` (fewer if the context would overflow). Returns the answer text only.
    """
    import torch

    from .sampling import generate_stream

    ids = encode_prompt(tokenizer, instruction, input)
    context = model.config.max_position_embeddings
    room = context - len(ids)
    if room <= 0:
        raise ValueError(f"the prompt has {len(ids)} tokens; the model's context is {context}")
    device = next(model.parameters()).device
    generator = torch.Generator(device=device).manual_seed(seed)
    was_training = model.training
    model.eval()
    new: list[int] = []
    try:
        for tokens, _ in generate_stream(model, torch.tensor([ids], device=device), min(max_new_tokens, room),
                                         temperature=temperature, top_p=top_p,
                                         eos_token_id=tokenizer.eos_token_id, generator=generator):
            token = int(tokens[0])
            if token == tokenizer.eos_token_id:
                break
            new.append(token)
    finally:
        model.train(was_training)
    # stopping at max_new_tokens can cut a byte-fallback character in half: drop that half, not show "�"
    return tokenizer.decode(new, skip_special_tokens=True).rstrip("\ufffd").strip()


# --- building the data set from the concept explanations ---------------------------------------------
def _field(concept, name: str, default=None):
    if isinstance(concept, Mapping):
        return concept.get(name, default)
    return getattr(concept, name, default)


def _strings(value, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    out = []
    for s in value:
        if not isinstance(s, str):
            raise ValueError(f"{what}: expected text, got {type(s).__name__}")
        if s.strip():
            out.append(s.strip())
    return out


def _concept_list(concepts) -> list[tuple[str, object]]:
    """(key, concept) pairs from a dict {key: concept} or a sequence of concepts with a key/name/id."""
    if isinstance(concepts, Mapping):
        return [(str(k), c) for k, c in concepts.items()]
    pairs = []
    for i, c in enumerate(concepts):
        key = _field(c, "key") or _field(c, "id") or _field(c, "name") or f"concept-{i}"
        pairs.append((str(key), c))
    return pairs


def _load_concepts():
    try:
        from .corpus.concepts import CONCEPTS
    except ImportError as err:  # the corpus package is written by another issue; say what is missing
        raise ValueError("gpt_demo.corpus.concepts has no CONCEPTS (the project's concept explanations); "
                         "pass concepts=... explicitly") from err
    return CONCEPTS


def build_instruction_data(seed: int = 0, concepts=None, val_per_language: int = 1,
                           with_input_form: bool = True) -> tuple[list[dict], list[dict]]:
    """``(train, val)`` lists of instruction examples built from the concept explanations.

    For every concept and language (ko, en) the question phrasings are shuffled with ``seed`` and
    ``val_per_language`` of them are held out (a concept with a single phrasing keeps it for training:
    the model cannot answer a concept it never saw). Every phrasing becomes a direct example
    (``instruction`` = the question) and, with ``with_input_form``, an Alpaca "input" example
    (``instruction`` = "Answer the following question.", ``input`` = the question). The answer is the
    concept's answer in the same language: one fixed answer per concept and language is what a
    tiny model can learn. That answer is the concept's ``answer_<lang>`` (its canonical short answer) when
    it has one, else its first ``explanations_<lang>`` paragraph.

    Each example also carries ``concept`` and ``lang`` (extra keys are ignored by training). The
    question texts of train and val are disjoint. Raises ValueError if there are no concepts or a concept
    has questions but no explanation in that language.
    """
    if concepts is None:
        concepts = _load_concepts()
    if not isinstance(val_per_language, int) or val_per_language < 0:
        raise ValueError(f"val_per_language must be an integer >= 0, got {val_per_language!r}")
    rng = random.Random(seed)
    train: list[dict] = []
    val: list[dict] = []
    pairs = _concept_list(concepts)
    if not pairs:
        raise ValueError("no concepts given: nothing to build instruction data from")
    for key, concept in pairs:
        for lang in ("ko", "en"):
            questions = list(dict.fromkeys(_strings(_field(concept, f"questions_{lang}"), f"{key}.questions_{lang}")))
            # the canonical short answer when the concept has one, else its first explanation
            answers = _strings(_field(concept, f"answer_{lang}"), f"{key}.answer_{lang}") or \
                _strings(_field(concept, f"explanations_{lang}"), f"{key}.explanations_{lang}")
            if not questions:
                continue
            if not answers:
                raise ValueError(f"concept {key!r} has {lang} questions but no {lang} answer or explanation")
            rng.shuffle(questions)
            n_val = min(val_per_language, len(questions) - 1)
            for i, question in enumerate(questions):
                target = val if i < n_val else train
                target.append({"instruction": question, "output": answers[0], "concept": key, "lang": lang})
                if with_input_form:
                    target.append({"instruction": ANSWER_INSTRUCTION[lang], "input": question,
                                   "output": answers[0], "concept": key, "lang": lang})
    if not train:
        raise ValueError("the concepts have no questions: nothing to train on")
    rng.shuffle(train)
    return train, val


def _check_record(ex, where: str) -> dict:
    if not isinstance(ex, Mapping):
        raise ValueError(f"{where}: a {type(ex).__name__}, expected an object with instruction and output")
    for name in ("instruction", "output"):
        if name not in ex:
            raise ValueError(f"{where}: no {name!r} field")
        if not isinstance(ex[name], str) or not ex[name].strip():
            raise ValueError(f"{where}: {name!r} must be non-empty text")
    if ex.get("input") is not None and not isinstance(ex["input"], str):
        raise ValueError(f"{where}: 'input' must be text or null")
    return dict(ex)


def check_examples(examples, what: str = "data") -> list[dict]:
    """Validate instruction examples; return them as plain dicts. ValueError names the first bad record.

    Each must be an object with non-empty string ``instruction`` and ``output``; ``input`` may be absent,
    null or a string. Other keys are kept and ignored.
    """
    if isinstance(examples, (str, bytes, Mapping)) or not isinstance(examples, Iterable):
        raise ValueError(f"{what}: expected a list of instruction examples, got {type(examples).__name__}")
    out = [_check_record(ex, f"{what}, record {i + 1}") for i, ex in enumerate(examples)]
    if not out:
        raise ValueError(f"{what} holds no examples")
    return out


# --- files ----------------------------------------------------------------------------------------------
def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _parse_json_array(text: str, name: str) -> list:
    """Parse a JSON array element by element so each element's line number is known; errors name the line."""
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if text[pos:pos + 1] != "[":
        raise ValueError(f"{name}, line {_line_of(text, pos)}: expected a JSON array '[' of examples")
    pos += 1
    items = []

    def skip(p: int) -> int:
        while p < len(text) and text[p] in " \t\r\n":
            p += 1
        return p

    pos = skip(pos)
    if text[pos:pos + 1] == "]":
        return items
    while True:
        start = skip(pos)
        try:
            obj, pos = decoder.raw_decode(text, start)
        except json.JSONDecodeError as e:
            raise ValueError(f"{name}, line {e.lineno}: malformed JSON ({e.msg}, column {e.colno})") from None
        items.append((obj, _line_of(text, start)))
        pos = skip(pos)
        ch = text[pos:pos + 1]
        if ch == ",":
            pos += 1
            continue
        if ch == "]":
            break
        if not ch:
            raise ValueError(f"{name}, line {_line_of(text, len(text.rstrip()))}: the JSON array is never closed "
                             f"(missing ']' after record {len(items)})")
        raise ValueError(f"{name}, line {_line_of(text, pos)}: malformed JSON (expected ',' or ']' after "
                         f"record {len(items)})")
    rest = skip(pos + 1)
    if rest < len(text):
        raise ValueError(f"{name}, line {_line_of(text, rest)}: unexpected text after the closing ']'")
    return items


def load_instruction_file(path: str | os.PathLike) -> list[dict]:
    """Read instruction examples from an Alpaca JSON file (an array of objects) or JSON lines (one object
    per line; blank lines skipped). Errors name the file and the line: empty file, malformed JSON, a record
    without instruction/output."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"instruction data not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ValueError(f"{path} is empty: expected a JSON array of {{instruction, input, output}} objects "
                         "or JSON lines")
    if text.lstrip().startswith("["):
        items = _parse_json_array(text, str(path))
    else:
        items = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append((json.loads(line), n))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}, line {n}: malformed JSON ({e.msg}, column {e.colno})") from None
    if not items:
        raise ValueError(f"{path} holds no examples (an empty array)")
    return [_check_record(obj, f"{path}, line {line}") for obj, line in items]


def save_instruction_file(examples: Sequence[Mapping], path: str | os.PathLike) -> Path:
    """Write examples as a JSON array, one record per line (readable, diffable); atomically."""
    examples = check_examples(examples)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "[\n" + ",\n".join(json.dumps(ex, ensure_ascii=False) for ex in examples) + "\n]\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m gpt_demo.instructions",
                                description="write the concept instruction data (train.json, val.json)")
    p.add_argument("--out", required=True, help="folder for train.json and val.json")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--val-per-language", type=int, default=1, help="held-out phrasings per concept and language")
    args = p.parse_args(argv)
    train, val = build_instruction_data(args.seed, val_per_language=args.val_per_language)
    save_instruction_file(train, Path(args.out) / "train.json")
    if val:
        save_instruction_file(val, Path(args.out) / "val.json")
    langs = {lang: sum(ex["lang"] == lang for ex in train) for lang in ("ko", "en")}
    print(json.dumps({"train": len(train), "val": len(val), "train_by_language": langs,
                      "concepts": len({ex["concept"] for ex in train}), "out": str(args.out)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
