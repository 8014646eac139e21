"""What the tabs share: the model cache (one per server), the session (one per learner), and error handling.

Serving many learners with one process:

- ``MODELS`` is a small, thread-safe, bounded LRU cache keyed by (checkpoint folder, adapter, merged, device,
  dtype). Each model is loaded once and shared by every learner. Shared models are **never changed in place**:
  applying or merging an adapter works on a deep copy that gets its own cache entry.
- ``Session`` is what one learner chose (checkpoint, adapter, merged). It lives in a ``gr.State``, so gradio keeps
  one per browser tab; a learner who loads another checkpoint or merges an adapter changes only their own session.
- ``handler`` wraps every event function: a ``UserError`` (bad input we anticipated) becomes a translated
  ``gr.Error``; a library ``ValueError``/``FileNotFoundError`` becomes a translated "input problem" message
  with the library's explanation; anything else is logged on the server and shown as a short message, never as a
  stack trace.
- ``gpu``: ``spaces.GPU`` when the ``spaces`` package is importable (Hugging Face ZeroGPU), else a no-op.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import inspect
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import gradio as gr

from .i18n import lang_of, msg

log = logging.getLogger("gpt_demo.ui")

try:  # Hugging Face ZeroGPU: functions that use the GPU must be decorated
    import spaces  # type: ignore

    gpu = spaces.GPU
except ImportError:  # everywhere else: a no-op with the same call forms (@gpu and @gpu(duration=...))
    def gpu(fn: Callable | None = None, **_kwargs):
        return fn if fn is not None else (lambda f: f)


def Slider(*args, **kwargs) -> gr.Slider:  # noqa: N802 (used like the component it returns)
    """A gr.Slider whose value reaches the handler unchecked: the handler checks it and explains the allowed range
    in the learner's language (gradio's own bounds check would answer API clients in English only).

    Done on the instance, not with a subclass: gradio writes a .pyi stub next to the source of every Component
    subclass it sees."""
    slider = gr.Slider(*args, **kwargs)
    slider.preprocess = lambda payload: payload
    return slider


# --- the session ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Session:
    """One learner's choices. Frozen: a change makes a new Session, which the handler returns into gr.State."""

    checkpoint: str
    adapter: str | None = None
    merged: bool = False

    def label(self, lang: str = "en") -> str:
        """"This session's model: **name**" in ``lang`` (markdown, names escaped)."""
        return msg("session", lang, name=html.escape(self.describe()))

    def describe(self) -> str:
        parts = [self.checkpoint]
        if self.adapter:
            parts.append(f"+ LoRA {self.adapter}" + (" (merged)" if self.merged else ""))
        return " ".join(parts)


def default_checkpoint() -> str:
    """The checkpoint new sessions start with: ``GPT_DEMO_DEFAULT_CHECKPOINT`` or the bundled one."""
    from ..checkpoints import DEFAULT_CHECKPOINT

    return os.environ.get("GPT_DEMO_DEFAULT_CHECKPOINT") or DEFAULT_CHECKPOINT


def new_session(checkpoint: str | None = None) -> Session:
    return Session(checkpoint=checkpoint or default_checkpoint())


# --- errors --------------------------------------------------------------------------------------------------
class Word:
    """A value of a message that is itself translated (``Word("what_prompt")`` -> "prompt" / "프롬프트")."""

    def __init__(self, key: str):
        self.key = key


