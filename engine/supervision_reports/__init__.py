"""Supervision reports (日报/周报/月报 通报督办): per day, ISO week or month and per part of the
city, the cases that were 应办未办, 反复投诉, 久拖不决 or 推诿扯皮 (docs/kpis.md §6) beside the
period's KPI table. The monthly one is also e-mailed as a PDF (notifications/supervision_report)."""
from .periods import KINDS, NAMES, ReportPeriod, last_complete, parse_period, period_containing
from .report import LISTS, build_report, kpi_table, tz_of
from .subscribers import SUBSCRIBER_ROLES, monthly_subscribers

__all__ = ["KINDS", "LISTS", "NAMES", "SUBSCRIBER_ROLES", "ReportPeriod", "build_report", "kpi_table",
           "last_complete", "monthly_subscribers", "parse_period", "period_containing", "tz_of"]
