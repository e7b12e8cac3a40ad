"""The KPIs as ratios of the per-case sums (engine/kpis/facts.py), with their zh-CN and English
column titles. docs/kpis.md is the prose behind each line."""
from __future__ import annotations

# KPI → (numerator, denominator): both are sums of per-case flags
RATES: dict[str, tuple[str, str]] = {
    "dispatched_in_time_rate": ("dispatched_in_time", "accepted"),   # 即时分转率
    "feedback_on_time_rate": ("fed_back_on_time", "dispatched"),     # 按时反馈率
    "completion_rate": ("completed", "accepted"),                    # 办结率
    "on_time_completion_rate": ("completed_on_time", "completed"),   # 按期办结率
    "satisfaction_rate": ("satisfied", "evaluated"),                 # 满意率
    "callback_rate": ("called_back", "callback_due"),                # 有效回访率
    "resolution_rate": ("resolved", "completed"),                    # 问题解决率
    "direct_reach_rate": ("direct", "dispatched"),                   # 直达率
    "reopened_rate": ("reopened", "evaluated"),                      # 重办率
}
AVERAGES: dict[str, tuple[str, str]] = {
    "avg_hours_to_complete": ("hours_to_complete", "completed"),
    "avg_working_days_to_complete": ("working_days_to_complete", "completed"),
}
COUNTS = ("received", "voided", "merged", "accepted", "dispatched", "completed", "evaluated")
GROUP_COLUMNS = ("group_by", "group", "group_name", "period", "period_start", "period_end")
COLUMNS = (*GROUP_COLUMNS, *COUNTS, *RATES, *AVERAGES, "working_days_provisional")

LABELS: dict[str, tuple[str, str]] = {
    "group_by": ("分组方式", "Grouped by"),
    "group": ("分组编码", "Group code"),
    "group_name": ("分组名称", "Group"),
    "period": ("统计周期", "Period"),
    "period_start": ("起始日期", "From"),
    "period_end": ("截止日期", "To"),
    "received": ("来件量", "Received"),
    "voided": ("作废量", "Voided"),
    "merged": ("重复件并件量", "Merged duplicates"),
    "accepted": ("受理量", "Accepted"),
    "dispatched": ("派单量", "Dispatched"),
    "completed": ("办结量", "Completed"),
    "evaluated": ("评价量", "Evaluated"),
    "dispatched_in_time_rate": ("即时分转率", "Dispatched in time"),
    "feedback_on_time_rate": ("按时反馈率", "Feedback on time"),
    "completion_rate": ("办结率", "Completion rate"),
    "on_time_completion_rate": ("按期办结率", "Completed on time"),
    "satisfaction_rate": ("满意率", "Satisfaction rate"),
    "callback_rate": ("有效回访率", "Valid callback rate"),
    "resolution_rate": ("问题解决率", "Resolution rate"),
    "direct_reach_rate": ("直达率", "Direct reach rate"),
    "reopened_rate": ("重办率", "Re-opened rate"),
    "avg_hours_to_complete": ("平均办结时长（小时）", "Average hours to complete"),
    "avg_working_days_to_complete": ("平均办结工作日", "Average working days to complete"),
    "working_days_provisional": ("工作日含未确认年度", "Working days use a provisional year"),
}


def ratio(numerator: float, denominator: float, digits: int) -> float | None:
    """None when nothing is in the denominator: no cases is not a rate of 0 %."""
    return round(numerator / denominator, digits) if denominator else None


def kpi_values(sums: dict[str, float]) -> dict:
    """The counts, rates (fractions, 4 decimals) and averages (2 decimals) of one row's sums."""
    out: dict = {name: int(sums[name]) for name in COUNTS}
    out |= {name: ratio(sums[n], sums[d], 4) for name, (n, d) in RATES.items()}
    out |= {name: ratio(sums[n], sums[d], 2) for name, (n, d) in AVERAGES.items()}
    out["working_days_provisional"] = sums["provisional_days"] > 0
    return out
