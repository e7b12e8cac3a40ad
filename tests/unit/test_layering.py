"""engine/ knows no web: it never imports Flask, werkzeug, webapp or notifications."""
from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = {"flask", "flask_smorest", "werkzeug", "webapp", "notifications", "itsdangerous"}


def test_engine_imports_no_web_code():
    offenders = []
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            offenders += [f"{path.relative_to(ENGINE)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
