"""Several app processes on one database behind nginx: what `python -m maturity serve` (and `make serve`) runs.

One Streamlit process is bound to about one core, so a big room needs several. Every state change
already goes to the database, so the processes need nothing from each other; nginx spreads the
browsers over them and keeps each browser on its process (its websocket, and the QR images and
downloads that process holds in memory), by a cookie it sets on the first request.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from maturity.config import PROJECT_DIR

ROUTE_COOKIE = "maturity_route"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
START_TIMEOUT_S = 90
RESTARTS_PER_MINUTE = 3  # a worker that keeps dying is a problem to report, not to hide


class ServeError(RuntimeError):
    """The cluster could not start or keep running; the message says what to do."""


def find_nginx() -> str:
    found = shutil.which("nginx") or next((p for p in NGINX_CANDIDATES if os.access(p, os.X_OK)), None)
    if found is None:
        raise ServeError(
            "nginx is not installed. On Debian or Ubuntu: sudo apt-get install nginx "
            "(or run `make serve` as root, which installs it). One process needs no nginx: use `make run`."
        )
    return found


# --------------------------------------------------------------------------- nginx configuration


def site_config(worker_ports: list[int], listen: str = "8501") -> str:
    """The nginx `http`-level configuration: a sticky upstream of app processes and the proxy to it.

    deploy/nginx/maturity.conf is this text for two processes on 8511 and 8512 (a test keeps them equal).
    """
    servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in worker_ports)
    return f"""\
# maturity behind nginx: {len(worker_ports)} app process(es) on one database, sticky by a cookie.
# Written by maturity/serve.py (site_config): `python -m maturity serve` runs this same text, and
# deploy/nginx/maturity.conf is it for two processes. On a server: copy it to
# /etc/nginx/conf.d/maturity.conf, keep one `server` line per app process (deploy/systemd), and see
# deploy/README.md for HTTPS.

# A browser's first request has no route cookie: route it by its request id and give it that cookie,
# so its websocket, QR images and downloads all reach the process that holds its session.
map $cookie_{ROUTE_COOKIE} $maturity_route {{
    ""      $request_id;
    default $cookie_{ROUTE_COOKIE};
}}
map $cookie_{ROUTE_COOKIE} $maturity_set_route {{
    ""      "{ROUTE_COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax";
    default "";
}}
# Websockets ask for an upgrade; everything else keeps its upstream connection alive.
map $http_upgrade $maturity_connection {{
    default upgrade;
    ""      "";
}}

upstream maturity_app {{
    hash $maturity_route consistent;
{servers}
    keepalive 16;
}}

server {{
    listen {listen};
    # listen 443 ssl;  ssl_certificate /etc/ssl/maturity/fullchain.pem;  ssl_certificate_key /etc/ssl/maturity/privkey.pem;
    client_max_body_size 50m;  # CSV imports; Streamlit's own limit applies after this

    location / {{
        proxy_pass http://maturity_app;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $maturity_connection;
        # With the port: Streamlit accepts a websocket only when its Origin matches this Host.
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        # A phone may sit idle on its ballot for an hour; Streamlit pings the websocket meanwhile.
        proxy_read_timeout 1h;
        proxy_send_timeout 1h;
        proxy_buffering off;
        # A process that went away: its browsers move to another one and reload from the database.
        proxy_next_upstream error timeout http_502 http_503;
        add_header Set-Cookie $maturity_set_route always;
    }}
}}
"""


def nginx_config(worker_ports: list[int], listen: str, run_dir: Path) -> str:
    """A whole nginx.conf for a private nginx that keeps its files in `run_dir` and needs no root."""
    temp = "\n".join(f"    {kind}_temp_path {run_dir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    site = "\n".join(f"    {line}" if line else "" for line in site_config(worker_ports, listen).splitlines())
    return f"""\
worker_processes 1;
pid {run_dir / "nginx.pid"};
error_log {run_dir / "nginx-error.log"} warn;

events {{
    worker_connections 4096;
}}

