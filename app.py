"""gpt_demo's web app: ``python app.py`` serves it on http://127.0.0.1:7860 (Hugging Face Spaces runs this file).

Flags: ``--host`` (default 127.0.0.1; 0.0.0.0 to serve a network), ``--port`` (7860), ``--share`` (a temporary
public gradio.live link), ``--checkpoint`` (the checkpoint new sessions start with: a name inside the checkpoints
folder, or a checkpoint folder, whose parent then becomes the checkpoints folder), ``--allow-hub`` (learners may
download Hugging Face Hub repos by id; off by default).

Nothing is downloaded or loaded at start-up; models load on first use. ``demo`` is the gr.Blocks app, for
``gradio app.py`` (reload mode) and for tests.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no phoning home
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python app.py", description="gpt_demo: the web app")
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    p.add_argument("--share", action="store_true", help="also create a temporary public gradio.live link")
    p.add_argument("--checkpoint", default=None,
                   help="checkpoint new sessions start with: a name in the checkpoints folder, or a folder")
    p.add_argument("--allow-hub", action="store_true",
                   help="let learners download Hugging Face Hub repos (off by default: on a shared server anyone "
                        "could make it download any repo)")
    return p.parse_args(argv)


def use_checkpoint(value: str | None) -> str | None:
    """A checkpoint flag -> the name sessions start with. A folder path makes its parent the checkpoints folder
    (the documented GPT_DEMO_CHECKPOINTS override); a plain name is used as it is."""
    if not value:
        return None
    folder = Path(value).expanduser()
    if os.sep in value or "/" in value or folder.is_dir():
        if not folder.is_dir():
            raise SystemExit(f"error: --checkpoint {value!r}: no such folder")
        folder = folder.resolve()
        os.environ["GPT_DEMO_CHECKPOINTS"] = str(folder.parent)
        if "gpt_demo.checkpoints" in sys.modules:  # imported already: point it at the new folder too
            sys.modules["gpt_demo.checkpoints"].CHECKPOINTS_DIR = folder.parent
        return folder.name
    return value


if __name__ == "__main__":
    args = parse_args()
    start_name = use_checkpoint(args.checkpoint)
    if args.allow_hub:
        os.environ["GPT_DEMO_ALLOW_HUB"] = "1"
    from gpt_demo.ui import build_demo

    demo = build_demo(checkpoint=start_name)
    demo.launch(server_name=args.host, server_port=args.port, share=args.share)
else:
    from gpt_demo.ui import build_demo

    demo = build_demo()
