"""The corpus of other modelers' files through POST /api/v1/definitions: deployed (201) or a 400
whose problems each name the file and say what is wrong in words; never a 500."""
from __future__ import annotations

import io

from flask.testing import FlaskClient

from engine import users
from tests.engine.test_bpmn_corpus import CORPUS
from tests.engine.test_bpmn_corpus import EXPECTED
from tests.engine.test_bpmn_corpus import assert_readable
from tests.helpers import World


def test_every_corpus_file_through_the_api(client: FlaskClient, world: World) -> None:
    headers = {"Authorization": f"Bearer {users.issue_token(world.db, 'admin')}"}
    for name, expected in sorted(EXPECTED.items()):
        upload = {"files": (io.BytesIO((CORPUS / name).read_bytes()), name)}
        r = client.post("/api/v1/definitions", data=upload, headers=headers, content_type="multipart/form-data")
        body = r.get_json()
        if isinstance(expected, list):
            assert r.status_code == 201, (name, body)
            assert sorted(d["key"] for d in body["deployed"]) == expected
        else:
            assert r.status_code == 400 and body["error"] == "invalid_definition", (name, body)
            assert_readable(body["details"], name)


def test_a_bundle_of_the_corpus_and_an_unnamed_upload_are_refused_readably(client: FlaskClient,
                                                                           world: World) -> None:
    headers = {"Authorization": f"Bearer {users.issue_token(world.db, 'admin')}"}
    upload = {"files": [(io.BytesIO((CORPUS / n).read_bytes()), n) for n in sorted(EXPECTED)]
              + [(io.BytesIO(b"<x/>"), "")]}
    r = client.post("/api/v1/definitions", data=upload, headers=headers, content_type="multipart/form-data")
    assert r.status_code == 400, r.get_data(as_text=True)[:500]
    assert all(d["message"] for d in r.get_json()["details"])
