"""The event closed loop (processes/event_closed_loop) set up for API tests: the demo's org tree,
one user per desk holding only that desk's role, the bundled diagram deployed by an admin, and a
small driver that walks a case through the REST API step by step."""
from __future__ import annotations

from pathlib import Path

from webapp.demo import ORG_TREE as DEMO_ORG_TREE

from .api import ApiUser
from .directory import make_org_tree, make_user

PROCESS_DIR = Path(__file__).resolve().parents[2] / "processes" / "event_closed_loop"
PROCESS_KEY = "event_closed_loop"

ORG_TREE = DEMO_ORG_TREE  # the org codes the demo seeds and the diagram names

PEOPLE = {  # username: (the one role held, org unit)
    "root": ("admin", None),
    "zhang": ("citizen", None),                 # reports through the app and evaluates
    "liu": ("citizen", None),                   # a second citizen
    "li": ("operator", "CITY-12345"),           # 12345 operator: intake, pre-processing, callback
    "wang": ("dispatcher", "CITY-12345"),       # 12345 dispatcher: manual dispatch, returns
    "chen": ("dispatcher", "CITY"),             # city command centre: escalated (提级) cases
    "zhao": ("handler", "D-EAST-CG"),           # 东城区城管局
    "sun": ("handler", "D-EAST-SW"),            # 东城区水务局
    "xi": ("handler", "D-WEST-CG"),             # 西城区城管局
    "shi": ("handler", "CITY-CG"),              # 市城市管理局
    "wu": ("supervisor", "D-EAST"),             # 东城区督办
    "zheng": ("supervisor", "CITY"),            # 市督办
    "qian": ("inspector", "D-EAST"),            # 东城区核查员
    "grid01": ("inspector", "G-HEPING-1-01"),   # 网格员 of 和平一社区第1网格
    "iot": ("sensor", "CITY-CG"),               # IoT / video-alarm gateway (machine client)
}


def process_files() -> list[tuple[str, bytes]]:
    """The diagram and its decision tables, as an admin uploads them."""
    bpmn = PROCESS_DIR / "event_closed_loop.bpmn"
    return [(bpmn.name, bpmn.read_bytes())] + [(d.name, d.read_bytes()) for d in sorted(PROCESS_DIR.glob("*.dmn"))]


class EventLoop:
    """Drives cases of the event closed loop through the API, each user acting as themselves."""

    def __init__(self, client) -> None:
        self.client = client
        self._users: dict[str, ApiUser] = {}

    def user(self, username: str) -> ApiUser:
        if username not in self._users:
            self._users[username] = ApiUser(self.client, username)
        return self._users[username]

    @property
    def admin(self) -> ApiUser:
        return self.user("root")

    def deploy(self) -> dict:
        resp = self.admin.upload(*process_files())
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def report(self, username: str, **data) -> dict:
        """Start a case as ``username``; returns the case as POST /cases answers."""
        resp = self.user(username).post("/cases", {"process_key": PROCESS_KEY, "data": data})
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def case(self, case_id: int, username: str = "root") -> dict:
        resp = self.user(username).get(f"/cases/{case_id}")
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def open_steps(self, case_id: int) -> list[tuple[str, str | None]]:
        """(element id, org unit) of each open task of the case."""
        return [(t["element_id"], t["org_unit"]) for t in self.case(case_id)["tasks"]]

    def open_task(self, case_id: int, element_id: str) -> dict:
        tasks = [t for t in self.case(case_id)["tasks"] if t["element_id"] == element_id]
        assert len(tasks) == 1, (element_id, self.open_steps(case_id))
        return tasks[0]

    def advance(self, username: str, case_id: int, element_id: str, **data) -> dict:
        """Find ``element_id`` of the case in the user's own inbox and complete it with ``data``."""
        user = self.user(username)
        inbox = user.get("/tasks?scope=inbox&per_page=200").get_json()
        mine = [t for t in inbox if t["case_id"] == case_id and t["element_id"] == element_id]
        assert len(mine) == 1, (username, element_id, self.open_steps(case_id))
        resp = user.post(f"/tasks/{mine[0]['id']}/complete", {"data": data})
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def attempt(self, username: str, case_id: int, element_id: str, **data) -> int:
        """Status of ``username`` trying to complete an open step that is not theirs; the step
        must still be open afterwards."""
        task = self.open_task(case_id, element_id)
        status = self.user(username).post(f"/tasks/{task['id']}/complete", {"data": data}).status_code
        assert self.open_task(case_id, element_id)["id"] == task["id"]
        return status

    def task_action(self, username: str, case_id: int, element_id: str, action: str, **body):
        """POST /tasks/{id}/{action} (extend, extension, reassign…) on the case's open step."""
        task = self.open_task(case_id, element_id)
        return self.user(username).post(f"/tasks/{task['id']}/{action}", body)

    def trail(self, case_id: int) -> list[tuple[str, str, str | None]]:
        """(action, actor, step name) of each history row of a person's doing: claims, the steps
        the engine runs by itself and the documents it issues (受理回执, 办结通知书) are left out."""
        return [(h["action"], h["actor"], h["task"]) for h in self.case(case_id)["history"]
                if h["action"] not in ("task.claimed", "step.completed", "document.issued", "document.rendered")]

    def reasons(self, case_id: int) -> list[tuple[str, str, str]]:
        """(action, actor, reason) of each history row that carries a reason."""
        return [(h["action"], h["actor"], h["reason"]) for h in self.case(case_id)["history"] if h["reason"]]

    def said(self, case_id: int, step: str) -> list[dict]:
        """The data submitted at each completion of the named step, oldest first."""
        return [h["detail"]["data"] for h in self.case(case_id)["history"]
                if h["action"] == "task.completed" and h["task"] == step]


def make_event_loop(client, container) -> EventLoop:
    """Org tree, users and the deployed process; returns the driver."""
    make_org_tree(container, ORG_TREE)
    for username, (role, unit) in PEOPLE.items():
        make_user(container, username, role, org_unit=unit)
    loop = EventLoop(client)
    loop.deploy()
    return loop
