"""One-time codes sent by SMS to prove a phone number (self-registration). Only a hash of the
code is kept; a code expires, is used once and allows a few wrong guesses."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class VerificationCode(Base):
    __tablename__ = "verification_codes"
    __table_args__ = (Index("ix_verification_codes_phone", "phone", "created_at"),
                      Index("ix_verification_codes_address", "address", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(16), default="register")
    code_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64), default="")  # the requesting client's IP
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
