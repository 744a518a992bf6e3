"""Text people typed, wherever it is shown: what must go before it is drawn, in any medium.

Explicit bidirectional controls (embeddings, overrides and isolates: U+202A-U+202E, U+2066-U+2069)
make a renderer reverse or reorder the text after them: a nickname ending in U+202E ("right-to-left
override") turns the rest of a projector line around. A name has no use for them (right-to-left
scripts display correctly without), so they are dropped wherever typed text is shown: on pages
(maturity/ui/text.py), in the printable reports and in e-mails. Exports keep the value as stored.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: object) -> str:
    return BIDI_CONTROLS.sub("", "" if text is None else str(text))


def one_line(text: object) -> str:
    """A typed value for a place that has one line (an e-mail header, a list item): controls and line breaks gone."""
    return " ".join(without_bidi_controls(text).split())
