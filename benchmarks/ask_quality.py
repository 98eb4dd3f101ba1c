"""What the checks catch: the assistant end to end on the embedded model.

A benchmark, not a test: python benchmarks/ask_quality.py [--per-expert N] [--max-tokens N]

Asks Din to optimise the routines of tests/analysis/corpus/optimize, Farore about the
planted bugs of tests/analysis/corpus/bugs, Veran about hardware registers and Nayru to
write common routines, each with its expert forced, and counts per expert:

- sections that stand (ok or partial) and sections whose answer a tool leads;
- the model's code blocks: how many assemble at once, after a retry, and how many were
  removed because they never did (the user never sees those);
- Din: rewrites the model proposed, how many the equivalence checker proved, and how
  many beat the verified optimizer; the cycles the shown answers save;
- Farore: questions where the linter names the planted bug's rule;
- time to first token and tokens per second.

The peer is the model alone: the share of its code blocks that assemble is what a user
would get without the checks. Results go to benchmarks/results/ask_quality.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from triforce.orchestra import Orchestrator  # noqa: E402

CORPUS = ROOT / "tests" / "analysis" / "corpus"
VERAN = [
    "what does writing $80 to $2100 do?",
    "explain the bits of $4200",
    "what is VMAIN for and when can I write it?",
    "what does $420B do?",
    "explain $2115 and $2116 together",
    "what does the value in $4212 tell me?",
]
NAYRU = [
    "write a routine that waits for vblank",
    "write code to DMA my tiles to VRAM",
    "read the joypad with auto-read",
    "multiply two 8-bit numbers with the hardware multiplier",
    "copy a block of memory with MVN",
    "write a 16-bit unsigned compare",
]


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _cases(per: int) -> list[tuple[str, str, str | None, str | None]]:
    """(expert, question, code, expected lint rule) for every case."""
    out = []
    for f in sorted((CORPUS / "optimize").glob("*.asm"))[:per]:
        out.append(("din", "optimize this routine", f.read_text(), None))
    for f in sorted((CORPUS / "bugs").glob("*.asm"))[:per]:
        text = f.read_text()
        m = re.search(r"^;\s*bug:\s*([\w-]+)", text, re.M)   # "; bug: imm-width line 22"
        out.append(("farore", "why does this misbehave?", text, m.group(1) if m else None))
    out += [("veran", q, None, None) for q in VERAN[:per]]
    out += [("nayru", q, None, None) for q in NAYRU[:per]]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-expert", type=int, default=6)
    ap.add_argument("--max-tokens", type=int, default=160)
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "ask_quality.json"))
    args = ap.parse_args(argv)
    orch = Orchestrator(max_tokens=args.max_tokens, timeout=120, record_stats=False)
    stats: dict[str, dict] = {}
    for expert, question, code, rule in _cases(args.per_expert):
        t0 = time.perf_counter()
        ans = orch.ask(question, code=code, expert=expert)
        sec = ans.sections[0]
        s = stats.setdefault(expert, {
            "questions": 0, "standing": 0, "tool_led": 0, "blocks": 0, "blocks_first_try": 0,
            "blocks_after_retry": 0, "blocks_removed": 0, "candidates": 0, "proven": 0,
            "beat_optimizer": 0, "cycles_saved": 0, "lint_names_bug": 0, "bugs": 0,
            "ttft": [], "tps": [], "seconds": []})
        s["questions"] += 1
        s["standing"] += sec.status in ("ok", "partial")
        s["tool_led"] += bool(sec.tool_text)
        first = sec.data.get("model_blocks_first_try", {})
        final = sec.data.get("model_blocks_final", {})
        s["blocks"] += first.get("blocks", 0)
        s["blocks_first_try"] += first.get("assemble", 0)
        s["blocks_removed"] += final.get("removed", 0)
        if final.get("retries"):
            s["blocks_after_retry"] += final["blocks"] - final["removed"]
        cand = sec.data.get("model_candidate")
        if cand is not None:
            s["candidates"] += 1
            s["proven"] += bool(cand.get("equivalent"))
            s["beat_optimizer"] += "Optimized by the model" in sec.tool_text
        for c in sec.checks:
            if c.name in ("cycles", "cycles (memory and I/O only)") and "->" in c.detail:
                a, b = (int(v) for v in c.detail.split(" -> "))
                if c.name == "cycles":
                    s["cycles_saved"] += a - b
        if rule:
            s["bugs"] += 1
            s["lint_names_bug"] += f"[{rule}]" in sec.tool_text
        st = ans.model_stats()
        if st.get("time_to_first_token") is not None:
            s["ttft"].append(st["time_to_first_token"])
        if st.get("tokens_per_second"):
            s["tps"].append(st["tokens_per_second"])
        s["seconds"].append(time.perf_counter() - t0)
        print(f"{expert:7} {sec.status:8} {time.perf_counter() - t0:6.1f} s  {question[:50]}",
              file=sys.stderr, flush=True)
    rows = []
    head = (f"{'expert':8}{'asked':>6}{'stand':>6}{'tool-led':>9}{'blocks':>7}{'ok 1st':>7}"
            f"{'ok retry':>9}{'removed':>8}{'proposed':>9}{'proven':>7}{'lint=bug':>9}"
            f"{'ttft p50':>9}{'tok/s':>7}")
    print(head)
    for expert, s in stats.items():
        print(f"{expert:8}{s['questions']:>6}{s['standing']:>6}{s['tool_led']:>9}{s['blocks']:>7}"
              f"{s['blocks_first_try']:>7}{s['blocks_after_retry']:>9}{s['blocks_removed']:>8}"
              f"{s['candidates']:>9}{s['proven']:>7}"
              f"{(str(s['lint_names_bug']) + '/' + str(s['bugs'])) if s['bugs'] else '-':>9}"
              f"{med(s['ttft']):>9.2f}{med(s['tps']):>7.1f}")
        rows.append({k: (v if not isinstance(v, list) else
                         {"p50": med(v), "n": len(v)}) for k, v in s.items()} | {"expert": expert})
    if "din" in stats:
        d = stats["din"]
        print(f"din: {d['cycles_saved']} cycles saved by the shown answers (proven rewrites that "
              f"keep every register and flag), {d['proven']}/{d['candidates']} of the model's "
              "own rewrites proven")
    blocks = sum(s["blocks"] for s in stats.values())
    alone = sum(s["blocks_first_try"] for s in stats.values())
    removed = sum(s["blocks_removed"] for s in stats.values())
    print(f"model alone: {alone}/{blocks} code blocks assemble as written "
          f"({alone / blocks:.0%})" if blocks else "model alone: no code blocks")
    print(f"with the checks: {removed} blocks that never assembled were removed; "
          "none that fails is shown")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"experts": rows, "model_blocks": blocks,
                               "model_blocks_assembling": alone,
                               "machine": {"cpus": os.cpu_count(),
                                           "load": list(os.getloadavg())}}, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
