"""Tab 4 · 체크포인트 · LoRA: local checkpoints and adapters, load, apply, compare answers, merge, sizes."""

from __future__ import annotations

import dataclasses

import gradio as gr

from .i18n import lang_of, msg
from .state import (
    HUB_PREFIX,
    Session,
    UserError,
    adapted_model,
    available_checkpoints,
    check_text,
    get_base,
    gpu,
    handler,
    hub_enabled,
    new_session,
)

PRESET_QUESTION = "top-p가 무엇인가요?"
MAX_QUESTION_CHARS = 1_000
ANSWER_TOKENS = 100

CODE = '''from gpt_demo import checkpoints, lora
from gpt_demo.instructions import generate_answer

print(checkpoints.list_checkpoints())          # names, kinds (model / adapter), sizes
base, tok = checkpoints.load("gpt-demo-ko-en-tiny")   # config.json + model.safetensors + tokenizer

# LoRA: the base stays frozen; an adapter holds only A and B, with ΔW = B·A·(alpha/r).
# peft injects LoRA layers in place, so the app loads the adapter onto a copy (copy_base=True).
adapted = lora.load_adapter(base, "checkpoints/gpt-demo-ko-en-tiny-lora-concepts", copy_base=True)
print(generate_answer(base, tok, question), "|", generate_answer(adapted, tok, question))

# Merge: W' = W + B·A·(alpha/r). Same shapes and size as the base; the logits barely move.
merged, max_abs_diff = lora.merge(adapted, copy_model=True)
print(max_abs_diff)                               # ~1e-7: merging changes nothing but the layout
'''


def _count(model) -> tuple[int, int]:
    """(base parameters, LoRA parameters) of a model, tied weights counted once."""
    seen, base, extra = set(), 0, 0
    for name, p in model.named_parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        if "lora_" in name:
            extra += p.numel()
        else:
            base += p.numel()
    return base, extra


def _folder_text(folder, name: str, limit: int = 20_000) -> str | None:
    path = folder / name
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8", errors="replace")[:limit]


def choices():
    """Helper event: the current lists of checkpoints and adapters (a learner may add folders while it runs)."""
    models, adapters = available_checkpoints("model"), available_checkpoints("adapter")
    return gr.update(choices=models), gr.update(choices=adapters)


@gpu
@handler
def load_checkpoint(name, session=None, request: gr.Request = None):
    """The load_checkpoint event: this session now uses checkpoint ``name`` (no adapter).

    Returns the new session, a summary, config.json, the model card, and the session label."""
    lang = lang_of(request)
    loaded = get_base(name)  # UserError for '../../etc', unknown names, broken folders
    session = Session(checkpoint=loaded.name)
    model = loaded.model
    total, _ = _count(model)
    param = next(model.parameters())
    on_disk = sum(p.stat().st_size for p in loaded.folder.iterdir() if p.is_file())
    summary = (msg("loaded", lang, name=loaded.name, params=total, device=param.device.type,
                   dtype=str(param.dtype).removeprefix("torch."))
               + f"\n\n- files: {', '.join(sorted(p.name for p in loaded.folder.iterdir() if p.is_file()))}"
               + f"\n- size on disk: {on_disk / 2**20:.2f} MiB · weights in memory: "
                 f"{sum(p.numel() * p.element_size() for p in model.parameters()) / 2**20:.2f} MiB")
    config = _folder_text(loaded.folder, "config.json") or "{}"
    card = _folder_text(loaded.folder, "README.md") or msg("no_card", lang)
    return session, summary, config, card, session.label(lang)


@gpu
@handler
def download_checkpoint(repo_id, session=None, request: gr.Request = None):
    """Helper event: download a Hub repo (``checkpoints.download``) and load it, like load_checkpoint."""
    if not isinstance(repo_id, str) or not repo_id.strip():
        raise UserError("bad_repo_id", repo=repo_id or "")
    return load_checkpoint(HUB_PREFIX + repo_id.strip(), session, request)


def _answer(model, tokenizer, question: str) -> str:
    from ..instructions import generate_answer

    # A cut at max_new_tokens can end inside a character: drop the half character rather than show "�".
    return generate_answer(model, tokenizer, question, max_new_tokens=ANSWER_TOKENS).rstrip("\ufffd")


