import json

import pytest
import torch
from safetensors import safe_open

from gpt_demo import GPTDemoForCausalLM
from gpt_demo.instructions import build_instruction_data, encode_example, encode_prompt, generate_answer
from gpt_demo.lora import (
    ADAPTER_CONFIG,
    ADAPTER_INFO,
    ADAPTER_WEIGHTS,
    AdapterError,
    LoraArgs,
    add_lora,
    load_adapter,
    merge,
    save_adapter,
    target_module_names,
    train_lora,
)

from .conftest import make_model
from .test_instructions import CONCEPTS


@pytest.fixture(scope="module")
def tok(tmp_path_factory):
    from gpt_demo.tokenizer import train_tokenizer

    train, val = build_instruction_data(seed=0, concepts=CONCEPTS)
    texts = [f"{ex['instruction']} {ex.get('input') or ''} {ex['output']}" for ex in train + val] * 10
    return train_tokenizer(texts, tmp_path_factory.mktemp("tok"), vocab_size=400)


@pytest.fixture(scope="module")
def data():
    return build_instruction_data(seed=0, concepts=CONCEPTS)


def base_model(tok, seed=0, **overrides):
    return make_model(seed, vocab_size=len(tok), pad_token_id=tok.pad_token_id, max_position_embeddings=160,
                      **overrides)


def tiny_args(**overrides):
    base = dict(r=4, alpha=8, dropout=0.0, max_steps=12, warmup_steps=2, learning_rate=1e-2, batch_size=4,
                max_length=160, eval_every=6, save_every=6, log_every=1, progress=False)
    return LoraArgs(**{**base, **overrides})


def logits(model, ids):
    with torch.no_grad():
        return model(input_ids=ids, use_cache=False).logits


