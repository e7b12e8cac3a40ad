"""Reading generated PDFs in tests: their text, and proof that they carry the fonts they need.
A PDF that leans on the reader's fonts shows boxes on a machine without CJK fonts, so a
document test asserts that every font is embedded and that the embedded programs have a glyph
for every character shown."""
from __future__ import annotations

import io
import re

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

_PROGRAMS = ("/FontFile", "/FontFile2", "/FontFile3")


def pdf_text(data: bytes) -> str:
    """The text of every page, pages separated by a newline."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _fonts(resources, seen: set) -> dict[str, DictionaryObject]:
    """Every font a page's resources use, with those of its form XObjects, by base font name."""
    found: dict[str, DictionaryObject] = {}
    resources = resources.get_object() if resources is not None else {}
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        found[str(font.get("/BaseFont"))] = font
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
            seen.add(id(xobject))
            found.update(_fonts(xobject.get("/Resources"), seen))
    return found


def _to_unicode(font: DictionaryObject) -> dict[int, str]:
    """Code → the text it shows, from the font's ToUnicode CMap (bfchar and bfrange)."""
    if "/ToUnicode" not in font:
        return {}
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    text = lambda hexes: bytes.fromhex(hexes).decode("utf-16-be")  # noqa: E731
    codes: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            codes[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])", block):
            targets = re.findall(r"<([0-9a-fA-F]+)>", dst)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                codes[code] = text(targets[i]) if dst.startswith("[") else chr(int(targets[0], 16) + i)
    return codes


def _program(name: str, font: DictionaryObject) -> TTFont:
    """The embedded font program; fails when the font is not embedded."""
    descriptor = font["/DescendantFonts"][0].get_object() if font.get("/Subtype") == "/Type0" else font
    descriptor = (descriptor.get("/FontDescriptor") or DictionaryObject()).get_object()
    programs = [k for k in _PROGRAMS if k in descriptor]
    assert programs, f"font {name} is not embedded (no FontFile/FontFile2/FontFile3)"
    stream = descriptor[programs[0]].get_object()
    kind = "/TrueType" if programs[0] == "/FontFile2" else stream.get("/Subtype")
    assert kind in ("/TrueType", "/OpenType"), f"font {name}: cannot read a {kind} font program"
    return TTFont(io.BytesIO(stream.get_data()))


def _has_glyph(program: TTFont, font: DictionaryObject, code: int) -> bool:
    """Whether the code draws something. A composite font's code is a CID: a CID-keyed CFF names
    the glyph ``cidNNNNN``, otherwise CIDToGIDMap (Identity unless a stream) gives the glyph id.
    A simple font's code goes through the program's own cmap."""
    order = program.getGlyphOrder()
    if font.get("/Subtype") != "/Type0":
        glyph = program.getBestCmap().get(code)
    elif "CFF " in program and program["CFF "].cff.topDictIndex[0].ROS is not None:
        glyph = f"cid{code:05d}"
    else:
        mapping = font["/DescendantFonts"][0].get_object().get("/CIDToGIDMap", "/Identity")
        gid = code if mapping == "/Identity" else int.from_bytes(mapping.get_object().get_data()[2 * code:2 * code + 2], "big")
        glyph = order[gid] if 0 < gid < len(order) else None
    if glyph is None or glyph not in order:
        return False
    if "CFF " in program:
        charstring = program["CFF "].cff.topDictIndex[0].CharStrings[glyph]
        charstring.decompile()
        return charstring.program not in ([], ["endchar"])
    return program["glyf"][glyph].numberOfContours != 0


def assert_fonts_cover(data: bytes) -> None:
    """Every font is embedded; each code a font's ToUnicode maps to visible text draws a glyph of
    the embedded program; and those glyphs cover every character of the extracted text."""
    reader = PdfReader(io.BytesIO(data))
    fonts: dict[str, DictionaryObject] = {}
    for page in reader.pages:
        fonts.update(_fonts(page.get("/Resources"), set()))
    assert fonts, "the PDF uses no fonts"
    covered: set[str] = set()
    for name, font in fonts.items():
        program = _program(name, font)
        for code, chars in _to_unicode(font).items():
            if chars.strip():
                assert _has_glyph(program, font, code), f"font {name} has no glyph for {chars!r} (code {code:#x})"
                covered |= set(chars)
    text = "\n".join(page.extract_text() for page in reader.pages)
    missing = {c for c in text if not c.isspace()} - covered
    assert not missing, f"no embedded font draws: {''.join(sorted(missing))}"
