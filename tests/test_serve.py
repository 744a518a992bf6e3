"""Several app processes behind nginx: the configuration we ship, and a real cluster on a scratch database."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from maturity import serve
from maturity.serve import Cluster, ServeError, nginx_config, site_config

ROOT = Path(__file__).resolve().parent.parent
DEPLOYED = ROOT / "deploy" / "nginx" / "maturity.conf"


def nginx_or_skip() -> str:
    try:
        return serve.find_nginx()
    except ServeError as exc:
        pytest.skip(f"{exc} (.ci/install-system-packages.sh installs it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_deployed_nginx_site_is_what_serve_runs():
    assert DEPLOYED.read_text() == site_config([8511, 8512], "80"), (
        "deploy/nginx/maturity.conf drifted from maturity.serve.site_config; regenerate it with "
        "python -c \"from maturity.serve import site_config; print(site_config([8511, 8512], '80'), end='')\" > deploy/nginx/maturity.conf"
    )


def test_the_site_keeps_browsers_on_their_process_and_upgrades_websockets():
    text = site_config([8511, 8512, 8513])
    assert text.count("server 127.0.0.1:") == 3
    assert "hash $maturity_route consistent;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    # Streamlit refuses a websocket whose Origin does not match the Host it is given, port included.
    assert "proxy_set_header Host $http_host;" in text and "$host;" not in text


def test_nginx_accepts_both_configurations(tmp_path):
    nginx = nginx_or_skip()
    whole = tmp_path / "nginx.conf"
    whole.write_text(nginx_config([8511, 8512], "127.0.0.1:8599", tmp_path))
    # The deployed site, included in an http block the way Debian's nginx.conf includes conf.d/.
    wrapper = tmp_path / "deployed.conf"
    wrapper.write_text(f"pid {tmp_path}/d.pid;\nevents {{}}\nhttp {{\n    include {DEPLOYED};\n}}\n")
    for config in (whole, wrapper):
        check = subprocess.run(
            [nginx, "-t", "-p", str(tmp_path), "-c", str(config), "-e", "stderr"], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr


def test_a_cluster_refuses_what_cannot_work(monkeypatch, tmp_path):
    with pytest.raises(ServeError, match="1 or more"):
        Cluster(0, run_dir=tmp_path).start()
    with pytest.raises(ServeError, match="only one app process"):
        Cluster(2, proxy=False, run_dir=tmp_path).start()
    monkeypatch.setattr(serve.shutil, "which", lambda name: None)
    monkeypatch.setattr(serve, "NGINX_CANDIDATES", ())
    with pytest.raises(ServeError, match=r"nginx is not installed.*apt-get install nginx.*make run"):
        Cluster(2, run_dir=tmp_path).start()
    assert list(tmp_path.iterdir()) == [], "nothing was started"


def test_serve_says_what_is_wrong_with_its_options():
    done = subprocess.run([sys.executable, "-m", "maturity", "serve", "--workers", "0"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "--workers must be from 1 to 64" in done.stderr


def _get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers


def _routes(log: Path) -> dict[str, set[str]]:
    served: dict[str, set[str]] = {}
    for line in log.read_text().splitlines() if log.exists() else []:
        if m := re.search(r"upstream=(\S+) route=(\S+)", line):
            served.setdefault(m.group(2), set()).add(m.group(1))
    return served


@pytest.mark.server
def test_two_processes_behind_nginx_keep_each_browser_on_its_process_and_replace_one_that_dies(tmp_path, db_url):
    nginx_or_skip()
    said: list[str] = []
    cluster = Cluster(
        2,
        port=free_port(),
        host="127.0.0.1",
        first_worker_port=free_port(),
        run_dir=tmp_path / "serve",
        env={"MATURITY_DB_URL": db_url, "MATURITY_ADMIN_SECRET": "serve-secret"},
        say=said.append,
    )
    with cluster:
        status, headers = _get(cluster.url + "/")
        assert status == 200
        cookie = next(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") if c.startswith("maturity_route="))
        for _ in range(5):  # a browser that has its cookie keeps it, and keeps its process
            status, headers = _get(cluster.url + "/_stcore/health", cookie)
            assert status == 200 and not [c for c in headers.get_all("Set-Cookie") or [] if c.startswith("maturity_route=")]
        time.sleep(0.5)  # nginx writes its access log as requests end
        served = _routes(cluster.run_dir / "nginx-access.log")
        route = cookie.split("=", 1)[1]
        assert len(served[route]) == 1, f"one browser was served by several processes: {served[route]}"

        # Many browsers: both processes get some (about half each; 40 new browsers all on one would be 1 in 2**39).
        for _ in range(40):
            _get(cluster.url + "/_stcore/health")
        time.sleep(0.5)
        used = set().union(*_routes(cluster.run_dir / "nginx-access.log").values())
        assert used == {f"127.0.0.1:{w.port}" for w in cluster._workers}

        # A process dies: nginx sends its browsers to the other one at once, and serve starts it again.
        victim = cluster._workers[0].process
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        assert _get(cluster.url + "/_stcore/health", cookie)[0] == 200
        cluster.supervise(stop_after=2)
        assert said == [f"the app process on port {cluster._workers[0].port} stopped (exit code -9); restarting it"]
        deadline = time.monotonic() + 60
        while not serve.healthy(cluster._workers[0].url):
            assert time.monotonic() < deadline, "the restarted process never answered"
            time.sleep(0.3)
    assert all(w.process.poll() is not None for w in cluster._workers), "stopping the cluster stops every process"
