"""Checkpoint files: list, load, save (atomically) and download from the Hugging Face Hub.

This is the only module that reads or writes checkpoint files. What it accepts:

- a **bundled checkpoint name** (a folder under ``CHECKPOINTS_DIR``; the UI passes only such names, through
  ``resolve_checkpoint``, which refuses anything that would leave that folder),
- a **local folder** (an explicit path given through the library API or the CLI),
- a **Hub repo id** (``owner/name``), downloaded first into the normal Hugging Face cache.

A folder holds a ``config.json`` with ``model_type: gpt_demo`` (loaded with ``from_pretrained``) or a LLaMA
config (``model_type: llama`` / ``LlamaForCausalLM``, converted with ``convert.from_llama``), weights as
safetensors (one file, or shards with ``model.safetensors.index.json``) and its tokenizer files.

Safety rules: safetensors are preferred; a pickle file (``pytorch_model.bin``) is only opened with
``torch.load(weights_only=True)`` and refused, with the reason, when that fails; ``trust_remote_code`` is never
used; names and repo ids are validated; every download is checked (hashes, headers, shapes) before it is used,
and a damaged file is deleted from the cache so that nothing broken loads later.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import pickle
import re
import shutil
import struct
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import torch

from . import convert
from .configuration_gpt_demo import GPTDemoConfig
from .device import pick_device, pick_dtype
from .modeling_gpt_demo import GPTDemoForCausalLM

CHECKPOINTS_DIR = Path(
    os.environ.get("GPT_DEMO_CHECKPOINTS") or Path(__file__).resolve().parent.parent / "checkpoints"
).resolve()
DEFAULT_CHECKPOINT = "gpt-demo-ko-en-tiny"  # the small Korean + English model that ships with the app
logger = logging.getLogger(__name__)

SAFETENSORS_INDEX = "model.safetensors.index.json"
PICKLE_INDEX = "pytorch_model.bin.index.json"
TOKENIZER_FILES = (
    "tokenizer.json",  # fast tokenizer (byte-level BPE, or a converted SentencePiece model)
    "tokenizer.model",  # SentencePiece model
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.json",  # GPT-2 style BPE
    "merges.txt",
    "chat_template.jinja",
    "chat_template.json",
)
CONFIG_FILES = ("config.json", "generation_config.json")

# A checkpoint name: one path component, no dots at the start (hidden and temporary folders are never names).
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
# A Hub repo id: owner/name, each with the characters the Hub allows.
REPO_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
REVISION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")
SHARD_RE = re.compile(r"(model|pytorch_model)-\d{5}-of-\d{5}\.(safetensors|bin)")


# -- errors --------------------------------------------------------------------------------------------------


class HubUnavailableError(RuntimeError):
    """The Hugging Face Hub cannot be reached (offline mode, no network, server down)."""


class RepoNotFoundError(FileNotFoundError):
    """The repo (or the revision) does not exist on the Hub, or is private/gated."""


class CorruptCheckpointError(ValueError):
    """A checkpoint file is cut short, damaged, or does not match its config."""


class UnsafeCheckpointError(ValueError):
    """A pickle weight file that ``torch.load(weights_only=True)`` refuses to open."""


class UnsupportedModelError(ValueError):
    """A valid checkpoint of a model (or a model feature) GPTDemo does not implement."""


class MissingTokenizerError(FileNotFoundError):
    """A checkpoint folder without tokenizer files, and no tokenizer was passed."""


# -- names and paths -----------------------------------------------------------------------------------------


def validate_name(name: str) -> str:
    """Return ``name`` if it is a plain checkpoint name (one folder name, no path); ValueError otherwise."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or ".." in name:
        raise ValueError(
            f"invalid checkpoint name {name!r}: use letters, digits, '.', '_' and '-' only "
            "(no '/', no '..', not starting with '.')"
        )
    return name


def validate_repo_id(repo_id: str) -> str:
    """Return ``repo_id`` if it looks like a Hub model id ``owner/name``; ValueError otherwise."""
    if not isinstance(repo_id, str) or not REPO_ID_RE.fullmatch(repo_id) or ".." in repo_id or "--" in repo_id:
        raise ValueError(
            f"invalid Hub repo id {repo_id!r}: expected 'owner/name' with letters, digits, '.', '_' and '-' "
            "(no '..' or '--')"
        )
    return repo_id


