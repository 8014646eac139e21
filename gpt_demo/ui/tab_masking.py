"""Tab 2 · 패딩 · 마스크 · Padding & masks: the batch, the masks, the bias, positions, attention, and the proof."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from ..walkthrough import (
    MAX_SENTENCES,
    attention_weights,
    padding_proof,
    padding_walkthrough,
    split_sentences,
    where_playground,
)
from .i18n import lang_of, msg
from .plots import attention_figure, mask_figure
from .state import Slider, UserError, as_int, check_text, get_model, gpu, handler, info, new_session, warn

# The course's two sentences, plus a short one: with the bundled tokenizer both course sentences are 7 tokens
# (subword tokens are not words), so without a third sentence nothing would need padding.
PRESET = "나는 공부를 합니다.\n나는 맛있는 음식을 좋아합니다.\n안녕하세요."
MAX_TEXT = 4_000
MAX_WHERE_TEXT = 2_000

CODE = '''import torch
from gpt_demo.masking import pad_batch, padding_mask, causal_mask, combined_mask, position_ids

ids = [tok.encode(s, add_special_tokens=False) for s in sentences]
pad_id = tok.pad_token_id                        # 3 here: ask the tokenizer, never assume 0
B, T = len(ids), max(len(row) for row in ids)

input_ids = torch.full((B, T), pad_id)           # 1. a (B, T) batch of pads
for b, row in enumerate(ids):                    #    copy each sentence in; left padding = at the end
    input_ids[b, T - len(row):] = torch.tensor(row)

mask = input_ids != pad_id                       # 2. (B, T) True = real token
causal = torch.tril(torch.ones(T, T, dtype=torch.bool))   # 3. query i sees keys j <= i
allowed = causal & mask[:, None, :]              # 4. (B, T, T) causal AND not a pad
bias = torch.where(allowed, 0.0, float("-inf"))  # 5. added to the scores: exp(-inf) = 0 after softmax
positions = (mask.cumsum(-1) - 1).masked_fill(~mask, 0)   # 6. pads skipped: RoPE sees 0, 1, 2, ...

# The same steps in the library: pad_batch(ids, pad_id, side="left"), padding_mask(input_ids, pad_id),
# causal_mask(T), combined_mask(mask, T), position_ids(mask). (The model adds torch.finfo(dtype).min
# instead of -inf, so that a row with nothing allowed gives no NaN.)
out = model(input_ids, attention_mask=mask.long(), position_ids=positions, output_attentions=True)
weights = out.attentions[layer][b, head]         # (T, T) real attention weights, rows sum to 1

# The proof: each sentence alone vs inside the padded batch, real tokens only.
alone = model(torch.tensor([ids[b]])).logits[0]
(out.logits[b, mask[b]] - alone).abs().max()     # ~1e-6 with the mask; large without it (left padding)

# torch.where broadcasts: condition, x and y need not have the same shape.
torch.where(torch.tensor([True, False, True, False]), torch.tensor([1, 2, 3, 4]),
            torch.tensor([10, 20, 30, 40]))      # tensor([ 1, 20,  3, 40])
'''


def _frame(rows: list[list], tokens: list[list[str]] | None = None) -> pd.DataFrame:
    """A table with one row per sentence (s0, s1, ...) and one column per position (0..T-1)."""
    T = len(rows[0]) if rows else 0
    frame = pd.DataFrame(rows, columns=[str(i) for i in range(T)])
    frame.insert(0, "", [f"s{b}" for b in range(len(rows))])
    return frame


def _walk(sentences_text, side, max_length, tokenizer, request):
    """Validate the inputs and run ``padding_walkthrough``; UserError/warnings for the bad cases."""
    text = check_text(sentences_text, "sentences", MAX_TEXT)
    sentences = split_sentences(text)
    if len(sentences) > MAX_SENTENCES:
        raise UserError("too_many_sentences", n=len(sentences), limit=MAX_SENTENCES)
    if side not in ("left", "right"):
        raise UserError("value", detail=f"side must be 'left' or 'right', got {side!r}")
    max_len = as_int(max_length if max_length not in (None, "") else 0, "number", low=0)
    pad_id = tokenizer.pad_token_id
    pad = tokenizer.convert_ids_to_tokens(pad_id) if pad_id is not None else "<pad>"
    for k, sentence in enumerate(sentences):
        ids = tokenizer.encode(sentence, add_special_tokens=False)
        if ids and all(i == pad_id for i in ids):
            raise UserError("only_pad", k=k, pad=pad, pad_id=pad_id)
        if pad_id in ids:
            warn("pad_inside", request, k=k, pad=pad)
    walk = padding_walkthrough(tokenizer, sentences, side=side, max_length=max_len or None)
    if walk["truncated"]:
        info("truncated", request, limit=walk["limit"])
    return walk


def _figures(walk, model, sentence, layer, head):
    B = walk["input_ids"].shape[0]
    b = min(max(as_int(sentence, "number", low=0) if sentence is not None else 0, 0), B - 1)
    layer = as_int(layer if layer is not None else 0, "number", low=0)
    head = as_int(head if head is not None else 0, "number", low=0)
    tokens = walk["tokens"][b]
    masks = mask_figure(tokens, walk["causal"], walk["allowed"][b], walk["bias"][b], title_suffix=f" (s{b})")
    try:
        weights = attention_weights(model, walk["input_ids"], walk["attention_mask"], b, layer, head)
    except ValueError as e:
        raise UserError("value", detail=str(e)) from None
    attention = attention_figure(weights, tokens, f"s{b} · layer {layer} · head {head}")
    return masks, attention


def _proof_markdown(walk, proof, lang) -> str:
    if len(set(walk["lengths"])) == 1:
        why = msg("proof_same", lang)
    else:
        why = msg("proof_left" if walk["side"] == "left" else "proof_right", lang)
    return msg("proof", lang, with_mask=proof["with_mask"], without_mask=proof["without_mask"], why=why)


@gpu
@handler
def pad_and_mask(sentences_text, side="left", max_length=0, sentence=0, layer=0, head=0, session=None,
                 request: gr.Request = None):
    """The pad_and_mask event: tables, mask heatmaps, attention weights, the proof, and everything as JSON."""
    loaded = get_model(session or new_session())
    walk = _walk(sentences_text, side, max_length, loaded.tokenizer, request)
    masks, attention = _figures(walk, loaded.model, sentence, layer, head)
    proof = padding_proof(loaded.model, walk["input_ids"], walk["attention_mask"])
    summary = {
        "pad_id": walk["pad_id"],
        "pad_token": walk["pad_token"],
        "side": walk["side"],
        "tokens": walk["tokens"],
        "input_ids": walk["input_ids"].tolist(),
        "mask": walk["mask"].tolist(),
        "position_ids": walk["position_ids"].tolist(),
        "bias_row_0": ["-inf" if v == float("-inf") else 0.0 for v in walk["bias"][0, -1].tolist()],
        "proof": proof,
    }
    return (
        _frame(walk["tokens"]),
        _frame(walk["input_ids"].tolist()),
        _frame(walk["mask"].tolist()),
        _frame(walk["position_ids"].tolist()),
        masks,
        attention,
        _proof_markdown(walk, proof, lang_of(request)),
        summary,
    )


@gpu
@handler
def show_attention(sentences_text, side="left", max_length=0, sentence=0, layer=0, head=0, session=None,
                   request: gr.Request = None):
    """Helper event: redraw the mask heatmaps and the attention weights for another sentence/layer/head."""
    loaded = get_model(session or new_session())
    walk = _walk(sentences_text, side, max_length, loaded.tokenizer, None)
    return _figures(walk, loaded.model, sentence, layer, head)


@handler
def slider_ranges(sentences_text, session=None, request: gr.Request = None):
    """Helper event: fit the sentence/layer/head sliders to the batch and the model."""
    cfg = get_model(session or new_session()).model.config
    n = max(1, min(len(split_sentences(sentences_text or "")), MAX_SENTENCES))
    return (gr.update(maximum=n - 1), gr.update(maximum=cfg.num_hidden_layers - 1),
            gr.update(maximum=cfg.num_attention_heads - 1))


@handler
def run_where(condition, x, y, request: gr.Request = None):
    """Helper event: the torch.where playground."""
    for value in (condition, x, y):
        if isinstance(value, str) and len(value) > MAX_WHERE_TEXT:
            raise UserError("where", detail=f"at most {MAX_WHERE_TEXT} characters per box")
    try:
        out = where_playground(condition, x, y)
    except ValueError as e:
        raise UserError("where", detail=str(e)) from None
    shapes = out["shapes"]
    return (f"```\ntorch.where(condition, x, y) = {out['result']}\n```\n"
            f"shapes: condition {tuple(shapes['condition'])}, x {tuple(shapes['x'])}, y {tuple(shapes['y'])} "
            f"→ broadcast {tuple(out['broadcast_shape'])} · dtype {out['dtype']}")


def build_tab(session: gr.State, T) -> None:
    gr.Markdown(T("pad_explain"))
    with gr.Row():
        with gr.Column(scale=2):
            sentences = gr.Textbox(PRESET, label=T("pad_sentences"), lines=4, max_lines=10, elem_id="pad-sentences")
            with gr.Row():
                side = gr.Radio([(T("pad_left"), "left"), (T("pad_right"), "right")], value="left",
                                label=T("pad_side"), elem_id="pad-side")
                max_length = gr.Number(0, precision=0, label=T("pad_maxlen"))
            with gr.Row():
                sentence = Slider(0, 2, value=2, step=1, label=T("pad_sentence"))
                layer = Slider(0, 3, value=0, step=1, label=T("pad_layer"))
                head = Slider(0, 3, value=0, step=1, label=T("pad_head"))
            run = gr.Button(T("pad_run"), variant="primary", elem_id="pad-run")
            attn_run = gr.Button(T("pad_attn_run"), size="sm")
        with gr.Column(scale=3):
            gr.Code(CODE, language="python", label=T("code_label"), interactive=False)
    tokens_df = gr.Dataframe(label=T("pad_tokens"), interactive=False, elem_id="pad-tokens")
    with gr.Row():
        ids_df = gr.Dataframe(label=T("pad_ids"), interactive=False, elem_id="pad-ids")
        mask_df = gr.Dataframe(label=T("pad_mask"), interactive=False)
    pos_df = gr.Dataframe(label=T("pad_pos"), interactive=False)
    mask_plot = gr.Plot(label=T("pad_heatmap"), format="png")
    attn_plot = gr.Plot(label=T("pad_attn_plot"), format="png")
    gr.Markdown("### " + T("pad_proof"))
    proof = gr.Markdown(elem_id="pad-proof")
    with gr.Accordion(T("json_label"), open=False):
        summary = gr.JSON(show_label=False)

    inputs = [sentences, side, max_length, sentence, layer, head, session]
    event = run.click(pad_and_mask, inputs, [tokens_df, ids_df, mask_df, pos_df, mask_plot, attn_plot, proof, summary],
                      api_name="pad_and_mask", concurrency_limit=4, concurrency_id="model")
    event.then(slider_ranges, [sentences, session], [sentence, layer, head], api_visibility="private")
    attn_run.click(show_attention, inputs, [mask_plot, attn_plot], api_visibility="private",
                   concurrency_limit=4, concurrency_id="model")

    gr.Markdown(T("where_title"))
    with gr.Row():
        cond = gr.Textbox("[True, False, True, False]", label=T("where_cond"), elem_id="where-cond")
        x = gr.Textbox("[1, 2, 3, 4]", label=T("where_x"), elem_id="where-x")
        y = gr.Textbox("[10, 20, 30, 40]", label=T("where_y"), elem_id="where-y")
    where_btn = gr.Button(T("where_run"), elem_id="where-run")
    where_out = gr.Markdown(elem_id="where-out")
    where_btn.click(run_where, [cond, x, y], [where_out], api_visibility="private")
