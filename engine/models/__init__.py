"""SQLAlchemy models; import from here so that every table is registered on ``Base.metadata``."""
from .audit import AuditEvent, AuditHead
from .base import Base
from .cases import CASE_STATUSES, TASK_OPEN_STATES, Case, CaseCounter, Task, TaskCandidate
from .definitions import ProcessDefinition
from .org import ORG_KINDS, ROLES, LoginFailure, OrgUnit, Role, User, UserRole
from .timers import TIMER_KINDS, Timer

__all__ = [
    "AuditEvent", "AuditHead", "Base", "LoginFailure", "CASE_STATUSES", "Case", "CaseCounter", "ORG_KINDS",
    "OrgUnit", "ProcessDefinition", "ROLES", "Role", "TASK_OPEN_STATES", "TIMER_KINDS", "Task",
    "TaskCandidate", "Timer", "User", "UserRole",
]
