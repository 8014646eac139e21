"""Local checkpoint files: save/load round trip, atomic save, listing, name safety, LLaMA folders, llama2.c files,
device/dtype choice. (Hub downloads are in test_hub.py.)"""

import json
import os
import struct

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from gpt_demo import checkpoints, convert, device
from gpt_demo.checkpoints import (
    CorruptCheckpointError,
    MissingTokenizerError,
    UnsafeCheckpointError,
    UnsupportedModelError,
)

from .conftest import make_model
from .fake_hub import tiny_bpe_tokenizer, tiny_llama

IDS = torch.tensor([[1, 17, 42, 99, 7, 250, 3, 64, 5]])


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_bpe_tokenizer()


@pytest.fixture
def ckpt_dir(tmp_path, monkeypatch):
    root = tmp_path / "checkpoints"
    root.mkdir()
    monkeypatch.setattr(checkpoints, "CHECKPOINTS_DIR", root)
    return root


def logits(model, ids=IDS):
    with torch.no_grad():
        return model(ids).logits


# -- save / load -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tie", [True, False])
def test_save_load_round_trip(ckpt_dir, tokenizer, tie):
    model = make_model(vocab_size=320, tie_word_embeddings=tie)
    path = checkpoints.save(model, tokenizer, "demo")  # a bare name goes into CHECKPOINTS_DIR
    assert path == ckpt_dir / "demo"
    assert sorted(p.name for p in path.iterdir() if p.suffix in (".safetensors", ".bin")) == ["model.safetensors"]
    loaded, tok = checkpoints.load("demo", device="cpu")
    assert isinstance(loaded, type(model)) and not loaded.training
    assert loaded.config.tie_word_embeddings == tie
    torch.testing.assert_close(logits(loaded), logits(model), rtol=0, atol=0)
    text = "나는 맛있는 음식을 좋아합니다. The quick fox"
    assert tok.encode(text) == tokenizer.encode(text)
    assert tok.decode(tok.encode(text)) == text


def test_load_dtype_and_device_strings(ckpt_dir, tokenizer):
    checkpoints.save(make_model(vocab_size=320), tokenizer, "demo")
    model, _ = checkpoints.load("demo", device="cpu", dtype="bf16")
    assert next(model.parameters()).dtype == torch.bfloat16
    model, _ = checkpoints.load(ckpt_dir / "demo")  # defaults on this CPU machine: fp32
    assert next(model.parameters()).dtype == torch.float32 and next(model.parameters()).device.type == "cpu"
    with pytest.raises(ValueError, match="unknown dtype"):
        checkpoints.load("demo", dtype="fp8")


def test_atomic_save_crash_keeps_old_checkpoint(ckpt_dir, tokenizer, monkeypatch):
    old = make_model(seed=1, vocab_size=320)
    checkpoints.save(old, tokenizer, "demo")
    new = make_model(seed=2, vocab_size=320)

    def crash(model, tok, folder):  # the writer dies halfway: a partial weights file, then an error
        (folder / "config.json").write_text("{}")
        (folder / "model.safetensors").write_bytes(b"\x00" * 100)
        raise OSError("No space left on device")

    monkeypatch.setattr(checkpoints, "_write_checkpoint", crash)
    with pytest.raises(OSError, match="No space left"):
        checkpoints.save(new, tokenizer, "demo")
    assert sorted(p.name for p in ckpt_dir.iterdir()) == ["demo"]  # no temporary folder left behind
    loaded, _ = checkpoints.load("demo")
    torch.testing.assert_close(logits(loaded), logits(old), rtol=0, atol=0)

    monkeypatch.undo()
    monkeypatch.setattr(checkpoints, "CHECKPOINTS_DIR", ckpt_dir)
    checkpoints.save(new, tokenizer, "demo")  # a complete save replaces it
    assert sorted(p.name for p in ckpt_dir.iterdir()) == ["demo"]
    loaded, _ = checkpoints.load("demo")
    torch.testing.assert_close(logits(loaded), logits(new), rtol=0, atol=0)


def test_save_refuses_an_unloadable_result(ckpt_dir, tokenizer, monkeypatch):
    """The new folder is validated before it replaces the old one."""
    checkpoints.save(make_model(vocab_size=320), tokenizer, "demo")
    real = checkpoints._write_checkpoint

    def bad_config(model, tok, folder):
        real(model, tok, folder)
        cfg = json.loads((folder / "config.json").read_text())
        cfg["hidden_size"] = 64  # weights no longer match
        (folder / "config.json").write_text(json.dumps(cfg))

    monkeypatch.setattr(checkpoints, "_write_checkpoint", bad_config)
    with pytest.raises(CorruptCheckpointError, match="do not match config.json"):
        checkpoints.save(make_model(seed=3, vocab_size=320), tokenizer, "demo")
    assert [p.name for p in ckpt_dir.iterdir()] == ["demo"]
    checkpoints.load("demo")


