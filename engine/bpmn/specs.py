"""What CivicFlow reads from a diagram beyond what SpiffWorkflow keeps on its task specs."""
from __future__ import annotations

from dataclasses import dataclass, field

from forms import FormSpec


@dataclass(frozen=True)
class HumanTaskConfig:
    """Attached to each user/manual task spec as ``spec.civicflow`` by our parser.

    ``candidate_groups`` entries are a role name, an org-unit code, or ``role@CODE``; any of them
    may contain ``${expression}`` parts that are evaluated against case data when the task opens.
    """

    candidate_groups: tuple[str, ...] = ()
    candidate_users: tuple[str, ...] = ()  # usernames or ${expression} (a list expands)
    assignee: str | None = None
    form: FormSpec = field(default_factory=FormSpec)
    due: str | None = None  # camunda:dueDate or the `sla` property: "3wd", "4wh", "PT2H", an ISO date
    priority: str | None = None
    lane: str | None = None
    line: int | None = None
    properties: dict = field(default_factory=dict)  # the task's camunda:properties (e.g. duplicate_check)


def human_config(task_spec) -> HumanTaskConfig | None:
    """The config of a human task spec, or None for anything the engine runs by itself."""
    return getattr(task_spec, "civicflow", None)


def human_spec(process_specs, element_id: str):
    """The human task spec of a diagram element, searched in the process and its subprocesses.
    By BPMN id, not spec name: a multi-instance step's instances run its ``[child]`` spec."""
    for spec in process_specs:
        direct = spec.task_specs.get(element_id)
        if direct is not None and human_config(direct) is not None:
            return direct
        for ts in spec.task_specs.values():
            if ts.bpmn_id == element_id and human_config(ts) is not None:
                return ts
    return None


def process_has(workflow, flag: str, predicate) -> bool:
    """Whether any task spec of the workflow's process (subprocesses included) satisfies
    ``predicate``; cached on the immutable spec under ``flag``, so that a save skips the rows a
    process can never need."""
    spec = workflow.spec
    cache = spec.__dict__.setdefault("_civicflow_has", {})
    if flag not in cache:
        specs = [spec, *workflow.subprocess_specs.values()]
        cache[flag] = any(predicate(ts) for sp in specs for ts in sp.task_specs.values())
    return cache[flag]
