"""`schemeflow serve`: waitress by default, gunicorn with several workers on one SQLite file."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from webui.cli import main


def test_serve_help_lists_the_servers() -> None:
    out = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--server [waitress|gunicorn]" in out and "--workers" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn is POSIX only")
def test_gunicorn_workers_share_one_sqlite_file_and_sessions(tmp_path: Path) -> None:
    # gunicorn counts as production; SCHEMEFLOW_ENV=demo waives the checks on purpose (plain HTTP).
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", SCHEMEFLOW_HOME=str(tmp_path),
               SCHEMEFLOW_ENV="demo")
    for name in ("SECRET_KEY", "SCHEMEFLOW_SECRET_KEY", "SCHEMEFLOW_DATABASE_URL"):
        env.pop(name, None)  # the key is generated once by the command, shared by its workers
    cli = [sys.executable, "-c", "from webui.cli import main; main()"]
    subprocess.run([*cli, "init-db"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "user", "add", "boss", "--role", "admin"], env=env, check=True, capture_output=True,
                   input="Sturdy-Passw0rd\nSturdy-Passw0rd\n", text=True)
    port = _free_port()
    server = subprocess.Popen([*cli, "serve", "--server", "gunicorn", "--workers", "2", "--port", str(port),
                               "--no-worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        for _ in range(100):
            try:
                page = opener.open(base + "/login", timeout=5).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token is not None
        body = urlencode({"username": "boss", "password": "Sturdy-Passw0rd", "csrf_token": token.group(1)})
        opener.open(base + "/login", data=body.encode(), timeout=10)
        # Whichever worker answers, the session holds (one SECRET_KEY) and the database is the same file.
        for _ in range(12):
            with opener.open(base + "/api/v1/me", timeout=10) as r:
                assert r.status == 200 and b"boss" in r.read()
    finally:
        server.terminate()
        server.wait(20)
