"""Decode speed: GPTDemo vs transformers' LlamaForCausalLM with identical weights.

Greedy `generate()`, batch 1 and batch 8, runs interleaved (A, B, A, B, ...) so that machine noise hits
both sides alike; prints tokens/s medians and the ratio GPTDemo / Llama, and checks that both produced
the same tokens. Figures are noisy on a shared VM: compare ratios, not absolute numbers.

    python bench/generate_speed.py                 # bundled-size and stories15M-size configs
    python bench/generate_speed.py --config stories15M --batch 1 --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a clone without installing

from gpt_demo import GPTDemoConfig, GPTDemoForCausalLM  # noqa: E402
from gpt_demo.convert import to_llama  # noqa: E402

CONFIGS = {
    # the default GPTDemoConfig (the size of the bundled checkpoint family)
    "default": dict(),
    # llama2.c's "stories15M": dim 288, 6 layers, 6 heads, vocab 32000, context 256
    "stories15M": dict(vocab_size=32000, hidden_size=288, intermediate_size=768, num_hidden_layers=6,
                       num_attention_heads=6, num_key_value_heads=6, max_position_embeddings=256,
                       tie_word_embeddings=True),
}


def tokens_per_second(model, prompt, new_tokens):
    start = time.perf_counter()
    out = model.generate(prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                         pad_token_id=0, eos_token_id=None)
    elapsed = time.perf_counter() - start
    return prompt.shape[0] * new_tokens / elapsed, out


def bench(name, batch, repeats, prompt_len, new_tokens):
    torch.manual_seed(0)
    config = GPTDemoConfig(**CONFIGS[name])
    ours = GPTDemoForCausalLM(config).eval()
    with torch.no_grad():  # larger init than 0.02 so greedy decoding has no near-ties
        for p in ours.parameters():
            if p.dim() > 1:
                p.normal_(0, 0.1)
    llama = to_llama(ours)
    prompt = torch.randint(4, config.vocab_size, (batch, prompt_len), generator=torch.Generator().manual_seed(1))
    new_tokens = min(new_tokens, config.max_position_embeddings - prompt_len)
    with torch.inference_mode():
        tokens_per_second(ours, prompt, 4)  # warm-up both
        tokens_per_second(llama, prompt, 4)
        a_speeds, b_speeds = [], []
        same = True
        for _ in range(repeats):
            a, out_a = tokens_per_second(ours, prompt, new_tokens)
            b, out_b = tokens_per_second(llama, prompt, new_tokens)
            a_speeds.append(a)
            b_speeds.append(b)
            same &= torch.equal(out_a, out_b)
    a, b = statistics.median(a_speeds), statistics.median(b_speeds)
    print(f"{name:11s} batch {batch}: GPTDemo {a:7.1f} tok/s | Llama {b:7.1f} tok/s | ratio {a / b:.2f}x | "
          f"same tokens: {same}")
    return a / b, same


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=list(CONFIGS), nargs="*", default=list(CONFIGS))
    parser.add_argument("--batch", type=int, nargs="*", default=[1, 8])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--prompt-len", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, greedy, prompt {args.prompt_len}, "
          f"{args.new_tokens} new tokens, median of {args.repeats} interleaved runs")
    all_same = True
    for name in args.config:
        for batch in args.batch:
            _, same = bench(name, batch, args.repeats, args.prompt_len, args.new_tokens)
            all_same &= same
    if not all_same:
        raise SystemExit("GPTDemo and Llama produced different tokens")


if __name__ == "__main__":
    main()