def validate_revision(revision: str | None) -> str | None:
    """A branch, tag or commit name: no '..', no leading '/'; None means the default branch."""
    if revision is None:
        return None
    if not isinstance(revision, str) or not REVISION_RE.fullmatch(revision) or ".." in revision:
        raise ValueError(f"invalid revision {revision!r}")
    return revision


def _checkpoints_dir() -> Path:
    return Path(CHECKPOINTS_DIR).resolve()


def resolve_checkpoint(name: str) -> Path:
    """The folder of the bundled checkpoint ``name``; only names inside ``CHECKPOINTS_DIR`` are accepted.

    This is what the UI calls: a name like ``../../etc`` or a symlink leading out of the folder is refused.
    """
    validate_name(name)
    root = _checkpoints_dir()
    path = (root / name).resolve()
    if path.parent != root:
        raise ValueError(f"checkpoint {name!r} resolves outside {root}; refused")
    if not path.is_dir():
        available = ", ".join(c["name"] for c in list_checkpoints()) or "none"
        raise FileNotFoundError(f"no checkpoint named {name!r} in {root} (available: {available})")
    return path


# -- reading what a folder holds -----------------------------------------------------------------------------

_ST_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1,
                   "BOOL": 1, "U16": 2, "U32": 4, "U64": 8, "F8_E4M3": 1, "F8_E5M2": 1}


def read_safetensors_header(path: str | os.PathLike) -> dict[str, tuple[str, tuple[int, ...]]]:
    """{tensor name: (dtype, shape)} from a safetensors file's header, without reading the tensors.

    Also checks that the file holds exactly the bytes the header describes, so a file cut short is caught
    here (CorruptCheckpointError) rather than as a crash halfway through loading.
    """
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) < 8:
            raise CorruptCheckpointError(f"{path.name}: {size} bytes is too short for a safetensors file")
        (header_len,) = struct.unpack("<Q", raw)
        if header_len == 0 or header_len > min(size - 8, 100_000_000):
            raise CorruptCheckpointError(
                f"{path.name}: not a readable safetensors file (header length {header_len}, file size {size}); "
                "it is probably cut short or damaged"
            )
        try:
            header = json.loads(f.read(header_len))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CorruptCheckpointError(f"{path.name}: damaged safetensors header ({e})") from e
    if not isinstance(header, dict):
        raise CorruptCheckpointError(f"{path.name}: damaged safetensors header (not a JSON object)")
    data_len = size - 8 - header_len
    tensors, end = {}, 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (begin, stop) = info["dtype"], tuple(int(s) for s in info["shape"]), info["data_offsets"]
            numel = 1
            for s in shape:
                numel *= s
            ok = dtype in _ST_DTYPE_BYTES and 0 <= begin <= stop and stop - begin == numel * _ST_DTYPE_BYTES[dtype]
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise CorruptCheckpointError(f"{path.name}: damaged safetensors header entry for {name!r}")
        tensors[name] = (dtype, shape)
        end = max(end, stop)
    if end != data_len:
        raise CorruptCheckpointError(
            f"{path.name}: the header describes {end} bytes of tensor data but the file holds {data_len}: "
            "the file was cut short or is damaged"
        )
    return tensors


def _read_json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CorruptCheckpointError(f"{path}: {what} is not valid JSON ({e}); the file may be cut short") from e
    if not isinstance(data, dict):
        raise CorruptCheckpointError(f"{path}: {what} is not a JSON object")
    return data


def _weight_files(folder: Path) -> tuple[str, list[Path]]:
    """("safetensors" or "pickle", the weight files) of a checkpoint folder; safetensors win when both exist."""
    for fmt, index_name, single in (("safetensors", SAFETENSORS_INDEX, "model.safetensors"),
                                    ("pickle", PICKLE_INDEX, "pytorch_model.bin")):
        index = folder / index_name
        if index.is_file():
            weight_map = _read_json(index, index_name).get("weight_map")
            if not isinstance(weight_map, dict) or not weight_map:
                raise CorruptCheckpointError(f"{index}: has no 'weight_map'")
            names = sorted(set(weight_map.values()))
            for name in names:  # shard names come from a downloaded file: never let them leave the folder
                if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
                    raise CorruptCheckpointError(f"{index}: invalid shard file name {name!r}")
            missing = [n for n in names if not (folder / n).is_file()]
            if missing:
                raise CorruptCheckpointError(f"{folder}: shards listed in {index_name} are missing: {missing}")
            return fmt, [folder / n for n in names]
        if (folder / single).is_file():
            return fmt, [folder / single]
    raise FileNotFoundError(
        f"{folder}: no weights found (looked for model.safetensors, {SAFETENSORS_INDEX}, pytorch_model.bin)"
    )


