"""Issue #16 §5: schemathesis against /api/v1/openapi.json, in process, as an admin and as a
citizen, on a world where every path parameter has a real value (tests/factories/authz.py), so
that requests reach the views and not only their 404s. No request may be answered with a 5xx,
and every answer must be what the document says: a documented status, a documented media type,
a body that validates against the documented schema.

Bounded for CI: a fixed number of examples per operation and caller, derandomized (the same
cases on every run), no example database, no shrinking (a failure prints its request instead).
State-changing operations run too; the module's world is its own, on a wiped database."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance)

from sqlalchemy import delete, insert, select

from engine.calendar.store import invalidate as invalidate_calendar
from engine.clock import FrozenClock
from engine.models import Base
from tests.conftest import wiped_container
from tests.factories.authz import AuthzWorld, make_authz_world

EXAMPLES = 4  # per operation and caller: 92 operations x 2 callers x 4 requests, about a minute of CPU
CALLERS = ("root", "zhang")  # the admin, and the citizen who owns case A
REPORT_LINES = 30  # of each failure: its check, the first violations and the request

# path parameter → the world's id it is given half of the time (the other half is generated)
KNOWN = {"case_id": ("case_id", "other_case", "document_case"), "task_id": ("task_id", "citizen_task"),
         "attachment_id": ("attachment_id",), "document_id": ("document_id",), "copy_id": ("copy_id",),
         "notification_id": ("notification_id",), "message_id": ("message_id",), "rule_id": ("rule_id",),
         "filter_id": ("filter_id",), "incident_id": ("incident_id",), "number": ("number",),
         "code": ("material",)}
NAMES = {"key": ("event_closed_loop", "birth_one_thing"), "username": ("zhang", "liu", "zhao"),
         "version": (1,), "kind": ("blank", "sample"), "year": (2026, 2027)}


def success_status_is_documented(ctx, response, case) -> None:
    """Every operation documents ``default`` (the error shape), which makes schemathesis's own
    status check pass for any code; a success must still be listed by its own code."""
    status = response.status_code
    if status < 400 and str(status) not in case.operation.responses.status_codes:
        raise AssertionError(f"{status} answered, documented: {sorted(case.operation.responses.status_codes)}")


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          success_status_is_documented]


@pytest.fixture(scope="module")
def world(db_engine, database_url, tmp_path_factory):
    """The app and the authorization matrix's world, whose ids the path parameters draw on. The
    admin's generated requests edit the calendar, which later tests take as migrated (the wipe
    keeps it): it is put back afterwards."""
    from webapp import create_app
    calendar = [Base.metadata.tables[name] for name in ("calendar_days", "calendar_years")]
    with db_engine.connect() as conn:
        saved = {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in calendar}
    container = wiped_container(db_engine, database_url, tmp_path_factory.mktemp("schemathesis"),
                                FrozenClock(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)))
    app = create_app({"TESTING": True}, container=container)
    yield app, make_authz_world(app, container)
    with db_engine.begin() as conn:
        for table in calendar:
            conn.execute(delete(table))
        for table in reversed(calendar):
            if saved[table.name]:
                conn.execute(insert(table), saved[table.name])
    invalidate_calendar()


def _known_paths(operation, world: AuthzWorld) -> list[dict]:
    """Path parameters filled from the world, one combination per known value of each."""
    names = [p.name for p in operation.path_parameters]
    if not names:
        return []
    values = {n: [world.ids[k] for k in KNOWN.get(n, ()) if k in world.ids] or list(NAMES.get(n, ())) for n in names}
    if not all(values.values()):
        return []
    return [{n: values[n][i % len(values[n])] for n in names} for i in range(max(len(v) for v in values.values()))]


def _strategy(operation, world: AuthzWorld):
    generated = operation.as_strategy()
    known = _known_paths(operation, world)
    if not known:
        return generated
    query = {"code": world.ids["query_code"]} if any(p.name == "code" for p in operation.query) else None
    return st.one_of(generated, st.sampled_from(known).flatmap(
        lambda params: operation.as_strategy(path_parameters=params, query=query)))


def _probe(operation, headers: dict, world: AuthzWorld) -> str | None:
    """The first failure of one operation for one caller, with the request that shows it."""
    failures: list[str] = []

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=_strategy(operation, world))
    def run(case) -> None:
        if failures:
            return
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            failures.append("\n".join(str(group).splitlines()[:REPORT_LINES])
                            + f"\n    …\n    {case.as_curl_command(headers=headers)}")

    run()
    return f"{operation.label}: {failures[0]}" if failures else None


@pytest.mark.timeout(900)  # a hang, not slowness
def test_no_server_error_and_every_answer_as_documented(world):
    app, authz = world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 80  # the whole document, nothing filtered out
    failures: list[str] = []
    for username in CALLERS:
        headers = authz.callers[username].headers
        for operation in operations:
            failure = _probe(operation, headers, authz)
            if failure:
                failures.append(f"as {username}, {failure}")
    assert not failures, f"{len(failures)} operations fail:\n" + "\n\n".join(failures)
