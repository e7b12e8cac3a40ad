"""Self-registration of citizens and enterprises: a verification code by SMS proves the phone
number, which becomes the username. Codes are hashed, expire after ten minutes, allow five
guesses, and are limited per phone (one a minute) and per client address (ten an hour)."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from .. import audit
from ..credit_code import is_valid as credit_code_valid
from ..errors import InvalidInput, RateLimited
from ..events import DomainEvent
from ..models import User, UserRole, VerificationCode
from ..passwords import hash_password, password_problems

PHONE = re.compile(r"1[3-9][0-9]{9}")
TTL = timedelta(minutes=10)
RESEND = timedelta(seconds=60)
PER_ADDRESS_PER_HOUR = 10
MAX_GUESSES = 5
KINDS = ("personal", "enterprise")


def _hash(uow, phone: str, code: str) -> str:
    return hmac.new(uow.settings.secret_key.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _phone(phone: object) -> str:
    phone = str(phone or "").strip().replace(" ", "").replace("-", "")
    if not PHONE.fullmatch(phone):
        raise InvalidInput("bad phone number", fields={"phone": ["an 11-digit mainland mobile number"]})
    return phone


def request_code(uow, phone: object, address: str = "") -> dict:
    """Send a 6-digit code to ``phone`` (through notifications' SMS, or the log without a
    gateway); RateLimited when asked again within a minute or too often from one address."""
    s, now = uow.session, uow.clock.now()
    phone = _phone(phone)
    last = s.scalar(select(func.max(VerificationCode.created_at)).where(VerificationCode.phone == phone))
    if last is not None and now - last < RESEND:
        raise RateLimited("a code was sent a moment ago; wait a minute before asking again")
    recent = s.scalar(select(func.count()).select_from(VerificationCode).where(
        VerificationCode.address == address[:64], VerificationCode.created_at > now - timedelta(hours=1)))
    if address and recent >= PER_ADDRESS_PER_HOUR:
        raise RateLimited("too many codes from this address; try again later")
    code = f"{secrets.randbelow(10 ** 6):06d}"
    s.add(VerificationCode(phone=phone, code_hash=_hash(uow, phone, code), address=address[:64], created_at=now,
                           expires_at=now + TTL))
    if s.scalar(select(User.id).where(User.username == phone)) is None:  # a taken number gets no code
        uow.publish(DomainEvent("verification.requested", None, None, {"phone": phone, "code": code}))
    uow.commit()
    return {"phone": phone[:3] + "****" + phone[-4:], "expires_in_s": int(TTL.total_seconds()),
            "resend_after_s": int(RESEND.total_seconds())}


def _check_code(uow, phone: str, code: str) -> VerificationCode | None:
    """The live code matching ``code``, counting a guess; None when wrong, used or expired."""
    now = uow.clock.now()
    row = uow.session.scalar(select(VerificationCode).where(
        VerificationCode.phone == phone, VerificationCode.used_at.is_(None), VerificationCode.expires_at > now)
        .order_by(VerificationCode.created_at.desc()).limit(1).with_for_update())
    if row is None or row.attempts >= MAX_GUESSES:
        return None
    row.attempts += 1
    return row if hmac.compare_digest(row.code_hash, _hash(uow, phone, str(code or "").strip())) else None


def _account_errors(body: dict, phone: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not str(body.get("display_name") or "").strip():
        errors["display_name"] = ["required"]
    problems = password_problems(str(body.get("password") or ""), phone)
    if problems:
        errors["password"] = problems
    if body.get("kind", "personal") not in KINDS:
        errors["kind"] = [f"one of {', '.join(KINDS)}"]
    if body.get("kind") == "enterprise":
        if not str(body.get("organisation") or "").strip():
            errors["organisation"] = ["required for an enterprise account"]
        if not credit_code_valid(str(body.get("credit_code") or "").strip().upper()):
            errors["credit_code"] = ["not a valid unified social credit code (18 characters, check character)"]
    return errors


def register(uow, body: dict) -> dict:
    """Create the citizen account ``body`` describes (phone, code, display_name, password, kind,
    organisation, credit_code) and answer it as sign-in does; InvalidInput names each bad field
    and creates nothing (a wrong code still counts as a guess)."""
    s, now = uow.session, uow.clock.now()
    phone = _phone(body.get("phone"))
    errors = _account_errors(body, phone)
    if s.scalar(select(User.id).where(User.username == phone)) is not None:
        errors["phone"] = ["already registered: sign in instead"]
    code = None if errors else _check_code(uow, phone, body.get("code"))
    if code is None and not errors:
        uow.commit()  # the guess counts
        errors["code"] = ["wrong or expired code: ask for a new one"]
    if errors:
        raise InvalidInput("the account could not be created", fields=errors)
    enterprise = body.get("kind") == "enterprise"
    user = User(username=phone, phone=phone, password_hash=hash_password(str(body["password"])), created_at=now,
                display_name=str(body["display_name"]).strip()[:200], account_kind=body.get("kind", "personal"),
                organisation=str(body["organisation"]).strip()[:200] if enterprise else None,
                credit_code=str(body["credit_code"]).strip().upper() if enterprise else None)
    user.roles.append(UserRole(role="citizen"))
    s.add(user)
    code.used_at = now
    s.flush()
    audit.append(s, now, user, "user.registered", detail={"username": phone, "kind": user.account_kind})
    uow.commit()
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "roles": ["citizen"]}


def my_profile(uow, user_id: int) -> dict:
    """What pre-fills a citizen's forms (信息复用): their name and, for an enterprise, its name and
    credit code."""
    user = uow.session.get(User, user_id)
    return {"display_name": user.display_name, "kind": user.account_kind, "organisation": user.organisation or "",
            "credit_code": user.credit_code or "", "phone": user.phone or ""}


def update_profile(uow, user_id: int, body: dict) -> dict:
    """Change the name (and an enterprise's name and credit code); InvalidInput names each bad
    field and changes nothing. The phone number is the username and stays."""
    user = uow.session.get(User, user_id)
    errors = {k: v for k, v in _account_errors(body | {"kind": user.account_kind, "password": "unchanged1"},
                                               user.phone or "").items() if k != "password"}
    if errors:
        raise InvalidInput("the profile was not saved", fields=errors)
    user.display_name = str(body["display_name"]).strip()[:200]
    if user.account_kind == "enterprise":
        user.organisation = str(body["organisation"]).strip()[:200]
        user.credit_code = str(body["credit_code"]).strip().upper()
    audit.append(uow.session, uow.clock.now(), user, "user.profile_updated", detail={"username": user.username})
    uow.commit()
    return my_profile(uow, user_id)
