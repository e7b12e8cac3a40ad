"""The ``civicflow`` command. ``init-db``, ``users create`` and ``run`` are stable interfaces."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from engine import audit, services
from engine.bootstrap import bootstrap
from engine.database import upgrade
from engine.errors import CivicFlowError
from engine.models import ROLES
from engine.scheduler import make_scheduler

from .demo import seed_demo


def _container():
    return bootstrap()


def _fail(exc: CivicFlowError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    for name, msgs in exc.fields.items():
        for msg in msgs if isinstance(msgs, list) else [msgs]:
            click.echo(f"  {name}: {msg}", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """CivicFlow: workflow engine for city governments."""


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    container = _container()
    upgrade(container.settings.database_url)
    click.echo(f"database ready: {container.engine.url.render_as_string(hide_password=True)}")


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
    click.echo(f"audit trail BROKEN at seq {result.bad_seq} (row id {result.bad_id}): {result.problem}; "
               f"{result.checked} rows before it are intact", err=True)
    sys.exit(1)


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


if __name__ == "__main__":
    main()
