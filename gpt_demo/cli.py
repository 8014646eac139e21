"""``python -m gpt_demo <command>``: a thin table of subcommands, each a call into the library.

Each entry is (help text, a function that adds the arguments, a function that runs them). Library
modules are imported inside the run functions, so ``--help`` is fast and one command's heavy imports
do not slow the others. A ValueError/FileNotFoundError from the library becomes a one-line
``error: ...`` and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable


# --- generate ---------------------------------------------------------------------------------------
def _add_generate(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--checkpoint", help="checkpoint folder or bundled checkpoint name (default: the bundled one)")
    src.add_argument("--random-init", action="store_true",
                     help="use a tiny randomly initialised model with a byte tokenizer (shows an untrained model)")
    p.add_argument("--prompt", default="토요일 오후에 민수는", help="text to continue")
    p.add_argument("--max-new-tokens", type=int, default=80)
    p.add_argument("--temperature", type=float, default=0.8, help="0 means greedy")
    p.add_argument("--top-k", type=int, default=0, help="0 means no top-k")
    p.add_argument("--top-p", type=float, default=0.9, help="nucleus size: higher keeps more candidate tokens")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")


class _ByteTokenizer:
    """UTF-8 bytes as token ids 4..259 (ids 0-3 are <unk>, <s>, </s>, <pad>): no training needed."""

    vocab_size = 260
    eos_token_id = 2

    def encode(self, text: str) -> list[int]:
        return [b + 4 for b in text.encode("utf-8")]

    def decode(self, ids: list[int]) -> str:
        return bytes(i - 4 for i in ids if i >= 4).decode("utf-8", errors="replace")


def _run_generate(args: argparse.Namespace) -> int:
    import torch

    from .sampling import check_sampling_args, generate_stream

    check_sampling_args(args.temperature, args.top_k, args.top_p)
    if args.max_new_tokens <= 0:
        raise ValueError(f"--max-new-tokens must be > 0, got {args.max_new_tokens}")
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if args.random_init:
        from . import GPTDemoConfig, GPTDemoForCausalLM

        torch.manual_seed(args.seed)
        tokenizer = _ByteTokenizer()
        model = GPTDemoForCausalLM(GPTDemoConfig(vocab_size=tokenizer.vocab_size, hidden_size=128,
                                                 intermediate_size=344, num_hidden_layers=2,
                                                 num_attention_heads=4, num_key_value_heads=2)).eval().to(device)
        print("[random-init] an untrained tiny model (2 layers, byte tokenizer): expect random bytes.",
              file=sys.stderr)
        ids = tokenizer.encode(args.prompt)
        decode_piece = None
    else:
        from . import checkpoints
        from .tokenizer import StreamDecoder

        model, tokenizer = checkpoints.load(args.checkpoint or checkpoints.DEFAULT_CHECKPOINT, device=device)
        ids = tokenizer(args.prompt, add_special_tokens=False)["input_ids"]
        decode_piece = StreamDecoder(tokenizer, prompt_ids=ids)
    if not ids:
        raise ValueError("the prompt is empty: give some text with --prompt")
    max_pos = model.config.max_position_embeddings
    if len(ids) + args.max_new_tokens > max_pos:
        raise ValueError(f"prompt ({len(ids)} tokens) + --max-new-tokens ({args.max_new_tokens}) exceeds the "
                         f"model's context of {max_pos} tokens")
    generator = torch.Generator(device=device).manual_seed(args.seed)
    input_ids = torch.tensor([ids], device=device)
    print(args.prompt, end="", flush=True)
    new: list[int] = []
    for tokens, _ in generate_stream(model, input_ids, args.max_new_tokens, temperature=args.temperature,
                                     top_k=args.top_k, top_p=args.top_p, eos_token_id=tokenizer.eos_token_id,
                                     generator=generator):
        token = int(tokens[0])
        if token == tokenizer.eos_token_id:
            break
        new.append(token)
        if decode_piece is not None:
            print(decode_piece.push(token), end="", flush=True)
    if decode_piece is not None:
        print(decode_piece.flush())
    else:
        print(tokenizer.decode(new))
    return 0


# --- corpus ---------------------------------------------------------------------------------------
def _add_corpus(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="folder for train.txt and val.txt")
    p.add_argument("--train-mb", type=float, default=12.0)
    p.add_argument("--val-mb", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--val-seed", type=int, default=99991, help="a different seed, so validation text is held out")


def _run_corpus(args: argparse.Namespace) -> int:
    from .corpus import write_corpus

    if args.train_mb <= 0 or args.val_mb <= 0:
        raise ValueError("--train-mb and --val-mb must be > 0")
    if args.seed == args.val_seed:
        raise ValueError("--seed and --val-seed must differ, or the validation text is not held out")
    stats = write_corpus(args.out, train_mb=args.train_mb, val_mb=args.val_mb, seed=args.seed, val_seed=args.val_seed)
    print(json.dumps(stats, ensure_ascii=False, indent=1, default=str))
    return 0


# --- export ---------------------------------------------------------------------------------------
def _add_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run", required=True, help="a training run folder (its latest checkpoint is exported)")
    p.add_argument("--checkpoint", default=None, help="a specific checkpoint-<step> folder instead of the latest")
    p.add_argument("--out", required=True, help="model folder to write (config, safetensors, tokenizer)")


def _run_export(args: argparse.Namespace) -> int:
    from .training import export_checkpoint

    print(export_checkpoint(args.run, args.out, args.checkpoint))
    return 0


# --- train ----------------------------------------------------------------------------------------
def _add_train(p: argparse.ArgumentParser) -> None:
    """One flag per TrainArgs field (``--max-steps`` for ``max_steps``), with the dataclass defaults."""
    import dataclasses
    import typing

    from .training import TrainArgs

    hints = typing.get_type_hints(TrainArgs)
    for f in dataclasses.fields(TrainArgs):
        if f.name == "extra":
            continue
        flag = "--" + f.name.replace("_", "-")
        kind = hints[f.name]
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        default = None if required else f.default
        if kind is bool:
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=default)
        else:
            base = next((t for t in typing.get_args(kind) if t is not type(None)), kind)  # Optional[X] -> X
            p.add_argument(flag, type=base, default=default, required=required,
                           help=f"(default: {default})" if not required else "(required)")


def _run_train(args: argparse.Namespace) -> int:
    from .training import args_from_namespace, train

    metrics = train(args_from_namespace(args))
    if metrics.get("process_index", 0) == 0:  # under `accelerate launch`, print once
        print(json.dumps(metrics, ensure_ascii=False))
    return 0


# --- tokenizer, pieces, pretokenize ---------------------------------------------------------------
def _add_tokenizer(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", required=True, nargs="+", help="UTF-8 text file(s), one paragraph per line")
    p.add_argument("--out", required=True, help="folder for tokenizer.model, tokenizer.json, tokenizer_config.json")
    p.add_argument("--vocab-size", type=int, default=8000)
    p.add_argument("--model-type", choices=["bpe", "unigram"], default="bpe")
    p.add_argument("--character-coverage", type=float, default=0.9995,
                   help="share of characters that get their own piece; the rarest rest fall back to bytes")


def _run_tokenizer(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .tokenizer import train_tokenizer

    tok = train_tokenizer([Path(f) for f in args.input], args.out, args.vocab_size, model_type=args.model_type,
                          character_coverage=args.character_coverage)
    print(json.dumps({"out": args.out, "vocab_size": len(tok), "pad_token_id": tok.pad_token_id,
                      "eos_token_id": tok.eos_token_id}))
    return 0


def _add_pieces(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tokenizer", required=True, help="tokenizer folder (or a checkpoint folder)")
    p.add_argument("text", help="text to cut into tokens")


def _run_pieces(args: argparse.Namespace) -> int:
    from .tokenizer import load_tokenizer, pieces

    for p in pieces(load_tokenizer(args.tokenizer), args.text):
        kind = "special" if p["is_special"] else "byte" if p["is_byte"] else ""
        print(f"{p['id']:>6}  {p['piece']!r:<16} {p['text']!r:<12} {kind}")
    return 0


def _add_pretokenize(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", required=True, help="UTF-8 text file, one paragraph per line")
    p.add_argument("--tokenizer", required=True, help="tokenizer folder")
    p.add_argument("--out", required=True, help="token file to write (uint16; a .json sidecar goes next to it)")


def _run_pretokenize(args: argparse.Namespace) -> int:
    from .data import read_meta, tokenize_to_memmap

    tokenize_to_memmap(args.input, args.tokenizer, args.out)
    print(json.dumps(read_meta(args.out)))
    return 0


# --- finetune-lora, merge-lora --------------------------------------------------------------------
def _add_finetune_lora(p: argparse.ArgumentParser) -> None:
    """--base/--data/--out, then one flag per LoraArgs field (``--max-steps`` for ``max_steps``)."""
    import dataclasses
    import typing

    from .lora import LoraArgs

    p.add_argument("--base", required=True, help="base checkpoint folder or bundled checkpoint name")
    p.add_argument("--data", required=True, help="instruction data: Alpaca JSON (a list of {instruction, input?, "
                                                 "output}) or JSON lines")
    p.add_argument("--val-data", default=None, help="held-out instruction data, same format (validation loss)")
    p.add_argument("--out", required=True, help="adapter folder to write (adapter files, metrics.jsonl, README.md)")
    p.add_argument("--card-questions", type=int, default=4,
                   help="held-out questions answered before/after in the README (0: no README)")
    hints = typing.get_type_hints(LoraArgs)
    for f in dataclasses.fields(LoraArgs):
        flag = "--" + f.name.replace("_", "-")
        kind = hints[f.name]
        default = f.default_factory() if f.default is dataclasses.MISSING else f.default
        if kind is bool:
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=default)
        elif f.name == "target_modules":
            p.add_argument(flag, type=lambda s: [t.strip() for t in s.split(",") if t.strip()], default=default,
                           help=f"comma-separated linear layer names (default: {','.join(default)})")
        else:
            base = next((t for t in typing.get_args(kind) if t is not type(None)), kind)  # Optional[X] -> X
            p.add_argument(flag, type=base, default=default, help=f"(default: {default})")


def _run_finetune_lora(args: argparse.Namespace) -> int:
    import dataclasses
    import shlex

    from . import checkpoints
    from .instructions import load_instruction_file
    from .lora import LoraArgs, adapter_card, args_from_namespace, train_lora

    lora_args = args_from_namespace(args)
    lora_args.validate()
    # read and check everything before anything is written
    data = load_instruction_file(args.data)
    val = load_instruction_file(args.val_data) if args.val_data else None
    base, tokenizer = checkpoints.load(args.base, device="cpu", dtype="fp32")
    model, metrics = train_lora(base, data, lora_args, args.out, val_data=val, tokenizer=tokenizer)
    if metrics["finished"] and args.card_questions > 0 and val:
        # the command as it could be typed again: the given paths plus every setting that is not a default
        words = ["python", "-m", "gpt_demo", "finetune-lora", "--base", args.base, "--data", args.data]
        words += ["--val-data", args.val_data] if args.val_data else []
        words += ["--out", args.out]
        defaults = LoraArgs()
        for name, value in dataclasses.asdict(lora_args).items():
            if value != getattr(defaults, name) and name not in ("resume", "stop_after", "progress"):
                flag = "--" + name.replace("_", "-")
                if isinstance(value, bool):
                    words.append(flag if value else "--no-" + name.replace("_", "-"))
                else:
                    words += [flag, ",".join(value) if isinstance(value, list) else str(value)]
        command = " ".join(shlex.quote(w) for w in words)
        adapter_card(args.out, model, tokenizer, metrics, val, command=command,
                     data=f"{args.data} ({metrics['train_examples']} examples); held out: {args.val_data}",
                     n_questions=args.card_questions)
    print(json.dumps(metrics, ensure_ascii=False))
    return 0


def _add_merge_lora(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base", required=True, help="base checkpoint folder or bundled checkpoint name")
    p.add_argument("--adapter", required=True, help="LoRA adapter folder (from finetune-lora)")
    p.add_argument("--out", required=True, help="folder for the merged full checkpoint (with tokenizer)")


def _run_merge_lora(args: argparse.Namespace) -> int:
    from . import checkpoints
    from .lora import load_adapter, merge

    base, tokenizer = checkpoints.load(args.base, device="cpu", dtype="fp32")
    merged, max_diff = merge(load_adapter(base, args.adapter))
    out = checkpoints.save(merged, tokenizer, args.out)
    print(json.dumps({"out": str(out), "max_abs_logit_diff": max_diff}))
    return 0


# --- download, convert ----------------------------------------------------------------------------
def _add_download(p: argparse.ArgumentParser) -> None:
    p.add_argument("repo_id", help="Hub model repo, owner/name (a LLaMA-architecture or gpt_demo model)")
    p.add_argument("--revision", default=None, help="branch, tag or commit (default: main)")
    p.add_argument("--cache-dir", default=None, help="Hugging Face cache folder (default: the normal HF cache)")


def _run_download(args: argparse.Namespace) -> int:
    from . import checkpoints

    try:
        folder = checkpoints.download(args.repo_id, revision=args.revision, cache_dir=args.cache_dir)
    except checkpoints.HubUnavailableError as err:  # a RuntimeError: offline or unreachable, not a bad input
        print(f"error: {err}", file=sys.stderr)
        return 2
    info = checkpoints.inspect_checkpoint(folder)
    print(json.dumps({"folder": folder, "kind": info.kind, "weights": info.weight_format,
                      "num_parameters": info.num_parameters}))
    return 0


def _add_convert(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--from-llama", metavar="DIR",
                     help="LLaMA checkpoint folder (config.json, safetensors, tokenizer) or Hub repo id")
    src.add_argument("--from-llama2c", metavar="FILE", help="llama2.c checkpoint: train.py .pt or exported .bin")
    p.add_argument("--tokenizer", metavar="DIR", help="tokenizer folder (required with --from-llama2c)")
    p.add_argument("--out", required=True, metavar="DIR", help="GPTDemo checkpoint folder to write (atomically)")


def _run_convert(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from . import checkpoints

    if args.from_llama2c:
        if not args.tokenizer:
            raise ValueError("--from-llama2c needs --tokenizer <folder>: llama2.c files hold no tokenizer")
        out = checkpoints.convert_llama2c_file(args.from_llama2c, args.tokenizer, Path(args.out))
    else:
        src = Path(args.from_llama) if os.path.isdir(args.from_llama) else args.from_llama  # else a repo id
        try:
            out = checkpoints.convert_llama_folder(src, Path(args.out))
        except checkpoints.HubUnavailableError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    print(json.dumps({"out": str(out)}))
    return 0


# --- the table -------------------------------------------------------------------------------------
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]

COMMANDS: dict[str, Command] = {
    "generate": ("stream text from a checkpoint (top-p sampling)", _add_generate, _run_generate),
    "corpus": ("write the project's own bilingual corpus (train.txt, val.txt)", _add_corpus, _run_corpus),
    "export": ("turn a training checkpoint into a plain model folder", _add_export, _run_export),
    "train": ("pre-train a GPTDemo model on a text file (accelerate; resumable)", _add_train, _run_train),
    "train-tokenizer": ("train a SentencePiece tokenizer (BPE or unigram, byte fallback)", _add_tokenizer,
                        _run_tokenizer),
    "pieces": ("show how a tokenizer cuts a text into tokens", _add_pieces, _run_pieces),
    "pretokenize": ("tokenize a text file into a uint16 token file for training", _add_pretokenize,
                    _run_pretokenize),
    "finetune-lora": ("fine-tune a LoRA adapter on instruction data (peft + accelerate; resumable)",
                      _add_finetune_lora, _run_finetune_lora),
    "merge-lora": ("merge a LoRA adapter into its base: a full checkpoint, checked against the adapted model",
                   _add_merge_lora, _run_merge_lora),
    "download": ("download a model from the Hugging Face Hub (config, safetensors, tokenizer only; checked)",
                 _add_download, _run_download),
    "convert": ("convert a LLaMA folder or a llama2.c file into a GPTDemo checkpoint", _add_convert, _run_convert),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gpt_demo", description="gpt_demo: a LLaMA-style GPT for learners")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, (help_text, add_arguments, run) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(p)
        p.set_defaults(_run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # unknown flags: argparse prints usage + error, exit code 2
    try:
        return args._run(args)
    except (ValueError, FileNotFoundError, NotADirectoryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
