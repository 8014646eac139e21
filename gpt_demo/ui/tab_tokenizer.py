"""Tab 1 · 토큰화 · Tokenizer: pieces and ids, byte fallback, counts, round trip; train your own and compare."""

from __future__ import annotations

import html
import itertools
import tempfile
import time

import gradio as gr

from ..tokenizer import MIN_VOCAB_SIZE
from ..walkthrough import MAX_TOKENIZE_CHARS, MAX_TRAIN_CHARS, MAX_TRAIN_VOCAB, token_report, train_small_tokenizer
from .i18n import lang_of, msg
from .state import Slider, UserError, as_int, check_text, get_base, handler, new_session, warn

PRESETS = [
    "나는 맛있는 음식을 좋아합니다. I like delicious food.",
    "나는 공부를 합니다.",
    "뷁! 이 글자는 드물어서 바이트 조각으로 쪼개집니다.",
    "The tokenizer splits 2024 into digits: 2 0 2 4.",
]

CODE = '''from gpt_demo.checkpoints import load
from gpt_demo.tokenizer import pieces, train_tokenizer

model, tok = load("gpt-demo-ko-en-tiny")           # the checkpoint's tokenizer comes with it
text = "나는 맛있는 음식을 좋아합니다. I like delicious food."

ids = tok.encode(text, add_special_tokens=False)     # the ids the model sees
for p in pieces(tok, text):                          # one dict per token
    print(p["id"], p["piece"], "byte" if p["is_byte"] else "")
assert tok.decode(ids) == text                       # SentencePiece is lossless

# Train a small SentencePiece model on your own text (BPE or unigram).
# byte_fallback=True: characters it has no piece for become <0x..> byte pieces, not <unk>.
mine = train_tokenizer([training_text], "my-tokenizer", vocab_size=400, model_type="bpe")
print(mine.encode(text, add_special_tokens=False))
'''

_PALETTE = ["#dbeafe", "#fde68a", "#bbf7d0", "#fbcfe8", "#ddd6fe", "#fed7aa"]


def default_training_text(lines: int = 240) -> str:
    """A small Korean + English sample (built from word lists) that trains a 400-piece tokenizer in a second."""
    ko_subj = "나는 우리는 그녀는 학생들은 고양이가 선생님께서 친구가 할머니는 개발자는 아이들이".split()
    ko_obj = "사과를 책을 음식을 코드를 음악을 영화를 편지를 커피를 문제를 그림을 노래를 바다를".split()
    ko_verb = "좋아합니다 읽었습니다 먹었어요 작성했다 들었습니다 보았다 썼습니다 마셨어요 풀었다 그렸습니다".split()
    en_subj = ["The cat", "A student", "My friend", "The model", "Our team", "The teacher", "A developer"]
    en_verb = ["reads", "writes", "likes", "trains", "explains", "computes", "remembers"]
    en_obj = ["a book", "the tokens", "some coffee", "the loss", "a long story", "every batch", "the answer"]
    ko = itertools.product(ko_subj, ko_obj, ko_verb)
    en = itertools.product(en_subj, en_verb, en_obj)
    out = []
    for i in range(lines):
        if i % 2 == 0:
            s, o, v = next(ko)
            out.append(f"{s} {o} {v}. 가격은 {i * 37 % 1000}원입니다.")
        else:
            s, v, o = next(en)
            out.append(f"{s} {v} {o} in {2000 + i % 30}.")
    return "\n".join(out)


def chips_html(report: dict) -> str:
    """Token chips: the piece on top, the id below; byte pieces dashed, special tokens dark."""
    chips = []
    for n, p in enumerate(report["pieces"]):
        piece = html.escape(p["piece"])
        if p["is_special"]:
            style = "background:#374151;color:#fff;border:1px solid #111827"
        elif p["is_byte"]:
            style = "background:#fff7ed;color:#111;border:2px dashed #ea580c"
        else:
            style = f"background:{_PALETTE[n % len(_PALETTE)]};color:#111;border:1px solid #9ca3af"
        kind = "special" if p["is_special"] else "byte" if p["is_byte"] else "piece"
        chips.append(
            f'<span class="tok-chip tok-{kind}" title="id {p["id"]} · {kind}" style="display:inline-flex;'
            f'flex-direction:column;align-items:center;margin:2px;padding:2px 6px;border-radius:6px;{style}">'
            f'<span style="font-family:monospace;white-space:pre">{piece}</span>'
            f'<span style="font-size:0.75em;opacity:0.8">{p["id"]}</span></span>'
        )
    if not chips:
        return "<div class='tok-chips' style='padding-top:1.6em'>(0 tokens)</div>"
    return "<div class='tok-chips' style='line-height:1.2;padding-top:1.6em'>" + "".join(chips) + "</div>"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def stats_markdown(report: dict, lang: str) -> str:
    roundtrip = msg("roundtrip_ok" if report["roundtrip_ok"] else "roundtrip_bad", lang)
    line = msg("tok_stats", lang, chars=report["n_chars"], tokens=report["n_tokens"],
               ratio=report["tokens_per_char"], bytes=report["n_byte_pieces"], roundtrip=roundtrip)
    ids = ", ".join(str(i) for i in report["ids"][:400]) + (" …" if len(report["ids"]) > 400 else "")
    return f"{line}\n\n`ids = [{ids}]`"


