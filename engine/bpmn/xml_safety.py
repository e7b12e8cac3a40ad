"""Reading untrusted XML: size limit, no DTD, no entities, no network, no huge trees."""
from __future__ import annotations

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from lxml import etree

from ..errors import DiagramInvalid, TooLarge

MAX_BYTES = 5 * 1024 * 1024

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=False)


def parse_xml(data: bytes, filename: str, max_bytes: int = MAX_BYTES) -> etree._ElementTree:
    """Parse ``data`` or raise: :class:`TooLarge` over the limit, :class:`DiagramInvalid` for a
    DTD, an entity (billion laughs, external entity) or XML that is not well-formed."""
    if len(data) > max_bytes:
        raise TooLarge(f"{filename} is {len(data)} bytes; the limit is {max_bytes}",
                       fields={filename: [f"larger than {max_bytes // (1024 * 1024)} MB"]})
    try:
        # defusedxml refuses DTDs and entity declarations before anything is expanded.
        SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DiagramInvalid(f"{filename}: DTDs and entities are not allowed",
                             fields={filename: [f"refused: {exc.__class__.__name__}"]}) from exc
    except SafeET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise DiagramInvalid(f"{filename} is not well-formed XML: {exc}",
                             fields={filename: [f"line {line}: {exc}" if line else str(exc)]}) from exc
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser=_PARSER))
    except etree.XMLSyntaxError as exc:
        raise DiagramInvalid(f"{filename} is not well-formed XML: {exc}",
                             fields={filename: [f"line {exc.lineno}: {exc.msg}"]}) from exc
    if tree.docinfo.doctype:
        raise DiagramInvalid(f"{filename}: DTDs are not allowed", fields={filename: ["DTD refused"]})
    return tree
