"""DMN decision tables as Camunda 7 users expect them: every decision of the uploaded files by
id, required-decision chains, FEEL unary tests, every hit policy, and the businessRuleTask's
camunda:resultVariable / camunda:mapDecisionResult.

``feel`` compiles FEEL to CivicFlow expressions, ``parser`` reads DMN files and
businessRuleTasks, ``evaluation`` runs a decision, ``task`` is the businessRuleTask spec and
``validation`` the upload checks."""

from .parser import DecisionTaskParser, add_decisions
from .task import DecisionTask
from .validation import check_decisions

__all__ = ["DecisionTask", "DecisionTaskParser", "add_decisions", "check_decisions"]
