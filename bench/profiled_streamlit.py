"""`streamlit run` with every script run under pyinstrument, for bench/phones.py --profile DIR.

Each run is profiled in its own script thread and filed by what caused it: a fragment's timer
("poll"), a button press ("click", e.g. a vote), or anything else ("full": joining, page loads).
When the server stops (SIGTERM; Streamlit then exits normally), one combined text profile per kind is written to PROFILE_DIR, with
the run count, so the cost per run can be read off next to the benchmark's CPU figures. SIGUSR1
forgets what was profiled so far, so a benchmark can leave its warm-up out.

Usage (what phones.py does): PROFILE_DIR=out python bench/profiled_streamlit.py run app.py --server.port ...
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from pathlib import Path

from pyinstrument import Profiler
from pyinstrument.session import Session
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.web import cli

OUT = Path(os.environ.get("PROFILE_DIR", "profiles"))
_sessions: dict[str, Session] = {}
_counts: dict[str, int] = {}
_lock = threading.Lock()
_original = ScriptRunner._run_script


def _kind(rerun_data) -> str:
    if rerun_data.is_auto_rerun:
        return "poll"
    states = rerun_data.widget_states.widgets if rerun_data.widget_states else []
    return "click" if any(w.WhichOneof("value") == "trigger_value" and w.trigger_value for w in states) else "full"


def _profiled(self, rerun_data) -> None:
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    try:
        _original(self, rerun_data)
    finally:
        session = profiler.stop()
        kind = _kind(rerun_data)
        with _lock:
            _counts[kind] = _counts.get(kind, 0) + 1
            _sessions[kind] = Session.combine(_sessions[kind], session) if kind in _sessions else session


def _by_function(session: Session, runs: int, top: int = 30) -> str:
    """Inclusive time per function over every run and thread (counted once per stack), in ms per run."""
    totals: dict[str, float] = {}
    on_stack: dict[str, int] = {}
    root = session.root_frame()
    todo = [(root, True)] if root is not None else []
    while todo:  # iteratively, entering and leaving frames: the stacks of a Streamlit run are deep
        frame, entering = todo.pop()
        name = f"{frame.function}  {frame.file_path_short}:{frame.line_no}"
        if not entering:
            on_stack[name] -= 1
            continue
        if not on_stack.get(name):
            totals[name] = totals.get(name, 0.0) + frame.time
        on_stack[name] = on_stack.get(name, 0) + 1
        todo.append((frame, False))
        todo.extend((child, True) for child in frame.children)
    rows = sorted(totals.items(), key=lambda item: -item[1])[:top]
    return "\n".join(f"{seconds * 1000 / runs:9.3f} ms/run  {name}" for name, seconds in rows)


def _write() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with _lock:
        for kind, session in _sessions.items():
            profiler = Profiler()
            profiler._last_session = session  # render a combined session (pyinstrument has no public setter)
            text = profiler.output_text(unicode=True, color=False, show_all=False, timeline=False)
            runs = _counts[kind]
            header = f"{runs} {kind} runs, {session.duration * 1000 / runs:.2f} ms of profiled wall time per run\n"
            (OUT / f"{kind}.txt").write_text(header + text)
            (OUT / f"{kind}-by-function.txt").write_text(header + _by_function(session, runs) + "\n")


def _reset(*_args) -> None:
    # SIGUSR1: forget what was profiled so far (start-up, imports, first loads), keep the steady state.
    with _lock:
        _sessions.clear()
        _counts.clear()


ScriptRunner._run_script = _profiled
atexit.register(_write)
signal.signal(signal.SIGUSR1, _reset)

if __name__ == "__main__":
    sys.argv[0] = "streamlit"
    cli.main()
