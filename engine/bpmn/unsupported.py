"""What Camunda Modeler can draw but CivicFlow cannot run as drawn, found in the raw XML so that
it is refused at upload with its element id, its line and what to draw instead. The loader asks
here too when SpiffWorkflow's parser fails, because the library's message rarely says either.

Only executable processes are searched: a pool drawn for documentation never runs."""
from __future__ import annotations

from collections import defaultdict

from lxml import etree

from ..errors import DiagramInvalid

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}
_EXTERNAL_TASK = 'use an external task (camunda:type="external" camunda:topic="...") instead'
_JAVA_ATTRIBUTES = ("class", "delegateExpression", "variableMappingClass",
                    "variableMappingDelegateExpression")
_SCRIPT_FORMATS = ("", "python", "python3")
_CONDITION_LANGUAGES = (*_SCRIPT_FORMATS, "juel")  # JUEL, Camunda's default: we translate ${a && b}

_REFUSED = [  # (XPath inside an executable process, message): constructs refused outright
    (".//bpmn:complexGateway",
     "complex gateways are not supported; use an exclusive, inclusive or parallel gateway"),
    (".//bpmn:adHocSubProcess",
     "ad-hoc subprocesses are not supported; model the optional steps with an inclusive gateway"),
    (".//bpmn:conditionalEventDefinition",
     "conditional events are not supported; use a message or timer event, or a gateway condition"),
    (".//bpmn:compensateEventDefinition | .//*[@isForCompensation='true']",
     "compensation is not supported; model the undo step as ordinary steps, e.g. after an error event"),
    (".//bpmn:linkEventDefinition", "link events are not supported; draw the sequence flow itself"),
    (".//bpmn:dataStoreReference",
     "data stores are not supported; keep the data in the case (form fields or data objects)"),
    (".//bpmn:scriptTask[@camunda:resource]",
     "scripts from camunda:resource are not supported; write the script inline (restricted Python)"),
    (".//bpmn:scriptTask[@camunda:resultVariable]",
     "camunda:resultVariable on a script task is not supported; assign the variable in the script"),
    (".//bpmn:timerEventDefinition[not(bpmn:timeDate | bpmn:timeDuration | bpmn:timeCycle)]",
     "a timer needs a timeDate, timeDuration or timeCycle"),
    ("self::*[@camunda:candidateStarterUsers]",  # ignored, it would let anyone start the process
     "camunda:candidateStarterUsers is not supported;"
     " use camunda:candidateStarterGroups (role, ORG or role@ORG)"),
]


class Problems:
    """Every problem found in one diagram, keyed by element id, each message led by its line."""

    def __init__(self) -> None:
        self.by_element: dict[str, list[str]] = defaultdict(list)

    def add(self, element: str, line: int | None, message: str) -> None:
        self.by_element[element].append(f"line {line}: {message}" if line else message)

    def error(self) -> DiagramInvalid:
        element, messages = next(iter(self.by_element.items()))
        return DiagramInvalid(f"the diagram was refused: {element}: {messages[0]}",
                              fields=dict(self.by_element))


def owner_id(node) -> str:
    """The id of the flow element a node belongs to: a timer's text, a listener or an extension
    names the event or task around it (not the event definition, which the modeler never shows)."""
    while node is not None and (not node.get("id") or node.tag.endswith("EventDefinition")):
        node = node.getparent()
    return node.get("id") if node is not None else "diagram"


def runs_as_python(node) -> bool:
    """Whether a script task or a condition is in a language we evaluate: scripts are restricted
    Python; conditions may also be JUEL-like ``${…}``, which the evaluator translates."""
    if etree.QName(node).localname == "scriptTask":
        return (node.get("scriptFormat") or "").strip().lower() in _SCRIPT_FORMATS
    return (node.get("language") or "").strip().lower() in _CONDITION_LANGUAGES


def _executable_processes(tree: etree._ElementTree) -> list:
    return [p for p in tree.xpath("//bpmn:process", namespaces=NS) if p.get("isExecutable", "true") != "false"]


