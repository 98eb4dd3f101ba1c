"""The embedding router and the hybrid router, and the training of their head.

Both embed the question with all-MiniLM-L6-v2 (:mod:`triforce.routing.embedding`) and
score it with the trained head (:mod:`triforce.routing.head`):

* ``EmbeddingRouter``: the head's Platt-calibrated probabilities alone.
* ``HybridRouter``: a per-intent stacker over the head's logit and the keyword
  router's raw score, fitted on cross-validated head outputs, so its probabilities
  are calibrated too.

Both plan with the keyword router's :func:`triforce.routing.keyword.plan_steps`: the
keyword patterns' first-match positions order a two-step plan ("optimize this then
explain what changed" -> din, then veran) and a second step needs words of its own.
Their thresholds differ, because their scores are one-vs-rest probabilities fitted
together: the most probable intent is planned when it reaches ``MIN_CONFIDENCE`` and
beats the general intent (else the general fallback answers), and a second intent
joins from ``SECOND_STEP`` (both chosen by cross-validation on the labelled set). The
head is the user's ``routing_head.npz`` in
:func:`triforce.routing.stats.data_dir` when present (``triforce route train`` writes
it), else the one shipped in the package::

    from triforce.routing import load_router

    router = load_router("hybrid")        # UserError when the model is not installed
    router.route("optimize this and explain what changed").intents
    # ['optimization', 'analysis']

Loading is lazy: the encoder (numpy weights over a memory map, the tokenizer) is
loaded by the first ``route`` call, not by ``load_router``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from triforce.errors import UserError
from triforce.routing import embedding
from triforce.routing.evaluate import Example, calibrate, data_path, summarise
from triforce.routing.head import (
    FOLDS,
    INNER_FOLDS,
    LAMBDA,
    SEED,
    Head,
    stratified_folds,
    train_head,
)
from triforce.routing.keyword import (
    GENERAL,
    Decision,
    Features,
    KeywordRouter,
    PlanSettings,
    plan_steps,
)
from triforce.routing.stats import data_dir

HEAD_FILE = "routing_head.npz"
KINDS = ("keyword", "embedding", "hybrid")
MIN_CONFIDENCE = 0.1            # below this, nothing is confident: the general fallback
SECOND_STEP = 0.4               # a second intent needs this probability (and words of its own)


def packaged_head_path() -> Path:
    """The head shipped in the package."""
    return data_path(HEAD_FILE)


def user_head_path() -> Path:
    """Where ``triforce route train`` writes the user's head by default."""
    return data_dir() / HEAD_FILE


def head_path() -> Path:
    """The head the routers load: the user's when present, else the package's."""
    p = user_head_path()
    return p if p.is_file() else packaged_head_path()


# -- the routers -------------------------------------------------------------------------
@dataclass(frozen=True)
class Prepared:
    """What routing a question needs before the head: keyword outputs and the embedding."""

    raw: dict[str, float]
    first: dict[str, int]
    features: Features
    matched: dict[str, list[str]]
    embedding: np.ndarray


