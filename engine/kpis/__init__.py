"""Key performance indicators of the 12345 closed loop (docs/kpis.md), computed in SQL from the
cases' step rows (kept as one row of facts per case, store.py): grouped by org unit, district,
category or process and bucketed by period."""
from .compute import kpi_rows
from .cohort import Window
from .groups import GROUP_BY
from .metrics import COLUMNS, LABELS
from .periods import PERIODS, buckets

__all__ = ["COLUMNS", "GROUP_BY", "LABELS", "PERIODS", "Window", "buckets", "kpi_rows"]
