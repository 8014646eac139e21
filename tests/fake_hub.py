"""A tiny stand-in for the Hugging Face Hub, served on 127.0.0.1 from a thread (tests only).

It answers the requests ``huggingface_hub`` 2.4 makes for ``model_info`` and ``snapshot_download``:

- ``GET  /api/models/{owner}/{name}[/revision/{rev}]``  repo info: ``sha`` and ``siblings``
- ``GET  /api/models/{owner}/{name}/tree/{rev}``        the file list (path, size, git oid, LFS sha256)
- ``HEAD|GET /{owner}/{name}/resolve/{rev}/{path}``     a file, with ``X-Repo-Commit``, ``ETag``, ``Content-Length``

No Xet headers are ever sent, so downloads use plain HTTP. Unknown repos get a 404 with
``X-Error-Code: RepoNotFound``, as the real Hub does. ``FakeHub.fault(repo, path, mode)`` makes the server
send a damaged copy of one file while still advertising the original's hashes, the way a download
cut short or corrupted on the way would look to the client.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

LFS_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".model")


def git_blob_sha1(data: bytes) -> str:
    """The git object id of a file's content: what the Hub reports as a plain file's ETag."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class _Repo:
    def __init__(self, files: dict[str, bytes]):
        self.files = dict(sorted(files.items()))
        digest = hashlib.sha1()
        for name, data in self.files.items():
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        self.sha = digest.hexdigest()  # a 40-hex "commit" that changes with the content
        self.faults: dict[str, str] = {}

    def is_lfs(self, path: str) -> bool:
        return path.endswith(LFS_SUFFIXES)

    def etag(self, path: str) -> str:
        data = self.files[path]
        return hashlib.sha256(data).hexdigest() if self.is_lfs(path) else git_blob_sha1(data)

    def served(self, path: str) -> bytes:
        """The bytes actually sent for a file: the original, or a damaged copy when a fault is set."""
        data = self.files[path]
        mode = self.faults.get(path)
        if mode == "truncate":
            return data[: len(data) // 2]
        if mode == "flip":
            middle = len(data) - max(16, len(data) // 4)  # inside the tensor data, past the header
            return data[:middle] + bytes(b ^ 0x5A for b in data[middle : middle + 8]) + data[middle + 8 :]
        return data

    def tree(self) -> list[dict]:
        entries = []
        for path, data in self.files.items():
            entry = {"type": "file", "path": path, "size": len(data), "oid": git_blob_sha1(data)}
            if self.is_lfs(path):
                entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
            entries.append(entry)
        return entries


class FakeHub:
    """``with FakeHub() as hub: hub.add_folder("owner/name", folder); ... hub.url``."""

    def __init__(self):
        self.repos: dict[str, _Repo] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, for assertions
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_HEAD(self):
                hub._handle(self, head=True)

            def do_GET(self):
                hub._handle(self, head=False)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-hub", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_files(self, repo_id: str, files: dict[str, bytes]) -> str:
        """Publish a repo made of the given files; returns its commit sha."""
        self.repos[repo_id] = _Repo(files)
        return self.repos[repo_id].sha

    def add_folder(self, repo_id: str, folder: str | Path, extra: dict[str, bytes] | None = None) -> str:
        """Publish every file under a local folder (plus ``extra`` files) as a repo."""
        folder = Path(folder)
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        return self.add_files(repo_id, {**files, **(extra or {})})

    def fault(self, repo_id: str, path: str, mode: str) -> None:
        """Serve a damaged ``path``: ``"truncate"`` (first half only) or ``"flip"`` (8 bytes changed)."""
        assert mode in ("truncate", "flip")
        self.repos[repo_id].faults[path] = mode

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- request handling -------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        path = unquote(urlsplit(h.path).path)
        self.requests.append((h.command, path))
        parts = [p for p in path.split("/") if p]
        try:
            if parts[:2] == ["api", "models"] and len(parts) >= 4:
                repo_id = "/".join(parts[2:4])
                rest = parts[4:]
                repo = self._repo(h, repo_id)
                if repo is None:
                    return
                if not rest or rest[0] == "revision":
                    if rest and not self._revision_ok(h, repo, rest[1] if len(rest) > 1 else "main"):
                        return
                    body = {
                        "id": repo_id,
                        "sha": repo.sha,
                        "siblings": [{"rfilename": name} for name in repo.files],
                        "private": False,
                    }
                    return self._send_json(h, body, head)
                if rest[0] == "tree" and len(rest) >= 2:
                    if not self._revision_ok(h, repo, rest[1]):
                        return
                    return self._send_json(h, repo.tree(), head)
            if len(parts) >= 5 and parts[2] == "resolve":
                repo_id = "/".join(parts[:2])
                repo = self._repo(h, repo_id)
                if repo is None or not self._revision_ok(h, repo, parts[3]):
                    return
                filename = "/".join(parts[4:])
                if filename not in repo.files:
                    return self._send_error(h, 404, "EntryNotFound", head, commit=repo.sha)
                data = repo.served(filename)
                h.send_response(200)
                h.send_header("Content-Type", "application/octet-stream")
                h.send_header("Content-Length", str(len(data)))
                h.send_header("ETag", f'"{repo.etag(filename)}"')
                h.send_header("X-Repo-Commit", repo.sha)
                h.send_header("Accept-Ranges", "bytes")
                h.end_headers()
                if not head:
                    h.wfile.write(data)
                return
            self._send_error(h, 404, "RepoNotFound", head)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _repo(self, h, repo_id: str) -> _Repo | None:
        repo = self.repos.get(repo_id)
        if repo is None:
            self._send_error(h, 404, "RepoNotFound", h.command == "HEAD")
        return repo

    def _revision_ok(self, h, repo: _Repo, revision: str) -> bool:
        if revision in ("main", repo.sha):
            return True
        self._send_error(h, 404, "RevisionNotFound", h.command == "HEAD", commit=None)
        return False

    @staticmethod
    def _send_json(h, body, head: bool) -> None:
        data = json.dumps(body).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if not head:
            h.wfile.write(data)

    @staticmethod
    def _send_error(h, status: int, code: str, head: bool, commit: str | None = None) -> None:
        data = json.dumps({"error": code}).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.send_header("X-Error-Code", code)
        if commit:
            h.send_header("X-Repo-Commit", commit)
        h.end_headers()
        if not head:
            h.wfile.write(data)


# -- small repos to serve -------------------------------------------------------------------------------------

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "나는 맛있는 음식을 좋아합니다.",
    "A tiny byte-level BPE tokenizer, trained in the test.",
    "def forward(self, x): return self.lm_head(x)",
] * 4


def tiny_bpe_tokenizer(vocab_size: int = 300):
    """A byte-level BPE tokenizer (GPT-2 style) trained on a few lines, as a PreTrainedTokenizerFast."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(TEXTS, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                                   pad_token="<pad>")


def tiny_spm_model(folder: Path, vocab_size: int = 384) -> Path:
    """Train a tiny SentencePiece BPE model (as LLaMA 1/2 ship it) and return its ``tokenizer.model`` path."""
    import sentencepiece as spm

    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(TEXTS * 8), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / "spm"), vocab_size=vocab_size, model_type="bpe",
        byte_fallback=True, character_coverage=1.0, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        hard_vocab_limit=False, minloglevel=2,
    )
    corpus.unlink()
    return folder / "spm.model"


def tiny_llama(seed: int = 0, std: float = 0.2, **overrides):
    """A random tiny ``LlamaForCausalLM`` (GQA) with weights large enough that logits differ clearly."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    kwargs = dict(vocab_size=320, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5, bos_token_id=1,
                  eos_token_id=2, pad_token_id=3)
    kwargs.update(overrides)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(**kwargs)).eval()
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0, std)
            else:
                p.copy_(1 + 0.1 * torch.randn_like(p))
    return model