def test_list_checkpoints(ckpt_dir, tokenizer):
    model = make_model(vocab_size=320)
    checkpoints.save(model, tokenizer, "demo")
    adapter = ckpt_dir / "demo-lora-chat"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "base_model_name_or_path": "demo"}))
    save_file({"a": torch.zeros(4, 8), "b": torch.zeros(8, 4)}, adapter / "adapter_model.safetensors")
    (ckpt_dir / ".demo.saving-x").mkdir()  # an unfinished save: not listed
    (ckpt_dir / "notes").mkdir()  # no config: not listed
    found = checkpoints.list_checkpoints()
    assert [c["name"] for c in found] == ["demo", "demo-lora-chat"]
    demo, lora = found
    assert demo["kind"] == "model" and demo["model_type"] == "gpt_demo"
    assert demo["num_parameters"] == sum(p.numel() for p in model.parameters())  # tied head counted once
    assert demo["size_bytes"] > 4 * demo["num_parameters"]
    assert demo["path"] == str(ckpt_dir / "demo")
    assert lora["kind"] == "adapter" and lora["model_type"] == "LORA" and lora["num_parameters"] == 64
    assert lora["base_model"] == "demo"
    with pytest.raises(UnsupportedModelError, match="LoRA adapter"):
        checkpoints.load("demo-lora-chat")


def test_names_are_validated(ckpt_dir, tokenizer, tmp_path):
    checkpoints.save(make_model(vocab_size=320), tokenizer, "demo")
    assert checkpoints.resolve_checkpoint("demo") == ckpt_dir / "demo"
    for bad in ("../../etc", "..", "a/b", ".hidden", "", "/etc", "demo/../../x", "x" * 200):
        with pytest.raises(ValueError):
            checkpoints.resolve_checkpoint(bad)
    for bad in ("../../etc", "../checkpoints/demo", "demo/../../etc"):
        with pytest.raises(ValueError, match="'..'"):
            checkpoints.load(bad)
    with pytest.raises(FileNotFoundError, match="available: demo"):
        checkpoints.resolve_checkpoint("nope")
    (tmp_path / "outside").mkdir()
    (ckpt_dir / "sneaky").symlink_to(tmp_path / "outside")  # a symlink leading out of the folder
    with pytest.raises(ValueError, match="outside"):
        checkpoints.resolve_checkpoint("sneaky")
    assert [c["name"] for c in checkpoints.list_checkpoints()] == ["demo"]
    for bad in ("../../etc", "owner/../x", "owner/na me", "a/b/c", "owner--x/y"):
        with pytest.raises(ValueError, match="invalid Hub repo id"):
            checkpoints.download(bad)
    with pytest.raises(ValueError, match="invalid checkpoint name"):
        checkpoints.save(make_model(), None, "..")


def test_default_checkpoint_constants():
    assert checkpoints.DEFAULT_CHECKPOINT == "gpt-demo-ko-en-tiny"
    assert checkpoints.CHECKPOINTS_DIR.name == "checkpoints" or os.environ.get("GPT_DEMO_CHECKPOINTS")


# -- LLaMA folders -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tie", [False, True])
def test_local_llama_folder_converts_with_equal_logits(tmp_path, tokenizer, tie):
    llama = tiny_llama(tie_word_embeddings=tie, rope_parameters={"rope_type": "default", "rope_theta": 5e5})
    llama.save_pretrained(tmp_path / "llama", max_shard_size="30KB")
    tokenizer.save_pretrained(tmp_path / "llama")
    assert (tmp_path / "llama" / "model.safetensors.index.json").is_file()
    model, tok = checkpoints.load(tmp_path / "llama")
    assert model.config.model_type == "gpt_demo" and model.config.rope_theta == 5e5
    assert model.config.num_key_value_heads == 2 and model.config.tie_word_embeddings == tie
    ids = torch.tensor([tok.encode("The quick brown fox jumps")])
    assert (logits(model, ids) - logits(llama, ids)).abs().max() <= 1e-5


