"""The training tab: its handlers called directly, its api_names through gradio_client, and a few seconds of training
driven in Chromium. Tiny settings (1 layer, hidden 64, context 32): a run takes seconds."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")  # gradio_client otherwise looks up huggingface.co

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from gpt_demo import GPTDemoForCausalLM, jobs, sampling  # noqa: E402
from gpt_demo.corpus import generate_text  # noqa: E402
from gpt_demo.tokenizer import load_tokenizer  # noqa: E402
from gpt_demo.ui import state, tab_generate, tab_train  # noqa: E402
from gpt_demo.ui.state import Session, new_session  # noqa: E402
from tests.app_fixtures import (  # noqa: E402,F401
    ADAPTER_NAME,
    DEFAULT_NAME,
    launched_app,
    tiny_checkpoints,
    tiny_checkpoints_folder,
)

pytestmark = pytest.mark.usefixtures("tiny_checkpoints")

# layers, hidden, heads, context, vocab, steps, learning rate
SMALL = (1, 64, 4, 32, 400, 30, 5e-3)


class Req:
    """A stand-in for gr.Request: the session id and the browser's language."""

    def __init__(self, session_hash: str, lang: str = "en"):
        self.session_hash = session_hash
        self.headers = {"accept-language": lang}


@pytest.fixture(scope="module", autouse=True)
def manager(tmp_path_factory):
    """A job manager of our own (in a temp folder; one job at a time) as the app's manager."""
    m = jobs.JobManager(root=tmp_path_factory.mktemp("jobs"), max_running=1, time_limit_s=120)
    old, jobs._manager = jobs._manager, m
    yield m
    m.cleanup()
    jobs._manager = old


@pytest.fixture(scope="module")
def text() -> str:
    return generate_text(seed=3, n_bytes=30_000, lang="en")


def start(text, req, settings=SMALL, prompt="One night,", session=None, upload=None):
    return tab_train.train_start(text, upload, "tiny", *settings, prompt, session or new_session(), req)


def stream_all(gen) -> list[tuple]:
    return list(gen)


def error_text(excinfo) -> str:
    assert isinstance(excinfo.value, gr.Error), type(excinfo.value)
    assert "Traceback" not in excinfo.value.message
    return excinfo.value.message


def greedy(model, tokenizer, prompt: str, n: int) -> str:
    ids = torch.tensor([tokenizer.encode(prompt, add_special_tokens=False)])
    new = []
    for t, _ in sampling.generate_stream(model, ids, n, temperature=0.0, eos_token_id=tokenizer.eos_token_id):
        if int(t[0]) == tokenizer.eos_token_id:
            break
        new.append(int(t[0]))
    return prompt + tokenizer.decode(new, skip_special_tokens=True, clean_up_tokenization_spaces=False)


