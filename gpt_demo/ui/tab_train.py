"""Tab 6 · 학습 · Train: train a GPT from scratch on the learner's text, or fine-tune this session's model with LoRA.

A thin view over ``gpt_demo.jobs`` (the queue, the time limit, stop/resume, the per-session folders) and through it
``gpt_demo.training.train`` / ``gpt_demo.lora.train_lora``: no training math here. The job of a session is found
by the session's id (``request.session_hash``), so one browser tab (or one gradio_client) has at most one job, and
``leave`` (``demo.unload``) cancels it and deletes its folder.

Events with stable api_names: ``train_start`` (check the input, queue the job, return at once), ``train_status``
(streams the progress until the job ends, then makes the trained model this session's model), ``train_stop``,
``train_resume``, ``lora_train`` (queue a LoRA job and stream it to the end).
"""

from __future__ import annotations

import functools
import html
import inspect
import threading
import time

import gradio as gr
import pandas as pd

from .. import jobs
from .i18n import lang_of, msg
from .state import Session, Slider, UserError, Word, forget_trained, get_model, handler, new_session, register_trained
from .tab_generate import visible

POLL_S = 0.5  # how often a watcher looks at the job
HEARTBEAT_S = 5.0  # a watcher yields at least this often (elapsed time, queue position)
MAX_CHART_POINTS = 400
EXAMPLE_BYTES = 300_000

FIELDS = ("num_hidden_layers", "hidden_size", "num_attention_heads", "block_size", "vocab_size", "max_steps",
          "learning_rate")

LORA_EXAMPLES = [
    ["top-p가 무엇인가요?", "확률이 높은 토큰부터 더해 합이 top_p가 되는 가장 작은 집합에서만 고르는 방법입니다."],
    ["What does top-p do?", "It samples only from the smallest set of most likely tokens whose probabilities add up "
                            "to top_p."],
    ["LoRA는 무엇인가요?", "원래 가중치는 얼려 두고 작은 행렬 B·A만 학습하는 미세조정 방법입니다."],
    ["What is LoRA?", "Fine-tuning that freezes the weights and trains a small low-rank update B·A beside them."],
]
LORA_QUESTION = "top-p는 무엇을 하나요?"

CODE = '''from gpt_demo import jobs

m = jobs.manager()                                   # the server's queue (limit, time limit, folders)
settings = jobs.settings_for("tiny", max_steps=400)  # bounded fields; InputError names a bad one
plan = jobs.plan_scratch(m.folder(session), text, settings)   # 90 % train / 10 % validation
job = m.submit_scratch(session, plan)                # tokenizer -> training.train(args, on_step=...)
# on_step(row, model) runs after every step: it records the losses, writes a sample every
# few steps, and returns True when the learner pressed Stop (or the time limit passed)
job.wait(); job.result["folder"], job.result["zip"]  # AutoModelForCausalLM.from_pretrained(folder)
'''


# --- small helpers --------------------------------------------------------------------------------------------------
def _owner(request) -> str:
    """The session id of the request (one job per browser tab / gradio_client); "local" without a request."""
    return str(getattr(request, "session_hash", None) or "local")


def _as_user_error(err: jobs.InputError) -> UserError:
    values = dict(err.values)
    if "field" in values:
        values["field"] = Word(f"field_{values['field']}")
    if "missing" in values:
        values["missing"] = Word(f"word_{values['missing']}")
    if "split" in values:
        values["split"] = Word(f"word_{values['split']}")
    return UserError(err.key, **values)


