"""Org units and users, created through the engine's own services (never raw rows)."""
from __future__ import annotations

from engine import services

DEFAULT_TREE = [
    ("CITY", "示范市", "city", None),
    ("D-EAST", "东城区", "district", "CITY"),
    ("D-EAST-CG", "东城区城管局", "department", "D-EAST"),
    ("D-WEST", "西城区", "district", "CITY"),
    ("D-WEST-CG", "西城区城管局", "department", "D-WEST"),
]
PASSWORD = "correct-horse-42"


def make_org_tree(container, tree=DEFAULT_TREE) -> None:
    for code, name, kind, parent in tree:
        with container.uow() as uow:
            services.create_org_unit(uow, code, name, kind, parent, actor_id=None)


def make_user(container, username: str, *roles: str, org_unit: str | None = None) -> int:
    with container.uow() as uow:
        return services.create_user(uow, username, PASSWORD, list(roles), org_unit)["id"]