def _camunda(node, name: str) -> str | None:
    return node.get(f"{{{CAMUNDA_NS}}}{name}")


def _check_implementation(process, problems: Problems) -> None:
    java = " or ".join(f"@camunda:{a}" for a in _JAVA_ATTRIBUTES)
    for node in process.xpath(f".//*[{java}]", namespaces=NS):
        for attribute in _JAVA_ATTRIBUTES:
            if _camunda(node, attribute) is not None:
                problems.add(owner_id(node), node.sourceline, f"camunda:{attribute}"
                             f" {_camunda(node, attribute)!r} cannot run here; {_EXTERNAL_TASK}")
    for node in process.xpath(".//camunda:connector", namespaces=NS):
        connector = (node.findtext(f"{{{CAMUNDA_NS}}}connectorId") or "").strip()
        problems.add(owner_id(node), node.sourceline,
                     f"the camunda:connector {connector!r} cannot run here; {_EXTERNAL_TASK}")
    for node in process.xpath(".//*[@camunda:type]", namespaces=NS):
        kind = _camunda(node, "type")
        if etree.QName(node).localname not in ("serviceTask", "sendTask"):
            problems.add(owner_id(node), node.sourceline,
                         "external tasks are supported on service and send tasks only; draw a service task")
        elif kind != "external":
            problems.add(owner_id(node), node.sourceline,
                         f"camunda:type {kind!r} is not supported; {_EXTERNAL_TASK}")
        elif not (_camunda(node, "topic") or "").strip():
            problems.add(owner_id(node), node.sourceline,
                         'camunda:type="external" needs a camunda:topic: the topic its worker fetches')
    implemented = ("type", "expression", "class", "delegateExpression")
    for task in process.xpath(".//bpmn:serviceTask | .//bpmn:sendTask", namespaces=NS):
        if not any(_camunda(task, a) is not None for a in implemented) and \
                not task.xpath("./bpmn:extensionElements/camunda:connector", namespaces=NS):
            kind = "service task" if task.tag.endswith("serviceTask") else "send task"
            problems.add(task.get("id"), task.sourceline,
                         f'a {kind} needs camunda:type="external" with a camunda:topic, or camunda:expression')


def _check_call_activities(process, problems: Problems) -> None:
    for call in process.xpath(".//bpmn:callActivity", namespaces=NS):
        called, binding = (call.get("calledElement") or "").strip(), _camunda(call, "calledElementBinding")
        version = (_camunda(call, "calledElementVersion") or "").strip()
        if not called:
            problems.add(call.get("id"), call.sourceline,
                         "a call activity needs calledElement: the id of a deployed process")
        elif "{" in called:
            problems.add(call.get("id"), call.sourceline,
                         f"calledElement {called!r}: expressions are not supported here; name the process id")
        if binding not in (None, "latest", "deployment", "version"):
            problems.add(call.get("id"), call.sourceline, f"camunda:calledElementBinding {binding!r} is not"
                         ' supported; use "latest", "deployment" or "version" with camunda:calledElementVersion')
        elif binding == "version" and not version.isdigit():
            problems.add(call.get("id"), call.sourceline, 'camunda:calledElementBinding="version" needs'
                         " camunda:calledElementVersion as a whole number")


def _check_listeners(process, problems: Problems) -> None:
    for listener in process.xpath(".//camunda:executionListener | .//camunda:taskListener", namespaces=NS):
        kind = "execution" if listener.tag.endswith("executionListener") else "task"
        script = listener.find(f"{{{CAMUNDA_NS}}}script")
        how = next((f"{a} {listener.get(a)!r}" for a in ("class", "delegateExpression", "expression")
                    if listener.get(a) is not None),
                   f"{script.get('scriptFormat')} script" if script is not None else "no implementation")
        problems.add(owner_id(listener), listener.sourceline,
                     f"{kind} listener on {listener.get('event')!r} ({how}): listeners are not supported;"
                     " model the work as a step of its own (an external task or a script task)")


