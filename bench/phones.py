"""Phones per app process, measured against the real server (`streamlit run app.py`), with a bare page beside it.

Each case starts the real app on a scratch database (or MATURITY_DB_URL) on 127.0.0.1, sets up a
workshop through the services, and opens N phone tabs with bench/stclient.py: Streamlit's own
BackMsg/ForwardMsg protobufs over its websocket, as the browser sends them. Every phone arrives
with the join link (?join=CODE), submits the join form, and then behaves as the phone page makes it:

  lockstep   phones poll the shared screen on the fragment timer the page sets. The facilitator's
             screen (a signed-in tab) is opened; for each of --rounds segments the screen presses
             Next (from the second on), every phone votes after a think time, a tenth change their
             mind, and the screen presses Reveal; the phones see the result on their next poll.
  selfpaced  every phone votes every segment of the ballot in turn, with a think time before each,
             while the screen shows ballots in per segment; then the screen presses Reveal and End
             workshop, and every phone must show each by itself (it follows the same shared snapshot
             as a lock-step phone, without redrawing its ballot until something changed).

Figures, per case: server CPU per poll, and per second, while N phones sit idle on their ballot
(from /proc, all server processes, over --idle seconds; self-paced with the screen open), against
the same N tabs on bench/bare_page.py (a page whose only work is a polling fragment) measured in
the same run; vote acknowledgement (button pressed -> that phone's button shows the vote chosen)
p50/p95; how long after a phone's acknowledgement the shared screen counts it (the k-th
acknowledged vote against the first time the screen shows k votes); a segment change, a reveal
and (self-paced) the end reaching every phone; join time; RSS of the server with N sessions; and
a check that every acknowledged vote is in the database with its last level.

With --workers N (N > 1, or --proxy) the case runs behind nginx exactly as `make serve` does
(maturity.serve.Cluster); the phones keep their route cookie. --profile DIR runs the app under
pyinstrument (bench/profiled_streamlit.py) and writes one combined profile per kind of run.

One line per case is machine-readable; the last line is the last case:

    phones=N mode=lockstep cpu_ms_per_poll=X bare_cpu_ms=X vote_ack_p95_ms=X screen_sees_vote_p95_ms=X rss_mb=X ...

Targets (issue 10): a lock-step poll <= 1.5x a bare fragment rerun; >= 150 lock-step and >= 300
self-paced phones per process with vote_ack_p95 <= 1 s; the screen shows a vote within 2 s p95;
300 idle sessions <= 300 MB.

Run: .venv/bin/python bench/phones.py [--phones 25,50,100,150,200,300] [--mode lockstep,selfpaced]
     [--workers 1] [--rounds 2] [--idle 15] [--join-rate 10] [--profile DIR] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import resource
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from maturity.config import PROJECT_DIR, builtin_sources, get_settings
from maturity.content.catalog import load_catalog
from maturity.serve import Cluster
from maturity.services import rounds
from maturity.services import workshops as ws
from maturity.services.access import facilitator_token
from maturity.storage.engine import dispose_engines, read_session
from maturity.storage.migrate import upgrade
from maturity.storage.tables import Participant, Round, Vote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stclient import Tab, TabError  # noqa: E402

MODEL_ID = "data-maturity"
SECRET = "bench-secret"
COOKIE = "maturity_facilitator"
VOTE_KEY = re.compile(r"-vote_(\d+)_(\w+)$")
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- measuring processes


def cpu_ms(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total * 1000 / CLOCK_TICK


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def own_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime) * 1000


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- one phone


@dataclass
class Phone:
    tab: Tab
    joined_ms: float = 0.0
    intended: dict[int, int | None] = field(default_factory=dict)  # round id -> the last level sent

    @property
    def token(self) -> str:
        return self.tab.query.removeprefix("p=")

    def ballot(self) -> dict[int, dict[str, object]]:
        """The vote buttons on the phone: round id -> {level key: button element}."""
        found: dict[int, dict[str, object]] = {}
        for button in self.tab.elements("button"):
            if match := VOTE_KEY.search(button.button.id):
                found.setdefault(int(match.group(1)), {})[match.group(2)] = button
        return found

    def shows_vote(self, round_id: int, key: str) -> bool:
        button = self.ballot().get(round_id, {}).get(key)
        return button is not None and button.button.type == "primary"

    async def vote(self, round_id: int, level: int | None, timeout: float) -> float:
        """Press a level; return the milliseconds until the phone shows it as this person's vote."""
        key = "dk" if level is None else str(level)
        button = self.ballot().get(round_id, {}).get(key)
        if button is None:
            raise TabError(f"no button {key} for round {round_id} on the phone")
        self.intended[round_id] = level
        started = time.monotonic()
        await self.tab.click(button)
        try:
            seen = await self.tab.until(lambda: self.shows_vote(round_id, key), timeout=timeout, what=f"the vote {key}")
        except TabError as exc:
            shown = {k: b.button.type for k, b in self.ballot().get(round_id, {}).items()}
            raise TabError(f"{exc} (round {round_id}; the phone shows {shown}, {self.tab.texts()[-1:]})") from None
        return (seen - started) * 1000


