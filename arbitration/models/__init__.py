"""Disputes and everything around them, one module per aggregate.

``case`` (what disputes and complaints share: who may act, the arbitration lifecycle),
``dispute``, ``claim`` (claim versions, offers), ``thread`` (messages, information requests),
``evidence``, ``notes`` (staff-only notes, reply templates), ``decision``, ``returns``,
``complaint``, ``safety``, ``solicitation``.
Every model is importable from ``arbitration.models``.
"""

from arbitration.models.case import (
    ArbitrationCase,
    is_arbiter,
    is_buyer,
    is_holding_arbiter,
    is_holding_arbiter_or_supervisor,
    is_scheduler,
    is_seller,
    is_supervisor,
)
from arbitration.models.claim import ClaimVersion, Offer, Reason, WantedResolution
from arbitration.models.complaint import Complaint
from arbitration.models.decision import Decision
from arbitration.models.dispute import CLOSED_HINT, Dispute
from arbitration.models.evidence import Evidence, evidence_upload_to
from arbitration.models.notes import CaseNote, ReplyTemplate
from arbitration.models.returns import ReturnShipment
from arbitration.models.safety import SafetyReport
from arbitration.models.solicitation import SolicitationClassifierSetting, SolicitationPattern
from arbitration.models.thread import InformationRequest, Message

__all__ = [
    "ArbitrationCase",
    "CaseNote",
    "ClaimVersion",
    "Complaint",
    "Decision",
    "CLOSED_HINT",
    "Dispute",
    "Evidence",
    "InformationRequest",
    "Message",
    "Offer",
    "Reason",
    "ReplyTemplate",
    "ReturnShipment",
    "SafetyReport",
    "SolicitationClassifierSetting",
    "SolicitationPattern",
    "WantedResolution",
    "evidence_upload_to",
    "is_arbiter",
    "is_buyer",
    "is_holding_arbiter",
    "is_holding_arbiter_or_supervisor",
    "is_scheduler",
    "is_seller",
    "is_supervisor",
]
