"""The authorization matrix (issue #16 §5): every route of the app's URL map × every caller of
tests/factories/authz.py (each role in the probed objects' district and in another, two
citizens, the anonymous visitor, the machine clients) → the status authz_rules.py expects.
A route without a rule fails, and so does a rule whose route is gone.

Denied: 401 from the API and the sign-in page for a page, without a session; 403 or 404 with
one. Allowed: anything but 401, 403 and 404, and never a 5xx. A 2xx where the rule denies is a
leak; a 400 or 422 there means the route judged the body before the caller."""
from __future__ import annotations

import io
import itertools
import re
from datetime import datetime, timezone

import pytest

from engine.clock import FrozenClock
from tests.api.authz_rules import BUNDLE_ROUTES, DEFAULT_PARAMS, FILE, RULES, UNGUARDED, Rule
from tests.conftest import wiped_container
from tests.factories.authz import ACTORS, BUNDLE, AuthzWorld, Caller, make_authz_world

PARAM = re.compile(r"<(?:[^<>]*:)?(\w+)>")


@pytest.fixture(scope="module")
def matrix(db_engine, database_url, tmp_path_factory):
    """One world for every route: building it takes longer than probing a route."""
    from webapp import create_app
    container = wiped_container(db_engine, database_url, tmp_path_factory.mktemp("authz"),
                                FrozenClock(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)))
    app = create_app({"TESTING": True}, container=container)
    return app, make_authz_world(app, container)


def route_keys(app) -> set[str]:
    return {f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_has_a_rule_and_every_rule_a_route(matrix):
    app, _ = matrix
    routes, ruled = route_keys(app), set(RULES) | set(UNGUARDED)
    assert not sorted(routes - ruled), f"new route without a rule in authz_rules.py: {sorted(routes - ruled)}"
    assert not sorted(ruled - routes), f"rule whose route no longer exists: {sorted(ruled - routes)}"


def addresses(world: AuthzWorld, key: str, rule: Rule) -> list[str]:
    """The rule's address with each path parameter filled from the world; a parameter with
    several values (the task page's operations) gives one address each."""
    path = key.split(" ", 1)[1]
    choices = []
    for name in PARAM.findall(path):
        value = rule.params.get(name, DEFAULT_PARAMS.get(name, name))
        if name == "key" and path.startswith(BUNDLE_ROUTES):
            value = BUNDLE
        values = value if isinstance(value, tuple) else (value,)
        choices.append([world.ids.get(v, v) if isinstance(v, str) else v for v in values])
    out = []
    for combination in itertools.product(*choices):
        filled = iter(combination)
        address = PARAM.sub(lambda _: str(next(filled)), path)
        query = rule.query.format(**world.ids)
        out.append(f"{address}?{query}" if query else address)
    return out


def send(world: AuthzWorld, caller: Caller, method: str, address: str, rule: Rule, allowed: bool):
    if address.startswith("/api/v1/"):
        if rule.body == FILE and not allowed:
            return world.api.open(address, method=method, headers=caller.headers,
                                  data={"file": (io.BytesIO(b"<definitions/>"), "x.bpmn")})
        body = None if method == "GET" else ([] if allowed else rule.body if rule.body is not None else {})
        return world.api.open(address, method=method, headers=caller.headers, json=body)
    form = {} if allowed else {name: value.format(**world.ids) for name, value in (rule.form or {}).items()}
    data = None if method == "GET" else {"csrf_token": caller.csrf, **form}
    return caller.pages.open(address, method=method, data=data)


def problem(resp, address: str, rule: Rule, anonymous: bool, allowed: bool) -> str | None:
    """What is wrong with this answer, or None."""
    status, api = resp.status_code, address.startswith("/api/v1/")
    redirect = resp.headers.get("Location", "") if status in (302, 303) else ""
    to_login = redirect.startswith("/login")
    if status >= 500:
        return f"{status}"
    if allowed:
        return f"refused ({status})" if status in (401, 403, 404) or (anonymous and to_login) else None
    if (api and anonymous and status == 401) or (not api and anonymous and to_login) \
            or (not anonymous and (status in (403, 404) or (rule.sends_to and redirect.startswith(rule.sends_to)))):
        return None
    if 200 <= status < 300:
        return f"LEAK ({status})"
    return f"{status} instead of a refusal" + (" (the body judged before the caller)" if status in (400, 422) else "")


@pytest.mark.parametrize("key", sorted(RULES))
def test_route(matrix, key):
    app, world = matrix
    rule, method = RULES[key], key.split(" ", 1)[0]
    found: dict[str, list[str]] = {}
    for address in addresses(world, key, rule):
        probed_allowed = False
        for actor in ACTORS:
            allowed = rule.policy(actor)
            if allowed and (rule.denied_only or (rule.costly and probed_allowed)):
                continue
            probed_allowed = probed_allowed or allowed
            resp = send(world, world.callers[actor.name], method, address, rule, allowed)
            trouble = problem(resp, address, rule, actor.role is None, allowed)
            if trouble and rule.sees and rule.sees(actor) and resp.status_code in (400, 409):
                trouble = None
            if trouble:
                found.setdefault(f"{trouble} at {address}", []).append(actor.name)
    assert not found, f"{method} (rule {rule.policy}): " + "; ".join(f"{t}: {', '.join(n)}" for t, n in found.items())
