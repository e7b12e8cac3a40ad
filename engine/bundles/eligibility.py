"""免申即享: an eligibility table (CSV) turned into pre-approved cases, one per beneficiary, once.
A row's business key is the bundle and the beneficiary's id, so importing the same table again
(or an overlapping one) creates nothing twice."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from ..errors import CivicFlowError, InvalidInput
from ..models import Case, Role, User, UserRole

MAX_ROWS = 100_000
REQUIRED_COLUMNS = ("beneficiary_id", "username", "name")
NO_PASSWORD = "!"  # an account made for a beneficiary: no sign-in until a password is set


def read_table(data: bytes) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV (a BOM from spreadsheet programs is fine), or InvalidInput."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the table is not UTF-8", fields={"file": ["save the CSV as UTF-8"]}) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("the table lacks columns", fields={"file": [f"missing columns: {', '.join(missing)}"]})
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise InvalidInput("the table is too long", fields={"file": [f"at most {MAX_ROWS} rows"]})
        rows.append({k: (v or "").strip() for k, v in row.items() if k is not None})
    return rows


def _typed(value: str, spec: dict):
    """A CSV cell as the field's type, so the one form's schema checks it as it checks a form."""
    if value == "":
        return None
    kind = spec["type"]
    try:
        if kind == "long":
            return int(value)
        if kind == "double":
            return float(value)
    except ValueError:
        return value  # the schema names it
    if kind == "boolean":
        return {"true": True, "1": True, "是": True, "false": False, "0": False, "否": False}.get(value.lower(), value)
    return value


def application_of(definition: dict, row: dict[str, str]) -> dict:
    """The application a row stands for: questionnaire answers and form fields by column name."""
    questions = {q["id"]: q for q in definition["questions"]}
    answers = {}
    for qid, q in questions.items():
        if row.get(qid, "") != "":
            answers[qid] = _typed(row[qid], {"type": "boolean"}) if q["type"] == "boolean" else row[qid]
    form = {name: _typed(row[name], spec) for name, spec in definition["form_fields"].items()
            if row.get(name, "") != ""}
    return {"answers": answers, "form": form}


def beneficiary(uow, row: dict[str, str]) -> User:
    """The beneficiary's account; one is made (citizen, no password yet) when there is none."""
    s = uow.session
    user = s.scalar(select(User).where(User.username == row["username"]))
    if user is not None:
        return user
    user = User(username=row["username"][:64], display_name=row["name"][:200], password_hash=NO_PASSWORD,
                created_at=uow.clock.now())
    user.roles.append(UserRole(role=s.get(Role, "citizen").name))
    s.add(user)
    s.flush()
    return user


def existing_keys(session, process_key: str, keys: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(keys), 500):
        found |= set(session.scalars(select(Case.business_key).where(
            Case.process_key == process_key, Case.business_key.in_(keys[start:start + 500]))))
    return found


def row_problem(exc: CivicFlowError) -> str:
    detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
    return f"{exc.message}" + (f" ({detail})" if detail else "")
