"""Web fixtures: the app bound to the test database, a client, tokens for personas."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from config import TestConfig
from engine import users
from tests.helpers import World
from webui import create_app


@pytest.fixture
def app(db: sessionmaker[Session]) -> Iterator[Flask]:
    app = create_app(TestConfig)
    app.extensions["schemeflow.db"] = db
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """A JSON client for one persona, authenticated with its Bearer token."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client, self.headers = client, ({"Authorization": f"Bearer {token}"} if token else {})

    def get(self, path: str) -> tuple[int, object]:
        r = self.client.get("/api/v1" + path, headers=self.headers)
        return r.status_code, r.get_json()

    def post(self, path: str, body: object = None, **kwargs: object) -> tuple[int, object]:
        r = self.client.post("/api/v1" + path, json=body, headers=self.headers, **kwargs)
        return r.status_code, r.get_json()


@pytest.fixture
def api(client: FlaskClient, world: World) -> dict[str, Api]:
    names = list(world.users)
    return {name: Api(client, users.issue_token(world.db, name)) for name in names} | {"anonymous": Api(client, None)}
