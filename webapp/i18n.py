"""zh-CN first, English available: a message catalogue and the language of the request."""
from __future__ import annotations

from flask import Flask, request, session

MESSAGES: dict[str, dict[str, str]] = {
    "app_name": {"zh": "CivicFlow 城市运行流程平台", "en": "CivicFlow city workflow"},
    "sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_out": {"zh": "退出", "en": "Sign out"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "inbox": {"zh": "待办任务", "en": "Task inbox"},
    "no_tasks": {"zh": "暂无待办任务。", "en": "No tasks waiting."},
    "case_number": {"zh": "工单编号", "en": "Case number"},
    "task": {"zh": "环节", "en": "Step"},
    "title": {"zh": "标题", "en": "Title"},
    "due": {"zh": "办理时限", "en": "Due"},
    "state": {"zh": "状态", "en": "State"},
    "sla_ok": {"zh": "正常", "en": "On time"},
    "sla_warning": {"zh": "临期", "en": "Due soon"},
    "sla_overdue": {"zh": "超期", "en": "Overdue"},
    "state_open": {"zh": "待签收", "en": "Open"},
    "state_claimed": {"zh": "办理中", "en": "Claimed"},
    "claim": {"zh": "签收", "en": "Claim"},
    "bad_login": {"zh": "用户名或密码错误。", "en": "Wrong username or password."},
    "rate_limited": {"zh": "登录失败次数过多，请稍后再试。", "en": "Too many failed sign-ins; try again later."},
    "csrf": {"zh": "页面已过期，请刷新后重试。", "en": "The page expired; reload and try again."},
    "error": {"zh": "出错了", "en": "Something went wrong"},
    "language": {"zh": "English", "en": "中文"},
    "signed_in_as": {"zh": "当前用户", "en": "Signed in as"},
    "roles": {"zh": "角色", "en": "Roles"},
    "provisional": {"zh": "（暂定）", "en": "(provisional)"},
    "provisional_hint": {"zh": "该年度放假调休安排尚未确认，时限可能变动", "en": "This year's holiday schedule is not confirmed; the deadline may move"},
    "year_unconfirmed": {"zh": "{year} 年放假调休安排尚未确认，{count} 个在办时限为暂定。请在日历中录入并确认。",
                         "en": "{year} holidays are not confirmed: {count} open deadlines are provisional. Enter and confirm the year."},
}


def current_language() -> str:
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in ("zh", "en"):
        return chosen
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"], default="zh")
    return "en" if best == "en" else "zh"


def translate(key: str) -> str:
    entry = MESSAGES.get(key)
    return entry[current_language()] if entry else key


def init_i18n(app: Flask) -> None:
    @app.before_request
    def _remember_language() -> None:
        if request.args.get("lang") in ("zh", "en"):
            session["lang"] = request.args["lang"]

    app.jinja_env.globals.update(_=translate, current_language=current_language)