def _check_parameters(process, problems: Problems) -> None:
    # Literal, ${expression}, camunda:list and camunda:map values run (engine.bpmn.io_mapping).
    for param in process.xpath(".//camunda:inputOutput/*[.//camunda:script]", namespaces=NS):
        kind = "input" if param.tag.endswith("inputParameter") else "output"
        problems.add(owner_id(param), param.sourceline,
                     f"{kind} parameter {param.get('name')!r} is a script: scripts in parameters are not"
                     " supported; use a literal or ${expression}, or a script task")


def _check_languages(process, problems: Problems) -> None:
    for script in process.xpath(".//bpmn:scriptTask", namespaces=NS):
        if not runs_as_python(script):
            problems.add(script.get("id"), script.sourceline,
                         f"script format {script.get('scriptFormat')!r} is not supported;"
                         ' scripts are restricted Python (scriptFormat="python")')
    for cond in process.xpath(".//bpmn:conditionExpression | .//bpmn:completionCondition"
                              " | .//bpmn:loopCondition", namespaces=NS):
        if _camunda(cond, "resource") is not None:
            problems.add(owner_id(cond), cond.sourceline,
                         "conditions from camunda:resource are not supported; write the condition inline")
        elif not runs_as_python(cond):
            problems.add(owner_id(cond), cond.sourceline,
                         f"condition language {cond.get('language')!r} is not supported;"
                         " write it as an expression, e.g. ${amount > 1000}")


def check_data_references(tree: etree._ElementTree, problems: Problems) -> None:
    """Data associations SpiffWorkflow cannot resolve. Checked before the library builds any
    spec: it loops forever on a data object that is neither in the task's own (sub)process nor
    in the one directly around it."""
    by_id = {node.get("id"): node for node in tree.iter() if isinstance(node.tag, str) and node.get("id")}
    for process in _executable_processes(tree):
        for ref in process.xpath(".//bpmn:dataInputAssociation/bpmn:sourceRef"
                                 " | .//bpmn:dataOutputAssociation/bpmn:targetRef", namespaces=NS):
            activity = ref.getparent().getparent()
            target = by_id.get(ref.text)
            if target is not None and etree.QName(target).localname == "dataStoreReference":
                continue  # refused as a data store
            if target is None or etree.QName(target).localname != "dataObjectReference":
                what = etree.QName(target).localname if target is not None else "nothing in this file"
                problems.add(activity.get("id"), ref.sourceline,
                             f"data association {ref.text!r} cannot be resolved: it names {what};"
                             " connect the task to a data object reference")
                continue
            container = activity.getparent()
            scopes = [container] if etree.QName(container).localname == "process" \
                else [container, container.getparent()]
            visible = {o.get("id") for scope in scopes for o in scope.iterchildren(f"{{{BPMN_NS}}}dataObject")}
            if target.get("dataObjectRef") not in visible:
                problems.add(activity.get("id"), ref.sourceline,
                             f"data object {target.get('dataObjectRef')!r} (reference {ref.text!r}) is not"
                             " declared in this task's (sub)process or the one directly around it; declare it there")


def find_unsupported(tree: etree._ElementTree, problems: Problems) -> None:
    """Add a problem for every construct in an executable process that we refuse."""
    for store in tree.xpath("//bpmn:dataStore", namespaces=NS):  # the library refuses any, used or not
        problems.add(store.get("id") or "dataStore", store.sourceline,
                     f"data store {store.get('name')!r}: data stores are not supported;"
                     " keep the data in the case (form fields or data objects)")
    for process in _executable_processes(tree):
        for xpath, message in _REFUSED:
            for node in process.xpath(xpath, namespaces=NS):
                problems.add(owner_id(node), node.sourceline, message)
        _check_implementation(process, problems)
        _check_listeners(process, problems)
        _check_call_activities(process, problems)
        _check_parameters(process, problems)
        _check_languages(process, problems)
    check_data_references(tree, problems)
