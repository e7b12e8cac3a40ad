"""Small pieces every service needs: loading the actor, running the workflow safely."""
from __future__ import annotations

from collections.abc import Callable

from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, contains_eager, joinedload, lazyload

from .. import expressions
from ..bpmn.loader import definition_of
from ..bpmn.specs import human_spec
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from ..incidents import refusal
from ..models import Case, Task, User
from ..models.cases import TASK_OPEN_STATES
from ..permissions import can_see, is_staff


def load_actor(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, options=[joinedload(User.roles)])
    if user is None or not user.active:
        raise Unauthenticated("unknown or inactive user")
    return user


_TASK = (select(Task).join(Task.case).options(contains_eager(Task.case), joinedload(Task.candidates))
         .where(Task.id == bindparam("task_id")))  # built once: every task page and action runs it
_WITH_LIVE_ROWS = _TASK.options(contains_eager(Task.case).joinedload(Case.live_tasks).lazyload(Task.candidates))
# Its own statement, before the rows are read: a statement that waited for the lock would see
# the case row as its holder left it but the task rows as they were before (PostgreSQL re-reads
# only the locked row), and cancel a step the holder had just completed.
_LOCK_CASE_OF_TASK = (select(Case.id).join(Task, Task.case_id == Case.id).where(Task.id == bindparam("task_id"))
                      .with_for_update(of=Case))


def visible_task(session: Session, user: User, task_id: int, lock_case: bool = False) -> Task:
    """The task with its case and candidates in one statement, or NotFound when it does not exist
    or the user may not see it. ``lock_case`` first takes the case row's lock, then reads the
    case's live rows with the task, for a writer that changes the case and its task rows (a
    completion): every such writer then queues on the case instead of each holding one row the
    other needs, which PostgreSQL ends as a deadlock, and goes on from what the one before left."""
    if lock_case:
        session.execute(_LOCK_CASE_OF_TASK, {"task_id": task_id})
    task = session.scalars(_WITH_LIVE_ROWS if lock_case else _TASK, {"task_id": task_id}).unique().first()
    if task is None or not can_see(session, user, task):
        raise NotFound(f"no task {task_id}")
    return task


def visible_open_task(uow, task_id: int, actor_id: int, lock_case: bool = False) -> tuple[User, Task]:
    """The actor and the task: 404 if they may not see it, 409 if it is no longer open."""
    user = load_actor(uow.session, actor_id)
    task = visible_task(uow.session, user, task_id, lock_case)
    if task.state not in TASK_OPEN_STATES:
        raise Conflict(f"task {task.id} is {task.state}", task_id=task.id, case_id=task.case_id)
    return user, task


def refuse_while_delegated(task: Task) -> None:
    """A delegate works the task for its owner: they resolve it, never hand it on or give it back."""
    if task.delegation == "pending":
        raise Conflict(f"task {task.id} is delegated: the delegate must resolve it first",
                       task_id=task.id, case_id=task.case_id)


def refuse_citizen_handover(user: User, task: Task) -> None:
    """A citizen's own step (评价, 补正, 缴费) is theirs to do: handing it on, giving it back or
    sending it elsewhere would let a citizen reroute the administration's work."""
    if not is_staff(user):
        raise Forbidden("your own step cannot be handed on; do it or leave it", task_id=task.id)


def task_spec(uow, task: Task):
    """The diagram's spec of a task row (a signer row: the step it signs for)."""
    parsed = definition_of(uow, task.case.definition_id)
    spec = human_spec([parsed.spec, *parsed.subprocess_specs.values()], task.element_id)
    if spec is None:
        raise NotFound(f"task {task.id}: element {task.element_id} is not in its diagram")
    return spec


def require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("a reason is required", fields={"reason": ["required"]})
    return reason.strip()


def require_role(user: User, *roles: str) -> None:
    if not user.has_role(*roles):
        raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")


def admin_or_server(uow, actor_id: int | None) -> User | None:
    """The acting admin; ``None`` actor means the CLI, which runs with the server's own authority."""
    if actor_id is None:
        return None
    actor = load_actor(uow.session, actor_id)
    require_role(actor, "admin")
    return actor


def run_engine(step: Callable[[], object]) -> object:
    """Run workflow code; a failing expression or script in the diagram becomes a 422 refusal
    that names the element, and the caller's transaction rolls back."""
    try:
        return step()
    except (expressions.ExpressionError, SpiffWorkflowException) as exc:
        raise refusal(exc) from exc
