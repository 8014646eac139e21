"""gpt_demo.jobs: training jobs on a shared machine (queue, limits, stop/resume, folders) and the on_step hooks of
training.train / lora.train_lora. Tiny settings: every real training run here takes a few seconds."""

from __future__ import annotations

import threading
import time
import zipfile

import pytest
import torch

from gpt_demo import GPTDemoForCausalLM, jobs
from gpt_demo.corpus import generate_text
from tests.app_fixtures import DEFAULT_NAME, tiny_checkpoints_folder  # noqa: F401 (a fixture)

# a model small enough to train in seconds; the bounds still apply (they are the app's)
TINY = dict(num_hidden_layers=1, hidden_size=64, num_attention_heads=4, block_size=32, vocab_size=400,
            learning_rate=5e-3)


@pytest.fixture(scope="module")
def text() -> str:
    return generate_text(seed=3, n_bytes=40_000, lang="en")


@pytest.fixture
def manager(tmp_path):
    m = jobs.JobManager(root=tmp_path, max_running=1, time_limit_s=120)
    yield m
    m.cleanup()


def run_to_end(job, timeout: float = 120.0) -> dict:
    assert job.wait(timeout), f"job still {job.state} after {timeout} s"
    return job.snapshot()


def wait_for(predicate, timeout: float = 60.0, every: float = 0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError("condition not reached in time")


# --- settings and input -----------------------------------------------------------------------------------------
def test_settings_presets_and_bounds():
    assert jobs.settings_for("tiny").hidden_size == jobs.PRESETS["tiny"]["hidden_size"]
    s = jobs.settings_for("small", max_steps=20, learning_rate="0.001")
    assert (s.max_steps, s.learning_rate, s.num_hidden_layers) == (20, 0.001, 4)
    assert s.intermediate_size % 16 == 0 and s.intermediate_size >= 8 * s.hidden_size // 3
    for field, bad, key in [("num_hidden_layers", 99, "setting_range"), ("hidden_size", 8, "setting_range"),
                            ("max_steps", 10_000, "setting_range"), ("learning_rate", 0.5, "setting_range"),
                            ("vocab_size", 299, "setting_range"), ("block_size", 12.5, "setting_type"),
                            ("learning_rate", "fast", "setting_type"), ("num_hidden_layers", float("nan"),
                                                                        "setting_type")]:
        with pytest.raises(jobs.InputError) as e:
            jobs.settings_for("tiny", **{field: bad})
        assert e.value.key == key and e.value.values["field"] == field, (field, bad)
    assert jobs.settings_for("tiny", hidden_size=96, num_attention_heads=16).hidden_size == 96  # 6 per head
    with pytest.raises(jobs.InputError) as e:
        jobs.settings_for("tiny", hidden_size=100, num_attention_heads=4)  # 25 per head: odd, RoPE needs pairs
    assert e.value.key == "heads"
    with pytest.raises(jobs.InputError) as e:
        jobs.settings_for("huge")
    assert e.value.key == "preset"


def test_text_checks_and_uploads(tmp_path):
    for value, key in [("", "text_empty"), (None, "text_empty"), ("  \n\t ", "text_whitespace"),
                       ("short text", "text_too_short"), ("a" * (jobs.MAX_TEXT_BYTES + 1), "text_too_big"),
                       ("한" * (jobs.MAX_TEXT_BYTES // 3 + 1), "text_too_big")]:  # bytes, not characters
        with pytest.raises(jobs.InputError) as e:
            jobs.check_text(value)
        assert e.value.key == key
    assert jobs.check_text("x\r\n" * 600) == "x\n" * 600
    files = {"binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00", "latin1.txt": "café".encode("latin-1") * 400,
             "big.txt": b"a" * (jobs.MAX_TEXT_BYTES + 1), "bom.txt": "\ufeffhello".encode()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    for name, key in [("binary.txt", "binary_file"), ("latin1.txt", "not_utf8"), ("big.txt", "file_too_big")]:
        with pytest.raises(jobs.InputError) as e:
            jobs.read_text_file(tmp_path / name)
        assert e.value.key == key, name
    assert jobs.read_text_file(tmp_path / "bom.txt") == "hello"


def test_split_holds_out_the_end_without_cutting_words(text):
    train, val = jobs.split_text(text)
    assert text.startswith(train) and text.rstrip().endswith(val)
    assert 0.05 < len(val) / len(text) < 0.15
    assert not train.endswith(" ") and val[:1] != " "


def test_qa_rows_and_files(tmp_path):
    import pandas as pd

    rows = pd.DataFrame([["Q1", "A1"], ["", ""], ["Q2", "A2"]], columns=["question", "answer"])
    assert jobs.examples_from_rows(rows) == [{"instruction": "Q1", "output": "A1"},
                                             {"instruction": "Q2", "output": "A2"}]
    assert jobs.examples_from_rows({"headers": ["q", "a"], "data": [["Q", "A"]]}) == [
        {"instruction": "Q", "output": "A"}]
    with pytest.raises(jobs.InputError) as e:
        jobs.examples_from_rows([["Q1", "A1"], ["Q2", None]])
    assert e.value.key == "qa_row" and e.value.values == {"row": 2, "missing": "answer"}
    bad = tmp_path / "qa.json"
    bad.write_text('[\n {"instruction": "Q", "output": "A"},\n {"instruction": "Q2" "output": "A2"}\n]\n')
    with pytest.raises(jobs.InputError) as e:
        jobs.read_qa_file(bad)
    assert e.value.key == "qa_file" and "line 3" in e.value.values["detail"] and str(tmp_path) not in str(e.value)
    examples = [{"instruction": "Q", "output": "A"}]
    with pytest.raises(jobs.InputError) as e:
        jobs.plan_lora(tmp_path, examples, "Q")
    assert e.value.key == "qa_not_held_out"
    with pytest.raises(jobs.InputError) as e:
        jobs.plan_lora(tmp_path, [], "Q?")
    assert e.value.key == "qa_empty"
    with pytest.raises(jobs.InputError) as e:
        jobs.plan_lora(tmp_path, examples, "Other?", max_steps=1000)
    assert e.value.key == "setting_range"


# --- the hooks in training.train and lora.train_lora ---------------------------------------------------------------
def test_on_step_stops_train_and_train_lora(tmp_path, text):
    from gpt_demo import lora
    from gpt_demo.training import TrainArgs, latest_checkpoint, train

    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    seen = []
    args = TrainArgs(train_file=str(tmp_path / "t.txt"), out_dir=str(tmp_path / "run"), vocab_size=400,
                     hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                     num_key_value_heads=2, block_size=64, batch_size=4, max_steps=50, warmup_steps=2,
                     save_every=100, progress=False)
    metrics = train(args, on_step=lambda row, model: seen.append((row["step"], model.training)) or row["step"] >= 3)
    assert seen == [(1, True), (2, True), (3, True)] and metrics["step"] == 3 and metrics["stopped"] is True
    assert latest_checkpoint(tmp_path / "run").name == "checkpoint-3"  # saved at the stop, so resume works

    base = GPTDemoForCausalLM.from_pretrained(latest_checkpoint(tmp_path / "run"))
    from gpt_demo.tokenizer import load_tokenizer

    tok = load_tokenizer(tmp_path / "run" / "tokenizer")
    data = [{"instruction": "Q one", "output": "A one"}, {"instruction": "Q two", "output": "A two"}]
    _, m = lora.train_lora(base, data, lora.LoraArgs(max_steps=10, warmup_steps=1, batch_size=2, max_length=64,
                                                     progress=False), tokenizer=tok, copy_base=True,
                           on_step=lambda row, model: row["step"] == 2)
    assert (m["step"], m["stopped"], m["finished"]) == (2, True, False)


# --- real jobs -------------------------------------------------------------------------------------------------------
def test_training_job_loss_falls_and_the_zip_reloads_with_identical_logits(manager, text, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    settings = jobs.settings_for("tiny", max_steps=40, **TINY)
    plan = jobs.plan_scratch(manager.folder("alice"), text, settings, "One night,")
    job = manager.submit_scratch("alice", plan)
    snap = run_to_end(job)
    assert snap["state"] == "finished", snap["error"]
    rows, samples = snap["rows"], snap["samples"]
    assert [r["step"] for r in rows] == list(range(1, 41))
    assert rows[-1]["loss"] < rows[0]["loss"] - 1.0, (rows[0], rows[-1])  # from ln(400) = 6.0 to about 4.6
    vals = [r["val_loss"] for r in rows if "val_loss" in r]
    assert len(vals) >= 3 and vals[-1] < vals[0]
    assert all(r["tok_per_s"] > 0 and r["eta_s"] is not None for r in rows) and rows[-1]["eta_s"] == 0
    assert [s["step"] for s in samples] == [1] + list(range(5, 41, 5))
    assert all(s["text"].startswith("One night,") for s in samples), [s["text"][:30] for s in samples]
    assert samples[0]["text"] != samples[-1]["text"]

    folder, zip_path = snap["result"]["folder"], snap["result"]["zip"]
    root = manager.folder("alice")
    assert str(folder).startswith(str(root)) and str(zip_path).startswith(str(root))
    with zipfile.ZipFile(zip_path) as z:
        names = {n.split("/", 1)[1] for n in z.namelist()}
        z.extractall(tmp_path / "unzipped")
    assert {"config.json", "model.safetensors", "tokenizer.json", "README.md"} <= names
    unzipped = next((tmp_path / "unzipped").iterdir())
    model = AutoModelForCausalLM.from_pretrained(unzipped).eval()  # gpt_demo is imported: the Auto classes know it
    tok = AutoTokenizer.from_pretrained(unzipped)
    reference = GPTDemoForCausalLM.from_pretrained(folder).eval()
    ids = torch.tensor([tok("One night, Owen", add_special_tokens=False)["input_ids"]])
    with torch.no_grad():
        assert torch.equal(model(ids).logits, reference(ids).logits)
    card = (unzipped / "README.md").read_text(encoding="utf-8")
    assert "step 40" in card and "import gpt_demo" in card

    manager.leave("alice")
    assert not root.exists()


def test_stop_then_resume_continues_the_same_run(manager, text):
    settings = jobs.settings_for("tiny", max_steps=40, **TINY)
    job = manager.submit_scratch("bob", jobs.plan_scratch(manager.folder("bob"), text, settings))
    wait_for(lambda: len(job.rows_copy()) >= 2)
    assert manager.stop("bob") is job
    snap = run_to_end(job)
    stopped_at = snap["rows"][-1]["step"]
    assert snap["state"] == "stopped" and stopped_at < 40 and snap["result"]["step"] == stopped_at
    first_model = snap["result"]["folder"]  # the model so far is usable
    assert (manager.folder("bob") / first_model).is_dir()

    again = manager.resume("bob")
    snap2 = run_to_end(again)
    assert snap2["state"] == "finished"
    assert [r["step"] for r in snap2["rows"]] == list(range(1, 41))  # the curve carries on, no gap, no repeat
    assert snap2["rows"][:stopped_at] == snap["rows"]
    with pytest.raises(jobs.InputError) as e:
        manager.resume("bob")
    assert e.value.key == "already_finished"


def test_bad_vocab_or_context_fail_with_clear_errors(manager, text):
    job = manager.submit_scratch("carol", jobs.plan_scratch(
        manager.folder("carol"), text[:3000], jobs.settings_for("tiny", **{**TINY, "vocab_size": 8000})))
    snap = run_to_end(job)
    assert snap["state"] == "failed" and snap["error"]["key"] == "vocab_too_big", snap["error"]
    assert "folder" not in snap["result"]
    job = manager.submit_scratch("carol", jobs.plan_scratch(
        manager.folder("carol"), text[:3000], jobs.settings_for("tiny", **{**TINY, "block_size": 512})))
    snap = run_to_end(job)
    assert snap["error"]["key"] == "text_too_short_for_context" and snap["error"]["values"]["split"] == "val"


# --- the queue, limits and folders (with stand-in work: no training needed) --------------------------------------
def _waiting_work(release: threading.Event):
    def work(job):
        job.set_state("training")
        while not release.is_set() and not job.should_stop():
            time.sleep(0.01)
    return work


def test_queue_positions_one_job_per_owner_and_stop_while_waiting(manager):
    release = threading.Event()
    a = manager.submit("a", "fake", _waiting_work(release), 10)
    wait_for(lambda: a.state == "training")
    b = manager.submit("b", "fake", _waiting_work(release), 10)
    c = manager.submit("c", "fake", _waiting_work(release), 10)
    assert (manager.position(a), manager.position(b), manager.position(c)) == (0, 1, 2)
    snap = manager.snapshot(c)
    assert (snap["state"], snap["position"], snap["running"], snap["waiting"]) == ("queued", 2, 1, 2)
    with pytest.raises(jobs.InputError) as e:
        manager.submit("a", "fake", _waiting_work(release), 10)  # pressing train twice
    assert e.value.key == "job_running"
    manager.stop("b")  # leaves the queue without ever starting
    assert run_to_end(b)["state"] == "stopped" and b.started is None
    wait_for(lambda: manager.position(c) == 1)
    release.set()
    assert run_to_end(a)["state"] == "finished" and run_to_end(c)["state"] == "finished"
    assert c.started >= a.ended  # never two at once with max_running=1


def test_time_limit_leave_and_cleanup(tmp_path):
    m = jobs.JobManager(root=tmp_path, max_running=2, time_limit_s=0.3)
    never = threading.Event()
    slow = m.submit("slow", "fake", _waiting_work(never), 10)
    assert run_to_end(slow, 10)["state"] == "timeout"

    m.time_limit_s = 60
    gone = m.submit("gone", "fake", _waiting_work(never), 10)
    (m.folder("gone") / "file.txt").write_text("x")
    wait_for(lambda: gone.state == "training")
    m.leave("gone")  # the learner closed the tab
    assert run_to_end(gone, 10)["state"] == "cancelled"
    wait_for(lambda: not m.folder("gone", create=False).exists(), 5)
    with pytest.raises(jobs.InputError):
        m.submit("gone", "fake", _waiting_work(never), 10)  # a closed session does not come back

    m.session_ttl_s = 0.0
    assert m.sweep() == ["slow"] and not m.folder("slow", create=False).exists()
    root = m.root
    m.cleanup()
    assert not root.exists()


def test_lora_job_before_after_and_merge(tiny_checkpoints_folder, manager):  # noqa: F811
    from gpt_demo import checkpoints

    base, tok = checkpoints.load(tiny_checkpoints_folder / DEFAULT_NAME)
    before_weights = {k: v.clone() for k, v in base.state_dict().items()}
    examples = [{"instruction": f"question {i}?", "output": f"answer number {i}."} for i in range(4)]
    plan = jobs.plan_lora(manager.folder("dan"), examples, "question five?", max_steps=12, learning_rate=1e-2)
    snap = run_to_end(manager.submit_lora("dan", plan, base, tok))
    assert snap["state"] == "finished", snap["error"]
    r = snap["result"]
    assert r["step"] == 12 and r["merge_diff"] <= 1e-4 and r["loss"] < r["first_loss"]
    assert isinstance(r["before"], str) and isinstance(r["after"], str)
    assert 0 < r["trainable_pct"] < 10
    merged = GPTDemoForCausalLM.from_pretrained(r["folder"])
    assert not any("lora_" in k for k in merged.state_dict())
    assert all(torch.equal(v, base.state_dict()[k]) for k, v in before_weights.items())  # the shared base untouched

