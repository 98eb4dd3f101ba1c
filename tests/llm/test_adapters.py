"""LoRA adapters in GGUF: what is written is what llama.cpp's loader expects."""

from __future__ import annotations

import numpy as np
import pytest

from triforce.errors import UserError
from triforce.llm import BackendError, adapters
from triforce.llm.adapters import base_info, check, describe, random_lora, read_lora, write_lora


def test_base_info(base_gguf):
    info = base_info(base_gguf)
    assert info.architecture == "llama"
    assert info.n_layer == 30
    # numpy / PyTorch order: (out, in). SmolLM2-135M: 576 wide, 3 KV heads of 64.
    assert info.tensors["blk.0.attn_q.weight"] == (576, 576)
    assert info.tensors["blk.0.attn_v.weight"] == (192, 576)
    assert info.tensors["blk.0.ffn_down.weight"] == (576, 1536)
    assert info.types["blk.0.attn_q.weight"] == "Q4_1"
    assert "token_embd.weight" not in info.matrices()
    assert info.resolve(["attn_v"], layers=[0, 29]) == ["blk.0.attn_v.weight",
                                                        "blk.29.attn_v.weight"]
    assert base_info(base_gguf) is info          # parsed once per file


def test_random_lora_shapes_and_metadata(base_gguf, adapter_a):
    info = base_info(base_gguf)
    pairs = read_lora(adapter_a)
    assert len(pairs) == 2 * info.n_layer
    for name, (a, b) in pairs.items():
        out_f, in_f = info.tensors[name]
        assert a.shape == (8, in_f) and b.shape == (out_f, 8)
        delta = (16 / 8) * (b @ a)                # what llama.cpp adds at scale 1
        assert np.sqrt(np.mean(delta**2)) == pytest.approx(0.05, rel=1e-3)
    d = describe(adapter_a)
    assert d["architecture"] == "llama" and d["type"] == "lora"
    assert d["alpha"] == 16.0 and d["rank"] == 8 and d["scale"] == 2.0
    assert d["targets"] == ["attn_q", "attn_v"]
    assert d["layers"] == list(range(30))
    assert d["tensor_pairs"] == 60
    assert d["parameters"] == 30 * (8 * 576 + 576 * 8 + 8 * 576 + 192 * 8)
    assert d["base_model"] == base_gguf.name
    assert d["metadata"]["triforce.lora.seed"] == 1
    assert d["size_bytes"] > d["parameters"] * 4
    check(adapter_a, base_gguf)


def test_random_lora_is_deterministic(base_gguf, tmp_path):
    one = random_lora(base_gguf, tmp_path / "one.gguf", rank=4, targets=("attn_k",),
                      layers=[0, 1], seed=5)
    two = random_lora(base_gguf, tmp_path / "two.gguf", rank=4, targets=("attn_k",),
                      layers=[0, 1], seed=5, name="one")
    other = random_lora(base_gguf, tmp_path / "three.gguf", rank=4, targets=("attn_k",),
                        layers=[0, 1], seed=6, name="one")
    assert one.read_bytes() == two.read_bytes()
    assert one.read_bytes() != other.read_bytes()
    assert sorted(read_lora(one)) == ["blk.0.attn_k.weight", "blk.1.attn_k.weight"]


def test_write_lora_round_trip(base_gguf, tmp_path):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 576)).astype(np.float32)
    b = rng.standard_normal((1536, 2)).astype(np.float32)
    path = write_lora(tmp_path / "x.gguf", base_gguf, {"blk.3.ffn_up.weight": (a, b)},
                      alpha=4, rank=2, metadata={"triforce.expert": "din", "epochs": 3})
    got = read_lora(path)
    assert list(got) == ["blk.3.ffn_up.weight"]
    np.testing.assert_array_equal(got["blk.3.ffn_up.weight"][0], a)
    np.testing.assert_array_equal(got["blk.3.ffn_up.weight"][1], b)
    d = describe(path)
    assert d["rank"] == 2 and d["alpha"] == 4.0 and d["targets"] == ["ffn_up"]
    assert d["metadata"]["triforce.expert"] == "din" and d["metadata"]["epochs"] == 3
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("tensors, message", [
    ({"blk.0.attn_q.weight": (np.zeros((8, 576)), np.zeros((8, 576)))}, "lora_b (576, rank)"),
    ({"blk.0.attn_v.weight": (np.zeros((576, 8)), np.zeros((192, 8)))}, "lora_a must be"),
    ({"blk.0.attn_q.weight": (np.zeros((4, 576)), np.zeros((576, 4)))}, "rank 4, not 8"),
    ({"blk.99.attn_q.weight": (np.zeros((8, 576)), np.zeros((576, 8)))}, "not a tensor"),
    ({"token_embd.weight": (np.zeros((8, 576)), np.zeros((49152, 8)))}, "token embedding"),
    ({"blk.0.attn_norm.weight": (np.zeros((8, 576)), np.zeros((1, 8)))}, "only 2-D"),
    ({"blk.0.attn_q.weight": (np.full((8, 576), np.nan), np.zeros((576, 8)))}, "NaN"),
    ({}, "at least one"),
])
def test_write_lora_refuses_what_llama_cpp_would(base_gguf, tmp_path, tensors, message):
    with pytest.raises(UserError) as err:
        write_lora(tmp_path / "bad.gguf", base_gguf, tensors, alpha=16, rank=8)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "bad.gguf").exists()


