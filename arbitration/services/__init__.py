"""Every action of every party on a dispute, complaint or safety report (SPEC §4, §5, §7–§9).

Each service locks the case row, checks under the lock that the action is one of the
transitions allowed for this user in this state (``base._allow``: the same check
``arbitration.presentation.available_actions`` offers buttons from, so a page never offers what
a service would refuse), changes it, moves the money through ``marketplace.services`` in the
same transaction (R-REF-1), and records notifications that are sent after commit (R-NTF-1).

One module per aggregate; every public service is importable from ``arbitration.services``, so
callers (admin, web, API, jobs) don't care where it lives.
"""

from arbitration.models import CLOSED_HINT
from arbitration.selectors import message_role
from arbitration.services.answers import (
    dispute_accept_offer,
    dispute_decline_offer,
    dispute_make_offer,
    dispute_reject_claim,
    dispute_seller_accept,
)
from arbitration.services.arbitration import (
    DecisionEffect,
    case_reassign,
    case_release,
    case_take,
    decision_effect,
    dispute_decide,
    dispute_flag_overdue,
    dispute_request_information,
    disputes_flag_overdue,
)
from arbitration.services.base import NOTE_MAX_CHARS, TEXT_MAX_CHARS, refund_within
from arbitration.services.complaints import (
    NO_REFUND_AGREED,
    complaint_decide,
    complaint_file,
    refund_overdue_open_complaint,
    refunds_overdue_open_complaints,
)
from arbitration.services.disputes import (
    WithdrawalWarning,
    dispute_amend,
    dispute_escalate,
    dispute_escalate_overdue,
    dispute_open,
    dispute_withdraw,
    disputes_escalate,
    disputes_escalate_overdue,
    withdrawal_warning,
)
from arbitration.services.messages import dispute_post_message
from arbitration.services.notes import case_note_add
from arbitration.services.returns import (
    disputes_close_unshipped_returns,
    disputes_refund_unconfirmed_returns,
    return_acknowledge,
    return_close_not_shipped,
    return_refund_unconfirmed,
    return_remind,
    return_ship,
)
from arbitration.services.safety import safety_report_close, safety_report_file

__all__ = [
    "case_note_add",
    "CLOSED_HINT",
    "NOTE_MAX_CHARS",
    "NO_REFUND_AGREED",
    "TEXT_MAX_CHARS",
    "DecisionEffect",
    "WithdrawalWarning",
    "case_reassign",
    "case_release",
    "case_take",
    "complaint_decide",
    "complaint_file",
    "decision_effect",
    "dispute_accept_offer",
    "dispute_amend",
    "dispute_decide",
    "dispute_decline_offer",
    "dispute_escalate",
    "dispute_escalate_overdue",
    "dispute_flag_overdue",
    "dispute_make_offer",
    "dispute_open",
    "dispute_post_message",
    "dispute_reject_claim",
    "dispute_request_information",
    "dispute_seller_accept",
    "dispute_withdraw",
    "disputes_flag_overdue",
    "disputes_escalate",
    "disputes_escalate_overdue",
    "message_role",
    "refund_overdue_open_complaint",
    "refunds_overdue_open_complaints",
    "refund_within",
    "disputes_close_unshipped_returns",
    "disputes_refund_unconfirmed_returns",
    "return_acknowledge",
    "return_close_not_shipped",
    "return_refund_unconfirmed",
    "return_remind",
    "return_ship",
    "safety_report_close",
    "safety_report_file",
    "withdrawal_warning",
]
