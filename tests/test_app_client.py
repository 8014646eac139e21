"""The app as users script it: every stable api_name through gradio_client against a launched server.

Bad inputs must come back as an error message (gradio_client's AppError) naming the problem, and the same
client must keep working afterwards. Several clients generating at once, each with its own settings, must
get exactly what the library gives for those settings.
"""

from __future__ import annotations

import os
import threading

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")  # gradio_client otherwise looks up huggingface.co

import pytest  # noqa: E402
import torch  # noqa: E402
from gradio_client import Client  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from gpt_demo import lora, sampling  # noqa: E402
from gpt_demo.ui import API_NAMES, state, tab_precision  # noqa: E402
from tests.app_fixtures import (  # noqa: E402,F401
    ADAPTER_NAME,
    CONTEXT,
    DEFAULT_NAME,
    OTHER_ADAPTER,
    launched_app,
    tiny_checkpoints,
    tiny_checkpoints_folder,
)

PRESET = "나는 공부를 합니다.\n나는 맛있는 음식을 좋아합니다."


@pytest.fixture(scope="module")
def url(launched_app):  # noqa: F811 (the fixture imported above)
    return launched_app[1]


@pytest.fixture
def client(url):
    return Client(url, verbose=False)


def library_text(prompt, n, temperature, top_k, top_p, seed, model=None) -> str:
    """What the library itself writes for these settings (the reference the app must match)."""
    base = state.get_base(DEFAULT_NAME)
    model = model if model is not None else base.model
    tok = base.tokenizer
    ids = torch.tensor([tok.encode(prompt, add_special_tokens=False)])
    gen = torch.Generator().manual_seed(seed)
    new = []
    for t, _ in sampling.generate_stream(model, ids, n, temperature=temperature, top_k=top_k, top_p=top_p,
                                         eos_token_id=tok.eos_token_id, generator=gen):
        if int(t[0]) == tok.eos_token_id:
            break
        new.append(int(t[0]))
    return prompt + tok.decode(new, skip_special_tokens=True, clean_up_tokenization_spaces=False)


def stream(client, *args):
    job = client.submit(*args, api_name="/generate")
    updates = list(job)
    return updates, job.outputs()[-1]


def test_public_api_is_exactly_the_stable_names(client):
    api = client.view_api(return_format="dict", print_info=False)
    assert sorted(api["named_endpoints"]) == sorted(f"/{n}" for n in API_NAMES)
    assert not api["unnamed_endpoints"]


def test_every_endpoint(client):
    base = state.get_base(DEFAULT_NAME)
    chips, stats, report = client.predict("나는 공부를 합니다.", api_name="/tokenize")
    assert report["ids"] == base.tokenizer.encode("나는 공부를 합니다.", add_special_tokens=False)
    assert "✓" in stats and "tok-chip" in chips

    *tables, masks, attention, proof, summary = client.predict(PRESET, "left", 0, 1, 1, 2, api_name="/pad_and_mask")
    assert summary["pad_id"] == 3 and summary["proof"]["with_mask"] < 1e-4 < summary["proof"]["without_mask"]
    assert tables[1]["data"][0][1:] == summary["input_ids"][0]
    assert masks["plot"].startswith("data:image/png") and attention["plot"].startswith("data:image/png")

    updates, final = stream(client, "나는 맛있는 음식을", 10, 0.8, 0, 0.95, 3)
    assert len(updates) >= 3  # streamed
    assert final[0] == library_text("나는 맛있는 음식을", 10, 0.8, 0, 0.95, 3)
    assert final[4]["plot"].startswith("data:image/png") and "nucleus" in final[5]

    plot, caption, view = client.predict("나는", 1.0, 0, 0.9, api_name="/next_token_distribution")
    probs = base.model(torch.tensor([base.tokenizer.encode("나는", add_special_tokens=False)])).logits[0, -1]
    assert view["nucleus_size"] == len(sampling.nucleus(probs.softmax(-1), 0.9))

    summary, config, card, label = client.predict(DEFAULT_NAME, api_name="/load_checkpoint")
    assert '"gpt_demo"' in config and label == f"This session's model: **{DEFAULT_NAME}**"

    base_answer, adapted_answer, params, label = client.predict(ADAPTER_NAME, "top-p?", api_name="/apply_adapter")
    assert base_answer != adapted_answer and "trainable under LoRA" in params and ADAPTER_NAME in label
    merged_answer, result, label = client.predict("top-p?", api_name="/merge_adapter")
    assert merged_answer == adapted_answer and "(merged)" in label and "the same as the base model" in result

    table, note = client.predict("나는 공부를 합니다.", ["fp32", "bf16"], "cpu", 4, api_name="/precision_compare")
    assert [row[0] for row in table["data"]] == ["fp32", "bf16"]