http {{
    # Which app process served each request, by route cookie: where to look when one browser has trouble.
    log_format maturity '$remote_addr [$time_local] "$request" $status upstream=$upstream_addr route=$maturity_route';
    access_log {run_dir / "nginx-access.log"} maturity;
{temp}
{site}
}}
"""


# --------------------------------------------------------------------------- the processes


def worker_command(port: int, script: Path = PROJECT_DIR / "app.py", launcher: tuple[str, ...] = ()) -> list[str]:
    """`streamlit run` for one app process; `launcher` replaces `python -m streamlit` (the benchmark's profiler)."""
    return [
        *(launcher or (sys.executable, "-m", "streamlit")), "run", str(script),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


def healthy(base_url: str, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Worker:
    port: int
    log: Path
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """N app processes and, unless `proxy` is off (one process, for the benchmark), nginx in front of them."""

    workers: int
    port: int = 8501
    host: str = "0.0.0.0"
    first_worker_port: int = 8511
    run_dir: Path = PROJECT_DIR / "data" / "serve"
    proxy: bool = True
    env: dict[str, str] | None = None
    script: Path = PROJECT_DIR / "app.py"  # the benchmark serves its bare baseline page the same way
    launcher: tuple[str, ...] = ()
    stop_timeout: float = 10  # seconds a process gets to stop before it is killed
    say: Callable[[str], None] = print
    _workers: list[Worker] = field(default_factory=list)
    _nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def pids(self) -> list[int]:
        """Every process serving requests: the app processes, then nginx's master and workers."""
        pids = [w.process.pid for w in self._workers if w.process and w.process.poll() is None]
        if self._nginx is not None and self._nginx.poll() is None:
            pids.append(self._nginx.pid)
            pids.extend(_children(self._nginx.pid))
        return pids

    def worker_pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process and w.process.poll() is None]

    def start(self) -> Cluster:
        if self.workers < 1:
            raise ServeError("--workers must be 1 or more.")
        if not self.proxy and self.workers != 1:
            raise ServeError("Without nginx there can be only one app process.")
        nginx = find_nginx() if self.proxy else None
        self.run_dir.mkdir(parents=True, exist_ok=True)
        first = self.first_worker_port if self.proxy else self.port
        self._workers = [Worker(first + i, self.run_dir / f"worker-{first + i}.log") for i in range(self.workers)]
        try:
            for worker in self._workers:
                self._spawn(worker)
            for worker in self._workers:
                self._wait_healthy(worker)
            if nginx:
                self._start_nginx(nginx)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, worker: Worker) -> None:
        with worker.log.open("a") as out:
            worker.process = subprocess.Popen(
                worker_command(worker.port, self.script, self.launcher),
                cwd=PROJECT_DIR,  # .streamlit/config.toml, and a relative SQLite path, as with `make run`
                env={**os.environ, **(self.env or {})},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def _wait_healthy(self, worker: Worker) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not healthy(worker.url):
            if worker.process.poll() is not None:
                raise ServeError(f"the app process on port {worker.port} exited at start; see {worker.log}:\n{_tail(worker.log)}")
            if time.monotonic() > deadline:
                raise ServeError(
                    f"the app process on port {worker.port} did not answer within {START_TIMEOUT_S} s; see {worker.log}"
                )
            time.sleep(0.2)

    def _start_nginx(self, nginx: str) -> None:
        config = self.run_dir / "nginx.conf"
        listen = f"{self.host}:{self.port}" if self.host else str(self.port)
        config.write_text(nginx_config([w.port for w in self._workers], listen, self.run_dir))
        check = subprocess.run(
            [nginx, "-t", "-q", "-p", str(self.run_dir), "-c", str(config), "-e", "stderr"], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise ServeError(f"nginx refused its configuration ({config}):\n{check.stderr.strip()}")
        log = (self.run_dir / "nginx-error.log").open("a")
        self._nginx = subprocess.Popen(
            [nginx, "-p", str(self.run_dir), "-c", str(config), "-e", "stderr", "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while not healthy(self.url):
            if self._nginx.poll() is not None:
                raise ServeError(
                    f"nginx exited at start (is port {self.port} taken?); see {self.run_dir / 'nginx-error.log'}:\n"
                    + _tail(self.run_dir / "nginx-error.log")
                )
            if time.monotonic() > deadline:
                raise ServeError(f"nginx did not answer on {self.url} within 15 s")
            time.sleep(0.1)

    def supervise(self, *, stop_after: float | None = None) -> None:
        """Keep the cluster up: restart an app process that died (a few times a minute at most)."""
        until = time.monotonic() + stop_after if stop_after else None
        while until is None or time.monotonic() < until:
            time.sleep(1)
            if self._nginx is not None and self._nginx.poll() is not None:
                raise ServeError(f"nginx stopped (exit code {self._nginx.returncode}); see {self.run_dir / 'nginx-error.log'}")
            for worker in self._workers:
                if worker.process.poll() is None:
                    continue
                now = time.monotonic()
                worker.restarts = [t for t in worker.restarts if now - t < 60] + [now]
                if len(worker.restarts) > RESTARTS_PER_MINUTE:
                    raise ServeError(
                        f"the app process on port {worker.port} keeps stopping; see {worker.log}:\n{_tail(worker.log)}"
                    )
                self.say(f"the app process on port {worker.port} stopped (exit code {worker.process.returncode}); restarting it")
                self._spawn(worker)

    def stop(self) -> None:
        if self._nginx is not None and self._nginx.poll() is None:
            self._nginx.send_signal(signal.SIGQUIT)  # graceful: open websockets close, then it exits
        for worker in self._workers:
            if worker.process is not None and worker.process.poll() is None:
                worker.process.terminate()
        for process in [self._nginx, *(w.process for w in self._workers)]:
            if process is None:
                continue
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