def _model_kind(config: dict, where: str) -> str:
    """"gpt_demo" or "llama" from a config.json dict; UnsupportedModelError naming anything else."""
    model_type = config.get("model_type")
    archs = config.get("architectures") or []
    if config.get("quantization_config"):
        method = config["quantization_config"].get("quant_method", "unknown")
        raise UnsupportedModelError(f"{where}: quantized checkpoints ({method}) are not supported; "
                                    "use the unquantized fp32/fp16/bf16 weights")
    if model_type == GPTDemoConfig.model_type:
        kind = "gpt_demo"
    elif model_type == "llama" or "LlamaForCausalLM" in archs:
        kind = "llama"
    else:
        raise UnsupportedModelError(
            f"{where}: model_type {model_type!r} (architectures {archs}) is not a LLaMA-architecture model; "
            "GPTDemo loads 'gpt_demo' and 'llama' (LlamaForCausalLM) checkpoints only"
        )
    if archs and not any(str(a).endswith("ForCausalLM") for a in archs):
        raise UnsupportedModelError(f"{where}: architecture {archs} is not a causal language model "
                                    "(GPTDemo needs the weights of a ...ForCausalLM, with its LM head)")
    return kind


def _read_config(folder: Path, where: str) -> tuple[str, object, GPTDemoConfig]:
    """(kind, the config as written, the GPTDemoConfig the weights must fit) from ``folder/config.json``.

    Raises UnsupportedModelError naming what is not supported (another architecture, RoPE scaling, ...).
    """
    kind = _model_kind(_read_json(folder / "config.json", "config.json"), where)
    try:
        if kind == "gpt_demo":
            source = config = GPTDemoConfig.from_pretrained(folder, local_files_only=True)
        else:
            from transformers import LlamaConfig

            source = LlamaConfig.from_pretrained(folder, local_files_only=True)
            config = convert.config_from_llama(source)
    except (ValueError, TypeError, KeyError) as e:
        raise UnsupportedModelError(f"{where}: cannot use this config: {e}") from e
    return kind, source, config


@dataclass
class CheckpointInfo:
    """What ``inspect_checkpoint`` found in a folder."""

    folder: Path
    kind: str  # "gpt_demo" or "llama"
    config: GPTDemoConfig  # the GPTDemo config the weights must fit
    source_config: object  # the config as written (GPTDemoConfig or LlamaConfig)
    weight_format: str  # "safetensors" or "pickle"
    weight_files: list[Path] = field(default_factory=list)
    num_parameters: int | None = None  # from the safetensors headers; None for pickles


def _expected_shapes(config: GPTDemoConfig) -> dict[str, tuple[int, ...]]:
    with torch.device("meta"):
        model = GPTDemoForCausalLM(config)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def _check_tensors(found: dict[str, tuple[int, ...]], config: GPTDemoConfig, where: str) -> None:
    """Every weight the config needs is present with the right shape, and nothing else is."""
    expected = _expected_shapes(config)
    found = {k: v for k, v in found.items() if not k.endswith("rotary_emb.inv_freq")}
    optional = {"lm_head.weight"} if config.tie_word_embeddings else set()
    missing = sorted(set(expected) - set(found) - optional)
    unexpected = sorted(set(found) - set(expected))
    wrong = [f"{k}: {found[k]} (config says {expected[k]})" for k in sorted(set(found) & set(expected))
             if tuple(found[k]) != expected[k]]
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"missing {missing[:4]}{' ...' if len(missing) > 4 else ''}")
        if unexpected:
            parts.append(f"unexpected {unexpected[:4]}{' ...' if len(unexpected) > 4 else ''}")
        if wrong:
            parts.append(f"wrong shapes {wrong[:3]}")
        raise CorruptCheckpointError(f"{where}: the weights do not match config.json: " + "; ".join(parts))


