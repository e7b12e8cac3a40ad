"""The stable CLI: init-db, users create, deploy, seed-demo, on a fresh database."""
from __future__ import annotations

from click.testing import CliRunner

from webapp.cli import main
from webapp.demo import PROCESSES
from tests.conftest import DATA, ON_POSTGRES

import pytest

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="uses its own SQLite file")


def test_cli_from_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICFLOW_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    cli = CliRunner()
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    assert (tmp_path / "civicflow.db").exists() and (tmp_path / "secret_key").exists()
    assert cli.invoke(main, ["init-db"]).exit_code == 0  # idempotent

    seeded = cli.invoke(main, ["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "dispatcher" in seeded.output and (tmp_path / "demo-passwords.txt").stat().st_mode & 0o077 == 0
    assert "bundle birth_one_thing v1" in seeded.output and "approver-health" in seeded.output
    again = cli.invoke(main, ["seed-demo"])

    def people(output: str) -> list[str]:
        return output.split("demo users")[1].split("demo cases")[0].splitlines()

    assert people(again.output) == people(seeded.output)  # same passwords
    assert "  handler " in seeded.output and "东城区城管局 (D-EAST-CG)" in seeded.output
    assert "demo cases (already seeded)" in again.output  # the cases come once
    assert "bundle birth_one_thing v1 (already loaded)" in again.output

    loaded = cli.invoke(main, ["bundles", "load", str(PROCESSES / "policy_cashing")])
    assert loaded.exit_code == 0 and "unchanged, already loaded as policy_cashing v1" in loaded.output
    table = tmp_path / "eligible.csv"
    table.write_text("beneficiary_id,username,name,enterprise_size,hired_graduates,enterprise_name,credit_code,"
                     "insured_employees,unemployment_insurance_paid,graduates\n"
                     "91320800MA00000001,ent1,企业一,sme,false,甲公司,91320800MA00000001,3,1000,0\n"
                     "91320800MA00000002,ent2,企业二,huge,false,乙公司,91320800MA00000002,3,1000,0\n", encoding="utf-8")
    imported = cli.invoke(main, ["bundles", "import", "policy_cashing", str(table)])
    assert imported.exit_code == 1 and "created 1 cases, 0 already imported, 1 refused" in imported.output
    assert "line 3" in imported.output
    twice = cli.invoke(main, ["bundles", "import", "policy_cashing", str(table)])
    assert "created 0 cases, 1 already imported, 1 refused" in twice.output

    made = cli.invoke(main, ["users", "create", "li", "--password", "long-enough-pw", "--role", "handler",
                             "--org-unit", "D-EAST-CG"])
    assert made.exit_code == 0 and "created li (handler)" in made.output
    dup = cli.invoke(main, ["users", "create", "li", "--password", "long-enough-pw", "--role", "handler"])
    assert dup.exit_code == 1 and "exists already" in dup.output
    short = cli.invoke(main, ["users", "create", "mo", "--password", "x", "--role", "handler"])
    assert short.exit_code == 1 and "password" in short.output

    first = cli.invoke(main, ["deploy", str(DATA / "streetlight_repair.bpmn")])
    assert first.exit_code == 0 and "deployed streetlight_repair v1" in first.output
    assert "unchanged" in cli.invoke(main, ["deploy", str(DATA / "streetlight_repair.bpmn")]).output
    bad = tmp_path / "bad.bpmn"
    bad.write_text((DATA / "streetlight_repair.bpmn").read_text().replace("${passed}", "__import__('os')"))
    refused = cli.invoke(main, ["deploy", str(bad)])
    assert refused.exit_code == 1 and "Flow_passed" in refused.output
    assert cli.invoke(main, ["audit", "verify"]).exit_code == 0
    checked = cli.invoke(main, ["check"])
    assert checked.exit_code == 0 and "no stuck cases" in checked.output
