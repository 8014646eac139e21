"""Number formats and devices, measured: what fp32, fp16 and bf16 can hold, and what they do to a model.

- ``device_facts()``: torch and CUDA facts (GPU name, compute capability, memory, bf16 support) or the CPU.
- ``finfo_table()``: ``torch.finfo`` for each float type (bits, eps, largest, smallest normal).
- ``overflow_demos()``: small computations whose fp16 result overflows to inf, underflows to 0 or rounds away.
- ``dtype_problem(device, dtype)``: None if the device can run a model in that dtype, else the reason.
- ``compare_precisions(model, ...)``: the same model in several dtypes: weight memory, time per token,
  max logit difference vs fp32, and whether greedy output changes. The model passed in is never modified:
  each precision runs on a copy.
"""

from __future__ import annotations

import copy
import os
import platform
import time
from collections.abc import Sequence

import torch

from .device import dtype_name, parse_dtype, pick_device
from .sampling import generate_stream

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def device_facts() -> dict:
    """Facts about this machine that decide precision: torch version, CUDA GPUs (or the CPU), bf16 support."""
    facts: dict = {
        "torch": torch.__version__,
        "cuda_available": torch.cuda.is_available(),
        "cuda_version": torch.version.cuda,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "default_device": str(pick_device()),
        "gpus": [],
    }
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            facts["gpus"].append({
                "index": i,
                "name": props.name,
                "compute_capability": f"{props.major}.{props.minor}",
                "memory_gib": round(props.total_memory / 2**30, 2),
                "bf16_supported": bool(torch.cuda.is_bf16_supported()),
            })
    return facts


def finfo_table() -> list[dict]:
    """``torch.finfo`` of fp32, fp16, bf16: how many bits, the gap after 1.0 (eps), the range."""
    rows = []
    for name, dtype in DTYPES.items():
        fi = torch.finfo(dtype)
        rows.append({
            "dtype": name,
            "bits": fi.bits,
            "eps": float(fi.eps),  # 1 + eps is the next number after 1
            "max": float(fi.max),  # larger values overflow to inf
            "smallest_normal": float(fi.tiny),  # below it precision drops (subnormals), then 0
            "resolution": float(fi.resolution),  # about 10^-(decimal digits it keeps)
        })
    return rows


def overflow_demos() -> list[dict]:
    """Tiny computations run in fp32, fp16 and bf16: overflow, underflow, rounding, a big softmax."""
    cases = [
        ("70000.0", "overflow: fp16's largest number is 65504", lambda d: torch.tensor(70000.0, dtype=d)),
        ("300.0 * 300.0", "overflow in a product", lambda d: torch.tensor(300.0, dtype=d) ** 2),
        ("1e-8", "underflow: too small, becomes 0", lambda d: torch.tensor(1e-8, dtype=d)),
        ("1.0 + 0.0001", "rounding: the step after 1.0 is eps", lambda d: torch.tensor(1.0, dtype=d) + 1e-4),
        ("2049.0 + 1.0", "integers above 2048 are not all representable in fp16",
         lambda d: torch.tensor(2049.0, dtype=d) + 1.0),
        ("exp(12.0)", "exp overflows in fp16 (softmax subtracts the max first for this reason)",
         lambda d: torch.exp(torch.tensor(12.0, dtype=d))),
        ("softmax([10000, 0])", "a softmax of large logits is still fine: it subtracts the max",
         lambda d: torch.softmax(torch.tensor([10000.0, 0.0]).to(d), -1)[0]),
    ]
    rows = []
    for expr, note, fn in cases:
        row = {"expression": expr, "note": note}
        for name, dtype in DTYPES.items():
            row[name] = float(fn(dtype).float())
        rows.append(row)
    return rows


def dtype_problem(device: str | torch.device, dtype: str | torch.dtype) -> str | None:
    """None if a small linear layer + softmax runs on ``device`` in ``dtype``; else why it cannot."""
    dtype = parse_dtype(dtype)
    try:
        device = pick_device(device)
    except ValueError as e:
        return str(e)
    try:
        layer = torch.nn.Linear(8, 8).to(device=device, dtype=dtype)
        with torch.inference_mode():
            out = layer(torch.ones(2, 8, device=device, dtype=dtype)).softmax(-1)
            torch.nn.functional.scaled_dot_product_attention(out[None, None], out[None, None], out[None, None])
    except (RuntimeError, TypeError, NotImplementedError) as e:
        return f"{dtype_name(dtype)} does not run on {device.type} here: {str(e).splitlines()[0]}"
    return None


def weight_bytes(model: torch.nn.Module) -> int:
    """Bytes of all parameters and buffers (shared/tied tensors counted once)."""
    seen, total = set(), 0
    for t in list(model.parameters()) + list(model.buffers()):
        if t.data_ptr() in seen:
            continue
        seen.add(t.data_ptr())
        total += t.numel() * t.element_size()
    return total


@torch.inference_mode()
def compare_precisions(model, input_ids: Sequence[int], dtypes: Sequence[str] = ("fp32", "fp16", "bf16"),
                       device: str | torch.device | None = None, new_tokens: int = 16) -> list[dict]:
    """Run a copy of ``model`` in each dtype on ``device``; fp32 is always run first as the reference.

    Per dtype: ``weight_mb``, ``ms_per_token`` (greedy decoding of ``new_tokens``), ``max_logit_diff`` (prompt
    logits vs fp32), ``greedy_ids`` and ``same_greedy`` (identical to fp32's tokens), or ``error`` when the device
    cannot run that dtype. ``model`` is not changed.
    """
    if not input_ids:
        raise ValueError("input_ids is empty")
    if new_tokens <= 0:
        raise ValueError(f"new_tokens must be > 0, got {new_tokens}")
    context = model.config.max_position_embeddings
    if len(input_ids) + new_tokens > context:
        raise ValueError(f"prompt ({len(input_ids)} tokens) + {new_tokens} new tokens exceeds the context of {context}")
    device = pick_device(device)
    names = ["fp32"] + [d for d in dict.fromkeys(dtype_name(parse_dtype(x)) for x in dtypes) if d != "fp32"]
    rows, reference_logits, reference_ids = [], None, None
    for name in names:
        dtype = DTYPES[name]
        problem = dtype_problem(device, dtype)
        if problem is not None:
            rows.append({"dtype": name, "error": problem})
            continue
        twin = copy.deepcopy(model).to(device=device, dtype=dtype).eval()  # the shared model stays as it is
        ids = torch.tensor([list(input_ids)], device=device)
        logits = twin(input_ids=ids).logits[0].float().cpu()  # (T, V); also warms up kernels and caches
        for _ in generate_stream(twin, ids, 1, temperature=0):  # one untimed step: the first call is slow
            pass
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        greedy = [int(t[0]) for t, _ in generate_stream(twin, ids, new_tokens, temperature=0)]
        if device.type == "cuda":
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
        row = {"dtype": name, "weight_mb": round(weight_bytes(twin) / 2**20, 3),
               "ms_per_token": round(1000 * elapsed / new_tokens, 3), "greedy_ids": greedy}
        if reference_logits is None:
            reference_logits, reference_ids = logits, greedy
        row["max_logit_diff"] = float((logits - reference_logits).abs().max())
        row["same_greedy"] = greedy == reference_ids
        rows.append(row)
        del twin
    return rows
