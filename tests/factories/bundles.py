"""The shipped one-thing bundles loaded into a test database, with the people who work them:
a window clerk, one approver per department, an inspector, applicants and a stranger."""
from __future__ import annotations

from pathlib import Path

from engine import services
from engine.bundles.store import bundle_by_key, read_folder

from .api import ApiUser, people_signed_in
from .directory import make_org_tree
from .files import pdf, upload_id

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
BUNDLE_DOCUMENT_KINDS = ("result", "rejection", "approval", "revocation")
BUNDLES = ("birth_one_thing", "business_startup_one_thing", "engineering_approval", "policy_cashing")


def load_bundles(container, keys=BUNDLES) -> dict[str, dict]:
    out = {}
    for key in keys:
        with container.uow() as uow:
            out[key], _ = services.load_bundle(uow, read_folder(PROCESSES / key), None)
    return out


def departments(container, key: str) -> list[str]:
    with container.uow() as uow:
        definition = bundle_by_key(uow.session, key).definition
        return [i["department"] for i in definition["items"]] + [d["code"] for d in definition["departments"]]


class BundleWorld:
    """Signed-in people by name: ``clerk``, ``inspector``, ``root``, ``zhang`` and ``li`` (citizens),
    ``stranger``, and ``approver:<DEPT>`` for each department of the loaded bundles."""

    def __init__(self, client, container, keys=BUNDLES) -> None:
        make_org_tree(container)
        self.bundles = load_bundles(container, keys)
        people = [("root", "admin", None), ("clerk", "clerk", None), ("inspector", "inspector", None),
                  ("zhang", "citizen", None), ("li", "citizen", None), ("stranger", "citizen", None),
                  ("other-approver", "approver", "D-EAST")]
        depts = sorted({d for key in keys for d in departments(container, key)})
        people += [(f"approver:{d}", "approver", d) for d in depts]
        self.users = people_signed_in(client, container, people)
        self.departments = depts

    def __getitem__(self, name: str) -> ApiUser:
        return self.users[name]

    def material(self, who: str, name: str = "id-card.pdf") -> str:
        return upload_id(self.users[who], name, pdf())

    def apply(self, who: str, key: str, answers: dict, form: dict, attachments: dict | None = None):
        return self.users[who].post("/cases", json={"process_key": key, "data": {
            "answers": answers, "form": form, "attachments": attachments or {}}})

    def open_tasks(self, who: str, case_id: int) -> list[dict]:
        return [t for t in self.users[who].get("/tasks?scope=inbox").get_json() if t["case_id"] == case_id]

    def do(self, who: str, case_id: int, element: str, **data) -> dict:
        """``who`` claims and completes their open ``element`` task of the case."""
        mine = [t for t in self.open_tasks(who, case_id) if t["element_id"] == element]
        assert mine, f"{who} has no {element} task on case {case_id}"
        task = mine[0]
        if task["state"] == "open":
            assert self.users[who].post(f"/tasks/{task['id']}/claim").status_code == 200
        resp = self.users[who].post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def case(self, who: str, case_id: int) -> dict:
        resp = self.users[who].get(f"/cases/{case_id}")
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def bundle_documents(self, who: str, case_id: int) -> list[dict]:
        """The documents the bundle issued (bundle.json's ``documents``), in order; the
        notices every case gets (受理回执, 办结通知书) are left out."""
        docs = self.users[who].get(f"/cases/{case_id}/documents").get_json()
        return [d for d in docs if d["kind"] in BUNDLE_DOCUMENT_KINDS]
