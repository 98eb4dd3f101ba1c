"""A load test of ``triforce serve`` on loopback: does /health stay fast while it is busy?

Starts a real server (embedded model), measures /health idle, then for ``--seconds``:
20 clients posting /v1/route in a loop, a few chats, a chat whose code loops for ever and
computes huge powers, hostile JSON bodies, and one client trickling a header line every few
seconds. Prints /health latency under load beside the idle figure (their ratio), the status
of every request, and when the trickling client was dropped.

Fails (exit 1) on any 500, a /health p99 of 100 ms or more, or a trickling client that is not
dropped by its deadline.

    python benchmarks/load_serve.py [--seconds 40] [--clients 20] [--chats 3] [--json PATH]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from triforce.server.app import REQUEST_DEADLINE  # noqa: E402

QUESTIONS = [
    "optimize this: lda #$00 : sta $10 : rts",
    "why does my HDMA flicker on the first frame?",
    "what does $2100 do",
    "write a routine that clears $7E2000-$7E2FFF",
    "who calls $0D8000?",
    "explain: rep #$20 : lda $10 : clc : adc #$0004 : sta $10 : sep #$20",
]
CHAT = "optimize this: lda #$00 : sta $10 : lda #$00 : sta $11 : rts"
PATHOLOGICAL = ("optimize this and explain it:\n```asm\norg $008000\n!n = 9**9999999\n"
                "x = 2**1024*2\nwhile 1\nlda #$00\nsta $10\nendwhile\n"
                "macro twice()\n%twice()\n%twice()\nendmacro\n%twice()\nrts\n```")
HOSTILE_BODIES = [
    b'{"question": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b'{"question": "x", "n": 1' + b"0" * 5000 + b"}",
    b'{"question": "\\ud800"}',
    b'{"messages": [{"role": "user", "content": "hi"}], "max_tokens": Infinity}',
]


def start_server(extra: list[str]) -> tuple[subprocess.Popen, int, Path]:
    log = Path(tempfile.mkstemp(prefix="triforce-load-", suffix=".log")[1])
    env = dict(os.environ, TRIFORCE_FALLBACK="embedded", PYTHONUNBUFFERED="1")
    env.pop("TRIFORCE_BACKEND", None)
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "triforce.cli.main", "serve", "--port",
                                 "0", *extra], stdout=subprocess.DEVNULL, stderr=err, env=env)
    end = time.monotonic() + 120
    while time.monotonic() < end:
        text = log.read_text("utf-8", "replace")
        if "listening on http://" in text:
            port = int(text.split("listening on http://", 1)[1].split(" ", 1)[0]
                       .rsplit(":", 1)[1])
            return proc, port, log
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the server did not start: {log.read_text('utf-8', 'replace')[-2000:]}")


def call(port: int, method: str, path: str, body: bytes | None = None,
         timeout: float = 120.0) -> tuple[int, float]:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body,
                     headers={"Content-Type": "application/json"} if body else {})
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.perf_counter() - t0
    except OSError:
        return 0, time.perf_counter() - t0      # 0: the connection failed
    finally:
        conn.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=REQUEST_DEADLINE + 10)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--chats", type=int, default=3)
    ap.add_argument("--json", default=str(REPO / "benchmarks" / "results" / "load_serve.json"))
    args = ap.parse_args()

    proc, port, log = start_server(["--max-tokens", "16", "--timeout", "90"])
    try:
        for _ in range(100):                              # up, and warm
            if call(port, "GET", "/health", timeout=5)[0] == 200:
                break
            time.sleep(0.1)
        idle = [call(port, "GET", "/health", timeout=5)[1] for _ in range(100)]

        stop = threading.Event()
        lock = threading.Lock()
        statuses: Counter = Counter()
        health: list[float] = []
        health_status: Counter = Counter()
        routes: list[float] = []
        chats: list[tuple[str, int, float]] = []
        trickle: dict[str, float | str] = {}

        def note(kind: str, status: int) -> None:
            with lock:
                statuses[f"{kind} {status}"] += 1

        def prober() -> None:
            while not stop.is_set():
                st, dt = call(port, "GET", "/health", timeout=10)
                with lock:
                    health.append(dt)
                    health_status[st] += 1
                note("health", st)
                time.sleep(0.05)

        def router(i: int) -> None:
            n = i
            while not stop.is_set():
                q = QUESTIONS[n % len(QUESTIONS)]
                n += 1
                st, dt = call(port, "POST", "/v1/route", json.dumps({"question": q}).encode())
                with lock:
                    routes.append(dt)
                note("route", st)

        def chat(kind: str, text: str) -> None:
            body = json.dumps({"model": "triforce", "messages": [
                {"role": "user", "content": text}]}).encode()
            st, dt = call(port, "POST", "/v1/chat/completions", body, timeout=300)
            with lock:
                chats.append((kind, st, dt))
            note(f"chat ({kind})", st)

        def hostile() -> None:
            for raw in HOSTILE_BODIES:
                for path in ("/v1/route", "/v1/chat/completions", "/api/chat"):
                    note("hostile body", call(port, "POST", path, raw)[0])

        def trickler() -> None:
            s = socket.create_connection(("127.0.0.1", port), timeout=120)
            t0 = time.monotonic()
            try:
                s.sendall(b"GET /health HTTP/1.1\r\nHost: load\r\n")
                i = 0
                s.settimeout(0.25)
                while not stop.is_set():
                    if i % 20 == 19:                     # a header line every 5 s
                        s.sendall(b"X-Trickle-%d: 1\r\n" % i)
                    i += 1
                    try:                                 # closed by the server yet?
                        if s.recv(1) == b"":
                            raise ConnectionResetError
                    except TimeoutError:
                        pass
                trickle["outcome"] = "still open at the end"
            except OSError:
                trickle["outcome"] = "dropped"
                trickle["after_s"] = round(time.monotonic() - t0, 2)
            finally:
                s.close()

        threads = [threading.Thread(target=prober, daemon=True),
                   threading.Thread(target=trickler, daemon=True),
                   threading.Thread(target=hostile, daemon=True),
                   threading.Thread(target=chat, args=("pathological", PATHOLOGICAL),
                                    daemon=True)]
        threads += [threading.Thread(target=router, args=(i,), daemon=True)
                    for i in range(args.clients)]
        threads += [threading.Thread(target=chat, args=("chat", CHAT), daemon=True)
                    for _ in range(args.chats)]
        t_start = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join(300)
        wall = time.monotonic() - t_start
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    server_log = log.read_text("utf-8", "replace")
    log.unlink(missing_ok=True)

    errors_500 = sum(n for k, n in statuses.items() if k.endswith(" 500"))
    p99, idle_p99 = pct(health, 99), pct(idle, 99)
    dropped = trickle.get("outcome") == "dropped" and \
        float(trickle.get("after_s", 1e9)) <= REQUEST_DEADLINE + 6
    result = {
        "seconds": round(wall, 1), "clients": args.clients, "chat_clients": args.chats,
        "health_idle_ms": {"p50": round(1000 * pct(idle, 50), 2),
                           "p99": round(1000 * idle_p99, 2)},
        "health_load_ms": {"p50": round(1000 * pct(health, 50), 2),
                           "p99": round(1000 * p99, 2), "max": round(1000 * max(health), 2),
                           "n": len(health)},
        "health_p99_ratio_load_to_idle": round(p99 / idle_p99, 2) if idle_p99 else None,
        "route_per_s": round(len(routes) / wall, 1),
        "route_ms": {"p50": round(1000 * pct(routes, 50), 1),
                     "p99": round(1000 * pct(routes, 99), 1)},
        "chats": [{"kind": k, "status": s, "seconds": round(t, 1)} for k, s, t in chats],
        "trickling_client": trickle, "request_deadline_s": REQUEST_DEADLINE,
        "statuses": dict(sorted(statuses.items())), "http_500": errors_500,
        "internal_errors_logged": server_log.count("internal error"),
    }
    print(json.dumps(result, indent=2))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    bad = []
    if errors_500 or result["internal_errors_logged"]:
        bad.append(f"{errors_500} replies were 500")
    if p99 >= 0.100:
        bad.append(f"/health p99 {1000 * p99:.1f} ms under load (limit 100 ms)")
    if not dropped:
        bad.append(f"the trickling client was not dropped at its deadline: {trickle}")
    for b in bad:
        print(f"FAIL: {b}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
