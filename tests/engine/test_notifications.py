"""Notifications through the people told: a task arriving, a revision requested, a task handed
over, deadlines approaching and past; written with the change, read and marked by the recipient."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import update

import engine
from engine.models import User
from engine.models_notify import MailOutbox
from engine.models_notify import Notification
from tests.helpers import Clock
from tests.helpers import World

LEAD = timedelta(hours=48)


def start(world: World) -> int:
    return engine.start(world.db, "two_step", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])


def told(world: World, user: str) -> list[tuple[str, str]]:
    """(kind, task name) of the user's notifications, oldest first."""
    page = engine.notifications.list_for(world.db, world.uid(user), per_page=100)
    return [(n.kind.value, n.params["task"]) for n in reversed(page.items)]


def set_email(world: World, user: str, email: str | None, wanted: bool = True) -> None:
    with world.db.begin() as s:
        s.execute(update(User).where(User.id == world.uid(user)).values(email=email, email_notifications=wanted))


def test_a_new_task_tells_the_users_who_may_claim_it(two_step: World) -> None:
    iid = start(two_step)
    assert told(two_step, "city_a1") == [("task_arrived", "Submit report")]
    assert told(two_step, "city_a2") == [] and told(two_step, "prov_a") == []
    two_step.do("city_a1", iid, "submit", {"summary": "Scheme v1"})
    assert told(two_step, "prov_a") == told(two_step, "prov_a2") == [("task_arrived", "Review report")]
    assert told(two_step, "prov_b") == [] and told(two_step, "ministry") == []


def test_a_send_back_asks_the_submitter_for_a_revision(two_step: World) -> None:
    iid = start(two_step)
    two_step.do("city_a1", iid, "submit", {"summary": "Scheme v1"})
    two_step.do("prov_a", iid, "review", {"decision": "revise", "comment": "more"})
    assert told(two_step, "city_a1") == [("task_arrived", "Submit report"), ("revision_requested", "Submit report")]
    note = engine.notifications.list_for(two_step.db, two_step.uid("city_a1")).items[0]
    assert note.params["round"] == 2 and note.params["pilot"] == "宁波市" and note.instance_id == iid


def test_notifications_are_written_in_the_changes_transaction(two_step: World) -> None:
    iid = start(two_step)
    task = two_step.task(iid, "submit")
    with pytest.raises(engine.InvalidData):  # refused: nothing changed, nobody told
        engine.complete(two_step.db, task.id, user_id=two_step.uid("city_a1"), data={"summary": 7})
    with pytest.raises(engine.ConflictError):  # a stale page: rolled back with the completion
        engine.complete(two_step.db, task.id, user_id=two_step.uid("city_a1"), data={"summary": "Scheme v1"},
                        instance_version=999)
    assert told(two_step, "prov_a") == []
    engine.complete(two_step.db, task.id, user_id=two_step.uid("city_a1"), data={"summary": "Scheme v1"})
    assert told(two_step, "prov_a") == [("task_arrived", "Review report")]


def test_mail_is_queued_only_for_users_with_an_address_who_want_it(two_step: World) -> None:
    set_email(two_step, "prov_a", "prov.a@example.cn")
    set_email(two_step, "prov_a2", "prov.a2@example.cn", wanted=False)
    iid = start(two_step)
    two_step.do("city_a1", iid, "submit", {"summary": "Scheme v1"})
    with two_step.db() as s:
        mails = list(s.scalars(select(MailOutbox)))
        assert [(m.to_address, m.state.value, m.language) for m in mails] == [("prov.a@example.cn", "pending", "zh")]
        assert s.get_one(Notification, mails[0].notification_id).recipient_id == two_step.uid("prov_a")


def test_a_reassigned_task_tells_its_new_holder(two_step: World) -> None:
    iid = start(two_step)
    two_step.do("city_a1", iid, "submit", {"summary": "Scheme v1"})
    review = two_step.task(iid, "review")
    engine.reassign(two_step.db, review.id, user_id=two_step.uid("prov_a"), to_user_id=two_step.uid("prov_a2"))
    assert told(two_step, "prov_a2")[-1] == ("task_assigned", "Review report")


