"""The name an upload is kept under: its own base name, or a refusal. Never a path."""
from __future__ import annotations

import unicodedata

from ..errors import InvalidInput

MAX_NAME_BYTES = 255  # what every file system and S3 key segment takes
# bidirectional overrides turn "gpj.exe" into a name that reads "exe.jpg"
_BIDI = {"\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
         "\u2066", "\u2067", "\u2068", "\u2069"}


def _refuse(why: str) -> InvalidInput:
    return InvalidInput(f"the file name {why}", fields={"file": [f"the file name {why}"]})


def clean_name(name: str | None) -> str:
    """``name`` with surrounding blanks trimmed, or InvalidInput naming ``file`` when it holds a
    path (``/``, ``\\``, a drive colon, ``.``/``..``), control or bidi-override characters, or
    is empty or longer than 255 bytes. We refuse rather than trim such names: a client that
    sends ``../../etc/passwd`` is not one whose other input we want to guess at."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise _refuse("is missing")
    if any(c in name for c in "/\\:") or name in (".", ".."):
        raise _refuse("must not contain a path (/, \\ or :)")
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI for c in name):
        raise _refuse("must not contain control characters")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise _refuse(f"is longer than {MAX_NAME_BYTES} bytes")
    return name
