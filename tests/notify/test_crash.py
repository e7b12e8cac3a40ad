"""A real ``civicflow scheduler`` killed with SIGKILL after the gateway took an SMS but before
the outbox row was marked sent: the next delivery sends the same key again, and a gateway that
honours ``Idempotency-Key`` delivers the SMS once."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from engine.clock import SystemClock
from notifications.delivery import LEASE, deliver_due
from notifications.models import OutboxMessage
from bench.local_servers import SmsGateway
from tests.factories.processes import kill_group, start_scheduler


def _queue(container) -> None:
    with container.uow() as uow:
        now = uow.clock.now()
        uow.session.add(OutboxMessage(key="k-crash-1", channel="sms", message="pavement_advice", event="notify.step",
                                      address="13800138000", body="【市民服务】您好，请于今日18时前清理门前人行道。",
                                      next_attempt_at=now, created_at=now))
        uow.commit()


def test_kill_9_between_sending_and_marking_sends_once(container, database_url, tmp_path):
    container.clock = SystemClock()
    _queue(container)
    with SmsGateway() as sms:
        container.settings = replace(container.settings, sms_url=sms.url)
        sms.hold_s = 30  # the gateway has the SMS; its answer never reaches the scheduler
        proc = start_scheduler(database_url, tmp_path, CIVICFLOW_SMS_URL=sms.url)
        try:
            assert sms.received.wait(60), (tmp_path / "scheduler.log").read_text()
        finally:
            kill_group(proc)
        with container.session_factory() as s:
            row = s.scalar(select(OutboxMessage))
            assert (row.status, row.attempts) == ("pending", 1) and row.lease_owner is not None
        sms.hold_s = 0
        deliver_due(container, "after-the-crash")  # the lease has not run out: nothing yet
        assert len(sms.posts) == 1
        container.clock = type("Later", (), {"now": lambda self: SystemClock().now() + LEASE + timedelta(seconds=1)})()
        deliver_due(container, "after-the-crash")
        assert len(sms.posts) == 2 and list(sms.sent) == ["k-crash-1"]  # posted twice, sent once
    with container.session_factory() as s:
        row = s.scalar(select(OutboxMessage))
        assert (row.status, row.attempts, row.provider_ref) == ("sent", 2, "sms-k-crash-1")
