"""Routing statistics: every decision, persisted in SQLite in the user's data directory.

The directory is ``$TRIFORCE_DATA_DIR``, else ``$XDG_DATA_HOME/triforce``, else
``~/.local/share/triforce``; the database is ``routing.sqlite3`` there.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from triforce.errors import UserError
from triforce.routing.keyword import Decision

DB_NAME = "routing.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    plan TEXT NOT NULL,          -- JSON list of {expert, intent, confidence}
    fallback INTEGER NOT NULL,
    latency_s REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS steps (
    decision INTEGER NOT NULL REFERENCES decisions(id),
    position INTEGER NOT NULL,
    expert TEXT NOT NULL,
    intent TEXT NOT NULL,
    confidence REAL NOT NULL
);
"""
#: The rows :meth:`RoutingStats.record` writes (``d``: decisions, ``s``: their steps), as
#: opposed to what a damaged or hand-edited store may hold (text for numbers, infinities).
_VALID = """
WITH d AS (
    SELECT id, fallback, latency_s FROM decisions
    WHERE typeof(fallback) = 'integer' AND fallback IN (0, 1)
      AND typeof(latency_s) IN ('integer', 'real') AND latency_s >= 0 AND latency_s < 1e9
), s AS (
    SELECT decision, position, expert, intent, confidence FROM steps
    WHERE typeof(position) = 'integer' AND typeof(expert) = 'text' AND typeof(intent) = 'text'
      AND typeof(confidence) IN ('integer', 'real') AND confidence BETWEEN 0 AND 1
      AND decision IN (SELECT id FROM d)
)
"""


def data_dir() -> Path:
    """Where Triforce keeps its user data (not created here)."""
    env = os.environ.get("TRIFORCE_DATA_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "triforce"


class RoutingStats:
    """The statistics store at ``path`` (default: ``data_dir() / routing.sqlite3``)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / DB_NAME

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path)
            con.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise UserError(f"cannot open the routing statistics: {exc}", str(self.path)) from None
        return con

    def record(self, decision: Decision, latency_s: float) -> None:
        """Store one decision and how long routing it took."""
        plan = [s.to_dict() for s in decision.plan]
        con = self._connect()
        try:
            with con:
                cur = con.execute(
                    "INSERT INTO decisions (ts, plan, fallback, latency_s) VALUES (?, ?, ?, ?)",
                    (time.time(), json.dumps(plan), int(decision.fallback), float(latency_s)))
                con.executemany(
                    "INSERT INTO steps (decision, position, expert, intent, confidence) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(cur.lastrowid, i, s.expert, s.intent, s.confidence)
                     for i, s in enumerate(decision.plan)])
        except sqlite3.Error as exc:
            raise UserError(f"cannot write the routing statistics: {exc}", str(self.path)) from None
        finally:
            con.close()

    def summary(self) -> dict:
        """Totals, distribution over experts, mean confidence per intent, fallback rate, latency.

        Rows that do not hold what :meth:`record` writes (a corrupt store) are skipped and
        counted in ``corrupt_rows``.
        """
        if not self.path.exists():
            return _empty(self.path)
        con = self._connect()
        try:
            total, fallbacks = con.execute(
                _VALID + "SELECT COUNT(*), COALESCE(SUM(fallback), 0) FROM d").fetchone()
            corrupt = con.execute(
                _VALID + "SELECT (SELECT COUNT(*) FROM decisions) - (SELECT COUNT(*) FROM d) "
                "+ (SELECT COUNT(*) FROM steps) - (SELECT COUNT(*) FROM s)").fetchone()[0]
            if not total:
                return _empty(self.path) | {"corrupt_rows": corrupt}
            experts = dict(con.execute(
                _VALID + "SELECT expert, COUNT(*) FROM s GROUP BY expert ORDER BY COUNT(*) DESC"))
            first = dict(con.execute(
                _VALID + "SELECT expert, COUNT(*) FROM s WHERE position = 0 GROUP BY expert "
                "ORDER BY COUNT(*) DESC"))
            mean_conf = {intent: round(c, 4) for intent, c in con.execute(
                _VALID + "SELECT intent, AVG(confidence) FROM s GROUP BY intent ORDER BY intent")}
            lat = [r[0] for r in con.execute(_VALID + "SELECT latency_s FROM d ORDER BY latency_s")]
            multi = con.execute(
                _VALID + "SELECT COUNT(*) FROM (SELECT decision FROM s GROUP BY decision "
                "HAVING COUNT(*) > 1)").fetchone()[0]
        except sqlite3.Error as exc:
            raise UserError(f"cannot read the routing statistics: {exc}", str(self.path)) from None
        finally:
            con.close()
        return {
            "path": str(self.path),
            "total_queries": total,
            "experts": experts,
            "first_expert": first,
            "distribution": {e: round(n / total, 4) for e, n in first.items()},
            "mean_confidence": mean_conf,
            "fallback_rate": round(fallbacks / total, 4),
            "multi_step_rate": round(multi / total, 4),
            "latency_ms": {
                "mean": round(1000 * sum(lat) / len(lat), 4),
                "p50": round(1000 * percentile(lat, 50), 4),
                "p99": round(1000 * percentile(lat, 99), 4),
            },
            "corrupt_rows": corrupt,
        }


def _empty(path: Path) -> dict:
    return {"path": str(path), "total_queries": 0, "experts": {}, "first_expert": {},
            "distribution": {}, "mean_confidence": {}, "fallback_rate": 0.0,
            "multi_step_rate": 0.0,
            "latency_ms": {"mean": 0.0, "p50": 0.0, "p99": 0.0}, "corrupt_rows": 0}


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of already sorted values; 0 when empty."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def record(decision: Decision, latency_s: float, path: str | Path | None = None) -> None:
    """Record one decision in the default store (or the one at ``path``)."""
    RoutingStats(path).record(decision, latency_s)


def summary(path: str | Path | None = None) -> dict:
    """The summary of the default store (or the one at ``path``)."""
    return RoutingStats(path).summary()
