"""The embedded backend on the real model: adapter hot-swap, JSON output, streaming."""

from __future__ import annotations

import ctypes
import json
import statistics

import llama_cpp
import pytest
from llm_helpers import greedy

from triforce.llm import BackendError


def test_adapters_swap_on_one_loaded_model(embedded, adapter_a, adapter_b):
    llm = embedded._llm
    load_time = embedded.load_time
    assert llm is not None and load_time > 0

    base = embedded.chat(greedy())
    with_a = embedded.chat(greedy(str(adapter_a)))
    base_again = embedded.chat(greedy())
    with_b = embedded.chat(greedy(str(adapter_b)))
    with_a_again = embedded.chat(greedy(str(adapter_a)))
    base_last = embedded.chat(greedy(None))

    assert base.text and with_a.text and with_b.text
    assert with_a.text != base.text, "the adapter did not change the output"
    assert with_b.text != base.text and with_b.text != with_a.text
    assert base_again.text == base.text == base_last.text
    assert with_a_again.text == with_a.text
    assert with_a.model == adapter_a.stem and base.model == base_gguf_stem(embedded)

    # one base model, loaded once: the same Llama object, no load in any request
    assert embedded._llm is llm
    assert embedded.load() == 0.0 and embedded.load_time == load_time
    assert all(r.load_time == 0.0 for r in (base, with_a, base_again, with_b, with_a_again))
    assert embedded.active_adapter is None


def base_gguf_stem(backend) -> str:
    return backend.model_path.stem


def test_set_adapter_is_fast_and_llama_cpp_reads_our_metadata(embedded, adapter_a, adapter_b):
    key = embedded.load_adapter(adapter_a)
    assert embedded.load_adapter(adapter_a) == key            # loaded once
    embedded.set_adapter(adapter_b)                           # first load of b
    switches = [embedded.set_adapter(p) for p in (adapter_a, adapter_b, None) * 3]
    assert statistics.median(switches) < 0.005, switches      # milliseconds, not a reload
    assert embedded.active_adapter is None

    buf = ctypes.create_string_buffer(64)
    ptr = embedded._adapters[key]
    n = llama_cpp.llama_adapter_meta_val_str(ptr, b"adapter.lora.alpha", buf, 64)
    assert n > 0 and float(buf.value) == 16.0
    llama_cpp.llama_adapter_meta_val_str(ptr, b"general.architecture", buf, 64)
    assert buf.value == b"llama"


def test_missing_and_non_adapter_files(embedded, base_gguf, tmp_path):
    text = tmp_path / "notes.gguf"
    text.write_text("hello\n")
    for path in (tmp_path / "missing.gguf", text, base_gguf):
        with pytest.raises(BackendError) as err:
            embedded.chat(greedy(str(path), max_tokens=4))
        assert err.value.kind == "missing_model"
        assert str(path) in str(err.value) and "\n" not in str(err.value)
        with pytest.raises(BackendError):
            embedded.set_adapter(path)
    # the model is still usable and still the base model
    assert embedded.active_adapter is None
    assert embedded.chat(greedy(max_tokens=4)).text


def test_json_schema_output(embedded):
    schema = {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": ["optimize", "explain", "debug"]},
            "steps": {"type": "integer"},
        },
        "required": ["intent", "steps"],
    }
    messages = [{"role": "user", "content": "Classify: 'why does my LDA $12 crash?' "
                 "Reply in JSON with intent and steps."}]
    result = embedded.chat(greedy(messages=messages, max_tokens=32, json_schema=schema))
    data = json.loads(result.text)
    assert data["intent"] in ("optimize", "explain", "debug")
    assert isinstance(data["steps"], int)


def test_streaming(embedded, adapter_a):
    for model in (None, str(adapter_a)):
        pieces: list[str] = []
        result = embedded.chat(greedy(model, max_tokens=16), on_token=pieces.append)
        assert len(pieces) > 1
        assert "".join(pieces) == result.text
        assert result.completion_tokens == len(pieces)
        assert result.time_to_first_token is not None
        assert 0 < result.time_to_first_token <= result.total_time
        assert result.tokens_per_second is not None and result.tokens_per_second > 0
        assert result.prompt_tokens and result.prompt_tokens > 10
