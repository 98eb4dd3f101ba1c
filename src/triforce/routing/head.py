"""The trained head over sentence embeddings, and its calibration and stacking.

Everything here is plain numpy and deterministic (no random initialisation; folds are
drawn with a fixed seed):

* :func:`fit_logistic`: one-vs-rest logistic regression, one sigmoid per intent, all
  fitted jointly by L-BFGS with an L2 penalty. One-vs-rest, not softmax, because a
  question may carry two intents and a score must mean "this intent is wanted".
* :func:`fit_calibrator`: a small logistic fit (Platt scaling with smoothed targets) used
  twice per intent, both times on *cross-validated* head outputs (every question scored
  by a head that never saw it): ``P(intent | head logit)`` calibrates the embedding
  router, ``P(intent | head logit, keyword raw score)`` is the hybrid's stacker.
* :class:`Head`: the fitted weights and those two calibrations, saved as one ``.npz``
  file (``triforce/data/routing_head.npz`` in the package; ``triforce route train``
  writes the user's own).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from triforce.errors import UserError
from triforce.routing.blas import single_blas_thread

SEED = 65816
FOLDS = 5                       # cross-validation of a router (evaluation)
INNER_FOLDS = 10                # the head's own folds, for the logits its calibrations see
LAMBDA = 0.01                   # L2 penalty of the head (per unit-variance input)
RIDGE = 1e-3                    # L2 penalty of the calibrations' slopes
HEAD_FORMAT = 1


# -- optimisation ----------------------------------------------------------------------------
def minimize_lbfgs(fun: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
                   *, max_iter: int = 500, memory: int = 10, gtol: float = 1e-6) -> np.ndarray:
    """Minimise a smooth convex ``fun`` (returning value and gradient) by L-BFGS.

    Two-loop recursion over the last ``memory`` steps, backtracking (Armijo) line
    search; stops when the largest gradient component is below ``gtol``.
    """
    x = np.asarray(x0, dtype=np.float64).copy()
    fx, g = fun(x)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    for _ in range(max_iter):
        if np.abs(g).max() < gtol:
            break
        q = g.copy()
        alphas = []
        for s, y in zip(reversed(s_hist), reversed(y_hist), strict=True):
            a = (s @ q) / (y @ s)
            alphas.append(a)
            q -= a * y
        if s_hist:
            q *= (s_hist[-1] @ y_hist[-1]) / (y_hist[-1] @ y_hist[-1])
        for (s, y), a in zip(zip(s_hist, y_hist, strict=True), reversed(alphas), strict=True):
            q += s * (a - (y @ q) / (y @ s))
        d = -q
        slope = g @ d
        if slope >= 0:                      # not a descent direction: restart
            s_hist.clear()
            y_hist.clear()
            d = -g
            slope = g @ d
        step = 1.0
        while True:
            x_new = x + step * d
            f_new, g_new = fun(x_new)
            if f_new <= fx + 1e-4 * step * slope or step < 1e-12:
                break
            step *= 0.5
        s, y = x_new - x, g_new - g
        if s @ y > 1e-12:
            s_hist.append(s)
            y_hist.append(y)
            if len(s_hist) > memory:
                s_hist.pop(0)
                y_hist.pop(0)
        converged = abs(fx - f_new) <= 1e-12 * max(1.0, abs(fx))
        x, fx, g = x_new, f_new, g_new
        if converged:
            break
    return x


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -z)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow warnings."""
    return np.exp(_log_sigmoid(np.asarray(z, dtype=np.float64)))


