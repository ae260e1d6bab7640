"""engine.comments: pinned to a field of the step judged, shown beside it next round; a step's
thread holds its own discussion only."""
from __future__ import annotations

import pytest

import engine
from tests.helpers import World


def start(world: World) -> int:
    return engine.start(world.db, "two_step", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])


def test_comments_pin_to_the_reviewed_step_and_show_next_round(two_step: World) -> None:
    w = two_step
    iid = start(w)
    w.do("city_a1", iid, "submit", {"summary": "第一版"})
    review = w.task(iid, "review")
    engine.comments.add_comment(w.db, review.id, user_id=w.uid("prov_a"), body="说清楚", field="submit:summary")
    engine.comments.add_comment(w.db, review.id, user_id=w.uid("prov_a"), body="总体意见")
    with pytest.raises(engine.NotFound):
        engine.comments.add_comment(w.db, review.id, user_id=w.uid("city_b1"), body="x")
    with pytest.raises(engine.InvalidData):
        engine.comments.add_comment(w.db, review.id, user_id=w.uid("prov_a"), body="x", field="review:bogus")
    w.do("prov_a", iid, "review", {"decision": "revise", "comment": "请修改"})
    second = w.task(iid, "submit")
    d = engine.dossier(w.db, second.id, user_id=w.uid("city_a1"))
    assert [c.body for c in d.pinned["summary"]] == ["说清楚"]
    assert d.pinned["summary"][0].round == 1
    assert [doc.data for doc in d.work] == [{"decision": "revise", "comment": "请修改"}]
    assert [c.body for c in d.comments] == ["说清楚", "总体意见"]
    # the pinned comment names its field by the form's label, not its key
    assert [c.field_node and c.field_node.get("title") for c in d.comments if c.field] == ["Summary"]
    assert d.pilot_name == "宁波市" and d.province_name == "浙江省"


def test_an_empty_or_overlong_comment_is_refused_with_its_reason(two_step: World) -> None:
    w = two_step
    iid = start(w)
    task = w.task(iid, "submit")
    for body, reason in (("  ", "comment_empty"), ("x" * 5001, "comment_too_long")):
        with pytest.raises(engine.InvalidData) as err:
            engine.comments.add_comment(w.db, task.id, user_id=w.uid("city_a1"), body=body)
        assert err.value.reason == reason


def test_threads_are_listed_by_step_and_by_instance(two_step: World) -> None:
    w = two_step
    iid = start(w)
    submit = w.task(iid, "submit")
    engine.comments.add_comment(w.db, submit.id, user_id=w.uid("city_a1"), body="初稿说明")
    w.do("city_a1", iid, "submit", {"summary": "第一版"})
    review = w.task(iid, "review")
    engine.comments.add_comment(w.db, review.id, user_id=w.uid("prov_a"), body="说清楚", field="submit:summary")
    by_review = engine.comments.list_for_task(w.db, review.id, user_id=w.uid("prov_a"))
    assert [(c.body, c.field) for c in by_review] == [("初稿说明", None), ("说清楚", "summary")]
    whole = engine.comments.list_for_instance(w.db, iid, user_id=w.uid("ministry"))
    assert [c.body for c in whole] == ["初稿说明", "说清楚"]
    for call, target in ((engine.comments.list_for_task, review.id), (engine.comments.list_for_instance, iid)):
        with pytest.raises(engine.NotFound):
            call(w.db, target, user_id=w.uid("prov_b"))  # type: ignore[operator]
