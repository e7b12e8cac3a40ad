"""Turning stored diagram text into SpiffWorkflow specs: safely, once per definition version."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from ..errors import DiagramInvalid
from ..models import ProcessDefinition
from .parser import CivicFlowParser
from .xml_safety import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class ParsedProcess:
    key: str
    name: str
    spec: object
    subprocess_specs: dict
    tree: etree._ElementTree
    starter_groups: tuple[str, ...] = ()


_validator_lock = threading.Lock()


@lru_cache(maxsize=1)
def _xsd_validator() -> BpmnValidator:
    # Building the XSD validator costs ~9 ms; parsing with it ~2 ms. Build it once.
    return BpmnValidator()


def _diagram_error(exc: ValidationException, filename: str) -> DiagramInvalid:
    where = exc.id or filename
    line = f"line {exc.line_number}: " if exc.line_number else ""
    return DiagramInvalid(f"{where}: {exc}", fields={where: [f"{line}{exc}"]})


def _top_process_id(parser: CivicFlowParser, tree: etree._ElementTree, filename: str) -> str:
    ns = {"bpmn": BPMN_NS}
    executable = [p.get("id") for p in tree.xpath("//bpmn:process", namespaces=ns)
                  if p.get("isExecutable", "true") != "false"]
    called = {c.get("calledElement") for c in tree.xpath("//bpmn:callActivity", namespaces=ns)}
    top = [p for p in executable if p not in called]
    if len(top) != 1:
        found = ", ".join(top) or "none"
        raise DiagramInvalid(f"{filename}: expected exactly one executable top-level process, found {found}",
                             fields={filename: [f"executable top-level processes: {found}"]})
    return top[0]


def parse_process(bpmn: bytes, dmn: list[bytes] = (), filename: str = "diagram.bpmn",
                  validate_schema: bool = False) -> ParsedProcess:
    """Parse one diagram (plus its DMN tables). Raises DiagramInvalid naming element and line."""
    tree = parse_xml(bpmn, filename)
    parser = CivicFlowParser()
    try:
        if validate_schema:
            with _validator_lock:
                _xsd_validator().validate(tree, filename)
        for i, table in enumerate(dmn):
            parser.add_dmn_xml(parse_xml(table, f"table{i + 1}.dmn").getroot(), filename=f"table{i + 1}.dmn")
        parser.add_bpmn_xml(tree, filename=filename)
        key = _top_process_id(parser, tree, filename)
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as exc:
        raise _diagram_error(exc, filename) from exc
    process = tree.xpath(f"//bpmn:process[@id='{key}']", namespaces={"bpmn": BPMN_NS})[0]
    starters = process.get("{http://camunda.org/schema/1.0/bpmn}candidateStarterGroups") or ""
    return ParsedProcess(key=key, name=process.get("name") or key, spec=spec,
                         subprocess_specs=subprocess_specs, tree=tree,
                         starter_groups=tuple(g.strip() for g in starters.split(",") if g.strip()))


_cache: dict[tuple[int, str], ParsedProcess] = {}
_cache_lock = threading.Lock()


def load_definition(definition) -> ParsedProcess:
    """The parsed specs of a stored ProcessDefinition. Definitions never change once stored, so
    the cache needs no invalidation; the checksum in the key guards against an id reused by a
    recreated database."""
    key = (definition.id, definition.checksum)
    parsed = _cache.get(key)
    if parsed is None:
        parsed = parse_process(definition.bpmn_xml.encode(), [d.encode() for d in definition.dmn_xml],
                               f"{definition.key} v{definition.version}")
        with _cache_lock:
            if len(_cache) > 512:
                _cache.clear()
            _cache[key] = parsed
    return parsed


def definition_of(uow, definition_id: int) -> ParsedProcess:
    """The parsed specs of a case's definition without reading its row again: definitions never
    change, and the container's cache is per deployment (so per test, too)."""
    return uow.cache.get_or_load(("definition", definition_id), lambda: load_definition(
        uow.session.get(ProcessDefinition, definition_id)))
