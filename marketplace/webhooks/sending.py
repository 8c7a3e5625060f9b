"""One webhook POST: the Standard Webhooks body and headers, and a client that never reaches a
private address (R-API-5).

The body is the event (``id``, ``type``, ``timestamp``, ``data``) as compact JSON, the same bytes
on every attempt. ``webhook-id`` is the event's uid (the receiver deduplicates on it: delivery is
at least once), ``webhook-timestamp`` the attempt's time, and ``webhook-signature`` one ``v1,…``
signature per valid secret, made by the ``standardwebhooks`` package.

SSRF: an endpoint's URL is chosen by an API client, and this server sits inside the operator's
network. Unless ``WEBHOOK_ALLOW_PRIVATE_URLS`` is on (DEBUG, tests, the demo), the client resolves
the host itself, refuses if any address is not public (loopback, private, link-local, reserved,
multicast …), and connects to the address it checked, so a DNS answer can't change between the
check and the connection. Redirects are not followed and no proxy is used.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpcore
from django.conf import settings
from standardwebhooks import Webhook

log = logging.getLogger(__name__)

USER_AGENT = "BuyerProtection-Webhooks/1"
# How much of a failing receiver's answer the delivery log keeps.
ERROR_BODY_CHARS = 200


def body_of(uid: str, type: str, created_at: datetime, data: dict) -> bytes:
    """The event as the receiver gets it (Standard Webhooks' ``type``/``timestamp``/``data``, and ``id``)."""
    envelope = {
        "id": uid,
        "type": type,
        "timestamp": created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(*, secrets: list[str], msg_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers; several signatures, space-separated, during a secret rotation."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(Webhook(secret).sign(msg_id, at, body) for secret in secrets),
    }


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status_code: int | None
    milliseconds: int
    error: str


# What can go wrong on the way: no connection, a timeout, a broken answer, a URL we can't speak to.
HTTP_ERRORS = (
    httpcore.NetworkError,
    httpcore.TimeoutException,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpcore.ProxyError,
)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Attempt:
    """POST ``body``; a 2xx answer is a delivery, anything else (or no answer) a failed attempt."""
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    limits = {"connect": min(timeout, 3), "read": timeout, "write": timeout, "pool": timeout}
    started = time.perf_counter()
    try:
        with _pool(settings.WEBHOOK_ALLOW_PRIVATE_URLS).stream(
            "POST",
            url,
            headers=[*headers.items(), ("user-agent", USER_AGENT), ("content-type", "application/json")],
            content=body,
            extensions={"timeout": limits},
        ) as response:
            ok = 200 <= response.status < 300
            error = "" if ok else _error_text(response)
            return Attempt(ok, response.status, _ms(started), error)
    except httpcore.TimeoutException:
        return Attempt(False, None, _ms(started), f"No answer within {timeout} s")
    except (*HTTP_ERRORS, ValueError) as exc:
        return Attempt(False, None, _ms(started), f"{type(exc).__name__}: {exc}"[:500])
    except Exception as exc:
        # Anything else is still one failed attempt of one delivery, recorded and retried like any.
        log.exception("Webhook POST to %s failed unexpectedly", url)
        return Attempt(False, None, _ms(started), f"{type(exc).__name__}: {exc}"[:500])


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _error_text(response: httpcore.Response) -> str:
    head = b""
    for chunk in response.iter_stream():
        head += chunk
        if len(head) >= ERROR_BODY_CHARS:
            break
    text = head[:ERROR_BODY_CHARS].decode("utf-8", "replace").strip()
    return f"HTTP {response.status}" + (f": {text}" if text else "")


@functools.cache
def _pool(allow_private: bool) -> httpcore.ConnectionPool:
    """One pool per process: connections are kept alive between deliveries. httpcore (httpx's
    transport) directly: half the CPU of httpx per request, and it takes our network backend."""
    size = settings.WEBHOOK_CONCURRENCY * 2
    return httpcore.ConnectionPool(
        max_connections=size,
        max_keepalive_connections=size,
        keepalive_expiry=30,
        network_backend=None if allow_private else GuardedBackend(),
    )


# --- SSRF guard -------------------------------------------------------------------------------------


class BlockedAddress(httpcore.ConnectError):
    pass


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host, refuses non-public addresses, connects to the address it checked."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"Can't resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        blocked = [address for address in addresses if not is_public(address)]
        if blocked:
            raise BlockedAddress(f"{host} resolves to {blocked[0]}, a private address: not allowed")
        error: Exception | None = None
        for address in addresses:
            try:
                return self._backend.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error or httpcore.ConnectError(f"No address for {host}")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise BlockedAddress("Unix sockets are not webhook destinations")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
