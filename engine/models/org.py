"""Users, the roles they hold, and the org-unit tree (city → district → street → community → grid)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

ROLES: dict[str, tuple[str, str]] = {
    "citizen": ("市民/企业", "Citizen"),
    "operator": ("话务员/受理员", "Operator"),
    "dispatcher": ("分拨员", "Dispatcher"),
    "handler": ("处置人员", "Handler"),
    "inspector": ("核查员", "Inspector"),
    "clerk": ("窗口人员", "Window clerk"),
    "approver": ("审批人员", "Approver"),
    "supervisor": ("督办员", "Supervisor"),
    "leader": ("领导", "Leader"),
    "admin": ("系统管理员", "Administrator"),
    "sensor": ("物联感知设备", "Sensor (machine client)"),
    "worker": ("外部任务执行程序", "Worker (machine client)"),
}
ORG_KINDS = ("city", "district", "street", "community", "grid", "department")


class Role(Base):
    __tablename__ = "roles"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    label_zh: Mapped[str] = mapped_column(String(64))
    label_en: Mapped[str] = mapped_column(String(64))


class OrgUnit(Base):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    # "/1/4/9/": ancestors then self, so a subtree is one indexed LIKE query.
    path: Mapped[str] = mapped_column(String(500), index=True, default="/")
    level: Mapped[int] = mapped_column(default=0)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))  # for notifications/
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # a citizen's own account (self-registered): personal or an enterprise with its 统一社会信用代码
    account_kind: Mapped[str] = mapped_column(String(16), default="personal", server_default="personal")
    organisation: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    large_text: Mapped[bool] = mapped_column(default=False, server_default=sa_false())  # 适老化 mode
    # a leader or supervisor who receives the monthly supervision report (月报) by e-mail
    monthly_report: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    def role_names(self) -> list[str]:
        return sorted({r.role for r in self.roles})

    def has_role(self, *names: str) -> bool:
        return any(r.role in names for r in self.roles)


class UserRole(Base):
    """A role held within an org unit (or everywhere, when ``org_unit_id`` is null)."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(ForeignKey("roles.name"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))

    user: Mapped[User] = relationship(back_populates="roles")
    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


class LoginFailure(Base):
    """Failed sign-ins, and attempts still being checked (written first, so that parallel guesses
    count each other), kept in the database so that every worker sees the same limits."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_remote_addr", "remote_addr", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(index=True)
