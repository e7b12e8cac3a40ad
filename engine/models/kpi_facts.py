"""The KPIs' per-case facts (docs/kpis.md §2), kept so that a KPI table sums rows instead of
re-reading every step of every case. Database triggers (migration 0014) list a case in
``kpi_dirty_cases`` whenever its case row, its step rows or its merge link change; a KPI query
computes the listed cases afresh, and engine/kpis/store.py folds them back into
``kpi_case_facts`` in the background."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class KpiCaseFacts(Base):
    """One case as the KPIs see it: its group columns, its facts, when it was completed."""

    __tablename__ = "kpi_case_facts"
    # PostgreSQL: every column in the index, for an index-only scan of a period (migration 0016)
    __table_args__ = (Index("ix_kpi_case_facts_created_at", "created_at", postgresql_include=[
        "case_id", "district", "category", "process_key", "unit_id", "flags", "completed_at", "hours_to_complete"]),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    created_at: Mapped[datetime]  # the case's, copied: the cohort is the cases received in a period
    district: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))
    process_key: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int | None]  # the responsible unit (承办单位)
    # bit i set: the case has fact i of engine.kpis.facts.CASE_FLAGS (one column, so that a KPI
    # query counts cases per combination of facts instead of summing sixteen columns)
    flags: Mapped[int]
    completed_at: Mapped[datetime | None]  # 办结 instant, when completed
    hours_to_complete: Mapped[float]  # 0 when not completed


class KpiDirtyCase(Base):
    """A case changed since its facts row was written: the triggers add it, the fold removes it."""

    __tablename__ = "kpi_dirty_cases"

    case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
