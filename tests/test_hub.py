"""Hub downloads against a fake Hub on 127.0.0.1 (tests/fake_hub.py), never the real one.

download -> load gives the logits of the original LlamaForCausalLM; every fault (unknown repo, server down,
offline mode, a file cut short or corrupted, pickles, models that are not LLaMA-like, RoPE scaling, bad names)
gives its own clear error, and a model loaded before keeps working.
"""

import json
import os
import socket

import pytest
import torch
from huggingface_hub import constants

from gpt_demo import checkpoints
from gpt_demo.checkpoints import (
    CorruptCheckpointError,
    HubUnavailableError,
    RepoNotFoundError,
    UnsafeCheckpointError,
    UnsupportedModelError,
)

from .fake_hub import FakeHub, tiny_bpe_tokenizer, tiny_llama, tiny_spm_model

SHARD = "model-00002-of-00004.safetensors"  # 4 shards of 40 KB at most


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A fake Hub with a handful of repos, built once for the module."""
    root = tmp_path_factory.mktemp("repos")
    tok = tiny_bpe_tokenizer()
    refs = {}

    def publish(repo_id, model, tokenizer=tok, extra=None, **save_kwargs):
        folder = root / repo_id.replace("/", "__")
        model.save_pretrained(folder, **save_kwargs)
        if tokenizer is not None:
            tokenizer.save_pretrained(folder)
        refs[repo_id] = model
        return folder

    with FakeHub() as server:
        # GQA, untied, rope_theta from rope_parameters, 3 shards with an index, files that must not be fetched.
        llama = tiny_llama(rope_parameters={"rope_type": "default", "rope_theta": 5e5})
        folder = publish("tiny/llama", llama, max_shard_size="40KB")
        assert (folder / "model.safetensors.index.json").is_file() and (folder / SHARD).is_file()
        server.add_folder("tiny/llama", folder, extra={"README.md": b"# tiny", "original/consolidated.00.pth": b"x",
                                                        "onnx/model.onnx": b"x", "model.gguf": b"x"})
        for fault in ("truncate", "flip"):
            server.add_folder(f"tiny/llama-{fault}", folder)
            server.fault(f"tiny/llama-{fault}", SHARD, fault)

        # Tied embeddings and a SentencePiece tokenizer.model only (as LLaMA 1/2 repos ship it).
        spm_path = tiny_spm_model(root / "spm")
        tied = tiny_llama(seed=1, vocab_size=384, tie_word_embeddings=True)
        folder = publish("tiny/llama-spm", tied, tokenizer=None)
        server.add_folder("tiny/llama-spm", folder, extra={"tokenizer.model": spm_path.read_bytes()})

        # Pickle-only repos: a plain state dict, and one whose unpickling would run a shell command.
        safe = tiny_llama(seed=2)
        folder = publish("tiny/pickle", safe)
        (folder / "model.safetensors").unlink()
        state = {k: v.clone() for k, v in safe.state_dict().items()}
        torch.save(state, folder / "pytorch_model.bin")
        server.add_folder("tiny/pickle", folder)
        marker = root / "pwned"
        torch.save({"model.embed_tokens.weight": _Evil(marker)}, folder / "pytorch_model.bin")
        server.add_folder("tiny/evil-pickle", folder)

        # Not LLaMA-like, and LLaMA with RoPE scaling.
        folder = publish("tiny/gpt2", tiny_llama(seed=3))
        cfg = json.loads((folder / "config.json").read_text())
        cfg.update(model_type="gpt2", architectures=["GPT2LMHeadModel"])
        (folder / "config.json").write_text(json.dumps(cfg))
        server.add_folder("tiny/gpt2", folder)
        rope = {"rope_type": "llama3", "rope_theta": 5e5, "factor": 8.0, "low_freq_factor": 1.0,
                "high_freq_factor": 4.0, "original_max_position_embeddings": 32}
        folder = publish("tiny/llama3-rope", tiny_llama(seed=4, rope_parameters=rope))
        server.add_folder("tiny/llama3-rope", folder)

        server.refs = refs
        server.marker = marker
        yield server


@pytest.fixture
def hub_env(hub, tmp_path, monkeypatch):
    """Point huggingface_hub at the fake Hub with an empty cache (the env vars and the constants read at import)."""
    cache = tmp_path / "hf-home" / "hub"
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)  # hf_hub_url() swaps this prefix of the template below
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", hub.url + "/{repo_id}/resolve/{revision}/{filename}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    hub.requests.clear()
    return cache


def logits(model, ids):
    with torch.no_grad():
        return model(ids).logits


@pytest.fixture
def loaded(hub, hub_env):
    """A model downloaded and loaded before the fault happens, with its logits."""
    model, tok = checkpoints.load("tiny/llama")
    ids = torch.tensor([tok.encode("The quick brown fox jumps over")])
    return model, ids, logits(model, ids)


def assert_still_works(loaded):
    model, ids, before = loaded
    torch.testing.assert_close(logits(model, ids), before, rtol=0, atol=0)


def fetched(hub, repo_id):
    """Files of a repo that were downloaded (GET of /resolve/)."""
    return sorted(p.split("/resolve/", 1)[1].split("/", 1)[1] for m, p in hub.requests
                  if m == "GET" and p.startswith(f"/{repo_id}/resolve/"))


# -- downloads that work ---------------------------------------------------------------------------------------


def test_download_load_equals_llama(hub, hub_env):
    folder = checkpoints.download("tiny/llama")
    assert folder.startswith(str(hub_env))  # the normal cache layout, under HF_HUB_CACHE
    names = sorted(os.listdir(folder))
    shards = [f"model-0000{i}-of-00004.safetensors" for i in range(1, 5)]
    assert names == ["config.json", "generation_config.json", *shards, "model.safetensors.index.json",
                     "tokenizer.json", "tokenizer_config.json"]  # no README, onnx, gguf or original/ weights
    model, tok = checkpoints.load("tiny/llama")
    llama = hub.refs["tiny/llama"]
    assert model.config.rope_theta == 5e5 and model.config.num_key_value_heads == 2
    assert not model.config.tie_word_embeddings
    ids = torch.tensor([tok.encode("The quick brown fox jumps over the lazy dog.")])
    assert (logits(model, ids) - logits(llama, ids)).abs().max() <= 1e-5
    assert model.generation_config.eos_token_id == 2
    hub.requests.clear()
    checkpoints.load("tiny/llama")  # cached: only the revision lookup, nothing downloaded again
    assert fetched(hub, "tiny/llama") == []


def test_tied_embeddings_and_sentencepiece_tokenizer(hub, hub_env):
    model, tok = checkpoints.load("tiny/llama-spm")
    assert model.config.tie_word_embeddings
    text = "나는 맛있는 음식을 좋아합니다."
    ids = tok.encode(text, add_special_tokens=False)
    assert tok.decode(ids) == text
    ids = torch.tensor([ids])
    assert (logits(model, ids) - logits(hub.refs["tiny/llama-spm"], ids)).abs().max() <= 1e-5


def test_safe_pickle_repo_loads_with_weights_only(hub, hub_env):
    model, tok = checkpoints.load("tiny/pickle")
    assert "pytorch_model.bin" in fetched(hub, "tiny/pickle")
    ids = torch.tensor([tok.encode("def forward(self, x)")])
    assert (logits(model, ids) - logits(hub.refs["tiny/pickle"], ids)).abs().max() <= 1e-5


def test_revision_pin_and_offline_cache(hub, hub_env, monkeypatch, loaded):
    sha = hub.repos["tiny/llama"].sha
    assert checkpoints.download("tiny/llama", revision=sha).endswith(sha)
    with pytest.raises(RepoNotFoundError, match="revision 'v9'"):
        checkpoints.download("tiny/llama", revision="v9")
    # Once downloaded, the repo loads with HF_HUB_OFFLINE=1 and with the Hub down, from the cache.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.requests.clear()
    model, _ = checkpoints.load("tiny/llama")
    assert hub.requests == []
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    model, _ = checkpoints.load("tiny/llama")
    assert_still_works((model, loaded[1], loaded[2]))


# -- faults: each its own error, the earlier model unaffected --------------------------------------------------


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


def test_unknown_repo(hub, hub_env, loaded):
    with pytest.raises(RepoNotFoundError, match="'tiny/nope' was not found"):
        checkpoints.load("tiny/nope")
    assert_still_works(loaded)


def test_server_down(hub, hub_env, loaded, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    with pytest.raises(HubUnavailableError, match="cannot be reached.*bundled checkpoint 'gpt-demo-ko-en-tiny'"):
        checkpoints.load("tiny/llama-spm")
    assert_still_works(loaded)


def test_offline_mode(hub, hub_env, loaded, monkeypatch):
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.requests.clear()
    with pytest.raises(HubUnavailableError, match="HF_HUB_OFFLINE=1.*still works"):
        checkpoints.download("tiny/llama-spm")
    assert hub.requests == []  # offline means no request at all
    assert_still_works(loaded)


@pytest.mark.parametrize("fault", ["truncate", "flip"])
def test_damaged_download_is_refused_deleted_and_retried(hub, hub_env, loaded, fault):
    repo = f"tiny/llama-{fault}"
    with pytest.raises(CorruptCheckpointError, match=f"{SHARD} do not match the Hub's checksum"):
        checkpoints.load(repo)
    snapshot = hub_env / f"models--tiny--llama-{fault}" / "snapshots" / hub.repos[repo].sha
    assert not (snapshot / SHARD).exists()  # the damaged file is gone from the cache ...
    with pytest.raises(CorruptCheckpointError):
        checkpoints.load(repo)  # ... so nothing broken ever loads, even on a second try
    assert_still_works(loaded)
    hub.repos[repo].faults.clear()  # the network is fine again: a retry downloads the file and loads
    try:
        model, tok = checkpoints.load(repo)
    finally:
        hub.fault(repo, SHARD, fault)
    ids = torch.tensor([tok.encode("lazy dog")])
    assert (logits(model, ids) - logits(hub.refs["tiny/llama"], ids)).abs().max() <= 1e-5


def test_malicious_pickle_is_refused_and_not_executed(hub, hub_env, loaded):
    with pytest.raises(UnsafeCheckpointError, match=r"pytorch_model.bin was refused.*weights_only.*Reason: .*system"):
        checkpoints.load("tiny/evil-pickle")
    assert not hub.marker.exists()
    assert_still_works(loaded)


@pytest.mark.parametrize("repo, message", [("tiny/gpt2", "model_type 'gpt2'.*not a LLaMA-architecture"),
                                           ("tiny/llama3-rope", "RoPE type 'llama3'")])
def test_unsupported_model_refused_before_weights_download(hub, hub_env, loaded, repo, message):
    with pytest.raises(UnsupportedModelError, match=message):
        checkpoints.load(repo)
    assert fetched(hub, repo) == ["config.json"]  # refused by its config, no weights downloaded
    assert_still_works(loaded)


def test_malicious_names(hub, hub_env, loaded):
    hub.requests.clear()
    for bad in ("../../etc", "tiny/../../etc", "../tiny/llama"):
        with pytest.raises(ValueError):
            checkpoints.load(bad)
    with pytest.raises(ValueError, match="invalid Hub repo id"):
        checkpoints.download("tiny/llama/../../x")
    with pytest.raises(ValueError, match="invalid revision"):
        checkpoints.download("tiny/llama", revision="../main")
    assert fetched(hub, "tiny/llama") == []
    assert_still_works(loaded)


def test_cli_download(hub, hub_env, capsys, monkeypatch):
    from gpt_demo.cli import main

    assert main(["download", "tiny/llama"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "llama" and out["weights"] == "safetensors"
    assert out["num_parameters"] == sum(p.numel() for p in hub.refs["tiny/llama"].parameters())
    assert main(["download", "tiny/nope"]) == 2
    assert "'tiny/nope' was not found" in capsys.readouterr().err
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    assert main(["download", "tiny/llama-spm"]) == 2
    assert "still works" in capsys.readouterr().err
