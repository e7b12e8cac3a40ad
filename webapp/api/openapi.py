"""What makes /api/v1/openapi.json tell the truth: readable tag names, and error responses in
the shape webapp/errors.py renders (flask-smorest documents its own ``Error`` schema and 422
for bad arguments; here bad arguments are 400)."""
from __future__ import annotations

from apispec import BasePlugin

# blueprint name → tag shown in the document and at /api/docs
TAGS = {
    "api_auth": "Auth 登录",
    "api_processes": "Processes 流程定义",
    "api_cases": "Cases 工单",
    "api_tasks": "Tasks 待办",
    "api_directory": "Users and org units 用户与组织",
    "api_supervision": "Supervision 督办",
    "api_calendar": "Calendar 工作日历与时限",
    "api_incidents": "Incidents 异常",
    "api_external_tasks": "External tasks 外部任务",
    "api_messages": "Messages and signals 消息与信号",
    "api_approvals": "Approvals 委派与抄送",
    "api_returns": "Returns 退回与撤回",
    "api_signers": "Signers 加签与减签",
    "api_documents": "Documents 文书",
    "api_attachments": "Attachments 附件",
    "api_bundles": "Bundles 一件事一次办",
    "api_notifications": "Notifications 通知",
    "api_public": "Public status 办理过程公开",
    "api_kpis": "KPIs 考核指标",
    "api_command_mode": "Command mode 平战切换",
}


def tag_name(blueprint_name: str) -> str:
    """The readable tag; a blueprint added without one still reads as words, not ``api_x``."""
    return TAGS.get(blueprint_name) or blueprint_name.removeprefix("api_").replace("_", " ").capitalize()


def tags(blueprints) -> list[dict]:
    """The document's tag list, in registration order (it replaces flask-smorest's own)."""
    return [{"name": tag_name(b.name), "description": b.description or ""} for b in blueprints]


class ContractPlugin(BasePlugin):
    """Rewrites each operation as it is added to the document."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            operation["tags"] = [tag_name(t) for t in operation.get("tags", [])]
            responses = operation.setdefault("responses", {})
            for status in [s for s in responses if str(s) == "422" and responses[s] == "UNPROCESSABLE_ENTITY"]:
                del responses[status]  # webargs' refusal, which webapp/errors.py answers with 400
            if (operation.get("requestBody") or operation.get("parameters")) and not {"400", 400} & set(responses):
                responses["400"] = "BAD_REQUEST"
