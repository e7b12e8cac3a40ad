"""Documents as a caller sees them: listed per case and served as PDF, rendered on the first
request and kept in the blob store, so every later download is the same bytes."""
from __future__ import annotations

from sqlalchemy import update

from engine import audit
from engine.blobs import blob_store
from engine.documents import case_documents
from engine.errors import NotFound
from engine.case_public import INTERNAL_DOCUMENTS
from engine.models.documents import Document
from engine.permissions import is_staff
from engine.services.common import load_actor
from engine.services.queries import visible_case

from .renderer import render


def _summary(document: Document) -> dict:
    return {"id": document.id, "case_id": document.case_id, "kind": document.kind, "name": document.title,
            "template": document.template, "sha256": document.sha256, "created_at": document.created_at,
            "rendered_at": document.rendered_at}


def list_documents(uow, case_id: int, actor_id: int) -> list[dict]:
    """The case's documents ``{id, case_id, kind, name, template, sha256, created_at,
    rendered_at}``, oldest first; NotFound when the actor may not see the case."""
    user = load_actor(uow.session, actor_id)
    case = visible_case(uow.session, user, case_id)
    documents = case_documents(uow.session, case_id)
    if not is_staff(user):  # the requester's own notices; a follower sees none
        documents = [d for d in documents if case.requester_id == user.id and d.kind not in INTERNAL_DOCUMENTS]
    return [_summary(d) for d in documents]


def document_summary(uow, document_id: int, actor_id: int) -> dict:
    """One document as :func:`list_documents` shows it; NotFound as :func:`_visible_document`."""
    return _summary(_visible_document(uow, document_id, actor_id))


def _visible_document(uow, document_id: int, actor_id: int) -> Document:
    """The document, or NotFound when it does not exist or its case is hidden from the actor."""
    document = uow.session.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    user = load_actor(uow.session, actor_id)
    try:
        case = visible_case(uow.session, user, document.case_id)
    except NotFound:
        raise NotFound(f"no document {document_id}") from None
    if not is_staff(user) and (case.requester_id != user.id or document.kind in INTERNAL_DOCUMENTS):
        raise NotFound(f"no document {document_id}")
    return document


def document_pdf(uow, document_id: int, actor_id: int) -> bytes:
    """The document's PDF; NotFound as :func:`document_summary`. The first request renders it,
    stores the bytes and records their SHA-256 (audit row ``document.rendered``) in one
    transaction; later requests, and a request that lost the race to render first, get the
    stored bytes (a blob stored by a transaction that then failed is harmless: it is
    content-addressed and unreferenced)."""
    document = _visible_document(uow, document_id, actor_id)
    store = blob_store(uow.settings)
    if document.sha256 is not None:
        return store.get(document.sha256)
    data = render(document.template, document.context, document.lang)
    sha256, now = store.put(data), uow.clock.now()
    # conditional, so that two first downloads record one rendering (the loser serves the winner's)
    won = uow.session.execute(update(Document).where(Document.id == document.id, Document.sha256.is_(None))
                              .values(sha256=sha256, rendered_at=now)).rowcount == 1
    if not won:
        uow.session.rollback()
        return store.get(uow.session.get(Document, document_id, populate_existing=True).sha256)
    audit.append(uow.session, now, load_actor(uow.session, actor_id), "document.rendered",
                 case_id=document.case_id, detail={"document_id": document.id, "sha256": sha256})
    uow.commit()
    return data