# -- models ----------------------------------------------------------------------------------
def fit_logistic(X: np.ndarray, Y: np.ndarray, lam: float = LAMBDA,
                 max_iter: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest logistic regression: ``(W (d, k), b (k,))`` minimising the mean binary
    cross-entropy over all ``k`` columns of ``Y`` (0/1) plus ``lam/2 * |W|^2``."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    n, d = X.shape
    k = Y.shape[1]

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W = theta[: d * k].reshape(d, k)
        b = theta[d * k:]
        Z = X @ W + b
        softplus = np.logaddexp(0.0, Z)             # -log(1 - sigmoid(Z))
        loss = float((softplus - Y * Z).sum()) / n
        G = (np.exp(Z - softplus) - Y) / n
        grad = np.concatenate([(X.T @ G + lam * W).ravel(), G.sum(0)])
        return loss + 0.5 * lam * float((W * W).sum()), grad

    with single_blas_thread():
        theta = minimize_lbfgs(fun, np.zeros(d * k + k), max_iter=max_iter)
    return theta[: d * k].reshape(d, k), theta[d * k:]


def fit_calibrator(F: np.ndarray, y: np.ndarray, ridge: float = 1e-3,
              iterations: int = 100) -> np.ndarray:
    """``P(y=1 | f) = sigmoid(f @ w[:-1] + w[-1])`` by Newton's method.

    Platt's smoothed targets (``(n+ + 1)/(n+ + 2)`` and ``1/(n- + 2)``) keep the weights
    finite on separable data; ``ridge`` penalises the slopes, not the intercept.
    """
    F = np.asarray(F, dtype=np.float64)
    if F.ndim == 1:
        F = F[:, None]
    y = np.asarray(y, dtype=np.float64)
    n, m = F.shape
    pos = float(y.sum())
    neg = n - pos
    t = np.where(y > 0.5, (pos + 1) / (pos + 2), 1 / (neg + 2))
    A = np.hstack([F, np.ones((n, 1))])
    w = np.zeros(m + 1)
    w[-1] = np.log((pos + 1) / (neg + 1))
    reg = np.full(m + 1, ridge)
    reg[-1] = 0.0

    def objective(w: np.ndarray) -> float:
        z = A @ w
        return float(-(t * _log_sigmoid(z) + (1 - t) * _log_sigmoid(-z)).sum()
                     + 0.5 * (reg * w * w).sum())

    value = objective(w)
    for _ in range(iterations):
        p = sigmoid(A @ w)
        grad = A.T @ (p - t) + reg * w
        hess = (A * np.maximum(p * (1 - p), 1e-12)[:, None]).T @ A + np.diag(reg + 1e-9)
        delta = np.linalg.solve(hess, grad)
        step = 1.0                          # damped Newton: never let the loss go up
        while step > 1e-10:
            candidate = w - step * delta
            new_value = objective(candidate)
            if new_value <= value:
                break
            step *= 0.5
        else:
            break
        w, done = candidate, value - new_value < 1e-12 * max(1.0, value)
        value = new_value
        if done or np.abs(step * delta).max() < 1e-9:
            break
    return w


def stratified_folds(labels: Sequence[str], k: int = FOLDS, seed: int = SEED) -> list[np.ndarray]:
    """``k`` disjoint index arrays covering ``labels``, each label spread evenly (seeded)."""
    n = len(labels)
    if k < 2 or n < k:
        raise UserError(f"{k}-fold cross-validation needs at least {max(k, 2)} examples, "
                        f"got {n}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    names = sorted(set(labels))
    rank = np.array([names.index(labels[i]) for i in order])
    order = order[np.argsort(rank, kind="stable")]
    folds: list[list[int]] = [[] for _ in range(k)]
    for j, i in enumerate(order):
        folds[j % k].append(int(i))
    return [np.array(sorted(f), dtype=np.int64) for f in folds]


def text_hash(text: str) -> int:
    """A 64-bit fingerprint of a question (to tell which questions a head was trained on)."""
    return int.from_bytes(hashlib.sha256(text.strip().encode("utf-8")).digest()[:8], "little")


# -- the head --------------------------------------------------------------------------------
@dataclass
class Head:
    """Weights of the head, its two calibrations and what it was trained on."""

    intents: tuple[str, ...]
    weights: np.ndarray                 # (dim, k)
    bias: np.ndarray                    # (k,)
    embedding_cal: np.ndarray           # (k, 2): P = sigmoid(a * z + c)
    stack: np.ndarray                   # (k, 3): P = sigmoid(u * z + v * raw + c)
    input_scale: float                  # embeddings (unit norm) are multiplied by this
    train_hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    meta: dict = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return int(self.weights.shape[0])

    def logits(self, embeddings: np.ndarray) -> np.ndarray:
        """Head logits ``(n, k)`` of unit-norm embeddings ``(n, dim)``."""
        e = np.atleast_2d(np.asarray(embeddings, dtype=np.float64))
        return (e * self.input_scale) @ self.weights + self.bias

    def embedding_probs(self, z: np.ndarray) -> np.ndarray:
        """Calibrated probabilities from head logits alone."""
        return sigmoid(z * self.embedding_cal[:, 0] + self.embedding_cal[:, 1])

    def hybrid_probs(self, z: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """The stacker: calibrated probabilities from head logits and keyword raw scores."""
        s = self.stack
        return sigmoid(z * s[:, 0] + raw * s[:, 1] + s[:, 2])

    def seen(self, texts: Sequence[str]) -> int:
        """How many of ``texts`` the head was trained on."""
        if not len(self.train_hashes):
            return 0
        hashes = np.array([text_hash(t) for t in texts], dtype=np.uint64)
        return int(np.isin(hashes, self.train_hashes).sum())

    # -- files ---------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        p = Path(path)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            with p.open("wb") as f:
                np.savez_compressed(
                    f,
                    format=np.array(HEAD_FORMAT),
                    intents=np.array(self.intents),
                    weights=self.weights.astype(np.float32),
                    bias=self.bias.astype(np.float32),
                    embedding_cal=self.embedding_cal.astype(np.float64),
                    stack=self.stack.astype(np.float64),
                    input_scale=np.array(self.input_scale),
                    train_hashes=np.asarray(self.train_hashes, dtype=np.uint64),
                    meta=np.array(json.dumps(self.meta, sort_keys=True)),
                )
        except OSError as exc:
            raise UserError(f"cannot write the routing head: {exc.strerror}", str(p)) from None
        return p

    @classmethod
    def load(cls, path: str | Path) -> Head:
        p = Path(path)
        try:
            with np.load(p, allow_pickle=False) as z:
                if int(z["format"]) != HEAD_FORMAT:
                    raise UserError(f"routing head format {int(z['format'])} is not supported "
                                    "(retrain it: triforce route train)", str(p))
                head = cls(
                    intents=tuple(str(s) for s in z["intents"]),
                    weights=z["weights"].astype(np.float64),
                    bias=z["bias"].astype(np.float64),
                    embedding_cal=z["embedding_cal"].astype(np.float64),
                    stack=z["stack"].astype(np.float64),
                    input_scale=float(z["input_scale"]),
                    train_hashes=z["train_hashes"].astype(np.uint64),
                    meta=json.loads(str(z["meta"])),
                )
        except FileNotFoundError:
            raise UserError("no such routing head", str(p)) from None
        except OSError as exc:
            raise UserError(f"cannot read the routing head: {exc.strerror or exc}", str(p)) from None
        except (KeyError, ValueError, TypeError, json.JSONDecodeError) as exc:
            raise UserError(f"not a routing head file ({exc})", str(p)) from None
        k = len(head.intents)
        if head.weights.shape[1:] != (k,) or head.bias.shape != (k,) \
                or head.embedding_cal.shape != (k, 2) or head.stack.shape != (k, 3):
            raise UserError("not a routing head file (inconsistent shapes)", str(p))
        return head


def train_head(embeddings: np.ndarray, targets: np.ndarray, raw: np.ndarray,
               first_intents: Sequence[str], intents: Sequence[str], *,
               folds: int = INNER_FOLDS, seed: int = SEED, lam: float = LAMBDA,
               ridge: float = RIDGE, texts: Sequence[str] = ()) -> Head:
    """Fit the head on all questions and its calibrations on cross-validated logits.

    ``embeddings`` (n, dim) unit-norm, ``targets`` (n, k) 0/1 (every intent a question
    carries), ``raw`` (n, k) the keyword router's raw scores, ``first_intents`` the
    first labelled intent of each question (to stratify the folds).
    """
    E = np.asarray(embeddings, dtype=np.float64)
    Y = np.asarray(targets, dtype=np.float64)
    R = np.asarray(raw, dtype=np.float64)
    scale = float(np.sqrt(E.shape[1]))
    X = E * scale
    oof = np.zeros_like(Y)
    for test in stratified_folds(first_intents, folds, seed):
        train = np.setdiff1d(np.arange(len(X)), test)
        W, b = fit_logistic(X[train], Y[train], lam)
        oof[test] = X[test] @ W + b
    cal = np.array([fit_calibrator(oof[:, j], Y[:, j], ridge) for j in range(Y.shape[1])])
    stack = np.array([fit_calibrator(np.stack([oof[:, j], R[:, j]], 1), Y[:, j], ridge)
                      for j in range(Y.shape[1])])
    W, b = fit_logistic(X, Y, lam)
    hashes = np.unique(np.array([text_hash(t) for t in texts], dtype=np.uint64))
    meta = {"trained_on": int(len(X)), "calibration_folds": folds, "seed": seed,
            "lambda": lam, "ridge": ridge, "embedding_model": "sentence-transformers/all-MiniLM-L6-v2",
            "method": "one-vs-rest logistic regression on all-MiniLM-L6-v2 embeddings; "
                      "Platt calibration and keyword stacker fitted on cross-validated logits"}
    return Head(tuple(intents), W, b, cal, stack, scale, hashes, meta)


__all__ = ["FOLDS", "INNER_FOLDS", "LAMBDA", "RIDGE", "SEED", "Head", "fit_calibrator",
           "fit_logistic", "minimize_lbfgs", "sigmoid", "stratified_folds", "text_hash",
           "train_head"]