@handler
def tokenize(text, session=None, request: gr.Request = None):
    """The tokenize event (api_name "tokenize"): chips HTML, counts markdown, the full report as JSON."""
    text = check_text(text, "text", MAX_TOKENIZE_CHARS, allow_whitespace=True)
    if not text.strip():
        warn("whitespace_tok", request)
    tokenizer = get_base((session or new_session()).checkpoint).tokenizer
    report = token_report(tokenizer, text)
    return chips_html(report), stats_markdown(report, lang_of(request)), report


@handler
def train_and_compare(training_text, vocab_size, model_type, text, session=None, request: gr.Request = None,
                      progress=gr.Progress()):
    """Train a small SentencePiece model on ``training_text`` and tokenize ``text`` with both tokenizers."""
    training_text = check_text(training_text, "training", MAX_TRAIN_CHARS)
    text = check_text(text, "text", MAX_TOKENIZE_CHARS, allow_whitespace=True)
    vocab = as_int(vocab_size, "vocab", low=0) if vocab_size is not None else None
    if vocab is None or not MIN_VOCAB_SIZE <= vocab <= MAX_TRAIN_VOCAB:
        raise UserError("vocab", low=MIN_VOCAB_SIZE, high=MAX_TRAIN_VOCAB, value=vocab_size)
    if model_type not in ("bpe", "unigram"):
        raise UserError("value", detail=f"model_type must be 'bpe' or 'unigram', got {model_type!r}")
    lang = lang_of(request)
    reference = get_base((session or new_session()).checkpoint).tokenizer
    progress(0.1, desc=f"SentencePiece {model_type}, vocab {vocab} …")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gpt-demo-tok-") as tmp:
        mine = train_small_tokenizer(training_text, vocab, model_type, out_dir=f"{tmp}/tok")
    seconds = time.perf_counter() - start
    ours, theirs = token_report(reference, text), token_report(mine, text)
    summary = (msg("trained", lang, model_type=model_type, vocab=len(mine), seconds=seconds) + "\n\n"
               + "| | " + " | ".join(["checkpoint", "trained"]) + " |\n|---|---|---|\n"
               + f"| vocab | {len(reference)} | {len(mine)} |\n"
               + f"| tokens | {ours['n_tokens']} | {theirs['n_tokens']} |\n"
               + f"| byte pieces | {ours['n_byte_pieces']} | {theirs['n_byte_pieces']} |\n"
               + f"| round trip | {_mark(ours['roundtrip_ok'])} | {_mark(theirs['roundtrip_ok'])} |")
    return chips_html(ours), chips_html(theirs), summary


def build_tab(session: gr.State, T) -> None:
    """The components and events of the tokenizer tab (inside a ``gr.Tab``). ``T`` makes i18n keys."""
    gr.Markdown(T("tok_explain"))
    with gr.Row():
        with gr.Column(scale=3):
            text = gr.Textbox(PRESETS[0] + " 뷁!", label=T("tok_text"), lines=3, max_lines=12, elem_id="tok-text")
            gr.Examples([[p] for p in PRESETS], inputs=[text])
            run = gr.Button(T("tok_run"), variant="primary", elem_id="tok-run")
        with gr.Column(scale=2):
            gr.Code(CODE, language="python", label=T("code_label"), interactive=False)
    chips = gr.HTML(label=T("tok_chips"), show_label=True, container=True, elem_id="tok-chips", js_on_load=None)
    stats = gr.Markdown(elem_id="tok-stats")
    with gr.Accordion(T("json_label"), open=False):
        report = gr.JSON(show_label=False)
    run.click(tokenize, [text, session], [chips, stats, report], api_name="tokenize")
    text.submit(tokenize, [text, session], [chips, stats, report], api_visibility="private")

    gr.Markdown(T("tok_train_title"))
    with gr.Row():
        train_text = gr.Textbox(default_training_text(), label=T("tok_train_text"), lines=6, max_lines=10)
        with gr.Column():
            vocab = Slider(MIN_VOCAB_SIZE, 2000, value=400, step=10, label=T("tok_vocab"))
            algo = gr.Radio(["bpe", "unigram"], value="bpe", label=T("tok_model_type"))
            train = gr.Button(T("tok_train_run"), elem_id="tok-train")
    with gr.Row():
        left = gr.HTML(label=T("tok_ckpt_side"), show_label=True, container=True, elem_id="tok-left", js_on_load=None)
        right = gr.HTML(label=T("tok_new_side"), show_label=True, container=True, elem_id="tok-right", js_on_load=None)
    summary = gr.Markdown(elem_id="tok-train-summary")
    train.click(train_and_compare, [train_text, vocab, algo, text, session], [left, right, summary],
                api_visibility="private", concurrency_limit=2, concurrency_id="train_tokenizer")