class UserError(Exception):
    """A bad input we anticipated: ``key`` names a message in ``i18n.MESSAGES``, ``values`` fill it in."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key = key
        self.values = values

    def text(self, lang: str) -> str:
        # User-typed values are escaped: gradio renders error toasts as HTML.
        values = {k: (msg(v.key, lang) if isinstance(v, Word) else html.escape(v) if isinstance(v, str) else v)
                  for k, v in self.values.items()}
        return msg(self.key, lang, **values)


def _request_of(args, kwargs):
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, gr.Request) or (value is not None and hasattr(value, "headers")):
            return value
    return None


def to_gr_error(err: BaseException, lang: str) -> gr.Error:
    """The translated gr.Error shown for ``err``."""
    if isinstance(err, gr.Error):
        return err
    if isinstance(err, UserError):
        return gr.Error(err.text(lang), title=msg("title_error", lang), print_exception=False)
    if isinstance(err, (ValueError, FileNotFoundError)):
        detail = str(err).splitlines()[0] if str(err) else type(err).__name__
        return gr.Error(msg("value", lang, detail=html.escape(detail[:500])), title=msg("title_error", lang),
                        print_exception=False)
    log.exception("unexpected error in a handler", exc_info=err)
    return gr.Error(msg("internal", lang, kind=type(err).__name__), title=msg("title_internal", lang),
                    print_exception=False)


def handler(fn: Callable) -> Callable:
    """Turn exceptions of an event function (plain or generator) into translated gr.Error messages."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen_wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as err:  # noqa: BLE001 - every error becomes a message, never a stack trace
                raise to_gr_error(err, lang_of(_request_of(args, kwargs))) from None
        return gen_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as err:  # noqa: BLE001
            raise to_gr_error(err, lang_of(_request_of(args, kwargs))) from None
    return wrapper


def warn(key: str, request=None, **values) -> None:
    """Show a translated gr.Warning toast (outside a request it becomes a Python warning)."""
    gr.Warning(UserError(key, **values).text(lang_of(request)))


def info(key: str, request=None, **values) -> None:
    gr.Info(UserError(key, **values).text(lang_of(request)))


# --- common input checks -------------------------------------------------------------------------------------
def check_text(text, what: str, limit: int, allow_whitespace: bool = False) -> str:
    """``text`` if it is usable; UserError for None/empty, whitespace only (unless allowed), or too long."""
    if text is None or text == "":
        raise UserError("empty", what=Word(f"what_{what}"))
    if not isinstance(text, str):
        raise UserError("value", detail=f"expected text, got {type(text).__name__}")
    if len(text) > limit:
        raise UserError("too_long", what=Word(f"what_{what}"), n=len(text), limit=limit)
    if not text.strip() and not allow_whitespace:
        raise UserError("whitespace", what=Word(f"what_{what}"))
    return text


