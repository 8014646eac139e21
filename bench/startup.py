"""Start-up: `python app.py` to first page and to first generated token, against bare imports, same run.

Reference: `python -c "import gradio, torch, transformers"` (what any gradio + transformers app pays).
Measured, each from the moment the process is spawned:
- app first page: `python app.py --port P` until GET / answers 200;
- app first token: then, through gradio_client, `/generate` until its first streamed update;
- CLI first token: `python -m gpt_demo generate --max-new-tokens 1` until it exits, against
  `python -c "import torch, transformers"`.
Runs are interleaved; medians are printed. Then, in a fresh process, which heavy optional modules `import app`
pulled in (peft, matplotlib, plotly, pandas, accelerate, ...) and the slowest imports (`python -X importtime`).

The app needs a checkpoint: `--checkpoint` (default: the bundled one if it exists, else a randomly initialised
default-size model with a small tokenizer, saved to a temporary folder here). When app.py is missing, only the
CLI and the references are measured.

    python bench/startup.py
    python bench/startup.py --repeats 5 --checkpoint checkpoints/gpt-demo-ko-en-tiny
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
ENV = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_OFFLINE": "1",
       "TOKENIZERS_PARALLELISM": "false", "PYTHONPATH": str(ROOT)}
OPTIONAL = ("peft", "accelerate", "matplotlib", "plotly", "pandas", "datasets", "sentencepiece", "safetensors",
            "huggingface_hub", "gradio_client")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed_run(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def app_times(checkpoint: str, prompt: str, timeout: float = 180.0) -> tuple[float, float | None, str]:
    """(seconds to first page, seconds to first generated token or None, note) for one `python app.py`."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([PY, "app.py", "--port", str(port), "--checkpoint", checkpoint], cwd=ROOT, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {proc.returncode}: {proc.stderr.read()[-800:]}")
            if time.perf_counter() - start > timeout:
                raise RuntimeError("app.py did not answer in time")
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        first_page = time.perf_counter() - start
        try:
            from gradio_client import Client

            client = Client(url, verbose=False)
            job = client.submit(prompt, 8, 0.0, 0, 1.0, 0, api_name="/generate")
            for update in job:  # the first streamed update carries the first token
                if update and update[0]:
                    return first_page, time.perf_counter() - start, ""
            return first_page, None, f"/generate streamed nothing: {job.result()!r:.200}"
        except Exception as e:  # noqa: BLE001 - the app is young: report, do not crash the benchmark
            return first_page, None, f"/generate failed: {type(e).__name__}: {str(e)[:300]}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def make_checkpoint(tmp: Path) -> str:
    """A random-init default-size GPTDemo and a small tokenizer, saved as a checkpoint folder."""
    sys.path.insert(0, str(ROOT))
    import torch

    from gpt_demo import GPTDemoConfig, GPTDemoForCausalLM
    from gpt_demo.checkpoints import save
    from gpt_demo.corpus import generate_text
    from gpt_demo.tokenizer import train_tokenizer

    tok = train_tokenizer([generate_text(0, 300_000)], tmp / "tok", 1000)
    torch.manual_seed(0)
    model = GPTDemoForCausalLM(GPTDemoConfig(vocab_size=len(tok), pad_token_id=tok.pad_token_id,
                                             bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id))
    return str(save(model, tok, tmp / "checkpoints" / "bench-random"))


def import_report():
    """Which optional modules `import app` loads, who imports them, and what the import time goes to."""
    out = subprocess.run([PY, "-X", "importtime", "-c", "import app"], cwd=ROOT, env=ENV, capture_output=True,
                         text=True)
    if out.returncode != 0:
        print(f"  import app failed: {out.stderr.strip().splitlines()[-1:]}")
        return
    rows = []  # (depth, module, cumulative seconds); importtime lists children before their parent
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((len(m.group(3)) // 2, m.group(4), int(m.group(2)) / 1e6))

    def chain(i):  # the module at row i and its importers, up to app
        names, depth = [rows[i][1]], rows[i][0]
        for d, name, _ in rows[i + 1:]:
            if d < depth:
                names.append(name)
                depth = d
        return " <- ".join(names)

    total = next((t for d, n, t in rows if n == "app"), 0.0)
    print(f"  `import app` in a fresh process: {total:.2f} s")
    for mod in OPTIONAL:
        hit = next((i for i, r in enumerate(rows) if r[1] == mod), None)
        print(f"    {mod:16s} " + (f"loaded, {rows[hit][2]:.2f} s: {chain(hit)}" if hit is not None else "not loaded"))
    ours = [(t, n) for d, n, t in rows if n.startswith("gpt_demo") and d <= 3]
    print("  gpt_demo modules (cumulative s): " + ", ".join(f"{n} {t:.2f}" for t, n in sorted(ours, reverse=True)[:8]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--prompt", default="옛날 옛적에 Once upon a time")
    args = parser.parse_args()
    has_app = (ROOT / "app.py").is_file()
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = args.checkpoint
        bundled = ROOT / "checkpoints" / "gpt-demo-ko-en-tiny"
        if checkpoint is None:
            checkpoint = str(bundled) if (bundled / "config.json").is_file() else make_checkpoint(Path(tmp))
        cli = [PY, "-m", "gpt_demo", "generate", "--checkpoint", checkpoint, "--prompt", args.prompt,
               "--max-new-tokens", "1", "--device", "cpu"]
        runs = {
            "import gradio, torch, transformers": lambda: timed_run([PY, "-c", "import gradio, torch, transformers"]),
            "import torch, transformers": lambda: timed_run([PY, "-c", "import torch, transformers"]),
            "CLI generate, first token (exit)": lambda: timed_run(cli),
        }
        results = {k: [] for k in runs}
        app_page, app_token, notes = [], [], set()
        print(f"checkpoint: {checkpoint}; app.py {'found' if has_app else 'missing: app rows skipped'}; "
              f"median of {args.repeats} interleaved runs")
        for _ in range(args.repeats):
            for k, fn in runs.items():
                results[k].append(fn())
            if has_app:
                page, token, note = app_times(checkpoint, args.prompt)
                app_page.append(page)
                if token is not None:
                    app_token.append(token)
                if note:
                    notes.add(note)
        med = {k: statistics.median(v) for k, v in results.items()}
        ref = med["import gradio, torch, transformers"]
        for k, v in med.items():
            print(f"  {k:36s} {v:6.2f} s")
        if app_page:
            p = statistics.median(app_page)
            print(f"  {'app.py first page':36s} {p:6.2f} s ({p / ref:.2f}x the gradio+torch+transformers imports)")
        if app_token:
            t = statistics.median(app_token)
            print(f"  {'app.py first generated token':36s} {t:6.2f} s ({t / ref:.2f}x the imports)")
        for note in sorted(notes):
            print(f"  note: {note}")
        cli_ratio = med["CLI generate, first token (exit)"] / med["import torch, transformers"]
        print(f"  CLI first token / import torch+transformers: {cli_ratio:.2f}x")
        if has_app:
            import_report()


if __name__ == "__main__":
    main()
