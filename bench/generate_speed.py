"""Decode speed: GPTDemo vs transformers' LlamaForCausalLM with identical weights.

Greedy `generate()`, exactly N new tokens, batch 1 and batch 8. The models run interleaved (A, B, A, B, ...)
so that machine noise hits both sides alike; the script prints tokens/s medians, the ratio of the medians and the
median of the per-pair ratios (each pair ran back to back, so it is the figure least moved by a load that drifts),
and checks that both produced the same tokens. With --plain it also times GPTDemo with its fast path switched
off (gpt_demo.fast.disabled()), which shows what the fast path itself is worth.

Figures are noisy on a shared VM: compare ratios, not absolute numbers.

    python bench/generate_speed.py                          # default, bundled and stories15M configs, batch 1 and 8
    python bench/generate_speed.py --checkpoint checkpoints/gpt-demo-ko-en-tiny     # trained weights
    python bench/generate_speed.py --config stories15M --batch 1 --repeats 9 --plain
    python bench/generate_speed.py --device cuda --dtype bfloat16     # the GPU check (bench/gpu_check.sh)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a clone without installing

from configs import CONFIGS  # noqa: E402  (bench/configs.py, next to this script)

from gpt_demo import GPTDemoConfig, GPTDemoForCausalLM, fast  # noqa: E402
from gpt_demo.convert import to_llama  # noqa: E402

GOAL = 1.5  # issue 7: GPTDemo generate() at least 1.5x LlamaForCausalLM


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def run(model, prompt, new_tokens, plain=False):
    """(tokens/s, output ids) of one greedy generate() call of exactly new_tokens tokens per row."""
    sync(prompt.device)
    start = time.perf_counter()
    if plain:
        with fast.disabled():
            out = model.generate(prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                                 pad_token_id=0, eos_token_id=None)
    else:
        out = model.generate(prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                             pad_token_id=0, eos_token_id=None)
    sync(prompt.device)
    return prompt.shape[0] * new_tokens / (time.perf_counter() - start), out


def build(name, device, dtype):
    if Path(name).is_dir():  # a checkpoint folder: its trained weights
        ours = GPTDemoForCausalLM.from_pretrained(name).eval()
        return ours.to(device, dtype), to_llama(ours).to(device, dtype)
    torch.manual_seed(0)
    config = GPTDemoConfig(**CONFIGS[name])
    ours = GPTDemoForCausalLM(config).eval()
    with torch.no_grad():  # larger init than 0.02 so greedy decoding has no near-ties
        for p in ours.parameters():
            if p.dim() > 1:
                p.normal_(0, 0.1)
    llama = to_llama(ours)
    return ours.to(device, dtype), llama.to(device, dtype)


def bench(name, batch, args, device, dtype):
    ours, llama = build(name, device, dtype)
    vocab = ours.config.vocab_size
    prompt = torch.randint(4, vocab, (batch, args.prompt_len), generator=torch.Generator().manual_seed(1)).to(device)
    new_tokens = min(args.new_tokens, ours.config.max_position_embeddings - args.prompt_len)
    sides = {"GPTDemo": (ours, False), "Llama": (llama, False)}
    if args.plain:
        sides["GPTDemo plain"] = (ours, True)
    speeds = {k: [] for k in sides}
    same = True
    with torch.inference_mode():
        for model, plain in sides.values():  # warm-up: first calls allocate and load kernels
            run(model, prompt, 4, plain)
        for _ in range(args.repeats):
            outs = {}
            for k, (model, plain) in sides.items():
                speed, outs[k] = run(model, prompt, new_tokens, plain)
                speeds[k].append(speed)
            same &= all(torch.equal(outs["Llama"], o) for o in outs.values())
    med = {k: statistics.median(v) for k, v in speeds.items()}
    pair = statistics.median(a / b for a, b in zip(speeds["GPTDemo"], speeds["Llama"]))
    name = Path(name).name
    line = (f"{name:10s} batch {batch}: GPTDemo {med['GPTDemo']:7.1f} tok/s | Llama {med['Llama']:7.1f} tok/s | "
            f"ratio {med['GPTDemo'] / med['Llama']:.2f}x (per-pair median {pair:.2f}x)")
    if args.plain:
        line += f" | plain GPTDemo {med['GPTDemo plain']:7.1f} tok/s ({med['GPTDemo plain'] / med['Llama']:.2f}x)"
    print(line + f" | same tokens: {same}", flush=True)
    return pair, same


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=list(CONFIGS), nargs="*", default=list(CONFIGS))
    parser.add_argument("--checkpoint", default=None, help="a checkpoint folder to time instead of the configs")
    parser.add_argument("--batch", type=int, nargs="*", default=[1, 8])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--prompt-len", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2, this VM's cores)")
    parser.add_argument("--plain", action="store_true", help="also time GPTDemo with its fast path switched off")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device, dtype = torch.device(args.device), getattr(torch, args.dtype)
    print(f"torch {torch.__version__}, {args.device} {args.dtype}, {torch.get_num_threads()} threads, greedy, "
          f"prompt {args.prompt_len}, {args.new_tokens} new tokens, median of {args.repeats} interleaved runs")
    results = []
    for name in [args.checkpoint] if args.checkpoint else args.config:
        for batch in args.batch:
            results.append((name, batch, *bench(name, batch, args, device, dtype)))
    print("summary: " + ", ".join(f"{n} b{b} {r:.2f}x{'' if r >= GOAL else ' (< goal)'}" for n, b, r, _ in results)
          + f"; goal >= {GOAL}x")
    if not all(same for *_, same in results):
        if dtype == torch.float32:
            raise SystemExit("GPTDemo and Llama produced different tokens")
        print(f"note: in {args.dtype} the two models' kernels may round differently and flip a near-tie")


if __name__ == "__main__":
    main()
