"""The public status of a case (办理过程公开), for anyone holding its number and the query code
printed on the receipt; no account, no token."""
from __future__ import annotations

import hmac

from sqlalchemy import select

from ..case_public import public_status
from ..errors import NotFound
from ..models import Case

MAX_NUMBER = 20


def public_case(uow, number: str, code: str) -> dict:
    """The case's public status; NotFound alike for an unknown number and a wrong code, so that
    neither can be probed."""
    number, code = (number or "").strip()[:MAX_NUMBER], (code or "").strip().upper()
    case = uow.session.scalar(select(Case).where(Case.number == number)) if number.isdigit() else None
    if case is None or not case.query_code or not hmac.compare_digest(case.query_code.upper().encode(), code.encode()):
        raise NotFound("no case with this number and query code")
    return public_status(uow.session, case)
