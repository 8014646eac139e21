"""How many held-out concept questions the bundled adapter answers with their concept's answer (greedy), vs the base.

    .venv/bin/python scripts/heldout_accuracy.py
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gpt_demo import checkpoints, lora  # noqa: E402
from gpt_demo.instructions import generate_answer  # noqa: E402

base, tok = checkpoints.load(Path("checkpoints/gpt-demo-ko-en-tiny"))
model = lora.load_adapter(base, "checkpoints/gpt-demo-ko-en-tiny-lora-concepts", copy_base=True)
val = [r for r in json.load(open("data/instructions/val.json")) if "input" not in r]
ok = base_ok = 0
for r in val:
    a = generate_answer(model, tok, r["instruction"], max_new_tokens=24)
    b = generate_answer(base, tok, r["instruction"], max_new_tokens=24)
    good = r["output"].startswith(a.strip()[:15]) and len(a.strip()) >= 15
    ok += good
    base_ok += r["output"].startswith(b.strip()[:15]) and len(b.strip()) >= 15
    print("OK " if good else "-- ", r["lang"], r["concept"], "|", r["instruction"], "|", a[:60].replace("\n", " "))
print(f"adapter: {ok}/{len(val)} held-out questions answered with their concept's answer; base: {base_ok}/{len(val)}")
