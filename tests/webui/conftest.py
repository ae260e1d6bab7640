"""Web fixtures: the app bound to the test database, a client, tokens for personas."""
from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from werkzeug.test import TestResponse

from config import Config
from config import TestConfig
from engine import users
from tests.helpers import PASSWORD
from tests.helpers import World
from webui import create_app
from webui.cli import main


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

    def call(self, method: str, path: str, body: object = None, **kwargs: object) -> TestResponse:
        """Any method; the whole response (its headers, a 204's empty body, a download's bytes)."""
        return self.client.open("/api/v1" + path, method=method, json=body, headers=self.headers, **kwargs)


@pytest.fixture
def api(client: FlaskClient, world: World) -> dict[str, Api]:
    names = list(world.users)
    return {name: Api(client, users.issue_token(world.db, name)) for name in names} | {"anonymous": Api(client, None)}


class Browser:
    """A signed-in browser session on the Flask test client: pages, forms with their CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf(self, path: str = "/login") -> str:
        html = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'"X-CSRFToken": "([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf_from: str = "/profile",
             **kwargs: Any) -> TestResponse:
        """POST a form the way a page would, with a valid CSRF token."""
        return self.client.post(path, data={**(data or {}), "csrf_token": self.csrf(csrf_from)}, **kwargs)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Browser:
    browser = Browser(client)
    r = client.post("/login", data={"username": username, "password": password,
                                    "csrf_token": browser.csrf("/login")})
    assert r.status_code == 302, f"sign-in as {username} failed ({r.status_code})"
    return browser


@pytest.fixture
def browser(app: Flask, world: World) -> Callable[[str], Browser]:
    """browser("prov_a") -> a fresh client signed in as that persona."""
    return lambda username: sign_in(app.test_client(), username)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The command line on a fresh SQLite file of its own (the CLI commits: not the test database)."""
    monkeypatch.setattr(Config, "DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    assert runner.invoke(main, ["init-db"]).exit_code == 0
    yield runner
