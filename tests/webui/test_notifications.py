"""The bell, the notifications page, the profile's e-mail settings and /api/v1/notifications,
through the people who use them."""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

import engine
from engine import definitions
from tests.conftest import DATA
from tests.helpers import World
from tests.webui.conftest import Api
from tests.webui.conftest import Browser


@pytest.fixture
def sent_back(world: World) -> tuple[World, int]:
    """city_a1's report was sent back for revision: city_a1 has two notifications, one unread of each."""
    engine.deploy(world.db, definitions.read_paths([DATA / "two_step.bpmn", DATA / "submit-schema.json",
                                                     DATA / "review-schema.json"]), user_id=engine.SYSTEM)
    iid = engine.start(world.db, "two_step", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])
    world.do("city_a1", iid, "submit", {"summary": "Scheme v1"})
    world.do("prov_a", iid, "review", {"decision": "revise", "comment": "more detail"})
    return world, iid


def bell(html: str) -> str | None:
    match = re.search(r'data-count="unread">([^<]+)<', html)
    return match.group(1) if match else None


def test_the_bell_counts_unread_and_the_page_lists_newest_first(sent_back: tuple[World, int],
                                                                browser: Callable[[str], Browser]) -> None:
    world, iid = sent_back
    city = browser("city_a1")
    assert bell(city.get("/tasks/?scope=mine").get_data(as_text=True)) == "2"
    page = city.get("/notifications/").get_data(as_text=True)
    assert page.index("退回修改：Submit report") < page.index("新待办：Submit report")
    assert "宁波市" in page and "第 2 轮" in page and "Notifications" not in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_task(sent_back: tuple[World, int],
                                                                   browser: Callable[[str], Browser]) -> None:
    world, iid = sent_back
    note = engine.notifications.list_for(world.db, world.uid("city_a1")).items[0]
    city = browser("city_a1")
    r = city.get(f"/notifications/{note.id}")
    assert r.status_code == 302 and r.headers["Location"] == f"/tasks/{note.task_id}"
    assert bell(city.get("/notifications/").get_data(as_text=True)) == "1"
    assert browser("city_a2").get(f"/notifications/{note.id}").status_code == 404  # not theirs: untouched
    r = city.post("/notifications/read-all", csrf_from="/notifications/")
    assert r.status_code == 302
    assert bell(city.get("/notifications/").get_data(as_text=True)) is None


def test_read_all_needs_the_csrf_token(sent_back: tuple[World, int], browser: Callable[[str], Browser]) -> None:
    world, _ = sent_back
    city = browser("city_a1")
    assert city.client.post("/notifications/read-all").status_code == 400
    assert engine.notifications.list_for(world.db, world.uid("city_a1")).unread == 2


def test_the_empty_list_says_so(world: World, browser: Callable[[str], Browser]) -> None:
    html = browser("ministry").get("/notifications/").get_data(as_text=True)
    assert "暂无通知。" in html and bell(html) is None


def test_the_bell_shows_99_plus(world: World, browser: Callable[[str], Browser]) -> None:
    with world.db.begin() as s:
        s.add_all(engine.Notification(recipient_id=world.uid("prov_b"), params={"task": "t"},
                                                    kind=engine.NotificationKind.OVERDUE) for _ in range(120))
    assert bell(browser("prov_b").get("/notifications/").get_data(as_text=True)) == "99+"


def test_the_profile_saves_an_address_and_the_mail_preference(world: World, browser: Callable[[str], Browser]) -> None:
    city = browser("city_a1")
    r = city.post("/notifications/settings", {"email": "Wang@NingBo.example.cn", "email_notifications": "y",
                                              "language": "en"})
    assert r.status_code == 302
    user = engine.get_user(world.db, world.uid("city_a1"))
    assert user is not None and (user.email, user.email_notifications, user.language) == (
        "Wang@ningbo.example.cn", True, "en")
    assert 'value="Wang@ningbo.example.cn"' in city.get("/profile").get_data(as_text=True)


@pytest.mark.parametrize("data", [{"email": "not an address", "language": "zh"},
                                  {"email": "a@b.cn", "language": "fr"}])
