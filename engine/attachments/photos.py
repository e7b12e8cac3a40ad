"""Photos: fully decoded (so a bomb or a disguised file fails here), and their location taken
out unless the form field asked for it.

Location lives in the EXIF GPS block and, on some phones, in XMP too; when either is present
and the location is not wanted, the photo is saved again with the EXIF minus GPS and without
XMP. JPEG keeps its own quantisation (``quality="keep"``), PNG is lossless anyway, lossless
WebP stays lossless; lossy WebP and HEIC (via pillow-heif) are re-encoded at quality 90."""
from __future__ import annotations

import io
import math

import pillow_heif
from PIL import ExifTags, Image

from ..errors import InvalidInput
from .content_types import HEIC, JPEG, PNG, WEBP

MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo fits; a decompression bomb does not
_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", HEIC: "HEIF"}
pillow_heif.register_heif_opener()


def _refuse(why: str) -> InvalidInput:
    return InvalidInput(f"this image {why}", fields={"file": [f"this image {why}"]})


def _degrees(dms, ref) -> float | None:
    try:
        value = sum(float(part) / 60 ** i for i, part in enumerate(dms))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not math.isfinite(value):
        return None
    return -value if str(ref).upper() in ("S", "W") else value


def _location(gps: dict) -> dict | None:
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
    lng = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return {"lat": round(lat, 7), "lng": round(lng, 7)}


def _webp_lossless(data: bytes) -> bool:
    pos = 12
    while pos + 8 <= len(data):
        fourcc, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if fourcc in (b"VP8 ", b"VP8L"):
            return fourcc == b"VP8L"
        pos += 8 + size + (size & 1)
    return False


def _without_location(im: Image.Image, exif: Image.Exif, content_type: str, data: bytes) -> bytes:
    exif.get_ifd(ExifTags.IFD.GPSInfo).clear()  # Pillow re-writes a cached GPS block unless emptied
    exif.pop(ExifTags.IFD.GPSInfo, None)
    im.info.pop("xmp", None)
    options: dict = {"exif": exif.tobytes()}
    if im.info.get("icc_profile"):
        options["icc_profile"] = im.info["icc_profile"]
    if content_type == JPEG:
        # 'keep' needs the JPEG reader's tables; a multi-picture JPEG (MPO) keeps its first picture
        options |= {"quality": "keep"} if im.format == "JPEG" else {"quality": 95}
    elif content_type == WEBP:
        options |= {"lossless": True} if _webp_lossless(data) else {"quality": 90}
    elif content_type == HEIC:
        options |= {"quality": 90}
    out = io.BytesIO()
    im.save(out, _FORMATS[content_type], **options)
    return out.getvalue()


def check_photo(data: bytes, content_type: str, *, keep_location: bool) -> tuple[bytes, dict | None]:
    """The bytes to store and, when ``keep_location``, the photo's ``{lat, lng}`` (or None if it
    has none). InvalidInput naming ``file`` for anything that does not decode as the type its
    bytes claim, has more than MAX_PIXELS pixels, or is an animation."""
    try:
        with Image.open(io.BytesIO(data), formats=[_FORMATS[content_type]]) as im:
            if im.width * im.height > MAX_PIXELS:
                raise _refuse(f"has {im.width}×{im.height} pixels; at most {MAX_PIXELS:,} are accepted")
            if content_type in (PNG, WEBP) and getattr(im, "n_frames", 1) > 1:
                raise _refuse("is an animation; upload a still photo")
            im.load()
            exif = im.getexif()
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
            if keep_location:
                return data, _location(gps)
            if not gps and "xmp" not in im.info:
                return data, None
            return _without_location(im, exif, content_type, data), None
    except InvalidInput:
        raise
    except Image.DecompressionBombError as exc:
        raise _refuse(f"declares too many pixels (at most {MAX_PIXELS:,})") from exc
    except Exception as exc:  # Pillow raises many kinds on hostile input; each means "unreadable"
        raise _refuse("cannot be read (it is damaged or not really the image it claims to be)") from exc
