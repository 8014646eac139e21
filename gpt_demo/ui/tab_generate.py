"""Tab 3 · 생성 · Generation (top-p): streamed sampling, the nucleus at every step, top-p side by side."""

from __future__ import annotations

import html
import unicodedata

import gradio as gr
import pandas as pd

from ..walkthrough import compare_top_p, generate_trace, parse_floats
from ..walkthrough import next_token_distribution as next_token_view_for_prompt
from .i18n import lang_of, msg
from .plots import nucleus_figure
from .state import Slider, UserError, as_float, as_int, check_text, get_model, gpu, handler, info, new_session

PRESET_PROMPT = "나는 맛있는 음식을"
MAX_PROMPT_CHARS = 4_000
MAX_COMPARE = 6

CODE = '''import torch
from gpt_demo.sampling import generate_stream, nucleus

ids = torch.tensor([tok.encode(prompt, add_special_tokens=False)])
gen = torch.Generator().manual_seed(seed)            # same seed -> same text
for next_ids, logits in generate_stream(model, ids, max_new_tokens, temperature=temperature,
                                        top_k=top_k, top_p=top_p, generator=gen):
    probs = torch.softmax(logits[0] / temperature, -1)   # (V,) what the sampler sees
    kept = nucleus(probs, top_p)     # smallest set of top tokens whose probabilities sum to >= top_p
    print(tok.decode(next_ids), probs[next_ids].item(), len(kept))

# Inside generate_stream, per step (gpt_demo/sampling.py):
#   logits = model(new tokens, cache=cache).logits[:, -1]      # only the last position predicts
#   temperature 0 -> argmax (greedy); else logits / temperature -> top_k_filter -> top_p_filter
#   next = torch.multinomial(softmax(logits), 1, generator=gen)
# top_p_filter sorts the probabilities, takes the cumulative sum, and drops the tail that is not
# needed to reach top_p: a higher top_p keeps MORE tokens.
'''


def _check_sampling(temperature, top_k, top_p, request) -> tuple[float, int, float]:
    temperature = as_float(temperature, "temperature")
    if temperature < 0:
        raise UserError("temperature", value=temperature)
    top_k = as_int(top_k, "top_k", low=0)
    top_p = as_float(top_p, "top_p")
    if not 0 < top_p <= 1:
        raise UserError("top_p", value=top_p)
    if temperature == 0:
        info("greedy", request)
    return temperature, top_k, top_p


def _check_prompt(prompt, max_new_tokens, loaded) -> list[int]:
    prompt = check_text(prompt, "prompt", MAX_PROMPT_CHARS)
    tok, cfg = loaded.tokenizer, loaded.model.config
    ids = tok.encode(prompt, add_special_tokens=False)
    if ids and all(i == tok.pad_token_id for i in ids):
        raise UserError("only_pad_prompt", pad_id=tok.pad_token_id)
    context = cfg.max_position_embeddings
    if len(ids) + max_new_tokens > context:
        raise UserError("context", prompt=len(ids), new=max_new_tokens, total=len(ids) + max_new_tokens,
                        context=context, room=max(context - len(ids), 0))
    return ids


def visible(text: str) -> str:
    """Control characters (an untrained model writes bytes like 0x04) as \\x04, so nothing shows as a box."""
    return "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" and c not in "\n\t" else c for c in text)


def tokens_html(steps: list[dict], prompt: str) -> str:
    """The prompt in grey, then each generated token shaded by its probability (darker = more likely)."""
    parts = [f'<span style="color:#6b7280;white-space:pre-wrap">{html.escape(visible(prompt))}</span>']
    for s in steps:
        if s["text"] == "" and not s["eos"]:
            continue
        p = s["prob"] if s["prob"] is not None else 0.0
        label = "</s>" if s["eos"] else visible(s["text"])
        title = f"step {s['step']} · id {s['id']} · p = {p:.3f}" if s["step"] is not None else ""
        parts.append(
            f'<span class="gen-tok" title="{html.escape(title)}" style="white-space:pre-wrap;border-radius:3px;'
            f'background:rgba(47,111,223,{0.08 + 0.8 * p:.3f});color:{"#fff" if p > 0.55 else "#111"}">'
            f"{html.escape(label)}</span>"
        )
    return ("<div class='gen-tokens' style='line-height:1.8;font-size:1.05em;padding-top:1.6em'>" + "".join(parts)
            + "</div>")