def snapshot(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def assert_unchanged(model, before):
    after = model.state_dict()
    assert list(after) == list(before)  # no lora_ keys, no renamed base_layer keys
    for k, v in before.items():
        assert torch.equal(after[k], v), k
    assert not hasattr(model, "peft_config")


@pytest.fixture(scope="module")
def trained(tok, data, tmp_path_factory):
    """One short training run with an output folder, shared by the save/load/merge tests."""
    out = tmp_path_factory.mktemp("adapter")
    base = base_model(tok)
    original = snapshot(base)
    model, metrics = train_lora(base, data[0], tiny_args(), out, val_data=data[1], tokenizer=tok, copy_base=True)
    return {"model": model, "metrics": metrics, "out": out, "original": original, "base": base}


IDS = torch.tensor([[5, 17, 80, 33, 9, 120, 64, 2], [7, 7, 300, 1, 45, 99, 12, 250]])


# --- LoRA's starting point and the frozen base ---------------------------------------------------------------
def test_zero_init_lora_b_equals_the_base_and_copy_base_leaves_it_alone(tok):
    base = base_model(tok)
    before = snapshot(base)
    model = add_lora(base, tiny_args(), copy_base=True)
    assert_unchanged(base, before)  # the caller's model did not get LoRA layers
    assert all(not p.ne(0).any() for n, p in model.named_parameters() if "lora_B" in n)
    assert torch.equal(logits(model, IDS), logits(base, IDS))
    # without copy_base peft injects into the very object (documented): the base now has LoRA layers
    in_place = add_lora(base, tiny_args())
    assert in_place.get_base_model() is base and any("lora_A" in k for k in base.state_dict())


def test_training_keeps_the_base_frozen_and_changes_the_output(trained, tok):
    model, metrics = trained["model"], trained["metrics"]
    assert_unchanged(trained["base"], trained["original"])  # copy_base=True: the caller's base is untouched
    for name, p in model.named_parameters():
        assert p.requires_grad == ("lora_" in name)
        if "lora_" not in name:
            key = name.replace("base_model.model.", "", 1).replace(".base_layer.", ".")
            assert torch.equal(p, trained["original"][key]), name  # every base weight is bit-identical
    assert all(p.ne(0).any() for n, p in model.named_parameters() if "lora_B" in n)
    diff = (logits(model, IDS) - logits(trained["base"], IDS)).abs().max()
    assert diff > 1e-3
    # trainable vs total, and the percentage
    n_lora = sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
    assert metrics["trainable_params"] == n_lora
    assert metrics["total_params"] == sum(p.numel() for p in trained["base"].parameters()) + n_lora
    assert metrics["trainable_pct"] == pytest.approx(100 * n_lora / metrics["total_params"], abs=1e-3)
    # the held-out loss went down from the base's (step 0: lora_B = 0)
    assert metrics["val_loss"] < metrics["base_val_loss"]
    rows = [json.loads(line) for line in (trained["out"] / "metrics.jsonl").read_text().splitlines()]
    assert rows[0] == {"step": 0, "val_loss": metrics["base_val_loss"]}
    assert rows[-1]["step"] == 12 and "val_loss" in rows[-1]
    assert not (trained["out"] / "checkpoints").exists()  # removed once the run finished


def test_prompt_tokens_are_masked_out_of_the_loss(tok, data):
    from gpt_demo.lora import _batch

    ex = data[0][0]
    ids, plen = encode_example(tok, ex)
    masked = _batch([ids], [plen], [0], tok.pad_token_id, tiny_args(), "cpu")["labels"][0]
    assert (masked[:plen] == -100).all() and torch.equal(masked[plen:len(ids)], torch.tensor(ids[plen:]))
    full = _batch([ids], [plen], [0], tok.pad_token_id, tiny_args(mask_prompt=False), "cpu")["labels"][0]
    assert torch.equal(full[:len(ids)], torch.tensor(ids))


def test_the_template_is_the_same_in_training_and_generation(tok, data):
    model = base_model(tok)
    seen = []
    hook = model.register_forward_pre_hook(lambda mod, args, kwargs: seen.append(kwargs["input_ids"][0].tolist()),
                                           with_kwargs=True)
    for ex in data[1][:2]:  # a direct question and one with an input
        seen.clear()
        generate_answer(model, tok, ex["instruction"], ex.get("input"), max_new_tokens=3)
        ids, plen = encode_example(tok, ex)
        assert seen[0] == ids[:plen] == encode_prompt(tok, ex["instruction"], ex.get("input"))
    hook.remove()


# --- save, load, merge ---------------------------------------------------------------------------------------
def test_save_then_load_on_a_fresh_base_gives_identical_logits(trained, tok):
    out = trained["out"]
    assert {ADAPTER_CONFIG, ADAPTER_WEIGHTS, ADAPTER_INFO} <= {p.name for p in out.iterdir()}
    fresh = base_model(tok)  # same seed: the same base weights, a new object
    before = snapshot(fresh)
    on_copy = load_adapter(fresh, out, copy_base=True)
    assert_unchanged(fresh, before)  # what the app does with a shared base
    loaded = load_adapter(fresh, out)
    assert torch.equal(logits(on_copy, IDS), logits(loaded, IDS))
    assert torch.equal(logits(loaded, IDS), logits(trained["model"], IDS))
    info = json.loads((out / ADAPTER_INFO).read_text())
    assert info["lora"] == {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj"]}
    # the same base in bf16 is still recognised as the same base
    load_adapter(base_model(tok).to(torch.bfloat16), out)


def test_merge_matches_the_adapted_model_and_has_no_lora_keys(trained, tok, tmp_path):
    from transformers import AutoModelForCausalLM

    from gpt_demo import checkpoints

    adapted = load_adapter(base_model(tok), trained["out"])
    expected = logits(adapted, IDS)
    merged, max_diff = merge(adapted)
    assert type(merged) is GPTDemoForCausalLM
    assert isinstance(max_diff, float) and max_diff <= 1e-4
    assert (logits(merged, IDS) - expected).abs().max() <= 1e-4
    assert not [k for k in merged.state_dict() if "lora_" in k]
    # W' = W + B·A·(alpha/r) for one targeted layer
    a = adapted.base_model.model.model.layers[0].self_attn.q_proj  # after merging this is the plain Linear
    assert a is merged.model.layers[0].self_attn.q_proj
    folder = checkpoints.save(merged, tok, tmp_path / "merged")
    with safe_open(folder / "model.safetensors", "pt") as f:
        assert not [k for k in f.keys() if "lora" in k]
    reloaded = AutoModelForCausalLM.from_pretrained(folder)
    assert type(reloaded) is GPTDemoForCausalLM
    assert (logits(reloaded, IDS) - expected).abs().max() <= 1e-4


def test_merge_is_the_low_rank_formula(tok):
    model = add_lora(base_model(tok), tiny_args(), copy_base=True)
    layer = model.base_model.model.model.layers[1].self_attn.v_proj
    with torch.no_grad():
        layer.lora_B["default"].weight.normal_(0, 0.5)
    W = layer.base_layer.weight.detach().clone()
    delta = layer.lora_B["default"].weight @ layer.lora_A["default"].weight * (8 / 4)  # B·A·(alpha/r)
    merged, _ = merge(model)
    assert torch.allclose(merged.model.layers[1].self_attn.v_proj.weight, W + delta, atol=1e-6)


def test_cli_finetune_then_merge(tok, data, tmp_path, capsys):
    from transformers import AutoModelForCausalLM

    from gpt_demo import checkpoints
    from gpt_demo.cli import main
    from gpt_demo.instructions import save_instruction_file

    base_dir = checkpoints.save(base_model(tok), tok, tmp_path / "base")
    train_file = save_instruction_file(data[0], tmp_path / "train.json")
    val_file = save_instruction_file(data[1], tmp_path / "val.json")
    out = tmp_path / "base-lora-test"
    common = ["--base", str(base_dir), "--data", str(train_file), "--val-data", str(val_file), "--out", str(out),
              "--r", "4", "--max-steps", "6", "--warmup-steps", "1", "--learning-rate", "0.01", "--batch-size", "4",
              "--max-length", "160", "--save-every", "3", "--eval-every", "3", "--log-every", "1", "--no-progress",
              "--card-questions", "2"]
    assert main(["finetune-lora", *common]) == 0
    metrics = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert metrics["step"] == 6 and 0 < metrics["trainable_pct"] < 100
    card = (out / "README.md").read_text()
    assert "finetune-lora" in card and "--r 4" in card and "Before and after" in card
    assert main(["merge-lora", "--base", str(base_dir), "--adapter", str(out), "--out", str(tmp_path / "merged")]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["max_abs_logit_diff"] <= 1e-4
    merged = AutoModelForCausalLM.from_pretrained(tmp_path / "merged")
    adapted = load_adapter(base_model(tok), out)
    assert (logits(merged, IDS) - logits(adapted, IDS)).abs().max() <= 1e-4
    assert (tmp_path / "merged" / "tokenizer.json").is_file()


def test_resume_gives_the_same_adapter_as_an_uninterrupted_run(tok, data, tmp_path):
    args = dict(max_steps=8, save_every=3, eval_every=4, dropout=0.1)
    full, _ = train_lora(base_model(tok), data[0], tiny_args(**args), tmp_path / "full", tokenizer=tok)
    _, cut = train_lora(base_model(tok), data[0], tiny_args(**args, stop_after=5), tmp_path / "cut", tokenizer=tok)
    assert not cut["finished"] and not (tmp_path / "cut" / ADAPTER_WEIGHTS).exists()
    resumed, _ = train_lora(base_model(tok), data[0], tiny_args(**args, resume="auto"), tmp_path / "cut",
                            tokenizer=tok)
    assert torch.equal(logits(resumed, IDS), logits(full, IDS))


# --- refusals: the model passed in stays unchanged -----------------------------------------------------------
def test_an_adapter_for_another_base_is_refused(trained, tok):
    other = base_model(tok, seed=1)  # same shape, other weights
    before = snapshot(other)
    with pytest.raises(AdapterError, match="another base model"):
        load_adapter(other, trained["out"])
    assert_unchanged(other, before)
    wider = make_model(0, vocab_size=len(tok), pad_token_id=tok.pad_token_id, max_position_embeddings=160,
                       hidden_size=64)
    before = snapshot(wider)
    with pytest.raises(AdapterError, match="another shape.*hidden_size 32 .* vs 64"):
        load_adapter(wider, trained["out"])
    assert_unchanged(wider, before)


def test_adapter_folder_missing_files(trained, tok, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(trained["out"], broken)
    (broken / ADAPTER_WEIGHTS).unlink()
    model = base_model(tok)
    before = snapshot(model)
    with pytest.raises(FileNotFoundError, match="missing adapter_model.safetensors"):
        load_adapter(model, broken)
    (broken / ADAPTER_CONFIG).unlink()
    with pytest.raises(FileNotFoundError, match="missing adapter_config.json, adapter_model.safetensors"):
        load_adapter(model, broken)
    with pytest.raises(FileNotFoundError, match="not found"):
        load_adapter(model, tmp_path / "nowhere")
    assert_unchanged(model, before)


def test_adapter_with_wrong_tensors_or_zero_b_is_refused(trained, tok, tmp_path):
    import shutil

    from safetensors.torch import load_file, save_file

    bad = tmp_path / "bad"
    shutil.copytree(trained["out"], bad)
    tensors = load_file(bad / ADAPTER_WEIGHTS)
    key = next(k for k in tensors if "lora_A" in k)
    save_file({**tensors, key: torch.zeros(3, tensors[key].shape[1])}, bad / ADAPTER_WEIGHTS)
    model = base_model(tok)
    before = snapshot(model)
    with pytest.raises(AdapterError, match="shape"):
        load_adapter(model, bad)
    save_file({k: (torch.zeros_like(v) if "lora_B" in k else v) for k, v in tensors.items()}, bad / ADAPTER_WEIGHTS)
    with pytest.raises(AdapterError, match="all zero"):
        load_adapter(model, bad)
    assert_unchanged(model, before)
    with pytest.raises(AdapterError, match="all zero"):  # an untrained adapter is never saved either
        save_adapter(add_lora(base_model(tok), tiny_args()), tmp_path / "empty")
    assert not (tmp_path / "empty" / ADAPTER_WEIGHTS).exists()


@pytest.mark.parametrize("r", [0, -2])
def test_rank_must_be_positive(r):
    with pytest.raises(ValueError, match="r must be a positive integer"):
        LoraArgs(r=r).validate()


def test_unknown_target_modules_are_named_with_the_valid_ones(tok):
    model = base_model(tok)
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"\['qproj', 'attn'\].*\['down_proj', 'gate_proj', 'k_proj', 'o_proj', "
                                         r"'q_proj', 'up_proj', 'v_proj'\]"):
        add_lora(model, tiny_args(target_modules=["q_proj", "qproj", "attn"]))
    assert_unchanged(model, before)
    assert target_module_names(model) == ["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj",
                                          "v_proj"]


@pytest.mark.parametrize(
    "text, message",
    [("", "is empty"), ('[\n{"instruction": "a", "output": "b"},\n{"instruction": "a", "output": }\n]', "line 3")],
)
def test_bad_data_writes_nothing_and_leaves_the_model_alone(tok, tmp_path, text, message):
    path = tmp_path / "data.json"
    path.write_text(text, encoding="utf-8")
    model = base_model(tok)
    before = snapshot(model)
    with pytest.raises(ValueError, match=message):
        train_lora(model, path, tiny_args(), tmp_path / "out", tokenizer=tok)
    assert not (tmp_path / "out").exists()
    assert_unchanged(model, before)


def test_cli_bad_input_is_one_line_and_writes_nothing(tok, tmp_path, capsys):
    from gpt_demo import checkpoints
    from gpt_demo.cli import main

    base_dir = checkpoints.save(base_model(tok), tok, tmp_path / "base")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "a", "output": "b"}\n{"instruction": "a" "output": "b"}\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["finetune-lora", "--base", str(base_dir), "--data", str(bad), "--out", str(out)]) == 2
    assert "line 2" in capsys.readouterr().err
    good = tmp_path / "good.jsonl"
    good.write_text('{"instruction": "a", "output": "b"}\n', encoding="utf-8")
    for flags, message in [(["--r", "0"], "r must be"), (["--target-modules", "q_proj,nope"], "'nope'")]:
        assert main(["finetune-lora", "--base", str(base_dir), "--data", str(good), "--out", str(out), *flags]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert main(["merge-lora", "--base", str(base_dir), "--adapter", str(tmp_path), "--out", str(out)]) == 2
    assert "missing adapter_config.json" in capsys.readouterr().err
    assert not out.exists()
