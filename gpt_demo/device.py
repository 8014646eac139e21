"""Where a model runs and in which precision: sensible defaults, and the strings the CLI and UI accept.

Defaults: CUDA if present, else Apple's MPS, else the CPU. On the CPU fp32 (half precision is slow there
and bf16 matmuls are not supported everywhere); on CUDA bf16 when the GPU supports it (same range as fp32,
so no overflow), else fp16; on MPS fp16.
"""

from __future__ import annotations

import torch

# Every spelling accepted for each precision, so "bf16", "bfloat16" and torch.bfloat16 all work.
DTYPE_NAMES: dict[str, torch.dtype] = {
    "fp32": torch.float32,
    "float32": torch.float32,
    "float": torch.float32,
    "fp16": torch.float16,
    "float16": torch.float16,
    "half": torch.float16,
    "bf16": torch.bfloat16,
    "bfloat16": torch.bfloat16,
}


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """The device to run on: ``device`` if given (checked to exist), else cuda > mps > cpu."""
    if device is None or device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was requested but no CUDA GPU is available here; use 'cpu'")
    if device.type == "mps" and not _mps_available():
        raise ValueError("device 'mps' was requested but Apple's MPS backend is not available here; use 'cpu'")
    return device


def parse_dtype(value: str | torch.dtype | None) -> torch.dtype | None:
    """``"fp32"``/``"fp16"``/``"bf16"`` (or their long names, or a torch.dtype) -> torch.dtype; None stays None."""
    if value is None or isinstance(value, torch.dtype):
        if isinstance(value, torch.dtype) and value not in DTYPE_NAMES.values():
            raise ValueError(f"dtype must be a floating point type (fp32, fp16, bf16), got {value}")
        return value
    key = str(value).strip().lower().removeprefix("torch.")
    if key == "auto":
        return None
    if key not in DTYPE_NAMES:
        raise ValueError(f"unknown dtype {value!r}; use one of fp32, fp16, bf16")
    return DTYPE_NAMES[key]


def pick_dtype(device: str | torch.device | None = None, dtype: str | torch.dtype | None = None) -> torch.dtype:
    """``dtype`` if given, else the default for ``device``: fp32 on CPU, bf16 (or fp16) on CUDA, fp16 on MPS."""
    chosen = parse_dtype(dtype)
    if chosen is not None:
        return chosen
    device = pick_device(device)
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return torch.float32


def dtype_name(dtype: torch.dtype) -> str:
    """torch.bfloat16 -> "bf16" (the short name used in the CLI and the UI)."""
    return {torch.float32: "fp32", torch.float16: "fp16", torch.bfloat16: "bf16"}.get(dtype, str(dtype))
