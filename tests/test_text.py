"""maturity/ui/text.py: a typed value is escaped for Markdown, and reads back exactly as it was typed.

The browser test (tests/browser/test_typed_text_browser.py) checks what Streamlit's own renderer
makes of it; tests/test_typed_text.py puts the values through every page.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from maturity.ui.text import INLINE_LIMIT, Md, code, link, md, plain, typed, typed_lines, unescape

# What people have typed into a nickname, a name or a note, and what it must never become.
HOSTILE = {
    "markdown link": "[Click me](https://evil.example/)",
    "emphasis": "**bold** _em_ ~~gone~~",
    "heading": "# Heading",
    "html": "<b>html</b><img src=x onerror=alert(1)>",
    "javascript": "javascript:alert(document.cookie)",
    "formula": '=HYPERLINK("http://x","y")',
    "formula prefixes": "+cmd|' /C calc'!A0 -2+3 @SUM(1)",
    "bare address": "www.evil.example and a@b.example",
    "streamlit directives": ":red[red] :material/home: $x^2$ :smile: x:blue[y] :red",
    "table": "| a | b |",
    "backslash": "C:\\path\\*",
}
# What no Markdown place may keep raw: the characters that open markup anywhere, a colon that opens a
# directive or a :shortcode:, and a mark that opens a heading, quote or list at the start of a line.
_MARKUP = re.compile(r"(?<!\\)([\[\]*_<>`|$&~]|:(?=[A-Za-z])|:[\w+/-]+:)|^[#+-] ")


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_typed_value_reads_back_as_typed_and_keeps_no_markup(value):
    escaped = typed(value)
    assert isinstance(escaped, Md)
    assert unescape(escaped) == value
    assert not _MARKUP.search(escaped.replace("\\\\", "  ")), escaped


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_md_escapes_every_value_and_keeps_its_own_markup(value):
    shown = md("**{name}** voted {level} on {day:%d %b %Y}", name=value, level=3.5, day=date(2026, 12, 7))
    assert shown.startswith("**") and "** voted 3.5 on 07 Dec 2026" in shown
    assert unescape(shown) == f"**{value}** voted 3.5 on 07 Dec 2026"


def test_bare_addresses_are_broken_where_gfm_would_link_them():
    # GFM finds http://, www. and e-mail links after escapes are read: a backslash does not stop them
    escaped = typed("see https://evil.example/ or WWW.evil.example or a@b.example")
    assert ":\u2060//" in escaped and "WWW\u2060." in escaped and "a\u2060@b" in escaped


def test_right_to_left_overrides_cannot_reorder_the_line():
    assert "\u202e" not in typed("abc\u202edef") and unescape(typed("abc\u202edef")) == "abcdef"
    assert all(ch not in plain("x\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069y") for ch in "\u202a\u202e\u2066\u2069")
    # a right-to-left name is isolated, so it reads correctly inside an English sentence and cannot reorder it
    assert typed("مريم") == "\u2068مريم\u2069"
    assert typed("Zoë") == "Zoë"


def test_a_long_value_is_cut_inline_and_kept_whole_as_lines():
    long = "[x](http://e.x/) " * 600
    cut = typed(long)
    assert len(unescape(cut)) == INLINE_LIMIT and unescape(cut).endswith("…")
    assert unescape(typed_lines(long)) == long.strip()
    assert typed("abc", limit=None) == "abc"


def test_lines_keep_their_breaks_and_never_become_code_or_headings():
    shown = typed_lines("first *one*\n    indented\n# not a heading\r\n\n- not a list")
    assert shown.split("  \n") == ["first \\*one\\*", "\u00a0" * 4 + "indented", "\\# not a heading", "", "\\- not a list"]
    assert typed_lines("1. one\n2) two\n---\n===") == "1\\. one  \n2\\) two  \n\\---  \n\\==="
    assert typed("3.5 #3 -2 +1") == "3.5 #3 -2 +1"  # no list, heading or underline: nothing to escape


def test_ordinary_text_goes_in_unchanged():
    # Streamlit puts a widget's label, as written, in its aria-label: a screen reader would read every backslash
    for text in ["If the data team could fix one thing, what should it be?", "Time: 10:30 (UTC), 50% done; isn't it?", "Zoë #3"]:
        assert typed(text) == text


def test_values_already_escaped_are_not_escaped_twice():
    inner = md("**{x}**", x="a_b")
    assert md("[{inner}]", inner=inner) == "[**a\\_b**]"
    assert Md(", ").join(["a*", inner]) == "a\\*, **a\\_b**"
    assert Md("x ") + "y*" == "x y\\*" and "y*" + Md(" x") == "y\\* x"
    assert typed(inner) is inner and typed_lines(inner) is inner


def test_a_value_inside_backticks_is_refused_and_code_shows_it_as_it_is():
    with pytest.raises(ValueError, match="code"):
        md("file `{name}`", name="a_b")
    assert code("smtp.example.org:25") == "` smtp.example.org:25 `"
    assert code("a`b") == "`` a`b ``"


def test_links_only_for_web_addresses_with_their_title_escaped():
    assert link("Guide (v2) *x*", "https://example.org/a_(b)?q=1") == "[Guide (v2) \\*x\\*](https://example.org/a_%28b%29?q=1)"
    assert link("x", "javascript:alert(1)") == "x"
    assert link("x", "data:text/html,<b>") == "x"
    assert link("x *y*", None) == "x \\*y\\*"
    assert link("http://a.example", "http://a.example") == "[http://a.example](http://a.example)"  # copied as it is


def test_plain_text_places_get_the_value_without_escapes():
    assert plain("  **bold**\n[x](y)  ") == "**bold** [x](y)"
