"""Every service call checks who is asking: each public use case says what it needs.

`@requires(Permission.X, ...)` on a staff use case; `@token_access` on what a phone or a survey
respondent reaches with the code or link they were given; `@before_sign_in` on the sign-in
machinery itself. A test holds every public service function that touches the database to one of
the three.

The actor is ambient, as `current_user` is in Flask-Login: the command line and tests set it with
`acting_as(actor)`, and the app registers a provider that reads the signed-in person from the
browser session, so a button's callback, a fragment and a full page run all see the same person.
A call with nobody acting, or by someone whose role lacks the permission, raises `NotAllowed`
before anything is read or changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from maturity.domain.roles import Actor, Permission
from maturity.services.errors import ServiceError

P = ParamSpec("P")
R = TypeVar("R")

_acting: ContextVar[Actor | None] = ContextVar("maturity_actor", default=None)
_provider: Callable[[], Actor | None] | None = None


class NotAllowed(ServiceError):
    """The person asking may not do this; nothing was read or changed."""


def set_actor_provider(provider: Callable[[], Actor | None] | None) -> None:
    """The app's way of saying who is signed in for the current browser session (None: nobody)."""
    global _provider
    _provider = provider


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[Actor | None]:
    token = _acting.set(actor)
    try:
        yield actor
    finally:
        _acting.reset(token)


def current_actor() -> Actor | None:
    actor = _acting.get()
    if actor is None and _provider is not None:
        actor = _provider()
    return actor


def require(*permissions: Permission) -> Actor:
    """The acting person, when they hold any of `permissions`; NotAllowed otherwise."""
    actor = current_actor()
    if actor is None:
        raise NotAllowed(f"Sign in first: only signed-in people may {permissions[0].value}.")
    if not any(actor.can(p) for p in permissions):
        raise NotAllowed(
            f"{actor.label} is signed in as {actor.role.label}, who may not {permissions[0].value}. "
            "Ask an admin for another role if you need it."
        )
    return actor


def requires(*permissions: Permission) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The use case needs any one of `permissions` (an owner's own actions and a facilitator's are one use case)."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            require(*permissions)
            return fn(*args, **kwargs)

        checked.__permissions__ = permissions  # type: ignore[attr-defined]
        return checked

    return decorate


def token_access(fn: Callable[P, R]) -> Callable[P, R]:
    """Marks a use case reached with a workshop, participant or survey link: it checks that, not a role."""
    fn.__permissions__ = ()  # type: ignore[attr-defined]
    return fn


def before_sign_in(fn: Callable[P, R]) -> Callable[P, R]:
    """Marks the sign-in machinery (secrets, tokens, accounts at sign-in, migrations): it runs before anyone is known."""
    fn.__permissions__ = ()  # type: ignore[attr-defined]
    return fn


def actor_name(default: str = "") -> str:
    """Who to write in a history line: the acting person's name, or `default` when nobody is signed in."""
    actor = current_actor()
    return actor.name if actor is not None else default
