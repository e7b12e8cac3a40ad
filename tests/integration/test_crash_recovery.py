"""Issue #16 §5: the real server (gunicorn, two workers) and a real ``civicflow scheduler`` are
killed with SIGKILL again and again while client threads drive cases through the REST API.
Afterwards every case's task and timer rows match its stored workflow, every completion a client
was told about is in the data, no timer fired twice or was left unfired, every SMS went out once
and none was lost, and the audit chain verifies.

The drill's diagram: 受理 → 处置 (handler; due a few seconds after the report, so the SLA warning
and breach timers fall due; a non-interrupting 2 s reminder opens 催办 for a supervisor) → a 1 s
cooling-off timer → 核查 (inspector) → end. Every case texts its citizen twice (accepted,
completed) through a local gateway that honours ``Idempotency-Key``, as real gateways do.

SQLite runs it too: WAL and ``BEGIN IMMEDIATE`` (engine/database.py) let the web workers and the
scheduler share one file, which is the demo's set-up. A scheduler killed while it held a lease
leaves its rows to the next one when the lease runs out (60 s), so the drain waits that long."""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bench.local_servers import SmsGateway
from engine import audit, services
from engine.bpmn.loader import case_workflow
from engine.case_sync import ready_human_tasks, waiting_timers
from engine.clock import SystemClock
from engine.models import AuditEvent, Case, Incident, Task, Timer
from engine.models.cases import TASK_LIVE_STATES
from engine.stuck import stuck_cases
from notifications.models import OutboxMessage
from tests.factories.bpmn import diagram, end, flow, start, user_task
from tests.factories.directory import make_org_tree, make_user
from tests.factories.http_api import ConnectionLost, HttpUser
from tests.factories.processes import Gunicorn, kill_group, start_scheduler, stop

KEY = "crash_drill"
CLIENTS = 4
# what is killed (SIGKILL to its process group), in order, a few seconds apart while the clients work
KILLS = ("scheduler", "server") * 4
KILL_EVERY_S = 3.0
SLA = timedelta(seconds=3)  # 处置 is due this long after the report: warning at 80 %, then the breach
DRAIN_S = 80  # a lease left by a killed scheduler runs out after 60 s
WAIT_FOR_STEP_S = 20


def _timer(seconds: int) -> str:
    return (f"<bpmn:timerEventDefinition><bpmn:timeDuration>PT{seconds}S</bpmn:timeDuration>"
            "</bpmn:timerEventDefinition>")


DRILL = diagram(KEY, "\n".join([
    start("title,phone,due_at"),
    user_task("handle", "handler", "done", extra_attrs='camunda:dueDate="${due_at}"'),
    f'<bpmn:boundaryEvent id="remind" cancelActivity="false" attachedToRef="handle">{_timer(2)}</bpmn:boundaryEvent>',
    user_task("urge", "supervisor", "noted"),
    f'<bpmn:intermediateCatchEvent id="cooling">{_timer(1)}</bpmn:intermediateCatchEvent>',
    user_task("check", "inspector", "passed"),
    end(), end("end_urged"),
    flow("start", "handle", "cooling", "check", "end"), flow("remind", "urge", "end_urged")]), name="断电演练")


@dataclass
class Belief:
    """What one client thread thinks happened."""
    cases: dict[str, int] = field(default_factory=dict)  # title → case id
    completed: dict[int, str] = field(default_factory=dict)  # task id → "200", or "409" after a lost answer
    lost_answers: int = 0  # requests whose first attempt got no answer
    surprises: list[str] = field(default_factory=list)  # any other answer: a bug


