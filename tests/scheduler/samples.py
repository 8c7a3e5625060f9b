"""A realistic context for every notification event, as ``notify()`` records it (R-NTF-1).

The keys are the ones the services pass at their ``notify()`` call sites (marketplace/services.py,
arbitration/services.py) plus what ``notify()`` adds itself; values are what they would be. The
links (order_url, dispute_url) are added when the email is rendered.
"""

from __future__ import annotations

COMMON = {
    "order_id": 41,
    "order_number": "418852930217",
    "item_title": "Power bank 20000 mAh <fast charge> & cable",
    "amount": "100.00",
    "currency": "USD",
    "protection_deadline": "2025-05-02T09:00:00+00:00",
}
DISPUTE = {"dispute_id": 7}

# event -> list of (role, context) variants; every branch a template has is covered once.
SAMPLES: dict[str, list[tuple[str, dict]]] = {
    "dispute_opened": [
        (role, {**DISPUTE, "reason": "not_received", "escalation_at": "2025-03-30T09:00:00+00:00"})
        for role in ("buyer", "seller")
    ],
    "dispute_amended": [("seller", {**DISPUTE, "amendment": 2})],
    "dispute_answered": [("buyer", {**DISPUTE})],
    "dispute_offer_made": [
        ("buyer", {**DISPUTE, "kind": "partial_refund", "offer_amount": "30.00"}),
        ("buyer", {**DISPUTE, "kind": "return_and_refund", "offer_amount": "100.00"}),
    ],
    "dispute_offer_answered": [
        ("seller", {**DISPUTE, "accepted": True}),
        ("seller", {**DISPUTE, "accepted": False}),
    ],
    "dispute_message": [
        ("buyer", {**DISPUTE, "from_role": "seller", "flagged": True}),
        ("seller", {**DISPUTE, "from_role": "buyer", "flagged": False}),
        ("buyer", {**DISPUTE, "from_role": "arbiter", "flagged": False}),
    ],
    "dispute_escalated": [
        (role, {**DISPUTE, "decision_due": "2025-04-04T09:00:01+00:00"}) for role in ("buyer", "seller")
    ],
    "dispute_decided": [
        (
            role,
            {
                **DISPUTE,
                "outcome": outcome,
                "refund_amount": amount,
                "released_amount": "" if outcome == "return_then_refund" else f"{100 - float(amount):.2f}",
                "rationale": "The tracking shows the parcel was returned to the sender on 12 March.",
            },
        )
        for outcome, amount in (
            ("full_refund", "100.00"),
            ("partial_refund", "40.00"),
            ("return_then_refund", "100.00"),
            ("rejected", "0.00"),
        )
        for role in ("buyer", "seller")
    ],
    "dispute_closed": [
        (
            role,
            {
                **DISPUTE,
                "outcome": outcome,
                "refund_amount": amount,
                "released_amount": f"{100 - float(amount):.2f}",
            },
        )
        for outcome, amount in (
            ("withdrawn", "0"),
            ("seller_accepted", "100.00"),
            ("offer_accepted", "30.00"),
            ("return_refunded", "100.00"),
            ("return_not_confirmed", "100.00"),
            ("return_not_shipped", "0"),
        )
        for role in ("buyer", "seller")
    ],
    "information_requested": [
        (
            role,
            {
                **DISPUTE,
                "question": "Please upload a photo of the label on the parcel you received.",
                "due_at": "2025-04-08T10:00:00+00:00",
            },
        )
        for role in ("buyer", "seller")
    ],
    "return_due_soon": [
        (
            "buyer",
            {
                **DISPUTE,
                "ship_by": "2025-04-10T09:00:00+00:00",
                "address": "Sam Seller, Returns desk\n12 Warehouse Road, Shenzhen",
            },
        ),
    ],
    "return_overdue": [(role, {**DISPUTE, "closed": True}) for role in ("buyer", "seller")],
    "return_shipped": [
        (
            "seller",
            {
                **DISPUTE,
                "tracking_number": "RR987654321RU",
                "carrier": "Russian Post",
                "confirm_by": "2025-04-20T09:00:00+00:00",
            },
        ),
    ],
    "refund_sent": [
        (
            "buyer",
            {
                "refund_amount": "100.00",
                "reference": "SIM-20250403-4F2A9C1B7E",
                "destination": "Visa •••• 4242",
            },
        ),
    ],
    "refund_completed": [
        (
            "buyer",
            {
                "refund_amount": "100.00",
                "reference": "SIM-20250403-4F2A9C1B7E",
                "destination": "Visa •••• 4242",
            },
        ),
    ],
    "refund_failed": [("buyer", {"refund_amount": "100.00", "reason": "Declined by the card issuer"})],
    "refund_overdue": [
        (role, {"refund_amount": "100.00", "due_at": "2025-06-01T09:00:00+00:00"})
        for role in ("buyer", "seller")
    ],
    "protection_ending": [
        ("buyer", {"deadline": "2025-05-02T09:00:00+00:00"}),
        (
            "buyer",
            {
                "deadline": "2025-05-02T09:00:00+00:00",
                "pending_days": 7,
                "pending_since": "2025-04-27T15:30:00+00:00",
                "extends_automatically": True,
            },
        ),
        (
            "buyer",
            {
                "deadline": "2025-05-02T09:00:00+00:00",
                "pending_days": 1,
                "pending_since": "2025-04-30T15:30:00+00:00",
                "extends_automatically": False,
            },
        ),
    ],
    "extension_requested": [
        ("seller", {"days": 7, "reason": "The parcel has been stuck in customs for two weeks."}),
        ("seller", {"days": 1, "reason": "Out for delivery tomorrow."}),
    ],
    "extension_answered": [
        ("buyer", {"granted": True, "days": 7, "deadline": "2025-05-09T09:00:00+00:00"}),
        ("buyer", {"granted": True, "automatic": True, "days": 12, "deadline": "2025-05-14T09:00:00+00:00"}),
        ("seller", {"granted": True, "automatic": True, "days": 12, "deadline": "2025-05-14T09:00:00+00:00"}),
        ("buyer", {"granted": False, "days": 7, "reason": "Tracking shows it was delivered on 28 April."}),
        ("buyer", {"granted": False, "days": 7, "reason": ""}),
    ],
    "extension_lapsed": [
        (role, {"days": days, "asked_at": "2025-04-28T10:00:00+00:00"})
        for role in ("buyer", "seller")
        for days in (1, 5)
    ],
    "order_auto_confirmed": [
        ("buyer", {"dispute_deadline": "2025-05-02T09:00:00+00:00", "released_amount": "100.00"}),
    ],
    "escrow_released": [
        ("seller", {"released_amount": "100.00", "automatic": automatic}) for automatic in (True, False)
    ],
    "complaint_filed": [("buyer", {**DISPUTE, "complaint_id": 3})],
    "complaint_decided": [
        (
            role,
            {
                **DISPUTE,
                "complaint_id": 3,
                "outcome": outcome,
                "rationale": "The payout failed twice; the seller confirmed the refund was agreed.",
            },
        )
        for outcome in ("reissue_refund", "refund_from_seller", "confirmed_paid", "rejected")
        for role in ("buyer", "seller")
    ],
    "safety_report_closed": [
        (
            "buyer",
            {"report_id": 5, "outcome": outcome, "reason": "Two more buyers reported swelling batteries."},
        )
        for outcome in ("listing_blocked", "seller_warned", "no_action")
    ],
}


def context_for(role: str, extra: dict) -> dict:
    return {**COMMON, **extra, "role": role}