async def join(base_url: str, code: str, timeout: float) -> Phone:
    """Open the join link, submit the form, wait for the ballot (or the wait for the first vote)."""
    started = time.monotonic()
    tab = Tab(base_url, query=f"join={code}")
    await tab.open(timeout=timeout)
    submit = tab.button(lambda label: label == "Join")
    if submit is None:
        raise TabError(f"no Join button on the join page: {tab.texts()[:3]}")
    await tab.click(
        submit,
        form_values={tab.widget_id("text_input", "Join code"): code, tab.widget_id("text_input", "Your name (optional)"): ""},
    )
    phone = Phone(tab)
    await tab.until(
        lambda: tab.query.startswith("p=") and (phone.ballot() or tab.has_text("Waiting")), timeout=timeout, what="the ballot"
    )
    phone.joined_ms = (time.monotonic() - started) * 1000
    return phone


async def join_all(base_url: str, code: str, n: int, rate: float, timeout: float) -> list[Phone]:
    async def one(i: int) -> Phone:
        await asyncio.sleep(i / rate)
        return await join(base_url, code, timeout)

    return list(await asyncio.gather(*(one(i) for i in range(n))))


# --------------------------------------------------------------------------- the shared screen


class ScreenWatch:
    """Every count the shared screen shows, with the first time it showed it."""

    def __init__(self, tab: Tab, read) -> None:
        self.tab, self.read = tab, read
        self.first_seen: dict[tuple[str, int], float] = {}
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while not self.tab.closed:
            for name, count in self.read(self.tab).items():
                self.first_seen.setdefault((name, count), time.monotonic())
            self.tab._changed.clear()
            await self.tab._changed.wait()

    def stop(self) -> None:
        self._task.cancel()

    def latencies_ms(self, name: str, acks: list[float]) -> list[float]:
        """For the k-th acknowledged vote: when the screen first counted k votes, minus that acknowledgement."""
        out = []
        for k, acked in enumerate(sorted(acks), start=1):
            seen = min((t for (n, c), t in self.first_seen.items() if n == name and c >= k), default=None)
            out.append(float("inf") if seen is None else max(0.0, (seen - acked) * 1000))
        return out


def votes_in(tab: Tab) -> dict[str, int]:
    metric = next((m.metric for m in tab.elements("metric") if m.metric.label == "Votes in"), None)
    return {"votes": int(metric.body)} if metric is not None and metric.body.isdigit() else {}


PROGRESS = re.compile(r"^(.*): (\d+) of \d+$")


def ballots_in(tab: Tab) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for text in tab.texts() if (m := PROGRESS.match(text))}


# --------------------------------------------------------------------------- a case


