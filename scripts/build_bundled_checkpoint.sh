#!/usr/bin/env bash
# Rebuild the bundled checkpoint checkpoints/gpt-demo-ko-en-tiny from nothing, with the project's own commands.
# About an hour on a 2-core CPU; on a GPU the same commands use bf16/fp16 through accelerate.
# Interrupted? Run it again: training resumes from the last checkpoint in runs/bundled (--resume auto).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
NAME=gpt-demo-ko-en-tiny

$PY -m gpt_demo corpus --out data/corpus --train-mb 24 --val-mb 0.5 --seed 1234 --val-seed 99991
$PY -m gpt_demo train-tokenizer --input data/corpus/train.txt --vocab-size 4096 --out data/tokenizer
$PY -m gpt_demo train --train-file data/corpus/train.txt --val-file data/corpus/val.txt --tokenizer data/tokenizer \
  --out-dir runs/bundled --hidden-size 256 --intermediate-size 688 --num-hidden-layers 6 --num-attention-heads 4 \
  --num-key-value-heads 2 --block-size 256 --batch-size 16 --max-steps "${STEPS:-3600}" --learning-rate 2e-3 \
  --warmup-steps 100 --eval-every 250 --eval-batches 20 --save-every 250 --resume auto
$PY -m gpt_demo export --run runs/bundled --out checkpoints/$NAME
$PY scripts/write_model_card.py --run runs/bundled --model checkpoints/$NAME
