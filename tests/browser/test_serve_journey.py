"""`make serve WORKERS=2` in a real browser: a workshop through nginx, phones on both app processes, one of them dying.

The facilitator and the phones only ever talk to nginx. Which process served a phone is read from
nginx's access log by the phone's route cookie. The votes of phones on either process meet on the
shared screen because both processes share the database; a phone whose process is killed mid-workshop
reconnects through nginx to the other one and carries on from the database.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from maturity.serve import ServeError, find_nginx
from tests import databases

from .conftest import ADMIN_SECRET, APP_TIMEOUT_MS, REPO_ROOT, _free_port, wait_for_app_idle
from .helpers import button, main_area, metric
from .test_workshop_journeys import PHONE_POLL_TIMEOUT_MS, TALLY_TIMEOUT_MS, join, start_workshop, vote

pytestmark = [pytest.mark.browser, pytest.mark.server]
pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed; see .ci/install-system-packages.sh")
expect = pw.expect

START_TIMEOUT_S = 120


@dataclass
class Served:
    url: str
    run_dir: Path
    log: Path
    worker_ports: tuple[int, int]

    def routes(self) -> dict[str, str]:
        """route cookie -> the app process (127.0.0.1:port) nginx sent it to."""
        access = self.run_dir / "nginx-access.log"
        text = access.read_text() if access.exists() else ""
        return {m.group(2): m.group(1) for m in re.finditer(r"upstream=(127\.0\.0\.1:\d+)\S* route=(\S+)", text)}

    def worker_of(self, page) -> int:
        route = next(c["value"] for c in page.context.cookies() if c["name"] == "maturity_route")
        deadline = time.monotonic() + 10
        while route not in self.routes():  # nginx writes a request's line when it ends
            assert time.monotonic() < deadline, f"nginx logged no request with the route {route}"
            time.sleep(0.2)
        return int(self.routes()[route].rsplit(":", 1)[1])


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _pid_on(port: int) -> int:
    """The app process listening on `port` (its command line says so)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (
            b"streamlit" in b" ".join(args)
            and b"--server.port" in args
            and args[args.index(b"--server.port") + 1] == str(port).encode()
        ):
            return int(entry.name)
    raise AssertionError(f"no app process on port {port}")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    try:
        find_nginx()
    except ServeError as exc:
        pytest.skip(str(exc))
    workdir = tmp_path_factory.mktemp("serve")
    port, first = _free_port(), _free_port()
    database = databases.fresh_url(workdir)  # SQLite by default; PostgreSQL when the suite runs on it
    env = {**os.environ, "MATURITY_DB_URL": database, "MATURITY_ADMIN_SECRET": ADMIN_SECRET}
    for name in ("MATURITY_CONTENT_DIR", "MATURITY_AUTH", "MATURITY_PUBLIC_URL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    log = workdir / "make-serve.log"
    command = [
        "make",
        "--no-print-directory",
        "serve",
        "WORKERS=2",
        f"PORT={port}",
        f"WORKER_PORT={first}",
        f"SERVE_DIR={workdir / 'run'}",
    ]
    with log.open("w") as out:
        make = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _up(url):
            if make.poll() is not None:
                pytest.fail(f"make serve exited with {make.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"make serve did not answer on {url} within {START_TIMEOUT_S} s:\n{log.read_text()}")
            time.sleep(0.5)
        yield Served(url, workdir / "run", log, (first, first + 1))
    finally:
        os.killpg(make.pid, signal.SIGTERM)  # serve stops its app processes and nginx on SIGTERM
        try:
            make.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
        databases.release(database)


def test_a_workshop_through_nginx_on_two_processes_survives_losing_one(browser, served, artifacts):
    facilitator = browser.new_context(viewport={"width": 1280, "height": 900})
    facilitator.set_default_timeout(APP_TIMEOUT_MS)
    page = facilitator.new_page()
    contexts = [facilitator]
    try:
        started = start_workshop(page, served.url, team="Two-process team", mode="Lock-step")
        assert f"{served.url}/?join=" in page.get_by_test_id("stSidebar").inner_text(), "join links carry nginx's address"

        # Phones arrive until both processes hold some (each new browser lands on either, by its cookie).
        phones, workers = [], []
        while len(set(workers)) < 2:
            assert len(phones) < 8, f"eight phones, all on one process: {workers}"
            context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
            context.set_default_timeout(APP_TIMEOUT_MS)
            contexts.append(context)
            phone = context.new_page()
            join(phone, served.url, started, f"P{len(phones) + 1}")
            phones.append(phone)
            workers.append(served.worker_of(phone))
        assert set(workers) == set(served.worker_ports)

        for phone in phones:
            vote(phone, 3)
        # One database: the screen, on whichever process, counts the votes sent through both.
        expect(metric(page, "Votes in")).to_have_text(str(len(phones)), timeout=TALLY_TIMEOUT_MS)

        # The process of the first phone dies. Its browsers reconnect through nginx to the other process,
        # which knows them from the URL and the database: the phone still shows its vote and can change it.
        victim = workers[0]
        os.kill(_pid_on(victim), signal.SIGKILL)
        moved = phones[0]
        expect(main_area(moved).get_by_test_id("stAlertContentSuccess")).to_contain_text(
            "Your vote: 3 · Proactive", timeout=30_000
        )
        wait_for_app_idle(moved)
        vote(moved, 1)
        wait_for_app_idle(page)
        expect(metric(page, "Votes in")).to_have_text(str(len(phones)), timeout=TALLY_TIMEOUT_MS)
        button(main_area(page), "Reveal the votes").click()
        wait_for_app_idle(page)
        expect(metric(page, "Lowest")).to_have_text("1")
        for phone in phones:
            expect(main_area(phone).get_by_text("The votes are in")).to_be_visible(timeout=PHONE_POLL_TIMEOUT_MS)
        moved.screenshot(path=artifacts / "serve-phone-after-its-process-died.png")

        # And serve has started the lost process again.
        deadline = time.monotonic() + 60
        while not _up(f"http://127.0.0.1:{victim}"):
            assert time.monotonic() < deadline, f"the process on {victim} was not restarted:\n{served.log.read_text()}"
            time.sleep(0.5)
        assert f"the app process on port {victim} stopped" in served.log.read_text()
    finally:
        for context in contexts:
            context.close()
