"""Wrong join codes from one client slow that client down, and nobody else.

A join code is 6 characters from 25 (about 244 million codes), which is enough only while guessing stays slow.
Each client (one browser session, and separately the address it connects from, when the server knows it) may
get a few codes wrong for free; after that each wrong code locks it out for twice as long as the one before, up to
five minutes. While locked out its codes are refused without being looked at, so a right code then does not
join either; once the lockout is over it does. The first lockout of a burst is logged as a warning.

The address has a much larger allowance than the session, and its lockout holds back only sessions that have
themselves got a code wrong: everyone in a room behind one office network shares the address, and neither their
typos nor one participant guessing on purpose may lock the room out. It is there for a client that starts a new
session for every few guesses: each new session gets one try, then waits with the address (at most a minute). The records live in this process, bounded (see maturity.domain.throttle); with several app processes
each keeps its own, which multiplies a guesser's allowance by their number, not more.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from maturity.domain.throttle import FailureThrottle, Policy
from maturity.services.errors import ServiceError

log = logging.getLogger(__name__)

SESSION_POLICY = Policy(free=5, first_lock_s=2, max_lock_s=300, forget_s=15 * 60)
ADDRESS_POLICY = Policy(free=50, first_lock_s=2, max_lock_s=60, forget_s=15 * 60)


class TooManyWrongCodes(ServiceError):
    """This client got too many join codes wrong lately; it may try again in `retry_after_s` seconds."""

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Client:
    """Who is typing a join code, as far as the server can tell: one browser session, and its address if known."""

    session: str
    address: str | None = None


class JoinGuard:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.sessions = FailureThrottle(SESSION_POLICY)
        self.addresses = FailureThrottle(ADDRESS_POLICY)

    def check(self, client: Client) -> None:
        """Raise TooManyWrongCodes while this client is locked out."""
        now = self.clock()
        wait = self.sessions.locked_for(client.session, now)
        if wait > 0:
            raise TooManyWrongCodes(f"Too many wrong codes from this device; try again in {_seconds(wait)}.", wait)
        if client.address and self.sessions.failures(client.session, now):  # a session with no wrong code of its own
            wait = self.addresses.locked_for(client.address, now)  # is never held back by its neighbours
            if wait > 0:
                raise TooManyWrongCodes(f"Too many wrong codes from this network; try again in {_seconds(wait)}.", wait)

    def failed(self, client: Client) -> None:
        """Count a wrong code from this client; warn when it is first locked out."""
        now = self.clock()
        failure = self.sessions.failed(client.session, now)
        if failure.burst_began:
            log.warning(
                "join codes: %d wrong in a row from session %s (address %s); each further one locks it out for longer",
                failure.failures, client.session[:8], client.address or "unknown",
            )  # fmt: skip
        if client.address:
            failure = self.addresses.failed(client.address, now)
            if failure.burst_began:
                log.warning(
                    "join codes: %d wrong from address %s within %d minutes, across sessions; each further one locks it out for longer",
                    failure.failures, client.address, ADDRESS_POLICY.forget_s // 60,
                )  # fmt: skip

    def succeeded(self, client: Client) -> None:
        """A right code: the session starts again from nothing (the address keeps its count, so a known code cannot wipe it)."""
        self.sessions.succeeded(client.session)


def _seconds(wait: float) -> str:
    whole = max(1, math.ceil(wait))
    return "1 second" if whole == 1 else f"{whole} seconds"


JOIN_GUARD = JoinGuard()
