"""Case state without the spec: the spec is stored once per definition version and parsed once
per process, so each case row holds only its task tree and data, gzip-compressed."""
from __future__ import annotations

import gzip
import json
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from .script_engine import SCRIPT_ENGINE

STATE_FORMAT = 1  # bump with a migration in this module when the stored shape changes


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True, script_engine=SCRIPT_ENGINE)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_CONFIG = dict(CAMUNDA_CONFIG)
_CONFIG[BpmnWorkflow] = StateOnlyWorkflowConverter
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))


def dump_state(workflow: BpmnWorkflow) -> bytes:
    body = {"format": STATE_FORMAT, "spiff": _SERIALIZER.VERSION, "workflow": _SERIALIZER.to_dict(workflow)}
    return gzip.compress(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(), 6)


def load_state(blob: bytes, spec, subprocess_specs) -> BpmnWorkflow:
    body = json.loads(gzip.decompress(blob))
    if body.get("format") != STATE_FORMAT:
        raise ValueError(f"unknown case state format {body.get('format')!r}")
    return _SERIALIZER.from_dict(body["workflow"], spec=spec, subprocess_specs=subprocess_specs)
