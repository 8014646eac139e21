"""The app's event handlers called as plain functions, against tiny checkpoints (no server, no browser).

Every result is compared with the library called directly; every bad input must raise a gr.Error whose message
names the problem (and never a bare exception or a stack trace).
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import gradio as gr
import pytest
import torch

from gpt_demo import masking, sampling
from gpt_demo.ui import i18n, state, tab_checkpoints, tab_generate, tab_masking, tab_precision, tab_tokenizer
from gpt_demo.ui.state import Session, new_session
from tests.app_fixtures import (  # noqa: F401
    ADAPTER_NAME,
    CONTEXT,
    DEFAULT_NAME,
    OTHER_ADAPTER,
    tiny_checkpoints,
    tiny_checkpoints_folder,
)

pytestmark = pytest.mark.usefixtures("tiny_checkpoints")

PRESET = "나는 공부를 합니다.\n나는 맛있는 음식을 좋아합니다."


class Headers:
    """A stand-in for gr.Request: only ``headers`` is read."""

    def __init__(self, lang: str):
        self.headers = {"accept-language": lang}


def error_text(excinfo) -> str:
    err = excinfo.value
    assert isinstance(err, gr.Error), type(err)
    assert "Traceback" not in err.message
    return err.message


@pytest.fixture
def session() -> Session:
    return new_session()


@pytest.fixture
def base():
    return state.get_base(DEFAULT_NAME)


# --- tokenizer -------------------------------------------------------------------------------------------
def test_tokenize_shows_pieces_ids_byte_fallback_and_round_trip(session, base):
    text = "나는 맛있는 음식을 좋아합니다. 뷁!"
    chips, stats, report = tab_tokenizer.tokenize(text, session)
    ids = base.tokenizer.encode(text, add_special_tokens=False)
    assert report["ids"] == ids
    assert report["roundtrip_ok"] and report["decoded"] == text
    assert report["n_chars"] == len(text) and report["n_tokens"] == len(ids)
    assert report["n_byte_pieces"] >= 3  # 뷁 is not in the tiny vocabulary: 3 UTF-8 byte pieces
    assert "tok-byte" in chips and all(f">{i}<" in chips for i in ids)
    assert f"{len(ids)} tokens" in stats and "✓" in stats


def test_tokenize_bad_inputs(session, recwarn):
    with pytest.raises(gr.Error) as e:
        tab_tokenizer.tokenize("", session)
    assert "empty" in error_text(e)
    with pytest.raises(gr.Error) as e:
        tab_tokenizer.tokenize("가" * 1_000_000, session)
    assert "1,000,000" in error_text(e) and "20,000" in error_text(e)
    chips, _, report = tab_tokenizer.tokenize("   ", session)  # whitespace is real input: ▁ pieces + a warning
    assert report["n_tokens"] > 0 and report["roundtrip_ok"]
    assert any("whitespace" in str(w.message) for w in recwarn)
    with pytest.raises(gr.Error) as e:
        tab_tokenizer.tokenize("", session, Headers("ko-KR,ko;q=0.9"))
    assert "비어 있습니다" in error_text(e)


def test_train_and_compare(session):
    left, right, summary = tab_tokenizer.train_and_compare(tab_tokenizer.default_training_text(), 350, "unigram",
                                                           "나는 공부를 합니다.", session)
    assert "tok-chip" in left and "tok-chip" in right
    assert "unigram" in summary and "| round trip | ✓ | ✓ |" in summary
    with pytest.raises(gr.Error) as e:
        tab_tokenizer.train_and_compare("abc", 299, "bpe", "x", session)
    assert "between 300 and 4000" in error_text(e)
    with pytest.raises(gr.Error) as e:  # the library's explanation comes through, behind a translated prefix
        tab_tokenizer.train_and_compare("짧은 글입니다.", 3000, "bpe", "x", session)
    assert "Input problem" in error_text(e) and "vocab_size" in error_text(e)


# --- padding and masks -----------------------------------------------------------------------------------
def test_pad_and_mask_matches_the_library(session, base):
    tok_df, ids_df, mask_df, pos_df, masks, attention, proof, summary = tab_masking.pad_and_mask(
        PRESET, "left", 0, 1, 0, 0, session)
    tok = base.tokenizer
    assert tok.pad_token_id == summary["pad_id"] == 3  # the tokenizer's pad id, not 0
    ids = [tok.encode(s, add_special_tokens=False) for s in PRESET.split("\n")]
    expected, _ = masking.pad_batch(ids, 3, side="left")
    assert summary["input_ids"] == expected.tolist()
    assert summary["mask"] == (expected != 3).tolist()
    assert summary["position_ids"] == masking.position_ids((expected != 3).long()).tolist()
    first_real = summary["mask"][0].index(True)
    assert summary["position_ids"][0][first_real] == 0  # left padding: the first real token is at position 0
    assert list(ids_df.iloc[0, 1:]) == expected[0].tolist()
    assert "<pad>" in list(tok_df.iloc[0, 1:])
    assert summary["proof"]["with_mask"] < 1e-4 < 1e-2 < summary["proof"]["without_mask"]
    assert "before" in proof and masks is not None and attention is not None
    *_, proof_right, summary_right = tab_masking.pad_and_mask(PRESET, "right", 0, 0, 1, 3, session)
    assert summary_right["proof"]["without_mask"] < 1e-4  # right padding: the causal mask already hides pads
    assert "after" in proof_right


def test_attention_weights_are_real_and_masked(base):
    from gpt_demo.walkthrough import attention_weights, padding_walkthrough

    walk = padding_walkthrough(base.tokenizer, PRESET.split("\n"), side="left")
    w = attention_weights(base.model, walk["input_ids"], walk["attention_mask"], sentence=0, layer=1, head=2)
    real = walk["mask"][0]
    rows = w[real]  # real query rows: sum to 1, zero weight on pads and on the future
    assert torch.allclose(rows.sum(-1), torch.ones(rows.shape[0]), atol=1e-5)
    assert float(rows[:, ~real].abs().max()) < 1e-6
    assert float(torch.triu(w[real][:, real], diagonal=1).abs().max()) < 1e-6
    assert torch.isnan(w[~real]).all()


def test_pad_and_mask_bad_inputs(session):
    for text, needle in [("", "empty"), ("  \n \n", "whitespace"), ("<pad><pad>\n나는", "only pad tokens"),
                         ("\n".join(["가"] * 9), "at most 8")]:
        with pytest.raises(gr.Error) as e:
            tab_masking.pad_and_mask(text, "left", 0, 0, 0, 0, session)
        assert needle in error_text(e), (text, error_text(e))
    with pytest.raises(gr.Error) as e:
        tab_masking.pad_and_mask(PRESET, "left", 0, 0, 9, 0, session)
    assert "layer must be in [0, 1]" in error_text(e)
    out = tab_masking.pad_and_mask(PRESET, "right", 3, 0, 0, 0, session)  # max length cuts the batch
    assert len(out[-1]["input_ids"][0]) == 3


def test_where_playground():
    assert "[1, 20, 3, 40]" in tab_masking.run_where("[True, False, True, False]", "[1, 2, 3, 4]",
                                                      "[10, 20, 30, 40]")
    broadcast = tab_masking.run_where("[[True], [False]]", "[1, 2, 3]", "0")
    assert "[[1, 2, 3], [0, 0, 0]]" in broadcast and "(2, 3)" in broadcast
    for cond, x, y, needle in [("[True, False]", "[1, 2, 3]", "0", "cannot be broadcast"),
                               ("__import__('os').system('true')", "1", "2", "not a Python literal"),
                               ("[2, 3]", "1", "2", "True/False"),
                               ("[True] * 1000", "1", "2", "not a Python literal"),
                               (str([True] * 300), "1", "2", "limit")]:
        with pytest.raises(gr.Error) as e:
            tab_masking.run_where(cond, x, y)
        assert needle in error_text(e), (cond, error_text(e))


# --- generation ------------------------------------------------------------------------------------------
def _library_text(base, prompt, n, temperature, top_k, top_p, seed) -> str:
    tok, model = base.tokenizer, base.model
    ids = torch.tensor([tok.encode(prompt, add_special_tokens=False)])
    gen = torch.Generator().manual_seed(seed)
    new = []
    for t, _ in sampling.generate_stream(model, ids, n, temperature=temperature, top_k=top_k, top_p=top_p,
                                         eos_token_id=tok.eos_token_id, generator=gen):
        if int(t[0]) == tok.eos_token_id:
            break
        new.append(int(t[0]))
    return prompt + tok.decode(new, skip_special_tokens=True, clean_up_tokenization_spaces=False)


@pytest.mark.parametrize("temperature,top_k,top_p,seed", [(0.8, 0, 0.95, 0), (1.0, 20, 0.5, 7), (0.0, 0, 1.0, 3)])
def test_generate_streams_the_library_result(session, base, temperature, top_k, top_p, seed):
    updates = list(tab_generate.generate("나는 맛있는 음식을", 12, temperature, top_k, top_p, seed, session))
    assert len(updates) >= 2  # streamed: one update per token, then the final one with the chart
    text, html, status, steps, _, chart, caption = updates[-1]
    assert text == _library_text(base, "나는 맛있는 음식을", 12, temperature, top_k, top_p, seed)
    assert len(updates) == len(steps) + 1  # one update per token, then the final one
    assert chart is not None and "nucleus" in caption
    for rec in steps:
        assert rec["view"]["tokens"][0]["prob"] >= rec["view"]["tokens"][-1]["prob"]
        kept = [r for r in rec["view"]["tokens"] if r["kept"]]
        assert rec["id"] in [r["id"] for r in kept] or rec["view"]["nucleus_size"] > len(kept)
    if temperature == 0:
        assert "greedy" in status and all(rec["view"]["nucleus_size"] == 1 for rec in steps)


def test_next_token_distribution_draws_the_nucleus(session, base):
    sizes = []
    for top_p in (0.3, 0.6, 0.9, 1.0):
        fig, caption, view = tab_generate.next_token_distribution("나는", 1.0, 0, top_p, session)
        ids = torch.tensor([base.tokenizer.encode("나는", add_special_tokens=False)])
        probs = base.model(ids).logits[0, -1].float().softmax(-1)
        assert view["nucleus_size"] == len(sampling.nucleus(probs, top_p))
        assert abs(view["tokens"][0]["prob"] - float(probs.max())) < 1e-5
        cum = [r["cumulative"] for r in view["tokens"]]
        assert cum == sorted(cum)
        sizes.append(view["nucleus_size"])
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]  # a higher top_p keeps MORE tokens


def test_side_by_side_and_step_view(session):
    table = tab_generate.side_by_side("나는", "0.3, 0.95, 1.0", 0, 8, 1.0, session)
    assert list(table["top_p"]) == [0.3, 0.95, 1.0]
    sizes = list(table["mean nucleus size"])
    assert sizes == sorted(sizes)
    steps = list(tab_generate.generate("나는", 4, 1.0, 0, 0.9, 0, session))[-1][3]
    fig, caption = tab_generate.show_step(steps, 2)
    assert fig is not None and caption.startswith("step 2")


def test_generate_bad_inputs(session, capsys):
    cases = [
        (dict(top_p=0), "top_p must be greater than 0"),
        (dict(top_p=1.5), "top_p must be greater than 0"),
        (dict(temperature=-0.5), "temperature must be 0 or more"),
        (dict(max_new_tokens=CONTEXT + 10), f"context of {CONTEXT} tokens"),
        (dict(max_new_tokens=0), "at least 1"),
        (dict(prompt=""), "empty"),
        (dict(prompt=" \n\t "), "whitespace"),
        (dict(prompt="x" * 1_000_000), "too long"),
        (dict(prompt="<pad><pad>"), "only pad tokens"),
        (dict(top_k=-1), "top_k"),
        (dict(seed=-3), "seed"),
    ]
    for change, needle in cases:
        args = dict(prompt="나는", max_new_tokens=5, temperature=1.0, top_k=0, top_p=0.9, seed=0)
        args.update(change)
        with pytest.raises(gr.Error) as e:
            list(tab_generate.generate(args.pop("prompt"), *args.values(), session=session))
        assert needle in error_text(e), (change, error_text(e))
    with pytest.raises(gr.Error) as e:
        tab_generate.next_token_distribution("나는", 1.0, 0, 0, session, Headers("ko"))
    assert "top_p는 0보다 크고 1 이하" in error_text(e)
    out = list(tab_generate.generate("나는", 3, 0, 0, 0.5, 0, session))  # temperature 0: greedy, said so
    assert "greedy" in out[-1][2] and "greedy" in capsys.readouterr().out
    with pytest.raises(gr.Error) as e:
        tab_generate.side_by_side("나는", "0.5, abc", 0, 5, 1.0, session)
    assert "comma" in error_text(e)


# --- checkpoints and LoRA --------------------------------------------------------------------------------
def test_load_checkpoint_and_refused_names(session):
    new, summary, config, card, label = tab_checkpoints.load_checkpoint(DEFAULT_NAME, session)
    assert new == Session(DEFAULT_NAME) and "parameters" in summary and '"gpt_demo"' in config
    assert "tiny random test model" in card and label == f"This session's model: **{DEFAULT_NAME}**"
    for name, needle in [("../../etc", "refused"), ("/etc", "refused"), ("no-such-model", "no checkpoint"),
                         ("", "refused")]:
        with pytest.raises(gr.Error) as e:
            tab_checkpoints.load_checkpoint(name, session)
        assert needle in error_text(e).lower(), (name, error_text(e))
    with pytest.raises(gr.Error) as e:
        tab_checkpoints.load_checkpoint("no-such-model", session)
    assert DEFAULT_NAME in error_text(e)  # lists what is available
    with pytest.raises(gr.Error) as e:  # error toasts are HTML: what the learner typed is escaped
        tab_checkpoints.load_checkpoint("<img src=x onerror=alert(1)>", session)
    assert "&lt;img src=x onerror=alert(1)&gt;" in error_text(e) and "<img" not in error_text(e)


def test_apply_and_merge_adapter_never_touch_the_shared_base(session, base):
    before = {k: v.clone() for k, v in base.model.state_dict().items()}
    new, base_answer, adapted_answer, params, label = tab_checkpoints.apply_adapter(ADAPTER_NAME, "top-p?", session)
    assert new.adapter == ADAPTER_NAME and not new.merged and ADAPTER_NAME in label
    assert base_answer != adapted_answer
    assert re.search(r"896 trainable under LoRA \(2\.\d+%\)", params)
    merged_session, merged_answer, result, _ = tab_checkpoints.merge_adapter("top-p?", new)
    assert merged_session.merged and merged_answer == adapted_answer
    diff = float(re.search(r"\*\*([0-9.e+-]+)\*\*", result).group(1))
    assert diff < 1e-4 and "31,392 parameters, the same as the base model (31,392)" in result
    after = base.model.state_dict()
    assert set(after) == set(before) and all(torch.equal(before[k], after[k]) for k in before)
    assert not any("lora" in n for n, _ in base.model.named_modules())
    assert session == Session(DEFAULT_NAME)  # the caller's session object is unchanged (frozen)
    model_of_session = state.get_model(merged_session).model
    assert model_of_session is not base.model


def test_adapter_bad_inputs(session):
    with pytest.raises(gr.Error) as e:
        tab_checkpoints.apply_adapter(OTHER_ADAPTER, "q", session)
    assert "another base" in error_text(e)
    with pytest.raises(gr.Error) as e:
        tab_checkpoints.apply_adapter("../x", "q", session)
    assert "refused" in error_text(e)
    with pytest.raises(gr.Error) as e:
        tab_checkpoints.apply_adapter(DEFAULT_NAME, "q", session)  # a model, not an adapter
    assert ADAPTER_NAME in error_text(e)
    with pytest.raises(gr.Error) as e:
        tab_checkpoints.merge_adapter("q", session)
    assert "Apply an adapter first" in error_text(e)


# --- precision -------------------------------------------------------------------------------------------
def test_precision_compare(session):
    table, note = tab_precision.precision_compare("나는 공부를 합니다.", ["fp32", "fp16", "bf16"], "cpu", 4, session)
    assert list(table["dtype"]) == ["fp32", "fp16", "bf16"]
    weights = list(table["weights (MiB)"])
    assert weights[1] == pytest.approx(weights[0] / 2, rel=0.01)
    assert table["max |logit - fp32|"][0] == "0"
    assert "CPU" in note
    frame = tab_precision.demos_frame()
    row = frame[frame["expression"] == "70000.0"].iloc[0]
    assert row["fp16"] == "inf" and row["fp32"] == "70000"
    assert "65504" in tab_precision.finfo_frame().to_string() or "6.55e+04" in tab_precision.finfo_frame().to_string()


def test_precision_bad_inputs(session, monkeypatch, recwarn):
    with pytest.raises(gr.Error) as e:
        tab_precision.precision_compare("x", [], "cpu", 4, session)
    assert "at least one precision" in error_text(e)
    with pytest.raises(gr.Error) as e:
        tab_precision.precision_compare("x", ["fp32"], "cuda", 4, session)
    assert "no CUDA GPU" in error_text(e) or "cuda" in error_text(e).lower()

    def no_fp16(device, dtype):  # a CPU without fp16 kernels
        return "fp16 does not run on cpu here: 'addmm' not implemented for 'Half'" if "16" in str(dtype) and \
            "b" not in str(dtype) else None

    monkeypatch.setattr(tab_precision, "dtype_problem", no_fp16)
    with pytest.raises(gr.Error) as e:
        tab_precision.precision_compare("x", ["fp16"], "cpu", 4, session)
    assert "fp16 cannot run on this device (cpu)" in error_text(e)
    table, _ = tab_precision.precision_compare("나는", ["fp32", "fp16"], "cpu", 2, session)  # warned, still runs
    assert any("fp16 cannot run" in str(w.message) for w in recwarn)


# --- serving: cache, sessions, messages ------------------------------------------------------------------
def test_model_cache_builds_once_under_races_and_stays_bounded():
    cache = state.ModelCache(max_items=2)
    calls = []
    barrier = threading.Barrier(6)

    def build():
        calls.append(1)
        return object()

    results = []

    def worker():
        barrier.wait()
        results.append(cache.get("a", build))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(r) for r in results}) == 1
    cache.get("b", build)
    cache.get("c", build)
    assert cache.keys() == ["b", "c"]


def test_shared_model_loaded_once(session):
    state.get_base(DEFAULT_NAME)
    builds = state.MODELS.builds
    for _ in range(3):
        tab_tokenizer.tokenize("나는", new_session())
    assert state.MODELS.builds == builds


def test_messages_are_translated_and_braces_free():
    assert i18n.lang_of(Headers("ko-KR,ko;q=0.9,en;q=0.8")) == "ko"
    assert i18n.lang_of(Headers("en-US,en")) == "en" and i18n.lang_of(None) == "en"
    assert set(i18n.UI["ko"]) == set(i18n.UI["en"])
    for key, table in i18n.MESSAGES.items():
        assert set(table) == {"ko", "en"}, key
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(tab_tokenizer.__file__).parent.glob("*.py"))
    used = set(re.findall(r'\bT\("([a-z_]+)"\)', source))
    assert used and used <= set(i18n.UI["en"]), used - set(i18n.UI["en"])
    keys = set(re.findall(r'(?:UserError|warn|info|msg)\("([a-z_0-9]+)"', source))
    assert keys <= set(i18n.MESSAGES), keys - set(i18n.MESSAGES)
    texts = " ".join(i18n.UI["en"].values())
    assert "higher top_p keeps more candidates" in texts and "not compression" in texts


# --- the real bundled checkpoint, when it is there (CI passes without it) -------------------------------
BUNDLED = Path(__file__).resolve().parent.parent / "checkpoints"


@pytest.mark.skipif(not (BUNDLED / DEFAULT_NAME / "config.json").is_file(),
                    reason="the bundled checkpoint checkpoints/gpt-demo-ko-en-tiny is not there (yet)")
def test_bundled_checkpoint_through_the_handlers(monkeypatch):
    import gpt_demo.checkpoints as checkpoints

    monkeypatch.setattr(checkpoints, "CHECKPOINTS_DIR", BUNDLED.resolve())
    session = new_session()
    _, stats, report = tab_tokenizer.tokenize("나는 맛있는 음식을 좋아합니다.", session)
    assert report["roundtrip_ok"] and report["n_tokens"] < report["n_chars"]  # a trained vocabulary merges pieces
    *_, summary = tab_masking.pad_and_mask(tab_masking.PRESET, "left", 0, 2, 0, 0, session)
    assert summary["pad_id"] == 3 and summary["proof"]["with_mask"] < 1e-3 < summary["proof"]["without_mask"]
    final = list(tab_generate.generate("나는", 20, 0.8, 0, 0.95, 0, session))[-1]
    assert final[0].startswith("나는") and len(final[3]) >= 1


# --- Hub downloads (off by default), against the fake Hub on 127.0.0.1 ------------------------------------
@pytest.fixture
def fake_hub(tiny_checkpoints, tmp_path, monkeypatch):  # noqa: F811 (the fixture imported above)
    from huggingface_hub import constants

    from tests.fake_hub import FakeHub

    with FakeHub() as server:
        server.add_folder("learner/tiny-gpt", tiny_checkpoints / DEFAULT_NAME)
        cache = tmp_path / "hf-home" / "hub"
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        monkeypatch.setenv("HF_HUB_CACHE", str(cache))
        monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        monkeypatch.setattr(constants, "ENDPOINT", server.url)
        monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE",
                            server.url + "/{repo_id}/resolve/{revision}/{filename}")
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
        monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
        monkeypatch.setattr(state, "_hub_folders", {})
        yield server


def test_hub_download_is_opt_in_and_checked(fake_hub, monkeypatch, session):
    monkeypatch.delenv("GPT_DEMO_ALLOW_HUB", raising=False)
    with pytest.raises(gr.Error) as e:
        tab_checkpoints.download_checkpoint("learner/tiny-gpt", session)
    assert "--allow-hub" in error_text(e)
    monkeypatch.setenv("GPT_DEMO_ALLOW_HUB", "1")
    new, summary, config, _, label = tab_checkpoints.download_checkpoint("learner/tiny-gpt", session)
    assert new.checkpoint == "hub:learner/tiny-gpt" and "hub:learner/tiny-gpt" in label and '"gpt_demo"' in config
    _, _, report = tab_tokenizer.tokenize("나는 공부를 합니다.", new)  # the downloaded model serves the session
    local = state.get_base(DEFAULT_NAME).tokenizer
    assert report["ids"] == local.encode("나는 공부를 합니다.", add_special_tokens=False)
    for repo, needle in [("../../etc", "owner/name"), ("learner/missing", "no repo"), ("", "owner/name")]:
        with pytest.raises(gr.Error) as e:
            tab_checkpoints.download_checkpoint(repo, session)
        assert needle in error_text(e), (repo, error_text(e))


def test_import_app_leaves_the_optional_parts_unloaded():
    """Start-up time (issue 7): matplotlib loads with the first plot, peft with the first adapter."""
    code = "import sys, app; print(sorted(m for m in ('matplotlib', 'peft') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], capture_output=True,
                         text=True, timeout=300, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
