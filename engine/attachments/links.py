"""Which attachments a user may use or read, and linking them to cases.

The rule, in one place: the owner (who uploaded it), and whoever may see a case it is linked
to. Everyone else is told the id does not exist (400 in a form, 404 on download), never that
it belongs to someone else."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from forms.base import AttachmentId, AttachmentIds

from ..errors import InvalidInput
from ..forms_runtime import schema_for
from ..models import Attachment, Case, CaseAttachment, User
from ..permissions import is_staff


def usable_clause(session: Session, user: User):
    """A WHERE clause on Attachment: the ones ``user`` may read and put into a form (a citizen:
    their own uploads and the files of their own cases)."""
    from ..services.queries import case_visibility  # here: engine.services imports this module

    linked = select(CaseAttachment.attachment_id).join(Case, Case.id == CaseAttachment.case_id)
    if not is_staff(user):  # a citizen: their own cases' files, never a case they only follow
        return or_(Attachment.owner_id == user.id, Attachment.id.in_(linked.where(Case.requester_id == user.id)))
    seen = case_visibility(session, user)
    return or_(Attachment.owner_id == user.id, Attachment.id.in_(linked if seen is None else linked.where(seen)))


def check_attachment_ids(session: Session, user: User, ids_by_field: dict[str, list[str]]) -> None:
    """Return if every id exists and is ``user``'s to use; else InvalidInput with
    ``fields={field: ["unknown attachment id '…'", …]}`` for each field holding an unknown or
    foreign id (the two read alike, so ids cannot be probed). Call it before changing anything."""
    wanted = {i for ids in ids_by_field.values() for i in ids if isinstance(i, str)}
    usable = set(session.scalars(select(Attachment.id).where(Attachment.id.in_(wanted), usable_clause(session, user)))
                 ) if wanted else set()
    problems = {field: [f"unknown attachment id {str(i)[:64]!r}" for i in ids if i not in usable]
                for field, ids in ids_by_field.items()}
    problems = {field: msgs for field, msgs in problems.items() if msgs}
    if problems:
        raise InvalidInput("unknown attachment ids", fields=problems)


def link_attachments(session: Session, case_id: int, ids: Iterable[str], *, field: str | None = None,
                     material_code: str | None = None, task_id: int | None = None, at: datetime) -> None:
    """Link checked ids to the case in the caller's transaction, as given in ``field`` (a form
    field) and/or for ``material_code`` (a bundle material), by the step ``task_id`` if any.
    Linking the same id the same way twice adds nothing."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return
    existing = set(session.scalars(select(CaseAttachment.attachment_id).where(
        CaseAttachment.case_id == case_id, CaseAttachment.attachment_id.in_(ids),
        CaseAttachment.field.is_(None) if field is None else CaseAttachment.field == field,
        CaseAttachment.material_code.is_(None) if material_code is None else CaseAttachment.material_code == material_code)))
    session.add_all(CaseAttachment(case_id=case_id, attachment_id=i, field=field, material_code=material_code,
                                   task_id=task_id, created_at=at) for i in ids if i not in existing)


def form_attachment_ids(form, owner, clean: dict) -> dict[str, list[str]]:
    """Field name → the attachment ids a validated submission ``clean`` gives in the form's
    ``attachment``/``attachments`` fields (declared in the diagram or in a registered form)."""
    schema = schema_for(form, owner)
    out: dict[str, list[str]] = {}
    for name, field in (schema.fields.items() if schema else ()):
        value = clean.get(name)
        if isinstance(field, AttachmentIds) and value:
            out[name] = list(value)
        elif isinstance(field, AttachmentId) and value:
            out[name] = [value]
    return out


def link_form_attachments(session: Session, case_id: int, ids_by_field: dict[str, list[str]], *,
                          task_id: int | None = None, at: datetime) -> None:
    """:func:`link_attachments` for each field of :func:`form_attachment_ids`."""
    for field, ids in ids_by_field.items():
        link_attachments(session, case_id, ids, field=field, task_id=task_id, at=at)
