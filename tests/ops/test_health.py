"""R-OPS-3: /health/ answers 200 when the database, cache, broker and storage answer and 503
otherwise; /health/ready/ also waits for pending migrations."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own, on its own port (never the shared one)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait(10)


def use_redis(settings, url: str) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}


def test_R_OPS_3_health_is_200_with_everything_up_and_503_when_redis_stops(client, settings, private_redis):
    process, url = private_redis
    use_redis(settings, url)
    up = client.get("/health/?format=json")
    assert up.status_code == 200, up.content
    assert set(up.json().values()) == {"OK"}

    process.kill()
    process.wait(10)
    down = client.get("/health/?format=json")
    assert down.status_code == 503
    failing = {check for check, state in down.json().items() if state != "OK"}
    assert any("Cache" in check for check in failing) and any("Broker" in check for check in failing)


def test_R_OPS_3_health_is_503_when_postgresql_does_not_answer(client, settings, private_redis):
    _process, url = private_redis
    use_redis(settings, url)
    connection.close()
    original = dict(connection.settings_dict)
    connection.settings_dict["PORT"] = str(free_port())  # nothing listens there
    connection.settings_dict["HOST"] = "127.0.0.1"
    try:
        down = client.get("/health/?format=json")
    finally:
        connection.close()
        connection.settings_dict.update(original)
    assert down.status_code == 503
    assert any("Database" in check and state != "OK" for check, state in down.json().items())


def test_R_OPS_3_ready_is_503_while_a_migration_is_pending(client, settings, private_redis, monkeypatch):
    _process, url = private_redis
    use_redis(settings, url)
    assert client.get("/health/ready/?format=json").status_code == 200
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan", lambda self, targets: [("m", False)]
    )
    pending = client.get("/health/ready/?format=json")
    assert pending.status_code == 503 and "1 migrations are not applied yet" in pending.content.decode()