def as_int(value, key: str, low: int | None = None) -> int:
    """A whole number from a slider/number box (floats like 3.0 accepted); UserError(key) otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserError(key, value=value) from None
    if number != number or number != int(number) or (low is not None and number < low):
        raise UserError(key, value=value)
    return int(number)


def as_float(value, key: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserError(key, value=value) from None
    if number != number:
        raise UserError(key, value=value)
    return number


# --- the model cache -----------------------------------------------------------------------------------------
class ModelCache:
    """A thread-safe LRU cache with at most ``max_items`` entries; each key is built once, even under races.

    ``get(key, build)`` returns the cached value or calls ``build()``. Two threads asking for the same missing key
    wait for one build; different keys build in parallel. The oldest entries are dropped beyond ``max_items``.
    """

    def __init__(self, max_items: int = 4):
        if max_items < 1:
            raise ValueError("max_items must be >= 1")
        self.max_items = max_items
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Any, threading.Lock] = {}
        self.builds = 0  # how many times build() ran (tests check models load once)

    def get(self, key, build: Callable[[], Any]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._items:  # another thread built it while we waited
                    self._items.move_to_end(key)
                    return self._items[key]
            value = build()
            with self._lock:
                self.builds += 1
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
                self._building.pop(key, None)
        return value

    def keys(self) -> list:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


MODELS = ModelCache(max_items=int(os.environ.get("GPT_DEMO_CACHE_SIZE", "8")))  # base + adapted + merged each


class Loaded(NamedTuple):
    model: Any  # GPTDemoForCausalLM (or a merged/adapted copy); shared: read it, never change it
    tokenizer: Any
    folder: Path
    name: str


def device_and_dtype():
    """The device the app runs on (cuda > mps > cpu) and its default dtype (bf16/fp16 on GPU, fp32 on CPU)."""
    from ..device import pick_device, pick_dtype

    device = pick_device()
    return device, pick_dtype(device)


def available_checkpoints(kind: str = "model") -> list[str]:
    from ..checkpoints import list_checkpoints

    return [c["name"] for c in list_checkpoints() if c["kind"] == kind]


HUB_PREFIX = "hub:"  # a session's checkpoint "hub:owner/name" is a Hub repo, downloaded once
_hub_folders: dict[str, Path] = {}
_hub_lock = threading.Lock()


def hub_enabled() -> bool:
    """Hub downloads are off unless GPT_DEMO_ALLOW_HUB=1 (``python app.py --allow-hub``): on a shared server
    every visitor could otherwise make it download any repo."""
    return os.environ.get("GPT_DEMO_ALLOW_HUB", "").strip().lower() in ("1", "true", "yes")


def hub_folder(repo_id: str) -> Path:
    """The local snapshot of Hub repo ``repo_id`` (``checkpoints.download``, once per server); UserError otherwise."""
    from .. import checkpoints

    if not hub_enabled():
        raise UserError("hub_disabled")
    repo_id = repo_id.strip()
    try:
        checkpoints.validate_repo_id(repo_id)
    except ValueError:
        raise UserError("bad_repo_id", repo=repo_id) from None
    with _hub_lock:
        if repo_id in _hub_folders:
            return _hub_folders[repo_id]
    try:
        folder = Path(checkpoints.download(repo_id))
    except checkpoints.HubUnavailableError as e:
        raise UserError("hub_unavailable", repo=repo_id, detail=str(e).splitlines()[0][:300]) from None
    except FileNotFoundError:
        raise UserError("hub_not_found", repo=repo_id) from None
    except (ValueError, OSError) as e:
        raise UserError("bad_checkpoint", name=repo_id, detail=str(e).splitlines()[0][:300]) from None
    with _hub_lock:
        _hub_folders[repo_id] = folder
    return folder


def checkpoint_folder(name) -> Path:
    """The folder of checkpoint ``name``: a folder inside the checkpoints folder, or (``hub:owner/name``, when
    enabled) a downloaded Hub repo; UserError for anything else."""
    from .. import checkpoints

    if not isinstance(name, str) or not name.strip():
        raise UserError("bad_checkpoint_name", name=name)
    if name.strip().startswith(HUB_PREFIX):
        return hub_folder(name.strip()[len(HUB_PREFIX):])
    if name.strip().startswith(TRAINED_PREFIX):
        return trained_folder(name.strip())
    try:
        return checkpoints.resolve_checkpoint(name.strip())
    except ValueError:
        raise UserError("bad_checkpoint_name", name=name) from None
    except FileNotFoundError:
        names = available_checkpoints("model")
        raise UserError("no_checkpoint", name=name, folder=str(checkpoints._checkpoints_dir()),
                        available=", ".join(names) if names else Word("none_available")) from None


def _load_base(folder: Path, device, dtype):
    from .. import checkpoints

    try:
        model, tokenizer = checkpoints.load(Path(folder), device=device, dtype=dtype)
    except (ValueError, FileNotFoundError, OSError) as e:
        raise UserError("bad_checkpoint", name=folder.name, detail=str(e).splitlines()[0][:300]) from None
    except RuntimeError as e:  # e.g. the weights do not fit this device
        raise UserError("bad_checkpoint", name=folder.name, detail=str(e).splitlines()[0][:300]) from None
    model.eval()
    model.requires_grad_(False)  # shared and read-only: nobody trains the cached model
    return model, tokenizer


def get_base(name: str) -> Loaded:
    """The shared base model of checkpoint ``name`` on the app's device and dtype (loaded once)."""
    folder = checkpoint_folder(name)
    device, dtype = device_and_dtype()
    model, tokenizer = MODELS.get(("base", str(folder), str(device), str(dtype)),
                                  lambda: _load_base(folder, device, dtype))
    label = name.strip() if name.strip().startswith((HUB_PREFIX, TRAINED_PREFIX)) else folder.name
    return Loaded(model, tokenizer, folder, label)


