"""The officials that bench/load_bench.py sends (locust): each signs in as its own user and
works in its own pilot or province, through the HTML pages as a person does.

Read from the environment (load_bench.py sets them): SF_ACCOUNTS (a JSON file: a list of
{"username", "role", "pilots": [ids the user may open]}), SF_PASSWORD, SF_THINK (mean think time in
seconds, exponential; 0: none), SF_USERS (how many locust starts), SF_SECONDS (the measured
window: it begins once every official has signed in, and then the run stops), SF_OUT (a JSON
file for what locust does not keep: skipped actions, the window, the sign-ins' figures).

Mix per action: inbox 50, task page 25, completion 15, pilot page 5, dashboard 5 (a city user
may not see the dashboard: its share goes to its pilot page). A completion
opens the task's form (``completion: form``), fills what is empty as an official would (the
approving choice, sample text, numbers within the field's bounds, today's date) and submits it
with the form's CSRF token and ``instance_version`` (``completion``). A 409 (a colleague was
first, or the process moved on) is counted as ``completion: 409 conflict``, not as an error.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser
from locust import events
from locust import task

ACCOUNTS: list[dict[str, Any]] = json.loads(open(os.environ["SF_ACCOUNTS"], encoding="utf-8").read())
PASSWORD = os.environ.get("SF_PASSWORD", "schemeflow-demo")
THINK = float(os.environ.get("SF_THINK", "2"))
PREFERRED = ("approve", "accepted", "verified", "pass", "yes", "acknowledge", "true", "on")
TASK_LINK = re.compile(r'href="/tasks/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})')
PROBLEM = re.compile(r'class="alert-link">([^<]{0,80}</a>[^<]{0,80})')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
USERS = int(os.environ.get("SF_USERS", "1"))
SECONDS = float(os.environ.get("SF_SECONDS", "60"))
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}
NEXT = itertools.count()
SKIPPED: Counter[str] = Counter()
SIGNED_IN = itertools.count(1)
GO = Event()
WINDOW: dict[str, float] = {}


class TaskForm(HTMLParser):
    """The fields of the page's task form (id="task-form"), as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.radios: dict[str, list[str]] = {}
        self.selects: dict[str, list[str]] = {}
        self.select: str | None = None
        self.textarea: tuple[str, dict[str, str | None]] | None = None
        self.text = ""
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == "task-form"
            self.found = self.found or self.inside
        if not self.inside:
            return
        name = a.get("name") or ""
        if tag == "input" and name:
            self._input(name, a)
        elif tag == "textarea" and name:
            self.textarea, self.text = (name, a), ""
        elif tag == "select" and name:
            self.select = name
            self.selects[name] = []
        elif tag == "option" and self.select is not None:
            if "selected" in a:
                self.selects[self.select].insert(0, "\0" + (a.get("value") or ""))
            elif a.get("value"):
                self.selects[self.select].append(a.get("value") or "")

    def _input(self, name: str, a: dict[str, str | None]) -> None:
        kind, value = a.get("type") or "text", a.get("value") or ""
        if kind == "radio":
            self.radios.setdefault(name, []).append(value)
        elif kind == "checkbox":
            self.fields.append((name, value or "on"))
        elif kind in ("submit", "button", "file"):
            return
        elif kind == "hidden" or value:
            self.fields.append((name, value))
        else:
            self.fields.append((name, _fill(name, kind, a)))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            name, a = self.textarea
            self.fields.append((name, self.text.strip("\n") or _fill(name, "text", a)))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False

    def data(self) -> list[tuple[str, str]]:
        out = [f for f in self.fields if f[0] not in ("action", "body", "field")]
        for name, values in list(self.radios.items()) + list(self.selects.items()):
            chosen = [v[1:] for v in values if v.startswith("\0")]
            choices = [v for v in values if not v.startswith("\0")]
            pick = chosen[0] if chosen else next((v for v in PREFERRED if v in choices), choices[0] if choices else "")
            out.append((name, pick))
        return [*out, ("action", "submit")]


def _fill(name: str, kind: str, a: dict[str, str | None]) -> str:
    if kind == "date" or name.endswith(("_date", "_on", "_start", "_end")):
        return date.today().isoformat()
    if kind == "number" or a.get("inputmode") in ("numeric", "decimal"):
        if name.endswith("year") and not a.get("max"):  # a calendar year: this one
            return str(max(date.today().year, int(float(a.get("min") or 0))))
        if "min" in a or "max" in a:
            low, high = float(a.get("min") or 0), float(a.get("max") or 100)
            return str(int(min(max(low, 80 if high >= 80 else low), high)))
        return "3" if name.endswith("years") else "80"  # a count of years (3–5), else a score or an amount
    return "示例内容 sample text"