BAD = [
    ("/tokenize", ("",), "empty"),
    ("/tokenize", ("가" * 1_000_000,), "too long"),
    ("/pad_and_mask", ("   \n  ", "left", 0, 0, 0, 0), "whitespace"),
    ("/pad_and_mask", ("<pad><pad><pad>", "left", 0, 0, 0, 0), "only pad tokens"),
    ("/generate", ("나는", 5, 1.0, 0, 0, 0), "top_p must be greater than 0"),
    ("/generate", ("나는", 5, 1.0, 0, 1.5, 0), "top_p must be greater than 0"),
    ("/generate", ("나는", 5, -1.0, 0, 0.9, 0), "temperature must be 0 or more"),
    ("/generate", ("나는", CONTEXT + 1, 1.0, 0, 0.9, 0), f"context of {CONTEXT} tokens"),
    ("/generate", ("", 5, 1.0, 0, 0.9, 0), "empty"),
    ("/next_token_distribution", ("나는", 1.0, 0, 2.0), "top_p must be greater than 0"),
    ("/load_checkpoint", ("../../etc",), "refused"),
    ("/load_checkpoint", ("no-such-checkpoint",), "no checkpoint"),
    ("/apply_adapter", (OTHER_ADAPTER, "q"), "another base"),
    ("/merge_adapter", ("q",), "Apply an adapter first"),
    ("/precision_compare", ("나는", [], "cpu", 4), "at least one precision"),
]


def test_bad_inputs_show_a_message_and_the_session_stays_usable(client):
    for api_name, args, needle in BAD:
        with pytest.raises(AppError) as e:
            if api_name == "/generate":
                client.submit(*args, api_name=api_name).result()
            else:
                client.predict(*args, api_name=api_name)
        text = str(e.value)
        assert needle in text, (api_name, args, text)
        assert "Traceback" not in text and 'File "' not in text
        _, _, report = client.predict("나는", api_name="/tokenize")  # still usable
        assert report["n_tokens"] > 0


def test_temperature_zero_is_greedy_and_says_so(client):
    updates, final = stream(client, "나는", 6, 0, 0, 0.5, 123)
    assert "greedy" in final[2]
    assert final[0] == library_text("나는", 6, 0.0, 0, 1.0, 0)  # seed and top-p change nothing


def test_fp16_on_a_cpu_that_cannot(client, monkeypatch):
    monkeypatch.setattr(tab_precision, "dtype_problem",
                        lambda device, dtype: "fp16 is not implemented for 'Half' here" if dtype == "fp16" else None)
    with pytest.raises(AppError) as e:
        client.predict("나는", ["fp16"], "cpu", 4, api_name="/precision_compare")
    assert "fp16 cannot run on this device (cpu)" in str(e.value)
    table, _ = client.predict("나는", ["fp32"], "cpu", 2, api_name="/precision_compare")
    assert table["data"][0][0] == "fp32"


def test_messages_follow_the_accept_language(url):
    korean = Client(url, verbose=False, headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    with pytest.raises(AppError) as e:
        korean.predict("../../etc", api_name="/load_checkpoint")
    assert "받을 수 없습니다" in str(e.value)
    with pytest.raises(AppError) as e:
        korean.submit("나는", 5, 1.0, 0, 0, 0, api_name="/generate").result()
    assert "top_p는 0보다 크고 1 이하" in str(e.value)


def test_concurrent_clients_get_their_own_results(url):
    settings = [("나는 맛있는 음식을", 12, 0.8, 0, 0.95, 1), ("I like", 10, 1.2, 30, 0.7, 2),
                ("나는 공부를", 14, 0.0, 0, 1.0, 3), ("The model", 9, 1.0, 0, 0.5, 4)]
    expected = [library_text(*s) for s in settings]
    results: list = [None] * len(settings)
    barrier = threading.Barrier(len(settings))

    def run(i):
        client = Client(url, verbose=False)
        barrier.wait()
        results[i] = stream(client, *settings[i])[1][0]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(settings))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == expected


def test_one_learners_adapter_does_not_change_another_learners_model(url):
    a, b = Client(url, verbose=False), Client(url, verbose=False)
    a.predict(DEFAULT_NAME, api_name="/load_checkpoint")
    a.predict(ADAPTER_NAME, "q", api_name="/apply_adapter")
    a.predict("q", api_name="/merge_adapter")
    text_a = stream(a, "나는", 8, 0, 0, 1.0, 0)[1][0]
    text_b = stream(b, "나는", 8, 0, 0, 1.0, 0)[1][0]
    assert text_b == library_text("나는", 8, 0.0, 0, 1.0, 0)  # b still has the plain base
    base = state.get_base(DEFAULT_NAME)
    adapted = lora.load_adapter(base.model, checkpoints_dir() / ADAPTER_NAME, copy_base=True)
    assert text_a == library_text("나는", 8, 0.0, 0, 1.0, 0, model=adapted) != text_b


def checkpoints_dir():
    import gpt_demo.checkpoints as checkpoints

    return checkpoints._checkpoints_dir()
