"""Text a person typed is drawn as text: the one way a value from outside reaches a page.

Streamlit reads Markdown almost everywhere: st.markdown, captions, alerts, toasts, every widget
label, the options of radios, pills and segmented controls, tab names and tooltips. A nickname such
as ``[Click me](https://evil.example/)`` dropped into any of them becomes a live link on the
projector; ``**bold**`` shows bold; ``=HYPERLINK("http://x","y")`` is linkified by GFM's bare-URL
rule. So a page never builds Markdown with an f-string. It writes:

    st.caption(md("{team} · {held:%d %b %Y}", team=workshop.team_name, held=workshop.held_on))

`md` formats a template we wrote with values that are all escaped (numbers and dates too: escaping
is harmless on them), and returns `Md`, Markdown that is safe to draw and safe to put into another
`md` unchanged. `typed` is one value on its own, `typed_lines` keeps a note's line breaks, and
`plain` is for the places Streamlit shows as plain text (selectbox and multiselect options,
dataframe cells, st.text): there nothing is escaped, or a name would show backslashes.

Every value also loses the bidirectional control characters (U+202A-U+202E, U+2066-U+2069) that
would reverse the rest of a line ("right-to-left override"), and is wrapped in an isolate when it
holds right-to-left letters, so an Arabic or Hebrew name reads correctly inside an English sentence
and cannot reorder the sentence around it. A long value is cut with an ellipsis where the page asks.

tests/test_text.py checks the escaping; tests/test_typed_text.py puts hostile values through every
page; a static check there refuses an f-string, a concatenation or a join in any Markdown place.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from maturity.domain.typed import without_bidi_controls

# CommonMark lets a backslash escape any ASCII punctuation, and an escaped character is always literal.
# Only what can start markup is escaped, so ordinary text ("Is it right? (yes, mostly)") goes in unchanged:
# Streamlit also puts a widget's label, as written, in its aria-label, where a screen reader would read
# every backslash. Emphasis, code, strikethrough, links and images (their brackets), HTML and autolinks,
# entities, math and tables always; a colon only where it opens a :shortcode: or a :directive; a
# heading, list or underline mark only where it starts a line and is followed by a space.
_INLINE_CHARS = r"[\\`*_~\[\]<>&$|]"
# :name: (an emoji or :material/icon:) is read after escapes are: both colons and the slash are escaped;
# :name (a directive, such as :red[...], which swallows the name even without brackets) too.
_INLINE_MARKUP = re.compile(rf"{_INLINE_CHARS}|:[\w+/-]+:|:(?=[A-Za-z])")
_LINE_START_MARK = re.compile(r"^([ \t\u00a0]*)([#+-])(?=[ \t]|$)", re.MULTILINE)  # a heading or a list item
_LINE_START_NUMBER = re.compile(r"^([ \t\u00a0]*\d{1,9})([.)])(?=[ \t]|$)", re.MULTILINE)  # "1. " or "1) "
_UNDERLINE = re.compile(r"^([ \t\u00a0]*)([=-])(?=[=\- \t]*$)", re.MULTILINE)  # "===" or "---": a heading's underline
_FIRST_STRONG_ISOLATE, _POP_ISOLATE = "\u2068", "\u2069"
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_SPACES = re.compile(r"\s+")
_WORD_JOINER = "\u2060"
_AUTOLINK_SEAMS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
_LEADING = re.compile(r"^[ \t]+")

#: Longest value drawn inline (a name, a title in a sentence); longer ones end with "…".
INLINE_LIMIT = 300


class Md(str):
    """Markdown we wrote, with every outside value in it escaped: safe to draw, not escaped again."""

    __slots__ = ()

    def join(self, parts: Iterable[Any]) -> Md:  # type: ignore[override]
        return Md(str.join(self, (_markdown(part) for part in parts)))

    def __add__(self, other: Any) -> Md:
        return Md(str.__add__(self, _markdown(other)))

    def __radd__(self, other: Any) -> Md:
        return Md(str.__add__(_markdown(other), self))


def _clean(value: Any, limit: int | None) -> str:
    text = "" if value is None else str(value)
    text = without_bidi_controls(text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        text = _FIRST_STRONG_ISOLATE + text + _POP_ISOLATE
    return text


def _escaped(match: re.Match) -> str:
    found = match.group()
    if len(found) > 1:  # :shortcode:
        inner = re.sub(_INLINE_CHARS, lambda m: "\\" + m.group(), found[1:-1]).replace("/", "\\/")
        return f"\\:{inner}\\:"
    return "\\" + found


def _escape(text: str, *, seams: bool = True) -> str:
    # GFM's bare-URL and e-mail links are found in the text after escapes are read, so a backslash
    # cannot stop them: an invisible word joiner inside "://", "www." and before "@" does. (Inside a
    # link's own text GFM looks for none, so a link's title needs no seams.)
    if seams:
        text = _AUTOLINK_SEAMS.sub(_WORD_JOINER, text)
    text = _INLINE_MARKUP.sub(_escaped, text)
    text = _UNDERLINE.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    text = _LINE_START_MARK.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    return _LINE_START_NUMBER.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def plain(value: Any, *, limit: int | None = INLINE_LIMIT) -> str:
    """A typed value for a place Streamlit draws as plain text (selectbox options, dataframe cells)."""
    return _SPACES.sub(" ", _clean(value, limit)).strip()


def typed(value: Any, *, limit: int | None = INLINE_LIMIT) -> Md:
    """A typed value for any place Streamlit reads as Markdown, on one line: drawn exactly as typed."""
    if isinstance(value, Md):
        return value
    return Md(_escape(plain(value, limit=limit)))


def typed_lines(value: Any, *, limit: int | None = None) -> Md:
    """A typed note or comment that keeps its line breaks (as Markdown hard breaks), drawn as typed."""
    if isinstance(value, Md):
        return value
    lines = _LINE_BREAKS.split(_clean(value, limit))
    # leading spaces would start an indented code block: they are kept as no-break spaces
    kept = (_LEADING.sub(lambda m: "\u00a0" * len(m.group()), _escape(line.rstrip())) for line in lines)
    return Md("  \n".join(kept))


def _markdown(value: Any) -> str:
    return value if isinstance(value, Md) else typed(value)


class _Template(string.Formatter):
    # a value in a sentence is shown whole (a refusal from a service, a setting's problem); typed() alone cuts a name
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Md):
            return value if not format_spec else typed(format(str(value), format_spec), limit=None)
        return typed(format(value, format_spec) if format_spec else value, limit=None)


_TEMPLATE = _Template()
# Inside `code` a backslash is shown, not read: a value there would show its escapes.
_FIELD_IN_CODE = re.compile(r"`[^`]*\{[^`]*`")


def md(template: str, /, **values: Any) -> Md:
    """`template` is Markdown we wrote; each `{name}` in it is filled with `values[name]`, escaped.

    A value that is already `Md` (from `md`, `typed`, `typed_lines`) goes in as it is, so pieces
    compose; format specs work as in str.format (``{held:%d %b %Y}``, ``{share:.0%}``). A field
    inside backticks is refused: Markdown shows a code span's backslashes."""
    if _FIELD_IN_CODE.search(template):
        raise ValueError(f"a value inside `code` would show its escapes: {template!r}")
    return Md(_TEMPLATE.vformat(template, (), values))


def code(value: Any) -> Md:
    """A value (an address, a file name, a setting) as inline code: Markdown shows a code span as it is,
    so nothing is escaped; the fence is longer than any run of backticks inside."""
    text = plain(value, limit=None)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return Md(f"{fence} {text} {fence}" if text else "")


_LINK_SAFE = ":/?#@!$&'*+,;=%~-._[]"


def link(title: Any, url: str | None) -> Md:
    """A link whose title and address came from a content file: only http(s) and mailto addresses
    become links (never javascript: or data:); anything else is the title as text."""
    address = str(url or "").strip()
    if urlsplit(address).scheme.lower() not in ("http", "https", "mailto") or any(ch.isspace() for ch in address):
        return typed(title)
    return Md(f"[{_escape(plain(title), seams=False)}]({quote(address, safe=_LINK_SAFE)})")


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape(markdown: str) -> str:
    """What a reader sees of escaped text: the backslashes, word joiners and isolates taken out (for tests and logs)."""
    return _ESCAPED.sub(r"\1", markdown).replace(_WORD_JOINER, "").replace(_FIRST_STRONG_ISOLATE, "").replace(_POP_ISOLATE, "")
