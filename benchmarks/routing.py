"""Accuracy and latency of the keyword router.

Reports top-1 and plan accuracy on the labelled set (which the pattern tables were
written against, so it flatters them), on ``routing_heldout.jsonl`` (60 questions
written after the tables and never used to tune them), and on a 20% split of the
labelled set with the calibration refitted on the other 80% (which checks the
calibration, not the hand-written tables). Latency p50/p99 over all questions.

    python benchmarks/routing.py [--json PATH]

Targets: keyword latency p50 < 1 ms now; hybrid (keyword + embedding) top-1 >= 0.95 later.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from triforce.routing import KeywordRouter  # noqa: E402
from triforce.routing.evaluate import (  # noqa: E402
    calibrate,
    data_path,
    evaluate,
    load_examples,
)

RESULTS = REPO / "benchmarks" / "results" / "routing.json"
TARGET_P50_MS = 1.0
TARGET_HYBRID_TOP1 = 0.95


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", default=str(RESULTS), help="where to write the results")
    args = ap.parse_args()
    router = KeywordRouter.load()
    labelled = load_examples()
    heldout = load_examples(data_path("routing_heldout.jsonl"))
    # warm up (regex compilation, register table)
    for ex in labelled[:20]:
        router.route(ex.text)
    rows = {}
    rows["labelled"] = evaluate(router, labelled)
    rows["heldout"] = evaluate(router, heldout)
    shuffled = labelled[:]
    random.Random(65816).shuffle(shuffled)
    cut = int(0.8 * len(shuffled))
    split_router = KeywordRouter.load(calibration=calibrate(router, shuffled[:cut]))
    rows["split20 (calib. on 80%)"] = evaluate(split_router, shuffled[cut:])
    rows["heldout (calib. on 80%)"] = evaluate(split_router, heldout)
    lat = evaluate(router, labelled + heldout + labelled + heldout)["latency_ms"]

    print(f"{'set':26} {'n':>4} {'top-1':>6} {'plan':>6} {'multi':>6} {'ECE':>6}")
    for name, r in rows.items():
        multi = r["multi_intent_plan_accuracy"]
        print(f"{name:26} {r['examples']:4d} {r['top1_accuracy']:6.3f} {r['plan_accuracy']:6.3f} "
              f"{'  -   ' if multi is None else f'{multi:6.3f}'} "
              f"{r['expected_calibration_error']:6.3f}")
    print(f"latency ms  p50 {lat['p50']:.3f}  p99 {lat['p99']:.3f}  (target p50 < {TARGET_P50_MS})")
    print("calibration (labelled set): bin, count, mean confidence, accuracy")
    for row in rows["labelled"]["calibration"]:
        print(f"  {row['bin']}  {row['count']:5d}  {row['mean_confidence']:.3f}  {row['accuracy']:.3f}")
    print(f"hybrid top-1 target (later): {TARGET_HYBRID_TOP1}")
    out = {name: {k: v for k, v in r.items() if k != "errors"} for name, r in rows.items()}
    out["latency_ms"] = lat
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0 if lat["p50"] < TARGET_P50_MS else 1


if __name__ == "__main__":
    sys.exit(main())
