"""The audit trail is hash-chained, in chains of a case each (engine/audit.py): `civicflow audit
verify` catches an edit or a deletion in any chain and names it."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from engine import audit, services
from engine.models import AuditEvent
from engine.services.queries import case_history
from tests.conformance.test_returns import LINEAR
from tests.conftest import ON_POSTGRES
from tests.factories.directory import make_org_tree, make_user


def _verify_cli(container, monkeypatch):
    from webapp import cli
    monkeypatch.setattr(cli, "_container", lambda: container)
    return CliRunner().invoke(cli.main, ["audit", "verify"])


def _seed(container):
    make_org_tree(container)  # 5 org units
    make_user(container, "root", "admin")
    make_user(container, "wang", "dispatcher", org_unit="CITY")


def test_an_intact_chain_verifies(container, monkeypatch):
    _seed(container)
    result = _verify_cli(container, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "7 rows" in result.output


def test_an_edited_row_is_named(container, monkeypatch):
    _seed(container)
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3"))
    result = _verify_cli(container, monkeypatch)
    assert result.exit_code == 1
    assert "seq 3" in result.output and "does not match its hash" in result.output


def test_a_deleted_row_and_a_deleted_tail_are_caught(container, monkeypatch):
    _seed(container)
    with container.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 7"))
    assert "chain ends before its recorded head" in _verify_cli(container, monkeypatch).output
    with container.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    result = _verify_cli(container, monkeypatch)
    assert result.exit_code == 1 and "seq 5" in result.output


def test_every_change_has_its_row(container):
    _seed(container)
    with container.session_factory() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
        assert actions == ["org_unit.created"] * 5 + ["user.created"] * 2
        assert audit.verify(s).ok


def _cases_on_two_chains(container) -> tuple[int, int]:
    """Two cases whose rows go to different chains (case ids 1 apart)."""
    with container.uow() as uow:
        services.deploy(uow, [("linear.bpmn", LINEAR)], None)
    citizen = make_user(container, "zhang", "citizen")
    ids = []
    for title in ("一", "二"):
        with container.uow() as uow:
            ids.append(services.start_case(uow, "linear_review", {"title": title}, citizen)["id"])
    assert audit.chain_of(ids[0]) != audit.chain_of(ids[1])
    return ids[0], ids[1]


def test_each_case_keeps_one_chain_and_a_fault_in_any_chain_is_named(container, monkeypatch):
    _seed(container)
    first, second = _cases_on_two_chains(container)
    with container.session_factory() as s:
        chains = {case_id: {e.chain for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id))}
                  for case_id in (first, second)}
        assert chains == {first: {audit.chain_of(first)}, second: {audit.chain_of(second)}}
        seqs = [e.seq for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == second)
                                         .order_by(AuditEvent.id))]
        assert seqs == list(range(1, len(seqs) + 1))  # its own chain: numbered from 1, no gaps
        total = s.scalar(select(func.count()).select_from(AuditEvent))
    result = _verify_cli(container, monkeypatch)
    assert result.exit_code == 0 and f"{total} rows" in result.output

    with container.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET reason = 'edited' WHERE case_id = :c AND seq = 1"), {"c": second})
    result = _verify_cli(container, monkeypatch)
    assert result.exit_code == 1
    assert f"in chain {audit.chain_of(second)} at seq 1" in result.output and "does not match" in result.output

    with container.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET reason = NULL WHERE case_id = :c AND seq = 1"), {"c": second})
        last = conn.scalar(text("SELECT max(seq) FROM audit_events WHERE case_id = :c"), {"c": first})
        conn.execute(text("DELETE FROM audit_events WHERE case_id = :c AND seq = :s"), {"c": first, "s": last})
    result = _verify_cli(container, monkeypatch)
    assert result.exit_code == 1
    assert f"in chain {audit.chain_of(first)}" in result.output and "ends before its recorded head" in result.output


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite locks the whole database: one writer at a time anyway")
def test_a_transaction_holding_one_chain_does_not_hold_up_another_cases_change(container):
    first, second = _cases_on_two_chains(container)
    with container.session_factory() as holder:
        audit.append(holder, datetime.now(timezone.utc), None, "test.held", case_id=first)  # head locked
        with container.session_factory() as other:
            other.execute(text("SET LOCAL lock_timeout = '2s'"))
            audit.append(other, datetime.now(timezone.utc), None, "test.other", case_id=second)
            other.commit()  # a shared head would have waited for the holder, then timed out
        holder.rollback()


def test_a_case_begun_before_the_chains_keeps_its_history_in_the_order_written(container):
    _, case_id = _cases_on_two_chains(container)
    with container.engine.begin() as conn:  # as migration 0018 leaves it: its rows so far in chain 1, further on
        conn.execute(text("UPDATE audit_events SET chain = 1, seq = seq + 1000 WHERE case_id = :c"), {"c": case_id})
    with container.session_factory() as s:
        audit.append(s, datetime.now(timezone.utc), None, "case.later", case_id=case_id)  # seq 2 of its own chain
        s.commit()
        assert [h["action"] for h in case_history(s, case_id)][-1] == "case.later"
