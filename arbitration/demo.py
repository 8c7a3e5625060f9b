"""Demo disputes in every state, registered into ``marketplace.demo.SCENARIOS``.

Each scenario runs the real services, in the past where it needs history. Several replay
the buyers' comments under the source article (SPEC, seed/): the seller who offers "30% off
if you close the dispute", the return received but never refunded, the refund that never
came, the swelling batteries reported after the dispute window.
"""

from __future__ import annotations

from django.conf import settings

from arbitration import services
from arbitration.models import Dispute
from marketplace import services as money
from marketplace.actors import scheduler_user
from marketplace.demo import days_ago, new_order, scenario, shipped
from marketplace.models import Refund


def _disputed(
    number,
    people,
    *,
    opened_days_ago: float,
    title,
    amount,
    reason,
    resolution,
    description,
    requested=None,
    buyer="buyer",
    seller="seller",
    currency="USD",
    card="Visa •••• 4242",
) -> Dispute:
    with days_ago(opened_days_ago + 14):
        order = shipped(
            new_order(
                number,
                people,
                buyer=buyer,
                seller=seller,
                title=title,
                amount=amount,
                currency=currency,
                card=card,
            ),
            people,
            seller=seller,
        )
    with days_ago(opened_days_ago):
        return services.dispute_open(
            order=order,
            actor=people[buyer],
            reason=reason,
            resolution=resolution,
            description=description,
            requested_amount=requested,
        )


@scenario("DEMO-2001")
def open_waiting_for_seller(number, people):
    _disputed(
        number,
        people,
        opened_days_ago=2,
        title="Smartwatch GT-3",
        amount="89.00",
        reason="not_received",
        resolution="full_refund",
        description="Tracking has said 'arrived at destination country' for three weeks and nothing came.",
    )


@scenario("DEMO-2002")
def open_with_offer_and_solicitation(number, people):
    # "продавец предлагает 30% скидки но чтобы я закрыла спор" — flagged (R-DSP-8, R-DSP-9).
    dispute = _disputed(
        number,
        people,
        opened_days_ago=3,
        title="Robot vacuum cleaner",
        amount="240.00",
        reason="damaged",
        resolution="return_and_refund",
        seller="seller2",
        description="The side brush motor does not turn and the case is cracked.",
    )
    with days_ago(2):
        services.dispute_post_message(
            dispute=dispute,
            actor=people["seller2"],
            body="Dear friend, please close the dispute and I give you 30% discount, or I refund you by "
            "PayPal directly. Platform takes too long.",
        )
    with days_ago(1):
        services.dispute_make_offer(
            dispute=dispute,
            actor=people["seller2"],
            kind="partial_refund",
            amount="40.00",
            note="We can offer 40 USD compensation, you keep the vacuum.",
        )


@scenario("DEMO-2003")
def open_rejected_by_seller(number, people):
    dispute = _disputed(
        number,
        people,
        opened_days_ago=4,
        buyer="buyer2",
        title="Кроссовки беговые, 42",
        amount="3990.00",
        currency="RUB",
        card="MIR •••• 1234",
        reason="not_as_described",
        resolution="partial_refund",
        requested="1500.00",
        description="Подошва не та, что на фото, и размер меньше заявленного.",
    )
    with days_ago(3):
        services.dispute_reject_claim(
            dispute=dispute,
            actor=people["seller"],
            explanation="The size chart is on the listing page; the sole is the 2024 "
            "model shown in the third photo.",
        )


@scenario("DEMO-2004")
def escalated_waiting_for_arbiter(number, people):
    dispute = _disputed(
        number,
        people,
        opened_days_ago=settings.ESCALATION_AFTER_DAYS + 1,
        title="Power bank 20000 mAh",
        amount="32.50",
        reason="counterfeit",
        resolution="full_refund",
        description="Capacity tests at 4,800 mAh, not 20,000. The brand logo is misspelt.",
    )
    with days_ago(1):
        services.dispute_escalate_overdue(dispute=dispute, actor=scheduler_user())


@scenario("DEMO-2005")
def escalated_overdue(number, people):
    late = settings.ARBITER_DECISION_DAYS + 2
    dispute = _disputed(
        number,
        people,
        opened_days_ago=settings.ESCALATION_AFTER_DAYS + late,
        buyer="buyer2",
        title="Drone with 4K camera",
        amount="310.00",
        reason="wrong_item",
        resolution="full_refund",
        description="Received a toy drone without a camera.",
    )
    with days_ago(late):
        services.dispute_escalate_overdue(dispute=dispute, actor=scheduler_user())
    services.dispute_flag_overdue(dispute=dispute)


@scenario("DEMO-2006")
def under_review_with_information_request(number, people):
    dispute = _disputed(
        number,
        people,
        opened_days_ago=9,
        title="Electric kettle",
        amount="27.00",
        reason="unsafe",
        resolution="full_refund",
        seller="seller2",
        description="The kettle sparks at the base when switched on.",
    )
    with days_ago(2):
        services.dispute_escalate_overdue(dispute=dispute, actor=scheduler_user())
    with days_ago(1):
        services.case_take(case=dispute, actor=people["arbiter"])
        services.dispute_request_information(
            dispute=dispute,
            actor=people["arbiter"],
            party="buyer",
            question="Please upload a video of the base sparking and a photo of the label with the model "
            "number.",
        )