# --- handlers ---------------------------------------------------------------------------------------------------
def test_bad_inputs_are_translated_and_start_nothing(manager, text, tmp_path):
    files = {"binary.txt": b"\x00\x01\x02binary", "latin1.txt": "café ".encode("latin-1") * 500,
             "big.txt": b"a" * (jobs.MAX_TEXT_BYTES + 1)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    cases = [
        (("", None, SMALL), "en", "The training text is empty"),
        (("   \n ", None, SMALL), "ko", "학습할 글이 공백뿐입니다"),
        (("short", None, SMALL), "en", "too short: 5 characters"),
        (("", str(tmp_path / "binary.txt"), SMALL), "en", "binary file"),
        (("", str(tmp_path / "latin1.txt"), SMALL), "ko", "UTF-8 글이 아닙니다"),
        (("", str(tmp_path / "big.txt"), SMALL), "en", "The file is too big"),
        ((text, None, (99,) + SMALL[1:]), "en", "the number of layers must be between 1 and 8 (got 99)"),
        ((text, None, (99,) + SMALL[1:]), "ko", "층 수은(는) 1에서 8 사이"),
        ((text, None, SMALL[:6] + ("fast",)), "en", "the learning rate: use a number"),
        ((text, None, (1, 100, 4) + SMALL[3:]), "en", "multiple of 2 × 4 heads"),
    ]
    assert tab_train.apply_preset("small") == tuple(jobs.PRESETS["small"][f] for f in tab_train.FIELDS)
    example = tab_train.example_text()
    assert len(example.encode()) >= tab_train.EXAMPLE_BYTES and jobs.check_text(example)
    for (value, upload, settings), lang, needle in cases:
        with pytest.raises(gr.Error) as e:
            start(value, Req("bad", lang), settings, upload=upload)
        assert needle in error_text(e), (needle, e.value.message)
    assert manager.job_of("bad") is None


def test_training_streams_progress_and_becomes_this_sessions_model(manager, text):
    req, other = Req("learner"), new_session()
    status, chart, samples, download = start(text, req, session=other)
    assert re.search(r"Waiting|Training the tokenizer|step", status) and download is None
    with pytest.raises(gr.Error) as e:  # pressing train twice
        start(text, req)
    assert "still queued or running" in error_text(e)

    updates = stream_all(tab_train.train_status(other, req))
    assert len(updates) >= 3
    status, chart, samples, download, session, label = updates[-1]
    assert status.startswith("✓ Done") and "step 30 / 30" in status
    assert isinstance(session, Session) and session.checkpoint.startswith("trained:my-gpt-")
    assert session.checkpoint in label and Path(download).name.endswith(".zip")
    assert set(chart["series"]) == {"training", "validation"} and chart["step"].max() == 30
    assert "data-step='1'" in samples and "data-step='30'" in samples
    assert not any(isinstance(u[4], Session) for u in updates[:-1])  # the session changes only at the end

    # the other tabs now use the trained model for this session only
    trained = state.get_model(session)
    folder = manager.job_of("learner").result["folder"]
    assert trained.folder == folder and trained.model.config.hidden_size == 64
    assert state.get_model(other).name == DEFAULT_NAME  # the session we started from is unchanged
    *_, final = tab_generate.generate("One night,", 8, 0, 0, 1.0, 0, session, Req("learner"))
    assert final[0] == greedy(trained.model, trained.tokenizer, "One night,", 8)
    assert tab_train.train_stop(req) == "This session has no training job."


def test_a_failed_job_explains_itself_and_keeps_the_previous_model(text):
    req = Req("failing", "ko")
    start(text[:2000], req, settings=SMALL[:4] + (8000,) + SMALL[5:])
    gen = tab_train.train_status(new_session(), req)
    with pytest.raises(gr.Error) as e:
        for update in gen:
            assert not isinstance(update[4], Session)  # the session's model never changes
    assert "사전 크기 8000은(는) 이 글에 비해 너무 큽니다" in error_text(e)


def test_lora_fine_tunes_merges_and_becomes_this_sessions_model(tmp_path):
    req = Req("lora-learner")
    table = pd.DataFrame([["What is top-p?", "The smallest set of likely tokens."], ["", ""],
                          ["What is LoRA?", "A low-rank update beside frozen weights."]],
                         columns=["question", "answer"])
    updates = stream_all(tab_train.lora_train(table, None, "Explain top-p.", 10, 1e-2, new_session(), req))
    status, chart, before, after, download, session, label = updates[-1]
    assert "✓ LoRA: 10 steps" in status and "Merged: max logit difference" in status
    assert session.checkpoint.startswith("trained:my-gpt-lora-") and Path(download).is_file()
    assert isinstance(before, str) and isinstance(after, str) and list(chart["series"].unique()) == ["training"]
    merged = state.get_model(session).model
    assert not any("lora_" in k for k in merged.state_dict())

    bad_json = tmp_path / "qa.json"
    bad_json.write_text('[\n {"instruction": "Q", "output": "A"}\n {"instruction": "Q2", "output": "A2"}\n]\n')
    for args, needle in [((table.iloc[[0]].assign(answer=[None]), None, "Q?"), "Row 1 of the table has no answer"),
                         ((None, str(bad_json), "Q?"), "qa.json, line 3"),
                         ((table, None, "What is LoRA?"), "also a training question"),
                         ((None, None, "Q?"), "No question/answer pairs")]:
        with pytest.raises(gr.Error) as e:
            stream_all(tab_train.lora_train(*args, 10, 1e-2, new_session(), req))
        assert needle in error_text(e), (needle, e.value.message)
    adapter_session = Session(checkpoint=DEFAULT_NAME, adapter=ADAPTER_NAME)
    with pytest.raises(gr.Error) as e:
        stream_all(tab_train.lora_train(table, None, "Q?", 10, 1e-2, adapter_session, req))
    assert "unmerged adapter" in error_text(e)


def test_leaving_cancels_the_job_and_deletes_the_files(manager, text):
    req = Req("leaver")
    start(text, req, settings=SMALL[:5] + (5000,) + SMALL[6:])
    job = manager.job_of("leaver")
    end = time.monotonic() + 60
    while not job.rows_copy() and time.monotonic() < end:
        time.sleep(0.02)
    folder = manager.folder("leaver", create=False)
    assert folder.is_dir()
    tab_train.leave(req)
    assert job.wait(30) and job.state == "cancelled"
    end = time.monotonic() + 5
    while folder.exists() and time.monotonic() < end:
        time.sleep(0.02)
    assert not folder.exists()


# --- gradio_client ------------------------------------------------------------------------------------------------
def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False)


