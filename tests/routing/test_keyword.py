"""The keyword router: intents, plans, features, calibration, statistics, CLI."""

from __future__ import annotations

import json
import time

import pytest
from routing_cli import run_cli as main

from triforce.errors import UserError
from triforce.routing import KeywordRouter
from triforce.routing.evaluate import calibrate, data_path, evaluate, fit_platt, load_examples
from triforce.routing.stats import RoutingStats


@pytest.fixture(scope="module")
def router() -> KeywordRouter:
    return KeywordRouter.load()


@pytest.mark.parametrize(("question", "intent", "expert"), [
    ("this sprite loop is too slow in NMI, make it faster", "optimization", "din"),
    ("how can I save cycles in my tilemap upload?", "optimization", "din"),
    ("write a routine that refills Link's bombs when he enters a shop", "generation", "nayru"),
    ("give me asm for a 3-frame invincibility flash", "generation", "nayru"),
    ("the game freezes with a black screen after my title screen edit", "debugging", "farore"),
    ("why does the fairy count show the wrong value?", "debugging", "farore"),
    ("what is $2105?", "analysis", "veran"),
    ("explain how color math interacts with the sub screen", "analysis", "veran"),
    ("where should I put 2KB of new dialogue data in an expanded ROM?", "architecture", "zelda"),
    ("what if the index is $FF when the chest table is read?", "vulnerability", "ganon"),
    ("could crafted input cause ACE through this pointer table?", "vulnerability", "ganon"),
    ("my patch conflicts with the MSU-1 hook, the hook is already used", "integration", "link"),
    ("add a bounds check and a safe default for the dungeon id", "protection", "impa"),
    ("who calls the routine that loads the overworld palettes?", "mapping", "tingle"),
    ("map out the call graph of the ancilla handler", "mapping", "tingle"),
])
def test_single_intent(router, question, intent, expert):
    d = router.route(question)
    assert d.plan[0].intent == intent, d.to_dict(verbose=True)
    assert d.plan[0].expert == expert
    assert d.scores[intent] == max(d.scores.values())


def test_two_intents_in_the_order_asked(router):
    d = router.route("optimize this and explain what changed")
    assert [s.expert for s in d.plan] == ["din", "veran"]
    d = router.route("explain what my NMI routine does, then optimize it")
    assert [s.expert for s in d.plan] == ["veran", "din"]


def test_code_alone_goes_to_analysis(router):
    d = router.route("  SEP #$20\n  LDA #$8F\n  STA $2100\n  STZ $420C\n  RTL")
    assert d.plan[0].intent == "analysis"
    assert len(d.plan) == 1


@pytest.mark.parametrize("question", ["hi", "what can you do?", "thanks!", "qwerty zxcv"])
def test_fallback_general(router, question):
    d = router.route(question)
    assert d.fallback
    assert [(s.expert, s.intent) for s in d.plan] == [("base", "general")]
    assert 0.0 <= d.plan[0].confidence <= 1.0


def test_code_and_register_features(router):
    d = router.route("Main:\n  lda #$0F\n  sta $2100      ; brightness\n  LDA $4212\nwhy?")
    f = d.features
    assert f.has_code and f.code_lines == 3 and f.labels == 1
    assert {"LDA", "STA"} <= set(f.mnemonics)
    assert f.immediates == 1
    assert "INIDISP" in f.registers and "HVBJOY" in f.registers
    assert 0x2100 in f.addresses and 0x4212 in f.addresses
    plain = router.route("and then it just stops, no idea why")
    assert not plain.features.has_code      # 'and' in prose is not the AND instruction
    # the register boosts analysis over the same words without one
    a = router.route("what is $4200 for").scores["analysis"]
    b = router.route("what is this for").scores["analysis"]
    assert a > b


def test_inline_instruction_in_prose(router):
    d = router.route("does STA $420B start the DMA immediately?")
    assert d.features.inline_instructions == 1
    assert "MDMAEN" in d.features.registers


def test_scores_are_calibrated_probabilities(router):
    d = router.route("optimize this and tell me what it does\n  LDA $10\n  STA $12")
    assert set(d.scores) == set(router.experts)
    assert all(0.0 <= v <= 1.0 for v in d.scores.values())
    for intent in router.experts:
        values = [router.confidence(intent, x / 4) for x in range(0, 25)]
        assert values == sorted(values)            # monotone in the raw score
        assert values[0] < 0.5 < values[-1]


def test_platt_fit_recovers_a_slope():
    xs = [i / 10 for i in range(40)]
    ys = [int(x > 2.0) for x in xs]
    a, b = fit_platt(xs, ys)
    assert a > 0 and -b / a == pytest.approx(2.0, abs=0.2)


