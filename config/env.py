"""Reading settings from the environment.

Every helper fails at start-up with ImproperlyConfigured naming the variable, so a typo in
production is a clear message in the log, never a silently ignored value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def bool(self, name: str, default: bool) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), got {raw!r}.")

    def int(self, name: str, default: int, *, minimum: int | None = 0) -> int:
        raw = self.environ.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
        return value

    def list(self, name: str, default: list[str]) -> list[str]:
        raw = self.environ.get(name)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def database(self, name: str, default: str) -> dj_database_url.DBConfig:
        raw = self.environ.get(name, default)
        try:
            config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
        except (ValueError, dj_database_url.UnknownSchemeError) as exc:
            raise ImproperlyConfigured(
                f"{name} must be a database URL such as postgres://user@host:5432/name "
                f"or sqlite:///path/to/db.sqlite3, got {raw!r} ({exc})."
            ) from None
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} must name a database, got {raw!r}.")
        if config["ENGINE"] == "django.db.backends.sqlite3":
            # SQLite in the demo: wait for the writer instead of failing with "database is locked".
            config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
            config["CONN_MAX_AGE"] = 0
        return config

    def url(self, name: str, default: str, *, schemes: tuple[str, ...]) -> str:
        raw = self.environ.get(name, default)
        scheme = urlsplit(raw).scheme
        if scheme not in schemes:
            raise ImproperlyConfigured(
                f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, got {raw!r}."
            )
        return raw

    def choice(self, name: str, default: str, *, choices: tuple[str, ...]) -> str:
        raw = self.environ.get(name, default)
        if raw not in choices:
            allowed = ", ".join(repr(choice) for choice in choices)
            raise ImproperlyConfigured(f"{name} must be one of {allowed}, got {raw!r}.")
        return raw

    # Last in the class: a method named ``str`` shadows the builtin for the annotations after it.
    def str(self, name: str, default: str) -> str:
        return self.environ.get(name, default)
