"""Demo data for ``make demo``: an org tree, one user per role, the bundled processes, and cases
in every state so that each desk's inbox has work on first sign-in (demo_cases, demo_bundles)."""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from engine import services
from engine.bundles.store import read_folder
from engine.errors import CivicFlowError
from engine.models import ROLES, OrgUnit, TimeLimit, User
from engine.services import calendar_admin

from .demo_bundles import seed_bundle_cases
from .demo_cases import Desks, seed_event_cases, seeded
from .demo_history import seed_history

PROCESSES = Path(__file__).resolve().parent.parent / "processes"

ORG_TREE = [  # code, name, kind, parent
    ("CITY", "示范市", "city", None),
    ("CITY-12345", "市12345热线中心", "department", "CITY"),
    ("CITY-CG", "市城市管理局", "department", "CITY"),
    ("D-EAST", "东城区", "district", "CITY"),
    ("D-EAST-CG", "东城区城管局", "department", "D-EAST"),
    ("D-EAST-SW", "东城区水务局", "department", "D-EAST"),
    ("S-HEPING", "和平街道", "street", "D-EAST"),
    ("C-HEPING-1", "和平一社区", "community", "S-HEPING"),
    ("G-HEPING-1-01", "和平一社区第1网格", "grid", "C-HEPING-1"),
    ("D-WEST", "西城区", "district", "CITY"),
    ("D-WEST-CG", "西城区城管局", "department", "D-WEST"),
]

USERS = {  # role: (username, display name, org unit)
    "citizen": ("citizen", "张市民", None),
    "operator": ("operator", "李话务", "CITY-12345"),
    "dispatcher": ("dispatcher", "王分拨", "CITY-12345"),
    "handler": ("handler", "赵处置", "D-EAST-CG"),
    "inspector": ("inspector", "钱核查", "S-HEPING"),
    "clerk": ("clerk", "孙窗口", "D-EAST"),
    "approver": ("approver", "周审批", "D-EAST"),
    "supervisor": ("supervisor", "吴督办", "CITY"),
    "leader": ("leader", "郑领导", "CITY"),
    "admin": ("admin", "系统管理员", None),
    "sensor": ("sensor-gateway", "物联网关", "CITY-CG"),
    "worker": ("dept-worker", "部门系统对接程序", None),
}


EXTRA_USERS = [  # so that every step of the bundled event loop has someone to do it
    ("chen", "陈指挥", "dispatcher", "CITY"),
    ("grid01", "和平一社区网格员", "inspector", "G-HEPING-1-01"),
    ("qian-east", "东城区核查员", "inspector", "D-EAST"),
    ("qian-west", "西城区核查员", "inspector", "D-WEST"),
    ("wu-east", "东城区督办员", "supervisor", "D-EAST"),
    ("sun", "孙水务", "handler", "D-EAST-SW"),
    ("xi", "西城处置员", "handler", "D-WEST-CG"),
    ("shi", "市城管处置员", "handler", "CITY-CG"),
]


def _passwords(instance: Path, usernames: list[str]) -> dict[str, str]:
    """Random demo passwords, kept (0600) in the instance folder so a second run prints the same."""
    path = instance / "demo-passwords.txt"
    known = dict(line.split(" ", 1) for line in path.read_text().splitlines() if " " in line) \
        if path.exists() else {}
    for username in usernames:
        known.setdefault(username, secrets.token_urlsafe(9))
    path.write_text("".join(f"{u} {p}\n" for u, p in known.items()))
    path.chmod(0o600)
    return known


def seed_demo(container) -> Iterator[str]:
    with container.uow() as uow:
        existing_units = set(uow.session.scalars(select(OrgUnit.code)))
    for code, name, kind, parent in ORG_TREE:
        if code not in existing_units:
            with container.uow() as uow:
                services.create_org_unit(uow, code, name, kind, parent, actor_id=None)
    for folder in sorted(p.parent for p in PROCESSES.glob("*/*.bpmn")):
        yield from _bundle(container, folder) if (folder / "bundle.json").exists() else _process(container, folder)
    yield from _users(container)
    yield from _cases(container)


def _process(container, folder: Path) -> Iterator[str]:
    files = [(f.name, f.read_bytes()) for f in sorted(folder.glob("*.bpmn")) + sorted(folder.glob("*.dmn"))]
    try:
        with container.uow() as uow:
            definition, created = services.deploy(uow, files, None)
    except CivicFlowError as exc:
        yield f"process {folder.name} NOT deployed: {exc.message}"
        return
    yield f"process {definition['key']} v{definition['version']}{'' if created else ' (already deployed)'}"
    yield from _time_limits(container, folder / "time_limits.json")


def _bundle(container, folder: Path) -> Iterator[str]:
    try:
        with container.uow() as uow:
            bundle, created = services.load_bundle(uow, read_folder(folder), None)
    except CivicFlowError as exc:
        yield f"bundle {folder.name} NOT loaded: {exc.message}"
        return
    yield f"bundle {bundle['key']} v{bundle['version']}{'' if created else ' (already loaded)'}"


def _department_approvers(container) -> list[tuple[str, str, str, str]]:
    """One approver per department a loaded bundle sends items to (审批员 of each 部门)."""
    with container.uow() as uow:
        units = {u.code: u.name for u in uow.session.scalars(select(OrgUnit).where(OrgUnit.code.like("DEPT-%")))}
    return [(f"approver-{code.removeprefix('DEPT-').lower()}", f"{name.removesuffix('（示例）')}审批员", "approver", code)
            for code, name in sorted(units.items())]


def _users(container) -> Iterator[str]:
    with container.uow() as uow:
        existing = set(uow.session.scalars(select(User.username)))
    extra = EXTRA_USERS + _department_approvers(container)
    passwords = _passwords(container.settings.instance_path,
                           [u for u, _, _ in USERS.values()] + [u for u, _, _, _ in extra])
    with container.uow() as uow:
        unit_names = dict(uow.session.execute(select(OrgUnit.code, OrgUnit.name)).all())
    yield "demo users (username / password / role / org unit):"
    people = [(username, display, role, unit) for role, (username, display, unit) in USERS.items()] + extra
    for username, display, role, unit in people:
        if username not in existing:
            with container.uow() as uow:
                services.create_user(uow, username, passwords[username], [role], unit, display)
        where = f"{unit_names[unit]} ({unit})" if unit else "everywhere"
        yield f"  {username:26} {passwords[username]:14} {role:11} {where}"


def _cases(container) -> Iterator[str]:
    """Event-loop and bundle cases, once: a database that has demo cases gets no more."""
    if seeded(container):
        yield "demo cases (already seeded)"
        return
    desks = Desks(container)
    ids = list(seed_event_cases(desks)) + list(seed_bundle_cases(desks))
    history = seed_history(desks)  # eight weeks before today, for the cockpit's trends and the reports
    desks.present()
    fired = desks.sweep()  # what the scheduler finds due now: warnings, breaches, escalations
    yield f"demo cases ({len(ids)}; {fired} deadline timers fired):"
    yield from (desks.summary(case_id) for case_id in ids)
    yield history


def _time_limits(container, path: Path) -> Iterator[str]:
    """A process folder's default time limits (办理时限), loaded once: admins edit them after."""
    if not path.exists():
        return
    rows = json.loads(path.read_text(encoding="utf-8"))
    with container.uow() as uow:
        if uow.session.scalar(select(TimeLimit.id).where(TimeLimit.process_key == rows[0]["process_key"])):
            return
    for row in rows:
        with container.uow() as uow:
            calendar_admin.set_time_limit(uow, None, **row)
    yield f"  {len(rows)} default time limits"
