"""Applying to a one-thing bundle (一表申请): ``POST /cases`` with a bundle's process runs here.
The application is checked as a whole (answers, the one form, every material), the case starts
with the applicable items to approve in parallel, and the materials are linked by their code."""
from __future__ import annotations

from .. import audit
from ..attachments.links import check_attachment_ids, link_attachments
from ..bundles.application import application_data
from ..bundles.eligibility import application_of, beneficiary, existing_keys, read_table, row_problem
from ..bundles.store import bundle_by_key
from ..case_start import open_case
from ..errors import CivicFlowError, InvalidInput
from ..models import Bundle, ProcessDefinition, User
from .bundles import prefill
from .common import admin_or_server, load_actor
from .definitions import latest_definition


def open_application(uow, bundle: Bundle, definition: ProcessDefinition, data: object, applicant: User, *,
                     actor: User | None = None, channel: str = "application", business_key: str | None = None):
    """Check and open one application in the caller's transaction; ``actor`` (default the
    applicant) is who started it, e.g. an admin's eligibility import (免申即享)."""
    clean = application_data(bundle.definition, data, applicant, channel=channel)
    check_attachment_ids(uow.session, applicant, {f"attachments.{code}": ids for code, ids in clean["attachments"].items()})
    case = open_case(uow, definition, clean, actor or applicant, requester_id=applicant.id, business_key=business_key,
                     detail={"bundle": bundle.key, "bundle_version": bundle.version, "channel": channel})
    for code, ids in clean["attachments"].items():
        link_attachments(uow.session, case.id, ids, material_code=code, at=uow.clock.now())
    return case


def check_application(uow, key: str, data: object, actor_id: int) -> dict:
    """What applying would refuse, without applying: the checked application, or InvalidInput
    naming every bad part exactly as ``start_case`` would (a review screen before submitting)."""
    applicant = load_actor(uow.session, actor_id)
    bundle = bundle_by_key(uow.session, key)
    clean = application_data(bundle.definition, data, applicant)
    check_attachment_ids(uow.session, applicant, {f"attachments.{code}": ids for code, ids in clean["attachments"].items()})
    return clean


def import_beneficiaries(uow, key: str, table: bytes, actor_id: int | None) -> dict:
    """免申即享: one pre-approved case per row of the eligibility table, each in its own
    transaction; rows already imported are skipped, a bad row is reported by its line and
    changes nothing. Returns ``{created, existing, errors: [{line, beneficiary_id, error}]}``."""
    s = uow.session
    actor = admin_or_server(uow, actor_id)
    bundle = bundle_by_key(s, key)
    definition = latest_definition(s, bundle.process_key)
    rows = read_table(table)
    keys = [f"{key}:{row['beneficiary_id']}" for row in rows]
    done = existing_keys(s, bundle.process_key, [k for k, row in zip(keys, rows) if row["beneficiary_id"]])
    created, errors = 0, []
    for line, (row, business_key) in enumerate(zip(rows, keys), start=2):
        if business_key in done:
            continue
        try:
            if not row["beneficiary_id"] or not row["username"]:
                raise InvalidInput("beneficiary_id and username are required", fields={"row": ["incomplete"]})
            applicant = beneficiary(uow, row)
            application = application_of(bundle.definition, row)
            known = prefill(s, bundle.definition, bundle.definition["items"], applicant)
            application["form"] = {k: v for k, v in known.items() if v not in (None, "")} | application["form"]
            open_application(uow, bundle, definition, application, applicant,
                             actor=actor, channel="eligibility", business_key=business_key)
            uow.commit()
        except CivicFlowError as exc:
            s.rollback()
            errors.append({"line": line, "beneficiary_id": row["beneficiary_id"], "error": row_problem(exc)})
            continue
        created += 1
        done.add(business_key)
    audit.append(s, uow.clock.now(), actor, "bundle.eligibility_imported", detail={
        "bundle": key, "rows": len(rows), "created": created, "errors": len(errors)})
    uow.commit()
    return {"created": created, "existing": len(rows) - created - len(errors), "errors": errors}
