"""Events reaching a workflow from outside: the start event a new case begins at, and a message
or signal caught by a task that waits for it. SpiffWorkflow-level code only (no database).

Camunda sets a message's variables as process variables; SpiffWorkflow's Camunda dialect would
put them under one result variable instead. So the variables are merged into the catching
task's data here, and the library's result variable (``PAYLOAD_KEY``) is dropped again after
the engine steps."""
from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessage
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from ..errors import ProcessRefusal

PAYLOAD_KEY = "_civicflow_payload"


def _event(definition) -> BpmnEvent:
    # Camunda's definition reads {'payload', 'result_var'}; the others merge a dict, here empty.
    payload = {"payload": {}, "result_var": PAYLOAD_KEY} if isinstance(definition, CamundaMessage) else {}
    return BpmnEvent(definition, payload=payload)


def start_tasks(workflow: BpmnWorkflow) -> list:
    """The top-level start-event tasks of a workflow that has not run yet."""
    return [t for t in workflow.get_tasks() if isinstance(t.task_spec, StartEvent) and t.workflow is workflow]


def fire_start_event(workflow: BpmnWorkflow, element_id: str) -> None:
    """Make the start event ``element_id`` fire as soon as the engine reaches it: as if its
    message, signal or timer had just come. Its timer text is never evaluated (a Quartz cron
    text could not be)."""
    task = next((t for t in start_tasks(workflow) if t.task_spec.bpmn_id == element_id), None)
    if task is None or not task.has_state(TaskState.NOT_FINISHED_MASK):
        raise ProcessRefusal(f"the process has no start event {element_id!r} to start at",
                             fields={element_id: ["not a start event of this process"]})
    definition = task.task_spec.event_definition
    definition.catch(task, _event(definition))
    if isinstance(definition, CycleTimerEventDefinition):
        # A cycle adds its outgoing path per occurrence (see CycleTimerEventDefinition.update_task);
        # here the occurrence is this case, so the path is added once, now.
        if task.has_state(TaskState.PREDICTED_MASK):
            task._set_state(TaskState.FUTURE)
        for output in task.task_spec.outputs:
            child = task._add_child(output, TaskState.FUTURE)
            child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)


def fire_initial_start_event(workflow: BpmnWorkflow) -> None:
    """A case started by a person or a call activity begins at the none start event, or at the
    only start event there is (as in Camunda)."""
    starts = start_tasks(workflow)
    plain = [t for t in starts if isinstance(t.task_spec.event_definition, NoneEventDefinition)]
    chosen = plain[0] if plain else starts[0] if len(starts) == 1 else None
    if chosen is None:
        raise ProcessRefusal("this process starts only by its message, signal or timer start events")
    fire_start_event(workflow, chosen.task_spec.bpmn_id)


def start_workflow(workflow: BpmnWorkflow, trigger: Callable[[BpmnWorkflow], None] | None = None) -> None:
    """Begin a new workflow at one start event and run it to its first wait states. ``trigger``
    fires the start event (``fire_start_event``); without one the initial start event fires.
    Every other start event is cancelled, so the case never waits to run its start again."""
    (trigger or fire_initial_start_event)(workflow)
    for task in start_tasks(workflow):
        if not task._get_internal_data("event_fired"):
            task.cancel()
    run_engine_steps(workflow)


def catch_at(workflow: BpmnWorkflow, spiff_task_id: str, name: str, variables: dict) -> bool:
    """Deliver the message or signal ``name`` to the one waiting task ``spiff_task_id`` (a catch
    event, boundary event, receive task or event-based gateway), its variables merged into that
    task's data. False if that task no longer waits for it. The caller runs the engine steps."""
    try:
        task = workflow.get_task_from_id(UUID(spiff_task_id))
    except TaskNotFoundException:
        return False
    if task.state != TaskState.WAITING:
        return False
    definition = task.task_spec.event_definition
    candidates = getattr(definition, "event_definitions", None) or [definition]
    matching = next((d for d in candidates if getattr(d, "name", None) == name), None)
    if matching is None:
        return False
    event = _event(matching)
    if not task.task_spec.catches(task, event):
        return False
    task.task_spec.catch(task, event)
    task.task_spec._update(task)
    task.data.update(variables)
    return True


def run_engine_steps(workflow: BpmnWorkflow) -> None:
    """The engine's own steps, then the library's message result variable is dropped (its
    variables were merged already)."""
    try:
        workflow.do_engine_steps()
    finally:
        for task in workflow.get_tasks():
            task.data.pop(PAYLOAD_KEY, None)
