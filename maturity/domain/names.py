"""How typed names and e-mail addresses are matched: one rule for every script, the same on SQLite and PostgreSQL.

The database never folds case itself (SQLite's lower() folds only ASCII, PostgreSQL's depends on the
server's locale). Python computes the key once, when a row is stored, and queries compare keys:

- **Names** (teams, data domains) match by `name_key`: Unicode compatibility normalisation (NFKC,
  so half-width ﾃﾞｰﾀ is データ and a full-width Ａ is A), then Unicode full case folding, then runs
  of whitespace become one space. So "Équipe", "ÉQUIPE" and "équipe" (typed as e + combining accent
  or not) are one team; Greek Σ, σ and final ς fold alike; German "Straße", "STRASSE" and "strasse"
  are one name (full case folding turns ß and ẞ into ss). Accents still count: "Equipe" is
  another name than "Équipe".
- **Turkish i:** the dotted capital İ folds to i, like I does, so "İzmir", "IZMIR" and "izmir"
  match. The dotless ı stays a letter of its own ("ılık" is not "ilik"), so an all-capitals
  Turkish "ILIK" matches "ilik", not "ılık": no rule without the text's language can tell.
- **E-mail addresses** are only lower-cased (after canonical NFC normalisation), not case-folded:
  "straße@…" and "strasse@…" are two mailboxes (and ß is its own letter in domain names too).
"""

from __future__ import annotations

import hashlib
import unicodedata

from maturity.domain.typed import without_bidi_controls

KEY_LENGTH = 255  # the key column's width; a longer key ends in a digest of itself (see name_key)
_DOT_ABOVE = "\u0307"


def name_key(text: object) -> str:
    """The key two names share when they are the same name written in another case, width or spacing."""
    visible = without_bidi_controls(text)  # an override character changes how a name looks, not which name it is
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    if _DOT_ABOVE in folded:
        folded = folded.replace("i" + _DOT_ABOVE, "i")  # İ folds to i + a combining dot; i already has its dot
    key = " ".join(folded.split())
    if len(key) > KEY_LENGTH:  # NFKC can lengthen text (one ligature becomes up to 18 letters)
        key = key[: KEY_LENGTH - 17] + "#" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return key


def email_key(text: object) -> str:
    """An e-mail address as it is stored and compared: trimmed, NFC, lower case."""
    return unicodedata.normalize("NFC", str(text or "").strip()).lower()


def clean_name(text: object) -> str:
    """A typed name as it is shown and stored: surrounding and repeated whitespace removed, nothing else changed."""
    return " ".join(str(text or "").split())
