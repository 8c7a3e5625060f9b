"""Internal notes on a case (issue 14): staff write them, parties never see them (R-ARB-3)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from arbitration.models import CaseNote, Dispute, is_arbiter
from arbitration.services.base import _text
from marketplace.errors import DomainError
from marketplace.models import User

NOTE_MAX_LENGTH = 5000


def case_note_add(*, dispute: Dispute, actor: User, body: str) -> CaseNote:
    """An arbiter's note on the case, in any state (a closed case may still need one for a
    complaint). Staff-only: no notification, no webhook event, nothing in the parties' pages."""
    if not (actor.is_staff and is_arbiter(dispute, actor)):
        raise DomainError(_("Only arbiters write notes on a case."))
    body = _text(body, _("Write the note."))
    if len(body) > NOTE_MAX_LENGTH:
        raise DomainError(
            _("A note is at most %(limit)d characters; this one has %(length)d.")
            % {"limit": NOTE_MAX_LENGTH, "length": len(body)}
        )
    return CaseNote.objects.create(dispute=dispute, author=actor, body=body)