def translate_input_errors(fn):
    """jobs.InputError -> the translated UserError of the same key (``handler`` then shows it)."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except jobs.InputError as e:
                raise _as_user_error(e) from None
        return gen

    @functools.wraps(fn)
    def plain(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except jobs.InputError as e:
            raise _as_user_error(e) from None
    return plain


def _clock(seconds) -> str:
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _num(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def chart_frame(rows: list[dict], lang: str, validation: bool = True) -> pd.DataFrame | None:
    """Long-format losses for gr.LinePlot: columns step, loss, series (training / validation); at most
    ``MAX_CHART_POINTS`` training points (evenly thinned), every validation point. None before the first step.

    The chart fixes its colour legend from the first data it draws (later updates only swap the data), so every
    frame names both series: before the first validation loss, a placeholder row with no value (not drawn)."""
    train = [r for r in rows if "loss" in r]
    if not train:
        return None
    if len(train) > MAX_CHART_POINTS:
        every = -(-len(train) // MAX_CHART_POINTS)
        train = train[::every] + ([train[-1]] if (len(train) - 1) % every else [])
    t_name, v_name = msg("word_train", lang), msg("word_val", lang)
    data = [{"step": r["step"], "loss": r["loss"], "series": t_name} for r in train]
    vals = [{"step": r["step"], "loss": r["val_loss"], "series": v_name} for r in rows if "val_loss" in r]
    if validation and not vals:
        vals = [{"step": train[0]["step"], "loss": float("nan"), "series": v_name}]
    frame = pd.DataFrame(data + vals, columns=["step", "loss", "series"])
    # typed: the chart reads the axis types (numbers, not categories) from the columns' dtypes
    return frame.astype({"step": "int64", "loss": "float64", "series": "str"})


def samples_html(samples: list[dict]) -> str:
    """Newest first: each sample with its step; control characters shown as \\x.. so nothing is invisible."""
    if not samples:
        return "<div id='train-samples-list'></div>"
    items = []
    for i, s in enumerate(reversed(samples)):
        style = "font-weight:600;background:#eef3fd" if i == 0 else "color:#444"
        text = html.escape(visible(s["text"])).replace("\n", "⏎ ")
        items.append(f"<div class='train-sample' data-step='{s['step']}' style='padding:4px 6px;border-radius:4px;"
                     f"{style}'><span style='color:#2f6fdf'>step {s['step']}</span> · "
                     f"<span style='white-space:pre-wrap'>{text}</span></div>")
    return "<div id='train-samples-list'>" + "".join(items) + "</div>"


def status_text(snap: dict | None, lang: str, name: str | None = None) -> str:
    """One Markdown line for a job snapshot: queue place, stage, or step / losses / speed / times."""
    if snap is None:
        return msg("job_none", lang)
    state, rows = snap["state"], snap["rows"]
    if state == "queued":
        return msg("job_queued", lang, position=snap["position"], running=snap.get("running", 0),
                   limit=snap.get("max_running", 1))
    progress = ""
    if rows and snap["kind"] == "lora":
        last = rows[-1]
        progress = msg("job_progress_lora", lang, step=last["step"], max_steps=snap["max_steps"],
                       loss=_num(last["loss"]), elapsed=_clock(snap["elapsed_s"]), eta=_clock(last.get("eta_s")))
    elif rows:
        last = rows[-1]
        vals = [r for r in rows if "val_loss" in r]
        progress = msg("job_progress", lang, step=last["step"], max_steps=snap["max_steps"], loss=_num(last["loss"]),
                       val=_num(vals[-1]["val_loss"]) if vals else "–", tok_s=f"{last.get('tok_per_s', 0):,.0f}",
                       elapsed=_clock(snap["elapsed_s"]), eta=_clock(last.get("eta_s")))
    result = snap["result"]
    if state == "preparing":
        head = msg("job_preparing_lora" if snap["kind"] == "lora" else "job_preparing", lang)
    elif state == "saving":
        head = msg("job_saving", lang)
    elif state == "training" and snap["stop_reason"] == "stopped":
        head = msg("job_stop_requested", lang)
    elif state in ("stopped", "timeout") and not result.get("folder"):
        head = msg("job_stopped_early", lang)
    elif snap["kind"] == "lora" and result.get("folder") and snap["done"]:  # finished, or stopped early
        head = msg("lora_done", lang, step=result["step"], first=_num(result.get("first_loss")),
                   last=_num(result.get("loss")), trainable=result.get("trainable_params") or 0,
                   pct=result.get("trainable_pct"), diff=result.get("merge_diff") or 0.0, name=name or "")
    elif state == "finished" and result.get("folder"):
        head = msg("job_finished", lang, name=name or "", first=_num(result.get("first_loss")),
                   last=_num(result.get("loss")))
    elif state == "stopped":
        head = msg("job_stopped", lang, step=result.get("step"), name=name or "")
    elif state == "timeout":
        head = msg("job_timeout", lang, limit=int(snap.get("time_limit_s", 0)), step=result.get("step"),
                   name=name or "")
    elif state == "cancelled":
        head = msg("job_cancelled", lang)
    else:
        head = ""
    return "\n\n".join(x for x in (head, progress) if x)


_names: dict[str, str] = {}  # job id -> the checkpoint name its model got (one name per job)
_names_lock = threading.Lock()


def model_name(snap: dict) -> str | None:
    """The session checkpoint name of the job's model ("trained:..."), registered once per job."""
    folder = snap["result"].get("folder")
    if not folder:
        return None
    with _names_lock:
        if snap["id"] not in _names:
            _names[snap["id"]] = register_trained(folder, "my-gpt-lora" if snap["kind"] == "lora" else "my-gpt")
        return _names[snap["id"]]


