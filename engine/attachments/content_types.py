"""What a file is, judged by its first bytes, never by its name or the client's Content-Type.

Precise signatures for the five kinds we take, rather than a general sniffing library: the
list is short, each kind is then fully parsed (pypdf, Pillow), and a library that knows a
thousand kinds only adds ways to be wrong about these five."""
from __future__ import annotations

PDF, JPEG, PNG, WEBP, HEIC = "application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic"
ACCEPTED = (PDF, JPEG, PNG, WEBP, HEIC)
PHOTOS = (JPEG, PNG, WEBP, HEIC)
# ISO-BMFF brands of HEIF images coded with HEVC (what phones write); AVIF and others are refused
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_GENERIC_HEIF = {b"mif1", b"msf1"}


def _heic(data: bytes) -> bool:
    if data[4:8] != b"ftyp":
        return False
    box_len = int.from_bytes(data[:4], "big")
    major = data[8:12]
    compatible = {data[i:i + 4] for i in range(16, min(box_len, len(data), 64), 4)}
    return major in _HEIC_BRANDS or (major in _GENERIC_HEIF and bool(compatible & _HEIC_BRANDS))


def sniff(data: bytes) -> str | None:
    """The MIME type of ``data`` if it is one we accept, else ``None``."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if _heic(data):
        return HEIC
    return None
