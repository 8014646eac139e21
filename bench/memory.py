"""Memory: weight bytes per precision, and whether serving many generate calls makes the process grow.

1. Weights: the bytes of every parameter and buffer (tied tensors counted once) in fp32, bf16 and fp16, for the
   default and the stories15M-sized config. bf16/fp16 should be exactly half of fp32.
2. Serving: N generate calls in a row, as a server answers requests (different prompt lengths, sampling, some
   batched and left-padded), through both `model.generate()` and the app's loop `sampling.generate_stream`.
   After each call: the process RSS and the bytes of all tensors still alive (found through the garbage
   collector). Prints both at the start, middle and end, and the growth per call over the second half (after
   the allocator has warmed up). The verdict is "flat" when live tensors do not grow and RSS grows < 64 KiB/call.

    python bench/memory.py                  # 40 calls per path
    python bench/memory.py --calls 200 --config stories15M
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import warnings
from pathlib import Path

import psutil
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a clone without installing

from configs import CONFIGS  # noqa: E402  (bench/configs.py, next to this script)

from gpt_demo import GPTDemoConfig, GPTDemoForCausalLM  # noqa: E402
from gpt_demo.masking import pad_batch  # noqa: E402
from gpt_demo.sampling import generate_stream  # noqa: E402


def weight_bytes(model: torch.nn.Module) -> int:
    """Bytes of all parameters and buffers; tensors sharing storage (tied embeddings) counted once."""
    seen, total = set(), 0
    for t in [*model.parameters(), *model.buffers()]:
        key = (t.untyped_storage().data_ptr(), t.storage_offset(), t.numel())
        if key not in seen:
            seen.add(key)
            total += t.numel() * t.element_size()
    return total


def live_tensor_bytes() -> int:
    """Bytes of every tensor the garbage collector can see (each storage once)."""
    storages = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # touching some deprecated module attributes warns
        for obj in gc.get_objects():
            try:
                if type(obj) is torch.Tensor or type(obj) is torch.nn.Parameter:
                    s = obj.untyped_storage()
                    storages[s.data_ptr()] = s.nbytes()
            except Exception:  # noqa: BLE001 - half-built or exotic objects: not ours to count
                continue
    return sum(storages.values())


def report_weights() -> bool:
    """Print each config's weight bytes per dtype; True when bf16 and fp16 are exactly half of fp32 everywhere."""
    print("weights (parameters + buffers, tied tensors once):")
    halves = True
    for name, overrides in CONFIGS.items():
        model = GPTDemoForCausalLM(GPTDemoConfig(**overrides))
        fp32 = weight_bytes(model)
        cells = [f"fp32 {fp32 / 2**20:7.2f} MiB"]
        for dtype in (torch.bfloat16, torch.float16):
            b = weight_bytes(model.to(dtype))
            halves &= 2 * b == fp32
            cells.append(f"{str(dtype).split('.')[-1]} {b / 2**20:7.2f} MiB ({b / fp32:.3f}x)")
        print(f"  {name:10s} " + " | ".join(cells))
    return halves


def one_request(model, i, path):
    """One request: prompt length, batch and sampling vary with i, as they would between users."""
    g = torch.Generator().manual_seed(i)
    vocab = model.config.vocab_size
    n_rows = 1 if i % 3 else 4
    rows = [torch.randint(4, vocab, (int(torch.randint(3, 40, (1,), generator=g)),), generator=g).tolist()
            for _ in range(n_rows)]
    ids, mask = pad_batch(rows, pad_id=model.config.pad_token_id, side="left")
    new = 8 + i % 24
    if path == "generate":
        sampling = dict(do_sample=True, top_p=0.9) if i % 2 else dict(do_sample=False)
        model.generate(ids, attention_mask=mask, max_new_tokens=new, pad_token_id=model.config.pad_token_id,
                       eos_token_id=None, **sampling)
    else:
        for _ in generate_stream(model, ids, new, temperature=0.8 if i % 2 else 0.0, top_p=0.9,
                                 attention_mask=mask, generator=g):
            pass


def report_serving(config_name, calls):
    torch.manual_seed(0)
    model = GPTDemoForCausalLM(GPTDemoConfig(**CONFIGS[config_name])).eval()
    proc = psutil.Process()
    print(f"serving {calls} requests per path, {config_name} config (RSS / live tensor bytes after each call):")
    verdicts = []
    for path in ("generate", "generate_stream"):
        rss, live = [], []
        with torch.inference_mode():
            for i in range(calls):
                one_request(model, i, path)
                gc.collect()
                rss.append(proc.memory_info().rss)
                live.append(live_tensor_bytes())
        half = calls // 2
        rss_slope = (rss[-1] - rss[half]) / max(1, calls - 1 - half)
        live_growth = live[-1] - statistics.median(live[half:])
        flat = live[-1] <= max(live[half:]) and rss_slope < 64 * 1024
        verdicts.append(flat)
        mib = lambda b: f"{b / 2**20:7.1f} MiB"  # noqa: E731
        print(f"  {path:15s} RSS {mib(rss[0])} -> {mib(rss[half])} -> {mib(rss[-1])} "
              f"({rss_slope / 1024:+.1f} KiB/call over the second half) | live tensors {mib(live[0])} -> "
              f"{mib(live[half])} -> {mib(live[-1])} (last vs median of second half {live_growth / 2**10:+.1f} KiB)"
              f" | {'flat' if flat else 'GROWS'}")
    return all(verdicts)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--config", choices=list(CONFIGS), default="default")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    halves = report_weights()
    flat = report_serving(args.config, args.calls)
    print(f"summary: weights {'halve' if halves else 'do NOT halve'} in bf16/fp16; serving memory "
          f"{'flat' if flat else 'GROWS'} over {args.calls} calls")


if __name__ == "__main__":
    main()