def inspect_checkpoint(folder: str | os.PathLike) -> CheckpointInfo:
    """Validate a checkpoint folder without loading its weights.

    Checks that config.json parses and describes a supported model, that the weight files exist, and (for
    safetensors) that every file's header is intact and its tensors match the config's shapes.
    Raises FileNotFoundError, CorruptCheckpointError or UnsupportedModelError, each naming the problem.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"checkpoint folder not found: {folder}")
    if (folder / "adapter_config.json").is_file() and not (folder / "config.json").is_file():
        raise UnsupportedModelError(
            f"{folder} is a LoRA adapter, not a model: load its base model, then gpt_demo.lora.load_adapter()"
        )
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise FileNotFoundError(f"{folder}: no config.json, so this is not a model checkpoint folder")
    kind, source, config = _read_config(folder, str(folder))
    fmt, files = _weight_files(folder)
    info = CheckpointInfo(folder, kind, config, source, fmt, files)
    if fmt == "safetensors":
        shapes, total = {}, 0
        for file in files:
            for name, (_, shape) in read_safetensors_header(file).items():
                if name in shapes:
                    raise CorruptCheckpointError(f"{folder}: tensor {name} appears in two shard files")
                shapes[name] = shape
                n = 1
                for s in shape:
                    n *= s
                total += n
        index = folder / SAFETENSORS_INDEX
        if index.is_file():
            for name, file in _read_json(index, SAFETENSORS_INDEX)["weight_map"].items():
                if name not in read_safetensors_header(folder / file):
                    raise CorruptCheckpointError(f"{folder}: {SAFETENSORS_INDEX} puts {name} in {file}, "
                                                 "which does not hold it")
        _check_tensors(shapes, config, str(folder))
        info.num_parameters = total
    return info


# -- hashes of downloaded files ------------------------------------------------------------------------------

_VERIFIED: set[tuple[str, int, int]] = set()  # (blob path, size, mtime_ns) already hashed in this process


def _file_digest(path: Path, algo: str) -> str:
    h = hashlib.sha256() if algo == "sha256" else hashlib.sha1(b"blob %d\0" % path.stat().st_size)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _damaged_blobs(snapshot: Path) -> list[tuple[Path, Path]]:
    """(snapshot link, blob) for each cached file whose content does not hash to its Hub ETag.

    In the Hugging Face cache each snapshot file links to ``blobs/<etag>``; the ETag is the sha256 of an LFS
    file (the weights) or the git blob sha1 of a small file, so the blob's own name says what it must hash to.
    """
    damaged = []
    for link in sorted(snapshot.rglob("*")):
        if not link.is_symlink():
            continue
        blob = link.resolve()
        if not blob.is_file():
            damaged.append((link, blob))
            continue
        stat = blob.stat()
        key = (str(blob), stat.st_size, stat.st_mtime_ns)
        if key in _VERIFIED:
            continue
        name = blob.name
        if re.fullmatch(r"[0-9a-f]{64}", name):
            ok = _file_digest(blob, "sha256") == name
        elif re.fullmatch(r"[0-9a-f]{40}", name):
            ok = _file_digest(blob, "sha1") == name
        else:
            continue  # an ETag we cannot check: rely on the structural checks
        if ok:
            _VERIFIED.add(key)
        else:
            damaged.append((link, blob))
    return damaged


def _evict(snapshot: Path, files: list[tuple[Path, Path]]) -> None:
    """Delete damaged files from the Hub cache (only inside this repo's cache folder) so a retry re-downloads."""
    storage = snapshot.resolve().parent.parent  # .../models--owner--name
    for link, blob in files:
        try:
            if link.is_symlink() and link.parent.resolve().is_relative_to(storage):
                link.unlink()
            if blob.resolve().is_relative_to(storage / "blobs"):
                blob.unlink(missing_ok=True)
        except OSError:
            pass


# -- Hub download --------------------------------------------------------------------------------------------


def _is_true(value: str | None) -> bool:
    return (value or "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def _offline() -> bool:
    from huggingface_hub import constants

    return constants.is_offline_mode() or _is_true(os.environ.get("HF_HUB_OFFLINE"))


def select_repo_files(filenames: list[str], repo_id: str = "") -> list[str]:
    """The files of a repo that a model needs: configs, weights (safetensors if any, else pytorch_model.bin)
    and tokenizer files. Other files (README, ONNX, GGUF, original/ weights, ...) are left on the Hub."""
    names = set(filenames)
    where = repo_id or "repo"
    if "config.json" not in names:
        raise UnsupportedModelError(f"{where} has no config.json, so it is not a transformers model repo")
    chosen = [n for n in CONFIG_FILES + TOKENIZER_FILES if n in names]
    safetensors = [n for n in names if n == "model.safetensors" or n == SAFETENSORS_INDEX
                   or (SHARD_RE.fullmatch(n) and n.endswith(".safetensors"))]
    pickles = [n for n in names if n == "pytorch_model.bin" or n == PICKLE_INDEX
               or (SHARD_RE.fullmatch(n) and n.endswith(".bin"))]
    if safetensors:
        chosen += safetensors
    elif pickles:
        chosen += pickles  # opened only with torch.load(weights_only=True)
    else:
        raise UnsupportedModelError(
            f"{where} has no weights in a format GPTDemo loads (model*.safetensors or pytorch_model*.bin); "
            f"files: {sorted(names)[:12]}"
        )
    return sorted(chosen)


def _unavailable(repo_id: str, reason: str) -> HubUnavailableError:
    return HubUnavailableError(
        f"cannot download {repo_id!r}: {reason}, and it is not in the local Hugging Face cache. "
        f"The bundled checkpoint {DEFAULT_CHECKPOINT!r} still works without the Hub."
    )


def _from_cache(repo_id: str, revision: str | None, cache_dir, reason: str) -> Path:
    """The cached snapshot of a repo, used when the Hub cannot be reached; HubUnavailableError if absent."""
    from huggingface_hub import get_cached_repo_tree, snapshot_download
    from huggingface_hub.errors import CachedRepoTreeNotFoundError, LocalEntryNotFoundError

    try:
        tree = get_cached_repo_tree(repo_id, revision=revision, cache_dir=cache_dir)
        wanted = select_repo_files([f.path for f in tree], repo_id)
        folder = snapshot_download(repo_id, revision=revision, cache_dir=cache_dir, local_files_only=True,
                                   allow_patterns=[glob.escape(n) for n in wanted])
    except (CachedRepoTreeNotFoundError, LocalEntryNotFoundError) as e:
        raise _unavailable(repo_id, reason) from e
    logger.warning("%s: %s; using the copy in the local Hugging Face cache", repo_id, reason)
    return _verified_snapshot(Path(folder))


def _verified_snapshot(folder: Path) -> Path:
    """Hash-check a downloaded snapshot and validate it; damaged files are deleted and the error raised."""
    damaged = _damaged_blobs(folder)
    if damaged:
        _evict(folder, damaged)
        names = ", ".join(link.name for link, _ in damaged)
        raise CorruptCheckpointError(
            f"downloaded file(s) {names} do not match the Hub's checksum: the download was cut short or damaged. "
            "The damaged files were deleted from the cache; run the download again."
        )
    try:
        inspect_checkpoint(folder)
    except CorruptCheckpointError as e:
        _evict(folder, [(p, p.resolve()) for p in folder.iterdir() if p.is_symlink()
                        and p.name not in CONFIG_FILES and p.name not in TOKENIZER_FILES])
        raise CorruptCheckpointError(f"{e}. The damaged download was deleted from the cache; "
                                     "run the download again.") from e
    return folder


def download(repo_id: str, revision: str | None = None, cache_dir: str | os.PathLike | None = None) -> str:
    """Download the files a model needs from the Hugging Face Hub into its normal cache; return the folder.

    Only config, generation config, weights (safetensors and their index; pickles only when a repo has no
    safetensors) and tokenizer files are fetched, with huggingface_hub's progress bars. config.json is fetched
    and checked first, so an unsupported model is refused before any weights are downloaded. The result is
    hash-checked and validated. ``HF_HUB_OFFLINE=1`` (or an unreachable Hub) falls back to the cache and raises
    HubUnavailableError when the repo is not there; an unknown repo raises RepoNotFoundError.
    """
    import httpx2
    from huggingface_hub import HfApi, constants, hf_hub_download, snapshot_download
    from huggingface_hub.errors import (
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    repo_id = validate_repo_id(repo_id)
    revision = validate_revision(revision)
    if _offline():
        return str(_from_cache(repo_id, revision, cache_dir, "offline mode is on (HF_HUB_OFFLINE=1)"))
    endpoint = (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")
    network_errors = (httpx2.TransportError, OfflineModeIsEnabled)
    try:
        info = HfApi(endpoint=endpoint).model_info(repo_id, revision=revision)
    except RevisionNotFoundError as e:
        raise RepoNotFoundError(f"revision {revision!r} of {repo_id!r} was not found on {endpoint}") from e
    except RepositoryNotFoundError as e:
        raise RepoNotFoundError(
            f"model repo {repo_id!r} was not found on {endpoint} (check the spelling; private or gated repos "
            "need `hf auth login` and accepted terms)"
        ) from e
    except network_errors as e:
        return str(_from_cache(repo_id, revision, cache_dir, f"the Hub at {endpoint} cannot be reached ({e})"))
    except HfHubHTTPError as e:
        status = e.response.status_code if e.response is not None else "?"
        return str(_from_cache(repo_id, revision, cache_dir, f"the Hub at {endpoint} answered HTTP {status}"))

    wanted = select_repo_files([s.rfilename for s in info.siblings or []], repo_id)
    try:
        config_path = hf_hub_download(repo_id, "config.json", revision=info.sha, cache_dir=cache_dir,
                                      endpoint=endpoint)
        _read_config(Path(config_path).parent, repo_id)  # refuse an unsupported model before the weights
        # The branch/tag name (not info.sha) so that huggingface_hub records it in the cache's refs/ and the
        # snapshot can be found again offline.
        folder = snapshot_download(repo_id, revision=revision, cache_dir=cache_dir, endpoint=endpoint,
                                   allow_patterns=[glob.escape(n) for n in wanted])
    except network_errors as e:
        raise _unavailable(repo_id, f"the connection to {endpoint} failed during the download ({e})") from e
    except HfHubHTTPError as e:
        raise _unavailable(repo_id, f"the Hub failed during the download ({e})") from e
    except OSError as e:  # e.g. huggingface_hub's "Consistency check failed" for a short read
        raise CorruptCheckpointError(f"download of {repo_id!r} failed: {e}") from e
    return str(_verified_snapshot(Path(folder)))


# -- load ----------------------------------------------------------------------------------------------------


def _locate(name_or_path_or_repo, revision: str | None) -> Path:
    """Turn a checkpoint name, a folder path or a Hub repo id into a local folder."""
    if isinstance(name_or_path_or_repo, os.PathLike):
        folder = Path(name_or_path_or_repo)
        if not folder.is_dir():
            raise FileNotFoundError(f"checkpoint folder not found: {folder}")
        return folder
    if not isinstance(name_or_path_or_repo, str) or not name_or_path_or_repo:
        raise ValueError(f"expected a checkpoint name, folder or Hub repo id, got {name_or_path_or_repo!r}")
    text = name_or_path_or_repo
    if NAME_RE.fullmatch(text) and ".." not in text and (_checkpoints_dir() / text).is_dir():
        return resolve_checkpoint(text)
    if ".." in Path(text).parts or ".." in text.split("/"):
        raise ValueError(f"refused {text!r}: names with '..' are not accepted (pass a pathlib.Path to load a "
                         "folder explicitly)")
    if os.path.isdir(text):
        return Path(text)
    if REPO_ID_RE.fullmatch(text):
        return Path(download(text, revision=revision))
    if NAME_RE.fullmatch(text):
        return resolve_checkpoint(text)  # raises FileNotFoundError listing the available names
    raise ValueError(f"{text!r} is not a checkpoint name, an existing folder or a Hub repo id (owner/name)")


def _read_state_dict(info: CheckpointInfo) -> dict[str, torch.Tensor]:
    """All tensors of a checkpoint on the CPU; pickles only through torch.load(weights_only=True)."""
    state: dict[str, torch.Tensor] = {}
    for file in info.weight_files:
        if info.weight_format == "safetensors":
            from safetensors import SafetensorError
            from safetensors.torch import load_file

            try:
                part = load_file(file, device="cpu")
            except (SafetensorError, OSError) as e:
                raise CorruptCheckpointError(f"{file.name}: cannot read the safetensors file ({e})") from e
        else:
            try:
                part = torch.load(file, map_location="cpu", weights_only=True)
            except pickle.UnpicklingError as e:
                raise UnsafeCheckpointError(
                    f"{file.name} was refused: it is a pickle file, and torch.load(weights_only=True) will not "
                    f"open it because unpickling it could run code. Reason: {convert.unpickling_refusal_reason(e)}"
                ) from e
            except (RuntimeError, EOFError, OSError, ValueError) as e:
                raise CorruptCheckpointError(f"{file.name}: cannot read the pickle weight file ({e})") from e
            if not isinstance(part, dict) or not all(isinstance(v, torch.Tensor) for v in part.values()):
                raise CorruptCheckpointError(f"{file.name}: does not hold a state dict of tensors")
        state.update(part)
    return state


def _build_model(info: CheckpointInfo) -> GPTDemoForCausalLM:
    """The model of a validated folder, on the CPU, in the dtype it was stored in."""
    if info.kind == "gpt_demo" and info.weight_format == "safetensors":
        model = GPTDemoForCausalLM.from_pretrained(info.folder, local_files_only=True, use_safetensors=True)
    else:
        state = _read_state_dict(info)
        if info.weight_format == "pickle":  # no headers to check beforehand: check what was unpickled
            _check_tensors({k: tuple(v.shape) for k, v in state.items()}, info.config, str(info.folder))
        model = convert.from_llama(state, config=info.config)
        if (info.folder / "generation_config.json").is_file():
            from transformers import GenerationConfig

            try:
                model.generation_config = GenerationConfig.from_pretrained(info.folder, local_files_only=True)
            except (OSError, ValueError):
                pass  # a broken generation config only loses the defaults for generate()
    for name, p in model.named_parameters():
        if p.is_floating_point() and not bool(torch.isfinite(p).all()):
            raise CorruptCheckpointError(f"{info.folder}: weight {name} contains NaN or infinite values")
    return model.eval()


def load_any_tokenizer(source):
    """A tokenizer object passed through, or ``AutoTokenizer.from_pretrained`` of a folder (no remote code): any
    kind a Hub checkpoint ships. ``gpt_demo.tokenizer.load_tokenizer`` is the one for our SentencePiece folders."""
    if source is not None and not isinstance(source, (str, os.PathLike)):
        return source
    folder = Path(source)
    if not any((folder / n).is_file() for n in ("tokenizer.json", "tokenizer.model", "vocab.json")):
        raise MissingTokenizerError(
            f"{folder} has no tokenizer files (tokenizer.json, tokenizer.model or vocab.json). Pass tokenizer=<a "
            "folder or a tokenizer object>; llama2.c checkpoints, for one, ship their tokenizer separately."
        )
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError, KeyError) as e:
        raise ValueError(f"cannot load the tokenizer in {folder}: {e}") from e


def load(name_or_path_or_repo: str | os.PathLike = DEFAULT_CHECKPOINT, device=None, dtype=None, *,
         tokenizer=None, revision: str | None = None):
    """Load a model and its tokenizer: ``(GPTDemoForCausalLM in eval mode, tokenizer)``.

    ``name_or_path_or_repo``: a bundled checkpoint name, a local folder (a string containing '..' is refused:
    pass a ``pathlib.Path`` to mean a path explicitly), or a Hub repo id ``owner/name`` (downloaded first).
    ``device``: "cpu", "cuda", ... (default: cuda if available, else cpu). ``dtype``: "fp32", "fp16", "bf16" or a
    torch dtype (default: fp32 on CPU, bf16 or fp16 on CUDA). ``tokenizer``: a tokenizer object or folder, for
    checkpoints that have none. Nothing global is changed: a failed load leaves earlier models untouched.
    """
    folder = _locate(name_or_path_or_repo, revision)
    info = inspect_checkpoint(folder)
    tok = load_any_tokenizer(tokenizer if tokenizer is not None else folder)
    device = pick_device(device)
    dtype = pick_dtype(device, dtype)
    model = _build_model(info)
    return model.to(device=device, dtype=dtype), tok


# -- save ----------------------------------------------------------------------------------------------------


def _fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_checkpoint(model, tokenizer, folder: Path) -> None:
    model.save_pretrained(folder)
    if tokenizer is not None:
        tokenizer.save_pretrained(folder)
        _copy_sentencepiece_model(tokenizer, folder)


def _copy_sentencepiece_model(tokenizer, folder: Path) -> None:
    """transformers saves ``tokenizer.json`` but not the raw SentencePiece model the tokenizer came from; keep it
    beside the weights (sentencepiece users and ``tokenizer.encode_fast`` read it) when it matches this tokenizer."""
    source = Path(getattr(tokenizer, "name_or_path", "") or ".") / "tokenizer.model"
    target = folder / "tokenizer.model"
    if target.exists() or not source.is_file():
        return
    import sentencepiece as spm

    try:
        if spm.SentencePieceProcessor(model_file=str(source)).get_piece_size() != len(tokenizer):
            return  # a different vocabulary: better none than a wrong one
    except (OSError, RuntimeError):
        return
    shutil.copyfile(source, target)


def save(model, tokenizer, path: str | os.PathLike) -> Path:
    """Save a model (safetensors) and its tokenizer into a folder, atomically; return the folder.

    ``path`` is a folder, or a plain name for a folder inside CHECKPOINTS_DIR. Everything is written into a
    temporary folder next to it, validated, then renamed into place: an existing checkpoint is replaced only
    once the new one is complete, and a crash halfway leaves the old one loadable.
    """
    if isinstance(path, str) and "/" not in path and os.sep not in path:
        final = _checkpoints_dir() / validate_name(path)
    else:
        final = Path(path)
    final = final.absolute()
    if final.exists() and not final.is_dir():
        raise FileExistsError(f"{final} exists and is not a folder")
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.saving-", dir=final.parent))
    try:
        _write_checkpoint(model, tokenizer, tmp)
        os.chmod(tmp, 0o755)  # mkdtemp (and some writers) make private files; a checkpoint is meant to be shared
        for p in tmp.iterdir():
            os.chmod(p, 0o644)
        pickles = [p.name for p in tmp.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".pkl")]
        if pickles:
            raise RuntimeError(f"save_pretrained wrote pickle files {pickles}; only safetensors are allowed")
        inspect_checkpoint(tmp)  # the new checkpoint must be loadable before it replaces anything
        _fsync_tree(tmp)
        if final.exists():
            old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:8]}"
            os.rename(final, old)
            os.rename(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


# -- list ----------------------------------------------------------------------------------------------------


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def list_checkpoints() -> list[dict]:
    """The checkpoints in CHECKPOINTS_DIR, sorted by name.

    Each is a dict: ``name``, ``path``, ``kind`` ("model" or "adapter"), ``model_type`` (a model's config
    model_type; an adapter's peft_type), ``size_bytes`` (all files), ``num_parameters`` (summed from the
    safetensors headers; None when that is not possible), and for adapters ``base_model``.
    """
    root = _checkpoints_dir()
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or not NAME_RE.fullmatch(folder.name) or folder.resolve().parent != root:
            continue  # hidden/temporary folders, odd names, and symlinks leading elsewhere are skipped
        if (folder / "adapter_config.json").is_file():
            kind, weights_name = "adapter", "adapter_model.safetensors"
            try:
                cfg = _read_json(folder / "adapter_config.json", "adapter_config.json")
            except (CorruptCheckpointError, OSError):
                cfg = {}
            model_type = cfg.get("peft_type")
        elif (folder / "config.json").is_file():
            kind, weights_name = "model", None
            try:
                cfg = _read_json(folder / "config.json", "config.json")
            except (CorruptCheckpointError, OSError):
                cfg = {}
            model_type = cfg.get("model_type")
        else:
            continue
        num_parameters = None
        try:
            if weights_name:
                files = [folder / weights_name]
            else:
                fmt, files = _weight_files(folder)
                files = files if fmt == "safetensors" else []
            if files:
                num_parameters = 0
                for file in files:
                    for _, shape in read_safetensors_header(file).values():
                        n = 1
                        for s in shape:
                            n *= s
                        num_parameters += n
        except (OSError, ValueError):
            num_parameters = None
        entry = {
            "name": folder.name,
            "path": str(folder),
            "kind": kind,
            "model_type": model_type,
            "size_bytes": _folder_size(folder),
            "num_parameters": num_parameters,
        }
        if kind == "adapter":
            entry["base_model"] = cfg.get("base_model_name_or_path")
        found.append(entry)
    return found


# -- conversions (the CLI's `convert` subcommand) ------------------------------------------------------------


def convert_llama_folder(src: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Convert a LLaMA checkpoint (a folder with config.json, safetensors and tokenizer, or anything ``load``
    accepts, such as a Hub repo id) into a GPTDemo checkpoint folder, keeping the weights' dtype."""
    folder = _locate(src, None)
    info = inspect_checkpoint(folder)
    tok = load_any_tokenizer(folder)
    return save(_build_model(info), tok, out)


def convert_llama2c_file(path: str | os.PathLike, tokenizer: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Convert a llama2.c ``.pt``/``.bin`` checkpoint plus a tokenizer folder into a GPTDemo checkpoint."""
    tok = load_any_tokenizer(Path(tokenizer))
    bos, eos = getattr(tok, "bos_token_id", None), getattr(tok, "eos_token_id", None)
    model = convert.from_llama2c(path, bos_token_id=1 if bos is None else bos, eos_token_id=2 if eos is None else eos,
                                 pad_token_id=getattr(tok, "pad_token_id", None))
    if len(tok) > model.config.vocab_size:
        raise ValueError(f"the tokenizer has {len(tok)} tokens but the model only {model.config.vocab_size}: "
                         "they do not belong together")
    return save(model, tok, out)