@gpu
@handler
def apply_adapter(adapter, question, session=None, request: gr.Request = None):
    """The apply_adapter event: the session uses checkpoint + adapter; base and adapted answers side by side."""
    lang = lang_of(request)
    question = check_text(question, "prompt", MAX_QUESTION_CHARS)
    session = session or new_session()
    base = get_base(session.checkpoint)
    model, _ = adapted_model(base, adapter, merged=False)
    session = Session(checkpoint=base.name, adapter=str(adapter).strip(), merged=False)
    total, lora_params = _count(model)
    params = msg("params", lang, total=total + lora_params, trainable=lora_params,
                 pct=100.0 * lora_params / max(total + lora_params, 1))
    return (session, _answer(base.model, base.tokenizer, question), _answer(model, base.tokenizer, question),
            params, session.label(lang))


@gpu
@handler
def merge_adapter(question, session=None, request: gr.Request = None):
    """The merge_adapter event: fold this session's adapter into a copy of the base; show the max diff."""
    lang = lang_of(request)
    question = check_text(question, "prompt", MAX_QUESTION_CHARS)
    session = session or new_session()
    if not session.adapter:
        raise UserError("adapter_needed")
    base = get_base(session.checkpoint)
    merged, diff = adapted_model(base, session.adapter, merged=True)
    session = dataclasses.replace(session, merged=True)
    base_total, _ = _count(base.model)
    merged_total, leftover = _count(merged)
    result = msg("merged", lang, diff=diff, params=merged_total + leftover, base=base_total)
    return session, _answer(merged, base.tokenizer, question), result, session.label(lang)


def build_tab(session: gr.State, session_label: gr.Markdown, T) -> None:
    gr.Markdown(T("ckpt_explain"))
    with gr.Row():
        with gr.Column(scale=3):
            with gr.Row():
                ckpt = gr.Dropdown(choices=[], value=None, allow_custom_value=True, label=T("ckpt_choice"),
                                   elem_id="ckpt-choice")
                refresh = gr.Button(T("ckpt_refresh"), size="sm")
            load = gr.Button(T("ckpt_load"), variant="primary", elem_id="ckpt-load")
            summary = gr.Markdown(elem_id="ckpt-summary")
        with gr.Column(scale=2):
            gr.Code(CODE, language="python", label=T("code_label"), interactive=False)
    with gr.Row():
        config = gr.Code(language="json", label=T("ckpt_config"), interactive=False)
        with gr.Accordion(T("ckpt_card"), open=False):
            card = gr.Markdown(elem_id="ckpt-card")
    with gr.Row():
        repo = gr.Textbox(placeholder="owner/name", label=T("ckpt_hub"), interactive=hub_enabled(), elem_id="ckpt-hub",
                          info=None if hub_enabled() else T("ckpt_hub_off"), scale=3)
        download = gr.Button(T("ckpt_download"), interactive=hub_enabled(), scale=1)
    outputs = [session, summary, config, card, session_label]
    load.click(load_checkpoint, [ckpt, session], outputs, api_name="load_checkpoint", concurrency_limit=2,
               concurrency_id="load")
    download.click(download_checkpoint, [repo, session], outputs, api_visibility="private", concurrency_limit=1,
                   concurrency_id="download")

    gr.Markdown(T("adapter_title"))
    with gr.Row():
        adapter = gr.Dropdown(choices=[], value=None, allow_custom_value=True, label=T("adapter_choice"),
                              elem_id="adapter-choice")
        question = gr.Textbox(PRESET_QUESTION, label=T("adapter_prompt"), elem_id="adapter-question")
    with gr.Row():
        apply = gr.Button(T("adapter_apply"), variant="primary", elem_id="adapter-apply")
        merge = gr.Button(T("adapter_merge"), elem_id="adapter-merge")
    params = gr.Markdown(elem_id="adapter-params")
    with gr.Row():
        base_out = gr.Textbox(label=T("adapter_base_out"), lines=3, interactive=False, elem_id="adapter-base-out")
        adapted_out = gr.Textbox(label=T("adapter_out"), lines=3, interactive=False, elem_id="adapter-out")
    merge_result = gr.Markdown(elem_id="adapter-merge-result")
    apply.click(apply_adapter, [adapter, question, session], [session, base_out, adapted_out, params, session_label],
                api_name="apply_adapter", concurrency_limit=2, concurrency_id="load")
    merge.click(merge_adapter, [question, session], [session, adapted_out, merge_result, session_label],
                api_name="merge_adapter", concurrency_limit=2, concurrency_id="load")
    refresh.click(choices, None, [ckpt, adapter], api_visibility="private")
    return ckpt, adapter
