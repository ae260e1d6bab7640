"""A review a provincial official can decide on: the submission on the review page, a fresh
record each round, every problem at once, a step's own history only, one language per page."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

import engine
from engine import state
from engine.models import Instance
from engine.models import InstanceState
from tests.helpers import World
from tests.processes.test_pilot_lifecycle import SCHEME
from tests.processes.test_pilot_lifecycle import through_scheme
from tests.processes.test_pilot_lifecycle import through_task_book
from tests.webui.conftest import Browser
from tests.webui.test_frame import english_browser
from tests.webui.test_task_page import page
from tests.webui.test_task_page import scheme_form
from tests.webui.test_task_page import start
from tests.webui.test_task_page import submit

REVISE = {"decision": "revise", "comment": "请补充量化指标"}


def work_block(html: str) -> str:
    found = re.search(r'<section[^>]*id="work".*?</section>', html, re.S)
    assert found, "no work-to-judge section"
    return found.group(0)


def test_the_first_review_shows_what_the_city_submitted(world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    world.do("city_a1", iid, "submit_scheme", {**SCHEME, "objectives": "三年建成城市大脑\n政务服务一网通办"})
    html = page(browser("prov_a"), world.task(iid, "review_scheme").id)
    work = work_block(html)
    assert "提交审核的材料" in work and "提交实施方案" in work and "city_a1" in work
    for label, value in (("方案名称", SCHEME["scheme_title"]), ("建设目标", "三年建成城市大脑"),
                         ("保障措施", SCHEME["safeguards"])):
        item = re.search(rf"<dt>{label}</dt>\s*<dd>(.*?)</dd>", work, re.S)
        assert item and value in item.group(1), label
    assert f'href="/pilots/{world.pilots["A1"]}"' in html and "data-pilot-link" in html
    text = re.sub(r"<[^>]+>", " ", work)  # what a reader sees: labels, never the form's keys
    assert "objectives" not in text and "scheme_title" not in text


def test_round_two_opens_with_an_empty_comment_and_an_approval_stores_none(
        world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    world.do("prov_a", iid, "review_scheme", REVISE)
    world.do("city_a1", iid, "submit_scheme", {**SCHEME, "objectives": "到 2025 年一网通办率达到 90%"})
    prov = browser("prov_a")
    review = world.task(iid, "review_scheme").id
    html = page(prov, review)
    comment = re.search(r'<textarea[^>]*name="f-comment"[^>]*>(.*?)</textarea>', html, re.S)
    assert comment and comment.group(1).strip() == ""
    assert not re.search(r'name="f-decision" value="\w+"[^>]* checked', html)
    assert "到 2025 年一网通办率达到 90%" in work_block(html) and 'data-field="objectives"' in html
    assert "请补充量化指标" in html.split('id="history"')[1]  # the reviewer's own round 1, in this step's history
    # the form as the page offered it: the comment box as it came (empty), the approval chosen
    r = submit(prov, world, review, iid, {"f-decision": "approve", "f-comment": comment.group(1)})
    assert r.status_code == 302
    done = [e for e in engine.instance_events(world.db, iid, user_id=world.uid("admin"))
            if e.action == "task_completed" and e.bpmn_id == "review_scheme"]
    assert [e.data_after for e in done] == [REVISE, {"decision": "approve"}]


def test_six_empty_required_fields_give_six_messages_at_once(world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    city = browser("city_a1")
    task = world.task(iid, "submit_scheme").id
    r = submit(city, world, task, iid, {})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', html, re.S)
    assert summary and "data-focus-on-load" in summary.group(0)
    links = re.findall(r'<a href="#(f-[\w-]+)" class="alert-link">', summary.group(0))
    assert links == [f"f-{k}" for k in ("scheme_title", "objectives", "top_level_design", "tasks_and_timeline",
                                        "responsibilities", "safeguards")]
    assert html.count('aria-invalid="true"') == 6
    for field_id in links:
        control = re.search(rf'<(?:input|textarea)[^>]*id="{field_id}"[^>]*>', html)
        assert control and f"{field_id}-error" in control.group(0)
        assert re.search(rf'id="{field_id}-error"[^>]*>必填。', html)


def test_the_task_book_flags_a_bad_year_a_range_and_an_empty_goal_together(
        world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    through_scheme(world, iid)
    city = browser("city_a1")
    task = world.task(iid, "submit_task_book").id
    r = submit(city, world, task, iid, {"f-creation_start_year": "二〇一三年", "f-creation_years": "9",
                                        "f-targets-rows": "0"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    messages = {m.group(1): m.group(2) for m in re.finditer(r'id="(f-[\w-]+)-error"[^>]*>([^<]*)<', html)}
    assert set(messages) >= {"f-creation_start_year", "f-creation_years", "f-overall_goal", "f-targets"}
    assert "不能大于 5" in messages["f-creation_years"] and "整数" in messages["f-creation_start_year"]
    assert 'value="二〇一三年"' in html and 'value="9"' in html  # what was typed is kept


def test_the_task_book_shows_no_scheme_diff_comment_or_file(world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    engine.comments.add_comment(world.db, world.task(iid, "review_scheme").id, user_id=world.uid("prov_a"),
                                body="目标要量化", field="submit_scheme:objectives")
    world.do("prov_a", iid, "review_scheme", REVISE)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    world.do("prov_a", iid, "review_scheme", {"decision": "approve"})
    html = page(browser("city_a1"), world.task(iid, "submit_task_book").id)
    assert "修改对比" not in html and "data-changes" not in html
    assert "目标要量化" not in html and "objectives" not in html
    assert 'name="f-revision_notes"' not in html  # a reply to the last review makes no sense in round 1


def test_the_revision_notes_field_appears_from_round_two(world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    city = browser("city_a1")
    assert 'name="f-revision_notes"' not in page(city, world.task(iid, "submit_scheme").id)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    world.do("prov_a", iid, "review_scheme", REVISE)
    html = page(city, world.task(iid, "submit_scheme").id)
    assert 'name="f-revision_notes"' in html and "请补充量化指标" in work_block(html)
    assert "审核意见" in work_block(html) and "退回修改" in work_block(html)


def test_instructions_show_only_the_readers_language(world: World, browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    task = world.task(iid, "submit_scheme").id
    zh = re.search(r'class="card-body instructions">(.*?)</div>\s*</section>', page(browser("city_a1"), task), re.S)
    en = re.search(r'class="card-body instructions">(.*?)</div>\s*</section>',
                   page(english_browser(browser, "city_a1"), task), re.S)
    assert zh and "提交实施方案" in zh.group(1) and "Submit the implementation scheme" not in zh.group(1)
    assert en and "Submit the implementation scheme" in en.group(1) and "提交实施方案" not in en.group(1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_error_pages_carry_no_developer_sentence(world: World, browser: Callable[[str], Browser], lang: str) -> None:
    me = english_browser(browser, "prov_a") if lang == "en" else browser("prov_a")
    for path in ("/tasks/no-such-task", f"/pilots/{world.pilots['B1']}", "/pilots/999999"):
        html = me.get(path).get_data(as_text=True)
        assert "no such task" not in html and "no pilot" not in html
        if lang == "zh":
            assert "不存在" in html and "does not exist" not in html
        else:
            assert "does not exist" in html and "不存在" not in html
    html = browser("city_a1").get("/dashboard/").get_data(as_text=True)
    assert "统计看板仅供" in html and "the dashboard is for" not in html


def test_the_breadcrumb_names_the_list_the_task_was_opened_from(world: World,
                                                                browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    task = world.task(iid, "review_scheme").id
    prov = browser("prov_a")
    group = prov.get(f"/tasks/{task}?from=group").get_data(as_text=True)
    crumbs = re.search(r'<ol class="breadcrumb.*?</ol>', group, re.S)
    assert crumbs and 'href="/tasks/?scope=group"' in crumbs.group(0) and "待签收" in crumbs.group(0)
    from_pilot = prov.get(f"/tasks/{task}?from=pilot").get_data(as_text=True)
    crumbs = re.search(r'<ol class="breadcrumb.*?</ol>', from_pilot, re.S)
    assert crumbs and "宁波市" in crumbs.group(0) and f'href="/pilots/{world.pilots["A1"]}"' in crumbs.group(0)
    inbox = prov.get("/tasks/?scope=group").get_data(as_text=True)
    assert f'href="/tasks/{task}?from=group"' in inbox


def test_a_failed_submit_costs_one_read_of_the_form_one_try_and_one_page(
        world: World, browser: Callable[[str], Browser], monkeypatch: pytest.MonkeyPatch) -> None:
    iid = start(world)
    city = browser("city_a1")
    task = world.task(iid, "submit_scheme").id
    form = {**scheme_form(objectives=""), "action": "submit", "csrf_token": city.csrf(f"/tasks/{task}"),
            "instance_version": engine.get_instance(world.db, iid, user_id=world.uid("admin")).instance_version}
    loads: list[int] = []
    real = state.restore
    monkeypatch.setattr(state, "restore", lambda instance: loads.append(instance.id) or real(instance))
    sessions: list[Session] = []

    def count(session: Session, *_args: Any) -> None:
        sessions.append(session)

    event.listen(Session, "after_begin", count)
    try:
        r = city.client.post(f"/tasks/{task}", data=form)
    finally:
        event.remove(Session, "after_begin", count)
    assert r.status_code == 400 and "建设目标" in r.get_data(as_text=True)
    assert loads == []  # the typed values are shown as they are: no workflow is restored for them
    # the signed-in user, the form, the completion that refused, the page (its navigation counts included)
    assert len(set(map(id, sessions))) <= 4


def test_the_timeline_names_an_inspection_and_hides_engine_english(world: World,
                                                                   browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    through_scheme(world, iid)
    through_task_book(world, iid)
    engine.send_message(world.db, iid, "open_inspection", user_id=world.uid("prov_a"),
                        payload={"findings": "平台建设滞后"})
    with world.db.begin() as s:  # as the worker leaves an instance that failed
        failed = s.get(Instance, iid)
        assert failed is not None
        failed.state, failed.error = InstanceState.ERROR, "ZeroDivisionError: x"
    html = browser("prov_a").get(f"/pilots/{world.pilots['A1']}").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", html, flags=re.S))
    assert "open_inspection" not in text and "ZeroDivisionError" not in text
    assert "督查" in text and "流程因错误停止" in text
    admin = browser("admin").get(f"/pilots/{world.pilots['A1']}").get_data(as_text=True)
    assert "ZeroDivisionError" in admin  # the administrator gets the technical details


def test_a_colleagues_task_is_read_only_with_a_way_to_reassign_it(world: World,
                                                                  browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    world.do("city_a1", iid, "submit_scheme", SCHEME)
    task = world.task(iid, "review_scheme").id
    engine.claim(world.db, task, user_id=world.uid("prov_a2"))
    html = page(browser("prov_a"), task)
    assert 'id="task-form"' not in html and "data-not-submitted" in html and "prov_a2" in html
    link = re.search(r'href="([^"]+)" data-reassign', html)
    assert link and link.group(1).startswith(f"/tasks/{task}/reassign")
    assert browser("prov_a").get(link.group(1).replace("&amp;", "&")).status_code == 200
    assert "data-reassign" not in page(browser("city_a1"), task)  # a city user may not reassign


def test_an_overdue_task_says_so_on_its_page_and_on_the_pilot_page(world: World, browser: Callable[[str], Browser],
                                                                  at: Any) -> None:
    iid = start(world)
    task = world.task(iid, "submit_scheme")
    assert task.due_at is not None
    at.set(task.due_at)
    at.advance(days=1)
    city = browser("city_a1")
    assert 'data-badge="overdue"' in page(city, task.id)
    assert 'data-badge="overdue"' in city.get(f"/pilots/{world.pilots['A1']}").get_data(as_text=True)


def test_a_post_naming_no_button_saves_a_draft_and_completes_nothing(world: World,
                                                                     browser: Callable[[str], Browser]) -> None:
    iid = start(world)
    city = browser("city_a1")
    task = world.task(iid, "submit_scheme").id
    version = engine.get_instance(world.db, iid, user_id=world.uid("admin")).instance_version
    r = city.post(f"/tasks/{task}", {**scheme_form(), "instance_version": version})
    assert r.status_code == 302
    assert world.task(iid, "submit_scheme").draft == SCHEME  # still open, the typing kept
