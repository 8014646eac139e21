#!/usr/bin/env bash
# GPU check, for a machine with a CUDA GPU: the tests that need CUDA and the decode benchmark in bf16.
# Assumes `pip install -r requirements-dev.txt` was done; downloads nothing; about 2-5 minutes.
#   bash bench/gpu_check.sh            (PYTHON=/path/to/python to choose the interpreter)
# Prints a summary at the end; exits non-zero if a step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false

declare -a SUMMARY
status=0
step() {  # step NAME SECONDS CMD...: run with a time limit, remember pass/fail
  local name="$1" limit="$2"; shift 2
  echo "=== $name"
  local t0=$SECONDS
  if timeout "$limit" "$@"; then
    SUMMARY+=("PASS  $name ($((SECONDS - t0)) s)")
  else
    SUMMARY+=("FAIL  $name (rc $?, $((SECONDS - t0)) s)")
    status=1
  fi
}

echo "=== device"
if ! "$PY" -c "import torch, sys; ok = torch.cuda.is_available(); print('torch', torch.__version__, '| cuda', torch.version.cuda, '|', torch.cuda.get_device_name(0) if ok else 'NO CUDA DEVICE', '| bf16', ok and torch.cuda.is_bf16_supported()); sys.exit(0 if ok else 1)"; then
  echo "no CUDA device: nothing to check here"
  exit 1
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader

# Every test marked `cuda` (grep, so a new file with GPU tests is picked up without editing this script).
mapfile -t CUDA_TESTS < <(grep -l "pytest.mark.cuda\|^cuda = pytest.mark.cuda" tests/test_*.py 2>/dev/null)
if [ "${#CUDA_TESTS[@]}" -gt 0 ]; then
  step "pytest -m cuda (${CUDA_TESTS[*]})" 240 "$PY" -m pytest -q -m cuda -p no:cacheprovider "${CUDA_TESTS[@]}"
else
  SUMMARY+=("SKIP  no test file marks tests with pytest.mark.cuda")
fi
# The fast path's CPU tests on this machine too (fp16/bf16 on CPU, LoRA, cache): quick, and catch version skew.
step "pytest tests/test_fast_paths.py (all)" 120 "$PY" -m pytest -q -p no:cacheprovider tests/test_fast_paths.py
step "decode benchmark, cuda bf16" 150 "$PY" bench/generate_speed.py --device cuda --dtype bfloat16 \
  --repeats 3 --new-tokens 64 --plain

echo
echo "=== summary"
printf '%s\n' "${SUMMARY[@]}"
exit $status