def test_client_start_stream_stop_and_generate_with_the_result(launched_app, manager, text):  # noqa: F811
    client = _client(launched_app[1])
    status, *_ = client.predict(text, None, "tiny", *SMALL[:5], 5000, SMALL[6], "One night,", api_name="/train_start")
    job = client.submit(api_name="/train_status")
    steps_seen, stopped = [], False
    for status, *_ in job:
        m = re.search(r"step (\d+) / 5000", status)
        if m:
            steps_seen.append(int(m.group(1)))
        if not stopped and len(steps_seen) >= 2:
            assert "Stopping" in client.predict(api_name="/train_stop")
            stopped = True
    status, chart, samples, download, label = job.outputs()[-1]
    assert stopped and len(set(steps_seen)) >= 2 and steps_seen == sorted(steps_seen)
    assert status.startswith("■ Stopped at step") and Path(download).name.endswith(".zip")
    assert len(chart["data"]) >= 2 and "train-sample" in samples and "trained:my-gpt-" in label

    result = manager.job_of(client.session_hash).result
    model = GPTDemoForCausalLM.from_pretrained(result["folder"]).eval()
    tokenizer = load_tokenizer(result["folder"])
    text_out = client.submit("One night,", 10, 0, 0, 1.0, 0, api_name="/generate").result()[0]
    assert text_out == greedy(model, tokenizer, "One night,", 10)  # this session generates with its own model

    # resume: a new job continues the same run from its checkpoint; stop it again a few steps later
    stopped_at = int(re.search(r"Stopped at step (\d+)", status).group(1))
    client.predict(api_name="/train_resume")
    job = client.submit(api_name="/train_status")
    again = False
    for status, *_ in job:
        m = re.search(r"step (\d+) / 5000", status)
        if not again and m and int(m.group(1)) >= stopped_at + 2:
            client.predict(api_name="/train_stop")
            again = True
    status, chart, *_ = job.outputs()[-1]
    assert again and int(re.search(r"Stopped at step (\d+)", status).group(1)) > stopped_at + 1
    steps = [row[0] for row in chart["data"] if row[2] == "training"]
    assert steps == list(range(1, steps[-1] + 1))  # one curve, no gap, no repeat


