"""``civicflow reports``: the monthly supervision report by hand. ``monthly`` does what the
scheduler does when a month closes (once per month, however often it is run); ``pdf`` writes
the city-wide PDF of any month to a file."""
from __future__ import annotations

from pathlib import Path

import click

from engine.bootstrap import bootstrap
from engine.errors import CivicFlowError
from engine.models import PeriodicRun
from engine.periodic import run_period
from engine.supervision_reports import build_report, last_complete, parse_period, tz_of
from notifications import install as install_notifications
from notifications.monthly_report import mailed
from notifications.supervision_report import report_pdf


def _container():
    """The test's container when one is handed in (``obj``), else this deployment's."""
    return click.get_current_context().obj or install_notifications(bootstrap())


def _month(container, month: str | None):
    now, tz = container.clock.now(), tz_of(container)
    try:
        return parse_period("monthly", month, now, tz) if month else last_complete("monthly", now, tz)
    except CivicFlowError as exc:
        raise click.BadParameter(exc.message, param_hint="--month") from exc


@click.group("reports")
def reports_group() -> None:
    """Supervision reports (日报/周报/月报 通报督办)."""


@reports_group.command("monthly")
@click.option("--month", default=None, help="YYYY-MM (default: the last complete month)")
def monthly(month: str | None) -> None:
    """Compute MONTH's report and e-mail its PDF to the subscribers, unless that was done."""
    container = _container()
    period = _month(container, month)
    if period.end_at > container.clock.now():
        raise click.BadParameter(f"{period.key} has not ended yet", param_hint="--month")
    done = run_period(container, period)
    with container.uow() as uow:
        run = uow.session.get(PeriodicRun, (period.job, period.key))
        queued, ran_at = mailed(uow.session, period.key), run.ran_at.astimezone(tz_of(container))
    if done:
        click.echo(f"{period.key}: report computed; {queued} e-mails queued for the subscribers")
    else:
        click.echo(f"{period.key}: already done on {ran_at:%Y-%m-%d %H:%M} ({queued} e-mails queued then); "
                   "nothing sent now")


@reports_group.command("pdf")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="the PDF to write")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True)
def pdf(month: str, out: Path, lang: str) -> None:
    """Write the city-wide report of MONTH as a PDF."""
    container = _container()
    period = _month(container, month)
    with container.uow() as uow:
        report = build_report(uow, period, None)
    out.write_bytes(report_pdf(report, tz_of(container), lang))
    click.echo(f"{out}: {period.key}, {report['scope']}, {sum(report['counts'].values())} listed cases")
