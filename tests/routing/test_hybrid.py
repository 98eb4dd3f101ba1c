"""The trained head, the embedding and hybrid routers: training, calibration, plans."""

from __future__ import annotations

import numpy as np
import pytest

from triforce.errors import UserError
from triforce.routing import (
    EmbeddingRouter,
    HybridRouter,
    KeywordRouter,
    default_router,
    hybrid,
    load_router,
)
from triforce.routing.evaluate import evaluate
from triforce.routing.head import (
    Head,
    fit_calibrator,
    fit_logistic,
    sigmoid,
    stratified_folds,
    text_hash,
)
from triforce.routing.stats import RoutingStats

CLEAR = [
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
]


@pytest.mark.parametrize(("question", "intent", "expert"), CLEAR)
def test_hybrid_routes_clear_questions(hybrid_router, question, intent, expert):
    d = hybrid_router.route(question)
    assert d.plan[0].intent == intent, d.to_dict(verbose=True)
    assert d.plan[0].expert == expert
    assert d.router == "hybrid"


def test_two_intents_in_the_order_asked(hybrid_router):
    d = hybrid_router.route("optimize this then explain what changed")
    assert [s.expert for s in d.plan] == ["din", "veran"]
    d = hybrid_router.route("explain what my NMI routine does, then optimize it")
    assert [s.expert for s in d.plan] == ["veran", "din"]
    d = hybrid_router.route("write a routine that uploads my palette to CGRAM, "
                            "then explain each register it sets")
    assert [s.intent for s in d.plan] == ["generation", "analysis"]


@pytest.mark.parametrize("question", ["hi", "what can you do?", "thanks!", "qwerty zxcv"])
def test_fallback_general(hybrid_router, question):
    d = hybrid_router.route(question)
    assert d.fallback
    assert [(s.expert, s.intent) for s in d.plan] == [("base", "general")]
    assert 0.5 < d.plan[0].confidence <= 1.0


def test_scores_components_and_errors(hybrid_router):
    d = hybrid_router.route("optimize this and tell me what it does\n  LDA $10\n  STA $12")
    assert set(d.scores) == set(hybrid_router.experts)
    assert all(0.0 <= v <= 1.0 for v in d.scores.values())
    out = d.to_dict(verbose=True)
    assert out["router"] == "hybrid"
    assert set(out["components"]) == {"keyword", "embedding"}
    assert set(d.to_dict()) == {"plan", "scores"}
    with pytest.raises(UserError, match="empty question"):
        hybrid_router.route("  \n ")


def test_embedding_router(embedding_router):
    assert embedding_router.route("make this loop faster, it lags in NMI").plan[0].expert == "din"
    assert embedding_router.route("who calls the palette loader?").plan[0].expert == "tingle"
    assert embedding_router.route("hello!").fallback
    assert embedding_router.route("hi").router == "embedding"


def test_default_router_is_the_hybrid():
    r = default_router()
    assert isinstance(r, HybridRouter)
    assert set(r.experts) == set(KeywordRouter.load().experts)
    assert isinstance(load_router("keyword"), KeywordRouter)
    assert isinstance(load_router("embedding"), EmbeddingRouter)
    with pytest.raises(UserError, match="unknown router"):
        load_router("telepathy")


def test_heldout_accuracy(hybrid_router, heldout):
    """The shipped hybrid on questions it was never trained on (0.968 when written)."""
    report = evaluate(hybrid_router, heldout)
    assert report["top1_accuracy"] >= 0.9
    assert report["expected_calibration_error"] < 0.05
    assert hybrid_router.head.seen([e.text for e in heldout]) == 0


def test_cross_validated_accuracy_and_calibration(labelled, labelled_data):
    """Heads retrained per fold (3 folds to keep the suite quick; the benchmark uses 5)."""
    hyb = hybrid.cross_validated_report("hybrid", labelled, data=labelled_data, folds=3)
    emb = hybrid.cross_validated_report("embedding", labelled, data=labelled_data, folds=3)
    assert hyb["top1_accuracy"] >= 0.93, hyb["top1_accuracy"]
    assert emb["top1_accuracy"] >= 0.8, emb["top1_accuracy"]
    assert hyb["top1_accuracy"] > emb["top1_accuracy"]
    assert hyb["expected_calibration_error"] < 0.03
    assert hyb["examples"] == len(labelled) and hyb["folds"] == 3


