"""The audit trail is hash-chained: `civicflow audit verify` catches an edit or a deletion."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select, text

from engine import audit
from engine.models import AuditEvent
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
