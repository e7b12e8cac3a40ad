"""The script engine every case runs with: conditions, timer text and script tasks go through the
restricted evaluator, never Python ``eval``/``exec`` (SpiffWorkflow's default)."""
from __future__ import annotations

import ast

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .. import expressions


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression, context, external_context=None):
        data = dict(context)
        data.update(external_context or {})
        return expressions.evaluate(expression, data)

    def execute(self, script, context, external_context=None):
        expressions.run_script(script, context)
        return True

    def call_service(self, context, **kwargs):
        raise expressions.ExpressionError(str(kwargs.get("operation_name", "service")), None,
                                          "service tasks are not available to diagrams")


class RestrictedScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())

    def validate(self, expression):
        # The DMN engine probes syntax through this and expects SyntaxError.
        ast.parse(expressions.normalize(expression), mode="eval")


SCRIPT_ENGINE = RestrictedScriptEngine()
