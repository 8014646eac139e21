"""Training speed: tokens/s of a training step, GPTDemo vs LlamaForCausalLM with the same weights.

One step = forward with labels (next-token loss) + backward + AdamW step + zero_grad, the same config, batch and
optimizer settings on both sides. Runs are interleaved (A, B, A, B, ...) and each run times `--steps` steps;
prints the median tokens/s, the ratio of the medians and the median per-pair ratio, and checks that the first
step's loss and gradients agree (the models are the same function).

    python bench/train_speed.py                                   # default config, batch 8 x 128 tokens
    python bench/train_speed.py --config stories15M --batch 4 --seq-len 256
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a clone without installing

from configs import CONFIGS  # noqa: E402  (bench/configs.py, next to this script)

from gpt_demo import GPTDemoConfig, GPTDemoForCausalLM  # noqa: E402
from gpt_demo.convert import to_llama  # noqa: E402

GOAL = 1.0  # issue 7: GPTDemo's training step at least as fast as LlamaForCausalLM's


def step(model, opt, ids):
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss


def check_same_function(ours, llama, ids):
    """First-step loss and gradients agree (on copies, so the timed models start from the same weights)."""
    a, b = copy.deepcopy(ours), copy.deepcopy(llama)
    la, lb = a(input_ids=ids, labels=ids).loss, b(input_ids=ids, labels=ids).loss
    la.backward()
    lb.backward()
    gb = dict(b.named_parameters())
    grad_diff = max((p.grad - gb[n].grad).abs().max().item() for n, p in a.named_parameters() if p.grad is not None)
    return abs(la.item() - lb.item()), grad_diff


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=list(CONFIGS), nargs="*", default=["default", "stories15M"])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--steps", type=int, default=3, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch} x {args.seq_len} tokens, "
          f"AdamW(lr=1e-4), {args.steps} steps per run, median of {args.repeats} interleaved runs")
    results = []
    for name in args.config:
        torch.manual_seed(0)
        ours = GPTDemoForCausalLM(GPTDemoConfig(**CONFIGS[name])).train()
        llama = to_llama(ours).train()
        ids = torch.randint(4, ours.config.vocab_size, (args.batch, args.seq_len),
                            generator=torch.Generator().manual_seed(1))
        loss_diff, grad_diff = check_same_function(ours, llama, ids)
        sides = {"GPTDemo": ours, "Llama": llama}
        opts = {k: torch.optim.AdamW(m.parameters(), lr=1e-4) for k, m in sides.items()}
        for k, m in sides.items():  # warm-up: allocates the optimizer state
            step(m, opts[k], ids)
        speeds = {k: [] for k in sides}
        for _ in range(args.repeats):
            for k, m in sides.items():
                start = time.perf_counter()
                for _ in range(args.steps):
                    step(m, opts[k], ids)
                speeds[k].append(args.batch * args.seq_len * args.steps / (time.perf_counter() - start))
        med = {k: statistics.median(v) for k, v in speeds.items()}
        pair = statistics.median(a / b for a, b in zip(speeds["GPTDemo"], speeds["Llama"]))
        results.append((name, pair))
        print(f"{name:10s}: GPTDemo {med['GPTDemo']:8.0f} tok/s | Llama {med['Llama']:8.0f} tok/s | ratio "
              f"{med['GPTDemo'] / med['Llama']:.2f}x (per-pair median {pair:.2f}x) | first-step loss diff "
              f"{loss_diff:.1e}, max grad diff {grad_diff:.1e}", flush=True)
    print("summary: " + ", ".join(f"{n} {r:.2f}x{'' if r >= GOAL else ' (< goal)'}" for n, r in results)
          + f"; goal >= {GOAL}x")


if __name__ == "__main__":
    main()
