"""Backup and restore (issue #16 §6): `civicflow backup` copies the database (SQLite's online
backup API, pg_dump on PostgreSQL) and the attachments while cases are in flight; `civicflow
restore` puts them into a fresh, empty database, and the cases finish there with their files
and an intact audit chain. Restore never writes over a database that has data."""
from __future__ import annotations

import dataclasses

from click.testing import CliRunner
from sqlalchemy import select

from engine import audit, services
from engine.bootstrap import Container
from engine.database import make_engine, make_session_factory
from engine.models import Case, Task
from engine.services.attachments import attachment_content, upload_attachment
from notifications import install as install_notifications
from tests.conformance.test_returns import LINEAR
from tests.factories.directory import make_user
from tests.factories.files import photo
from webapp.cli import main


def _cli(monkeypatch, settings, *args: str):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CIVICFLOW_INSTANCE_PATH", str(settings.instance_path))
    return CliRunner().invoke(main, list(args))


def _in_flight(container) -> tuple[int, str, dict[str, int]]:
    """A linear_review case waiting at review, with a photo the applicant attached."""
    with container.uow() as uow:
        services.deploy(uow, [("linear.bpmn", LINEAR)], None)
    people = {"citizen": make_user(container, "zhang", "citizen"), "clerk": make_user(container, "sun", "clerk"),
              "approver": make_user(container, "a1", "approver")}
    with container.uow() as uow:
        file_id = upload_attachment(uow, people["citizen"], "门前.jpg", photo(gps=None))["id"]
    with container.uow() as uow:
        case_id = services.start_case(uow, "linear_review", {"title": "申请"}, people["citizen"])["id"]
    _complete(container, case_id, "apply", people["clerk"])
    return case_id, file_id, people


def _complete(container, case_id: int, element: str, actor: int) -> None:
    with container.session_factory() as s:
        task_id = s.scalar(select(Task.id).where(Task.case_id == case_id, Task.element_id == element,
                                                 Task.state.in_(("open", "claimed"))))
    with container.uow() as uow:
        services.complete_task(uow, task_id, {f"{element}_ok": True}, actor)


def test_a_case_in_flight_finishes_after_backup_and_restore(container, tmp_path, fresh_database_url, monkeypatch):
    case_id, file_id, people = _in_flight(container)
    taken = _cli(monkeypatch, container.settings, "backup", str(tmp_path / "backup"))
    assert taken.exit_code == 0, taken.output
    assert "blobs: 1" in taken.output

    target = dataclasses.replace(container.settings, database_url=fresh_database_url,
                                 instance_path=tmp_path / "restored")
    restored = _cli(monkeypatch, target, "restore", str(tmp_path / "backup"))
    assert restored.exit_code == 0, restored.output
    engine = make_engine(fresh_database_url)
    try:
        other = install_notifications(Container(settings=target, engine=engine,
                                                 session_factory=make_session_factory(engine), clock=container.clock))
        with other.uow() as uow:
            meta, data = attachment_content(uow, file_id, people["citizen"])
        assert data == photo(gps=None) and meta["name"] == "门前.jpg"
        _complete(other, case_id, "review", people["approver"])
        _complete(other, case_id, "archive", people["clerk"])
        with other.session_factory() as s:
            assert s.get(Case, case_id).status == "completed"
            assert audit.verify(s).ok
    finally:
        engine.dispose()


def test_restore_refuses_a_database_that_has_data(container, tmp_path, monkeypatch):
    _in_flight(container)
    assert _cli(monkeypatch, container.settings, "backup", str(tmp_path / "backup")).exit_code == 0
    again = _cli(monkeypatch, container.settings, "restore", str(tmp_path / "backup"))
    assert again.exit_code == 1 and "not empty" in again.output
    with container.session_factory() as s:
        assert s.scalar(select(Case.status)) == "running"


def test_a_backup_goes_only_into_an_empty_folder_and_restore_wants_a_backup(container, tmp_path, monkeypatch):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = _cli(monkeypatch, container.settings, "backup", str(tmp_path / "full"))
    assert refused.exit_code == 1 and "target" in refused.output
    (tmp_path / "empty").mkdir()
    target = dataclasses.replace(container.settings, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    not_backup = _cli(monkeypatch, target, "restore", str(tmp_path / "empty"))
    assert not_backup.exit_code == 1 and "source" in not_backup.output
