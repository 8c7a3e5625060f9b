"""R-OPS-5: with Redis (the cache and the Celery broker) down, pages that need only the database
keep working, nothing is lost, and the work queued meanwhile is done by the backstop sweeps.

The end-to-end proof runs gunicorn with production settings against a private redis-server
(``--save ''``, its own port), signs in, stops Redis, loads the signed-in pages, posts a form
whose after-commit tasks cannot be queued, signs a second person in, restarts Redis, and lets the
sweeps finish the work. The faster proofs below cover the sign-in limits without Redis and the
"try again" page.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import timezone

from arbitration import services
from arbitration.models import Dispute
from marketplace import services as money
from marketplace.models import Notification, Refund, User
from marketplace.scheduling import run_job
from tests.servers import REDIS_PORT, Browser, gunicorn, redis_server

PASSWORD = "a long staff password 1"
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def _case() -> tuple[User, User, Dispute]:
    buyer = User.objects.create_user("boris", password=PASSWORD, email="boris@example.com")
    seller = User.objects.create_user("sam", password=PASSWORD, email="sam@example.com")
    order = money.order_pay(
        buyer=buyer,
        seller=seller,
        item_title="Power bank",
        amount=Decimal("100.00"),
        currency="USD",
        payment_method="Visa •••• 4242",
    )
    order = money.order_ship(order=order, actor=seller, carrier="China Post", tracking_number="RR123456789CN")
    dispute = services.dispute_open(
        order=order,
        actor=buyer,
        reason="not_as_described",
        resolution="full_refund",
        requested_amount=None,
        description="The capacity is 4,800 mAh, not 20,000.",
        files=(),
    )
    return buyer, seller, dispute


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_R_OPS_5_with_redis_down_signed_in_pages_work_and_the_sweeps_finish_the_work(tmp_path):
    for alias in caches:
        caches[alias].clear()
    buyer, seller, dispute = _case()
    order = dispute.order
    redis_url = f"redis://127.0.0.1:{REDIS_PORT}"
    pages = [
        "/orders/",
        "/sales/",
        f"/orders/{order.pk}/",
        f"/disputes/{dispute.pk}/",
    ]
    with (
        redis_server(tmp_path) as redis,
        gunicorn(tmp_path, REDIS_URL=f"{redis_url}/0", CELERY_BROKER_URL=f"{redis_url}/1") as base,
    ):
        seller_browser = Browser(base)
        assert seller_browser.sign_in("sam", PASSWORD).status == 302
        assert seller_browser.get(f"/disputes/{dispute.pk}/").status == 200

        redis.kill()
        redis.wait(10)

        # Signed-in pages: the session is in PostgreSQL, the cache answers "miss".
        for page in pages:
            answer = seller_browser.get(page)
            assert answer.status == 200, (page, answer.status, answer.text[:300])
        # A form whose after-commit tasks (the refund's payout, the emails) can't be queued: the
        # change commits, the person sees the usual result.
        started = time.monotonic()
        answer = seller_browser.post_form(f"/disputes/{dispute.pk}/accept/", {})
        seconds = time.monotonic() - started
        assert answer.status == 302, answer.text[:500]
        print(f"the accept form (page + post) with the broker down took {seconds:.2f} s")
        assert seconds < 10  # a failed publish is given up quickly, not retried for ever
        dispute.refresh_from_db()
        assert dispute.state != "open"
        refund = Refund.objects.get(order=order)
        assert refund.state == Refund.State.PENDING  # its payout task was never queued
        unsent = Notification.objects.filter(sent_at__isnull=True).count()
        assert unsent >= 1
        # Signing in works too: the limits count per process meanwhile.
        buyer_browser = Browser(base)
        assert buyer_browser.sign_in("boris", PASSWORD).status == 302
        assert buyer_browser.get(f"/orders/{order.pk}/").status == 200
        wrong = Browser(base).sign_in("nobody", "guess")
        assert wrong.status == 200 and "Please enter a correct username" in wrong.text

        with redis_server(tmp_path):  # Redis is back
            for page in pages:
                assert seller_browser.get(page).status == 200

    # The backstop sweeps find the work left undone and finish it (the same jobs beat runs).
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        assert run_job("dispatch_refunds").moved == 1
        run_job("send_notifications")
    refund.refresh_from_db()
    assert refund.state != Refund.State.PENDING
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_R_OPS_5_sign_in_limits_fail_safe_without_redis_counting_per_process_with_a_warning(caplog):
    User.objects.create_user("boris", password=PASSWORD)
    dead = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": DEAD_REDIS}
    caches_down = {
        "default": {**dead, "OPTIONS": {"IGNORE_EXCEPTIONS": True}},
        "limits": dead,
    }
    with override_settings(CACHES=caches_down), caplog.at_level(logging.WARNING, "marketplace.login_limits"):
        client = Client()
        login = reverse("login")
        assert client.post(login, {"username": "boris", "password": PASSWORD}).status_code == 302
        client.post(reverse("logout"))
        for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_USERNAME):
            client.post(login, {"username": "boris", "password": "guess"})
        html = client.post(login, {"username": "boris", "password": PASSWORD}).content.decode()
    assert "Too many failed sign-in attempts" in html  # still limited, in this process
    assert any("sign-in limits are counted per process" in r.getMessage() for r in caplog.records)


def _database_down(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def _bug(request):
    raise ValueError("a bug")


handler500 = "config.errors.server_error"
urlpatterns = [
    path("down/", _database_down),
    path("bug/", _bug),
]


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Please try again in a minute"), ("ru", "Пожалуйста, попробуйте ещё раз через минуту")],
)
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_R_OPS_5_where_nothing_else_can_work_the_person_sees_a_try_again_page_in_their_language(
    language, title
):
    client = Client(raise_request_exception=False, headers={"accept-language": language})
    down = client.get("/down/")
    assert down.status_code == 503 and down["Retry-After"] == "30"
    assert title in down.content.decode() and f'lang="{language}"' in down.content.decode()
    bug = client.get("/bug/")
    assert bug.status_code == 500 and title in bug.content.decode()
