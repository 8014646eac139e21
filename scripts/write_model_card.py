"""Write README.md (the model card) and loss.png into an exported model folder, from its training run."""

import argparse
import platform
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from gpt_demo.training import METRICS_FILE, model_card, plot_losses, read_metrics  # noqa: E402

PROMPTS = ["토요일 오후에 민수는", "어느 비 오는 날 지수는", "One day, Mina", "On Saturday, Tom"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--commands", default="scripts/build_bundled_checkpoint.sh")
    args = parser.parse_args()
    run, model = Path(args.run), Path(args.model)
    plot_losses(run / METRICS_FILE, model / "loss.png")
    shutil.copy(run / METRICS_FILE, model / METRICS_FILE)
    commands = [line for line in Path(args.commands).read_text().splitlines()
                if line.strip() and not line.startswith(("#!", "set ", "cd "))]
    hardware = (f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} CPU threads, "
                f"torch {torch.__version__}, fp32 (no GPU)")
    data = ("`python -m gpt_demo corpus`: 24 MB of generated Korean and English stories, dialogues and concept "
            "explanations (seed 1234); validation 0.5 MB from seed 99991. No third-party text.")
    card = model_card(model, "gpt-demo-ko-en-tiny", read_metrics(run), commands, data, hardware, PROMPTS)
    (model / "README.md").write_text(card, encoding="utf-8")
    print(card)


if __name__ == "__main__":
    main()
