"""What we cannot run as drawn is refused at upload: a 400 whose fields name the element, each
message led by its line and saying what to draw instead. One small diagram per refusal, in
tests/data/conformance/refuse_*.bpmn, each otherwise deployable."""
from __future__ import annotations

import pytest

from engine.bpmn.loader import parse_process
from engine.bpmn.validation import check_diagram
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_org_tree, make_user

DIAGRAMS = DATA / "conformance"
EXTERNAL = 'use an external task (camunda:type="external" camunda:topic='
LISTENERS = "listeners are not supported"
REFUSALS = [  # (diagram, {element: words its message holds})
    ("refuse_service_class", {"Task_notify": "camunda:class 'org.example.NotifyDelegate' cannot run here; " + EXTERNAL}),
    ("refuse_service_delegate_expression", {"Task_notify": "camunda:delegateExpression '${mailer}' cannot run here; " + EXTERNAL}),
    ("refuse_service_connector", {"Task_notify": "camunda:connector 'http-connector' cannot run here; " + EXTERNAL}),
    ("refuse_send_task_class", {"Task_send": EXTERNAL}),
    ("refuse_business_rule_class", {"Task_rule": EXTERNAL}),
    ("refuse_service_no_implementation",
     {"Task_notify": 'a service task needs camunda:type="external" with a camunda:topic, or camunda:expression'}),
    ("refuse_send_task_no_implementation", {"Task_send": 'a send task needs camunda:type="external"'}),
    ("refuse_external_without_topic", {"Task_notify": 'camunda:type="external" needs a camunda:topic'}),
    ("refuse_external_message_event", {"Event_notify": "external tasks are supported on service and send tasks only"}),
    ("refuse_service_expression_hostile", {"Task_compute": "'__import__' is not allowed"}),
    ("refuse_input_script", {"Task_notify": "input parameter 'total' is a script: scripts in parameters are not supported"}),
    ("refuse_execution_listener_class",
     {"Task_compute": f"execution listener on 'start' (class 'org.example.AuditListener'): {LISTENERS}"}),
    ("refuse_execution_listener_expression", {"Task_compute": "execution listener on 'end' (expression "}),
    ("refuse_task_listener_script", {"Task_review": f"task listener on 'create' (groovy script): {LISTENERS}"}),
    ("refuse_script_groovy",
     {"Task_compute": "script format 'groovy' is not supported; scripts are restricted Python"}),
    ("refuse_script_resource", {"Task_compute": "write the script inline"}),
    ("refuse_condition_language", {"Flow_big": "condition language 'groovy' is not supported"}),
    ("refuse_data_store", {"DataStore_1": "data stores are not supported", "DataStoreReference_1": "data stores are not supported"}),
    ("refuse_data_input_unresolved", {"Task_compute": "data association 'DataInput_request' cannot be resolved"}),
    ("refuse_data_object_out_of_scope",
     {"Task_compute": "data object 'DataObject_case' (reference 'DataObjectReference_case') is not declared"}),
    ("refuse_conditional_event", {"Event_ready": "conditional events are not supported"}),
    ("refuse_compensation", {"Event_undo": "compensation is not supported", "Task_cancel": "compensation is not supported"}),
    ("refuse_complex_gateway", {"Gateway_merge": "complex gateways are not supported"}),
    ("refuse_ad_hoc_subprocess", {"Sub_adhoc": "ad-hoc subprocesses are not supported"}),
    ("refuse_link_events", {"Link_throw": "link events are not supported", "Link_catch": "link events are not supported"}),
    ("refuse_timer_empty", {"Event_wait": "a timer needs a timeDate, timeDuration or timeCycle"}),
    ("refuse_cron_time_date", {"Event_wait": "a cron expression is only valid in a timeCycle"}),
    ("refuse_cron_catch_event", {"Event_wait": "cron cycles run on timer start events only"}),
    ("refuse_subprocess_without_start", {"Sub_steps": "Exactly one start event is required"}),  # the library's words
    ("refuse_call_activity_version", {"Call_permit": "needs camunda:calledElementVersion as a whole number"}),
    ("refuse_schema_order", {"Task_compute": "Element 'bpmn:incoming': This element is not expected"}),  # the XSD's
    ("refuse_starter_users", {"refuse_starter_users": "use camunda:candidateStarterGroups"}),
    ("refuse_not_executable", {"refuse_not_executable": 'isExecutable="false"; set isExecutable="true"'}),
    ("refuse_two_processes", {"Process_office": 'set isExecutable="false" on all but the one to run',
                              "Process_field": 'set isExecutable="false" on all but the one to run'}),
]


@pytest.fixture
def admin(client, container):
    make_org_tree(container)
    make_user(container, "root", "admin")
    return ApiUser(client, "root")


def test_every_refusal_diagram_is_exercised():
    assert sorted(p.stem for p in DIAGRAMS.glob("refuse_*.bpmn")) == sorted(name for name, _ in REFUSALS)


@pytest.mark.timeout(30)  # the out-of-scope data object once hung SpiffWorkflow's parser
@pytest.mark.parametrize("name, expected", REFUSALS, ids=[name for name, _ in REFUSALS])
def test_a_construct_we_cannot_run_is_refused_naming_element_line_and_advice(admin, name, expected):
    resp = admin.upload((f"{name}.bpmn", (DIAGRAMS / f"{name}.bpmn").read_bytes()))
    assert resp.status_code == 400, resp.get_json()
    fields = resp.get_json()["error"]["fields"]
    assert set(fields) == set(expected), fields
    for element, words in expected.items():
        assert any(words in m and m.startswith("line ") for m in fields[element]), fields[element]


def test_what_camunda_modeler_writes_is_not_refused():
    """A Quartz cron timeCycle is a timer, not an expression; #{…} is ${…}; list and map
    parameters run."""
    parameters = ("<camunda:inputOutput><camunda:inputParameter name='areas'><camunda:list>"
                  "<camunda:value>#{district}</camunda:value></camunda:list></camunda:inputParameter>"
                  "</camunda:inputOutput>")
    body = (DATA / "timer_start_cycle.bpmn").read_text(encoding="utf-8")
    body = body.replace("R2/PT1S", "0 0 9 * * ?").replace(
        'camunda:candidateGroups="inspector"', "camunda:candidateGroups=\"#{'inspector'}\"").replace(
        "<bpmn:extensionElements><camunda:formData>", f"<bpmn:extensionElements>{parameters}<camunda:formData>")
    check_diagram(parse_process(body.encode(), filename="cron.bpmn", validate_schema=True), set())


def test_hash_expressions_are_checked_like_dollar_ones(admin):
    body = (DATA / "timer_start_cycle.bpmn").read_text(encoding="utf-8").replace(
        'camunda:candidateGroups="inspector"', "camunda:candidateGroups=\"#{__import__('os')}\"")
    resp = admin.upload(("hostile.bpmn", body.encode()))
    assert resp.status_code == 400
    assert any("'__import__' is not allowed" in m for m in resp.get_json()["error"]["fields"]["Task_patrol"])
