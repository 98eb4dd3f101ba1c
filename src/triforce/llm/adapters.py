"""LoRA adapters in GGUF, written and read the way llama.cpp loads them.

llama.cpp's adapter loader (``llama_adapter_lora_init``) wants:

- metadata ``general.type = "adapter"``, ``adapter.type = "lora"``,
  ``general.architecture`` equal to the base model's, and ``adapter.lora.alpha`` (float32);
- for every adapted base tensor ``W`` (say ``blk.3.attn_q.weight``) two tensors named
  ``<W>.lora_a`` and ``<W>.lora_b``, nothing else (``*_norm.weight`` is tolerated, unused);
- in ggml's dimension order (``ne``, fastest first): ``A.ne = [W.ne[0], rank]`` and
  ``B.ne = [rank, W.ne[1]]``. In numpy / PyTorch order, which this module speaks, a weight
  of shape ``(out, in)`` takes ``A`` of shape ``(rank, in)`` and ``B`` of shape
  ``(out, rank)``: PEFT's ``lora_A.weight`` and ``lora_B.weight`` as they are;
- at run time ``W x + (alpha / rank) * scale * B (A x)``, the rank read from ``B``.

The token embedding is adapted the other way round in llama.cpp; it is refused here.

Reading and writing use the ``gguf`` package (imported only when needed). Every problem a
user can cause (a missing file, a file that is not GGUF, an adapter for another model)
is one :class:`~triforce.errors.UserError` line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from triforce.errors import UserError

#: What :func:`random_lora` adapts unless told otherwise.
DEFAULT_TARGETS = ("attn_q", "attn_v")
#: Our own metadata keys (llama.cpp keeps unknown keys and ignores them).
KEY_BASE = "triforce.base_model"
KEY_RANK = "triforce.lora.rank"
KEY_SEED = "triforce.lora.seed"
KEY_SCALE = "triforce.lora.scale"

_GENERAL_TYPE = "general.type"
_GENERAL_ARCH = "general.architecture"
_GENERAL_NAME = "general.name"
_ADAPTER_TYPE = "adapter.type"
_LORA_ALPHA = "adapter.lora.alpha"
_SUFFIX_A = ".lora_a"
_SUFFIX_B = ".lora_b"


def _gguf():
    try:
        import gguf
    except ImportError:
        raise UserError("reading or writing GGUF adapters needs the gguf package "
                        "(pip install gguf)") from None
    return gguf


@dataclass(frozen=True)
class BaseInfo:
    """What an adapter must match in a base model."""

    path: Path
    architecture: str
    n_layer: int
    #: tensor name -> shape in numpy / PyTorch order (a linear weight is ``(out, in)``).
    tensors: Mapping[str, tuple[int, ...]] = field(repr=False)
    #: tensor name -> ggml type name ("Q4_1", "F32", ...).
    types: Mapping[str, str] = field(repr=False, default_factory=dict)
    name: str | None = None

    def matrices(self) -> list[str]:
        """The 2-D weights a LoRA adapter can target (the token embedding excluded)."""
        return [n for n, s in self.tensors.items()
                if len(s) == 2 and n.endswith(".weight") and not n.startswith("token_embd")]

    def resolve(self, targets: Iterable[str], layers: Iterable[int] | None = None) -> list[str]:
        """Base tensor names for ``targets``: full names, or kinds such as ``attn_q`` that
        name that weight in every layer (or in ``layers``)."""
        wanted_layers = None if layers is None else {int(i) for i in layers}
        out: list[str] = []
        mats = self.matrices()
        for target in targets:
            if target in self.tensors:
                if target not in mats:
                    raise UserError(f"'{target}' cannot carry a LoRA adapter "
                                    f"(not a 2-D weight, or the token embedding)")
                hits = [target]
            else:
                hits = []
                for name in mats:
                    parts = name.split(".")
                    if len(parts) == 4 and parts[0] == "blk" and parts[2] == target:
                        if wanted_layers is None or int(parts[1]) in wanted_layers:
                            hits.append(name)
                if not hits:
                    kinds = sorted({n.split(".")[2] for n in mats if n.startswith("blk.")})
                    raise UserError(f"no weight '{target}' in {self.path.name} "
                                    f"(one of: {', '.join(kinds)})")
            out.extend(h for h in hits if h not in out)
        return sorted(out, key=_tensor_order)


def _tensor_order(name: str) -> tuple:
    parts = name.split(".")
    if len(parts) > 1 and parts[0] == "blk" and parts[1].isdigit():
        return (1, int(parts[1]), ".".join(parts[2:]))
    return (0 if not name.startswith("output") else 2, 0, name)


def _field_value(f: Any) -> Any:
    """A GGUF metadata field as a Python value (str, int, float, bool or list)."""
    if hasattr(f, "contents"):
        return f.contents()
    gguf = _gguf()   # older gguf releases: decode by hand
    vtype = f.types[0]
    if vtype == gguf.GGUFValueType.ARRAY:
        items = [f.parts[i] for i in f.data]
        if f.types[-1] == gguf.GGUFValueType.STRING:
            return [bytes(p).decode("utf-8", "replace") for p in items]
        return [p.tolist()[0] for p in items]
    part = f.parts[f.data[0]]
    if vtype == gguf.GGUFValueType.STRING:
        return bytes(part).decode("utf-8", "replace")
    return part.tolist()[0]


def _open(path: str | Path, what: str):
    """A GGUFReader on ``path`` or one UserError saying why not."""
    p = Path(path)
    if not p.exists():
        raise UserError("no such file", str(p))
    if p.is_dir():
        raise UserError(f"is a directory, not a {what}", str(p))
    gguf = _gguf()
    try:
        return gguf.GGUFReader(p, "r")
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a GGUF file"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"not a GGUF {what} ({reason[:120]})", str(p)) from None


def _metadata(reader: Any, max_items: int = 256) -> dict[str, Any]:
    """The reader's metadata; arrays longer than ``max_items`` (a tokenizer's
    vocabulary) are left out."""
    out: dict[str, Any] = {}
    for key, f in reader.fields.items():
        if key.startswith("GGUF.") or len(f.data) > max_items:
            continue
        try:
            out[key] = _field_value(f)
        except Exception:  # noqa: BLE001 - an unreadable value is shown as missing
            out[key] = None
    return out


def _np_shape(t: Any) -> tuple[int, ...]:
    """A reader tensor's shape in numpy order (the reader gives ggml's ``ne`` order)."""
    return tuple(int(x) for x in reversed(list(t.shape)))


def base_info(gguf_path: str | Path) -> BaseInfo:
    """Architecture, layer count and tensor shapes of a base model GGUF.

    Parsing a model's header takes a second or more (the tokenizer's arrays), so the
    answer is kept per file (path, size and modification time).
    """
    p = Path(gguf_path)
    if not p.is_file():
        _open(p, "model file")          # raises the right UserError
        raise UserError("not a regular file", str(p))
    st = p.stat()
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    cached = _BASE_CACHE.get(key)
    if cached is None:
        cached = _base_info(p)
        _BASE_CACHE.clear()             # one base model at a time is the normal case
        _BASE_CACHE[key] = cached
    return cached


_BASE_CACHE: dict[tuple, BaseInfo] = {}


def _base_info(gguf_path: Path) -> BaseInfo:
    reader = _open(gguf_path, "model file")
    meta = _metadata(reader)
    arch = meta.get(_GENERAL_ARCH)
    if not isinstance(arch, str) or not arch:
        raise UserError("the GGUF file names no general.architecture", str(gguf_path))
    if meta.get(_GENERAL_TYPE) == "adapter":
        raise UserError("is an adapter, not a base model", str(gguf_path))
    n_layer = meta.get(f"{arch}.block_count")
    tensors = MappingProxyType({t.name: _np_shape(t) for t in reader.tensors})
    types = MappingProxyType({t.name: t.tensor_type.name for t in reader.tensors})
    if not isinstance(n_layer, int):
        blocks = {n.split(".")[1] for n in tensors if n.startswith("blk.")}
        n_layer = len(blocks)
    name = meta.get(_GENERAL_NAME)
    return BaseInfo(Path(gguf_path), arch, int(n_layer), tensors, types,
                    name if isinstance(name, str) else None)


def _as_base(base: str | Path | BaseInfo) -> BaseInfo:
    return base if isinstance(base, BaseInfo) else base_info(base)


def check_pair(base: BaseInfo, name: str, a: np.ndarray, b: np.ndarray) -> int:
    """The rank of the pair ``(A, B)`` for base weight ``name``, or UserError if it would
    not load onto ``base`` (the checks llama.cpp makes, in numpy order)."""
    if name.startswith("token_embd"):
        raise UserError(f"'{name}': adapting the token embedding is not supported")
    shape = base.tensors.get(name)
    if shape is None:
        raise UserError(f"'{name}' is not a tensor of {base.path.name}")
    if len(shape) != 2:
        raise UserError(f"'{name}' has shape {shape}: only 2-D weights take a LoRA adapter")
    if a.ndim != 2 or b.ndim != 2:
        raise UserError(f"'{name}': lora_a and lora_b must be 2-D "
                        f"(got {a.shape} and {b.shape})")
    out_f, in_f = shape
    rank = a.shape[0]
    if a.shape != (rank, in_f) or b.shape != (out_f, rank):
        raise UserError(f"'{name}' is {out_f}x{in_f}: lora_a must be (rank, {in_f}) and "
                        f"lora_b ({out_f}, rank); got {a.shape} and {b.shape}")
    if rank < 1:
        raise UserError(f"'{name}': the rank must be at least 1")
    return int(rank)


def write_lora(path: str | Path, base_gguf: str | Path | BaseInfo,
               tensors: Mapping[str, tuple[np.ndarray, np.ndarray]], alpha: float,
               rank: int | None = None, *, name: str | None = None,
               metadata: Mapping[str, str | int | float | bool] | None = None) -> Path:
    """Write a LoRA adapter GGUF for ``base_gguf``.

    ``tensors`` maps a base weight's name (``blk.0.attn_q.weight``) to ``(A, B)`` in
    numpy / PEFT order: ``A`` is ``(rank, in)``, ``B`` is ``(out, rank)`` for a weight of
    shape ``(out, in)``. ``rank``, when given, must be the rank of every pair. ``metadata``
    adds string / number / bool keys (unknown keys are kept by llama.cpp and ignored).
    The file is written beside ``path`` and renamed into place. Returns ``path``.
    """
    base = _as_base(base_gguf)
    if not tensors:
        raise UserError("a LoRA adapter needs at least one tensor pair")
    try:
        alpha_f = float(alpha)
    except (TypeError, ValueError):
        raise UserError(f"alpha must be a number, not {alpha!r}") from None
    if not np.isfinite(alpha_f):
        raise UserError(f"alpha must be finite, not {alpha!r}")
    pairs: list[tuple[str, np.ndarray, np.ndarray]] = []
    ranks: set[int] = set()
    for tname in sorted(tensors, key=_tensor_order):
        try:
            a_raw, b_raw = tensors[tname]
        except (TypeError, ValueError):
            raise UserError(f"'{tname}': expected a pair (lora_a, lora_b)") from None
        a = np.ascontiguousarray(np.asarray(a_raw, dtype=np.float32))
        b = np.ascontiguousarray(np.asarray(b_raw, dtype=np.float32))
        r = check_pair(base, tname, a, b)
        if rank is not None and r != int(rank):
            raise UserError(f"'{tname}' has rank {r}, not {rank}")
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            raise UserError(f"'{tname}': the adapter weights hold NaN or infinity")
        ranks.add(r)
        pairs.append((tname, a, b))
    gguf = _gguf()
    out = Path(path)
    if out.is_dir():
        raise UserError("is a directory, not an adapter file name", str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    writer = gguf.GGUFWriter(str(tmp), base.architecture)   # writes general.architecture
    try:
        writer.add_string(_GENERAL_TYPE, "adapter")
        writer.add_string(_ADAPTER_TYPE, "lora")
        writer.add_float32(_LORA_ALPHA, alpha_f)
        writer.add_string(_GENERAL_NAME, name or out.stem)
        writer.add_string(KEY_BASE, base.path.name)
        if len(ranks) == 1:
            writer.add_uint32(KEY_RANK, next(iter(ranks)))
        for key, value in (metadata or {}).items():
            if key in (_GENERAL_TYPE, _ADAPTER_TYPE, _LORA_ALPHA, _GENERAL_ARCH,
                       _GENERAL_NAME, KEY_BASE, KEY_RANK):
                raise UserError(f"metadata key '{key}' is set by write_lora itself")
            if isinstance(value, bool):
                writer.add_bool(key, value)
            elif isinstance(value, int):
                writer.add_int64(key, value)
            elif isinstance(value, float):
                writer.add_float64(key, value)
            elif isinstance(value, str):
                writer.add_string(key, value)
            else:
                raise UserError(f"metadata '{key}': only str, int, float and bool values")
        for tname, a, b in pairs:
            writer.add_tensor(tname + _SUFFIX_A, a)
            writer.add_tensor(tname + _SUFFIX_B, b)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, out)
    except OSError as exc:
        raise UserError(f"cannot write the adapter: {exc.strerror or exc}", str(out)) from None
    finally:
        writer.close()
        if tmp.exists():
            tmp.unlink()
    return out


def random_lora(base_gguf: str | Path | BaseInfo, path: str | Path, rank: int = 8,
                alpha: float = 16.0, targets: Iterable[str] = DEFAULT_TARGETS,
                scale: float = 0.05, seed: int = 0, *, layers: Iterable[int] | None = None,
                name: str | None = None) -> Path:
    """A deterministic random LoRA adapter: same arguments, same bytes.

    ``targets`` are weight kinds (``attn_q``, ``ffn_up``, ...) or full tensor names;
    ``layers`` limits the kinds to some layers. ``scale`` is the root mean square of the
    change each adapted weight gets at adapter scale 1, ``(alpha / rank) * B @ A``
    (SmolLM2-135M's attention weights have an RMS of about 0.05 to 0.4, so the default
    0.05 changes greedy output from the first tokens while the text stays text).
    """
    if int(rank) < 1:
        raise UserError(f"the rank must be at least 1, not {rank}")
    if not scale > 0:
        raise UserError(f"scale must be positive, not {scale}")
    base = _as_base(base_gguf)
    names = base.resolve(tuple(targets), layers)
    rng = np.random.default_rng(seed)
    factor = float(alpha) / int(rank) if alpha else 1.0   # llama.cpp: alpha 0 means 1
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for tname in names:
        out_f, in_f = base.tensors[tname]
        a = rng.standard_normal((int(rank), in_f)) / np.sqrt(in_f)
        b = rng.standard_normal((out_f, int(rank)))
        # RMS of factor * B @ A without forming it: ||BA||_F^2 = sum((A A^T) * (B^T B))
        rms = factor * float(np.sqrt(max(0.0, np.sum((a @ a.T) * (b.T @ b))) / (out_f * in_f)))
        b *= scale / rms if rms > 0 else 0.0
        pairs[tname] = (a.astype(np.float32), b.astype(np.float32))
    return write_lora(path, base, pairs, alpha, int(rank), name=name,
                      metadata={KEY_SEED: int(seed), KEY_SCALE: float(scale)})


def _adapter_reader(path: str | Path):
    reader = _open(path, "adapter file")
    meta = _metadata(reader)
    if meta.get(_GENERAL_TYPE) != "adapter":
        got = meta.get(_GENERAL_TYPE)
        raise UserError("not a LoRA adapter (general.type is "
                        f"{repr(got) if got is not None else 'missing'}, not 'adapter')",
                        str(path))
    if meta.get(_ADAPTER_TYPE) != "lora":
        raise UserError(f"not a LoRA adapter (adapter.type is {meta.get(_ADAPTER_TYPE)!r})",
                        str(path))
    return reader, meta


def _pairs(reader: Any, path: str | Path) -> dict[str, dict[str, Any]]:
    """base tensor name -> {"a": reader tensor, "b": reader tensor}."""
    pairs: dict[str, dict[str, Any]] = {}
    for t in reader.tensors:
        for suffix, slot in ((_SUFFIX_A, "a"), (_SUFFIX_B, "b")):
            if t.name.endswith(suffix):
                pairs.setdefault(t.name[: -len(suffix)], {})[slot] = t
                break
        else:
            if not t.name.endswith("_norm.weight"):
                raise UserError(f"tensor '{t.name}' is neither .lora_a nor .lora_b", str(path))
    for tname, pair in pairs.items():
        if "a" not in pair or "b" not in pair:
            missing = "lora_b" if "a" in pair else "lora_a"
            raise UserError(f"'{tname}' has no {missing}", str(path))
    return pairs


def read_lora(path: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The adapter's ``{base tensor: (A, B)}`` in the order :func:`write_lora` takes."""
    reader, _ = _adapter_reader(path)
    gguf = _gguf()
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for tname, pair in sorted(_pairs(reader, path).items(), key=lambda kv: _tensor_order(kv[0])):
        arrays = []
        for t in (pair["a"], pair["b"]):
            if t.tensor_type in (gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16):
                arr = np.asarray(t.data, dtype=np.float32).reshape(_np_shape(t))
            else:
                from gguf.quants import dequantize

                arr = dequantize(t.data, t.tensor_type).reshape(_np_shape(t))
            arrays.append(np.array(arr, dtype=np.float32))
        out[tname] = (arrays[0], arrays[1])
    return out