def _error_of(snap: dict) -> UserError | None:
    err = snap["error"]
    if err is None:
        return None
    if err["key"]:
        return _as_user_error(jobs.InputError(err["key"], err["message"], **err["values"]))
    if err["type"] in ("ValueError", "FileNotFoundError", "AdapterError", "FloatingPointError"):  # explained
        return UserError("value", detail=err["message"].splitlines()[0][:500])
    return UserError("train_failed", kind=err["type"])


def _follow(job, session, lang, view):
    """Yield ``view(snapshot, name, session)`` whenever the job changes (at least every HEARTBEAT_S) until it ends;
    then once more with this session pointed at the trained model, or raise the job's error."""
    m = jobs.manager()
    seen, last_yield = None, 0.0
    while True:
        snap = m.snapshot(job)
        key = (snap["version"], snap["position"], snap["running"])
        if snap["done"]:
            break
        if key != seen or time.monotonic() - last_yield > HEARTBEAT_S:
            seen, last_yield = key, time.monotonic()
            yield view(snap, None, gr.skip())
        time.sleep(POLL_S)
    name = model_name(snap)
    if name is not None:
        session = Session(checkpoint=name)
    yield view(snap, name, session if name is not None else gr.skip())
    error = _error_of(snap)
    if error is not None:
        raise error


def _scratch_view(lang):
    def view(snap, name, session):
        label = session.label(lang) if isinstance(session, Session) else gr.skip()
        zip_path = snap["result"].get("zip") if snap["done"] else None
        return (status_text(snap, lang, name), chart_frame(snap["rows"], lang), samples_html(snap["samples"]),
                zip_path if zip_path else gr.skip(), session, label)
    return view


# --- from scratch ---------------------------------------------------------------------------------------------------
@handler
def apply_preset(preset):
    """Helper event: the preset's values in the advanced fields."""
    values = jobs.PRESETS.get(preset, jobs.PRESETS["tiny"])
    return tuple(values[f] for f in FIELDS)


@handler
def example_text():
    """Helper event: ~300 KB of the project's own corpus (Korean and English stories), to try training at once."""
    from ..corpus import generate_text

    return generate_text(seed=7, n_bytes=EXAMPLE_BYTES)


def _training_text(text, upload) -> str:
    if upload:
        path = upload if isinstance(upload, str) else getattr(upload, "path", None) or getattr(upload, "name", "")
        return jobs.read_text_file(path)
    return text


def _manager_if_idle(owner):
    """The job manager, after checking this owner has no job running (one job per learner at a time)."""
    m = jobs.manager()
    current = m.job_of(owner)
    if current is not None and not current.done:
        raise jobs.InputError("job_running", "a job is running", state=current.state)
    return m


@handler
@translate_input_errors
def train_start(text, upload=None, preset="tiny", layers=None, hidden=None, heads=None, context=None, vocab=None,
                steps=None, learning_rate=None, prompt="", session=None, request: gr.Request = None):
    """The train_start event: check the text and settings, queue a from-scratch job, return at once.

    Returns the status line, an empty chart, no samples and no download (train_status fills them in)."""
    lang = lang_of(request)
    owner = _owner(request)
    m = _manager_if_idle(owner)
    settings = jobs.settings_for(preset, **dict(zip(FIELDS, (layers, hidden, heads, context, vocab, steps,
                                                             learning_rate))))
    text = jobs.check_text(_training_text(text, upload))
    plan = jobs.plan_scratch(m.folder(owner), text, settings, prompt if isinstance(prompt, str) else None)
    job = m.submit_scratch(owner, plan)
    snap = m.snapshot(job)
    return status_text(snap, lang), chart_frame([], lang), samples_html([]), None


@handler
@translate_input_errors
def train_resume(session=None, request: gr.Request = None):
    """The train_resume event: continue this session's stopped run from its checkpoint (a new job in the queue)."""
    lang = lang_of(request)
    m = jobs.manager()
    job = m.resume(_owner(request))
    snap = m.snapshot(job)
    return status_text(snap, lang), chart_frame(snap["rows"], lang), samples_html(snap["samples"]), None


