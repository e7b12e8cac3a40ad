"""What a KPI row is grouped by, how a case's key rolls up its tree (an org unit counts in every
unit above it, a category in every category above it), the rows' display names, and the part
of the city a supervisor or leader may see."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import OrgUnit, ProcessDefinition
from ..services.catalogue import CATALOGUE

GROUP_BY = ("org_unit", "district", "category", "process")


def group_column(group_by: str) -> str:
    """The per-case facts column (engine/kpis/facts.py) a case is grouped by."""
    return {"org_unit": "unit_id", "district": "district", "category": "category", "process": "process_key"}[group_by]


@dataclass(frozen=True)
class Units:
    """The org tree, read once per request: id → (code, name, path)."""

    by_id: dict[int, tuple[str, str, str]]

    @classmethod
    def load(cls, session: Session) -> Units:
        return cls({i: (c, n, p) for i, c, n, p in session.execute(
            select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.path))})

    def ancestors_and_self(self, unit_id: int) -> list[int]:
        path = self.by_id[unit_id][2] if unit_id in self.by_id else f"/{unit_id}/"
        return [int(part) for part in path.strip("/").split("/") if part]

    def within(self, paths: list[str]) -> set[int]:
        return {i for i, (_, _, path) in self.by_id.items() if any(path.startswith(p) for p in paths)}

    def name_of_code(self, code: str) -> str:
        return next((name for c, name, _ in self.by_id.values() if c == code), code)


@dataclass(frozen=True)
class Scope:
    """The units an overseer sees (None: the whole city) and the district codes among them."""

    unit_ids: set[int] | None
    codes: set[str] | None

    @classmethod
    def of(cls, units: Units, paths: list[str] | None) -> Scope:
        if paths is None:
            return cls(None, None)
        ids = units.within(paths)
        return cls(ids, {units.by_id[i][0] for i in ids})

    def shows(self, group_by: str, key) -> bool:
        """District and org-unit rows outside the scope are left out (their cases may still
        count in category and process rows, when the case's district or unit is in scope)."""
        if self.unit_ids is None or group_by not in ("org_unit", "district"):
            return True
        return key in (self.unit_ids if group_by == "org_unit" else self.codes)


def rolled_up(group_by: str, key, units: Units) -> Iterator:
    """The row keys one case's key counts in: itself and, in a tree, everything above it."""
    if key is None or group_by not in ("org_unit", "category"):
        yield key
    elif group_by == "org_unit":
        yield from units.ancestors_and_self(key)
    else:
        parts = key.split(".")
        yield from (".".join(parts[:i]) for i in range(1, len(parts) + 1))


@lru_cache(maxsize=1)
def category_names() -> dict[str, str]:
    """Catalogue code → its names from the top, 城市管理/市容环境/暴露垃圾."""
    names: dict[str, str] = {}

    def walk(nodes: list[dict], above: str) -> None:
        for node in nodes:
            names[node["code"]] = f"{above}/{node['name']}" if above else node["name"]
            walk(node.get("children", []), names[node["code"]])

    walk(json.loads(CATALOGUE.read_text(encoding="utf-8"))["categories"], "")
    return names


def row_label(session: Session, group_by: str, key, units: Units) -> tuple[str | None, str]:
    """(code, display name) of a row's key; a case with no value for the grouping shows as —."""
    if key is None:
        return None, "—"
    if group_by == "org_unit":
        code, name, _ = units.by_id.get(key, (str(key), str(key), ""))
        return code, name
    if group_by == "district":
        return key, units.name_of_code(key)
    if group_by == "category":
        return key, category_names().get(key, key)
    name = session.scalar(select(ProcessDefinition.name).where(ProcessDefinition.key == key)
                          .order_by(ProcessDefinition.version.desc()).limit(1))
    return key, name or key
