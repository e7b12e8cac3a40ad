"""The world the authorization matrix (tests/api/test_authz_matrix.py) probes: the demo's org tree
with one person per role in 东城区 (where every probed object lives) and one in 西城区, two
citizens with a case each, and one of everything a route's path names (a task, a citizen's step,
a document, a photo, an incident, an external task, a copy, a notification, an outbox message, a
notification rule, a saved filter, a bundle). Built once through the real API and services."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.bundles.store import bundle_by_key
from engine.models import User
from notifications.delivery import deliver_due
from tests.factories import files
from tests.factories.bundles import load_bundles
from tests.factories.directory import PASSWORD, make_user
from tests.factories.event_loop import PEOPLE, EventLoop, make_event_loop
from tests.factories.pages import csrf_of, sign_in_page
from tests.web.test_admin_pages import engine_troubles  # as tests/browser/test_admin.py does


@dataclass(frozen=True)
class Actor:
    """One caller of the matrix. ``side`` says where they work relative to the probed objects:
    "east" the same district (東城区, or the unit the work was routed through), "west" another
    district, None city-wide or nowhere."""
    name: str
    role: str | None
    unit: str | None = None
    side: str | None = None


EAST = dict(address="和平路12号", district="D-EAST", lat=39.915, lng=116.404)
WEST = dict(address="西单北大街1号", district="D-WEST", lat=39.913, lng=116.374)

ACTORS = (
    Actor("anonymous", None),
    Actor("zhang", "citizen"),                          # owns case A and its documents, photo, step
    Actor("liu", "citizen"),                            # owns case B; must never see A
    Actor("li", "operator", "CITY-12345", "east"),      # took case A in at the hotline
    Actor("op-west", "operator", "D-WEST", "west"),
    Actor("wang", "dispatcher", "CITY-12345", "east"),
    Actor("disp-west", "dispatcher", "D-WEST", "west"),
    Actor("zhao", "handler", "D-EAST-CG", "east"),      # case A's open 签收 is his
    Actor("xi", "handler", "D-WEST-CG", "west"),
    Actor("qian", "inspector", "D-EAST", "east"),
    Actor("insp-west", "inspector", "D-WEST", "west"),
    Actor("clerk-east", "clerk", "D-EAST", "east"),
    Actor("clerk-west", "clerk", "D-WEST", "west"),
    Actor("appr-east", "approver", "D-EAST", "east"),
    Actor("appr-west", "approver", "D-WEST", "west"),
    Actor("wu", "supervisor", "D-EAST", "east"),
    Actor("sup-west", "supervisor", "D-WEST", "west"),
    Actor("lead-east", "leader", "D-EAST", "east"),
    Actor("lead-west", "leader", "D-WEST", "west"),
    Actor("root", "admin"),
    Actor("iot", "sensor", "CITY-CG"),
    Actor("worker", "worker"),
)
BUNDLE = "birth_one_thing"
NOTIFICATION_RULE = {"process_key": "event_closed_loop", "event": "case.started", "message": "case_accepted",
                     "recipients": ["requester"], "channels": ["inapp"]}


@dataclass
class Caller:
    """An actor's two ways in: bearer headers for the API, a signed-in page client and its CSRF
    token for the pages (the anonymous caller has an unsigned client and no token)."""
    actor: Actor
    headers: dict
    pages: object
    csrf: str


@dataclass
class AuthzWorld:
    api: object                   # a client without cookies: the API knows callers by their bearer token
    callers: dict[str, Caller]
    ids: dict[str, object]        # path parameter values, by the world's name


def _caller(app, actor: Actor) -> Caller:
    pages = app.test_client()
    headers = {}
    if actor.role is not None:
        assert sign_in_page(pages, actor.name).status_code == 302, actor
        token = app.test_client().post("/api/v1/auth/token", json={"username": actor.name,
                                                                   "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    return Caller(actor, headers, pages, csrf_of(pages.get("/login").get_data(as_text=True)))


def make_authz_world(app, container) -> AuthzWorld:
    client = app.test_client()
    loop: EventLoop = make_event_loop(client, container)
    for actor in ACTORS:
        if actor.role is not None and actor.name not in PEOPLE:
            make_user(container, actor.name, actor.role, org_unit=actor.unit)
    ids: dict[str, object] = {}
    assert loop.client.put("/api/v1/notifications/preferences", headers=loop.user("zhang").headers,
                           json={"email": "zhang@example.cn"}).status_code == 200  # an outbox message for case A
    photo = files.upload_id(loop.user("zhang"), "p.jpg", files.jpeg_with_gps(), process_key="event_closed_loop",
                            field="photos")
    case_a = loop.report("zhang", title="A 暴露垃圾", channel="app", photos=[photo], **EAST)
    loop.advance("li", case_a["id"], "Task_preprocess", decision="accept")
    loop.advance("li", case_a["id"], "Task_classify", category="urban.appearance.exposed_rubbish",
                 grade="C", urgency="normal")
    case_b = loop.report("liu", title="B 占道经营", channel="app", **WEST)
    step = loop.report("zhang", title="E 已办结待评价", channel="app", **EAST)["id"]
    loop.advance("li", step, "Task_preprocess", decision="accept")
    loop.advance("li", step, "Task_classify", category="urban.appearance.exposed_rubbish", grade="C", urgency="normal")
    loop.advance("zhao", step, "Task_signfor", signfor="accept")
    loop.advance("zhao", step, "Task_handle", handle_action="done", result="已处置")
    loop.advance("qian", step, "Task_verify", verified=True)
    root, zhang, zhao = loop.admin, loop.user("zhang"), loop.user("zhao")
    own_view = loop.case(case_a["id"], "zhang")
    ids.update(case_id=case_a["id"], number=own_view["number"], query_code=own_view["query_code"],
               other_case=case_b["id"],
               task_id=loop.open_task(case_a["id"], "Task_signfor")["id"], attachment_id=photo,
               citizen_task=loop.open_task(step, "Task_evaluate")["id"],
               document_id=zhang.get(f"/cases/{step}/documents").get_json()[0]["id"], document_case=step)
    assert zhao.post(f"/tasks/{ids['task_id']}/cc", {"users": ["wu"], "note": "请关注"}).status_code == 201
    ids["copy_id"] = loop.user("wu").get("/cc").get_json()[0]["id"]
    deliver_due(container, "authz-matrix")
    ids["notification_id"] = zhao.get("/notifications").get_json()["items"][0]["id"]
    counts = root.get("/notifications/outbox").get_json()["counts"]  # no mail server here: held or dead
    status = next(name for name, count in counts.items() if count)
    ids["message_id"] = root.get(f"/notifications/outbox?status={status}").get_json()["items"][0]["id"]
    ids["rule_id"] = root.post("/notifications/rules", NOTIFICATION_RULE).get_json()["id"]
    ids["filter_id"] = zhao.post("/saved-filters", {"name": "急件", "query": {"sla_state": "warning"}}).get_json()["id"]
    with container.uow() as uow:
        clerk_id = uow.session.scalar(select(User.id).where(User.username == "clerk-east"))
    engine_troubles(container, clerk_id)
    ids["incident_id"] = root.get("/incidents").get_json()[0]["id"]
    ids["external_task"] = root.get("/external-tasks").get_json()[0]["id"]
    load_bundles(container, (BUNDLE,))
    with container.uow() as uow:
        ids["material"] = bundle_by_key(uow.session, BUNDLE).definition["materials"][0]["code"]
    return AuthzWorld(app.test_client(), {a.name: _caller(app, a) for a in ACTORS}, ids)

