"""Numbers from query strings and form fields, read without surprises: ``str.isdigit`` accepts
"²" and "١", which ``int`` then refuses with a 500, so only ASCII digits count here."""
from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,12}")


def ascii_int(text: str | None) -> int | None:
    """The number ``text`` spells in ASCII digits (at most 12), else None."""
    return int(text) if text and _DIGITS.fullmatch(text) else None


def page_number(text: str | None, upper: int = 100_000) -> int:
    """A page number from 1 to ``upper``; anything else is page 1."""
    value = ascii_int(text)
    return value if value is not None and 0 < value < upper else 1
