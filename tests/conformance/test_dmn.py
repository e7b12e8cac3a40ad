"""DMN decision tables as Camunda 7 users expect them, through the API alone: every hit policy,
every camunda:mapDecisionResult, required-decision chains, FEEL unary tests, a failing decision
as an incident that names it, and the uploads refused with the element and line at fault; plus
one engine-level check that a stored table today's checks would refuse fails loudly at run time.

Most tests start dmn_decide.bpmn (start form → businessRuleTask → a clerk's review) with the
task pointed at one decision of dmn_hit_policies.dmn, whose four rules all match differently:
for amount 600 in category "market", R1 (fee 10, low), R2 (50, high) and R3 (30, medium) match."""
from __future__ import annotations

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.bpmn.loader import parse_process
from engine.bpmn.script_engine import SCRIPT_ENGINE
from tests.conformance.invariant import assert_not_stuck
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_user

DIAGRAMS = DATA / "conformance"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
MARKET_600 = {"title": "摊位许可", "amount": 600, "category": "market", "district": "D-EAST"}
R1, R2, R3 = {"fee": 10, "level": "low"}, {"fee": 50, "level": "high"}, {"fee": 30, "level": "medium"}


@pytest.fixture
def users(client, container):
    for username, role in [("root", "admin"), ("zhang", "citizen"), ("li", "clerk")]:
        make_user(container, username, role)
    return {name: ApiUser(client, name) for name in ("root", "zhang", "li")}


def _file(name: str) -> tuple[str, bytes]:
    return name, (DIAGRAMS / name).read_bytes()


def line_of(file: tuple[str, bytes], element_id: str) -> int:
    lines = file[1].decode().splitlines()
    return next(n for n, text in enumerate(lines, 1) if f'id="{element_id}"' in text)


def decide_diagram(decision_ref: str | None, result_variable: str | None = "result",
                   mapping: str | None = None) -> tuple[str, bytes]:
    """dmn_decide.bpmn with its businessRuleTask's camunda attributes set (None: removed)."""
    tree = etree.fromstring(_file("dmn_decide.bpmn")[1]).getroottree()
    task = tree.xpath("//*[@id='Task_decide']")[0]
    for name, value in (("decisionRef", decision_ref), ("resultVariable", result_variable),
                        ("mapDecisionResult", mapping)):
        if value is None:
            task.attrib.pop(CAMUNDA + name, None)
        else:
            task.set(CAMUNDA + name, value)
    return "dmn_decide.bpmn", etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def deploy(users, *files: tuple[str, bytes]) -> None:
    resp = users["root"].upload(*files)
    assert resp.status_code == 201, resp.get_json()


def run_case(users, process_key: str, data: dict) -> dict:
    """Start a case, let the clerk complete its review if it has one; the case as it ended."""
    resp = users["zhang"].post("/cases", {"process_key": process_key, "data": data})
    assert resp.status_code == 201, resp.get_json()
    case = resp.get_json()
    for task in case["tasks"]:
        assert task["element_id"] == "Task_review"
        assert users["li"].post(f"/tasks/{task['id']}/claim").status_code == 200
        done = users["li"].post(f"/tasks/{task['id']}/complete", {"data": {"confirmed": True}})
        assert done.status_code == 200, done.get_json()
    final = users["root"].get(f"/cases/{case['id']}").get_json()
    assert final["status"] == "completed" and final["incidents"] == [], final
    return final


def decide(users, decision_ref: str, mapping: str | None = None, *cases: dict, result_variable: str | None = "result",
           dmn: tuple[str, ...] = ("dmn_hit_policies.dmn",)) -> list[dict]:
    """Deploy dmn_decide.bpmn pointed at ``decision_ref`` and run one case per data dict
    (default: MARKET_600); the data each case ended with."""
    deploy(users, decide_diagram(decision_ref, result_variable, mapping), *[_file(name) for name in dmn])
    return [run_case(users, "dmn_decide", data)["data"] for data in cases or [MARKET_600]]


def results(users, decision_ref: str, mapping: str | None = None, *cases: dict, **kw) -> list[object]:
    return [data["result"] for data in decide(users, decision_ref, mapping, *cases, **kw)]


def incident(users, decision_ref: str, mapping: str) -> dict:
    """The one incident a MARKET_600 case opens at the businessRuleTask, and the case."""
    deploy(users, decide_diagram(decision_ref, mapping=mapping), _file("dmn_hit_policies.dmn"))
    resp = users["zhang"].post("/cases", {"process_key": "dmn_decide", "data": MARKET_600})
    assert resp.status_code == 201, resp.get_json()
    case = users["root"].get(f"/cases/{resp.get_json()['id']}").get_json()
    [opened] = case["incidents"]
    assert opened["element_id"] == "Task_decide" and opened["kind"] == "decision"
    assert case["status"] == "running" and "result" not in case["data"]
    return opened


