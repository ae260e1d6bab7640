"""The database down or unreachable: every page and API call says so with a 503 and when to try
again (nothing from the request was saved), never a 500 — on a real connection that fails."""
from __future__ import annotations

from config import TestConfig
from webui import create_app


class Unreachable(TestConfig):
    DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"  # nothing listens on 1
    WTF_CSRF_ENABLED = False  # the sign-in form reaches the database at once


def test_a_database_that_does_not_answer_is_503_with_retry_after() -> None:
    client = create_app(Unreachable).test_client()
    api = client.get("/api/v1/tasks", headers={"Authorization": "Bearer some-token"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["error"] == "unavailable"
    page = client.post("/login", data={"username": "city_a1", "password": "whatever-it-is"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "服务暂时无法使用" in page.get_data(as_text=True)
