#!/usr/bin/env bash
# Train the bundled LoRA adapter checkpoints/gpt-demo-ko-en-tiny-lora-concepts on the bundled checkpoint, with the
# project's own commands: the concept instruction data (Korean + English, held-out phrasings), finetune-lora (writes
# the adapter, metrics.jsonl, loss.png and a README.md model card with before/after answers to held-out questions),
# then merge-lora into a temporary folder to prove that merging gives the adapted model's logits.
# About 10 minutes on a 2-core CPU. Interrupted? Run it again: training resumes (--resume auto).
# Overrides: BASE, OUT, DATA, STEPS, WARMUP, PY (e.g. BASE=/tmp/tiny-base STEPS=20 WARMUP=2 to try the script
# on a stand-in model).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
BASE=${BASE:-checkpoints/gpt-demo-ko-en-tiny}
OUT=${OUT:-checkpoints/gpt-demo-ko-en-tiny-lora-concepts}
DATA=${DATA:-data/instructions}

if [ ! -f "$BASE/config.json" ]; then
  echo "the base checkpoint $BASE is not there yet: run scripts/build_bundled_checkpoint.sh first" >&2
  exit 1
fi

$PY -m gpt_demo.instructions --out "$DATA" --seed 0 --val-per-language 1
$PY -m gpt_demo finetune-lora --base "$BASE" --data "$DATA/train.json" --val-data "$DATA/val.json" --out "$OUT" \
  --r 8 --alpha 16 --dropout 0.05 --target-modules q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj \
  --learning-rate 2e-3 --max-steps "${STEPS:-600}" --warmup-steps "${WARMUP:-30}" --batch-size 16 --max-length 256 \
  --eval-every 50 --save-every 50 --log-every 10 --card-questions 4 --resume auto

MERGED=$(mktemp -d)
trap 'rm -rf "$MERGED"' EXIT
$PY -m gpt_demo merge-lora --base "$BASE" --adapter "$OUT" --out "$MERGED/merged"
ls -la "$OUT"
