"""The monthly supervision report by e-mail: when a month closes (``report.closed``, published
in the transaction that records the run), each subscriber gets one message with the PDF of
their own part of the city attached and a link to the report page. One PDF is rendered per
part of the city that has subscribers (usually just the whole city), stored in the blob store,
and the outbox rows and an audit row join the run's transaction: all of it commits, or none."""
from __future__ import annotations

from sqlalchemy import func, select

from engine import audit
from engine.blobs import blob_store
from engine.supervision_reports import build_report, monthly_subscribers, parse_period, tz_of

from .enqueue import add
from .models import ChannelOptOut, OutboxMessage
from .recipients import Recipient
from .supervision_report import TITLES, report_pdf

EVENT, MESSAGE = "report.monthly", "monthly_report"


def outbox_key(period: str, user_id: int) -> str:
    """One message per subscriber and month, whatever runs twice."""
    return f"report-{period}-{user_id}"


def mailed(session, period: str) -> int:
    """How many monthly-report messages for ``period`` are in the outbox."""
    return session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.key.like(f"report-{period}-%")))


def _context(uow, report: dict, name: str) -> dict:
    url = f"{uow.settings.public_url}/reports/monthly/{report['key']}"
    return {"recipient": {"name": name},
            "report": {"period": report["key"], "scope": report["scope"], "url": url,
                       "counts": [{"title": TITLES[code][0], "title_en": TITLES[code][1], "count": count}
                                  for code, count in report["counts"].items()]}}


def on_report_closed(uow, event) -> None:
    """Queue the month's report for every subscriber (nothing for a day or a week)."""
    if event.payload.get("kind") != "monthly":
        return
    s, now, tz = uow.session, uow.clock.now(), tz_of(uow)
    period = parse_period("monthly", event.payload["period"], now, tz)
    groups = monthly_subscribers(s)
    ids = [user.id for users in groups.values() for user in users]
    opted_out = set(s.scalars(select(ChannelOptOut.user_id).where(ChannelOptOut.user_id.in_(ids),
                                                                  ChannelOptOut.channel == "email")))
    sent, documents = [], []
    for paths, users in groups.items():
        users = [user for user in users if user.id not in opted_out]
        if not users:
            continue
        report = build_report(uow, period, None if paths is None else list(paths))
        sha256 = blob_store(uow.settings).put(report_pdf(report, tz))
        attachment = {"name": f"supervision-report-{period.key}.pdf", "sha256": sha256,
                      "content_type": "application/pdf"}
        documents.append({"scope": report["scope"], "sha256": sha256})
        for user in users:
            person = Recipient(user.id, user.display_name or user.username, user.email, None)
            add(uow, None, None, EVENT, MESSAGE, "email", person,
                lambda name=person.name, r=report: _context(uow, r, name),
                key=outbox_key(period.key, user.id), attachments=[attachment])
            sent.append(user.username)
    audit.append(s, now, None, "report.mailed", detail={"period": period.key, "recipients": sent,
                                                        "documents": documents})