def describe(path: str | Path) -> dict[str, Any]:
    """The adapter's metadata for display: name, architecture, alpha, rank, targets, size."""
    reader, meta = _adapter_reader(path)
    pairs = _pairs(reader, path)
    ranks = sorted({int(list(p["b"].shape)[0]) for p in pairs.values()})
    kinds: set[str] = set()
    layers: set[int] = set()
    params = 0
    types: set[str] = set()
    for tname, pair in pairs.items():
        parts = tname.split(".")
        if len(parts) >= 3 and parts[0] == "blk" and parts[1].isdigit():
            layers.add(int(parts[1]))
            kinds.add(".".join(parts[2:-1]) if parts[-1] == "weight" else ".".join(parts[2:]))
        else:
            kinds.add(tname.removesuffix(".weight"))
        for t in (pair["a"], pair["b"]):
            params += int(t.n_elements)
            types.add(t.tensor_type.name)
    alpha = meta.get(_LORA_ALPHA)
    rank = ranks[0] if len(ranks) == 1 else None
    known = {_GENERAL_TYPE, _GENERAL_ARCH, _GENERAL_NAME, _ADAPTER_TYPE, _LORA_ALPHA}
    return {
        "path": str(Path(path)),
        "name": meta.get(_GENERAL_NAME),
        "architecture": meta.get(_GENERAL_ARCH),
        "type": "lora",
        "alpha": float(alpha) if isinstance(alpha, int | float) else None,
        "rank": rank,
        "ranks": ranks,
        #: what llama.cpp multiplies B·A by at adapter scale 1
        "scale": (float(alpha) / rank if alpha else 1.0) if rank else None,
        "targets": sorted(kinds),
        "layers": sorted(layers),
        "tensor_pairs": len(pairs),
        "parameters": params,
        "dtypes": sorted(types),
        "size_bytes": Path(path).stat().st_size,
        "base_model": meta.get(KEY_BASE),
        "metadata": {k: v for k, v in sorted(meta.items()) if k not in known},
    }


def check(adapter: str | Path, base_gguf: str | Path | BaseInfo) -> None:
    """UserError (one line) unless ``adapter`` would load onto ``base_gguf`` in llama.cpp."""
    base = _as_base(base_gguf)
    reader, meta = _adapter_reader(adapter)
    arch = meta.get(_GENERAL_ARCH)
    if arch != base.architecture:
        raise UserError(f"the adapter is for architecture {arch!r}, the base model "
                        f"{base.path.name} is {base.architecture!r}", str(adapter))
    for tname, pair in _pairs(reader, adapter).items():
        a_shape, b_shape = _np_shape(pair["a"]), _np_shape(pair["b"])
        try:
            check_pair(base, tname, np.empty(a_shape, np.float32), np.empty(b_shape, np.float32))
        except UserError as exc:
            raise UserError(f"{exc} (an adapter for another base model?)", str(adapter)) from None


__all__ = ["DEFAULT_TARGETS", "BaseInfo", "base_info", "check", "check_pair", "describe",
           "random_lora", "read_lora", "write_lora"]