def test_unknown_target(base_gguf, tmp_path):
    with pytest.raises(UserError, match="no weight 'attn_x'.*attn_q"):
        random_lora(base_gguf, tmp_path / "x.gguf", targets=("attn_x",))


def test_bad_files_give_one_line(base_gguf, tmp_path, adapter_a):
    text = tmp_path / "notes.gguf"
    text.write_text("not a model\n")
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    truncated = tmp_path / "cut.gguf"
    truncated.write_bytes(adapter_a.read_bytes()[:200])
    cases = [
        (lambda: describe(tmp_path / "missing.gguf"), "no such file"),
        (lambda: describe(tmp_path), "is a directory"),
        (lambda: describe(text), "not a GGUF adapter file"),
        (lambda: describe(empty), "not a GGUF adapter file"),
        (lambda: describe(truncated), "not a GGUF adapter file"),
        (lambda: describe(base_gguf), "general.type is 'model', not 'adapter'"),
        (lambda: base_info(text), "not a GGUF model file"),
        (lambda: base_info(adapter_a), "is an adapter, not a base model"),
    ]
    for call, message in cases:
        with pytest.raises(UserError) as err:
            call()
        assert message in str(err.value), str(err.value)
        assert "\n" not in str(err.value)


def _raw_adapter(path, base_gguf, transpose_a: bool, arch: str = "llama"):
    """An adapter written with the gguf package directly, bypassing write_lora's checks."""
    import gguf

    rng = np.random.default_rng(3)
    a = rng.standard_normal((8, 576)).astype(np.float32)
    b = (rng.standard_normal((576, 8)) * 0.1).astype(np.float32)
    w = gguf.GGUFWriter(str(path), arch)
    w.add_string("general.type", "adapter")
    w.add_string("adapter.type", "lora")
    w.add_float32("adapter.lora.alpha", 16.0)
    w.add_tensor("blk.0.attn_q.weight.lora_a", a.T.copy() if transpose_a else a)
    w.add_tensor("blk.0.attn_q.weight.lora_b", b)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def test_shape_convention_is_llama_cpps(embedded, base_gguf, tmp_path):
    """llama.cpp itself accepts A as (rank, in) and refuses it transposed; so does check()."""
    good = _raw_adapter(tmp_path / "good.gguf", base_gguf, transpose_a=False)
    bad = _raw_adapter(tmp_path / "bad.gguf", base_gguf, transpose_a=True)
    alien = _raw_adapter(tmp_path / "alien.gguf", base_gguf, transpose_a=False, arch="qwen2")
    check(good, base_gguf)
    assert embedded.load_adapter(good)
    for path, message in ((bad, "lora_a must be"), (alien, "architecture 'qwen2'")):
        with pytest.raises(UserError, match=message):
            check(path, base_gguf)
        with pytest.raises(BackendError) as err:
            embedded.load_adapter(path)
        assert err.value.kind == "missing_model"


def test_gguf_constants_agree():
    """Our key names are the gguf package's (which mirror llama.cpp's LLM_KV table)."""
    import gguf

    assert adapters._ADAPTER_TYPE == gguf.Keys.Adapter.TYPE
    assert adapters._LORA_ALPHA == gguf.Keys.Adapter.LORA_ALPHA
    assert adapters._GENERAL_TYPE == gguf.Keys.General.TYPE
