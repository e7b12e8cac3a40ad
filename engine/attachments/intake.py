"""Every check an upload passes before anything is stored, in the order that costs least."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidInput, TooLarge
from .content_types import PDF, sniff
from .file_names import clean_name
from .pdf_checks import check_pdf
from .photos import check_photo


@dataclass(frozen=True)
class CheckedUpload:
    """What may be stored: the clean name, the type judged by the bytes, the bytes themselves
    (a photo's without its location), and the location when the form field keeps it."""

    name: str
    content_type: str
    data: bytes
    location: dict | None


def check_upload(filename: str | None, data: bytes, *, limit_bytes: int, keep_location: bool) -> CheckedUpload:
    """The upload as it may be stored, or an error naming ``file``: TooLarge over
    ``limit_bytes``; InvalidInput for a bad name, a type other than PDF/JPEG/PNG/WebP/HEIC (a
    zip or an executable of any name), an active PDF, or a photo that does not decode."""
    if len(data) > limit_bytes:
        mb = limit_bytes / (1024 * 1024)
        raise TooLarge(f"the file is larger than {mb:g} MB", fields={"file": [f"at most {mb:g} MB"]})
    name = clean_name(filename)
    if not data:
        raise InvalidInput("the file is empty", fields={"file": ["the file is empty"]})
    content_type = sniff(data)
    if content_type is None:
        msg = "only PDF, JPEG, PNG, WebP or HEIC files are accepted (judged by their content, not their name)"
        raise InvalidInput(msg, fields={"file": [msg]})
    location = None
    if content_type == PDF:
        check_pdf(data)
    else:
        data, location = check_photo(data, content_type, keep_location=keep_location)
    return CheckedUpload(name, content_type, data, location)