def test_two_sessions_train_at_once_and_keep_their_own_models(launched_app, manager, text):  # noqa: F811
    url = launched_app[1]
    clients = [_client(url), _client(url)]
    hidden, steps = [64, 32], [40, 20]
    statuses = [c.predict(text, None, "tiny", 1, h, 4, 32, 400, n, 5e-3, "One night,", api_name="/train_start")[0]
                for c, h, n in zip(clients, hidden, steps)]
    assert "number 1 in the queue" in statuses[1]  # one job at a time: the second one waits, and says so
    finals: list = [None, None]

    def follow(i):
        finals[i] = clients[i].submit(api_name="/train_status").result()[0]

    threads = [threading.Thread(target=follow, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(f and f.startswith("✓ Done") for f in finals), finals
    outs = []
    for client, h in zip(clients, hidden):
        result = manager.job_of(client.session_hash).result
        model = GPTDemoForCausalLM.from_pretrained(result["folder"]).eval()
        assert model.config.hidden_size == h
        out = client.submit("One night,", 10, 0, 0, 1.0, 0, api_name="/generate").result()[0]
        assert out == greedy(model, load_tokenizer(result["folder"]), "One night,", 10)
        outs.append((result["folder"], out))
    assert outs[0][0] != outs[1][0]


# --- the browser --------------------------------------------------------------------------------------------------
def test_browser_trains_for_a_few_seconds_and_shows_the_chart_and_samples(launched_app, manager, text):  # noqa: F811
    from tests.test_browser import ARGS, CHROMIUM, SHOTS, Page  # skips here when Chromium is missing

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        p = Page(browser, launched_app[1], "en-US")
        page = p.page
        try:
            p.tab("학습 · Train")
            p.see("Train your own GPT")
            # LoRA on this session's model (the tiny test checkpoint): the example table, before/after, merge
            page.get_by_role("tab", name="LoRA fine-tuning").click()
            page.locator("#lora-run").click()
            p.see("LoRA: 60 steps", "#lora-status")
            page.locator("#lora-chart .mark-line path").first.wait_for()  # the loss line is drawn
            p.see("trained:my-gpt-lora-", "#session-label")
            p.shot("7-train-lora")
            page.get_by_role("tab", name="From scratch").click()
            page.locator("#train-text textarea").fill(text)
            page.get_by_text("Advanced settings").click()
            for elem, value in [("train-layers", 1), ("train-hidden", 64), ("train-context", 32),
                                ("train-vocab", 400), ("train-steps", 200)]:
                box = page.locator(f"#{elem} input[type='number']")
                box.fill(str(value))
                box.press("Enter")
            page.locator("#train-run").click()
            page.locator("#train-samples .train-sample[data-step='1']").wait_for()
            page.locator("#train-chart .mark-line path").first.wait_for()  # a drawn loss line, not just axes
            page.wait_for_function("document.querySelectorAll('#train-samples .train-sample').length >= 3")
            p.see("tokens/s", "#train-status")
            p.shot("7-train-running")
            page.locator("#train-status").get_by_text("Done").wait_for(timeout=60_000)
            p.see("trained:my-gpt-", "#session-label")
            assert page.locator("#train-chart .mark-line path").count() >= 2  # training and validation
            p.shot("7-train-done")
            assert (SHOTS / "7-train-done.png").stat().st_size > 10_000
            assert "Traceback" not in page.content()
            assert p.unexpected_errors() == []
            owner = next(o for o, j in manager._jobs.items() if j.kind == "scratch" and j.max_steps == 200)
            folder = manager.folder(owner, create=False)
            assert folder.is_dir()
        except Exception:
            p.shot("failure-train")
            raise
        finally:
            p.close()
            browser.close()
    # closing the tab is leaving (demo.unload): this learner's folder is deleted
    end = time.monotonic() + 20
    while folder.exists() and time.monotonic() < end:
        time.sleep(0.1)
    assert not folder.exists() and manager.job_of(owner) is None
