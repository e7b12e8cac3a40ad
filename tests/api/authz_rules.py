"""Who may call each route, as the authorization matrix (test_authz_matrix.py) checks it: one rule
per "METHOD rule" of the app's URL map, each naming a policy over the callers of
tests/factories/authz.py. Every probed object lives in 东城区 and belongs to the citizen zhang,
so "east" callers are the same org unit and "west" ones another; liu is another citizen.

A rule also says what to send. Denied callers get a body the route's schema accepts (``body`` or
``form``), so that their refusal comes from the access check and not from validation; allowed
callers get ``[]`` (API: no schema takes it) or the CSRF token alone (pages), which changes
nothing. A route whose every call changes state even so (a claim, a withdrawal, signing out) is
sent to its denied callers only (``denied_only``)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from tests.factories.authz import NOTIFICATION_RULE, Actor


class Policy:
    """A named predicate over callers; ``|`` is either, ``-`` all but."""

    def __init__(self, name: str, test: Callable[[Actor], bool]) -> None:
        self.name, self.test = name, test

    def __call__(self, actor: Actor) -> bool:
        return self.test(actor)

    def __or__(self, other: Policy) -> Policy:
        return Policy(f"{self.name}|{other.name}", lambda a: self(a) or other(a))

    def __sub__(self, other: Policy) -> Policy:
        return Policy(f"{self.name}-{other.name}", lambda a: self(a) and not other(a))

    def __repr__(self) -> str:
        return self.name


def role(*names: str, side: str | None = None) -> Policy:
    label = "/".join(names) + (f"@{side}" if side else "")
    return Policy(label, lambda a: a.role in names and (side is None or a.side == side))


def named(*names: str) -> Policy:
    return Policy("+".join(names), lambda a: a.name in names)


ANYONE = Policy("ANYONE", lambda a: True)
SIGNED_IN = Policy("SIGNED_IN", lambda a: a.role is not None)
MACHINES = role("sensor", "worker")
PEOPLE = SIGNED_IN - MACHINES
CITIZENS = role("citizen")
OWNER = named("zhang")                                    # the citizen who reported case A
STAFF = PEOPLE - CITIZENS
ADMIN = role("admin")
OVERSEERS = role("supervisor", "leader")
SUPERVISORS = role("supervisor")
EAST_SUPERVISOR = role("supervisor", side="east")
EAST_OVERSEERS = role("supervisor", "leader", side="east")
TASK_WORKER = named("zhao")                               # the candidate of case A's open 签收
TASK_SEERS = TASK_WORKER | EAST_OVERSEERS | ADMIN         # engine/permissions.py: can_see
CASE_STAFF = named("li") | TASK_SEERS                     # li took case A in at the hotline
CASE_VIEWERS = OWNER | CASE_STAFF
STEP_CASE_STAFF = named("li", "zhao", "qian") | EAST_OVERSEERS | ADMIN  # case E: handled and verified
SENDERS = SIGNED_IN - CITIZENS                            # README: messages and signals
STARTERS = role("citizen", "operator", "inspector", "sensor")            # event_closed_loop's starters


@dataclass(frozen=True)
class Rule:
    policy: Policy
    params: dict = field(default_factory=dict)  # path parameter → the world's id name or a literal
    body: object = None                          # JSON for denied API callers
    form: dict | None = None                     # fields for denied page callers (besides the CSRF token)
    query: str = ""                              # added to the address, "{name}" filled from the world
    denied_only: bool = False
    sends_to: str = ""       # a page that refuses by sending the caller here with a message (no 403)
    costly: bool = False     # a PDF or a big page: its allowed cells are probed with one caller only
    sees: Policy | None = None  # denied callers who may see the object anyway: a 400 or 409 from them is
                                # the service judging the input or the state before the caller (reported)


R = Rule
FILE = "a file part"  # denied callers send a multipart body with one small file
REASON = {"reason": "核实"}
EXTERNAL = {"task_id": "external_task"}
STEP = {"task_id": "citizen_task"}
DOCUMENT = {"case_id": "document_case"}

API = {
    "POST /api/v1/attachments": R(SIGNED_IN),
    "GET /api/v1/attachments/<attachment_id>": R(CASE_VIEWERS),
    "GET /api/v1/attachments/<attachment_id>/meta": R(CASE_VIEWERS),
    "POST /api/v1/auth/token": R(ANYONE),
    "GET /api/v1/bundles": R(ANYONE),
    "POST /api/v1/bundles": R(ADMIN, body=FILE),
    "POST /api/v1/bundles/<key>/eligibility": R(ADMIN, body=FILE),
    "POST /api/v1/bundles/<key>/guide": R(ANYONE),
    "GET /api/v1/bundles/<key>/materials/<code>/<any(blank, sample):kind>.pdf": R(ANYONE, costly=True),
    "GET /api/v1/bundles/<key>/notice.pdf": R(ANYONE, costly=True),
    "GET /api/v1/bundles/<key>/questionnaire": R(ANYONE),
    "GET /api/v1/calendar/add": R(SIGNED_IN),
    "POST /api/v1/calendar/days": R(ADMIN, body={"days": [{"day": "2026-12-26", "working": True}]}),
    "GET /api/v1/calendar/years": R(SIGNED_IN),
    "POST /api/v1/calendar/years/<int:year>/confirm": R(ADMIN),
    "POST /api/v1/cases": R(STARTERS, body={"process_key": "event_closed_loop", "data": {"title": "x"}}),
    "GET /api/v1/cases": R(SIGNED_IN),
    "GET /api/v1/cases/<int:case_id>": R(CASE_VIEWERS),
    "GET /api/v1/cases/<int:case_id>/documents": R(CASE_VIEWERS),
    "POST /api/v1/cases/<int:case_id>/resume": R(EAST_SUPERVISOR | ADMIN, body=REASON),
    "POST /api/v1/cases/<int:case_id>/suspend": R(EAST_SUPERVISOR | ADMIN, body=REASON),
    "POST /api/v1/cases/<int:case_id>/terminate": R(EAST_SUPERVISOR | ADMIN, body=REASON),
    "POST /api/v1/cases/<int:case_id>/urge": R(EAST_SUPERVISOR | ADMIN, body=REASON),
    "GET /api/v1/cc": R(SIGNED_IN),
    "POST /api/v1/cc/<int:copy_id>/read": R(named("wu")),
    "GET /api/v1/command-mode": R(OVERSEERS),
    "POST /api/v1/command-mode": R(OVERSEERS, body={"mode": "normal", **REASON}),
    "GET /api/v1/documents/<int:document_id>": R(OWNER | STEP_CASE_STAFF),
    "GET /api/v1/external-tasks": R(ADMIN),
    "POST /api/v1/external-tasks/<int:task_id>/bpmn-error": R(MACHINES | ADMIN, EXTERNAL,
                                                               body={"worker_id": "w", "error_code": "E"}),
    "POST /api/v1/external-tasks/<int:task_id>/complete": R(MACHINES | ADMIN, EXTERNAL, body={"worker_id": "w"}),
    "POST /api/v1/external-tasks/<int:task_id>/extend-lock": R(MACHINES | ADMIN, EXTERNAL,
                                                                body={"worker_id": "w", "new_duration_ms": 1000}),
    "POST /api/v1/external-tasks/<int:task_id>/failure": R(MACHINES | ADMIN, EXTERNAL,
                                                            body={"worker_id": "w", "error_message": "x", "retries": 0}),
    "POST /api/v1/external-tasks/fetch-and-lock": R(MACHINES | ADMIN, body={
        "worker_id": "w", "max_tasks": 1, "topics": [{"topic_name": "none", "lock_duration_ms": 1000}]}),
    "GET /api/v1/incidents": R(SUPERVISORS | ADMIN),
    "POST /api/v1/incidents/<int:incident_id>/resolve": R(ADMIN, body=REASON),
    "POST /api/v1/incidents/<int:incident_id>/retry": R(ADMIN, body={}),
    "GET /api/v1/kpis": R(OVERSEERS | ADMIN),
    "GET /api/v1/kpis.csv": R(OVERSEERS | ADMIN),
    "GET /api/v1/kpis.xlsx": R(OVERSEERS | ADMIN),
    "POST /api/v1/messages": R(SENDERS, body={"message_name": "nothing"}),
    "POST /api/v1/signals": R(SENDERS, body={"signal_name": "nothing"}),
    "GET /api/v1/notifications": R(SIGNED_IN),
    "POST /api/v1/notifications/<int:notification_id>/read": R(named("zhao")),
    "GET /api/v1/notifications/outbox": R(ADMIN),
    "POST /api/v1/notifications/outbox/<int:message_id>/retry": R(ADMIN),
    "GET /api/v1/notifications/preferences": R(SIGNED_IN),
    "PUT /api/v1/notifications/preferences": R(SIGNED_IN),
    "POST /api/v1/notifications/read": R(SIGNED_IN),
    "GET /api/v1/notifications/rules": R(ADMIN),
    "POST /api/v1/notifications/rules": R(ADMIN, body=NOTIFICATION_RULE),
    "PUT /api/v1/notifications/rules/<int:rule_id>": R(ADMIN, body=NOTIFICATION_RULE),
    "DELETE /api/v1/notifications/rules/<int:rule_id>": R(ADMIN, denied_only=True),
    "GET /api/v1/openapi.json": R(ANYONE),
    "POST /api/v1/org-units": R(ADMIN, body={"code": "X", "name": "x", "kind": "street", "parent": "D-EAST"}),
    "GET /api/v1/org-units": R(SIGNED_IN),
    "GET /api/v1/processes": R(SIGNED_IN),
    "POST /api/v1/processes": R(ADMIN, body=FILE),
    "GET /api/v1/processes/<key>": R(SIGNED_IN),
    "GET /api/v1/processes/<key>/bpmn": R(SIGNED_IN),
    "POST /api/v1/processes/<key>/versions/<int:version>/activate": R(ADMIN, body=REASON),
    "GET /api/v1/processes/<key>/versions/<int:version>/bpmn": R(SIGNED_IN),
    "POST /api/v1/processes/<key>/versions/<int:version>/retire": R(ADMIN, body=REASON, denied_only=True),
    "GET /api/v1/public/cases/<number>": R(ANYONE, query="code={query_code}"),
    "GET /api/v1/saved-filters": R(SIGNED_IN),
    "POST /api/v1/saved-filters": R(SIGNED_IN),
    "DELETE /api/v1/saved-filters/<int:filter_id>": R(named("zhao"), denied_only=True),
    "GET /api/v1/supervision/board": R(OVERSEERS),
    "GET /api/v1/tasks": R(SIGNED_IN),
    "GET /api/v1/tasks/<int:task_id>": R(TASK_SEERS),
    "POST /api/v1/tasks/<int:task_id>/add-signers": R(TASK_WORKER | EAST_SUPERVISOR, body={"users": ["zhao"], "position": "after", **REASON}),
    "POST /api/v1/tasks/<int:task_id>/cc": R(TASK_SEERS, body={"users": ["wu"]}),
    "POST /api/v1/tasks/<int:task_id>/claim": R(TASK_WORKER, denied_only=True),
    "POST /api/v1/tasks/<int:task_id>/complete": R(TASK_WORKER, body={"data": {}}),
    "POST /api/v1/tasks/<int:task_id>/delegate": R(TASK_WORKER, body={"to_user": "xi", "reason": "x"}),
    "POST /api/v1/tasks/<int:task_id>/extend": R(TASK_WORKER | EAST_SUPERVISOR | ADMIN,  # asked or granted
                                                  body={"working_days": 1, **REASON}),
    "POST /api/v1/tasks/<int:task_id>/extension": R(EAST_SUPERVISOR | ADMIN, body={"decision": "grant", **REASON}),
    "POST /api/v1/tasks/<int:task_id>/force-complete": R(EAST_SUPERVISOR | ADMIN, body={"data": {}, **REASON}),
    "POST /api/v1/tasks/<int:task_id>/reassign": R(EAST_SUPERVISOR | ADMIN, body={"to_user": "zhao", **REASON}),
    "POST /api/v1/tasks/<int:task_id>/remove-signers": R(TASK_WORKER | EAST_SUPERVISOR, body={"users": ["zhao"], **REASON}),
    "POST /api/v1/tasks/<int:task_id>/resolve": R(TASK_WORKER, body={}, sees=TASK_SEERS),
    "POST /api/v1/tasks/<int:task_id>/return": R(TASK_WORKER, body=REASON),
    "GET /api/v1/tasks/<int:task_id>/return-targets": R(TASK_WORKER),
    "POST /api/v1/tasks/<int:task_id>/transfer": R(TASK_WORKER, body={"to_user": "xi", "reason": "x"}),
    "POST /api/v1/tasks/<int:task_id>/unclaim": R(TASK_WORKER, denied_only=True, sees=TASK_SEERS),
    "POST /api/v1/tasks/<int:task_id>/withdraw": R(named("li"), body=REASON, denied_only=True),
    "GET /api/v1/time-limits": R(ADMIN),
    "POST /api/v1/time-limits": R(ADMIN, body={"process_key": "event_closed_loop", "stage": "Task_handle",
                                               "limit": "1wd"}),
    "POST /api/v1/users": R(ADMIN, body={"username": "new", "password": "x" * 12, "roles": ["citizen"]}),
    "GET /api/v1/users": R(ADMIN),
    "GET /api/v1/users/<username>": R(ADMIN),
    "PATCH /api/v1/users/<username>": R(ADMIN, body={"display_name": "x"}),
    "POST /api/v1/users/<username>/password": R(ADMIN, body={"password": "x" * 12}),
}

PAGES = {
    "GET /": R(SIGNED_IN),  # everyone's own inbox
    "POST /account/large-text": R(ANYONE),  # a display preference kept in the session
    "GET /account/notifications": R(SIGNED_IN),
    "POST /account/notifications": R(SIGNED_IN),
    "GET /account/profile": R(SIGNED_IN),
    "POST /account/profile": R(SIGNED_IN),
    "GET /api/docs": R(ANYONE),
    "GET /cases/<int:case_id>": R(CASE_STAFF, sends_to="/my/cases/"),  # citizens: their own page
    "GET /cases/<int:case_id>/diagram.json": R(CASE_VIEWERS),
    "GET /cases/<int:case_id>/documents/<int:document_id>.pdf": R(OWNER | STEP_CASE_STAFF, DOCUMENT),
    "POST /cases/<int:case_id>/tasks/<int:task_id>/withdraw": R(named("li"), denied_only=True),
    "GET /cockpit": R(OVERSEERS | ADMIN),
    "GET /cockpit/kpis.<any(csv, xlsx):kind>": R(OVERSEERS | ADMIN, {"kind": "csv"}),
    "GET /cockpit/trends": R(OVERSEERS | ADMIN),
    "GET /files/<attachment_id>": R(CASE_VIEWERS),
    "GET /inbox/rows": R(SIGNED_IN),
    "GET /login": R(ANYONE),
    "POST /login": R(ANYONE, denied_only=True),  # a wrong password is 401, as it should be
    "POST /logout": R(ANYONE, denied_only=True),
    "GET /my": R(SIGNED_IN),
    "GET /my/cases/<int:case_id>": R(OWNER, sends_to="/cases/"),  # staff: the case's staff page
    "POST /my/following/<int:case_id>": R(CITIZENS, denied_only=True),
    "GET /my/tasks/<int:task_id>": R(OWNER, STEP),
    "POST /my/tasks/<int:task_id>": R(OWNER, STEP, denied_only=True),
    "POST /my/uploads": R(CITIZENS),
    "GET /notifications": R(SIGNED_IN),
    "GET /notifications/<int:notification_id>": R(named("zhao")),
    "POST /notifications/<int:notification_id>/read": R(named("zhao")),
    "POST /notifications/read": R(SIGNED_IN),
    "GET /register": R(ANYONE),
    "POST /register": R(ANYONE),
    "GET /report": R(CITIZENS),
    "POST /report": R(CITIZENS),
    "GET /report/<number>/receipt": R(OWNER),
    "GET /report/nearby": R(CITIZENS, query="lat=39.915&lng=116.404"),
    "GET /reports/": R(OVERSEERS | ADMIN),
    "GET /reports/<kind>/<period>": R(OVERSEERS | ADMIN, {"kind": "monthly", "period": "2026-10"}),
    "GET /reports/<kind>/<period>.pdf": R(OVERSEERS | ADMIN, {"kind": "monthly", "period": "2026-10"}, costly=True),
    "POST /reports/subscription": R(OVERSEERS),
    "POST /saved-filters": R(SIGNED_IN),
    "POST /saved-filters/<int:filter_id>/delete": R(named("zhao"), denied_only=True),
    "GET /services": R(ANYONE),
    "GET /services/<key>/apply": R(CITIZENS),
    "POST /services/<key>/apply": R(CITIZENS),
    "GET /services/<key>/guide": R(ANYONE),
    "GET /services/<key>/questionnaire": R(ANYONE),
    "POST /services/<key>/questionnaire": R(ANYONE),
    "GET /services/<key>/receipt/<int:case_id>": R(OWNER),
    "GET /status": R(ANYONE),
    "GET /status/<number>": R(ANYONE, query="code={query_code}"),
    "GET /supervise/": R(OVERSEERS),
    "POST /supervise/cases/<int:case_id>/action": R(EAST_SUPERVISOR, form={"task_id": "{task_id}", "action": "urge",
                                                                             "case_reason": "核实"}),
    "GET /supervise/command-mode": R(OVERSEERS),
    "POST /supervise/command-mode": R(OVERSEERS),
    "GET /supervise/escalations": R(OVERSEERS),
    "GET /supervise/incidents": R(SUPERVISORS),
    "GET /supervise/tasks": R(OVERSEERS),
    "GET /supervise/tasks/<int:task_id>": R(EAST_OVERSEERS),
    "POST /supervise/tasks/<int:task_id>/extension": R(EAST_SUPERVISOR, form={"decision": "grant",
                                                                              "extension_reason": "核实"}),
    "POST /supervise/tasks/<int:task_id>/force-complete": R(EAST_SUPERVISOR, form={"force_reason": "核实"}),
    "POST /supervise/tasks/<int:task_id>/reassign": R(EAST_SUPERVISOR, form={"to_user": "zhao", "reassign_reason": "核实"}),
    "GET /tasks/<int:task_id>": R(TASK_SEERS, sends_to="/my/tasks/"),  # citizens: their own step's page
    "POST /tasks/<int:task_id>/claim": R(TASK_WORKER, denied_only=True, sends_to="/"),  # a flash message
    "POST /tasks/<int:task_id>/complete": R(TASK_WORKER),
}
TASK_OPERATIONS = ("take", "return", "transfer", "delegate", "add-signers", "remove-signers", "copy", "extend")
PAGES['POST /tasks/<int:task_id>/<any("take", "return", "transfer", "delegate", "add-signers", '
      '"remove-signers", "copy", "extend"):op>'] = R(TASK_WORKER, {"op": TASK_OPERATIONS}, sees=TASK_SEERS)

ADMIN_PAGES = (
    "GET /admin", "GET /admin/", "GET /admin/audit", "GET /admin/calendar", "POST /admin/calendar/confirm",
    "POST /admin/calendar/days", "POST /admin/calendar/time-limits", "GET /admin/catalogue",
    "GET /admin/external-tasks", "GET /admin/incidents", "POST /admin/incidents/<int:incident_id>/resolve",
    "POST /admin/incidents/<int:incident_id>/retry", "GET /admin/notifications/outbox",
    "POST /admin/notifications/outbox/<int:message_id>/retry", "GET /admin/notifications/rules",
    "POST /admin/notifications/rules", "GET /admin/notifications/rules/<int:rule_id>",
    "POST /admin/notifications/rules/<int:rule_id>", "GET /admin/notifications/rules/new", "GET /admin/org-units",
    "POST /admin/org-units", "GET /admin/processes", "POST /admin/processes", "GET /admin/processes/<key>/<int:version>",
    "GET /admin/users", "POST /admin/users", "GET /admin/users/<username>", "POST /admin/users/<username>",
)
ADMIN_PAGES_THAT_CHANGE_STATE = (  # even with nothing but the CSRF token
    "POST /admin/notifications/rules/<int:rule_id>/delete", "POST /admin/processes/<key>/<int:version>/status",
    "POST /admin/users/<username>/active", "POST /admin/users/<username>/password",
)
PAGES |= {key: R(ADMIN) for key in ADMIN_PAGES}
PAGES |= {key: R(ADMIN, denied_only=True) for key in ADMIN_PAGES_THAT_CHANGE_STATE}

# Leaders change nothing but the command mode and their subscription (SECURITY.md): every other
# POST, PUT, PATCH and DELETE refuses them, whatever its policy says of everyone else.
LEADERS_MAY = ("POST /api/v1/command-mode", "POST /supervise/command-mode", "POST /reports/subscription",
               "POST /account/large-text", "POST /account/notifications", "POST /account/profile",
               "POST /login", "POST /logout", "POST /register", "POST /notifications/read",
               "POST /notifications/<int:notification_id>/read", "POST /api/v1/notifications/read",
               "PUT /api/v1/notifications/preferences", "POST /api/v1/auth/token",
               "POST /api/v1/cc/<int:copy_id>/read")
RULES: dict[str, Rule] = {
    key: rule if key.startswith("GET ") or key in LEADERS_MAY else replace(rule, policy=rule.policy - role("leader"))
    for key, rule in (API | PAGES).items()}

# Files, not views: the app's static folders and the vendored front-end libraries.
UNGUARDED = ("GET /static/<path:filename>", "GET /vendor/<path:filename>", "GET /account/static/<path:filename>",
             "GET /cockpit/static/<path:filename>", "GET /reports/static/<path:filename>",
             "GET /supervise/static/<path:filename>")

# Path parameters every rule fills alike, unless its own ``params`` say otherwise.
DEFAULT_PARAMS = {"key": "event_closed_loop", "version": 1, "username": "zhang", "year": 2026, "kind": "blank",
                  "code": "material"}
BUNDLE_ROUTES = ("/api/v1/bundles/<key>", "/services/<key>")
