"""Messages in the dispute's thread (R-DSP-7), solicitation flags (R-DSP-8) and answers to an
arbiter's questions (R-ARB-6)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from arbitration.events import dispute_payload, message_payload
from arbitration.evidence import evidence_add
from arbitration.models import (
    CLOSED_HINT,
    Dispute,
    Message,
)
from arbitration.selectors import message_role
from arbitration.services.base import _bounded, _lock_dispute
from arbitration.solicitation.detector import find_solicitation
from marketplace.actors import Party
from marketplace.errors import DomainError
from marketplace.events import emit
from marketplace.models import User
from marketplace.notifications import notify

# Who is told of a new message: the other party, or both when an arbiter writes.
EVERYONE: list[Party] = ["buyer", "seller"]
OTHER_PARTIES: dict[str, list[Party]] = {Message.Role.BUYER: ["seller"], Message.Role.SELLER: ["buyer"]}


def _post(
    dispute: Dispute, *, actor: User, role: str, body: str, files: Iterable[UploadedFile[bytes]] = ()
) -> Message:
    patterns = find_solicitation(body) if role == Message.Role.SELLER else []
    message = Message.objects.create(
        dispute=dispute,
        author=actor,
        role=role,
        body=body,
        solicitation_patterns=patterns,
        is_flagged=bool(patterns),
    )
    if patterns:
        # An UPDATE, not save(): the caller may have moved the state in memory already (a return
        # problem escalates), and the FSM's concurrency check would refuse a partial save then.
        Dispute.objects.filter(pk=dispute.pk).update(solicitation_flags=F("solicitation_flags") + 1)
        dispute.solicitation_flags += 1  # the row is locked: memory and row agree
    evidence_add(uploaded_by=actor, files=files, dispute=dispute, message=message)
    if role in (Message.Role.BUYER, Message.Role.SELLER):
        request = (
            dispute.information_requests.select_for_update()
            .filter(party=role, answered_at__isnull=True)
            .order_by("created_at")
            .first()
        )
        if request is not None:
            request.answered_at, request.answer = message.created_at, message
            request.save(update_fields=["answered_at", "answer"])
    return message


def dispute_post_message(
    *, dispute: Dispute, actor: User, body: str = "", files: Iterable[UploadedFile[bytes]] = ()
) -> Message:
    """A message and/or evidence in the thread. Not an amendment: free, any number (R-DSP-3)."""
    files = list(files)
    body = _bounded(body)  # the same bound for a party's message and an arbiter's
    if not body and not files:
        raise DomainError(_("Write a message or attach a file."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        role = message_role(dispute, actor)
        if role is None:
            if dispute.is_closed:
                raise DomainError(CLOSED_HINT)
            raise DomainError(_("You can't write in this dispute."))
        message = _post(dispute, actor=actor, role=role, body=body or _("Evidence added"), files=files)
        others = OTHER_PARTIES.get(role, EVERYONE)
        notify(
            "dispute_message",
            order=dispute.order,
            to=others,
            context={"dispute_id": dispute.pk, "from_role": role, "flagged": message.is_flagged},
        )
        emit(
            "dispute.message_posted",
            order=dispute.order,
            data=dispute_payload(dispute, message=message_payload(message)),
        )
    return message
