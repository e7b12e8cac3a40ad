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
