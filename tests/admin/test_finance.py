"""Finance in the admin (R-REF-2, R-REF-3, R-REF-4): the refunds worklist with due dates and
the overdue filter, and the payout forms that call the payout services."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from marketplace import services as money
from marketplace.models import Refund
from tests.admin.conftest import ago
from tests.support import fresh

pytestmark = pytest.mark.django_db

REFUNDS = reverse("admin:marketplace_refund_changelist")


def payout_url(refund, operation: str) -> str:
    return reverse("admin:marketplace_refund_payout", args=[refund.pk, operation])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def refund(cases) -> Refund:
    return cases.refund_of(cases.decided(refund_amount="40.00"))


@pytest.fixture
def finance(client_for, people):
    return client_for(people.finance)


def sent(refund, people, reference="BANK-1") -> Refund:
    return money.refund_mark_sent(refund=refund, actor=people.finance, reference=reference)


def test_the_worklist_shows_unpaid_refunds_earliest_due_first_with_due_dates_R_REF_3(cases, people, finance):
    later = cases.refund_of(cases.decided())
    with ago(timedelta(days=10)):
        earlier = cases.refund_of(cases.decided())
    paid = cases.refund_of(cases.decided())
    money.refund_mark_completed(refund=sent(paid, people, "P-1"), actor=people.finance)

    response = finance.get(REFUNDS)

    assert [r.pk for r in response.context["cl"].result_list] == [earlier.pk, later.pk]
    html = response.content.decode()
    assert earlier.due_at.strftime("%Y-%m-%d") in html
    assert "in 50 days" in html  # due REFUND_DEADLINE_DAYS after creation
    all_rows = finance.get(REFUNDS, {"state": "all"}).context["cl"].result_list
    assert paid.pk in [r.pk for r in all_rows]


def test_the_overdue_filter_shows_refunds_past_their_due_date_R_REF_4(cases, settings, finance):
    with ago(timedelta(days=settings.REFUND_DEADLINE_DAYS + 2)):
        late = cases.refund_of(cases.decided())
    cases.refund_of(cases.decided())

    response = finance.get(REFUNDS, {"due": "overdue"})

    assert [r.pk for r in response.context["cl"].result_list] == [late.pk]
    assert "2 days overdue" in response.content.decode()


def test_mark_sent_asks_for_the_payout_reference_and_calls_the_service(refund, people, finance):
    url = payout_url(refund, "mark-sent")
    assert finance.get(url).status_code == 200

    empty = finance.post(url, {"reference": "  "})
    assert "reference" in empty.context["form"].errors
    assert fresh(refund).state == Refund.State.PENDING

    with mock.patch(
        "marketplace.backoffice.refunds.services.refund_mark_sent", wraps=money.refund_mark_sent
    ) as mark:
        response = finance.post(url, {"reference": "SEPA-2026-001"}, follow=True)

    mark.assert_called_once()
    refund = fresh(refund)
    assert (refund.state, refund.payout_reference, refund.via_gateway) == ("sent", "SEPA-2026-001", False)
    assert f"Refund #{refund.pk}: Mark sent done." in texts(response)


def test_mark_paid_then_the_refund_is_completed(refund, people, finance):
    sent(refund, people)

    with mock.patch(
        "marketplace.backoffice.refunds.services.refund_mark_completed", wraps=money.refund_mark_completed
    ) as mark:
        finance.post(payout_url(refund, "mark-completed"), {"reference": ""})

    mark.assert_called_once()
    refund = fresh(refund)
    assert refund.state == Refund.State.COMPLETED and refund.payout_reference == "BANK-1"


def test_mark_failed_needs_a_reason_then_calls_the_service(refund, people, finance):
    sent(refund, people)
    url = payout_url(refund, "mark-failed")

    assert "reason" in finance.post(url, {"reason": ""}).context["form"].errors
    assert fresh(refund).state == Refund.State.SENT

    with mock.patch(
        "marketplace.backoffice.refunds.services.refund_mark_failed", wraps=money.refund_mark_failed
    ) as mark:
        finance.post(url, {"reason": "Card closed; the bank returned it."})

    mark.assert_called_once()
    refund = fresh(refund)
    assert (
        refund.state == Refund.State.FAILED and refund.failure_reason == "Card closed; the bank returned it."
    )


def test_retry_puts_a_failed_payout_back_to_pending(refund, people, finance):
    money.refund_mark_failed(refund=sent(refund, people), actor=people.finance, reason="Bounced")

    with mock.patch(
        "marketplace.backoffice.refunds.services.refund_retry", wraps=money.refund_retry
    ) as retry:
        finance.post(payout_url(refund, "retry"))

    retry.assert_called_once()
    refund = fresh(refund)
    assert refund.state == Refund.State.PENDING and refund.attempts == 1


def test_R_REF_3_finance_retries_a_failed_payout_to_a_new_destination(refund, people, finance):
    money.refund_mark_failed(refund=sent(refund, people), actor=people.finance, reason="Card closed")
    old = fresh(refund).destination

    form = finance.get(payout_url(refund, "retry"))
    assert form.status_code == 200
    assert form.context["form"]["destination"].value() == old  # where it went: change it or keep it
    assert "Card closed" in form.content.decode()
    with mock.patch(
        "marketplace.backoffice.refunds.services.refund_retry", wraps=money.refund_retry
    ) as retry:
        response = finance.post(
            payout_url(refund, "retry"), {"destination": " IBAN DE89 3704 0044 0532 0130 00 "}
        )

    assert response.status_code == 302
    assert retry.call_args.kwargs["destination"] == "IBAN DE89 3704 0044 0532 0130 00"
    refund = fresh(refund)
    assert refund.state == Refund.State.PENDING and refund.attempts == 1
    assert refund.destination == "IBAN DE89 3704 0044 0532 0130 00"
    history = finance.get(reverse("admin:marketplace_refund_change", args=[refund.pk])).content.decode()
    assert old in history  # the timeline keeps where the failed attempt went


def test_a_retry_left_empty_goes_to_the_same_destination(refund, people, finance):
    money.refund_mark_failed(refund=sent(refund, people), actor=people.finance, reason="Bounced")
    old = fresh(refund).destination

    finance.post(payout_url(refund, "retry"), {"destination": ""})

    assert fresh(refund).destination == old and fresh(refund).state == Refund.State.PENDING


def test_a_payout_the_service_refuses_shows_its_message_and_changes_nothing(refund, finance):
    response = finance.post(payout_url(refund, "mark-completed"), {"reference": "X"})

    assert response.status_code == 200
    assert "Only a sent refund can be marked paid." in response.content.decode()
    assert fresh(refund).state == Refund.State.PENDING


def test_retry_of_a_refund_that_has_not_failed_is_refused_beside_the_form(refund, finance):
    response = finance.post(payout_url(refund, "retry"), {"destination": "Mastercard •••• 5555"})

    assert "Only a failed refund can be retried." in response.content.decode()
    assert fresh(refund).attempts == 0


def test_the_refund_page_offers_the_operations_its_state_allows(refund, people, finance):
    page = finance.get(reverse("admin:marketplace_refund_change", args=[refund.pk]))
    assert [op for op, _label in page.context["payout_operations"]] == ["mark-sent"]

    sent(refund, people)
    page = finance.get(reverse("admin:marketplace_refund_change", args=[refund.pk]))
    assert [op for op, _label in page.context["payout_operations"]] == ["mark-completed", "mark-failed"]
    assert "Payout sent" in page.content.decode() or "mark_sent" in page.content.decode()  # the timeline


def test_an_arbiter_can_see_refunds_but_not_mark_payouts_R_SEC_2(refund, people, arbiter_client):
    page = arbiter_client.get(reverse("admin:marketplace_refund_change", args=[refund.pk]))
    assert page.status_code == 200 and page.context["payout_operations"] == []

    assert arbiter_client.get(payout_url(refund, "mark-sent")).status_code == 403
    assert arbiter_client.post(payout_url(refund, "mark-sent"), {"reference": "X"}).status_code == 403
    assert arbiter_client.get(REFUNDS).context["action_form"] is None  # no payout action, no delete
    assert fresh(refund).state == Refund.State.PENDING


def test_an_unknown_payout_operation_is_refused(refund, finance):
    assert finance.get(payout_url(refund, "delete")).status_code == 403


# --- Many at once ----------------------------------------------------------------------------


def bulk(client, action: str, refunds, **data):
    return client.post(
        REFUNDS, {"action": action, "_selected_action": [r.pk for r in refunds], **data}, follow=True
    )


def test_bulk_mark_sent_takes_one_reference_per_refund(cases, finance):
    one, two = cases.refund_of(cases.decided()), cases.refund_of(cases.decided())

    form_page = bulk(finance, "mark_sent_action", [one, two])
    assert len(form_page.context["rows"]) == 2
    repeated = bulk(
        finance,
        "mark_sent_action",
        [one, two],
        apply="1",
        **{f"reference_{one.pk}": "R-1", f"reference_{two.pk}": "R-1"},
    )
    assert repeated.context["form"].errors
    assert fresh(one).state == Refund.State.PENDING

    response = bulk(
        finance,
        "mark_sent_action",
        [one, two],
        apply="1",
        **{f"reference_{one.pk}": "R-1", f"reference_{two.pk}": "R-2"},
    )

    assert "2 refunds updated." in texts(response)
    assert (fresh(one).payout_reference, fresh(two).payout_reference) == ("R-1", "R-2")


def test_bulk_mark_paid_reports_each_refusal(cases, people, finance):
    sent_one = sent(cases.refund_of(cases.decided()), people, "S-1")
    pending = cases.refund_of(cases.decided())

    response = bulk(finance, "mark_completed_action", [sent_one, pending], apply="1")

    messages = texts(response)
    assert "1 refund updated." in messages
    assert f"#{pending.pk}: Only a sent refund can be marked paid." in messages
    assert fresh(sent_one).state == Refund.State.COMPLETED and fresh(pending).state == Refund.State.PENDING


def test_bulk_mark_failed_needs_the_reason(cases, people, finance):
    one = sent(cases.refund_of(cases.decided()), people, "S-2")

    assert bulk(finance, "mark_failed_action", [one], apply="1", reason="").context["form"].errors
    bulk(finance, "mark_failed_action", [one], apply="1", reason="Account frozen")

    assert fresh(one).state == Refund.State.FAILED


def test_bulk_retry(cases, people, finance):
    one = sent(cases.refund_of(cases.decided()), people, "S-3")
    money.refund_mark_failed(refund=one, actor=people.finance, reason="x")

    bulk(finance, "retry_action", [one])

    assert fresh(one).state == Refund.State.PENDING


def test_the_refunds_list_offers_no_delete(refund, finance, client_for, admin_user):
    for client in (finance, client_for(admin_user)):
        names = [n for n, _l in client.get(REFUNDS).context["action_form"].fields["action"].choices]
        assert "delete_selected" not in names