class Official(FastHttpUser):
    def wait_time(self) -> float:
        return random.expovariate(1 / THINK) if THINK > 0 else 0.0

    def on_start(self) -> None:
        me = ACCOUNTS[next(NEXT) % len(ACCOUNTS)]
        self.username, self.pilots, self.city = me["username"], me["pilots"] or [0], me["role"] == "city"
        self.open: list[str] = []
        self.listed: dict[str, list[str]] = {"mine": [], "group": []}
        self.seen: list[str] = []
        page = self.client.get("/login", name="sign in: form")
        token = CSRF.search(page.text or "")
        with self.client.post("/login", data={"username": self.username, "password": PASSWORD,
                                              "csrf_token": token.group(1) if token else ""},
                              name="sign in", allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"sign-in of {self.username} failed: {r.status_code}")
        if next(SIGNED_IN) == USERS:  # everyone is in: measure from now, for SF_SECONDS
            _measure(self.environment)
        GO.wait()
        gevent.sleep(random.uniform(0, 2 * THINK))  # the officials do not all click at once
        self.inbox()

    @task(50)
    def inbox(self) -> None:
        scope = "mine" if random.random() < 0.2 else "group"
        r = self.client.get(f"/tasks/?scope={scope}", name="inbox")
        found = list(dict.fromkeys(TASK_LINK.findall(r.text or "")))
        self.listed[scope] = found
        self.open = list(dict.fromkeys(self.listed["mine"] + self.listed["group"]))
        self.seen = list(dict.fromkeys(found + self.seen))[:100]

    @task(25)
    def task_page(self) -> None:
        chosen = self._some_task(self.seen or self.open)
        if chosen is None:
            SKIPPED["task page: no task in the inbox"] += 1
            return
        self.client.get(f"/tasks/{chosen}", name="task page")

    @task(15)
    def completion(self) -> None:
        chosen = self._some_task(self.open)
        if chosen is None:
            SKIPPED["completion: no open task in the inbox"] += 1
            return
        for ids in (self.open, *self.listed.values()):
            if chosen in ids:
                ids.remove(chosen)
        page = self.client.get(f"/tasks/{chosen}", name="completion: form")
        form = TaskForm()
        form.feed(page.text or "")
        if not form.found:
            SKIPPED["completion: the page had no form (not the user's to act on now)"] += 1
            return
        body = urlencode(form.data())
        with self.client.post(f"/tasks/{chosen}", data=body, headers=FORM_TYPE, name="completion",
                              allow_redirects=False, catch_response=True) as r:
            if r.status_code == 302:
                r.success()
            elif r.status_code == 409:
                r.request_meta["name"] = "completion: 409 conflict"
                r.success()
            else:  # name the first problem the page lists, so a bench mistake is told from the app's
                problem = PROBLEM.search(r.text or "")
                r.failure(f"completion answered {r.status_code}" + (f": {problem.group(1)}" if problem else ""))

    @task(5)
    def pilot_page(self) -> None:
        self.client.get(f"/pilots/{random.choice(self.pilots)}", name="pilot page")

    @task(5)
    def dashboard(self) -> None:
        if self.city:  # the dashboard is for provincial and national users: a city looks at its pilot
            self.pilot_page()
            return
        self.client.get("/dashboard/", name="dashboard")

    @staticmethod
    def _some_task(ids: list[str]) -> str | None:
        return random.choice(ids) if ids else None


def _measure(environment: Any) -> None:
    """Keep the sign-ins' figures apart, start the measured window and end the run after it."""
    WINDOW["sign_in"] = {name: {"count": e.num_requests, "p50": e.get_response_time_percentile(0.5),
                                "p95": e.get_response_time_percentile(0.95), "failures": e.num_failures}
                         for (name, _), e in environment.stats.entries.items()}
    environment.stats.reset_all()
    WINDOW["start"] = time.monotonic()
    GO.set()

    def stop() -> None:
        WINDOW["end"] = time.monotonic()
        environment.runner.quit()

    gevent.spawn_later(SECONDS, stop)


@events.quitting.add_listener
def _write_counts(environment: Any, **_: Any) -> None:
    out = os.environ.get("SF_OUT")
    if out:
        window = WINDOW.get("end", time.monotonic()) - WINDOW["start"] if "start" in WINDOW else None
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"skipped": dict(SKIPPED), "window": window, "sign_in": WINDOW.get("sign_in", {})}, f)

