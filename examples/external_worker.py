"""A department's external-task worker for CivicFlow, in the standard library only.

It pushes each licence case that reaches a ``department.sync`` service task into the market
regulation bureau's own registry and hands back the registry's reference as ``external_ref``.
A licence the registry does not know is a business outcome, thrown as BPMN error ``NOT_FOUND``
for the diagram's error boundary event to route to a clerk; any other exception is a failure
reported with one retry fewer each time (at 0 the case shows an incident to the admins).

    python examples/external_worker.py --url http://127.0.0.1:5000 --username gateway --password …

Stop it with Ctrl-C; tasks still locked to it go back to the pool when their locks expire.
See docs/external-tasks.md.
"""
from __future__ import annotations

import argparse
import json
import socket
import time
import urllib.error
import urllib.request
import uuid

TOPIC = "department.sync"
LOCK_MS = 60_000
RETRIES = 3
RETRY_TIMEOUT_MS = 30_000


class NotInRegistry(Exception):
    """The registry has no such licence: the process decides what happens, not a retry."""


def sync_to_registry(variables: dict) -> dict:
    """Stand-in for the department's own system: returns the variables to set on the case."""
    licence_no = str(variables.get("licence_no") or "")
    if not licence_no:
        raise NotInRegistry("the case names no licence number")
    return {"external_ref": f"SCJG-{licence_no[-6:]}", "synced_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


class CivicFlow:
    """The few API calls a worker needs, with the bearer token of one machine user."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.url, self.credentials, self.token = url.rstrip("/") + "/api/v1", (username, password), None
        self.sign_in()

    def sign_in(self) -> None:
        username, password = self.credentials
        self.token = self._send("/auth/token", {"username": username, "password": password})["token"]

    def post(self, path: str, body: dict):
        try:
            return self._send(path, body)
        except urllib.error.HTTPError as exc:
            if exc.code != 401:
                raise
            self.sign_in()  # tokens expire; a worker runs for months
            return self._send(path, body)

    def _send(self, path: str, body: dict):
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        try:
            return json.load(exc)["error"]["message"]
        except (ValueError, KeyError):
            return f"HTTP {exc.code}"
    return f"{exc.__class__.__name__}: {exc}"


def handle(api: CivicFlow, worker_id: str, task: dict) -> None:
    """Complete one locked task, or report why not. A 409 means the lock was lost (it expired
    and another worker took the task): drop it, that worker will finish it."""
    path = f"/external-tasks/{task['id']}"
    try:
        try:
            result = sync_to_registry(task["variables"])
        except NotInRegistry as exc:
            api.post(f"{path}/bpmn-error", {"worker_id": worker_id, "error_code": "NOT_FOUND",
                                            "error_message": str(exc), "variables": {"registry_checked": True}})
            print(f"case {task['case_number']}: not in the registry, handed to a clerk")
            return
        except Exception as exc:  # the registry failed: let the engine count retries down
            retries = RETRIES - 1 if task["retries"] is None else max(task["retries"] - 1, 0)
            api.post(f"{path}/failure", {"worker_id": worker_id, "error_message": _error_text(exc)[:4000],
                                         "retries": retries, "retry_timeout_ms": RETRY_TIMEOUT_MS})
            print(f"case {task['case_number']}: failed ({exc}); {retries} retries left")
            return
        api.post(f"{path}/complete", {"worker_id": worker_id, "variables": result})
        print(f"case {task['case_number']}: synced as {result['external_ref']}")
    except urllib.error.HTTPError as exc:
        if exc.code != 409:
            raise
        print(f"case {task['case_number']}: lock lost ({_error_text(exc)}), skipped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--username", required=True, help="a user with role worker")
    parser.add_argument("--password", required=True)
    parser.add_argument("--worker-id", default=f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}")
    parser.add_argument("--max-tasks", type=int, default=10)
    parser.add_argument("--idle-s", type=float, default=2.0, help="pause when there is nothing to do")
    args = parser.parse_args()

    api = CivicFlow(args.url, args.username, args.password)
    print(f"worker {args.worker_id} polling {TOPIC!r} on {args.url} (Ctrl-C stops)")
    try:
        while True:
            try:
                tasks = api.post("/external-tasks/fetch-and-lock", {
                    "worker_id": args.worker_id, "max_tasks": args.max_tasks,
                    "topics": [{"topic_name": TOPIC, "lock_duration_ms": LOCK_MS,
                                "variables": ["licence_no", "title"]}]})
                for task in tasks:
                    handle(api, args.worker_id, task)
            except (urllib.error.URLError, TimeoutError) as exc:
                if isinstance(exc, urllib.error.HTTPError) and exc.code < 500:
                    raise SystemExit(f"refused: {_error_text(exc)}") from exc  # wrong role, bad request
                print(f"CivicFlow unavailable ({_error_text(exc)}); trying again")  # restarting, network down
                tasks = []
            if not tasks:
                time.sleep(args.idle_s)
    except KeyboardInterrupt:
        print("stopped; tasks still locked to this worker return to the pool when their locks expire")


if __name__ == "__main__":
    main()
