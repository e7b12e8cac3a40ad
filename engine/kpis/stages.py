"""Which steps of a case count as which stage of the 12345 closed loop, by BPMN element id.

The KPIs read the step rows (tasks) of a case: when a stage's row was created, completed and
due. A process that names its steps like the bundled event closed loop
(processes/event_closed_loop) is measured the same way; a process without these steps counts
as received, accepted and (when its case completes) completed, and has no dispatch figures.
"""
from __future__ import annotations

INTAKE = ("Task_preprocess", "Task_classify")            # 预处理, 分类定级 at the 12345 centre
DISPATCH = ("Task_triage", "Task_escalate", "Task_consult")  # 人工分拨, 提级分拨, 争议会商
SIGN_FOR = "Task_signfor"                                # 签收 (or 退单) by the department
HANDLE = "Task_handle"                                   # 处置, its result is the 反馈
DEPARTMENT = (SIGN_FOR, HANDLE)                          # a row here means the case reached a department
VERIFY = "Task_verify"                                   # 核查: passing it is 办结
EVALUATION = ("Task_evaluate", "Task_callback")          # 评价 (app users), 回访 (hotline callers)
RETURN_REVIEW = "Task_return_review"                     # 退单审核: the department sent it back
CONSULT = "Task_consult"                                 # 争议会商: who is responsible was disputed
UNSATISFIED_REVIEW = "Task_unsatisfied_review"           # 不满意甄别, before a re-handling

SATISFIED = ("satisfied", "basic")                       # 满意, 基本满意
SATISFACTIONS = (*SATISFIED, "unsatisfied")
VOID_DECISION = "void"                                   # 预处理结论 作废