@dataclass
class Figures:
    phones: int
    mode: str
    workers: int
    cpu_ms_per_poll: float = float("nan")
    cpu_ms_per_vote: float = float("nan")
    cpu_ms_per_join: float = float("nan")
    cpu_ms_per_redraw: float = float("nan")  # server CPU a phone while all redraw (for a new segment; self-paced: a reveal)
    idle_cpu_ms_per_s: float = float("nan")  # all server CPU per second while the phones sit idle
    bare_cpu_ms: float = float("nan")
    bare_rss_mb: float = float("nan")
    polls_per_s: float = float("nan")
    poll_p95_ms: float = float("nan")
    join_p95_ms: float = float("nan")
    vote_ack: list[float] = field(default_factory=list)
    screen_sees: list[float] = field(default_factory=list)
    segment_reach: list[float] = field(default_factory=list)
    reveal_reach: list[float] = field(default_factory=list)
    end_reach: list[float] = field(default_factory=list)  # self-paced: the screen ends the workshop -> the phone says so
    screen_applied: list[float] = field(default_factory=list)  # the screen's press -> its effect in the database
    rss_mb: float = float("nan")  # at the end, with the shared screen open
    idle_rss_mb: float = float("nan")  # lock-step: the phones alone, before the screen opened
    votes: int = 0
    lost: int = 0
    errors: list[str] = field(default_factory=list)
    client_cpu_pct: float = float("nan")

    def line(self) -> str:
        poll = (
            f"cpu_ms_per_poll={self.cpu_ms_per_poll:.2f}"
            if self.mode == "lockstep"
            else f"cpu_ms_per_vote={self.cpu_ms_per_vote:.2f}"
        )
        return (
            f"phones={self.phones} mode={self.mode} {poll} bare_cpu_ms={self.bare_cpu_ms:.2f} "
            f"vote_ack_p95_ms={pct(self.vote_ack, 95):.0f} screen_sees_vote_p95_ms={pct(self.screen_sees, 95):.0f} "
            f"rss_mb={self.rss_mb:.0f} workers={self.workers} votes={self.votes} lost={self.lost} errors={len(self.errors)}"
            + (
                f" idle_cpu_ms_per_s={self.idle_cpu_ms_per_s:.1f} reveal_p95_ms={pct(self.reveal_reach, 95):.0f}"
                f" end_p95_ms={pct(self.end_reach, 95):.0f}"
                if self.mode == "selfpaced"
                else ""
            )
        )


