"""Not a SPEC rule: the README's promise. `make demo`'s last step, ``manage.py run_demo``: one command starts
the web server, a Celery worker and Celery beat, and stopping it stops all three (issue 2), whichever way
it is stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but still listed until reaped; ps says Z.
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout
    return bool(state.strip()) and not state.strip().startswith("Z")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_run_demo_starts_web_worker_and_beat_and_one_signal_stops_all_three(tmp_path, stop_signal):
    port = free_port()
    services = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")  # the demo's defaults: SQLite, files
    env = {
        **{k: v for k, v in os.environ.items() if k not in services},
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "APP_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "run_demo.log"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_demo", "--addr", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    children: list[int] = []
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).status
            except OSError:
                time.sleep(0.5)
        assert status == 200, log.read_text()
        children = children_of(process.pid)
        assert len(children) == 3, log.read_text()  # runserver, worker, beat

        process.send_signal(stop_signal)
        process.wait(30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(pid) for pid in children):
            time.sleep(0.2)
        assert not [pid for pid in children if alive(pid)], log.read_text()
        assert f"http://127.0.0.1:{port}/admin/" in log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in children:
            if alive(pid):
                os.killpg(pid, signal.SIGKILL)  # each child leads a session of its own


@pytest.mark.parametrize(
    ("addr", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("8350", "http://127.0.0.1:8350"),
        ("0.0.0.0:8351", "http://127.0.0.1:8351"),
        ("demo.local:8080", "http://demo.local:8080"),
    ],
)
def test_the_demos_emails_link_to_the_address_it_serves(addr, url):
    """`make demo` (run_demo --addr) hands its children SITE_URL, the address a person opens."""
    from marketplace.management.commands.run_demo import demo_site_url

    assert demo_site_url(addr) == url