def test_the_profile_refuses_bad_settings_and_changes_nothing(world: World, browser: Callable[[str], Browser],
                                                              data: dict[str, str]) -> None:
    r = browser("city_a1").post("/notifications/settings", data)
    assert r.status_code == 400 and "notification-settings" in r.get_data(as_text=True)
    user = engine.get_user(world.db, world.uid("city_a1"))
    assert user is not None and user.email is None


def test_the_api_lists_reads_and_marks_ones_own(sent_back: tuple[World, int], api: dict[str, Api]) -> None:
    status, body = api["city_a1"].get("/notifications?per_page=1")
    assert status == 200 and isinstance(body, dict)
    assert body["total"] == 2 and body["unread"] == 2 and len(body["items"]) == 1
    first = body["items"][0]
    assert first["kind"] == "revision_requested" and first["params"]["round"] == 2 and first["read_at"] is None
    assert api["city_a2"].post(f"/notifications/{first['id']}/read")[0] == 404
    status, read = api["city_a1"].post(f"/notifications/{first['id']}/read")
    assert status == 200 and isinstance(read, dict) and read["read_at"] is not None
    assert api["city_a1"].post("/notifications/read-all") == (200, {"marked": 1})
    assert api["city_a1"].get("/notifications?unread=1")[1]["items"] == []  # type: ignore[index]


@pytest.mark.parametrize("query", ["page=0x1", "per_page=abc", f"page={2**64}"])
def test_the_api_refuses_bad_paging(world: World, api: dict[str, Api], query: str) -> None:
    assert api["city_a1"].get(f"/notifications?{query}")[0] == 400


def test_the_api_needs_a_user(client: FlaskClient, world: World, api: dict[str, Api]) -> None:
    assert api["anonymous"].get("/notifications")[0] == 401
    assert api["anonymous"].post("/notifications/read-all")[0] == 401


def test_an_administrator_sets_and_clears_a_users_address(world: World, browser: Callable[[str], Browser]) -> None:
    admin, uid = browser("admin"), world.uid("prov_b")
    form = {"display_name": "", "role": "province", "province": "福建省"}
    r = admin.post(f"/admin/users/{uid}", {**form, "email": "zhou@fujian.example.cn"}, csrf_from=f"/admin/users/{uid}")
    assert r.status_code == 302
    assert 'value="zhou@fujian.example.cn"' in admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    bad = admin.post(f"/admin/users/{uid}", {**form, "email": "zhou@"}, csrf_from=f"/admin/users/{uid}")
    assert bad.status_code == 400 and "请输入有效的电子邮箱地址" in bad.get_data(as_text=True)
    assert engine.user_admin.get_user(world.db, uid, user_id=world.uid("admin")).email == "zhou@fujian.example.cn"
    assert admin.post(f"/admin/users/{uid}", {**form, "email": ""}, csrf_from=f"/admin/users/{uid}").status_code == 302
    assert engine.user_admin.get_user(world.db, uid, user_id=world.uid("admin")).email is None


def test_a_new_user_can_have_an_address(world: World, browser: Callable[[str], Browser]) -> None:
    r = browser("admin").post("/admin/users/new", {
        "username": "chen", "role": "ministry", "email": "chen@mohurd.example.cn",
        "password": "first-password-1", "confirm_password": "first-password-1"}, csrf_from="/admin/users/new")
    assert r.status_code == 302
    found = engine.user_admin.list_users(world.db, user_id=world.uid("admin"),
                                         query=engine.user_admin.UserQuery(search="chen"))
    assert [u.email for u in found.items] == ["chen@mohurd.example.cn"]


def test_the_users_api_reads_and_writes_the_address(world: World, api: dict[str, Api]) -> None:
    r = api["admin"].client.patch(f"/api/v1/users/{world.uid('prov_b')}", json={"email": "Zhou@Fujian.example.cn"},
                                  headers=api["admin"].headers)
    assert r.status_code == 200 and r.get_json()["email"] == "Zhou@fujian.example.cn"
    assert api["admin"].get("/users?q=prov_b")[1]["items"][0]["email"] == "Zhou@fujian.example.cn"  # type: ignore[index]
    r = api["admin"].client.patch(f"/api/v1/users/{world.uid('prov_b')}", json={"email": "nope"},
                                  headers=api["admin"].headers)
    assert r.status_code == 400 and r.get_json()["details"][0]["field"] == "email"