class Case:
    def __init__(self, args, mode: str, phones: int, workers: int, bare: dict[int, tuple[float, float]]) -> None:
        self.args, self.mode, self.n, self.workers = args, mode, phones, workers
        self.rng = random.Random(args.seed * 1000 + phones)
        self.fig = Figures(phones, mode, workers)
        self.fig.bare_cpu_ms, self.fig.bare_rss_mb = bare.get(phones, (float("nan"), float("nan")))

    def setup(self, url: str):
        upgrade(url)
        model = load_catalog(builtin_sources()).models[MODEL_ID]
        team = ws.get_or_create_team(url, "Bench team")
        segments = [s.id for s in model.segments][: self.args.rounds if self.mode == "lockstep" else self.args.segments]
        mode = "lock_step" if self.mode == "lockstep" else "self_paced"
        workshop = ws.create_workshop(url, team_id=team.id, model=model, segment_ids=segments, mode=mode)
        round_ids = [rounds.segment_rounds(url, workshop.id, s)[0].id for s in segments]
        names = [model.segment(s).name for s in segments]
        return model, workshop, round_ids, names

    async def run(self, cluster: Cluster, url: str) -> Figures:
        self.pids = cluster.pids
        model, workshop, round_ids, names = self.setup(url)
        settings = get_settings()
        base = cluster.url
        levels = list(model.level_values)
        started_cpu = own_cpu_ms()
        started = time.monotonic()
        screen = Tab(base, page="screen", query=f"w={workshop.id}", cookies={COOKIE: facilitator_token(url, settings)})
        phones: list[Phone] = []
        try:
            if self.mode == "selfpaced":
                await screen.open()
            cpu0 = cpu_ms(cluster.pids())
            phones = await join_all(base, workshop.join_code, self.n, self.args.join_rate, self.args.timeout)
            self.fig.cpu_ms_per_join = (cpu_ms(cluster.pids()) - cpu0) / self.n
            self.fig.join_p95_ms = pct([p.joined_ms for p in phones], 95)
            if self.mode == "lockstep":
                await self.idle(cluster, phones)
                await screen.open()
                await self.lockstep(url, screen, phones, round_ids, levels)
            else:
                await self.idle(cluster, phones)  # the screen is open: its own tally polls are in the figure
                await self.selfpaced(cluster, screen, phones, round_ids, names, levels)
            # With the shared screen open too (it loads the charting libraries): the memory a real room costs.
            self.fig.rss_mb = rss_mb(cluster.worker_pids())
        finally:
            for tab in [screen, *(p.tab for p in phones)]:
                await tab.close()
        self.fig.client_cpu_pct = (own_cpu_ms() - started_cpu) / ((time.monotonic() - started) * 10)
        self.fig.errors += [f"the page raised {text}" for tab in [screen, *(p.tab for p in phones)] for text in tab.exceptions]
        self.verify(url, phones, round_ids)
        return self.fig

    async def idle(self, cluster: Cluster, phones: list[Phone]) -> None:
        await asyncio.sleep(4)  # every phone past its first poll
        polls0, cpu0, t0 = sum(p.tab.polls.done for p in phones), cpu_ms(cluster.pids()), time.monotonic()
        first = [len(p.tab.polls.latencies_ms) for p in phones]
        await asyncio.sleep(self.args.idle)
        polls, cpu, seconds = sum(p.tab.polls.done for p in phones) - polls0, cpu_ms(cluster.pids()) - cpu0, time.monotonic() - t0
        self.fig.cpu_ms_per_poll = cpu / polls if polls else float("nan")
        self.fig.idle_cpu_ms_per_s = cpu / seconds
        self.fig.polls_per_s = polls / seconds
        self.fig.poll_p95_ms = pct([x for p, k in zip(phones, first, strict=True) for x in p.tab.polls.latencies_ms[k:]], 95)
        if self.mode == "lockstep":  # a self-paced screen is open by now: its memory is in the final figure
            self.fig.idle_rss_mb = rss_mb(cluster.worker_pids())

    async def lockstep(self, url: str, screen: Tab, phones: list[Phone], round_ids: list[int], levels: list[int]) -> None:
        for position, round_id in enumerate(round_ids):
            if position:
                cpu0 = cpu_ms(self.pids())
                pressed = await screen.press("Next")
                self.fig.screen_applied.append(await self.applied(url, round_id, "voting", pressed))
                self.fig.segment_reach += await self.reach(
                    phones, lambda p, r=round_id: r in p.ballot(), pressed, "the next segment"
                )
                # Every phone redraws its whole page once (and keeps polling meanwhile).
                self.fig.cpu_ms_per_redraw = (cpu_ms(self.pids()) - cpu0) / len(phones)
            watch = ScreenWatch(screen, votes_in)
            acks = await asyncio.gather(*(self.vote_once(p, round_id, levels) for p in phones))
            await asyncio.sleep(3)  # the screen's next polls
            watch.stop()
            self.fig.screen_sees += watch.latencies_ms("votes", [a for a in acks if a is not None])
            pressed = await screen.press("Reveal the votes")
            self.fig.screen_applied.append(await self.applied(url, round_id, "revealed", pressed))
            self.fig.reveal_reach += await self.reach(phones, lambda p: p.tab.has_text("The votes are in"), pressed, "the reveal")

    async def applied(self, url: str, round_id: int, status: str, since: float) -> float:
        """Milliseconds from the screen's press until the database holds its effect (the round's new status)."""
        while time.monotonic() - since < self.args.timeout:
            with read_session(url) as session:
                if session.get(Round, round_id).status == status:
                    return (time.monotonic() - since) * 1000
            await asyncio.sleep(0.05)
        return float("inf")

    async def vote_once(self, phone: Phone, round_id: int, levels: list[int]) -> float | None:
        """Think, vote, maybe change your mind; the acknowledgement time of the first vote."""
        low, high = self.args.think
        await asyncio.sleep(self.rng.uniform(low, high))
        try:
            first = self.rng.choice(levels)
            self.fig.vote_ack.append(await phone.vote(round_id, first, self.args.timeout))
            acked = time.monotonic()
            if self.rng.random() < 0.1:
                await asyncio.sleep(self.rng.uniform(1, 3))
                self.fig.vote_ack.append(await phone.vote(round_id, self.rng.choice([*levels, None]), self.args.timeout))
            return acked
        except TabError as exc:
            self.fig.errors.append(str(exc))
            return None

    async def reach(self, phones: list[Phone], test, since: float, what: str) -> list[float]:
        async def one(phone: Phone) -> float:
            try:
                return (await phone.tab.until(lambda: test(phone), timeout=self.args.timeout, what=what) - since) * 1000
            except TabError as exc:
                self.fig.errors.append(str(exc))
                return float("inf")

        return list(await asyncio.gather(*(one(p) for p in phones)))

    async def selfpaced(self, cluster, screen: Tab, phones: list[Phone], round_ids: list[int], names: list[str], levels) -> None:
        watch = ScreenWatch(screen, ballots_in)
        acks: dict[int, list[float]] = {r: [] for r in round_ids}
        low, high = self.args.think

        async def ballot(phone: Phone) -> None:
            await asyncio.sleep(self.rng.uniform(0, high))  # people start when they have read the first card
            for round_id in round_ids:
                await asyncio.sleep(self.rng.uniform(low, high))
                try:
                    self.fig.vote_ack.append(await phone.vote(round_id, self.rng.choice(levels), self.args.timeout))
                    acks[round_id].append(time.monotonic())
                except TabError as exc:
                    self.fig.errors.append(str(exc))
            if self.rng.random() < 0.1:  # a second thought about one segment, at the end
                try:
                    self.fig.vote_ack.append(await phone.vote(self.rng.choice(round_ids), None, self.args.timeout))
                except TabError as exc:
                    self.fig.errors.append(str(exc))

        cpu0 = cpu_ms(cluster.pids())
        await asyncio.gather(*(ballot(p) for p in phones))
        self.fig.cpu_ms_per_vote = (cpu_ms(cluster.pids()) - cpu0) / max(1, len(self.fig.vote_ack))
        await asyncio.sleep(4)
        watch.stop()
        for round_id, name in zip(round_ids, names, strict=True):
            self.fig.screen_sees += watch.latencies_ms(name, acks[round_id])
        # The facilitator walks through the reveals: nobody taps, every phone must show the first one, then the end.
        cpu0 = cpu_ms(self.pids())
        pressed = await screen.press("Reveal the votes")
        self.fig.reveal_reach += await self.reach(phones, lambda p: p.tab.has_text("The votes are in"), pressed, "the reveal")
        self.fig.cpu_ms_per_redraw = (cpu_ms(self.pids()) - cpu0) / len(phones)
        pressed = await screen.press("End workshop")
        self.fig.end_reach += await self.reach(phones, lambda p: p.tab.has_text("This workshop has ended"), pressed, "the end")

    def verify(self, url: str, phones: list[Phone], round_ids: list[int]) -> None:
        """Every vote a phone saw acknowledged is stored once, with the last level it sent."""
        with read_session(url) as session:
            rows = session.exec(
                select(Participant.token, Vote.round_id, Vote.level)
                .join(Vote, Vote.participant_id == Participant.id)
                .where(Vote.round_id.in_(round_ids))
            ).all()
        stored = {(token, round_id): level for token, round_id, level in rows}
        intended = {(p.token, r): level for p in phones for r, level in p.intended.items()}
        self.fig.votes = len(stored)
        self.fig.lost = sum(1 for key, level in intended.items() if stored.get(key, "missing") != level)
        dispose_engines()


