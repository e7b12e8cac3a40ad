"""`notify`: 10,000 queued outbox messages (half SMS, half e-mail) drained by one delivery loop
(what one scheduler process runs) against a local SMS gateway over HTTP and a local SMTP server
with STARTTLS and AUTH, on PostgreSQL and SQLite: messages per second. Needs the test extra
(aiosmtpd); the local servers are bench/local_servers.py, which the tests use too."""
from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from tempfile import mkdtemp
from pathlib import Path

from sqlalchemy import func, insert, select

from notifications import install
from notifications.delivery import deliver_due
from notifications.models import OutboxMessage
from bench.local_servers import SmsGateway, SmtpServer

from .common import Report, container_for, scratch_database


def _queue(container, n: int) -> None:
    now = datetime.now(timezone.utc)
    rows = [{"key": uuid.uuid4().hex, "channel": "sms" if i % 2 else "email", "message": "case_accepted",
             "event": "case.started", "lang": "zh-CN", "address": "13800138000" if i % 2 else "a@example.cn",
             "subject": "您的诉求已受理（20261123000042）", "body": "【市民服务】您的事项已受理，编号20261123000042，查询码8F3K2Q。",
             "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now} for i in range(n)]
    with container.engine.begin() as conn:
        for i in range(0, n, 5000):
            conn.execute(insert(OutboxMessage), rows[i:i + 5000])


def _drain(kind: str, n: int, report: Report) -> float:
    with scratch_database(kind) as url, SmsGateway() as sms, SmtpServer(Path(mkdtemp())) as smtp:
        container = install(container_for(url))
        container.settings = replace(container.settings, sms_url=sms.url, smtp_url=smtp.url)
        _queue(container, n)
        started = time.perf_counter()
        while deliver_due(container, f"bench-{kind}"):
            pass
        elapsed = time.perf_counter() - started
        with container.session_factory() as s:
            sent = s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent"))
        assert sent == n and len(sms.sent) + len(smtp.messages) == n, (sent, len(sms.sent), len(smtp.messages))
        container.engine.dispose()
    rate = n / elapsed
    report.say(f"{kind}: {n} messages in {elapsed:.1f} s: {rate:.0f} messages/s (one delivery loop)")
    return rate


def run(quick: bool = False) -> dict:
    n = 1_000 if quick else 10_000
    report = Report("notify", f"civicflow bench notify{' --quick' if quick else ''}")
    report.figures.update(messages=n, postgresql_per_s=round(_drain("postgresql", n, report)),
                          sqlite_per_s=round(_drain("sqlite", n, report)))
    return report.finish()
