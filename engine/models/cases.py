"""Cases (process instances, 工单) and their inbox rows."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, and_, false, text
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from .base import Base

CASE_STATUSES = ("running", "suspended", "completed", "terminated")
TASK_OPEN_STATES = ("open", "claimed")
# a step held while signers added before or after it (加签) act; its workflow task stays READY
TASK_WAITING = "waiting"
TASK_LIVE_STATES = (*TASK_OPEN_STATES, TASK_WAITING)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_created_at", "created_at"),)  # KPIs: the cases received in a period

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    query_code: Mapped[str | None] = mapped_column(String(12))  # with the number: the public status page
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str | None] = mapped_column(String(64), index=True)
    district: Mapped[str | None] = mapped_column(String(64), index=True)
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Camunda's business key, for message correlation by a client's own reference
    business_key: Mapped[str | None] = mapped_column(String(128), index=True)
    # a child case started by a call activity: the parent and the waiting call-activity task
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    parent_spiff_task_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict] = mapped_column(default=dict)
    # gzip-compressed JSON of the workflow's state, without its spec (stored once per definition).
    state: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    tasks: Mapped[list[Task]] = relationship(back_populates="case", order_by="Task.id")
    # its open and waiting rows: what a completion reads anyway (the rows the workflow no longer
    # has, the copies of changed case columns), loaded with the completed task after the case's lock
    live_tasks: Mapped[list[Task]] = relationship(
        primaryjoin=lambda: and_(Case.id == foreign(Task.case_id), Task.state.in_(TASK_LIVE_STATES)),
        viewonly=True, order_by=lambda: Task.id)

    __mapper_args__ = {"version_id_col": version}


class Task(Base):
    """One row per READY human task; the inbox is a plain query on this table."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_inbox_role", "state", "role", "org_unit_id"),
        Index("ix_tasks_assignee_state", "assignee_id", "state"),
        Index("ix_tasks_case_state", "case_id", "state"),
        Index("ix_tasks_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300), default="")
    # the case's process, category and district, copied so that the inbox filters on this
    # table alone (kept equal to the case's by case_trail.update_case_columns)
    process_key: Mapped[str | None] = mapped_column(String(128))
    category: Mapped[str | None] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(64))
    form_key: Mapped[str | None] = mapped_column(String(128))
    # the group queue the task waits in when its one candidate is a group (permissions.queue_of)
    queue: Mapped[str | None] = mapped_column(String(48))
    role: Mapped[str | None] = mapped_column(String(32))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(16), default="open")
    due_at: Mapped[datetime | None]
    warn_at: Mapped[datetime | None]
    # The clock: the limit text it runs on, when it started, paused working time so far, and
    # whether the deadline rests on a year whose holidays are not confirmed yet.
    sla_limit: Mapped[str | None] = mapped_column(String(32))
    sla_started_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_s: Mapped[int] = mapped_column(default=0)
    sla_extensions: Mapped[list] = mapped_column(default=list)  # granted extensions, e.g. ["5wd"]
    due_provisional: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(default=50)
    outcome: Mapped[str | None] = mapped_column(Text)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # 委派 (Camunda's DelegationState): the owner keeps the task while a delegate works it
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    delegation: Mapped[str | None] = mapped_column(String(16))  # pending | resolved
    draft: Mapped[dict] = mapped_column(default=dict)  # data filled in but not yet completed
    # when a person first took the step up (claim, transfer, reassign): 撤回 is allowed only before
    acted_at: Mapped[datetime | None]
    # 加签: a "signer" row signs for its parent step, before or after it
    kind: Mapped[str] = mapped_column(String(16), default="step")  # step | signer
    parent_task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    signer_position: Mapped[str | None] = mapped_column(String(16))  # before | after
    # the item a multi-instance step works on: a bundle item's code, a signer's username
    item: Mapped[str | None] = mapped_column(String(128))

    case: Mapped[Case] = relationship(back_populates="tasks")
    candidates: Mapped[list[TaskCandidate]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")


WAITING_IN_QUEUE = text("state = 'open' AND assignee_id IS NULL AND queue IS NOT NULL")
# A queue's waiting tasks in the inbox's default order (services.inbox.ordering): one page of a
# queue is a range scan of these indexes instead of a sort of every candidate task; the inbox's
# category and district filters have theirs (else a page walks the whole queue to fill).
for _name, _filter in (("ix_tasks_queue_order", ()), ("ix_tasks_queue_category", (Task.category,)),
                       ("ix_tasks_queue_district", (Task.district,))):
    Index(_name, Task.queue, *_filter, Task.priority.desc(), Task.due_at.is_(None), Task.due_at, Task.id,
          postgresql_where=WAITING_IN_QUEUE, sqlite_where=WAITING_IN_QUEUE)


# A candidate row the inbox reads through task_candidates: the task is in no queue.
UNQUEUED = text("NOT queued")


class TaskCandidate(Base):
    """Who may act on a task: a role, an org unit, a role within an org unit, or one user
    (``camunda:candidateUsers``)."""

    __tablename__ = "task_candidates"
    __table_args__ = (Index("ix_task_candidates_match", "role", "org_unit_id", "task_id"),
                      Index("ix_task_candidates_unqueued", "role", "org_unit_id", "task_id",
                            postgresql_where=UNQUEUED, sqlite_where=UNQUEUED))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(32))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # the task's only candidate, read through the task's queue instead (permissions.queue_of)
    queued: Mapped[bool] = mapped_column(default=False, server_default=false())


class CaseLink(Base):
    """A duplicate report merged into its master case (并件): its reporter follows the master."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    master_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]


class CaseCopy(Base):
    """抄送: read-only visibility of a case for a user or an org unit, with the sender's note."""

    __tablename__ = "case_copies"
    __table_args__ = (Index("ix_case_copies_user", "user_id", "case_id"),
                      Index("ix_case_copies_org_unit", "org_unit_id", "case_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class CaseCounter(Base):
    """Per-day sequence behind human-readable case numbers (20261122000123)."""

    __tablename__ = "case_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