# --------------------------------------------------------------------------- the bare baseline


async def bare_poll_cost(cluster: Cluster, n: int, idle: float, rate: float) -> tuple[float, float]:
    tabs = [Tab(cluster.url) for _ in range(n)]

    async def one(i: int, tab: Tab) -> None:
        await asyncio.sleep(i / rate)
        await tab.open()

    await asyncio.gather(*(one(i, t) for i, t in enumerate(tabs)))
    await asyncio.sleep(4)
    polls0, cpu0 = sum(t.polls.done for t in tabs), cpu_ms(cluster.pids())
    await asyncio.sleep(idle)
    cost = (cpu_ms(cluster.pids()) - cpu0) / max(1, sum(t.polls.done for t in tabs) - polls0)
    memory = rss_mb(cluster.worker_pids())
    for tab in tabs:
        await tab.close()
    return cost, memory


# --------------------------------------------------------------------------- the run


def cluster_for(args, workers: int, env: dict[str, str], run_dir: Path, script: Path | None = None) -> Cluster:
    proxy = workers > 1 or args.proxy
    launcher = (sys.executable, str(Path(__file__).with_name("profiled_streamlit.py"))) if args.profile and script is None else ()
    return Cluster(
        workers,
        port=free_port(),
        host="127.0.0.1",
        first_worker_port=free_port() if proxy else 0,
        run_dir=run_dir,
        proxy=proxy,
        env=env,
        script=script or PROJECT_DIR / "app.py",
        launcher=launcher,
        stop_timeout=120 if launcher else 10,  # the profiler writes its reports as the server stops
        say=lambda text: print(f"  [serve] {text}"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", default="25,50,100,150,200,300", help="phone counts, comma-separated")
    parser.add_argument("--mode", default="lockstep,selfpaced", help="lockstep, selfpaced or both")
    parser.add_argument("--workers", default="1", help="app processes, comma-separated (e.g. 1,2); behind nginx when > 1")
    parser.add_argument("--proxy", action="store_true", help="put nginx in front of a single process too")
    parser.add_argument("--rounds", type=int, default=2, help="lock-step: segments voted on")
    parser.add_argument("--segments", type=int, default=12, help="self-paced: segments on the ballot")
    parser.add_argument("--think", default="2,10", help="seconds of thought before a vote, as low,high (uniform)")
    parser.add_argument("--idle", type=float, default=15, help="seconds of idle polling measured (lock-step)")
    parser.add_argument("--join-rate", type=float, default=10, help="phones arriving per second")
    parser.add_argument("--timeout", type=float, default=60, help="seconds a phone waits for anything before it counts an error")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-page baseline")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="profile the app's script runs with pyinstrument into DIR")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.think = tuple(float(x) for x in args.think.split(","))
    counts = [int(x) for x in args.phones.split(",")]
    modes = [m.strip() for m in args.mode.split(",")]
    workers_list = [int(x) for x in args.workers.split(",")]
    if not set(modes) <= {"lockstep", "selfpaced"} or min(counts) < 1 or min(workers_list) < 1:
        parser.error("--mode takes lockstep and/or selfpaced; --phones and --workers need numbers >= 1")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 300 websockets and their GETs

    given_url = os.environ.get("MATURITY_DB_URL", "").strip()
    print(
        f"phones bench: {os.cpu_count()} core(s), Python {sys.version.split()[0]}, database "
        f"{'MATURITY_DB_URL' if given_url else 'a scratch SQLite file per case'}; think {args.think[0]:g}-{args.think[1]:g} s, "
        f"joins {args.join_rate:g}/s, idle window {args.idle:g} s"
    )
    lines = []
    with tempfile.TemporaryDirectory(prefix="phones-bench-") as tmp:
        for workers in workers_list:
            bare: dict[int, tuple[float, float]] = {}
            if not args.no_bare:
                with cluster_for(
                    args, workers, {}, Path(tmp) / f"bare-{workers}", Path(__file__).with_name("bare_page.py")
                ) as cluster:
                    for n in counts:
                        bare[n] = asyncio.run(bare_poll_cost(cluster, n, args.idle, args.join_rate))
                        print(
                            f"  bare page, {workers} process(es), {n} tabs: {bare[n][0]:.2f} ms CPU per poll, {bare[n][1]:.0f} MB"
                        )
            for mode in modes:
                for n in counts:
                    case_dir = Path(tmp) / f"{mode}-{n}-{workers}"
                    url = given_url or f"sqlite:///{case_dir / 'maturity.db'}"
                    case_dir.mkdir(parents=True)
                    upgrade(url)
                    env = {"MATURITY_DB_URL": url, "MATURITY_ADMIN_SECRET": SECRET, "MATURITY_AUTH": "on"}
                    if args.profile:
                        env["PROFILE_DIR"] = str(args.profile / f"{mode}-{n}-w{workers}")
                    os.environ.update({k: v for k, v in env.items() if k != "PROFILE_DIR"})
                    with cluster_for(args, workers, env, case_dir / "serve") as cluster:
                        fig = asyncio.run(Case(args, mode, n, workers, bare).run(cluster, url))
                    report(fig)
                    lines.append(fig.line())
                    print(fig.line(), flush=True)
    print("\nsummary")
    for line in lines:
        print(line)


def report(fig: Figures) -> None:
    def ms(values: list[float]) -> str:
        if not values:
            return "-"
        return f"p50 {pct(values, 50):.0f} / p95 {pct(values, 95):.0f} / max {max(values):.0f} ms"

    ratio = fig.cpu_ms_per_poll / fig.bare_cpu_ms if fig.bare_cpu_ms == fig.bare_cpu_ms and fig.bare_cpu_ms else float("nan")
    print(f"\n{fig.mode}, {fig.phones} phones, {fig.workers} app process(es):")
    print(
        f"  idle polling: {fig.cpu_ms_per_poll:.2f} ms CPU per poll ({ratio:.2f}x the bare page's {fig.bare_cpu_ms:.2f}), "
        f"{fig.polls_per_s:.0f} polls/s, poll round trip p95 {fig.poll_p95_ms:.0f} ms; "
        f"{fig.idle_cpu_ms_per_s:.1f} ms of server CPU a second" + (" with the screen open" if fig.mode == "selfpaced" else "")
    )
    if fig.mode == "selfpaced":
        print(f"  voting: {fig.cpu_ms_per_vote:.2f} ms CPU per vote (all server CPU while the ballots were filled in)")
    print(f"  join: {fig.cpu_ms_per_join:.1f} ms CPU per phone, join to ballot p95 {fig.join_p95_ms:.0f} ms")
    print(f"  vote acknowledged: {ms(fig.vote_ack)} ({len(fig.vote_ack)} votes)")
    print(f"  screen counts a vote: {ms(fig.screen_sees)} after the phone's acknowledgement")
    if fig.segment_reach:
        print(f"  next segment on every phone: {ms(fig.segment_reach)}; reveal on every phone: {ms(fig.reveal_reach)}")
        print(f"  the screen's press stored: {ms(fig.screen_applied)} (before any phone can see it)")
        print(
            f"  a phone's redraw for a new segment: {fig.cpu_ms_per_redraw:.1f} ms CPU (all server CPU until every phone had it)"
        )
    elif fig.reveal_reach:
        print(f"  reveal on every phone, untouched: {ms(fig.reveal_reach)}; the end: {ms(fig.end_reach)}")
        print(f"  a phone's redraw for the reveal: {fig.cpu_ms_per_redraw:.1f} ms CPU (all server CPU until every phone had it)")
    print(
        f"  memory: {fig.rss_mb:.0f} MB RSS with {fig.phones} phones and the screen"
        + (f" ({fig.idle_rss_mb:.0f} MB for the phones alone)" if fig.idle_rss_mb == fig.idle_rss_mb else "")
        + f" (bare page: {fig.bare_rss_mb:.0f} MB); "
        f"stored {fig.votes} votes, lost {fig.lost}; client used {fig.client_cpu_pct:.0f}% of a core"
    )
    for error in sorted(set(fig.errors))[:5]:
        print(f"  error ({fig.errors.count(error)}x): {error}")


if __name__ == "__main__":
    from maturity.domain.roles import COMMAND_LINE
    from maturity.services.authz import acting_as

    with acting_as(COMMAND_LINE):  # the benchmark sets up its data as the command line does
        main()
