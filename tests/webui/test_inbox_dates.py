"""An inbox row writes every date one way: the due date, when the task was offered and when it
was completed, each as a short date and time in the user's language."""
from __future__ import annotations

import re

from tests.helpers import World
from tests.webui.test_inbox import Browse
from tests.webui.test_inbox import Scene
from tests.webui.test_inbox import html_of
from tests.webui.test_inbox import scene  # noqa: F401  (the fixture)


def dates_in_row(html: str, task_id: str) -> list[str]:
    row = re.search(rf'<tr data-task-id="{task_id}".*?</tr>', html, re.S)
    assert row, task_id
    return re.findall(r"<span data-date>([^<]+)</span>", row.group(0))


def test_due_created_and_completed_share_one_format(world: World, scene: Scene, browser: Browse) -> None:  # noqa: F811
    html = html_of(browser("city_a1"), "/tasks/?scope=completed")
    task_id = re.findall(r'<tr data-task-id="([^"]+)"', html)[0]  # a1's submit (the first one offered)
    # China time: offered 5 January 09:00, due ten days later, completed a day after it was offered
    assert dates_in_row(html, task_id) == ["2026/1/15 09:00", "2026/1/5 09:00", "2026/1/6 09:00"]
    ready = browser("city_a2")
    html = html_of(ready, "/tasks/?scope=group")
    assert dates_in_row(html, scene.task(world, "a2", "submit")) == ["2026/1/16 09:00", "2026/1/6 09:00"]
    ready.post("/language", {"lang": "en", "next": "/tasks/"})
    html = html_of(ready, "/tasks/?scope=group")
    assert dates_in_row(html, scene.task(world, "a2", "submit")) == ["1/16/26, 9:00\u202fAM", "1/6/26, 9:00\u202fAM"]