def test_llama_folder_without_tokenizer(tmp_path, tokenizer):
    llama = tiny_llama()
    llama.save_pretrained(tmp_path / "llama")
    with pytest.raises(MissingTokenizerError, match="no tokenizer files"):
        checkpoints.load(tmp_path / "llama")
    model, tok = checkpoints.load(tmp_path / "llama", tokenizer=tokenizer)
    assert tok is tokenizer
    assert (logits(model) - logits(llama)).abs().max() <= 1e-5


@pytest.mark.parametrize(
    "change, message",
    [
        ({"rope_parameters": {"rope_type": "llama3", "rope_theta": 5e5, "factor": 8.0, "low_freq_factor": 1.0,
                              "high_freq_factor": 4.0, "original_max_position_embeddings": 32}}, "'llama3'"),
        ({"rope_scaling": {"type": "linear", "factor": 2.0}}, "'linear'"),
        ({"model_type": "mistral", "architectures": ["MistralForCausalLM"]}, "'mistral'"),
        ({"quantization_config": {"quant_method": "gptq"}}, "gptq"),
        ({"architectures": ["LlamaForSequenceClassification"]}, "not a causal language model"),
    ],
)
def test_unsupported_llama_variants_are_refused_by_name(tmp_path, tokenizer, change, message):
    tiny_llama().save_pretrained(tmp_path / "m")
    tokenizer.save_pretrained(tmp_path / "m")
    cfg = json.loads((tmp_path / "m" / "config.json").read_text())
    cfg.update(change)
    (tmp_path / "m" / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(UnsupportedModelError, match=message):
        checkpoints.load(tmp_path / "m")


def test_damaged_local_files_are_refused(tmp_path, tokenizer):
    tiny_llama().save_pretrained(tmp_path / "m")
    tokenizer.save_pretrained(tmp_path / "m")
    weights = tmp_path / "m" / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(CorruptCheckpointError, match="cut short"):
        checkpoints.load(tmp_path / "m")
    weights.write_bytes(b"\xff" * 64)
    with pytest.raises(CorruptCheckpointError, match="safetensors"):
        checkpoints.load(tmp_path / "m")
    (tmp_path / "m" / "config.json").write_text('{"model_type": "llama", "hidden')
    with pytest.raises(CorruptCheckpointError, match="not valid JSON"):
        checkpoints.load(tmp_path / "m")


class _Evil:
    """A pickle payload: unpickling it would call os.system."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_local_pickle_weights_only(tmp_path, tokenizer):
    """pytorch_model.bin: a plain state dict loads (weights_only=True); a code-running pickle is refused."""
    model = make_model(vocab_size=320, tie_word_embeddings=False)
    model.config.save_pretrained(tmp_path / "m")
    tokenizer.save_pretrained(tmp_path / "m")
    torch.save(dict(model.state_dict()), tmp_path / "m" / "pytorch_model.bin")
    loaded, _ = checkpoints.load(tmp_path / "m")
    torch.testing.assert_close(logits(loaded), logits(model), rtol=0, atol=0)
    marker = tmp_path / "pwned"
    torch.save({"lm_head.weight": _Evil(marker)}, tmp_path / "m" / "pytorch_model.bin")
    with pytest.raises(UnsafeCheckpointError, match="refused.*unsupported GLOBAL posix.system"):
        checkpoints.load(tmp_path / "m")
    assert not marker.exists()
    torch.save({"lm_head.weight": torch.zeros(2, 2)}, tmp_path / "m" / "pytorch_model.bin")
    with pytest.raises(CorruptCheckpointError, match="missing"):
        checkpoints.load(tmp_path / "m")


def test_convert_llama_folder(tmp_path, tokenizer, ckpt_dir):
    llama = tiny_llama()
    llama.save_pretrained(tmp_path / "llama")
    tokenizer.save_pretrained(tmp_path / "llama")
    out = checkpoints.convert_llama_folder(tmp_path / "llama", tmp_path / "out")
    assert json.loads((out / "config.json").read_text())["model_type"] == "gpt_demo"
    model, _ = checkpoints.load(out)
    assert (logits(model) - logits(llama)).abs().max() <= 1e-5


# -- llama2.c ------------------------------------------------------------------------------------------------

ARGS = dict(dim=32, n_layers=2, n_heads=4, n_kv_heads=2, vocab_size=64, hidden_dim=48, multiple_of=16,
            norm_eps=1e-5, max_seq_len=32, dropout=0.0)
LAYER_KEYS = ["attention_norm", "attention.wq", "attention.wk", "attention.wv", "attention.wo", "ffn_norm",
              "feed_forward.w1", "feed_forward.w2", "feed_forward.w3"]


def llama2c_state_dict(shared: bool, seed: int = 0) -> dict:
    """Random weights under llama2.c's names (model.py's Transformer)."""
    g = torch.Generator().manual_seed(seed)
    d, h, kv = ARGS["dim"], ARGS["hidden_dim"], ARGS["n_kv_heads"] * ARGS["dim"] // ARGS["n_heads"]
    shapes = {"attention_norm": (d,), "ffn_norm": (d,), "attention.wq": (d, d), "attention.wk": (kv, d),
              "attention.wv": (kv, d), "attention.wo": (d, d), "feed_forward.w1": (h, d),
              "feed_forward.w2": (d, h), "feed_forward.w3": (h, d)}
    sd = {"tok_embeddings.weight": torch.randn(ARGS["vocab_size"], d, generator=g) * 0.5,
          "norm.weight": 1 + 0.1 * torch.randn(d, generator=g)}
    for i in range(ARGS["n_layers"]):
        for key, shape in shapes.items():
            w = torch.randn(*shape, generator=g)
            sd[f"layers.{i}.{key}.weight"] = 1 + 0.1 * w if len(shape) == 1 else w * 0.2
    sd["output.weight"] = sd["tok_embeddings.weight"] if shared else torch.randn(ARGS["vocab_size"], d, generator=g)
    return sd


def llama2c_forward(sd: dict, tokens: torch.Tensor) -> torch.Tensor:
    """llama2.c's model.py forward, written out: RoPE rotates interleaved pairs (2i, 2i+1) as complex numbers."""
    dim, n_heads, n_kv, eps = ARGS["dim"], ARGS["n_heads"], ARGS["n_kv_heads"], ARGS["norm_eps"]
    hd, (B, T) = dim // n_heads, tokens.shape
    freqs = 1.0 / (10000.0 ** (torch.arange(0, hd, 2)[: hd // 2].float() / hd))
    angles = torch.outer(torch.arange(T).float(), freqs)  # (T, hd/2)
    cos, sin = angles.cos()[None, :, None], angles.sin()[None, :, None]  # broadcast to (B, T, H, hd/2)

    def rms(x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    def rope(x):  # (B, T, H, hd)
        xr, xi = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)  # real/imaginary parts = even/odd dims
        return torch.stack([xr * cos - xi * sin, xr * sin + xi * cos], dim=-1).flatten(3)

    h = sd["tok_embeddings.weight"][tokens]
    for i in range(ARGS["n_layers"]):
        w = {k: sd[f"layers.{i}.{k}.weight"] for k in LAYER_KEYS}
        x = rms(h, w["attention_norm"])
        q = rope((x @ w["attention.wq"].T).view(B, T, n_heads, hd))
        k = rope((x @ w["attention.wk"].T).view(B, T, n_kv, hd)).repeat_interleave(n_heads // n_kv, dim=2)
        v = (x @ w["attention.wv"].T).view(B, T, n_kv, hd).repeat_interleave(n_heads // n_kv, dim=2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        h = h + y.transpose(1, 2).reshape(B, T, dim) @ w["attention.wo"].T
        x = rms(h, w["ffn_norm"])
        h = h + (F.silu(x @ w["feed_forward.w1"].T) * (x @ w["feed_forward.w3"].T)) @ w["feed_forward.w2"].T
    return rms(h, sd["norm.weight"]) @ sd["output.weight"].T


def write_llama2c_pt(path, sd):
    """What llama2.c's train.py saves."""
    torch.save({"model": sd, "model_args": dict(ARGS), "iter_num": 100, "best_val_loss": torch.tensor(2.5),
                "config": {"batch_size": 8, "learning_rate": 5e-4, "dataset": "tinystories"}}, path)


def _fp32(f, tensors):
    for t in tensors:
        f.write(t.detach().float().contiguous().numpy().astype("<f4").tobytes())


def write_llama2c_bin(path, sd, shared: bool, version: int):
    """export.py's legacy_export (version 0) or version1_export."""
    L, d, hd = ARGS["n_layers"], ARGS["dim"], ARGS["dim"] // ARGS["n_heads"]
    per_layer = {k: [sd[f"layers.{i}.{k}.weight"] for i in range(L)] for k in LAYER_KEYS}
    dims = [d, ARGS["hidden_dim"], L, ARGS["n_heads"], ARGS["n_kv_heads"]]
    with open(path, "wb") as f:
        if version == 0:
            f.write(struct.pack("7i", *dims, ARGS["vocab_size"] * (1 if shared else -1), ARGS["max_seq_len"]))
            freqs = torch.outer(torch.arange(ARGS["max_seq_len"]).float(), torch.ones(hd // 2))
            _fp32(f, [sd["tok_embeddings.weight"], *per_layer["attention_norm"], *per_layer["attention.wq"],
                      *per_layer["attention.wk"], *per_layer["attention.wv"], *per_layer["attention.wo"],
                      *per_layer["ffn_norm"], *per_layer["feed_forward.w1"], *per_layer["feed_forward.w2"],
                      *per_layer["feed_forward.w3"], sd["norm.weight"], freqs.cos(), freqs.sin()])
        else:
            f.write(struct.pack("I", 0x616B3432) + struct.pack("i", 1))
            f.write(struct.pack("7i", *dims, ARGS["vocab_size"], ARGS["max_seq_len"]) + struct.pack("B", shared))
            f.write(b"\0" * (256 - f.tell()))
            _fp32(f, [*per_layer["attention_norm"], *per_layer["ffn_norm"], sd["norm.weight"],
                      sd["tok_embeddings.weight"], *per_layer["attention.wq"], *per_layer["attention.wk"],
                      *per_layer["attention.wv"], *per_layer["attention.wo"], *per_layer["feed_forward.w1"],
                      *per_layer["feed_forward.w2"], *per_layer["feed_forward.w3"]])
        if not shared:
            _fp32(f, [sd["output.weight"]])


@pytest.mark.parametrize("fmt, shared", [("pt", True), ("pt", False), ("bin-v0", False), ("bin-v0", True),
                                         ("bin-v1", True), ("bin-v1", False)])
def test_llama2c_converts_with_equal_logits(tmp_path, fmt, shared):
    sd = llama2c_state_dict(shared)
    path = tmp_path / ("model.pt" if fmt == "pt" else "model.bin")
    if fmt == "pt":
        write_llama2c_pt(path, sd)
    else:
        write_llama2c_bin(path, sd, shared, version=int(fmt[-1]))
    model = convert.from_llama2c(path)
    assert model.config.tie_word_embeddings == shared and model.config.num_key_value_heads == 2
    assert model.config.rope_theta == 10000.0 and model.config.max_position_embeddings == ARGS["max_seq_len"]
    tokens = torch.randint(0, ARGS["vocab_size"], (2, 12), generator=torch.Generator().manual_seed(1))
    # In float64 both sides compute the same function up to rounding far below the 1e-5 bar, whatever the
    # CPU/BLAS; a wrong mapping or permutation gives differences of order 1 (see the next test).
    ref = llama2c_forward({k: v.double() for k, v in sd.items()}, tokens)
    assert (logits(model.double(), tokens) - ref).abs().max() <= 1e-5
    assert (logits(model.float(), tokens) - ref).abs().max() <= 1e-4  # and in float32, as loaded


def test_llama2c_permutation_is_what_makes_logits_equal(tmp_path, monkeypatch):
    """Without the q/k permutation the converted model computes something else (the test can fail)."""
    sd = llama2c_state_dict(shared=True)
    write_llama2c_pt(tmp_path / "model.pt", sd)
    monkeypatch.setattr(convert, "permute_interleaved_to_half", lambda w, n_heads: w)
    tokens = torch.randint(0, ARGS["vocab_size"], (1, 12), generator=torch.Generator().manual_seed(1))
    diff = (logits(convert.from_llama2c(tmp_path / "model.pt"), tokens) - llama2c_forward(sd, tokens)).abs().max()
    assert diff > 1e-2


def test_llama2c_bad_files(tmp_path):
    sd = llama2c_state_dict(shared=True)
    write_llama2c_bin(tmp_path / "model.bin", sd, shared=True, version=0)
    data = (tmp_path / "model.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[:-100])
    with pytest.raises(ValueError, match="does not match its header"):
        convert.from_llama2c(tmp_path / "cut.bin")
    (tmp_path / "junk.bin").write_bytes(b"\x7f" * 64)
    with pytest.raises(ValueError, match="not a llama2.c"):
        convert.from_llama2c(tmp_path / "junk.bin")
    with pytest.raises(FileNotFoundError):
        convert.from_llama2c(tmp_path / "missing.pt")


def test_llama2c_malicious_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    torch.save({"model": {"x": _Evil(marker)}, "model_args": dict(ARGS)}, tmp_path / "evil.pt")
    with pytest.raises(ValueError, match="refused.*weights_only"):
        convert.from_llama2c(tmp_path / "evil.pt")
    assert not marker.exists()


def test_convert_llama2c_file_with_tokenizer(tmp_path, tokenizer):
    sd = llama2c_state_dict(shared=True)
    sd["tok_embeddings.weight"] = sd["output.weight"] = torch.randn(320, ARGS["dim"])
    args = dict(ARGS, vocab_size=320)
    torch.save({"model": sd, "model_args": args}, tmp_path / "ckpt.pt")
    tokenizer.save_pretrained(tmp_path / "tok")
    out = checkpoints.convert_llama2c_file(tmp_path / "ckpt.pt", tmp_path / "tok", tmp_path / "out")
    model, tok = checkpoints.load(out)
    assert model.config.vocab_size == 320 and tok.encode("fox") == tokenizer.encode("fox")
    assert model.config.eos_token_id == tokenizer.eos_token_id
    with pytest.raises(MissingTokenizerError):
        checkpoints.convert_llama2c_file(tmp_path / "ckpt.pt", tmp_path, tmp_path / "out2")


def test_cli_convert(tmp_path, tokenizer, capsys):
    from gpt_demo.cli import main

    llama = tiny_llama()
    llama.save_pretrained(tmp_path / "llama")
    tokenizer.save_pretrained(tmp_path / "llama")
    assert main(["convert", "--from-llama", str(tmp_path / "llama"), "--out", str(tmp_path / "out")]) == 0
    assert json.loads(capsys.readouterr().out)["out"] == str(tmp_path / "out")
    model, _ = checkpoints.load(tmp_path / "out")
    assert (logits(model) - logits(llama)).abs().max() <= 1e-5

    sd = llama2c_state_dict(shared=True)
    write_llama2c_bin(tmp_path / "stories.bin", sd, shared=True, version=0)
    args = ["convert", "--from-llama2c", str(tmp_path / "stories.bin"), "--out", str(tmp_path / "out2")]
    assert main(args) == 2 and "needs --tokenizer" in capsys.readouterr().err
    assert main([*args, "--tokenizer", str(tmp_path / "llama")]) == 2  # 300-token tokenizer, 64-token model
    assert "do not belong together" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()


# -- device and dtype ----------------------------------------------------------------------------------------


def test_device_and_dtype_choice():
    assert device.parse_dtype("fp32") is torch.float32
    assert device.parse_dtype("BF16") is torch.bfloat16
    assert device.parse_dtype("float16") is torch.float16
    assert device.parse_dtype(torch.float16) is torch.float16
    assert device.parse_dtype(None) is None
    with pytest.raises(ValueError, match="unknown dtype"):
        device.parse_dtype("int8")
    assert device.pick_dtype("cpu") is torch.float32
    assert device.pick_dtype("cpu", "bf16") is torch.bfloat16
    assert device.pick_device("cpu").type == "cpu"
    expected = "cuda" if torch.cuda.is_available() else None
    if expected:
        assert device.pick_device().type == "cuda"
        assert device.pick_dtype("cuda") in (torch.bfloat16, torch.float16)
    else:
        with pytest.raises(ValueError, match="no CUDA GPU"):
            device.pick_device("cuda")
    assert device.dtype_name(torch.bfloat16) == "bf16"


def test_save_keeps_the_sentencepiece_model_and_shares_the_files(ckpt_dir, tmp_path):
    from gpt_demo.corpus import generate_text
    from gpt_demo.tokenizer import load_tokenizer, train_tokenizer

    text = generate_text(0, 200_000, lang="en")
    train_tokenizer([text], tmp_path / "tok", vocab_size=400)
    tok = load_tokenizer(tmp_path / "tok")
    path = checkpoints.save(make_model(vocab_size=400), tok, "spm-demo")
    assert (path / "tokenizer.model").read_bytes() == (tmp_path / "tok" / "tokenizer.model").read_bytes()
    assert oct(path.stat().st_mode & 0o777) == "0o755"
    assert all(oct(p.stat().st_mode & 0o777) == "0o644" for p in path.iterdir())
    # a tokenizer whose folder holds a SentencePiece model of another size gets none copied
    train_tokenizer([text], tmp_path / "other", vocab_size=420)
    (tmp_path / "tok" / "tokenizer.model").write_bytes((tmp_path / "other" / "tokenizer.model").read_bytes())
    path = checkpoints.save(make_model(vocab_size=400), tok, "spm-demo-2")
    assert not (path / "tokenizer.model").exists()