class _HeadRouter:
    """Shared by the embedding and hybrid routers: keyword outputs, embedding, plan."""

    kind = ""

    def __init__(self, head: Head, keyword: KeywordRouter | None = None,
                 encoder: embedding.Encoder | None = None,
                 head_file: str | Path | None = None) -> None:
        self.keyword = keyword if keyword is not None else KeywordRouter.load()
        self.head = head
        self.head_file = Path(head_file) if head_file is not None else None
        if tuple(head.intents) != tuple(self.keyword.experts):
            where = str(self.head_file) if self.head_file else None
            raise UserError("the routing head was trained for other intents than the routing "
                            "table's; retrain it: triforce route train", where)
        self.experts = dict(self.keyword.experts)
        self.intents = tuple(head.intents)
        base = self.keyword.plan_settings()
        self.settings = PlanSettings(
            experts=base.experts,
            thresholds={n: 0.0 if n == GENERAL else MIN_CONFIDENCE for n in self.intents},
            max_steps=base.max_steps,
            second_step_threshold=SECOND_STEP,
        )
        self._encoder = encoder
        trained_with = head.meta.get("keyword_tables")
        #: the keyword tables changed since the head was trained: retrain it
        self.stale = trained_with is not None and trained_with != self.keyword.fingerprint()

    @property
    def encoder(self) -> embedding.Encoder:
        """The sentence encoder, loaded on first use."""
        if self._encoder is None:
            self._encoder = embedding.load_encoder()
        return self._encoder

    def prepare(self, text: str, vector: np.ndarray | None = None) -> Prepared:
        raw, first, feats, matched = self.keyword.raw_scores(text)   # UserError if empty
        if vector is None:
            vector = self.encoder.encode(text)
        return Prepared(raw, first, feats, matched, vector)

    def route(self, text: str) -> Decision:
        """Score ``text`` and plan: one or two expert steps, or the general fallback."""
        return self.decide(self.prepare(text))

    def probabilities(self, p: Prepared) -> tuple[np.ndarray, dict[str, dict[str, float]]]:
        raise NotImplementedError

    def decide(self, p: Prepared) -> Decision:
        probs, components = self.probabilities(p)
        scores = {name: float(v) for name, v in zip(self.intents, probs, strict=True)}
        plan = plan_steps(scores, p.first, self.settings)
        return Decision(scores, plan, p.features, p.raw, p.matched, self.kind, components)


class EmbeddingRouter(_HeadRouter):
    """Routes by the head's calibrated probabilities over the question's embedding."""

    kind = "embedding"

    def probabilities(self, p: Prepared) -> tuple[np.ndarray, dict[str, dict[str, float]]]:
        return self.head.embedding_probs(self.head.logits(p.embedding)[0]), {}


class HybridRouter(_HeadRouter):
    """Routes by the stacker over the head's logits and the keyword router's raw scores."""

    kind = "hybrid"

    def probabilities(self, p: Prepared) -> tuple[np.ndarray, dict[str, dict[str, float]]]:
        z = self.head.logits(p.embedding)[0]
        raw = np.array([p.raw[name] for name in self.intents])
        components = {
            "keyword": {n: self.keyword.confidence(n, p.raw[n]) for n in self.intents},
            "embedding": dict(zip(self.intents, map(float, self.head.embedding_probs(z)),
                                  strict=True)),
        }
        return self.head.hybrid_probs(z, raw), components


def load_head(path: str | Path | None = None) -> tuple[Head, Path]:
    """The head at ``path`` (default: :func:`head_path`) and where it came from."""
    p = Path(path) if path is not None else head_path()
    return Head.load(p), p


def load_router(kind: str = "hybrid", *, head: str | Path | Head | None = None,
                keyword: KeywordRouter | None = None):
    """A router of ``kind``: "keyword", "embedding", "hybrid" or "auto".

    "auto" is the hybrid router when the embedding model is installed, else the keyword
    router. "embedding" and "hybrid" raise one clear UserError when the model (or the
    ``tokenizers`` package) is missing.
    """
    if kind == "auto":
        kind = "hybrid" if embedding.available() else "keyword"
    if kind not in KINDS:
        raise UserError(f"unknown router '{kind}' (choose from {', '.join(KINDS)})")
    kw = keyword if keyword is not None else KeywordRouter.load()
    if kind == "keyword":
        return kw
    require_model()
    if isinstance(head, Head):
        h, where = head, None
    else:
        h, where = load_head(head)
    cls = HybridRouter if kind == "hybrid" else EmbeddingRouter
    return cls(h, kw, head_file=where)


def require_model() -> embedding.ModelFiles:
    """The model's files, or ModelMissing when they or the ``tokenizers`` package are absent."""
    d = embedding.require_model()
    if not embedding.tokenizers_available():
        raise embedding.ModelMissing("the embedding router needs the 'tokenizers' package: "
                                     "pip install tokenizers")
    return d


# -- data and training -------------------------------------------------------------------
_MEMO: dict[tuple[str, str], np.ndarray] = {}
_MEMO_MAX = 8192


