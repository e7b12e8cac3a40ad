"""Read-only views for admins of what the event closed loop runs on: its three-level category
catalogue (the JSON file shipped beside the diagram) and the dispatch decision table of its
deployed definition, cell by cell as drawn (so an admin sees what is deployed, not the file)."""
from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from .common import load_actor, require_role
from .definitions import latest_definition

CATALOGUE = Path(__file__).resolve().parents[2] / "processes" / "event_closed_loop" / "categories.json"
EVENT_LOOP_KEY = "event_closed_loop"


def category_catalogue(uow, actor_id: int) -> dict:
    """The catalogue as shipped: ``levels`` and the nested ``categories`` (code, name, children)."""
    require_role(load_actor(uow.session, actor_id), "admin")
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def _text(node, path: str, ns: str) -> str:
    found = node.find(path.replace("dmn:", f"{{{ns}}}"))
    return (found.text or "").strip() if found is not None and found.text else ""


def _decision_view(decision, ns: str) -> dict:
    table = decision.find(f"{{{ns}}}decisionTable")
    q = f"{{{ns}}}"
    inputs = [{"label": i.get("label") or _text(i, "dmn:inputExpression/dmn:text", ns),
               "expression": _text(i, "dmn:inputExpression/dmn:text", ns)} for i in table.findall(q + "input")]
    outputs = [{"label": o.get("label") or o.get("name") or "", "name": o.get("name") or ""}
               for o in table.findall(q + "output")]
    rules = [{"id": r.get("id"), "description": _text(r, "dmn:description", ns),
              "inputs": [_text(e, "dmn:text", ns) for e in r.findall(q + "inputEntry")],
              "outputs": [_text(e, "dmn:text", ns) for e in r.findall(q + "outputEntry")]}
             for r in table.findall(q + "rule")]
    return {"id": decision.get("id"), "name": decision.get("name") or decision.get("id"),
            "hit_policy": table.get("hitPolicy") or "UNIQUE", "inputs": inputs, "outputs": outputs, "rules": rules}


def decision_tables(uow, actor_id: int, key: str = EVENT_LOOP_KEY) -> dict:
    """The decision tables deployed with the newest active version of ``key``: ``{key, version,
    decisions: [{id, name, hit_policy, inputs, outputs, rules}]}``; NotFound when not deployed.
    Uploads were validated, so every stored table parses."""
    require_role(load_actor(uow.session, actor_id), "admin")
    definition = latest_definition(uow.session, key)
    decisions = []
    for xml in definition.dmn_xml:
        root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        ns = etree.QName(root).namespace
        decisions += [_decision_view(d, ns) for d in root.findall(f"{{{ns}}}decision")
                      if d.find(f"{{{ns}}}decisionTable") is not None]
    return {"key": key, "version": definition.version, "decisions": decisions}
