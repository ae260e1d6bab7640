"""Browser tests: Debian's Chromium driven by Playwright against the app served by waitress.

The server runs in a thread on its own SQLite file (a browser cannot join the per-test
transaction the other tests roll back). Without /usr/bin/chromium these tests skip, unless
SCHEMEFLOW_REQUIRE_BROWSER is set (CI sets it), when a missing browser is a failure.
"""
from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from config import Config
from engine import schema
from engine.db import make_engine
from engine.db import make_sessionmaker
from tests.conftest import PROCESSES
from tests.helpers import PASSWORD
from tests.helpers import World
from webui import create_app

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent.parent
# Screenshots go to a temporary folder, so a test run leaves the checkout as it was;
# SCHEMEFLOW_SCREENSHOTS=docs/screenshots (relative to the checkout, or absolute) refreshes the
# pictures the README and the user guide show.
SCREENSHOTS = ROOT / os.environ.get("SCHEMEFLOW_SCREENSHOTS",
                                    str(Path(tempfile.gettempdir()) / "schemeflow-screenshots"))

if not CHROMIUM.exists():
    if os.environ.get("SCHEMEFLOW_REQUIRE_BROWSER"):
        raise RuntimeError("browser tests need Debian's Chromium: apt-get install -y chromium")
    pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import Browser  # noqa: E402
from playwright.sync_api import Page  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


@dataclass
class Site:
    url: str
    db: sessionmaker[Session]
    world: World
    attachments: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from waitress.server import create_server

    home = tmp_path_factory.mktemp("site")
    url = f"sqlite:///{home / 'browser.db'}"
    schema.upgrade(make_engine(url))
    db = make_sessionmaker(url)
    world = World.build(db, PROCESSES)

    class SiteConfig(Config):
        DATABASE_URL = url
        SECRET_KEY = "browser-tests"
        ATTACHMENT_DIR = home / "attachments"
        IMPORT_DIR = home / "imports"

    server = create_server(create_app(SiteConfig), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield Site(f"http://127.0.0.1:{server.effective_port}", db, world, home / "attachments")  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Browser, site: Site) -> Iterator[Any]:
    """new_page(width=1280, height=860, touch=False) -> a page in a fresh browser context (its own
    cookies; a touch screen when asked)."""
    contexts = []
    refused: list[str] = []  # what the Content-Security-Policy blocked: a page would be broken
    missing: list[str] = []  # what a page asked for and did not get (a style, a script, its icon)

    def make(width: int = 1280, height: int = 860, touch: bool = False) -> Page:
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN", has_touch=touch)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        # A refused deploy answers the editor's fetch with 422 and its problems: an answer, not a gap.
        page.on("response", lambda r: missing.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document"
                and not (r.status == 422 and r.request.resource_type == "fetch") else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert refused == [], refused
    assert missing == [], missing


def sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(site.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login" not in page.url, page.inner_text("main")


def shoot(page: Page, name: str) -> None:
    """Save a full-page screenshot into SCREENSHOTS (docs/screenshots when asked, see above)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