def refusal(users, *files: tuple[str, bytes]) -> dict:
    resp = users["root"].upload(*files)
    assert resp.status_code == 400, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == "diagram_invalid"
    return error["fields"]


NO_MATCH = {**MARKET_600, "amount": None, "category": None}
ONLY_R1 = {**MARKET_600, "amount": 100, "category": "park"}


# --- hit policies ------------------------------------------------------------------------------

def test_unique_returns_the_one_matching_rule(users):
    assert results(users, "fee_unique", "singleResult", ONLY_R1) == [R1]


def test_unique_with_several_matches_is_an_incident_naming_the_decision_and_the_rules(users):
    assert "decision 'fee_unique' has hit policy UNIQUE, but rules 'R1', 'R2', 'R3' all match" \
        in incident(users, "fee_unique", "singleResult")["message"]


def test_first_returns_the_first_matching_rule(users):
    assert results(users, "fee_first", "resultList") == [[R1]]


def test_priority_returns_the_match_whose_output_comes_first_in_the_output_values(users):
    # level's output values are "high","medium","low": R2 (high) wins over R1 and R3.
    assert results(users, "fee_priority", "singleResult") == [R2]


def test_any_returns_the_outputs_the_matching_rules_agree_on(users):
    assert results(users, "fee_any", "resultList") == [[{"outcome": "ok"}]]  # A1 and A2 match, both "ok"


def test_collect_returns_every_match_in_rule_order(users):
    assert results(users, "fee_collect", "resultList") == [[{"fee": 10}, {"fee": 50}, {"fee": 30}]]


@pytest.mark.parametrize("decision, expected, nothing", [
    ("fee_sum", 90, None), ("fee_min", 10, None), ("fee_max", 50, None), ("fee_count", 3, 0)])
def test_collect_aggregates(users, decision, expected, nothing):
    assert results(users, decision, "singleEntry", MARKET_600, NO_MATCH) == [expected, nothing]


def test_rule_order_returns_every_match_in_rule_order(users):
    assert results(users, "fee_rule_order", "resultList") == [[R1, R2, R3]]


def test_output_order_returns_every_match_by_output_value_priority(users):
    assert results(users, "fee_output_order", "resultList") == [[R2, R3, R1]]


# --- camunda:mapDecisionResult -----------------------------------------------------------------

def test_single_entry_stores_the_one_value_or_null(users):
    assert results(users, "fee_any", "singleEntry", MARKET_600, NO_MATCH) == ["ok", None]


def test_single_entry_of_several_matches_is_an_incident(users):
    assert "decision 'fee_collect' matched 3 rules, but camunda:mapDecisionResult 'singleEntry' takes at most one" \
        in incident(users, "fee_collect", "singleEntry")["message"]


def test_single_result_stores_the_outputs_of_the_one_rule_or_null(users):
    assert results(users, "fee_first", "singleResult", MARKET_600, NO_MATCH) == [R1, None]


def test_collect_entries_stores_one_value_per_rule(users):
    assert results(users, "fee_collect", "collectEntries", MARKET_600, NO_MATCH) == [[10, 50, 30], []]


def test_result_list_stores_a_list_of_outputs_even_for_one_or_no_rule(users):
    assert results(users, "fee_unique", "resultList", ONLY_R1, NO_MATCH) == [[R1], []]


def test_without_a_mapping_the_result_is_a_result_list_as_in_camunda(users):
    assert results(users, "fee_any") == [[{"outcome": "ok"}]]
    assert results(users, "fee_first") == [[R1]]


def test_without_a_result_variable_the_outputs_are_merged_into_the_case_data(users):
    [first] = decide(users, "fee_first", result_variable=None)
    assert (first["fee"], first["level"]) == (10, "low") and "result" not in first
    [collected] = decide(users, "fee_collect", result_variable=None)
    assert collected["fee"] == [10, 50, 30]


# --- required decisions and FEEL ---------------------------------------------------------------

@pytest.mark.parametrize("amount, category, risk, reviewed", [
    (2000, "market", "high", True),    # score 5 × weight 2 = 10
    (2000, "park", "medium", False),   # 5 × 1: no product rule, but applicant_score is 5
    (100, "park", "low", False),
])
def test_required_decisions_are_evaluated_first_and_feed_the_decision(users, container, amount, category, risk,
                                                                      reviewed):
    deploy(users, _file("dmn_chain.bpmn"), _file("dmn_chain.dmn"))
    case = run_case(users, "dmn_chain", {"title": "风险评估", "amount": amount, "category": category})
    assert case["data"]["risk"] == risk
    assert not {"score", "weight", "applicant_score"} & set(case["data"])  # the chain's own context
    steps = [h["task"] for h in case["history"] if h["action"] == "task.completed"]
    assert steps == (["Review the risk"] if reviewed else [])
    assert_not_stuck(container, case["id"])