@handler
def train_status(session=None, request: gr.Request = None):
    """The train_status event (streams): the session's job until it ends (status, losses, samples); at the end the
    zip and the session pointing at the trained model. A failed job ends with its translated message."""
    lang = lang_of(request)
    job = jobs.manager().job_of(_owner(request))
    view = _scratch_view(lang)
    if job is None:
        yield msg("job_none", lang), chart_frame([], lang), samples_html([]), gr.skip(), gr.skip(), gr.skip()
        return
    yield from _follow(job, session or new_session(), lang, view)


@handler
def train_stop(request: gr.Request = None):
    """The train_stop event: ask this session's job to stop after the current step (a checkpoint is saved)."""
    lang = lang_of(request)
    job = jobs.manager().stop(_owner(request))
    return msg("job_stop_requested" if job is not None else "job_none", lang)


# --- LoRA -----------------------------------------------------------------------------------------------------------
def _lora_view(lang):
    def view(snap, name, session):
        label = session.label(lang) if isinstance(session, Session) else gr.skip()
        result = snap["result"]
        zip_path = result.get("zip") if snap["done"] else None
        return (status_text(snap, lang, name), chart_frame(snap["rows"], lang, validation=False),
                result.get("before", ""),
                result.get("after", ""), zip_path if zip_path else gr.skip(), session, label)
    return view


@handler
@translate_input_errors
def lora_train(table=None, upload=None, question=LORA_QUESTION, steps=None, learning_rate=None, session=None,
               request: gr.Request = None):
    """The lora_train event (streams): fine-tune this session's model on the table's (or the uploaded file's)
    question/answer pairs, compare the held-out question's answer before and after, merge; the merged model
    becomes this session's model."""
    lang = lang_of(request)
    owner = _owner(request)
    m = _manager_if_idle(owner)
    if upload:
        path = upload if isinstance(upload, str) else getattr(upload, "path", None) or getattr(upload, "name", "")
        examples = jobs.read_qa_file(path)
    else:
        examples = jobs.examples_from_rows(table)
    session = session or new_session()
    if session.adapter and not session.merged:
        raise UserError("lora_needs_plain")
    loaded = get_model(session)
    plan = jobs.plan_lora(m.folder(owner), examples, question, steps, learning_rate)
    job = m.submit_lora(owner, plan, loaded.model, loaded.tokenizer)
    yield from _follow(job, session, lang, _lora_view(lang))


# --- leaving --------------------------------------------------------------------------------------------------------
def leave(request: gr.Request = None):
    """demo.unload: the learner closed the tab; cancel their job, forget their models, delete their folder."""
    owner = _owner(request)
    m = jobs.manager()
    if m._root is not None:
        forget_trained(m.folder(owner, create=False))
    m.leave(owner)


# --- the tab --------------------------------------------------------------------------------------------------------
def build_tab(session: gr.State, session_label: gr.Markdown, T) -> None:
    gr.Markdown(T("train_explain"))
    with gr.Tabs():
        with gr.Tab(T("train_scratch_tab"), id="train-scratch"):
            _build_scratch(session, session_label, T)
        with gr.Tab(T("train_lora_tab"), id="train-lora"):
            _build_lora(session, session_label, T)


