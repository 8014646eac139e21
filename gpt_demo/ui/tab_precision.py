"""Tab 5 · 정밀도 · 장치 · Precision & device: machine facts, torch.finfo, fp16 overflow, the model in 3 dtypes."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from ..precision import compare_precisions, device_facts, dtype_problem, finfo_table, overflow_demos
from .i18n import DEMO_NOTES_KO, lang_of, msg
from .state import Slider, UserError, as_int, check_text, get_model, gpu, handler, new_session, warn

PRESET_PROMPT = "나는 공부를 합니다."
MAX_PROMPT_CHARS = 1_000
MAX_TOKENS = 64

CODE = '''import copy, time, torch
from gpt_demo.precision import compare_precisions, finfo_table

torch.finfo(torch.float16)        # eps=0.000977, max=65504, tiny=6.1e-05
torch.tensor(70000.0, dtype=torch.float16)    # inf: overflow
torch.tensor(1e-8, dtype=torch.float16)       # 0: underflow
torch.tensor(70000.0, dtype=torch.bfloat16)   # 70144: same range as fp32, fewer digits

for dtype in (torch.float32, torch.float16, torch.bfloat16):
    twin = copy.deepcopy(model).to(device, dtype)        # a copy: the shared model is not changed
    logits = twin(ids).logits.float()                     # compare with the fp32 logits
    start = time.perf_counter()
    tokens = greedy(twin, ids, new_tokens)                # time per token
    ms = 1000 * (time.perf_counter() - start) / new_tokens

rows = compare_precisions(model, ids, ["fp32", "fp16", "bf16"], device="cpu", new_tokens=16)
'''


def _available_devices() -> list[str]:
    import torch

    devices = ["cpu"]
    if torch.cuda.is_available():
        devices.insert(0, "cuda")
    return devices


def facts_markdown() -> str:
    f = device_facts()
    lines = [f"- torch {f['torch']} · default device **{f['default_device']}** · CPU {f['cpu']} "
             f"({f['cpu_count']} cores, {f['torch_threads']} torch threads)"]
    if f["gpus"]:
        for g in f["gpus"]:
            bf16 = "✓" if g["bf16_supported"] else "✗"
            lines.append(f"- GPU {g['index']}: **{g['name']}** · compute capability {g['compute_capability']} · "
                         f"{g['memory_gib']} GiB · bf16 {bf16} · CUDA {f['cuda_version']}")
    else:
        lines.append("- CUDA: ✗ (no GPU here; everything runs on the CPU)")
    return "\n".join(lines)


def finfo_frame() -> pd.DataFrame:
    return pd.DataFrame([{**r, "eps": f"{r['eps']:.3g}", "max": f"{r['max']:.4g}",
                          "smallest_normal": f"{r['smallest_normal']:.3g}", "resolution": f"{r['resolution']:g}"}
                         for r in finfo_table()])


def demos_frame(lang: str = "en") -> pd.DataFrame:
    """The overflow/underflow examples, each computed now in fp32, fp16 and bf16, with a note in ``lang``."""
    rows = overflow_demos()
    notes = DEMO_NOTES_KO if lang == "ko" else {}
    return pd.DataFrame([{"expression": r["expression"], "fp32": f"{r['fp32']:.8g}", "fp16": f"{r['fp16']:.8g}",
                          "bf16": f"{r['bf16']:.8g}", "why": notes.get(r["expression"], r["note"])} for r in rows])


@gpu
@handler
def precision_compare(prompt, dtypes, device="cpu", new_tokens=16, session=None, request: gr.Request = None,
                      progress=gr.Progress()):
    """The precision_compare event: the session's model in each chosen dtype on ``device``.

    Returns a table (dtype, weight MiB, ms/token, max logit diff vs fp32, same greedy tokens) and a note."""
    lang = lang_of(request)
    prompt = check_text(prompt, "prompt", MAX_PROMPT_CHARS)
    if isinstance(dtypes, str):
        dtypes = [dtypes]
    dtypes = [d for d in (dtypes or []) if d]
    if not dtypes:
        raise UserError("dtype_none")
    unknown = [d for d in dtypes if d not in ("fp32", "fp16", "bf16")]
    if unknown:
        raise UserError("value", detail=f"unknown precision {unknown[0]!r}; use fp32, fp16 or bf16")
    n = as_int(new_tokens, "max_new_positive", low=1)
    if n > MAX_TOKENS:
        raise UserError("value", detail=f"at most {MAX_TOKENS} tokens here, got {n}")
    device = str(device or "cpu")
    blocked = {d: dtype_problem(device, d) for d in dtypes}
    if all(blocked.values()):
        d = dtypes[0]
        raise UserError("dtype_unsupported", dtype=d, device=device, reason=blocked[d])
    for d, reason in blocked.items():
        if reason:
            warn("dtype_unsupported", request, dtype=d, device=device, reason=reason)
    loaded = get_model(session or new_session())
    ids = loaded.tokenizer.encode(prompt, add_special_tokens=False)
    context = loaded.model.config.max_position_embeddings
    if len(ids) + n > context:
        raise UserError("context", prompt=len(ids), new=n, total=len(ids) + n, context=context,
                        room=max(context - len(ids), 0))
    progress(0.1, desc="fp32 / fp16 / bf16 …")
    rows = compare_precisions(loaded.model, ids, dtypes, device=device, new_tokens=n)
    shown = [r for r in rows if r["dtype"] in dtypes or r["dtype"] == "fp32"]
    table = pd.DataFrame([{
        "dtype": r["dtype"],
        "weights (MiB)": r.get("weight_mb"),
        "ms / token": r.get("ms_per_token"),
        "max |logit - fp32|": None if "max_logit_diff" not in r else f"{r['max_logit_diff']:.3g}",
        "same greedy tokens as fp32": None if "same_greedy" not in r else ("✓" if r["same_greedy"] else "✗"),
        "greedy text": loaded.tokenizer.decode(r["greedy_ids"]) if "greedy_ids" in r else r.get("error"),
    } for r in shown])
    note = msg("cpu_half", lang) if device == "cpu" else ""
    return table, note


def build_tab(session: gr.State, T) -> None:
    gr.Markdown(T("prec_explain"))
    with gr.Row():
        with gr.Column(scale=3):
            gr.Markdown("#### " + T("prec_facts"))
            facts = gr.Markdown(elem_id="prec-facts")
            with gr.Row():
                dtypes = gr.CheckboxGroup(["fp32", "fp16", "bf16"], value=["fp32", "fp16", "bf16"],
                                          label=T("prec_dtypes"), elem_id="prec-dtypes")
                devices = _available_devices()
                device = gr.Radio(devices, value=devices[0], label=T("prec_device"))
            with gr.Row():
                prompt = gr.Textbox(PRESET_PROMPT, label=T("prec_prompt"), elem_id="prec-prompt")
                tokens = Slider(1, MAX_TOKENS, value=16, step=1, label=T("prec_tokens"))
            run = gr.Button(T("prec_run"), variant="primary", elem_id="prec-run")
        with gr.Column(scale=2):
            gr.Code(CODE, language="python", label=T("code_label"), interactive=False)
    table = gr.Dataframe(label=T("prec_table"), interactive=False, wrap=True, elem_id="prec-table")
    note = gr.Markdown(elem_id="prec-note")
    run.click(precision_compare, [prompt, dtypes, device, tokens, session], [table, note],
              api_name="precision_compare", concurrency_limit=1, concurrency_id="precision")
    gr.Markdown("#### " + T("prec_finfo"))
    gr.Dataframe(finfo_frame(), interactive=False, elem_id="prec-finfo")
    gr.Markdown("#### " + T("prec_demos"))
    demos = gr.Dataframe(demos_frame(), interactive=False, wrap=True, elem_id="prec-demos")
    return facts, demos
