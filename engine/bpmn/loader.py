"""Turning stored diagram text into SpiffWorkflow specs: safely, once per definition version."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import TaskNotFoundException

from ..dmn import add_decisions
from ..errors import DiagramInvalid
from ..models import ProcessDefinition
from .io_mapping import attach_io_mappings
from .parser import CivicFlowParser
from .serializer import load_state
from .unsupported import (BPMN_NS, CAMUNDA_NS, NS, Problems, check_data_references, find_unsupported,
                          owner_id)
from .xml_safety import parse_xml


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


# The library's one message that names no element (a data store: stored outside any process)
_DATA_STORE = re.compile(r"Data Store with name (.*) has no implementation", re.S)


def _culprit(exc: ValidationException, message: str, tree: etree._ElementTree):
    """The element a library refusal is about: by id, else by the line it gives (the XSD check
    knows only the line), else by the data store the message names."""
    if exc.id:
        found = tree.xpath("//*[@id=$id]", id=exc.id)
    elif exc.line_number:
        found = [n for n in tree.iter() if n.sourceline == exc.line_number and isinstance(n.tag, str)]
    else:
        match = _DATA_STORE.search(message)
        found = tree.xpath("//bpmn:dataStore[@name=$name]", name=match.group(1), namespaces=NS) if match else []
    return found[0] if found else None


def _diagram_error(exc: ValidationException, filename: str, tree: etree._ElementTree) -> DiagramInvalid:
    """The library's refusal keyed by element id, with the line. When the diagram holds a
    construct we refuse anyway, that explanation comes first: it says what to draw instead."""
    problems = Problems()
    find_unsupported(tree, problems)
    message = " ".join([str(exc.args[0]) if exc.args else "", *exc.notes]).strip().rstrip(".")
    message = message.replace(f"{{{BPMN_NS}}}", "bpmn:").replace(f"{{{CAMUNDA_NS}}}", "camunda:")
    node = _culprit(exc, message, tree)
    element = owner_id(node) if node is not None else exc.id or filename
    if element not in problems.by_element:
        problems.add(element, exc.line_number or (node.sourceline if node is not None else None), message)
    return problems.error()


def _top_process_id(parser: CivicFlowParser, tree: etree._ElementTree, filename: str) -> str:
    """The one process the file deploys: executable, and not called from within the file. Its
    data references are checked here, before the library builds specs and can loop on them."""
    processes = tree.xpath("//bpmn:process", namespaces=NS)
    executable = [p for p in processes if p.get("isExecutable", "true") != "false"]
    called = {c.get("calledElement") for c in tree.xpath("//bpmn:callActivity", namespaces=NS)}
    top = [p for p in executable if p.get("id") not in called]
    problems = Problems()
    in_file = [p for p in executable if p.get("id") in called]
    if len(top) == 1 and in_file:  # a call activity starts a case of a deployed process, never of its caller's file
        for p in in_file:
            problems.add(p.get("id"), p.sourceline, f"process {p.get('id')!r} is called by a call activity in this"
                         " file; call activities start processes deployed on their own: upload it as a file of"
                         ' its own (or set isExecutable="false" here)')
    elif len(top) == 1:
        check_data_references(tree, problems)  # before the library builds specs: it loops on some
        if not problems.by_element:
            return top[0].get("id")
        problems = Problems()
        find_unsupported(tree, problems)  # the data references, and whatever else we refuse
    elif not processes:
        root = tree.getroot()
        problems.add(root.get("id") or filename, root.sourceline, "the file holds no bpmn:process")
    elif not top:
        for p in processes:
            why = ('it has isExecutable="false"; set isExecutable="true" on the process to run'
                   if p not in executable else "a call activity in this file calls it")
            problems.add(p.get("id"), p.sourceline,
                         f"expected exactly one executable top-level process, found none: {p.get('id')!r}: {why}")
    else:
        found = ", ".join(p.get("id") for p in top)
        for p in top:
            problems.add(p.get("id"), p.sourceline, f"expected exactly one executable top-level process,"
                         f' found {found}: set isExecutable="false" on all but the one to run, and upload'
                         " the others as files of their own")
    raise problems.error()


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
            add_decisions(parser, parse_xml(table, f"table{i + 1}.dmn").getroot(), f"table{i + 1}.dmn")
        parser.add_bpmn_xml(tree, filename=filename)
        key = _top_process_id(parser, tree, filename)
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
        attach_io_mappings(tree, [spec, *subprocess_specs.values()])
    except ValidationException as exc:
        raise _diagram_error(exc, filename, tree) from exc
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


def case_workflow(uow, case):
    """The case's workflow, restored from its stored state on its definition's parsed specs."""
    parsed = definition_of(uow, case.definition_id)
    return load_state(case.state, parsed.spec, parsed.subprocess_specs)


def find_task(workflow, spiff_task_id: str | None):
    """The workflow task a row points at, or None (a task a reset or a cancel has removed)."""
    if not spiff_task_id:
        return None
    try:
        return workflow.get_task_from_id(UUID(spiff_task_id))
    except TaskNotFoundException:
        return None