def test_training_is_deterministic(labelled_data):
    part = labelled_data.subset(range(0, len(labelled_data.examples), 3))
    a, b = hybrid.fit(part), hybrid.fit(part)
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.stack, b.stack)
    np.testing.assert_array_equal(a.embedding_cal, b.embedding_cal)
    assert a.intents == tuple(KeywordRouter.load().experts)
    assert a.seen([e.text for e in part.examples]) == len(part.examples)


def test_head_files(tmp_path, labelled_data):
    head = hybrid.fit(labelled_data.subset(range(0, 120)))
    p = head.save(tmp_path / "h.npz")
    back = Head.load(p)
    np.testing.assert_allclose(back.weights, head.weights, atol=1e-6)
    np.testing.assert_array_equal(back.stack, head.stack)
    assert back.meta["trained_on"] == 120 and back.intents == head.intents
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(UserError, match="junk.npz"):
        Head.load(tmp_path / "junk.npz")
    with pytest.raises(UserError, match="no such routing head"):
        Head.load(tmp_path / "missing.npz")
    assert not HybridRouter(back).stale
    back.meta["keyword_tables"] = "0123456789abcdef"        # trained with other tables
    assert HybridRouter(back).stale
    other = Head(("a", "b"), np.zeros((384, 2)), np.zeros(2), np.zeros((2, 2)),
                 np.zeros((2, 3)), 1.0)
    with pytest.raises(UserError, match="other intents"):
        HybridRouter(other)


def test_the_users_head_is_preferred(tmp_path, monkeypatch, labelled_data):
    monkeypatch.setenv("TRIFORCE_DATA_DIR", str(tmp_path))
    assert hybrid.head_path() == hybrid.packaged_head_path()
    hybrid.fit(labelled_data.subset(range(0, 100))).save(hybrid.user_head_path())
    assert hybrid.head_path() == tmp_path / "routing_head.npz"
    r = load_router("hybrid")
    assert r.head_file == tmp_path / "routing_head.npz"
    assert r.head.meta["trained_on"] == 100


def test_stats_record_hybrid_decisions(tmp_path, hybrid_router):
    store = RoutingStats(tmp_path / "s.sqlite3")
    store.record(hybrid_router.route("optimize this and explain what changed"), 0.01)
    s = store.summary()
    assert s["experts"] == {"din": 1, "veran": 1}


def test_logistic_and_calibration_fits():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    Y = np.stack([(X[:, 0] > 0), (X[:, 1] + X[:, 2] > 0.5)], 1).astype(float)
    W, b = fit_logistic(X, Y, lam=1e-3)
    assert ((X @ W + b > 0) == (Y > 0)).mean() > 0.97
    x = rng.normal(size=4000)
    y = (rng.random(4000) < sigmoid(2.0 * x - 1.0)).astype(float)
    a, c = fit_calibrator(x, y)
    assert a == pytest.approx(2.0, abs=0.25) and c == pytest.approx(-1.0, abs=0.2)
    # separable data: finite weights, confident but not certain
    w = fit_calibrator(np.r_[np.zeros(50), np.ones(50)], np.r_[np.zeros(50), np.ones(50)])
    assert np.isfinite(w).all() and 0.9 < sigmoid(w[0] + w[1]) < 1.0


def test_folds_and_hashes():
    labels = ["a"] * 10 + ["b"] * 5 + ["c"] * 5
    folds = stratified_folds(labels, 5, seed=1)
    assert sorted(np.concatenate(folds).tolist()) == list(range(20))
    assert all(sum(labels[i] == "a" for i in f) == 2 for f in folds)
    assert [f.tolist() for f in folds] == [f.tolist() for f in stratified_folds(labels, 5, 1)]
    with pytest.raises(UserError, match="at least 5 examples"):
        stratified_folds(["a", "b"], 5)
    assert text_hash(" hi\n") == text_hash("hi") != text_hash("ho")
