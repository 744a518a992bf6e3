"""`python -m maturity serve`: several app processes behind nginx."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from maturity.cli.database import _init


def add_parsers(commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="run several app processes behind nginx",
        description="Start WORKERS app processes on one database and nginx in front of them, with sticky sessions "
        "and websockets, and keep them running (an app process that stops is restarted). Ctrl+C stops everything.",
    )
    serve.add_argument("--workers", type=int, default=2, help="app processes, about one per core (default 2)")
    serve.add_argument("--port", type=int, default=8501, help="the port nginx listens on (default 8501)")
    serve.add_argument("--host", default="0.0.0.0", help="the address nginx listens on (default: every interface)")
    serve.add_argument(
        "--first-worker-port", type=int, default=8511, help="app processes listen on 127.0.0.1 from this port on (default 8511)"
    )
    serve.add_argument("--run-dir", type=Path, default=Path("data/serve"), help="logs and nginx's files (default data/serve)")
    serve.set_defaults(handler=_serve)


def _serve(args) -> int:
    import signal

    from maturity.serve import Cluster, ServeError

    def stop(*_):  # systemd and `kill` send SIGTERM: stop the app processes and nginx too, never orphan them
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)

    if args.workers < 1 or args.workers > 64:
        print("error: --workers must be from 1 to 64 (about one per core)", file=sys.stderr)
        return 1
    # once, before the processes start (they must not race to migrate); the address is where nginx listens
    host = "localhost" if args.host in ("0.0.0.0", "127.0.0.1", "::") else args.host
    _init(argparse.Namespace(demo="no", address=f"http://{host}:{args.port}"))
    cluster = Cluster(
        args.workers, port=args.port, host=args.host, first_worker_port=args.first_worker_port, run_dir=args.run_dir.resolve()
    )
    try:
        with cluster:
            print(
                f"maturity is serving on {cluster.url} with {args.workers} app process(es) on 127.0.0.1:"
                f"{args.first_worker_port}-{args.first_worker_port + args.workers - 1}; logs in {cluster.run_dir}. Ctrl+C stops it."
            )
            cluster.supervise()
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopped.")
    return 0