PERMIT_TAGS = [  # amount, category, district → the tags of every matching rule, in rule order
    (5, "market", None, ["small", "tiny", "public: market", "no district"]),
    (250, "park", "D-EAST", ["mid", "boundary", "east"]),
    (1000, "lake", "D-WEST", ["mid", "boundary", "at least a thousand", "other category"]),
    (1001, "park", "D-WEST", ["large", "at least a thousand"]),
    (7000, "street", None, ["huge", "at least a thousand", "public: street", "no district"]),
]


def test_feel_comparisons_ranges_lists_negation_and_null(users):
    # permit_tags is in the second DMN file: every decision of every uploaded file is available.
    cases = [{"title": "许可", "amount": a, "category": c, "district": d} for a, c, d, _ in PERMIT_TAGS]
    assert results(users, "permit_tags", "collectEntries", *cases, dmn=("dmn_hit_policies.dmn", "dmn_feel.dmn")) \
        == [tags for *_, tags in PERMIT_TAGS]


# --- refused at upload -------------------------------------------------------------------------

def test_a_business_rule_task_without_decision_ref_is_refused_miwg_c_7_0(users):
    fields = refusal(users, _file("dmn_miwg_c70_business_rule.bpmn"))
    task = "_eae674ce-4d6e-48ac-819c-c79e0868e40d"
    [message] = fields[task]
    assert message.startswith(f"line {line_of(_file('dmn_miwg_c70_business_rule.bpmn'), task)}:"
                              " no camunda:decisionRef")


def test_a_decision_ref_that_no_uploaded_dmn_defines_is_refused_with_the_known_ids(users):
    diagram = decide_diagram("fee_nope")
    [message] = refusal(users, diagram, _file("dmn_hit_policies.dmn"))["Task_decide"]
    assert message.startswith(f"line {line_of(diagram, 'Task_decide')}:"
                              " camunda:decisionRef 'fee_nope' names no decision")
    assert "known decisions: fee_unique, fee_first, fee_priority" in message
    assert "known decisions: none" in refusal(users, decide_diagram("fee_first"))["Task_decide"][0]


def test_unreadable_feel_entries_and_unknown_hit_policies_are_refused_naming_decision_rule_and_text(users):
    fields = refusal(users, decide_diagram("bad_entry"), _file("dmn_refused.dmn"))
    assert fields["bad_entry"] == [
        "line 19: table1.dmn: decision 'bad_entry', rule 'R_bad_in', input entry '[1..':"
        " a range is not closed: end it with ']' or ')'",
        "line 42: table1.dmn: decision 'bad_entry', rule 'R_bad_out', output entry '\"unclosed':"
        " a string is not closed: add the missing '\"'"]
    [policy] = fields["bad_policy"]
    assert policy.startswith("line 49: table1.dmn: decision 'bad_policy': unknown hit policy 'SOMETIMES'")


@pytest.mark.parametrize("mapping, result_variable, message", [
    ("singleEntry", "result", "camunda:mapDecisionResult 'singleEntry' needs a decision with one output;"
                              " 'fee_first' has 2"),
    ("firstOne", "result", "camunda:mapDecisionResult 'firstOne' is not one of singleEntry, singleResult,"
                           " collectEntries, resultList"),
    ("resultList", None, "camunda:mapDecisionResult needs camunda:resultVariable"),
    (None, "my result", "camunda:resultVariable 'my result' is not a usable variable name"),
])
def test_result_mappings_that_cannot_work_are_refused(users, mapping, result_variable, message):
    diagram = decide_diagram("fee_first", result_variable, mapping)
    [refused] = refusal(users, diagram, _file("dmn_hit_policies.dmn"))["Task_decide"]
    assert refused.startswith(f"line {line_of(diagram, 'Task_decide')}: {message}")


def test_a_stored_table_that_todays_checks_refuse_fails_loudly_instead_of_never_matching():
    # Definitions stored before these checks are parsed again at run time: a refused entry must
    # stop the case with the reason, not quietly match nothing.
    parsed = parse_process(decide_diagram("bad_entry")[1], [_file("dmn_refused.dmn")[1]], "dmn_decide.bpmn")
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=SCRIPT_ENGINE)
    workflow.get_tasks()[0].data.update(MARKET_600)
    with pytest.raises(WorkflowTaskException, match=r"rule 'R_bad_in', input entry '\[1\.\.': a range is not"
                                                    r" closed.* \(line 19 of table1.dmn\)"):
        workflow.do_engine_steps()
