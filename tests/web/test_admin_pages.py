"""The admin console through the test client: admins only, CSRF on every form, a refused diagram
shown against its elements with nothing stored, and users created (and audited) from the page."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from engine.models import AuditEvent, ProcessDefinition
from tests.conftest import DATA
from tests.factories.directory import PASSWORD, make_org_tree, make_user

GOOD = (DATA / "streetlight_repair.bpmn").read_bytes()
REFUSED = GOOD.replace(b'camunda:candidateGroups="dispatcher"', b'camunda:candidateGroups="wizard"')
PAGES = ["/admin", "/admin/processes", "/admin/processes/streetlight_repair/1", "/admin/users", "/admin/users/root",
         "/admin/org-units", "/admin/calendar", "/admin/catalogue", "/admin/incidents", "/admin/external-tasks",
         "/admin/audit"]
FORMS = ["/admin/processes", "/admin/processes/streetlight_repair/1/status", "/admin/users", "/admin/users/root",
         "/admin/users/root/active", "/admin/users/root/password", "/admin/org-units", "/admin/calendar/days",
         "/admin/calendar/confirm", "/admin/calendar/time-limits", "/admin/incidents/1/retry",
         "/admin/incidents/1/resolve"]


def _csrf(html: str) -> str:
    return re.search(r'name="(?:_csrf|csrf_token)" value="([^"]+)"', html).group(1)


def _field(html: str) -> str:
    return re.search(r'type="hidden" name="(_csrf|csrf_token)"', html).group(1)


def _login(client, username: str) -> dict:
    """Sign in through the login page; returns the CSRF form field for later posts."""
    html = client.get("/login").get_data(as_text=True)
    field = {_field(html): _csrf(html)}
    assert client.post("/login", data={**field, "username": username, "password": PASSWORD}).status_code == 302
    html = client.get("/login").get_data(as_text=True)  # signing in starts a fresh session: a new token
    return {_field(html): _csrf(html)}


@pytest.fixture
def world(client, container):
    make_org_tree(container)
    make_user(container, "root", "admin")
    make_user(container, "zhang", "citizen")
    make_user(container, "zhao", "handler", org_unit="D-EAST-CG")
    make_user(container, "wu", "supervisor", org_unit="D-EAST")
    from engine import services
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", GOOD)], None)
    return container


@pytest.mark.parametrize("username", ["zhang", "zhao", "wu"])
def test_everyone_but_admins_gets_403_on_every_admin_url(client, world, username):
    field = _login(client, username)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    for url in FORMS:
        assert client.post(url, data={**field, "reason": "x"}).status_code == 403, url


def test_signed_out_visitors_are_sent_to_the_login(client, world):
    assert client.get("/admin/users").status_code == 302


def test_every_page_renders_for_an_admin_and_forms_need_a_csrf_token(client, world):
    _login(client, "root")
    for url in PAGES:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert "csrf" in resp.get_data(as_text=True)
    for url in FORMS:
        assert client.post(url, data={"reason": "x"}).status_code == 400, url


def test_a_refused_diagram_shows_its_elements_and_stores_nothing(client, world):
    field = _login(client, "root")
    with world.session_factory() as s:
        before = s.scalar(select(func.count()).select_from(ProcessDefinition))
    resp = client.post("/admin/processes", data={**field, "bpmn": (io.BytesIO(REFUSED), "street.bpmn")},
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert '<code class="refused-element">Task_dispatch</code>' in html and "wizard" in html
    assert 'data-marked="[&#34;Task_dispatch&#34;]"' in html or "Task_dispatch&#34;" in html
    assert 'data-xml="' in html and "admin_diagram.js" in html
    with world.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ProcessDefinition)) == before
    broken = client.post("/admin/processes", data={**field, "bpmn": (io.BytesIO(b"<not xml"), "bad.bpmn")},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert "unclosed token" in broken and 'id="refused-diagram"' not in broken


def test_a_fixed_diagram_deploys_as_the_next_version_and_can_be_retired(client, world):
    field = _login(client, "root")
    fixed = GOOD.replace("路灯报修".encode(), "路灯报修（新）".encode())
    resp = client.post("/admin/processes", data={**field, "bpmn": (io.BytesIO(fixed), "street.bpmn")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/processes/streetlight_repair/2?created=1")
    assert client.post("/admin/processes/streetlight_repair/2/status",
                       data={**field, "action": "retire", "reason": ""}).status_code == 302
    assert "理由" in client.get("/admin/processes/streetlight_repair/2").get_data(as_text=True)
    client.post("/admin/processes/streetlight_repair/2/status", data={**field, "action": "retire", "reason": "错误版本"})
    html = client.get("/admin/processes?lang=en").get_data(as_text=True)
    assert "retired" in html
    with world.session_factory() as s:
        assert s.scalar(select(ProcessDefinition.status).where(ProcessDefinition.version == 2)) == "retired"


def test_creating_a_user_works_and_is_audited(client, world):
    field = _login(client, "root")
    refused = client.post("/admin/users", data={**field, "username": "li", "password": "short", "roles": ["operator"]})
    assert refused.status_code == 400 and "8" in refused.get_data(as_text=True)
    resp = client.post("/admin/users", data={**field, "username": "li", "display_name": "李四", "password": PASSWORD,
                                             "roles": ["operator", "dispatcher"], "org_unit": "D-EAST"})
    assert resp.status_code == 302
    assert "李四" in client.get("/admin/users?role=operator").get_data(as_text=True)
    with world.session_factory() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.created")
                        .order_by(AuditEvent.id.desc())).first()
        assert row.actor == "root" and row.detail["username"] == "li"
    assert client.post("/admin/users/li/active", data={**field, "active": "0"}).status_code == 302
    assert client.post("/admin/users/li/password", data={**field, "password": "another-pass-1"}).status_code == 302
    assert "已停用" in client.get("/admin/users/li").get_data(as_text=True) or \
        "disabled" in client.get("/admin/users/li?lang=en").get_data(as_text=True)
    assert "ok" in client.get("/admin/audit?lang=en").get_data(as_text=True).lower()


def engine_troubles(container, actor_id: int) -> None:
    """One case stopped on a failing script (an incident) and one waiting on an external task."""
    from engine import services
    from tests.factories.bpmn import diagram, end, flow, script, start
    external = '<bpmn:serviceTask id="notify" camunda:type="external" camunda:topic="sms-notify"/>'
    for key, body in (("bad_start", script("boom", "x = missing + 1")), ("notify_sms", external)):
        element = "boom" if key == "bad_start" else "notify"
        with container.uow() as uow:
            services.deploy(uow, [(f"{key}.bpmn", diagram(key, "\n".join([start(), body, end(),
                                                                          flow("start", element, "end")])))], None)
        with container.uow() as uow:
            services.start_case(uow, key, {}, actor_id)


def test_incidents_are_retried_and_resolved_and_external_tasks_grouped_by_topic(client, world):
    from tests.factories.directory import make_user as make
    engine_troubles(world, make(world, "starter", "clerk"))
    engine_troubles(world, make(world, "starter2", "clerk"))
    field = _login(client, "root")
    html = client.get("/admin/incidents").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r"/admin/incidents/(\d+)/retry", html)]
    assert "boom" in html and "missing" in html and len(ids) == 2
    assert client.post(f"/admin/incidents/{ids[0]}/retry", data={**field, "variables": "not json"}).status_code == 302
    assert "variables must be an object" in client.get("/admin/incidents?lang=en").get_data(as_text=True)
    client.post(f"/admin/incidents/{ids[0]}/retry", data={**field, "variables": '{"missing": 1}'})
    client.get("/admin/incidents?lang=zh")  # back to Chinese: a flash is worded when it is made
    client.post(f"/admin/incidents/{ids[1]}/resolve", data={**field, "reason": ""})
    assert "未执行：必须填写理由" in client.get("/admin/incidents").get_data(as_text=True)
    client.post(f"/admin/incidents/{ids[1]}/resolve", data={**field, "reason": "已线下处理"})
    assert "/retry" not in client.get("/admin/incidents").get_data(as_text=True)
    assert "已线下处理" in client.get("/admin/incidents?resolved=1").get_data(as_text=True)
    topics = client.get("/admin/external-tasks").get_data(as_text=True)
    assert "sms-notify" in topics and "2 个任务" in topics


def test_the_catalogue_and_the_deployed_dispatch_table(client, container):
    from tests.factories.event_loop import ORG_TREE, process_files
    from engine import services
    make_org_tree(container, ORG_TREE)
    make_user(container, "root", "admin")
    _login(client, "root")
    assert "尚未部署" in client.get("/admin/catalogue").get_data(as_text=True)
    with container.uow() as uow:
        services.deploy(uow, process_files(), None)
    html = client.get("/admin/catalogue").get_data(as_text=True)
    assert "暴露垃圾" in html and "urban.appearance.exposed_rubbish" in html
    assert "FIRST" in html and "&#34;D-EAST-CG&#34;" in html and "违法建设涉及多部门" in html


def test_calendar_days_years_time_limits_and_org_units(client, world):
    field = _login(client, "root")
    bad = client.post("/admin/calendar/days", data={**field, "day": "2027-13-40", "working": "0"})
    assert bad.status_code == 400 and "2027-10-01" in bad.get_data(as_text=True)
    assert client.post("/admin/calendar/days", data={**field, "day": "2027-10-01", "working": "0",
                                                     "note": "国庆"}).status_code == 302
    assert "未确认" in client.get("/admin/calendar").get_data(as_text=True)
    assert client.post("/admin/calendar/confirm", data={**field, "year": "1999"}).status_code == 400
    assert client.post("/admin/calendar/confirm", data={**field, "year": "2027"}).status_code == 302
    assert client.post("/admin/calendar/time-limits", data={**field, "process_key": "streetlight_repair",
                                                            "stage": "Task_dispatch", "limit": "soon"}).status_code == 400
    client.post("/admin/calendar/time-limits", data={**field, "process_key": "streetlight_repair",
                                                     "stage": "Task_dispatch", "limit": "2wh"})
    assert "2wh" in client.get("/admin/calendar").get_data(as_text=True)
    assert client.post("/admin/org-units", data={**field, "code": "D-EAST", "name": "重复", "kind": "district"}).status_code == 409
    client.post("/admin/org-units", data={**field, "code": "S-HEPING", "name": "和平街道", "kind": "street", "parent": "D-EAST"})
    assert "和平街道" in client.get("/admin/org-units").get_data(as_text=True)


def test_the_audit_check_names_the_first_bad_row(client, world):
    from sqlalchemy import text
    _login(client, "root")
    assert "完好" in client.get("/admin/audit").get_data(as_text=True)
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action = 'forged' WHERE seq = 2"))
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "在第 2 条" in html and "记录内容与其哈希不符" in html