def test_calibration_on_part_of_the_set(router):
    examples = load_examples()
    cal = calibrate(router, examples[::2])
    other = KeywordRouter.load(calibration=cal)
    report = evaluate(other, examples[1::2])
    assert report["top1_accuracy"] > 0.8
    assert report["expected_calibration_error"] < 0.1


def test_labelled_sets_are_sound():
    labelled, heldout = load_examples(), load_examples(data_path("routing_heldout.jsonl"))
    assert len(labelled) >= 300 and len(heldout) >= 60
    known = set(KeywordRouter.load().experts)
    for ex in labelled + heldout:
        assert set(ex.intents) <= known, ex.where
    for intent in known - {"general"}:
        assert sum(ex.intents[0] == intent for ex in labelled) >= 20, intent


def test_empty_and_huge_questions(router):
    with pytest.raises(UserError, match="empty question"):
        router.route("")
    with pytest.raises(UserError, match="empty question"):
        router.route("   \n\t ")
    big = ("why does my loop crash? " + "LDA $7E0010,x\nSTA $2118\n" * 45000)[: 1 << 20]
    assert len(big) == 1 << 20
    t0 = time.perf_counter()
    d = router.route(big)
    assert time.perf_counter() - t0 < 0.5
    assert d.features.truncated
    assert d.plan[0].intent == "debugging"


def test_stats_persist(tmp_path, monkeypatch, router):
    monkeypatch.setenv("TRIFORCE_DATA_DIR", str(tmp_path))
    store = RoutingStats()
    assert store.path.parent == tmp_path
    assert store.summary()["total_queries"] == 0
    store.record(router.route("make it faster and explain it"), 0.001)
    store.record(router.route("hello"), 0.003)
    s = RoutingStats().summary()                    # a new object: read back from disk
    assert (tmp_path / "routing.sqlite3").is_file()
    assert s["total_queries"] == 2
    assert s["fallback_rate"] == 0.5
    assert s["experts"] == {"din": 1, "veran": 1, "base": 1}
    assert set(s["mean_confidence"]) == {"optimization", "analysis", "general"}
    assert s["latency_ms"]["p99"] == pytest.approx(3.0)


def test_cli_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRIFORCE_DATA_DIR", str(tmp_path))
    assert main(["route", "optimize this and explain what changed", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["expert"] for s in out["plan"]] == ["din", "veran"]
    assert set(out["plan"][0]) == {"expert", "intent", "confidence"}
    assert 0 <= out["scores"]["optimization"] <= 1
    questions = tmp_path / "q.txt"
    questions.write_text("hi\nwho calls $0D8000?\n\nwhy does it crash\n")
    assert main(["route", "--file", str(questions), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["plan"][0]["intent"] for r in rows] == ["general", "mapping", "debugging"]
    assert main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_queries"] == 4
    assert main(["route", "  ", "--json"]) == 1
    assert "empty question" in capsys.readouterr().err


def test_cli_eval(tmp_path, capsys):
    f = tmp_path / "l.jsonl"
    f.write_text(json.dumps({"text": "hi", "intents": ["general"]}) + "\n"
                 + json.dumps({"text": "make it faster", "intents": ["optimization"]}) + "\n")
    assert main(["route", "eval", "--file", str(f), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["examples"] == 2 and report["top1_accuracy"] == 1.0
    f.write_text("{not json\n")
    assert main(["route", "eval", "--file", str(f)]) == 1
    assert f"{f}:1" in capsys.readouterr().err


def test_stats_skip_corrupt_rows(tmp_path, monkeypatch, router, capsys):
    """A damaged or hand-edited store (text where numbers belong, infinities): the rows
    are skipped and counted; `triforce stats` and /metrics still report."""
    import sqlite3

    from triforce.server.metrics import ServerMetrics, render

    monkeypatch.setenv("TRIFORCE_DATA_DIR", str(tmp_path))
    store = RoutingStats()
    store.record(router.route("make it faster"), 0.002)
    store.record(router.route("hello"), 0.004)
    con = sqlite3.connect(store.path)
    with con:
        con.execute("UPDATE decisions SET latency_s = 'slow' WHERE id = 2")
        con.execute("UPDATE steps SET confidence = 'high' WHERE decision = 1")
        con.execute("INSERT INTO decisions (ts, plan, fallback, latency_s) "
                    "VALUES (0, '[]', 0, 9e999)")
    con.close()
    s = RoutingStats().summary()
    assert s["total_queries"] == 1 and s["corrupt_rows"] >= 3
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "corrupt rows" in out
    text = render(ServerMetrics().snapshot(), s, None, "test")
    assert "triforce_routing_corrupt_rows" in text and "triforce_routing_queries_total 1" in text
