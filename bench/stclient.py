"""A browser tab spoken at the protocol level: Streamlit's own BackMsg/ForwardMsg protobufs over its websocket.

What a browser does and a load test needs, nothing else: open the page (a plain GET first, so a proxy's
sticky cookie is kept), send the rerun the frontend sends, keep the elements of the last run by their
delta path (dropping what a finished run did not send again), rerun each `run_every` fragment on its
own timer as the frontend does, click a button by sending its trigger in the widget states, and submit
a form with its text inputs. Used by bench/phones.py; no part of the app imports it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FULL_RUN_DONE = ForwardMsg.FINISHED_SUCCESSFULLY
FRAGMENT_RUN_DONE = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


class TabError(RuntimeError):
    """The server closed the tab, or the page never showed what was waited for."""


@dataclass
class Node:
    element: Element
    fragment_id: str
    run_id: str


@dataclass
class PollStats:
    sent: int = 0
    done: int = 0
    latencies_ms: list[float] = field(default_factory=list)


class Tab:
    """One browser tab on a Streamlit app (one Streamlit session)."""

    def __init__(self, base_url: str, *, page: str = "", query: str = "", cookies: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.page = page
        self.query = query
        self.cookies = dict(cookies or {})
        self.page_script_hash = ""
        self.nodes: dict[tuple[int, ...], Node] = {}
        self.polls = PollStats()
        self.runs_done = 0
        self.running = False  # a script run has started and not finished
        self.closed: str | None = None
        self.exceptions: list[str] = []  # exceptions the page showed
        self._run_id = ""
        self._run_fragments: tuple[str, ...] = ()
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._timers: dict[str, asyncio.Task] = {}
        self._poll_started: dict[str, list[float]] = {}
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ connecting

    async def open(self, *, timeout: float = 60) -> None:
        """GET the page (as a browser does), open the websocket, run the script once and wait for it."""
        await self._get_page()
        split = urlsplit(self.base_url)
        ws_url = f"{'wss' if split.scheme == 'https' else 'ws'}://{split.netloc}{split.path}/_stcore/stream"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        self._ws = await websockets.connect(
            ws_url,
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            ping_interval=None,
            open_timeout=timeout,
        )
        self._reader = asyncio.create_task(self._read())
        await self.rerun()
        await self.until(lambda: self.runs_done > 0, timeout=timeout, what="the first run of the page")

    async def _get_page(self) -> None:
        # A raw GET on asyncio streams: the page itself is not needed, only the cookies a proxy sets.
        split = urlsplit(self.base_url)
        host, _, port = split.netloc.partition(":")
        reader, writer = await asyncio.open_connection(host, int(port or 80))
        path = f"{split.path}/{self.page}" + (f"?{self.query}" if self.query else "")
        cookie = "".join(f"Cookie: {k}={v}\r\n" for k, v in self.cookies.items())
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {split.netloc}\r\n{cookie}Connection: close\r\n\r\n".encode())
        await writer.drain()
        head = (await reader.read(65536)).split(b"\r\n\r\n", 1)[0].decode("latin-1")
        writer.close()
        status = head.split(" ", 2)[1] if " " in head else "?"
        if status != "200":
            raise TabError(f"GET {path} answered {status}")
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                self.cookies[key] = rest.split(";", 1)[0]

    async def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    # ------------------------------------------------------------------ sending

    async def rerun(self, widgets: list[WidgetState] | None = None, *, fragment_id: str = "", auto: bool = False) -> None:
        """What the frontend sends: the query string, the page, the widget states, and the fragment to rerun."""
        if self.closed:
            raise TabError(self.closed)
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        # The frontend names the page by its hash once it knows it, by its URL path before.
        state.page_script_hash = self.page_script_hash
        state.page_name = "" if self.page_script_hash else self.page
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        if widgets:
            state.widget_states.widgets.extend(widgets)
        await self._ws.send(msg.SerializeToString())

    async def click(self, button: Element, *, form_values: dict[str, str] | None = None) -> None:
        """Press a button (or submit its form, with text inputs by widget id)."""
        node = self._node_of(button)
        trigger = WidgetState(id=button.button.id, trigger_value=True)
        values = [WidgetState(id=wid, string_value=text) for wid, text in (form_values or {}).items()]
        await self.rerun([*values, trigger], fragment_id=node.fragment_id if node else "")

    def _node_of(self, element: Element) -> Node | None:
        return next((n for n in self.nodes.values() if n.element is element), None)

    # ------------------------------------------------------------------ reading the page

    def elements(self, kind: str) -> list[Element]:
        """Elements of one type ("button", "markdown", "alert", "metric", ...) in page order."""
        return [self.nodes[p].element for p in sorted(self.nodes) if self.nodes[p].element.WhichOneof("type") == kind]

    def button(self, test: Callable[[str], bool]) -> Element | None:
        return next((b for b in self.elements("button") if test(b.button.label)), None)

    async def press(self, label: str, *, timeout: float = 60) -> float:
        """Wait until the page has finished running and shows the button, then press it; return when it was pressed."""
        try:
            await self.until(
                lambda: not self.running and self.button(lambda text: text == label) is not None, timeout=timeout, what=label
            )
        except TabError as exc:
            labels = [b.button.label for b in self.elements("button")]
            raise TabError(f"{exc}; running={self.running}, buttons {labels}, texts {self.texts()[:4]}") from None
        pressed = time.monotonic()
        await self.click(self.button(lambda text: text == label))
        return pressed

    def texts(self) -> list[str]:
        """Every text body on the page: markdown, alerts, captions, progress labels, metrics (label: value)."""
        out = []
        for path in sorted(self.nodes):
            el = self.nodes[path].element
            kind = el.WhichOneof("type")
            if kind == "markdown":
                out.append(el.markdown.body)
            elif kind == "alert":
                out.append(el.alert.body)
            elif kind == "progress":
                out.append(el.progress.text)
            elif kind == "metric":
                out.append(f"{el.metric.label}: {el.metric.body}")
        return out

    def has_text(self, needle: str) -> bool:
        return any(needle in text for text in self.texts())

    def widget_id(self, kind: str, label: str) -> str:
        for el in self.elements(kind):
            widget = getattr(el, kind)
            if widget.label == label:
                return widget.id
        raise TabError(f"no {kind} labelled {label!r} on the page")

    async def until(self, test: Callable[[], bool], *, timeout: float, what: str) -> float:
        """Wait until `test()` holds on the page; return the monotonic time it first did."""
        deadline = time.monotonic() + timeout
        while not test():
            if self.closed:
                raise TabError(f"{self.closed} (waiting for {what})")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TabError(f"timed out after {timeout:.0f} s waiting for {what}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                continue
        return time.monotonic()

    # ------------------------------------------------------------------ the reader

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
        except websockets.ConnectionClosed as exc:
            self.closed = f"the server closed the connection ({exc.rcvd.code if exc.rcvd else 'no code'})"
        except Exception as exc:  # noqa: BLE001 - surfaced through `closed` to whoever waits
            self.closed = f"the tab failed: {type(exc).__name__}: {exc}"
        finally:
            self.closed = self.closed or "the server closed the connection"
            for timer in self._timers.values():
                timer.cancel()
            self._changed.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta":
            delta = msg.delta
            which = delta.WhichOneof("type")
            path = tuple(msg.metadata.delta_path)
            if which == "new_element":
                self.nodes[path] = Node(delta.new_element, delta.fragment_id, self._run_id)
                if delta.new_element.WhichOneof("type") == "exception":  # the app failed, as a browser would show it
                    error = delta.new_element.exception
                    self.exceptions.append(f"{error.type}: {error.message}")
                self._changed.set()
        elif kind == "new_session":
            self.running = True
            self._run_id = msg.metadata.run.script_run_id
            self._run_fragments = tuple(msg.metadata.run.fragment_ids)
            if not self._run_fragments:  # a full run: the frontend drops every fragment timer
                for timer in self._timers.values():
                    timer.cancel()
                self._timers.clear()
        elif kind == "navigation":  # st.navigation names the page it ran; the frontend sends it back
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            fragment_id, interval = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
            if fragment_id not in self._timers:
                self._timers[fragment_id] = asyncio.create_task(self._poll(fragment_id, interval))
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                if timer := self._timers.pop(fragment_id, None):
                    timer.cancel()
        elif kind == "script_finished":
            self._finished(msg.script_finished)

    def _finished(self, status: int) -> None:
        # As in the browser, what a run did not send again disappears only when the run has finished.
        self.running = status == ForwardMsg.FINISHED_EARLY_FOR_RERUN  # another run follows at once
        if status == FULL_RUN_DONE:
            for stale in [p for p, n in self.nodes.items() if n.run_id != self._run_id]:
                del self.nodes[stale]
        elif status == FRAGMENT_RUN_DONE:
            fragments = set(self._run_fragments)
            for stale in [p for p, n in self.nodes.items() if n.fragment_id in fragments and n.run_id != self._run_id]:
                del self.nodes[stale]
            for fragment_id in fragments:
                started = self._poll_started.get(fragment_id)
                if started:
                    self.polls.done += 1
                    self.polls.latencies_ms.append((time.monotonic() - started.pop(0)) * 1000)
        self.runs_done += 1
        self._changed.set()

    async def _poll(self, fragment_id: str, interval: float) -> None:
        # The frontend's setInterval: it fires on time whether or not the last rerun has come back.
        try:
            while not self.closed:
                await asyncio.sleep(interval)
                self._poll_started.setdefault(fragment_id, []).append(time.monotonic())
                self.polls.sent += 1
                await self.rerun(fragment_id=fragment_id, auto=True)
        except (asyncio.CancelledError, TabError, websockets.ConnectionClosed):
            pass