def _report(citizen: HttpUser, title: str, phone: str, belief: Belief) -> int | None:
    """Start a case; after a lost answer, look for it before trying again (a case has no
    idempotency key, so a blind retry could report the same thing twice)."""
    lost, deadline = False, time.monotonic() + 60
    while time.monotonic() < deadline:
        # the deadline counts from when the report gets in, so that the warning can fall due
        data = {"title": title, "phone": phone, "due_at": (datetime.now(timezone.utc) + SLA).isoformat()}
        try:
            status, body = citizen.call("POST", "/cases", {"process_key": KEY, "data": data})
        except ConnectionLost:
            belief.lost_answers += not lost
            lost = True
            status, found = citizen.get(f"/cases?q={title}")
            mine = [c["id"] for c in found["items"] if c["title"] == title] if status == 200 else []
            if mine:
                belief.cases[title] = mine[0]
                return mine[0]
            time.sleep(0.2)
            continue
        if status == 201:
            belief.cases[title] = body["id"]
            return body["id"]
        belief.surprises.append(f"POST /cases {title}: {status} {body}")
        return None
    belief.surprises.append(f"POST /cases {title}: no answer for 60 s")
    return None


def _await_task(user: HttpUser, case_id: int, element: str) -> int | None:
    deadline = time.monotonic() + WAIT_FOR_STEP_S
    while time.monotonic() < deadline:
        status, tasks = user.get("/tasks?scope=inbox&per_page=200")
        mine = [t["id"] for t in tasks if t["case_id"] == case_id and t["element_id"] == element] \
            if status == 200 else []
        if mine:
            return mine[0]
        time.sleep(0.3)
    return None  # the scheduler was down, or a lease held the timer: the drain finishes it


def _complete(user: HttpUser, task_id: int, data: dict, belief: Belief) -> None:
    """Complete, retrying after a lost answer; a 409 then means the lost attempt went through if
    the task is done, and a race lost to a timer on the same case if it is still open (retry)."""
    lost, deadline = False, time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, body = user.call("POST", f"/tasks/{task_id}/complete", {"data": data})
        except ConnectionLost:
            belief.lost_answers += not lost
            lost = True
            time.sleep(0.2)
            continue
        state = user.get(f"/tasks/{task_id}")[1].get("state") if status == 409 else None
        if state in ("open", "claimed"):
            continue
        if status == 200 or (lost and state == "completed"):
            belief.completed[task_id] = str(status)
        else:
            belief.surprises.append(f"complete task {task_id}: {status} {body} (task {state})")
        return
    belief.surprises.append(f"complete task {task_id}: no answer for 60 s")


def _citizen_and_desks(url: str, n: int, stop_flag: threading.Event, belief: Belief) -> None:
    """Report a case, handle it after a pause (some long enough for the reminder and the
    breach), wait out the cooling-off timer, check it; again until told to stop."""
    citizen, handler, inspector = (HttpUser(url, name) for name in (f"citizen{n}", "h1", "i1"))
    pauses = random.Random(n)
    for i in range(1, 10_000):
        if stop_flag.is_set():
            return
        case_id = _report(citizen, f"断电演练-{n}-{i}", f"138{n:04d}{i:04d}", belief)
        handle = _await_task(handler, case_id, "handle") if case_id else None
        if handle is None:
            continue
        time.sleep(pauses.choice((0.1, 1.0, 2.5, 3.5)))
        _complete(handler, handle, {"done": True}, belief)
        check = _await_task(inspector, case_id, "check")
        if check is not None:
            _complete(inspector, check, {"passed": True}, belief)


def _supervisor(url: str, stop_flag: threading.Event, belief: Belief) -> None:
    """Note every 催办 the reminders open."""
    supervisor = HttpUser(url, "s1")
    while not stop_flag.is_set():
        status, tasks = supervisor.get("/tasks?scope=inbox&per_page=200")
        for task in tasks if status == 200 else []:
            if task["element_id"] == "urge" and not stop_flag.is_set():
                _complete(supervisor, task["id"], {"noted": True}, belief)
        time.sleep(0.5)


