"""R-SEC-1: every buyer and seller URL × owner, counterparty, stranger, anonymous, staff.

The URL list is read from ``marketplace.web.urls`` and ``arbitration.web.urls`` themselves, so a new
page that is not added to ``MATRIX`` fails ``test_every_site_url_is_in_the_access_matrix``
instead of going unchecked. Strangers and staff without a permission get 404, never 403: a
page never confirms that someone else's order or dispute exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import URLPattern, reverse

from arbitration.models import ClaimVersion, Dispute
from arbitration.web import urls as arbitration_urls
from marketplace.models import Order, Refund
from marketplace.web import urls as marketplace_urls
from tests.web.conftest import (
    awaiting_return,
    closed_with_refund,
    fresh,
    open_dispute,
    pending_extension,
    rejected,
    return_in_transit,
    shipped,
    with_offer,
)

PERSONAS = ["owner", "counterparty", "stranger", "staff", "anonymous"]

# What each kind of page answers each persona.
EXPECTED = {
    # Your own list: everyone signed in sees theirs (maybe empty).
    "list": {"owner": 200, "counterparty": 200, "stranger": 200, "staff": 200, "anonymous": 302},
    # The home page sends everyone on (to their list, the admin, or sign-in).
    "redirect": {"owner": 302, "counterparty": 302, "stranger": 302, "staff": 302, "anonymous": 302},
    # A page of one order or dispute: both parties, nobody else.
    "page": {"owner": 200, "counterparty": 200, "stranger": 404, "staff": 404, "anonymous": 302},
    # An action of one party: the other party is refused with a message (and sent back).
    "action": {"owner": 200, "counterparty": 302, "stranger": 404, "staff": 404, "anonymous": 302},
}


@dataclass(frozen=True)
class Spec:
    kind: str
    owner: str = "buyer"  # who acts, for "action"; the counterparty is the other party
    build: Callable | None = None  # people -> URL kwargs


def _order(people):
    return {"pk": shipped(people).pk}


def _dispute(builder):
    return lambda people: {"pk": builder(people).pk}


def _extension(people):
    request = pending_extension(people)
    return {"pk": request.order_id, "request_pk": request.pk}


def _refund(people):
    dispute = closed_with_refund(people)
    return {"pk": dispute.order_id, "refund_pk": dispute.refund_id}


MATRIX: dict[str, Spec] = {
    # marketplace.web.urls
    "home": Spec("redirect"),
    "language-set": Spec("redirect"),
    "order-confirm-receipt": Spec("action", "buyer", _order),
    "extension-request": Spec("action", "buyer", _order),
    "extension-grant": Spec("action", "seller", _extension),
    "extension-decline": Spec("action", "seller", _extension),
    "refund-detail": Spec("page", "buyer", _refund),
    # arbitration.web.urls
    "order-list": Spec("list"),
    "sales": Spec("list"),
    "order-detail": Spec("page", "buyer", _order),
    "dispute-open": Spec("action", "buyer", _order),
    "safety-report-create": Spec("action", "buyer", _order),
    "dispute-detail": Spec("page", "buyer", _dispute(open_dispute)),
    "dispute-amend": Spec("action", "buyer", _dispute(open_dispute)),
    # Both parties write in the thread (R-DSP-7): a page for both.
    "dispute-message": Spec("page", "buyer", _dispute(open_dispute)),
    "dispute-accept-claim": Spec("action", "seller", _dispute(open_dispute)),
    "dispute-offer": Spec("action", "seller", _dispute(open_dispute)),
    "dispute-reject": Spec("action", "seller", _dispute(open_dispute)),
    "dispute-offer-accept": Spec("action", "buyer", _dispute(with_offer)),
    "dispute-offer-decline": Spec("action", "buyer", _dispute(with_offer)),
    "dispute-escalate": Spec("action", "buyer", _dispute(rejected)),
    "dispute-withdraw": Spec("action", "buyer", _dispute(open_dispute)),
    "dispute-return-ship": Spec("action", "buyer", _dispute(awaiting_return)),
    "dispute-return-acknowledge": Spec("action", "seller", _dispute(return_in_transit)),
    "dispute-complaint": Spec("action", "buyer", _dispute(closed_with_refund)),
}


def site_url_names() -> list[str]:
    names = []
    for module in (marketplace_urls, arbitration_urls):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern), f"{pattern} is an include: list its URLs in MATRIX too"
            names.append(pattern.name)
    return names


def test_every_site_url_is_in_the_access_matrix():
    """R-SEC-1: a page added to the URL conf without an access expectation fails here."""
    missing = [name for name in site_url_names() if name not in MATRIX]
    assert not missing, f"add these URLs to tests/web/test_access.py MATRIX: {missing}"
    stale = [name for name in MATRIX if name not in site_url_names()]
    assert not stale, f"MATRIX names URLs that no longer exist: {stale}"


def _client_for(persona: str, spec: Spec, people, client):
    if persona == "anonymous":
        return client
    owner = people.buyer if spec.owner == "buyer" else people.seller
    other = people.seller if spec.owner == "buyer" else people.buyer
    user = {"owner": owner, "counterparty": other, "stranger": people.stranger, "staff": people.staff}[
        persona
    ]
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", site_url_names())
def test_site_url_answers_each_persona_exactly_as_expected(name, persona, people, client):
    """R-SEC-1: buyers and sellers see only their own orders, disputes and refunds; anything
    else is a 404 (never 403); anonymous visitors are sent to sign in."""
    spec = MATRIX[name]
    kwargs = spec.build(people) if spec.build else {}
    url = reverse(name, kwargs=kwargs)
    response = _client_for(persona, spec, people, client).get(url)
    assert response.status_code == EXPECTED[spec.kind][persona], (name, persona, response.status_code)
    if persona == "anonymous" and spec.kind != "redirect":
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    if spec.kind == "action" and persona == "counterparty":
        # Refused with a message that says why, back on the order or dispute page.
        followed = client.get(response["Location"])
        assert followed.status_code == 200
        assert [m for m in followed.context["messages"] if m.level_tag == "error"], name


ACTIONS = [name for name, spec in MATRIX.items() if spec.kind == "action" or name == "dispute-message"]
# Everyone who must not act: both parties write in the thread, so there the counterparty may.
REFUSED = [
    (name, persona)
    for name in ACTIONS
    for persona in ("stranger", "staff", "anonymous", "counterparty")
    if not (name == "dispute-message" and persona == "counterparty")
]


@pytest.mark.parametrize(("name", "persona"), REFUSED)
def test_posting_an_action_on_someone_elses_case_changes_nothing(name, persona, people, client):
    """R-SEC-1: a POST from anyone but the acting party is refused and leaves the case as it was."""
    spec = MATRIX[name]
    kwargs = spec.build(people)
    before = _snapshot()
    response = _client_for(persona, spec, people, client).post(
        reverse(name, kwargs=kwargs),
        {
            "confirmed": "on",
            "days": "5",
            "reason": "x",
            "description": "x",
            "body": "x",
            "kind": "partial_refund",
            "amount": "1.00",
            "explanation": "x",
            "carrier": "x",
            "tracking_number": "x",
            "acknowledgement": "received_ok",
            "resolution": "full_refund",
        },
    )
    expected = {"stranger": 404, "staff": 404, "anonymous": 302, "counterparty": 302}[persona]
    assert response.status_code == expected
    assert _snapshot() == before


def _snapshot():
    return (
        list(Order.objects.order_by("pk").values_list("pk", "state", "protection_deadline")),
        list(Dispute.objects.order_by("pk").values_list("pk", "state", "solicitation_flags")),
        ClaimVersion.objects.count(),  # amendments are claim versions
        Refund.objects.count(),
        list(Dispute.objects.values_list("messages__pk", flat=True).order_by("messages__pk")),
    )


def test_a_stranger_cannot_tell_an_existing_order_from_a_missing_one(people, client):
    """R-SEC-1: no existence disclosure — the same 404 for someone else's order and for no order."""
    order = shipped(people)
    dispute = open_dispute(people, fresh(shipped(people)))
    client.force_login(people.stranger)
    for name, pk in [("order-detail", order.pk), ("dispute-detail", dispute.pk)]:
        theirs = client.get(reverse(name, args=[pk]))
        missing = client.get(reverse(name, args=[pk + 10_000]))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.content == missing.content


def test_an_arbiter_does_not_use_the_parties_pages(people, client):
    """Arbiters work in the admin (SPEC §1); the buyer's and seller's pages stay the parties' own."""
    dispute = open_dispute(people)
    client.force_login(people.arbiter)
    assert client.get(reverse("dispute-detail", args=[dispute.pk])).status_code == 404
    assert client.get(reverse("order-detail", args=[dispute.order_id])).status_code == 404
