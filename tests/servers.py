"""Real servers for the fault proofs (issue 13): gunicorn serving the test database, a private
redis-server, and a small HTTP client that sets any header (as a proxy in front would).

Ports come from the environment (FAULT_TEST_PORT for gunicorn, FAULT_TEST_REDIS_PORT for Redis),
so parallel runs on one machine don't collide; the defaults are free in CI.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_PORT = int(os.environ.get("FAULT_TEST_PORT", "8330"))
REDIS_PORT = int(os.environ.get("FAULT_TEST_REDIS_PORT", "6390"))


def wait_for_port(port: int, *, timeout: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def database_url() -> str:
    """The test database, for a server process started by the test (committed data only)."""
    s = connection.settings_dict
    auth = urllib.parse.quote(s["USER"] or "")
    if s["PASSWORD"]:
        auth += ":" + urllib.parse.quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextlib.contextmanager
def gunicorn(tmp_path: Path, **env: str) -> Iterator[str]:
    """gunicorn with production settings (DEBUG off) on the test database; yields its base URL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the server process reads the test's committed rows")
    server_env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "APP_VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "WARNING",
        **env,
    }
    log = open(tmp_path / f"gunicorn-{GUNICORN_PORT}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{GUNICORN_PORT}"]
        + ["--workers", "1", "--timeout", "60"],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(GUNICORN_PORT, process=process)
        yield f"http://127.0.0.1:{GUNICORN_PORT}"
    finally:
        process.terminate()
        process.wait(20)
        log.close()


@contextlib.contextmanager
def redis_server(tmp_path: Path, port: int = REDIS_PORT) -> Iterator[subprocess.Popen]:
    """A redis-server of the test's own (never the shared one), without persistence."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process=process)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Browser:
    """Cookies by hand (the production cookies are Secure; this speaks plain HTTP to gunicorn),
    redirects not followed, any header the caller gives (X-Forwarded-For, as a proxy sets it)."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, data: dict[str, str] | None = None, **headers: str) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=30) as answer:
                status, raw_headers, text = answer.status, answer.headers, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, raw_headers, text = error.code, error.headers, error.read().decode()
        for cookie in raw_headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Response(status, {k.lower(): v for k, v in raw_headers.items()}, text)

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, **headers)

    def post_form(self, path: str, data: dict[str, str], **headers: str) -> Response:
        """GET the page for its CSRF token, then POST the form with it."""
        page = self.get(path, **headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {path} ({page.status})"
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **data}, **headers)

    def sign_in(self, username: str, password: str, **headers: str) -> Response:
        return self.post_form("/accounts/login/", {"username": username, "password": password}, **headers)
