"""Server counters and the Prometheus text exposition of ``GET /metrics``.

The routing statistics come from the SQLite store (:func:`triforce.routing.stats.summary`),
so they cover every question ever routed on this machine (CLI and server alike); the
server counters cover this process since it started.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

#: Content type of the text exposition format.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def escape_label(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: dict[str, Any] | None) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{escape_label(v)}"' for k, v in labels.items()) + "}"


def _number(value: float | int) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if value != value:  # NaN
        return "NaN"
    return repr(float(value))


class Exposition:
    """Builds one exposition: each metric family once, with HELP and TYPE lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str,
               samples: Iterable[tuple[str, dict[str, Any] | None, float | int]]) -> None:
        """``samples`` are (suffix, labels, value); the suffix is "" or e.g. "_sum"."""
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")
        for suffix, labels, value in samples:
            self.lines.append(f"{name}{suffix}{_labels(labels)} {_number(value)}")

    def one(self, name: str, kind: str, help_text: str, value: float | int,
            labels: dict[str, Any] | None = None) -> None:
        self.family(name, kind, help_text, [("", labels, value)])

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


class ServerMetrics:
    """Thread-safe counters of this server process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: dict[tuple[str, str, str], int] = {}
        self.durations: dict[str, list[float]] = {}      # endpoint -> [sum, count]
        self.in_flight = 0
        self.answers: dict[str, int] = {}                # "true"/"false" -> count
        self.timeouts = 0
        self.refusals: dict[str, int] = {}               # why -> requests refused
        self.tokens = {"prompt": 0, "completion": 0}
        self.model_calls = 0

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1

    def end(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.in_flight -= 1
            key = (endpoint, method, str(status))
            self.requests[key] = self.requests.get(key, 0) + 1
            d = self.durations.setdefault(endpoint, [0.0, 0])
            d[0] += seconds
            d[1] += 1

    def answered(self, ok: bool, prompt_tokens: int, completion_tokens: int, calls: int) -> None:
        with self._lock:
            k = "true" if ok else "false"
            self.answers[k] = self.answers.get(k, 0) + 1
            self.tokens["prompt"] += prompt_tokens
            self.tokens["completion"] += completion_tokens
            self.model_calls += calls

    def timed_out(self) -> None:
        with self._lock:
            self.timeouts += 1

    def refused(self, why: str = "queue_full") -> None:
        """A request turned away before any work (``queue_full``, ``connections``,
        ``request_deadline``)."""
        with self._lock:
            self.refusals[why] = self.refusals.get(why, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "started": self.started, "requests": dict(self.requests),
                "durations": {k: list(v) for k, v in self.durations.items()},
                "in_flight": self.in_flight, "answers": dict(self.answers),
                "timeouts": self.timeouts, "tokens": dict(self.tokens),
                "refusals": dict(self.refusals),
                "model_calls": self.model_calls,
            }


def render(server: dict[str, Any], routing: dict[str, Any] | None,
           routing_error: str | None = None, version: str = "") -> str:
    """The whole exposition: server counters, then the routing statistics."""
    ex = Exposition()
    ex.one("triforce_build_info", "gauge", "Version of the triforce server.", 1,
           {"version": version})
    ex.one("triforce_server_start_time_seconds", "gauge",
           "Unix time the server started.", server["started"])
    ex.family("triforce_http_requests_total", "counter",
              "HTTP requests answered, by endpoint, method and status.",
              [("", {"endpoint": e, "method": m, "status": s}, n)
               for (e, m, s), n in sorted(server["requests"].items())])
    ex.one("triforce_http_requests_in_flight", "gauge",
           "HTTP requests being answered now (this scrape included).", server["in_flight"])
    dur = sorted(server["durations"].items())
    ex.family("triforce_http_request_duration_seconds", "summary",
              "Time to answer HTTP requests, by endpoint.",
              [s for e, (total, n) in dur
               for s in (("_sum", {"endpoint": e}, total), ("_count", {"endpoint": e}, n))])
    ex.family("triforce_answers_total", "counter",
              "Questions answered by the orchestrator, by whether every step succeeded.",
              [("", {"ok": k}, n) for k, n in sorted(server["answers"].items())])
    ex.one("triforce_request_timeouts_total", "counter",
           "Requests stopped because they ran past the time limit.", server["timeouts"])
    ex.family("triforce_requests_refused_total", "counter",
              "Requests turned away before any work: 503 because the question queue was "
              "full (queue_full) or every connection slot was taken (connections), or the "
              "connection closed because the request was not sent in time (request_deadline).",
              [("", {"reason": k}, n) for k, n in sorted(server.get("refusals", {}).items())])
    ex.one("triforce_model_calls_total", "counter", "Calls to a model backend.",
           server["model_calls"])
    ex.family("triforce_model_tokens_total", "counter", "Tokens the model read and wrote.",
              [("", {"kind": k}, n) for k, n in sorted(server["tokens"].items())])

    ex.one("triforce_routing_stats_up", "gauge",
           "1 when the routing statistics could be read.", 0 if routing is None else 1)
    if routing is None:
        if routing_error:
            ex.lines.append(f"# routing statistics unavailable: {routing_error}")
        return ex.text()
    ex.one("triforce_routing_corrupt_rows", "gauge",
           "Rows of the routing statistics store that could not be read (skipped).",
           routing["corrupt_rows"])
    total = routing["total_queries"]
    ex.one("triforce_routing_queries_total", "counter",
           "Questions routed (all recorded decisions).", total)
    ex.family("triforce_routing_expert_steps_total", "counter",
              "Plan steps given to each expert.",
              [("", {"expert": e}, n) for e, n in sorted(routing["experts"].items())])
    ex.family("triforce_routing_first_expert_total", "counter",
              "Questions whose plan starts with each expert.",
              [("", {"expert": e}, n) for e, n in sorted(routing["first_expert"].items())])
    ex.family("triforce_routing_mean_confidence", "gauge",
              "Mean calibrated confidence of the plan steps, by intent.",
              [("", {"intent": i}, c) for i, c in sorted(routing["mean_confidence"].items())])
    ex.one("triforce_routing_fallback_ratio", "gauge",
           "Share of questions that fell back to the general expert.", routing["fallback_rate"])
    ex.one("triforce_routing_multi_step_ratio", "gauge",
           "Share of questions planned with more than one step.", routing["multi_step_rate"])
    lat = routing["latency_ms"]
    ex.family("triforce_routing_latency_seconds", "summary", "Time the router took per question.",
              [("", {"quantile": "0.5"}, lat["p50"] / 1000),
               ("", {"quantile": "0.99"}, lat["p99"] / 1000),
               ("_sum", None, lat["mean"] * total / 1000),
               ("_count", None, total)])
    return ex.text()
