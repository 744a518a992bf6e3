"""Join codes people can read off a projector and type on a phone without mistakes."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: pairs that are easy to confuse across a room.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(typed: str) -> str:
    """Upper-case, without the spaces or dashes people add when they read a code aloud."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def looks_like_code(text: str) -> bool:
    return len(text) == LENGTH and all(ch in ALPHABET for ch in text)


def new_token() -> str:
    """An opaque participant token for the phone's URL: unguessable, no meaning."""
    return secrets.token_urlsafe(18)