def embed_texts(texts: Sequence[str], encoder: embedding.Encoder | None = None,
                progress: Callable[[str], None] | None = None) -> np.ndarray:
    """Embeddings of ``texts`` (n, dim), batched; remembered for the life of the process
    so training, cross-validation and evaluation embed each question once."""
    enc = encoder if encoder is not None else embedding.load_encoder()
    key = str(enc.directory)
    memo = {t: _MEMO.get((key, t)) for t in texts}       # a snapshot: other threads may
    todo = [t for t, v in memo.items() if v is None]    # clear the memo meanwhile
    found = {t: v for t, v in memo.items() if v is not None}
    if todo:
        if progress:
            progress(f"embedding {len(todo)} questions")
        vectors = enc.encode(todo)
        if len(_MEMO) + len(todo) > _MEMO_MAX:
            _MEMO.clear()
        for t, v in zip(todo, vectors, strict=True):
            _MEMO[(key, t)] = v
            found[t] = v
    return np.stack([found[t] for t in texts]) if texts else np.zeros((0, enc.dim))


@dataclass
class RoutingData:
    """Labelled questions with everything the head needs, computed once."""

    examples: list[Example]
    prepared: list[Prepared]
    intents: tuple[str, ...]

    @property
    def embeddings(self) -> np.ndarray:
        return np.stack([p.embedding for p in self.prepared])

    @property
    def raw(self) -> np.ndarray:
        return np.array([[p.raw[n] for n in self.intents] for p in self.prepared])

    @property
    def targets(self) -> np.ndarray:
        return np.array([[float(n in e.intents) for n in self.intents] for e in self.examples])

    @property
    def first_intents(self) -> list[str]:
        return [e.intents[0] for e in self.examples]

    def subset(self, idx: Sequence[int] | np.ndarray) -> RoutingData:
        return RoutingData([self.examples[i] for i in idx], [self.prepared[i] for i in idx],
                           self.intents)


def prepare(examples: Sequence[Example], keyword: KeywordRouter | None = None,
            encoder: embedding.Encoder | None = None,
            progress: Callable[[str], None] | None = None) -> RoutingData:
    """Keyword outputs and embeddings of labelled ``examples``."""
    kw = keyword if keyword is not None else KeywordRouter.load()
    known = set(kw.experts)
    for ex in examples:
        unknown = [i for i in ex.intents if i not in known]
        if unknown:
            raise UserError(f"unknown intent(s) {', '.join(unknown)}", ex.where or None)
    vectors = embed_texts([e.text for e in examples], encoder, progress)
    prepared = []
    for ex, v in zip(examples, vectors, strict=True):
        try:
            raw, first, feats, matched = kw.raw_scores(ex.text)
        except UserError as exc:
            raise UserError(str(exc), ex.where or None) from None
        prepared.append(Prepared(raw, first, feats, matched, v))
    return RoutingData(list(examples), prepared, tuple(kw.experts))


