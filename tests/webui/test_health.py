"""/healthz and /readyz as a monitor and a load balancer see them: no sign-in, JSON, 200 when
healthy, 503 naming what fails (migrations behind, no or a stale worker heartbeat, no database)."""
from __future__ import annotations

import socket
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from config import TestConfig
from engine import health
from engine import schema
from webui import create_app


def probe(client: FlaskClient, path: str) -> tuple[int, dict[str, object]]:
    r = client.get(path)
    assert r.headers["Content-Type"] == "application/json" and r.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in r.headers  # a probe starts no session
    return r.status_code, r.get_json()


def test_healthy_with_a_fresh_heartbeat_and_no_sign_in(client: FlaskClient, db: sessionmaker[Session]) -> None:
    health.beat(db, "app1:4242", health.wall_now())
    status, body = probe(client, "/healthz")
    assert status == 200 and body["status"] == "ok" and body["failing"] == [], body
    checks = body["checks"]
    assert checks["database"] == {"ok": True}  # type: ignore[index]
    assert checks["migrations"] == {"ok": True, "current": list(schema.code_heads()),  # type: ignore[index]
                                    "head": list(schema.code_heads())}
    assert checks["worker"]["ok"] is True and checks["worker"]["live_workers"] == 1  # type: ignore[index]
    assert checks["worker"]["age_seconds"] < 60  # type: ignore[index]
    assert "app1" not in str(body)  # host names stay out of an unauthenticated answer
    assert probe(client, "/readyz") == (200, {"status": "ok", "failing": [], "checks": {
        "database": {"ok": True}, "migrations": checks["migrations"]}})  # type: ignore[index]


def test_no_heartbeat_fails_healthz_only(client: FlaskClient) -> None:
    status, body = probe(client, "/healthz")
    assert status == 503 and body["failing"] == ["worker"], body
    assert body["checks"]["worker"]["error"] == "no worker heartbeat"  # type: ignore[index]
    assert probe(client, "/readyz")[0] == 200


def test_stale_heartbeat_fails_healthz_only(app: Flask, client: FlaskClient, db: sessionmaker[Session]) -> None:
    max_age = app.config["HEARTBEAT_MAX_AGE_SECONDS"]
    health.beat(db, "worker-a:1", health.wall_now() - timedelta(hours=1),
                now=health.wall_now() - timedelta(seconds=max_age + 30))
    status, body = probe(client, "/healthz")
    assert status == 503 and body["failing"] == ["worker"], body
    assert body["checks"]["worker"]["age_seconds"] > max_age  # type: ignore[index]
    assert body["checks"]["worker"]["live_workers"] == 0  # type: ignore[index]
    assert probe(client, "/readyz")[0] == 200
    # A fresh beat from a second worker is enough again; a worker that stops cleanly is gone at once.
    health.beat(db, "worker-b:2", health.wall_now())
    assert probe(client, "/healthz")[0] == 200
    health.stopped(db, "worker-b:2")
    assert probe(client, "/healthz")[0] == 503


def test_the_worker_check_can_be_turned_off(app: Flask, client: FlaskClient) -> None:
    app.config["HEARTBEAT_MAX_AGE_SECONDS"] = 0  # no separate worker in this deployment
    status, body = probe(client, "/healthz")
    assert status == 200 and "worker" not in body["checks"], body  # type: ignore[operator]


def test_migrations_behind_fail_both(client: FlaskClient, db: sessionmaker[Session]) -> None:
    health.beat(db, "w:1", health.wall_now())
    with db.begin() as session:  # rolled back with the test's outer transaction
        session.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    for path in ("/healthz", "/readyz"):
        status, body = probe(client, path)
        assert status == 503 and "migrations" in body["failing"], body  # type: ignore[operator]
        assert body["checks"]["migrations"]["current"] == ["0009"]  # type: ignore[index]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_database_unreachable_fails_both_without_saying_where() -> None:
    class Down(TestConfig):
        DATABASE_URL = f"postgresql+psycopg://postgres:hunter2-secret@127.0.0.1:{_closed_port()}/nowhere"

    client = create_app(Down).test_client()
    for path, failing in (("/healthz", ["database", "migrations", "worker"]), ("/readyz", ["database", "migrations"])):
        r = client.get(path)
        body = r.get_json()
        assert r.status_code == 503 and body["failing"] == failing, body
        assert body["checks"]["database"]["error"] == "OperationalError"
        assert "hunter2" not in r.get_data(as_text=True) and "nowhere" not in r.get_data(as_text=True)


def test_probes_answer_only_get(client: FlaskClient) -> None:
    assert client.post("/healthz").status_code == 405
    assert client.head("/readyz").status_code == 200