def _guarded(work, belief: Belief, *args) -> threading.Thread:
    def run() -> None:
        try:
            work(*args, belief)
        except Exception as exc:  # noqa: BLE001 — a client that dies is a finding, not a hang
            belief.surprises.append(f"client died: {exc!r}")
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _settled(container) -> bool:
    """Nothing due soon is pending (the only later timers are the 2-working-day escalations)
    and no message waits to be sent."""
    with container.session_factory() as s:
        soon = datetime.now(timezone.utc) + timedelta(minutes=10)
        due = s.scalar(select(func.count()).select_from(Timer).where(Timer.state == "pending", Timer.fire_at < soon))
        unsent = s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending"))
    return due == 0 and unsent == 0


def _wait_for(predicate, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def _setup(container) -> None:
    make_org_tree(container)
    for n in range(CLIENTS):
        make_user(container, f"citizen{n}", "citizen")
    for name, role in (("h1", "handler"), ("i1", "inspector"), ("s1", "supervisor")):
        make_user(container, name, role)
    with container.uow() as uow:
        services.deploy(uow, [(f"{KEY}.bpmn", DRILL)], None)


def _mismatches(container) -> list[str]:
    """Cases whose open task rows or pending timer rows differ from what the stored workflow
    waits on, and spiff tasks with more than one row."""
    out = []
    with container.uow() as uow:
        s = uow.session
        for case in s.scalars(select(Case).order_by(Case.id)):
            workflow = case_workflow(uow, case)
            ready = {str(t.id) for t in ready_human_tasks(workflow)}
            rows = list(s.scalars(select(Task).where(Task.case_id == case.id)))
            live = {t.spiff_task_id for t in rows if t.state in TASK_LIVE_STATES}
            timers = set(s.scalars(select(Timer.spiff_task_id).where(
                Timer.case_id == case.id, Timer.kind == "bpmn-timer", Timer.state == "pending")))
            doubled = [sid for sid, n in Counter(t.spiff_task_id for t in rows if t.state != "cancelled").items()
                       if n > 1]
            if ready != live or set(waiting_timers(workflow)) != timers or doubled:
                out.append(f"case {case.id} ({case.status}): ready {sorted(ready)} rows {sorted(live)}, "
                           f"waiting {sorted(waiting_timers(workflow))} timers {sorted(timers)}, doubled {doubled}")
    return out


def test_kill_9_of_server_and_scheduler_under_load_loses_and_doubles_nothing(container, database_url, tmp_path):
    container.clock = SystemClock()  # the subprocesses run on wall-clock time
    _setup(container)
    began = time.monotonic()
    rng = random.Random(16)
    kills, restarts = Counter(), []
    with SmsGateway() as sms:
        server = Gunicorn(database_url, tmp_path, workers=2, CIVICFLOW_SMS_URL=sms.url)
        server.start()
        scheduler = start_scheduler(database_url, tmp_path, CIVICFLOW_SMS_URL=sms.url)
        stop_flag, beliefs = threading.Event(), [Belief() for _ in range(CLIENTS + 1)]
        try:
            clients = [_guarded(_citizen_and_desks, beliefs[n], server.url, n, stop_flag) for n in range(CLIENTS)]
            clients.append(_guarded(_supervisor, beliefs[CLIENTS], server.url, stop_flag))
            load_began = time.monotonic()
            for target in KILLS:
                time.sleep(rng.uniform(KILL_EVERY_S - 1, KILL_EVERY_S + 1))
                kills[target] += 1
                if target == "scheduler":
                    kill_group(scheduler)
                    time.sleep(rng.uniform(0.2, 1.0))
                    scheduler = start_scheduler(database_url, tmp_path, CIVICFLOW_SMS_URL=sms.url)
                else:
                    server.kill()
                    time.sleep(rng.uniform(0.2, 1.0))
                    restarted = time.monotonic()
                    server.start()
                    restarts.append(time.monotonic() - restarted)
            time.sleep(KILL_EVERY_S)
            stop_flag.set()
            for thread in clients:
                thread.join(90)
            load_s, drain_began = time.monotonic() - load_began, time.monotonic()
            settled = _wait_for(lambda: _settled(container), DRAIN_S)
            drain_s = time.monotonic() - drain_began
            settled_at = datetime.now(timezone.utc)
        finally:
            stop_flag.set()
            stop(scheduler)
            server.stop()
        assert settled, (tmp_path / "scheduler.log").read_text()[-5000:]

        believed = {title: case_id for b in beliefs for title, case_id in b.cases.items()}
        completed = {task_id: how for b in beliefs for task_id, how in b.completed.items()}
        assert [s for b in beliefs for s in b.surprises] == []
        assert _mismatches(container) == []
        with container.session_factory() as s:
            assert stuck_cases(s) == []  # `civicflow check`
            assert audit.verify(s).ok  # `civicflow audit verify`
            assert s.scalar(select(func.count()).select_from(Incident)) == 0

            # every case a client started exists once; none exists that no client knows of
            titles = Counter(s.scalars(select(Case.title)))
            assert dict(titles) == dict.fromkeys(believed, 1)
            assert {c.title: c.id for c in s.scalars(select(Case))} == believed

            # every completion a client was told of (or found done after a lost answer) is in the data, once
            tasks = {t.id: t for t in s.scalars(select(Task))}
            assert {tid: tasks[tid].state for tid in completed} == dict.fromkeys(completed, "completed")
            completions = Counter(s.scalars(select(AuditEvent.task_id).where(AuditEvent.action == "task.completed")))
            assert set(completions.values()) == {1}
            assert set(completions) == {t.id for t in tasks.values() if t.state == "completed"}

            # timers: none due is left, none failed, each fired once (its audit row names it)
            timers = list(s.scalars(select(Timer)))
            assert [t.id for t in timers if t.state == "pending" and t.fire_at <= settled_at] == []
            assert [t.id for t in timers if t.state == "failed"] == []
            fired_by_audit = Counter(e.detail["timer_id"] for e in s.scalars(select(AuditEvent).where(
                AuditEvent.action.in_(("timer.fired", "task.sla_warning", "task.overdue")))))
            assert set(fired_by_audit.values()) <= {1}
            fired_bpmn = {t.id for t in timers if t.kind == "bpmn-timer" and t.state == "fired"}
            assert fired_bpmn <= set(fired_by_audit)
            actions = Counter(s.scalars(select(AuditEvent.action)))

            # outbox: every SMS sent, the gateway holds each key once, one of each per case
            outbox = list(s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")))
            assert Counter(m.status for m in outbox) == Counter(sent=len(outbox))
            assert {m.key for m in outbox} == set(sms.sent)
            per_case = Counter((m.case_id, m.message) for m in outbox)
            closed = {c.id for c in s.scalars(select(Case).where(Case.status == "completed"))}
            assert per_case == Counter({(cid, "case_accepted"): 1 for cid in believed.values()}
                                       | {(cid, "case_completed"): 1 for cid in closed})
    print(f"\ncrash drill: {time.monotonic() - began:.0f} s ({load_s:.0f} s load, {drain_s:.0f} s drain), "
          f"kills {dict(kills)} (server back in {max(restarts):.1f} s at most), "
          f"{len(believed)} cases ({len(closed)} closed), {len(completed)} completions "
          f"({sum(h == '409' for h in completed.values())} found done after a lost answer), "
          f"{sum(b.lost_answers for b in beliefs)} lost answers, {len(fired_bpmn)} BPMN timers, "
          f"{actions['task.sla_warning']} SLA warnings, {actions['task.overdue']} breaches, "
          f"{len(outbox)} SMS ({len(sms.posts)} posts)")
    # the drill did what it is meant to: timers fell due, cases closed, answers were lost
    assert len(fired_bpmn) >= 5 and actions["task.sla_warning"] >= 1 and actions["task.overdue"] >= 1
    assert len(closed) >= 3  # lost answers are counted but not required: a kill may miss every request