def fit(data: RoutingData, *, folds: int = INNER_FOLDS, seed: int = SEED,
        lam: float = LAMBDA, keyword: KeywordRouter | None = None) -> Head:
    """Train the head (and its calibrations, on ``folds``-fold out-of-fold logits) on
    ``data``; small sets get fewer folds (a quarter of the questions at most)."""
    firsts = data.first_intents
    n = len(data.examples)
    if n < 8 or len(set(firsts)) < 2:
        raise UserError(f"too few labelled questions to train: {n} "
                        "(at least 8, of two intents or more)")
    folds = max(2, min(folds, n // 4))
    head = train_head(data.embeddings, data.targets, data.raw, firsts, data.intents,
                      folds=folds, seed=seed, lam=lam, texts=[e.text for e in data.examples])
    head.meta["keyword_tables"] = (keyword or KeywordRouter.load()).fingerprint()
    return head


def cv_problem(examples: Sequence[Example], folds: int) -> str | None:
    """Why ``examples`` cannot be cross-validated in ``folds`` folds, or None."""
    n = len(examples)
    need = max(2 * folds, 10)
    if folds < 2:
        return "cross-validation needs at least 2 folds"
    if n < need or len({e.intents[0] for e in examples}) < 2:
        return (f"too few questions for {folds}-fold cross-validation ({n}; at least {need}, "
                "of two intents or more)")
    return None


def cross_validate(kind: str, examples: Sequence[Example], *, data: RoutingData | None = None,
                   folds: int = FOLDS, seed: int = SEED,
                   keyword: KeywordRouter | None = None) -> list[Decision]:
    """One decision per question, each by a router trained without that question.

    "keyword": the calibration is refitted on the other folds (the pattern tables are
    hand-written and stay as they are; no embedding is needed). "embedding" and
    "hybrid": the head and its calibrations are retrained on the other folds (with
    inner folds of their own); ``data`` is :func:`prepare` of ``examples`` if given.
    """
    kw = keyword if keyword is not None else KeywordRouter.load()
    examples = list(examples)
    if kind not in KINDS:
        raise UserError(f"unknown router '{kind}' (choose from {', '.join(KINDS)})")
    if kind != "keyword" and data is None:
        data = prepare(examples, kw)
    decisions: list[Decision | None] = [None] * len(examples)
    for test in stratified_folds([e.intents[0] for e in examples], folds, seed):
        train = np.setdiff1d(np.arange(len(examples)), test)
        if kind == "keyword":
            refitted = KeywordRouter.load(calibration=calibrate(kw, [examples[i] for i in train]))
            for i in test:
                decisions[i] = refitted.route(examples[i].text)
            continue
        assert data is not None  # prepared above for every kind but "keyword"
        head = fit(data.subset(train), seed=seed, keyword=kw)
        router = (HybridRouter if kind == "hybrid" else EmbeddingRouter)(head, kw)
        for i in test:
            decisions[i] = router.decide(data.prepared[i])
    return [d for d in decisions if d is not None]


def cross_validated_report(kind: str, examples: Sequence[Example], *,
                           data: RoutingData | None = None, folds: int = FOLDS,
                           seed: int = SEED) -> dict:
    """The evaluation report of :func:`cross_validate` (no latency: nothing is timed)."""
    kw = KeywordRouter.load()
    decisions = cross_validate(kind, examples, data=data, folds=folds, seed=seed, keyword=kw)
    report = summarise(list(examples), decisions, list(kw.experts))
    report["folds"] = folds
    return report


def train(examples: Sequence[Example], *, folds: int = FOLDS, seed: int = SEED,
          evaluate_cv: bool = True, progress: Callable[[str], None] | None = None) -> Head:
    """Train a head on ``examples``; with ``evaluate_cv`` record the k-fold cross-validated
    figures of the embedding and hybrid routers in ``head.meta["cross_validated"]``."""
    t0 = time.perf_counter()
    data = prepare(examples, progress=progress)
    if progress:
        progress(f"training on {len(data.examples)} questions")
    head = fit(data, seed=seed)
    reason = cv_problem(data.examples, folds)
    if evaluate_cv and reason:
        head.meta["cross_validated"] = {"skipped": reason}
    elif evaluate_cv:
        cv = {}
        for kind in ("embedding", "hybrid"):
            if progress:
                progress(f"cross-validating the {kind} router ({folds} folds)")
            r = cross_validated_report(kind, data.examples, data=data, folds=folds, seed=seed)
            cv[kind] = {k: r[k] for k in ("top1_accuracy", "plan_accuracy",
                                           "expected_calibration_error")}
        head.meta["cross_validated"] = cv
        head.meta["cross_validation_folds"] = folds
    head.meta["seconds"] = round(time.perf_counter() - t0, 2)
    return head


__all__ = ["HEAD_FILE", "KINDS", "MIN_CONFIDENCE", "SECOND_STEP", "EmbeddingRouter",
           "HybridRouter", "Prepared", "RoutingData", "cross_validate", "cross_validated_report",
           "cv_problem", "embed_texts", "fit", "head_path", "load_head",
           "load_router", "packaged_head_path", "prepare", "require_model", "train",
           "user_head_path"]
