"""engine.attachments (checks, storage, rounds, withdrawal) and drafts (engine.save_draft)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import engine
from engine import attachments
from tests.helpers import World

PDF = b"%PDF-1.7\n%%EOF\n"


def start(world: World) -> int:
    return engine.start(world.db, "two_step", user_id=world.uid("prov_a"), pilot_id=world.pilots["A1"])


def ooxml(folder: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{folder}/x.xml", "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(("content", "kind"), [
    (PDF, "pdf"), (b"\x89PNG\r\n\x1a\n....", "png"), (b"\xff\xd8\xff\xe0JFIF", "jpeg"), (b"GIF89a..", "gif"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "ole"),
    (ooxml("word"), "docx"), (ooxml("xl"), "xlsx"), (ooxml("ppt"), "pptx"),
    (b"MZ\x90\x00", None), (b"PK\x03\x04not a zip", None), (b"<html><script>", None)])
def test_detect_by_content(content: bytes, kind: str | None) -> None:
    assert attachments.detect(content) == kind


def test_check_upload_names_and_types() -> None:
    assert attachments.check_upload("../../etc/方案.PDF", PDF, 100) == ("方案.PDF", "application/pdf")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert attachments.check_upload("old.xls", ole, 100)[1] == "application/vnd.ms-excel"
    for name, content, reason in (("a.pdf", b"", "empty"), ("a.pdf", PDF * 20, "too_large"),
                                  ("a.pdf", b"MZ\x90", "type"), ("a.png", PDF, "extension"),
                                  ("a.exe", PDF, "extension"), ("pdf", PDF, "extension")):
        with pytest.raises(attachments.AttachmentRefused) as err:
            attachments.check_upload(name, content, 100)
        assert err.value.refusal == reason


def test_draft_needs_the_right_to_act(two_step: World) -> None:
    w = two_step
    iid = start(w)
    task = w.task(iid, "submit")
    engine.save_draft(w.db, task.id, user_id=w.uid("city_a1"), data={"summary": "半"})
    assert w.task(iid, "submit").draft == {"summary": "半"}
    with pytest.raises(engine.Forbidden):
        engine.save_draft(w.db, task.id, user_id=w.uid("prov_a"), data={})
    with pytest.raises(engine.NotFound):
        engine.save_draft(w.db, task.id, user_id=w.uid("city_b1"), data={})


def test_attachments_rounds_removal_and_changes(two_step: World, tmp_path: Path) -> None:
    w = two_step
    iid = start(w)
    first = w.task(iid, "submit")
    a1 = attachments.add_attachment(w.db, first.id, user_id=w.uid("city_a1"), filename="v1.pdf", content=PDF,
                                  directory=tmp_path, max_bytes=1000)
    assert a1.round == 1 and attachments.blob_path(tmp_path, a1.content_hash).read_bytes() == PDF
    w.do("city_a1", iid, "submit", {"summary": "第一版", "spent_wan": 10})
    w.do("prov_a", iid, "review", {"decision": "revise", "comment": "改"})
    second = w.task(iid, "submit")
    attachments.remove_attachment(w.db, second.id, a1.id, user_id=w.uid("city_a1"))
    a2 = attachments.add_attachment(w.db, second.id, user_id=w.uid("city_a1"), filename="v2.pdf",
                                  content=PDF + b"2", directory=tmp_path, max_bytes=1000)
    assert a2.round == 2
    w.do("city_a1", iid, "submit", {"summary": "第二版", "spent_wan": 10})
    review = w.task(iid, "review")
    changes = engine.dossier(w.db, review.id, user_id=w.uid("prov_a")).changes
    assert len(changes) == 1
    ch = changes[0]
    assert [(f.key, f.old, f.new) for f in ch.changed] == [("summary", "第一版", "第二版")]
    assert [f.key for f in ch.unchanged] == ["spent_wan"]
    assert [a.name for a in ch.added] == ["v2.pdf"] and [r["name"] for r in ch.removed] == ["v1.pdf"]
    with pytest.raises(engine.NotFound):
        attachments.open_attachment(w.db, a2.id, user_id=w.uid("prov_b"), directory=tmp_path)
    meta, path = attachments.open_attachment(w.db, a2.id, user_id=w.uid("ministry"), directory=tmp_path)
    assert meta.name == "v2.pdf" and path.read_bytes() == PDF + b"2"
    # v1.pdf was withdrawn in round 2, yet stays in the record of round 1 and can be opened.
    submitted = engine.dossier(w.db, review.id, user_id=w.uid("prov_a")).work
    kept = {a.name: (a.round, a.removed_at is not None) for doc in submitted for a in doc.attachments}
    assert kept == {"v2.pdf": (2, False)}  # the review judges round 2: its files
    with w.db() as s:
        kept = {a.name: (a.round, a.removed_at is not None) for a in attachments.of_instance(s, iid)}
    assert kept == {"v1.pdf": (1, True), "v2.pdf": (2, False)}
    assert attachments.open_attachment(w.db, a1.id, user_id=w.uid("prov_a"), directory=tmp_path)[0].name == "v1.pdf"


def test_an_upload_of_this_round_is_removed_outright_and_only_once(two_step: World, tmp_path: Path) -> None:
    w = two_step
    iid = start(w)
    task = w.task(iid, "submit")
    att = attachments.add_attachment(w.db, task.id, user_id=w.uid("city_a1"), filename="draft.pdf", content=PDF,
                                   directory=tmp_path, max_bytes=1000)
    attachments.remove_attachment(w.db, task.id, att.id, user_id=w.uid("city_a1"))
    assert engine.dossier(w.db, task.id, user_id=w.uid("city_a1")).attachments == []
    with pytest.raises(engine.NotFound):
        attachments.remove_attachment(w.db, task.id, att.id, user_id=w.uid("city_a1"))


def test_a_draft_is_read_and_discarded_by_who_may_act(two_step: World) -> None:
    w = two_step
    iid = start(w)
    task = w.task(iid, "submit")
    assert engine.task_draft(w.db, task.id, user_id=w.uid("city_a1")) == (None, None)
    saved_at = engine.save_draft(w.db, task.id, user_id=w.uid("city_a1"), data={"summary": "半"})
    assert engine.task_draft(w.db, task.id, user_id=w.uid("city_a1")) == ({"summary": "半"}, saved_at)
    for user, error in (("prov_a", engine.Forbidden), ("city_b1", engine.NotFound)):
        with pytest.raises(error):
            engine.task_draft(w.db, task.id, user_id=w.uid(user))
        with pytest.raises(error):
            engine.discard_draft(w.db, task.id, user_id=w.uid(user))
    assert w.task(iid, "submit").draft == {"summary": "半"}
    engine.discard_draft(w.db, task.id, user_id=w.uid("city_a1"))
    row = w.task(iid, "submit")
    assert row.draft is None and row.draft_saved_at is None
    engine.discard_draft(w.db, task.id, user_id=w.uid("city_a1"))  # nothing left: a no-op, not an error
    actions = [e.action for e in engine.instance_events(w.db, iid, user_id=w.uid("admin"))]
    assert actions.count("draft_discarded") == 1


def test_attachments_are_listed_by_step_and_by_instance(two_step: World, tmp_path: Path) -> None:
    w = two_step
    iid = start(w)
    submit = w.task(iid, "submit")
    a1 = attachments.add_attachment(w.db, submit.id, user_id=w.uid("city_a1"), filename="v1.pdf", content=PDF,
                                    directory=tmp_path, max_bytes=1000)
    w.do("city_a1", iid, "submit", {"summary": "第一版", "spent_wan": 10})
    review = w.task(iid, "review")
    assert [a.id for a in attachments.list_for_task(w.db, submit.id, user_id=w.uid("prov_a"))] == [a1.id]
    assert attachments.list_for_task(w.db, review.id, user_id=w.uid("prov_a")) == []  # another step's file
    assert [a.id for a in attachments.list_for_instance(w.db, iid, user_id=w.uid("ministry"))] == [a1.id]
    with pytest.raises(engine.NotFound):
        attachments.list_for_task(w.db, submit.id, user_id=w.uid("prov_b"))
    with pytest.raises(engine.NotFound):
        attachments.list_for_instance(w.db, iid, user_id=w.uid("city_b1"))
