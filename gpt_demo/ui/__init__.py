"""The Gradio app: ``build_demo()`` assembles six tabs, each built by ``build_tab`` in its own module.

This is the only package of gpt_demo that imports gradio. Handlers are plain functions over library calls
(``gpt_demo.walkthrough``, ``gpt_demo.precision``, ``gpt_demo.checkpoints``, ``gpt_demo.lora``), so the tests call
them directly; every event that scripts may use has a stable ``api_name``:

    tokenize, pad_and_mask, generate, next_token_distribution, load_checkpoint, apply_adapter,
    merge_adapter, precision_compare, train_start, train_status, train_stop, train_resume, lora_train

and every other event is ``api_visibility="private"``. Nothing is loaded while the page is built: models load
on first use and are shared through ``state.MODELS``.
"""

from __future__ import annotations

import gradio as gr

from . import tab_checkpoints, tab_generate, tab_masking, tab_precision, tab_tokenizer, tab_train
from .i18n import TAB_TITLES, gr_i18n, lang_of
from .state import available_checkpoints, new_session

API_NAMES = ("tokenize", "pad_and_mask", "generate", "next_token_distribution", "load_checkpoint",
             "apply_adapter", "merge_adapter", "precision_compare",
             "train_start", "train_status", "train_stop", "train_resume", "lora_train")

CSS = """
.tok-chips { display: flex; flex-wrap: wrap; }
"""


class DemoBlocks(gr.Blocks):
    """gr.Blocks whose ``launch`` defaults to our translations, CSS and a safe server name.

    In gradio 6 ``i18n``, ``theme`` and ``css`` are arguments of ``launch()``; giving them here means
    ``demo.launch()`` from Spaces, ``app.py`` or a test all get the same page.
    """

    def launch(self, *args, **kwargs):
        kwargs.setdefault("i18n", gr_i18n())
        kwargs.setdefault("css", CSS)
        kwargs.setdefault("show_error", True)  # our gr.Error messages; tracebacks are never sent
        return super().launch(*args, **kwargs)


def _on_page_load(session, request: gr.Request = None):
    """Helper event at page load: fill the checkpoint and adapter lists, show the session's model and the
    machine facts (done here, not while building, so that start-up stays fast)."""
    session = session or new_session()
    try:
        models, adapters = available_checkpoints("model"), available_checkpoints("adapter")
    except OSError:
        models, adapters = [], []
    lang = lang_of(request)
    return (gr.update(choices=models, value=session.checkpoint), gr.update(choices=adapters, value=None),
            session.label(lang), tab_precision.facts_markdown(), tab_precision.demos_frame(lang))


def build_demo(checkpoint: str | None = None) -> gr.Blocks:
    """The whole app. ``checkpoint``: the checkpoint name new sessions start with (default: the bundled one)."""
    T = gr_i18n()
    with DemoBlocks(title="gpt_demo", analytics_enabled=False) as demo:
        session = gr.State(new_session(checkpoint))  # one copy per browser tab: this learner's choices
        gr.Markdown(T("app_intro"))
        session_label = gr.Markdown(elem_id="session-label")
        with gr.Tabs():
            with gr.Tab(TAB_TITLES["tokenizer"], id="tokenizer"):
                tab_tokenizer.build_tab(session, T)
            with gr.Tab(TAB_TITLES["masking"], id="masking"):
                tab_masking.build_tab(session, T)
            with gr.Tab(TAB_TITLES["generate"], id="generate"):
                tab_generate.build_tab(session, T)
            with gr.Tab(TAB_TITLES["checkpoints"], id="checkpoints"):
                ckpt, adapter = tab_checkpoints.build_tab(session, session_label, T)
            with gr.Tab(TAB_TITLES["precision"], id="precision"):
                facts, demos = tab_precision.build_tab(session, T)
            with gr.Tab(TAB_TITLES["train"], id="train"):
                tab_train.build_tab(session, session_label, T)
        demo.load(_on_page_load, [session], [ckpt, adapter, session_label, facts, demos], api_visibility="private")
        demo.unload(tab_train.leave)  # a learner who leaves: their training job is cancelled, their files deleted
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo


__all__ = ["build_demo", "API_NAMES"]
