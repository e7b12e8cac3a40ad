"""Refusing PDFs that can do something when opened: scripts, launched programs, embedded files.

Two independent looks, and either one refuses: pypdf reads every object the file's
cross-reference tables name (compressed object streams included), and a scan of the raw
bytes outside stream data finds the same names even in a file too broken for a reader to
index. A file pypdf cannot read at all is refused too: what we cannot read we cannot vouch
for, and a viewer may read it more leniently than we did."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from ..errors import InvalidInput

_KEYS = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF", "/AA"}
_VALUES = {"/JavaScript", "/Launch", "/EmbeddedFile"}  # as an action's /S or an object's /Type
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")  # /J#61vaScript is /JavaScript


def _refuse(why: str) -> InvalidInput:
    return InvalidInput(f"this PDF {why}", fields={"file": [f"this PDF {why}"]})


def _outside_streams(data: bytes) -> bytes:
    """The bytes between stream bodies (object dictionaries, trailers); linear in the size."""
    out, pos = [], 0
    while (start := data.find(b"stream", pos)) != -1:
        after = start + len(b"stream")
        if data[start - 3:start] == b"end" or data[after:after + 1] not in (b"\r", b"\n"):
            out.append(data[pos:after])
            pos = after
            continue
        end = data.find(b"endstream", after)
        if end == -1:
            raise _refuse("is damaged (a stream has no end)")
        out.append(data[pos:start])
        pos = end + len(b"endstream")
    out.append(data[pos:])
    return b"".join(out)


def _raw_names(data: bytes) -> set[str]:
    body = _outside_streams(data)
    return {"/" + _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), m.group(1)).decode("latin-1")
            for m in _NAME.finditer(body)}


def _active(obj: object) -> str | None:
    """The first active name in one object and the direct objects inside it (references are
    not followed: every indirect object is visited on its own)."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in _KEYS or (key in ("/S", "/Type") and value in _VALUES):
                    return str(value if key in ("/S", "/Type") else key)
                if key == "/OpenAction":
                    action = value.get_object()
                    if isinstance(action, DictionaryObject) and action.get("/S") != NameObject("/GoTo"):
                        return "/OpenAction"
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def _parsed_names(data: bytes) -> str | None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse("is password-protected, so it cannot be checked")
        if len(reader.pages) == 0:
            raise _refuse("has no pages")
        refs = [IndirectObject(num, gen, reader) for gen, nums in reader.xref.items() for num in nums]
        refs += [IndirectObject(num, 0, reader) for num in reader.xref_objStm]
        for obj in [reader.trailer, *(ref.get_object() for ref in refs)]:
            if (found := _active(obj)) is not None:
                return found
    except InvalidInput:
        raise
    except Exception as exc:  # pypdf raises many kinds on hostile input; each means "unreadable"
        raise _refuse("cannot be read (it is damaged or not really a PDF)") from exc
    return None


def check_pdf(data: bytes) -> None:
    """Return if ``data`` is a readable PDF with no JavaScript, launch action, embedded file,
    additional actions (/AA) or open action other than going to a page; else InvalidInput
    naming ``file``."""
    raw = sorted(_raw_names(data) & (_KEYS | _VALUES))
    found = raw[0] if raw else _parsed_names(data)
    if found is not None:
        raise _refuse(f"contains {found} (scripts, launch actions and embedded files are not accepted)")
