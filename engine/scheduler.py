"""APScheduler wiring: the timer sweep every second and the periodic supervision reports.

``civicflow scheduler`` runs it blocking; ``civicflow run`` runs it in a background thread
beside the web server. APScheduler holds no state of its own here: timers and periods are
database rows, so any number of schedulers may run."""
from __future__ import annotations

import logging
import os
import socket
import uuid

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from .kpis.store import fold_job
from .periodic import run_due_reports
from .process_starts import sweep as sweep_process_starts
from .timers import sweep

log = logging.getLogger(__name__)
KPI_FOLD_EVERY_S = 5  # how stale a stored KPI row may get before it is rewritten (queries never see it stale)


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _sweep(container, owner: str) -> None:
    fired = sweep(container, owner, poll_for_s=0.9)
    if fired:
        log.info("fired %d timers", fired)


def make_scheduler(container, blocking: bool):
    tz = container.settings.timezone
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=tz)
    owner = owner_id()
    scheduler.add_job(_sweep, "interval", seconds=1, args=[container, owner], id="timer-sweep",
                      max_instances=1, coalesce=True, misfire_grace_time=None)
    scheduler.add_job(sweep_process_starts, "interval", seconds=1, args=[container, owner], id="process-start-sweep",
                      max_instances=1, coalesce=True, misfire_grace_time=None)  # timer starts open cases
    # KPI facts of the cases changed since the last run (engine/kpis/store.py): only ever makes the
    # next KPI query cheaper, never different; several schedulers take disjoint batches
    scheduler.add_job(fold_job, "interval", seconds=KPI_FOLD_EVERY_S, args=[container], id="kpi-facts-fold",
                      max_instances=1, coalesce=True, misfire_grace_time=None)
    # Reports for the day, week and month just ended; on start too, to catch up after downtime.
    scheduler.add_job(run_due_reports, CronTrigger(hour=0, minute=10, timezone=tz), args=[container],
                      id="supervision-reports", max_instances=1, coalesce=True, misfire_grace_time=None)
    scheduler.add_job(run_due_reports, args=[container], id="supervision-reports-catch-up")
    for job_id, job, seconds in container.jobs:  # e.g. notifications' outbox delivery
        scheduler.add_job(job, "interval", seconds=seconds, args=[container, owner], id=job_id,
                          max_instances=1, coalesce=True, misfire_grace_time=None)
    return scheduler