def test_only_the_recipient_reads_and_marks_a_notification(two_step: World) -> None:
    start(two_step)
    note = engine.notifications.list_for(two_step.db, two_step.uid("city_a1")).items[0]
    for other in ("city_a2", "prov_a", "admin"):
        with pytest.raises(engine.NotFound):
            engine.notifications.mark_read(two_step.db, note.id, user_id=two_step.uid(other))
        assert engine.notifications.list_for(two_step.db, two_step.uid(other)).items == []
    with pytest.raises(engine.NotFound):
        engine.notifications.mark_read(two_step.db, 2**63, user_id=two_step.uid("city_a1"))
    assert engine.notifications.list_for(two_step.db, two_step.uid("city_a1")).unread == 1
    read = engine.notifications.mark_read(two_step.db, note.id, user_id=two_step.uid("city_a1"))
    assert read.read_at is not None
    again = engine.notifications.mark_read(two_step.db, note.id, user_id=two_step.uid("city_a1"))
    assert again.read_at == read.read_at  # reading twice changes nothing
    assert engine.counts_for(two_step.db, two_step.uid("city_a1"))["unread"] == 0


def test_mark_all_read_and_the_bounded_unread_count(two_step: World) -> None:
    uid = two_step.uid("prov_a")
    with two_step.db.begin() as s:
        s.add_all(Notification(recipient_id=uid, kind=engine.NotificationKind.DUE_SOON, params={"task": f"t{i}"})
                  for i in range(engine.notifications.UNREAD_CAP + 5))
    assert engine.counts_for(two_step.db, uid)["unread"] == engine.notifications.UNREAD_CAP
    page = engine.notifications.list_for(two_step.db, uid, page=2, per_page=50)
    assert len(page.items) == 50 and page.total == 105 and page.items[0].params["task"] == "t54"
    assert engine.notifications.mark_all_read(two_step.db, user_id=uid) == 105
    assert engine.notifications.mark_all_read(two_step.db, user_id=uid) == 0
    assert engine.notifications.list_for(two_step.db, uid, unread_only=True).items == []


def test_deadlines_approaching_and_past_are_told_once_and_escalated(two_step: World, at: Clock) -> None:
    iid = start(two_step)  # "submit" is due in 10 days (its reminder timer)
    notices = engine.deadlines.send_deadline_notices
    assert notices(two_step.db, lead=LEAD) == 0
    at.advance(days=8, hours=1)
    assert notices(two_step.db, lead=LEAD) == 1
    assert notices(two_step.db, lead=LEAD) == 0
    assert told(two_step, "city_a1")[-1] == ("due_soon", "Submit report")
    at.advance(days=2)
    assert notices(two_step.db, lead=LEAD) == 1
    assert told(two_step, "city_a1")[-1] == ("overdue", "Submit report")
    assert told(two_step, "prov_a") == told(two_step, "prov_a2") == [("escalated", "Submit report")]
    assert told(two_step, "prov_b") == []
    assert notices(two_step.db, lead=LEAD) == 0
    assert two_step.ready_ids(iid) == ["submit"]


def test_a_task_already_past_due_gets_no_late_due_soon_notice(two_step: World, at: Clock) -> None:
    start(two_step)
    at.advance(days=11)
    assert engine.deadlines.send_deadline_notices(two_step.db, lead=LEAD) == 1
    assert [k for k, _ in told(two_step, "city_a1")] == ["task_arrived", "overdue"]


@pytest.mark.parametrize("email", ["no-at-sign", "a@", "a b@example.cn", "x" * 250 + "@example.cn"])
def test_a_bad_email_address_is_refused(email: str) -> None:
    with pytest.raises(engine.InvalidData):
        engine.contact.check_email(email)


def test_an_address_is_normalized() -> None:
    assert engine.contact.check_email("  Wang.Li@Example.CN ") == "Wang.Li@example.cn"
    assert engine.contact.check_email("  ") is None