def _build_scratch(session, session_label, T) -> None:
    tiny = jobs.PRESETS["tiny"]
    b = jobs.BOUNDS
    with gr.Row():
        with gr.Column(scale=3):
            text = gr.Textbox("", label=T("train_text"), lines=6, max_lines=12, elem_id="train-text")
            with gr.Row():
                upload = gr.File(label=T("train_upload"), file_types=[".txt"], type="filepath",
                                 elem_id="train-upload", height=120)
                example = gr.Button(T("train_example"), size="sm", elem_id="train-example")
            with gr.Row():
                preset = gr.Radio(list(jobs.PRESETS), value="tiny", label=T("train_preset"), elem_id="train-preset")
                prompt = gr.Textbox("", label=T("train_prompt"), elem_id="train-prompt")
            with gr.Accordion(T("train_advanced"), open=False):
                with gr.Row():
                    layers = Slider(*b["num_hidden_layers"], value=tiny["num_hidden_layers"], step=1,
                                    label=T("field_layers"), elem_id="train-layers")
                    hidden = Slider(*b["hidden_size"], value=tiny["hidden_size"], step=16, label=T("field_hidden"),
                                    elem_id="train-hidden")
                    heads = Slider(*b["num_attention_heads"], value=tiny["num_attention_heads"], step=1,
                                   label=T("field_heads"), elem_id="train-heads")
                with gr.Row():
                    context = Slider(*b["block_size"], value=tiny["block_size"], step=16, label=T("field_context"),
                                     elem_id="train-context")
                    vocab = Slider(*b["vocab_size"], value=tiny["vocab_size"], step=4, label=T("field_vocab"),
                                   elem_id="train-vocab")
                    steps = Slider(*b["max_steps"], value=tiny["max_steps"], step=10, label=T("field_steps"),
                                   elem_id="train-steps")
                    lr = gr.Number(tiny["learning_rate"], label=T("field_lr"), elem_id="train-lr")
            with gr.Row():
                run = gr.Button(T("train_run"), variant="primary", elem_id="train-run")
                stop = gr.Button(T("train_stop"), variant="stop", elem_id="train-stop")
                resume = gr.Button(T("train_resume"), elem_id="train-resume")
        with gr.Column(scale=2):
            gr.Code(CODE, language="python", label=T("code_label"), interactive=False)
    status = gr.Markdown(elem_id="train-status")
    with gr.Row():
        chart = gr.LinePlot(x="step", y="loss", color="series", label=T("train_chart"),
                            elem_id="train-chart")
        with gr.Column():
            samples = gr.HTML(label=T("train_samples"), show_label=True, container=True, elem_id="train-samples")
    download = gr.File(label=T("train_download"), interactive=False, elem_id="train-download")

    stream_out = [status, chart, samples, download, session, session_label]
    start_out = [status, chart, samples, download]
    preset.change(apply_preset, [preset], [layers, hidden, heads, context, vocab, steps, lr],
                  api_visibility="private")
    example.click(example_text, None, [text], api_visibility="private")
    # train_status streams for as long as the job runs: no concurrency limit (the job queue limits the training)
    run.click(train_start, [text, upload, preset, layers, hidden, heads, context, vocab, steps, lr, prompt, session],
              start_out, api_name="train_start").success(
        train_status, [session], stream_out, api_name="train_status", concurrency_limit=None)
    resume.click(train_resume, [session], start_out, api_name="train_resume").success(
        train_status, [session], stream_out, api_visibility="private", concurrency_limit=None)
    stop.click(train_stop, None, [status], api_name="train_stop")


def _build_lora(session, session_label, T) -> None:
    gr.Markdown(T("lora_explain"))
    with gr.Row():
        with gr.Column(scale=3):
            table = gr.Dataframe(value=LORA_EXAMPLES, headers=["question", "answer"], datatype=["str", "str"],
                                 column_count=2, interactive=True, wrap=True, label=T("lora_table"),
                                 elem_id="lora-table")
            upload = gr.File(label=T("lora_upload"), file_types=[".json", ".jsonl"], type="filepath",
                             elem_id="lora-upload", height=120)
        with gr.Column(scale=2):
            question = gr.Textbox(LORA_QUESTION, label=T("lora_question"), elem_id="lora-question")
            steps = Slider(*jobs.LORA_BOUNDS["max_steps"], value=jobs.LORA_DEFAULTS["max_steps"], step=5,
                           label=T("lora_steps"), elem_id="lora-steps")
            lr = gr.Number(jobs.LORA_DEFAULTS["learning_rate"], label=T("lora_lr"), elem_id="lora-lr")
            with gr.Row():
                run = gr.Button(T("lora_run"), variant="primary", elem_id="lora-run")
                stop = gr.Button(T("train_stop"), variant="stop", elem_id="lora-stop")
    status = gr.Markdown(elem_id="lora-status")
    with gr.Row():
        chart = gr.LinePlot(x="step", y="loss", color="series", label=T("lora_chart"),
                            elem_id="lora-chart")
        with gr.Column():
            before = gr.Textbox(label=T("lora_before"), lines=3, interactive=False, elem_id="lora-before")
            after = gr.Textbox(label=T("lora_after"), lines=3, interactive=False, elem_id="lora-after")
    download = gr.File(label=T("train_download"), interactive=False, elem_id="lora-download")
    run.click(lora_train, [table, upload, question, steps, lr, session],
              [status, chart, before, after, download, session, session_label], api_name="lora_train",
              concurrency_limit=None)
    stop.click(train_stop, None, [status], api_visibility="private")
