"""The ``civicflow`` command. ``init-db``, ``users create`` and ``run`` are stable interfaces."""
from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from engine import audit, backup, services
from engine.services import calendar_admin, directory
from engine.bootstrap import bootstrap
from engine.bundles.store import read_folder
from engine.database import upgrade
from engine.errors import CivicFlowError
from engine.models import ROLES
from engine.scheduler import make_scheduler
from engine.settings import load_settings
from engine.stuck import stuck_cases
from notifications import install as install_notifications

from .demo import seed_demo
from .reports.cli import reports_group


def _container():
    return install_notifications(bootstrap())


def _fail(exc: CivicFlowError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    for name, msgs in exc.fields.items():
        for msg in msgs if isinstance(msgs, list) else [msgs]:
            click.echo(f"  {name}: {msg}", err=True)
    sys.exit(1)


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            if "no such table" in str(exc) or "does not exist" in str(exc):
                raise click.ClickException("the database has no CivicFlow schema yet: run `civicflow init-db`") from exc
            raise


@click.group(cls=_Group)
def main() -> None:
    """CivicFlow: workflow engine for city governments."""


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    container = _container()
    upgrade(container.settings.database_url)
    click.echo(f"database ready: {container.engine.url.render_as_string(hide_password=True)}")


@main.command("backup")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def backup_cmd(target: Path) -> None:
    """Copy the database and the attachments into the empty folder TARGET (while running)."""
    try:
        manifest = backup.backup(load_settings(), target)
    except CivicFlowError as exc:
        _fail(exc)
    click.echo(f"backup written to {target}: {manifest['database']}, blobs: {manifest['blobs']}")


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_cmd(source: Path) -> None:
    """Restore the backup in SOURCE into the configured, empty database and the instance folder."""
    try:
        done = backup.restore(load_settings(), source)
    except CivicFlowError as exc:
        _fail(exc)
    click.echo(f"restored {done['database']} and {done['blobs']} blobs; schema up to date")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def deploy(files: tuple[Path, ...]) -> None:
    """Deploy one .bpmn FILE (with its .dmn tables) as a new process version."""
    container = _container()
    try:
        with container.uow() as uow:
            definition, created = services.deploy(uow, [(f.name, f.read_bytes()) for f in files], None)
    except CivicFlowError as exc:
        _fail(exc)
    state = "deployed" if created else "unchanged, already deployed as"
    click.echo(f"{state} {definition['key']} v{definition['version']}")


@main.group()
def users() -> None:
    """Manage users."""


@users.command("create")
@click.argument("name")
@click.option("--password", required=True, help="at least 8 characters")
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(list(ROLES)),
              help="repeat for several roles")
@click.option("--org-unit", default=None, help="org unit code the roles are held in")
@click.option("--display-name", default="")
def users_create(name: str, password: str, roles: tuple[str, ...], org_unit: str | None,
                 display_name: str) -> None:
    """Create user NAME holding --role (in --org-unit)."""
    container = _container()
    try:
        with container.uow() as uow:
            user = services.create_user(uow, name, password, list(roles), org_unit, display_name)
    except CivicFlowError as exc:
        _fail(exc)
    click.echo(f"created {user['username']} ({', '.join(user['roles'])})")


@users.command("set-password")
@click.argument("name")
@click.option("--password", required=True, help="at least 8 characters")
def users_set_password(name: str, password: str) -> None:
    """Set user NAME's password (accounts imported by 免申即享 have none until then)."""
    container = _container()
    try:
        with container.uow() as uow:
            directory.set_password(uow, name, password, None)
    except CivicFlowError as exc:
        _fail(exc)
    click.echo(f"password set for {name}")