def get_model(session: Session) -> Loaded:
    """The model this session uses: the base, or a copy with the session's adapter (applied or merged)."""
    if session is None:
        session = new_session()
    base = get_base(session.checkpoint)
    if not session.adapter:
        return base
    model, _ = adapted_model(base, session.adapter, merged=session.merged)
    return Loaded(model, base.tokenizer, base.folder, base.name)


def lora_module():
    """``gpt_demo.lora`` (imports peft, which is slow), or UserError when it is not there."""
    try:
        from .. import lora
    except ImportError:
        raise UserError("no_lora") from None
    return lora


def adapter_folder(name) -> Path:
    """The folder of adapter ``name`` inside the checkpoints folder; UserError for anything else."""
    from .. import checkpoints

    if not isinstance(name, str) or not name.strip():
        adapters = available_checkpoints("adapter")
        raise UserError("no_adapter", available=", ".join(adapters) if adapters else Word("none_available"))
    try:
        folder = checkpoints.resolve_checkpoint(name.strip())
    except ValueError:
        raise UserError("bad_checkpoint_name", name=name) from None
    except FileNotFoundError:
        adapters = available_checkpoints("adapter")
        raise UserError("no_adapter", available=", ".join(adapters) if adapters else Word("none_available")) from None
    if not (folder / "adapter_config.json").is_file():
        adapters = available_checkpoints("adapter")
        raise UserError("no_adapter", available=", ".join(adapters) if adapters else Word("none_available"))
    return folder


def adapted_model(base: Loaded, adapter: str, merged: bool = False):
    """(model, merge diff) for ``base`` + the adapter: a PeftModel on a deep copy of the base, or, with
    ``merged``, a plain model with the adapter folded in (diff = max |logits merged - unmerged|, else None).

    Both are cached like base models; the shared base and the cached adapted model are never changed.
    """
    lora = lora_module()
    folder = adapter_folder(adapter)
    device, dtype = device_and_dtype()
    key = ("adapter", str(base.folder), str(folder), str(device), str(dtype))

    def build_adapted():
        try:
            model = lora.load_adapter(base.model, folder, copy_base=True)  # a copy: the shared base stays as is
        except (ValueError, FileNotFoundError) as e:
            raise UserError("bad_adapter", adapter=folder.name, detail=str(e).splitlines()[0][:400]) from None
        model.eval()
        model.requires_grad_(False)
        return model, None

    adapted, _ = MODELS.get(key, build_adapted)
    if not merged:
        return adapted, None

    def build_merged():
        try:
            model, diff = lora.merge(adapted, copy_model=True)  # merge consumes its input: give it a copy
        except ValueError as e:
            raise UserError("bad_adapter", adapter=folder.name, detail=str(e).splitlines()[0][:400]) from None
        model.eval()
        model.requires_grad_(False)
        return model, diff

    return MODELS.get(key + ("merged",), build_merged)


# --- models trained in the training tab (tab_train) ------------------------------------------------------------
# A learner's trained model lives in their job folder (gpt_demo.jobs); their session points at it by a name
# "trained:<label>-<random id>". Only that session holds the name, so only that learner uses the model; the
# name stops working when the learner leaves (the folder is deleted).
TRAINED_PREFIX = "trained:"
_trained: dict[str, Path] = {}
_trained_lock = threading.Lock()


def register_trained(folder: Path, label: str = "my-gpt") -> str:
    """A new checkpoint name for the model in ``folder`` (for ``Session(checkpoint=...)``)."""
    import uuid

    name = f"{TRAINED_PREFIX}{label}-{uuid.uuid4().hex[:12]}"
    with _trained_lock:
        _trained[name] = Path(folder)
    return name


def forget_trained(under: Path) -> None:
    """Drop the names of every model inside folder ``under`` (its owner left)."""
    under = Path(under)
    with _trained_lock:
        for name, folder in list(_trained.items()):
            if folder == under or under in folder.parents:
                del _trained[name]


def trained_folder(name: str) -> Path:
    with _trained_lock:
        folder = _trained.get(name)
    if folder is None or not folder.is_dir():
        raise UserError("trained_gone", name=name)
    return folder
