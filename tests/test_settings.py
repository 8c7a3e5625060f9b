"""Settings come from the environment; a bad value stops start-up with a message naming it."""

import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env


def test_a_missing_variable_takes_the_default():
    env = Env({})
    assert env.int("BUYER_PROTECTION_DAYS", 60) == 60
    assert env.bool("DJANGO_DEBUG", False) is False
    assert env.list("DJANGO_ALLOWED_HOSTS", ["localhost"]) == ["localhost"]


def test_values_are_parsed():
    env = Env({"N": " 45 ", "B": "Yes", "L": "a.example, b.example ,"})
    assert env.int("N", 1) == 45
    assert env.bool("B", False) is True
    assert env.list("L", []) == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("name", "raw", "read", "message"),
    [
        ("BUYER_PROTECTION_DAYS", "sixty", lambda e: e.int("BUYER_PROTECTION_DAYS", 60), "whole number"),
        ("ESCALATION_AFTER_DAYS", "-3", lambda e: e.int("ESCALATION_AFTER_DAYS", 7, minimum=1), "at least 1"),
        ("DJANGO_DEBUG", "maybe", lambda e: e.bool("DJANGO_DEBUG", False), "true or false"),
        (
            "DATABASE_URL",
            "mysqlx://nowhere",
            lambda e: e.database("DATABASE_URL", "sqlite:///x"),
            "database URL",
        ),
        (
            "CELERY_BROKER_URL",
            "kafka://x",
            lambda e: e.url("CELERY_BROKER_URL", "", schemes=("redis",)),
            "redis://",
        ),
    ],
)
def test_a_bad_value_fails_with_a_message_naming_the_variable(name, raw, read, message):
    with pytest.raises(ImproperlyConfigured) as excinfo:
        read(Env({name: raw}))
    assert name in str(excinfo.value)
    assert message in str(excinfo.value)


def test_database_url_selects_postgresql_or_sqlite():
    pg = Env({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/shop"}).database("DATABASE_URL", "")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert pg["NAME"] == "shop"
    lite = Env({}).database("DATABASE_URL", "sqlite:////tmp/demo.sqlite3")
    assert lite["ENGINE"] == "django.db.backends.sqlite3"


def test_the_settings_module_refuses_a_bad_deadline(tmp_path):
    """Importing the real settings with a bad deadline fails at start, naming the variable."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "RETURN_SHIP_DAYS": "ten", "DJANGO_SETTINGS_MODULE": "config.settings"}
    proc = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )
    assert proc.returncode != 0
    assert "RETURN_SHIP_DAYS must be a whole number" in proc.stderr


def test_spec_deadline_defaults(settings):
    """SPEC §14: every deadline is a setting with the given default."""
    assert (settings.BUYER_PROTECTION_DAYS, settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS) == (60, 15)
    assert (settings.EXTENSION_MAX_DAYS, settings.PROTECTION_REMINDER_DAYS) == (30, 3)
    assert (settings.MAX_DISPUTE_AMENDMENTS, settings.ESCALATION_AFTER_DAYS) == (4, 7)
    assert (settings.ARBITER_DECISION_DAYS, settings.REFUND_DEADLINE_DAYS) == (5, 60)
    assert (settings.RETURN_SHIP_DAYS, settings.RETURN_CONFIRM_DAYS) == (10, 15)


def _deploy_check(**env: str) -> subprocess.CompletedProcess:
    """``manage.py check --deploy`` in a clean environment: only what a server would be given
    (the test process's own variables, e.g. the browser tests' async override, stay out)."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )


def test_production_settings_pass_the_deploy_check_R_SEC_3(tmp_path):
    """R-SEC-3: with DEBUG off, a real secret key and allowed hosts, Django's deployment check has
    nothing to say (HTTPS redirect, HSTS, secure cookies, CSRF …). CI runs the same check."""
    proc = _deploy_check(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="arbitration.example.com",
        APP_VAR_DIR=str(tmp_path),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues" in proc.stdout


def test_the_deploy_check_refuses_the_development_secret_key_R_SEC_3(tmp_path):
    """Without DJANGO_SECRET_KEY the development key is used, and the deployment check says so."""
    proc = _deploy_check(
        DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="arbitration.example.com", APP_VAR_DIR=str(tmp_path)
    )
    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stdout + proc.stderr
