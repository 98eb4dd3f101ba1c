"""``triforce serve``: the assistant as an OpenAI- and Ollama-compatible HTTP server."""

from __future__ import annotations

import os
import signal
import sys

from triforce.errors import UserError

BACKENDS = ("embedded", "ollama", "openai")
KEY_ENV = "TRIFORCE_SERVE_API_KEY"


def register(sub) -> None:
    p = sub.add_parser(
        "serve", help="serve the assistant over HTTP (OpenAI- and Ollama-compatible)",
        description="Answer questions over HTTP. OpenAI: GET /v1/models, POST "
                    "/v1/chat/completions. Ollama: GET /api/tags, POST /api/chat, POST "
                    "/api/generate, POST /api/show, GET /api/version. Also POST /v1/route "
                    "(the router's decision), GET /metrics (Prometheus) and GET /health. "
                    "The model 'triforce' lets the router pick the expert; each expert id "
                    "(din, nayru, ...) is a model that forces that expert. Ctrl-C stops.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    p.add_argument("--api-key", metavar="KEY", default=None,
                   help=f"require 'Authorization: Bearer KEY' on every endpoint but /health "
                        f"(default: ${KEY_ENV}, else no key)")
    p.add_argument("--backend", choices=BACKENDS,
                   help="where the model runs (default: $TRIFORCE_BACKEND or embedded); "
                        "the fallback chain $TRIFORCE_FALLBACK (default: embedded) follows")
    p.add_argument("--max-tokens", type=int, default=None, metavar="N",
                   help="longest reply per model call; a request may ask for fewer "
                        "(default 256)")
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help="seconds per model call (default 120); a request still running "
                        "S + max(2, S/10) seconds after it came is stopped with an error")
    p.add_argument("--queue", type=int, default=None, metavar="N",
                   help="questions that may wait for the model while it answers another "
                        "(default 8); one more is refused at once with 503 and Retry-After")
    p.add_argument("--max-connections", type=int, default=None, metavar="N",
                   help="connections served at once (default 64); one more gets 503")
    p.set_defaults(func=cmd_serve)


def _orchestrator(args):
    from triforce.cli.ask import make_orchestrator

    orch = make_orchestrator(args)
    orch.router.route("warm up")   # load the router now (not recorded): fail at start
    return orch


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def cmd_serve(args) -> int:
    from triforce.server import Service, is_loopback, make_server
    from triforce.server.app import MAX_CONNECTIONS
    from triforce.server.service import MAX_QUEUE

    if not 0 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a port (0 to 65535)")
    key = args.api_key if args.api_key is not None else os.environ.get(KEY_ENV) or None
    if key is not None and not key.strip():
        raise UserError("--api-key is empty")
    queue = MAX_QUEUE if args.queue is None else args.queue
    conns = MAX_CONNECTIONS if args.max_connections is None else args.max_connections
    if queue < 0:
        raise UserError(f"--queue {queue} is negative")
    if conns < 1:
        raise UserError(f"--max-connections {conns} must be at least 1")
    service = Service(_orchestrator(args), api_key=key, max_queue=queue)
    try:
        server = make_server(service, args.host, args.port, max_connections=conns)
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: "
                        f"{exc.strerror or exc}") from None
    except (UnicodeError, ValueError) as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc}") from None
    err = sys.stderr
    if not is_loopback(args.host) and key is None:
        print(f"triforce: warning: listening on {args.host} without --api-key: anyone who "
              "can reach this machine can use it", file=err, flush=True)
    elif not is_loopback(args.host):
        print(f"triforce: warning: listening on {args.host} over plain HTTP: the API key "
              "crosses the network in clear text; serve it through a TLS reverse proxy "
              "(README, 'Serving')", file=err, flush=True)
    print(f"triforce: listening on {server.url} (backends: {', '.join(service.backends)}; "
          f"models: {', '.join(service.model_names())}"
          f"{'; API key required' if key else ''}); Ctrl-C stops", file=err, flush=True)
    try:
        previous = signal.signal(signal.SIGTERM, _stop)
    except ValueError:   # not the main thread: no signal handlers
        previous = None
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        service.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        print("triforce: server stopped", file=err, flush=True)
    return 0
