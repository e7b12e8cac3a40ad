"""Documents issued on a case: listed, rendered on the first download and served as the same
bytes ever after, to whoever may see the case and to no one else."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, update

from engine import audit, documents
from engine.blobs import blob_store
from engine.errors import InvalidInput
from engine.models import AuditEvent, Case
from engine.models.documents import Document
from notifications.documents import sample_context, store
from tests.conftest import DATA, ON_POSTGRES
from tests.factories.api import people_signed_in
from tests.factories.directory import make_org_tree
from tests.factories.pdf import assert_fonts_cover, pdf_text

PEOPLE = [("root", "admin", None), ("zhang", "citizen", None), ("liu", "citizen", None), ("wang", "dispatcher", "CITY")]


@pytest.fixture
def world(client, container):
    make_org_tree(container)
    users = people_signed_in(client, container, PEOPLE)
    assert users["root"].upload(("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())).status_code == 201
    case = users["zhang"].post("/cases", {"process_key": "streetlight_repair",
                                          "data": {"title": "路灯", "location": "和平路"}}).get_json()
    with container.uow() as uow:
        row = uow.session.get(Case, case["id"])
        doc_id = documents.issue(uow, row, "result", "bundle_result", "办理结果通知书",
                                 sample_context("bundle_result")).id
        uow.commit()
    return users, case, doc_id


def _actions(container, action: str) -> list[AuditEvent]:
    with container.session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_requester_lists_and_downloads_the_pdf_and_the_trail_holds_its_hash(world, container, monkeypatch):
    users, case, doc_id = world
    listed = users["zhang"].get(f"/cases/{case['id']}/documents")
    assert listed.status_code == 200
    receipt, entry = listed.get_json()  # the 受理回执 issued when the case opened, then ours
    assert receipt["kind"] == "receipt"
    assert (entry["id"], entry["kind"], entry["name"], entry["sha256"]) == (doc_id, "result", "办理结果通知书", None)
    assert entry["url"] == f"/api/v1/documents/{doc_id}"
    resp = users["zhang"].get(f"/documents/{doc_id}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith(f'inline; filename="result-{doc_id}.pdf"')
    pdf = resp.get_data()
    assert "办理结果通知书" in pdf_text(pdf) and "2026112300017" in pdf_text(pdf)
    assert_fonts_cover(pdf)
    sha256 = hashlib.sha256(pdf).hexdigest()
    issued = next(e for e in _actions(container, "document.issued") if e.detail["document_id"] == doc_id)
    [rendered] = _actions(container, "document.rendered")
    assert issued.case_id == rendered.case_id == case["id"]
    assert rendered.detail == {"document_id": doc_id, "sha256": sha256} and rendered.actor == "zhang"
    assert users["zhang"].get(f"/cases/{case['id']}/documents").get_json()[1]["sha256"] == sha256

    def no_render(*args, **kwargs):
        raise AssertionError("rendered again")
    monkeypatch.setattr(store, "render", no_render)
    again = users["wang"].get(f"/documents/{doc_id}")  # staff who see the case: the stored bytes
    assert again.status_code == 200 and again.get_data() == pdf
    assert len(_actions(container, "document.rendered")) == 1
    with container.session_factory() as s:
        assert audit.verify(s).ok


def test_a_stranger_gets_404_for_the_list_and_the_pdf(world, container):
    users, case, doc_id = world
    assert users["liu"].get(f"/cases/{case['id']}/documents").status_code == 404
    assert users["liu"].get(f"/documents/{doc_id}").status_code == 404
    assert users["liu"].get(f"/documents/{doc_id + 1000}").status_code == 404
    assert _actions(container, "document.rendered") == []  # nothing rendered for someone who may not see it


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite's BEGIN IMMEDIATE serializes the two downloads whole")
def test_losing_the_race_to_render_serves_the_winners_bytes(world, container, monkeypatch):
    users, case, doc_id = world
    winner = b"%PDF-1.7 rendered by another worker"
    real_render = store.render

    def render_while_another_worker_finishes_first(*args):
        data = real_render(*args)
        with container.uow() as other:
            sha = blob_store(other.settings).put(winner)
            other.session.execute(update(Document).where(Document.id == doc_id).values(sha256=sha))
            other.commit()
        return data
    monkeypatch.setattr(store, "render", render_while_another_worker_finishes_first)
    resp = users["zhang"].get(f"/documents/{doc_id}")
    assert resp.status_code == 200 and resp.get_data() == winner
    assert _actions(container, "document.rendered") == []


def test_a_context_that_is_not_json_is_refused(world, container):
    from datetime import datetime, timezone
    _, case, _ = world
    with container.uow() as uow, pytest.raises(InvalidInput):
        documents.issue(uow, uow.session.get(Case, case["id"]), "result", "bundle_result", "x",
                        {"issued_at": datetime.now(timezone.utc)})