@scenario("DEMO-2007")
def awaiting_return(number, people):
    dispute = _disputed(
        number,
        people,
        opened_days_ago=3,
        title="Wool coat, size M",
        amount="120.00",
        reason="not_as_described",
        resolution="return_and_refund",
        description="The colour is brown, not the grey I ordered.",
    )
    with days_ago(2):
        services.dispute_seller_accept(dispute=dispute, actor=people["seller"])


@scenario("DEMO-2008")
def return_in_transit(number, people):
    # "товар свой получил больше двух недель назад, деньги так и не вернули" — can't happen here:
    # the refund is automatic RETURN_CONFIRM_DAYS after the return is shipped (R-RET-2).
    dispute = _disputed(
        number,
        people,
        opened_days_ago=8,
        buyer="buyer2",
        title="Mechanical keyboard",
        amount="75.00",
        reason="damaged",
        resolution="return_and_refund",
        description="Several keys do not register.",
    )
    with days_ago(7):
        services.dispute_seller_accept(dispute=dispute, actor=people["seller"])
    with days_ago(5):
        services.return_ship(
            dispute=dispute, actor=people["buyer2"], carrier="Russian Post", tracking_number="RR123456789RU"
        )


@scenario("DEMO-2009")
def closed_seller_accepted_refund_sent(number, people):
    dispute = _disputed(
        number,
        people,
        opened_days_ago=5,
        title="Camping tent",
        amount="58.00",
        reason="missing_parts",
        resolution="partial_refund",
        requested="15.00",
        description="No tent poles in the box.",
    )
    with days_ago(4):
        services.dispute_seller_accept(dispute=dispute, actor=people["seller"])
        _send(dispute)


@scenario("DEMO-2010")
def decided_partial_refund_with_penalty(number, people):
    dispute = _disputed(
        number,
        people,
        opened_days_ago=12,
        title="Hair dryer",
        amount="45.00",
        reason="damaged",
        resolution="full_refund",
        seller="seller2",
        description="It smells of burning after two minutes.",
    )
    with days_ago(5):
        services.dispute_escalate_overdue(dispute=dispute, actor=scheduler_user())
    with days_ago(4):
        services.case_take(case=dispute, actor=people["arbiter"])
    with days_ago(3):
        services.dispute_decide(
            dispute=dispute,
            actor=people["arbiter"],
            outcome="partial_refund",
            refund_amount="30.00",
            rationale="The video shows overheating on the high setting; the low setting works, so a partial "
            "refund is fair.",
            penalty_amount="10.00",
            penalty_reason="Sold an electrical item without safety marks.",
        )
        _send(dispute)


@scenario("DEMO-2011")
def refund_overdue_with_complaint(number, people):
    # "Спор продавец закрыл, согласился вернуть деньги … деньги так и не вернули": an overdue
    # refund is flagged and becomes a complaint automatically (R-REF-4). The card ending 0002 is
    # declined by the simulated gateway, so this payout failed.
    dispute = _disputed(
        number,
        people,
        opened_days_ago=settings.REFUND_DEADLINE_DAYS + 4,
        buyer="buyer2",
        title="Bluetooth speaker",
        amount="36.00",
        reason="not_received",
        resolution="full_refund",
        card="Visa •••• 0002",
        description="Never arrived.",
    )
    with days_ago(settings.REFUND_DEADLINE_DAYS + 3):
        services.dispute_seller_accept(dispute=dispute, actor=people["seller"])
        _send(dispute)
    with days_ago(settings.REFUND_DEADLINE_DAYS + 2):
        dispute.refresh_from_db()
        refund = dispute.refund
        assert refund is not None, "accepting the claim refunds the buyer"
        money.refund_sync_with_gateway(refund=refund, actor=scheduler_user())
    services.refund_overdue_open_complaint(refund=Refund.objects.get(pk=refund.pk), actor=scheduler_user())


@scenario("DEMO-2012")
def withdrawn(number, people):
    dispute = _disputed(
        number,
        people,
        opened_days_ago=3,
        title="Phone charger",
        amount="9.90",
        reason="not_received",
        resolution="full_refund",
        description="Late parcel.",
    )
    with days_ago(1):
        services.dispute_withdraw(dispute=dispute, actor=people["buyer"], confirmed=True)


@scenario("DEMO-2013")
def safety_report_after_protection(number, people):
    # "взрывоопасный товар … уже прошло 15 дней": reports are accepted any time (R-SAF-1).
    with days_ago(50):
        order = shipped(new_order(number, people, title="18650 batteries, 4 pcs", amount="14.00"), people)
    with days_ago(40):
        money.order_confirm_receipt(order=order, actor=people["buyer"])
    money.order_release_if_due(order=order, actor=scheduler_user())
    services.safety_report_file(
        order=order,
        actor=people["buyer"],
        description="Two of the four batteries swelled and got hot while charging.",
    )


def _send(dispute: Dispute) -> None:
    """Send the dispute's refund now (the demo's worker isn't running while seeding)."""
    dispute.refresh_from_db()
    if dispute.refund and dispute.refund.state == Refund.State.PENDING:
        money.refund_send(refund=dispute.refund, actor=scheduler_user())
