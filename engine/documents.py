"""Issuing documents on a case. The engine records what a document says (a JSON snapshot) and
that it was issued; rendering the PDF is notifications' job, on first download."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .errors import InvalidInput
from .models import Case, User
from .models.documents import Document


def _snapshot(context: dict) -> dict:
    """The context as it will be stored; refused unless it is plain JSON, so that what is
    rendered later is exactly what the caller passed now (no silent str() of a datetime)."""
    if not isinstance(context, dict):
        raise InvalidInput("a document's context is a JSON object", fields={"context": ["not an object"]})
    try:
        return json.loads(json.dumps(context, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"a document's context must be JSON: {exc}", fields={"context": [str(exc)]}) from exc


def issue(uow, case: Case, kind: str, template: str, title: str, context: dict, actor: User | None = None,
          *, lang: str = "zh-CN") -> Document:
    """Add document ``title`` to ``case`` and the audit row ``document.issued``, in the caller's
    transaction (the caller commits). ``template`` names a folder of notifications/documents;
    ``context`` is its data (JSON: dates as ISO strings)."""
    document = Document(case_id=case.id, kind=kind, template=template, lang=lang, title=title,
                        context=_snapshot(context), created_at=uow.clock.now())
    uow.session.add(document)
    uow.flush()
    audit.append(uow.session, document.created_at, actor, "document.issued", case_id=case.id,
                 detail={"document_id": document.id, "kind": kind, "template": template, "title": title})
    return document


def case_documents(session: Session, case_id: int) -> list[Document]:
    """The case's documents, oldest first. The caller has checked that the case may be seen."""
    return list(session.scalars(select(Document).where(Document.case_id == case_id)
                                .order_by(Document.created_at, Document.id)))
