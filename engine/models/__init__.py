"""SQLAlchemy models; import from here so that every table is registered on ``Base.metadata``."""
from .attachments import Attachment, CaseAttachment
from .audit import AuditEvent, AuditHead
from .base import Base
from .bundles import Bundle
from .calendar import CalendarDay, CalendarYear, TimeLimit
from .command_mode import CommandModeSwitch
from .cases import (CASE_STATUSES, TASK_LIVE_STATES, TASK_OPEN_STATES, TASK_WAITING, Case, CaseCopy, CaseCounter,
                    CaseLink, Task, TaskCandidate)
from .definitions import ProcessDefinition
from .documents import Document
from .followers import CaseFollower
from .incidents import INCIDENT_KINDS, Incident
from .kpi_facts import KpiCaseFacts, KpiDirtyCase  # noqa: F401 (registers the tables)
from .integration import EventSubscription, ExternalTask, ProcessStart
from .org import ORG_KINDS, ROLES, LoginFailure, OrgUnit, Role, User, UserRole
from .saved_filters import SavedFilter  # noqa: F401 (registers the table)
from .sessions import SignInAddress, WebSession
from .supervision import PeriodicRun, SupervisionItem
from .timers import Timer
from .verification import VerificationCode

__all__ = [
    "AuditEvent", "AuditHead", "Bundle", "CaseCopy", "CommandModeSwitch", "CaseFollower", "TASK_LIVE_STATES", "TASK_WAITING", "EventSubscription", "ExternalTask", "INCIDENT_KINDS", "Incident", "ProcessStart", "Base", "CalendarDay", "CalendarYear", "LoginFailure", "CASE_STATUSES", "Case", "CaseCounter", "CaseLink", "ORG_KINDS",
    "OrgUnit", "ProcessDefinition", "ROLES", "Role", "TASK_OPEN_STATES", "Task",
    "PeriodicRun", "SignInAddress", "SupervisionItem", "TaskCandidate", "TimeLimit", "Timer", "User", "UserRole", "VerificationCode", "WebSession",
]
