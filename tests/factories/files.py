"""Files for upload tests, made in code (no binary fixtures in the repository): real small
photos and PDFs, and the hostile files a city's upload form meets."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import ExifTags, Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

SHANGHAI = (31.2304, 121.4737)


def _exif_with_gps(lat: float, lng: float) -> bytes:
    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        minutes = (value - int(value)) * 60
        return float(int(value)), float(int(minutes)), round((minutes - int(minutes)) * 60, 4)

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "CivicPhone"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S", ExifTags.GPS.GPSLatitude: dms(lat),
        ExifTags.GPS.GPSLongitudeRef: "E" if lng >= 0 else "W", ExifTags.GPS.GPSLongitude: dms(lng)}
    return exif.tobytes()


def photo(fmt: str = "JPEG", *, gps: tuple[float, float] | None = SHANGHAI, size=(48, 32), color=(200, 60, 40)) -> bytes:
    """A small real photo (JPEG, PNG, WEBP or HEIF) with the camera's EXIF and, unless
    ``gps=None``, where it was taken."""
    out = io.BytesIO()
    options = {"exif": _exif_with_gps(*gps)} if gps else {}
    Image.new("RGB", size, color).save(out, fmt, **options)
    return out.getvalue()


def jpeg_with_gps(lat: float = SHANGHAI[0], lng: float = SHANGHAI[1]) -> bytes:
    return photo("JPEG", gps=(lat, lng))


def png() -> bytes:
    return photo("PNG", gps=None)


def pdf(javascript: str | None = None) -> bytes:
    """A one-page PDF; with ``javascript``, one that runs it when opened."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    return pdf(javascript="app.alert('hello from the PDF');")


def broken_pdf_with_hidden_javascript() -> bytes:
    """No cross-reference table a reader can use, and the action's name hex-escaped
    (``/J#53`` is ``/JS``): only a scan of the raw bytes finds it."""
    return (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /Java#53cript /J#53 (app.alert(1)) >> >>\n"
            b"endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def exe_named_jpg() -> bytes:
    """The start of a Windows executable (MZ header, PE signature), as a '.jpg' would hide it."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + struct.pack("<I", 64) + b"PE\x00\x00" + b"\x00" * 400


def zip_bomb(inflated_mb: int = 20) -> bytes:
    """A few kilobytes that inflate to ``inflated_mb`` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("photo.jpg", b"\x00" * (inflated_mb * 1024 * 1024))
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG declaring ``width``×``height`` pixels (10 gigapixels by default)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024, 9)  # far less data than declared: decoding would allocate first
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def multipart(filename: str, data: bytes, *, file_field: str = "file", **fields: str) -> tuple[bytes, str]:
    """A multipart/form-data body with the file (as ``file_field``) and plain ``fields``, built
    here rather than by the test client, which spools large bodies to a temporary file it does
    not close."""
    boundary = b"civicflow-attachment-boundary"
    parts = [b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n'
             + str(value).encode() + b"\r\n" for name, value in fields.items()]
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')  # a quoted-string, as HTTP reads it
    parts.append(b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + file_field.encode() + b'"; filename="'
                 + quoted.encode() + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n")
    return b"".join(parts) + b"--" + boundary + b"--\r\n", f"multipart/form-data; boundary={boundary.decode()}"


def upload(user, filename: str, data: bytes, **fields: str):
    """POST /api/v1/attachments as ``user`` (a tests.factories.api.ApiUser)."""
    body, content_type = multipart(filename, data, **fields)
    return user.client.post("/api/v1/attachments", headers=user.headers, data=body, content_type=content_type)


def upload_id(user, filename: str, data: bytes, **fields: str) -> str:
    resp = upload(user, filename, data, **fields)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]