@main.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit 1 naming the first bad row."""
    container = _container()
    with container.session_factory() as session:
        result = audit.verify(session)
    if result.ok:
        click.echo(f"audit trail intact: {result.checked} rows")
        return
    click.echo(f"audit trail BROKEN in chain {result.bad_chain} at seq {result.bad_seq} (row id {result.bad_id}): "
               f"{result.problem}; {result.checked} rows checked", err=True)
    sys.exit(1)


@main.command("check")
def check() -> None:
    """List running cases that wait on nothing (no task, timer, message, external task, child
    case or incident); exit 1 if there is one. It should always print none."""
    container = _container()
    with container.session_factory() as session:
        stuck = stuck_cases(session)
    if not stuck:
        click.echo("no stuck cases: every running case waits on something someone can see")
        return
    click.echo(f"{len(stuck)} running case(s) wait on nothing: {', '.join(map(str, stuck))}", err=True)
    sys.exit(1)


@main.group("calendar")
def calendar_group() -> None:
    """The working-day calendar (Asia/Shanghai by default)."""


@calendar_group.command("add")
@click.argument("start", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]))
@click.argument("limit")
def calendar_add(start: datetime, limit: str) -> None:
    """Print the deadline of LIMIT (3wd, 4wh, 2h, 30m, PT2H) from START, e.g. 2026-09-30T16:00 3wd."""
    container = _container()
    try:
        with container.uow() as uow:
            deadline = calendar_admin.add_limit(uow, start, limit)
    except CivicFlowError as exc:
        _fail(exc)
    years = ", ".join(str(y) for y in sorted(deadline.provisional_years))
    click.echo(deadline.at.isoformat() + (f"  provisional: {years} not confirmed" if deadline.provisional else ""))


@calendar_group.command("years")
def calendar_years() -> None:
    """List years: confirmed, or provisional (deadlines in them may still move)."""
    with _container().uow() as uow:
        for row in calendar_admin.year_status(uow):
            click.echo(f"{row['year']}  {row['status']:11}  admin days: {row['admin_days']:3}  "
                       f"open provisional deadlines: {row['open_provisional_deadlines']}")


@calendar_group.command("set-day")
@click.argument("day", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--working/--rest", required=True, help="a working day (调休上班) or a rest day (放假)")
@click.option("--note", default="")
def calendar_set_day(day: datetime, working: bool, note: str) -> None:
    """Add or override one DAY; its year stays provisional until confirmed."""
    with _container().uow() as uow:
        result = calendar_admin.set_days(uow, [{"day": day.date(), "working": working, "note": note}], None)
    click.echo(f"set {day.date()} {'working' if working else 'rest'}; {result['recomputed_tasks']} deadlines moved")


@calendar_group.command("confirm")
@click.argument("year", type=int)
@click.option("--import", "import_file", type=click.File("r", encoding="utf-8"), default=None,
              help="CSV lines 'YYYY-MM-DD,work|rest[,note]': the year's official days")
def calendar_confirm(year: int, import_file) -> None:
    """Confirm YEAR's official 放假调休 schedule (optionally importing it) and recompute deadlines."""
    days = None
    if import_file is not None:
        days = []
        for number, line in enumerate(import_file, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 2 or parts[1] not in ("work", "rest"):
                raise click.BadParameter(f"line {number}: expected 'YYYY-MM-DD,work|rest[,note]'")
            days.append({"day": date.fromisoformat(parts[0]), "working": parts[1] == "work",
                         "note": parts[2] if len(parts) > 2 else ""})
    try:
        with _container().uow() as uow:
            result = calendar_admin.confirm_year(uow, year, None, days=days)
    except CivicFlowError as exc:
        _fail(exc)
    click.echo(f"{year} confirmed; {result['recomputed_tasks']} open deadlines recomputed")


@main.group("time-limits")
def time_limits_group() -> None:
    """The time-limit table (process × stage × category × urgency)."""


@time_limits_group.command("load")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def time_limits_load(file) -> None:
    """Load rows from a JSON list of {process_key, stage, category, urgency, limit, note}."""
    rows = json.load(file)
    container = _container()
    try:
        for row in rows:
            with container.uow() as uow:
                calendar_admin.set_time_limit(uow, None, **row)
    except CivicFlowError as exc:
        _fail(exc)
    click.echo(f"{len(rows)} time limits set")


@main.group("bundles")
def bundles_group() -> None:
    """One-thing bundles (一件事): load their folders, import 免申即享 eligibility tables."""


@bundles_group.command("load")
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
def bundles_load(folders: tuple[Path, ...]) -> None:
    """Check and load each bundle FOLDER (bundle.json, questionnaire.json, rules.json,
    materials.json and its diagram); the same files again change nothing."""
    container = _container()
    for folder in folders:
        try:
            with container.uow() as uow:
                bundle, created = services.load_bundle(uow, read_folder(folder), None)
        except CivicFlowError as exc:
            _fail(exc)
        state = "loaded" if created else "unchanged, already loaded as"
        click.echo(f"{state} {bundle['key']} v{bundle['version']} ({bundle['items_count']} items)")


@bundles_group.command("import")
@click.argument("key")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def bundles_import(key: str, table: Path) -> None:
    """免申即享: one pre-approved case per beneficiary in TABLE (CSV with beneficiary_id,
    username, name and the bundle's questions and fields as columns); rows imported before are
    skipped. Exits 1 if a row was refused."""
    container = _container()
    try:
        with container.uow() as uow:
            out = services.import_beneficiaries(uow, key, table.read_bytes(), None)
    except CivicFlowError as exc:
        _fail(exc)
    click.echo(f"created {out['created']} cases, {out['existing']} already imported, {len(out['errors'])} refused")
    for error in out["errors"]:
        click.echo(f"  line {error['line']} ({error['beneficiary_id']}): {error['error']}", err=True)
    if out["errors"]:
        sys.exit(1)


@main.group("documents")
def documents_group() -> None:
    """Generated PDF documents (notifications/documents/<name>/)."""


@documents_group.command("preview")
@click.argument("name")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="the PDF to write (default: NAME.pdf here)")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True)
def documents_preview(name: str, out: Path | None, lang: str) -> None:
    """Render document NAME with its sample.json, as a designer previews it."""
    from notifications.documents import render, sample_context
    try:
        data = render(name, sample_context(name), lang)
    except CivicFlowError as exc:
        _fail(exc)
    out = out or Path(f"{name}.pdf")
    out.write_bytes(data)
    click.echo(f"{out}: {len(data)} bytes")


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("name")
@click.option("--quick", is_flag=True, help="under a minute: the same figures on less work")
def bench(name: str, quick: bool) -> None:
    """Run benchmark NAME (raw, engine, http, inbox, timers, state, notify, kpis, all); see bench/RESULTS.md."""
    from bench.cli import main as bench_main
    sys.exit(bench_main([name] + (["--quick"] if quick else [])))


@main.command("seed-demo")
def seed_demo_cmd() -> None:
    """Demo org units, one user per role (passwords printed) and the bundled processes."""
    container = _container()
    for line in seed_demo(container):
        click.echo(line)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run(host: str, port: int) -> None:
    """Serve the web app and the API with the scheduler in-process (demo, small sites)."""
    from . import create_app
    container = _container()
    app = create_app(container=container)
    scheduler = make_scheduler(container, blocking=False)
    scheduler.start()
    click.echo(f"CivicFlow on http://{host}:{port}  (API: http://{host}:{port}/api/v1/openapi.json)")
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        scheduler.shutdown(wait=False)


@main.command()
def scheduler() -> None:
    """Run only the timer sweep and periodic jobs (run one or more beside the web workers)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo("CivicFlow scheduler: sweeping timers every second")
    make_scheduler(_container(), blocking=True).start()


main.add_command(reports_group)  # civicflow reports monthly | pdf


if __name__ == "__main__":
    main()