def _caption(rec: dict, lang: str) -> str:
    view = rec["view"]
    return msg("step_caption", lang, step=rec["step"], piece=rec["piece"], prob=rec["prob"],
               size=view["nucleus_size"], mass=view["nucleus_mass"], top_p=view["top_p"])


def _status(n: int, eos: bool, stopped_early: bool, temperature, top_k, top_p, seed, lang) -> str:
    mode = (msg("mode_greedy", lang) if temperature == 0
            else msg("mode_sample", lang, t=temperature, k=top_k, p=top_p, seed=seed))
    return msg("gen_status", lang, n=n, stopped=msg("gen_eos", lang) if eos else "", mode=mode)


@gpu
@handler
def generate(prompt, max_new_tokens=40, temperature=0.8, top_k=0, top_p=0.95, seed=0, session=None,
             request: gr.Request = None):
    """The generate event (streams). Yields: text, coloured tokens, status, trace (State), step slider,
    the nucleus chart and its caption (the chart only at the end, it is the slow part)."""
    lang = lang_of(request)
    max_new = as_int(max_new_tokens, "max_new_positive", low=1)
    temperature, top_k, top_p = _check_sampling(temperature, top_k, top_p, request)
    seed = as_int(seed, "seed", low=0)
    loaded = get_model(session or new_session())
    _check_prompt(prompt, max_new, loaded)
    steps: list[dict] = []
    text = prompt
    status = ""
    for rec in generate_trace(loaded.model, loaded.tokenizer, prompt, max_new, temperature, top_k, top_p, seed):
        if rec["step"] is None:  # characters held back at the end (an unfinished byte sequence)
            steps[-1] = {**steps[-1], "text": steps[-1]["text"] + rec["text"]}
            text += rec["text"]
            continue
        steps.append(rec)
        text += rec["text"]
        status = _status(len(steps), rec["eos"], False, temperature, top_k, top_p, seed, lang)
        yield (text, tokens_html(steps, prompt), status, list(steps),  # a copy: the State must not see later steps
               gr.update(maximum=max(len(steps) - 1, 1), value=len(steps) - 1), gr.skip(), gr.skip())
    # Show the step where the model was least sure (the largest nucleus): a step with one obvious token says
    # little about top-p. The slider walks through the others.
    shown = max(range(len(steps)), key=lambda i: (steps[i]["view"]["nucleus_size"], -i))
    # The final text is decode(all new ids): the streamed pieces hold back unfinished characters, and a run of
    # invalid bytes (an untrained model writes those) may come out differently piece by piece.
    new_ids = [s["id"] for s in steps if not s["eos"]]
    text = prompt + loaded.tokenizer.decode(new_ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
    yield (text, tokens_html(steps, prompt), status, steps, gr.update(maximum=max(len(steps) - 1, 1), value=shown),
           nucleus_figure(steps[shown]["view"]), _caption(steps[shown], lang))


@gpu
@handler
def next_token_distribution(prompt, temperature=1.0, top_k=0, top_p=0.95, session=None, request: gr.Request = None):
    """The next_token_distribution event: the distribution right after the prompt (no sampling)."""
    lang = lang_of(request)
    temperature, top_k, top_p = _check_sampling(temperature, top_k, top_p, request)
    loaded = get_model(session or new_session())
    _check_prompt(prompt, 1, loaded)
    view = next_token_view_for_prompt(loaded.model, loaded.tokenizer, prompt, temperature, top_k, top_p)
    top = view["tokens"][0]
    caption = msg("step_caption", lang, step=0, piece=top["piece"], prob=top["prob"], size=view["nucleus_size"],
                  mass=view["nucleus_mass"], top_p=view["top_p"])
    return nucleus_figure(view), caption, view


@handler
def show_step(steps, step, request: gr.Request = None):
    """Helper event: the chart of another step of the last generation."""
    if not steps:
        return gr.skip(), gr.skip()
    i = min(max(as_int(step, "number", low=0), 0), len(steps) - 1)
    rec = steps[i]
    return nucleus_figure(rec["view"]), _caption(rec, lang_of(request))


@handler
def show_last_step(steps, request: gr.Request = None):
    """Helper event after Stop: the chart of the last step that was generated before the stop."""
    if not steps:
        return gr.skip(), gr.skip()
    return show_step(steps, len(steps) - 1, request)


@gpu
@handler
def side_by_side(prompt, values, seed=0, max_new_tokens=30, temperature=1.0, session=None,
                 request: gr.Request = None):
    """Helper event: one prompt and seed at several top-p values."""
    try:
        top_ps = parse_floats(values)
    except ValueError:
        raise UserError("top_p_list") from None
    if not 1 <= len(top_ps) <= MAX_COMPARE:
        raise UserError("top_p_list")
    for p in top_ps:
        if not 0 < p <= 1:
            raise UserError("top_p", value=p)
    max_new = as_int(max_new_tokens, "max_new_positive", low=1)
    temperature, _, _ = _check_sampling(temperature, 0, 1.0, request)
    seed = as_int(seed, "seed", low=0)
    loaded = get_model(session or new_session())
    _check_prompt(prompt, max_new, loaded)
    rows = compare_top_p(loaded.model, loaded.tokenizer, prompt, top_ps, seed, max_new, temperature)
    return pd.DataFrame([{"top_p": r["top_p"], "mean nucleus size": r["mean_nucleus_size"],
                          "text": prompt + r["text"]} for r in rows])


def build_tab(session: gr.State, T) -> None:
    gr.Markdown(T("gen_explain"))
    steps = gr.State([])
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(PRESET_PROMPT, label=T("gen_prompt"), lines=2, elem_id="gen-prompt")
            with gr.Row():
                max_new = Slider(1, 200, value=40, step=1, label=T("gen_max_new"), elem_id="gen-max-new")
                temperature = Slider(0, 2, value=0.8, step=0.05, label=T("gen_temperature"))
            with gr.Row():
                top_k = Slider(0, 100, value=0, step=1, label=T("gen_top_k"))
                top_p = Slider(0, 1, value=0.95, step=0.01, label=T("gen_top_p"), elem_id="gen-top-p")
                seed = gr.Number(0, precision=0, label=T("gen_seed"))
            with gr.Row():
                run = gr.Button(T("gen_run"), variant="primary", elem_id="gen-run")
                stop = gr.Button(T("gen_stop"), variant="stop", elem_id="gen-stop")
                nxt = gr.Button(T("gen_next_run"), elem_id="gen-next")
        with gr.Column(scale=2):
            gr.Code(CODE, language="python", label=T("code_label"), interactive=False)
    output = gr.Textbox(label=T("gen_output"), lines=4, interactive=False, elem_id="gen-output")
    tokens = gr.HTML(label=T("gen_tokens"), show_label=True, container=True, elem_id="gen-tokens", js_on_load=None)
    status = gr.Markdown(elem_id="gen-status")
    step = Slider(0, 1, value=0, step=1, label=T("gen_step"), elem_id="gen-step")
    caption = gr.Markdown(elem_id="gen-caption")
    chart = gr.Plot(label=T("gen_chart"), format="png", elem_id="gen-chart")
    view_json = gr.JSON(visible=False)

    event = run.click(generate, [prompt, max_new, temperature, top_k, top_p, seed, session],
                      [output, tokens, status, steps, step, chart, caption], api_name="generate",
                      concurrency_limit=4, concurrency_id="model")
    stop.click(None, None, None, cancels=[event], api_visibility="private").then(
        show_last_step, [steps], [chart, caption], api_visibility="private")
    step.input(show_step, [steps, step], [chart, caption], api_visibility="private", trigger_mode="always_last")
    nxt.click(next_token_distribution, [prompt, temperature, top_k, top_p, session], [chart, caption, view_json],
              api_name="next_token_distribution", concurrency_limit=4, concurrency_id="model")

    gr.Markdown(T("gen_compare_title"))
    with gr.Row():
        values = gr.Textbox("0.3, 0.8, 0.95, 1.0", label=T("gen_compare_values"), elem_id="gen-compare-values")
        compare = gr.Button(T("gen_compare_run"), elem_id="gen-compare")
    table = gr.Dataframe(headers=["top_p", "mean nucleus size", "text"], interactive=False, wrap=True,
                         elem_id="gen-compare-table")
    compare.click(side_by_side, [prompt, values, seed, max_new, temperature, session], [table],
                  api_visibility="private", concurrency_limit=4, concurrency_id="model")
