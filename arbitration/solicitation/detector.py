"""The detector posting a message calls (R-DSP-8): the active patterns in the database.

It lives apart from the rest of the package because it reads ``SolicitationPattern``, and that
model validates itself with ``arbitration.solicitation.regex``: the package imports no models,
so models can import it, and this module imports models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from arbitration.models import SolicitationClassifierSetting, SolicitationPattern
from arbitration.solicitation.matching import detect


def find_solicitation(
    text: str, *, patterns: Iterable[Mapping[str, Any]] | None = None, classifier: bool = True
) -> list[dict[str, Any]]:
    """The flags a seller message raises, one per matched pattern, sorted by pattern name;
    empty when the message is clean. Each flag is ``{"pattern", "intent", "matched"}``, ready to
    store in ``Message.solicitation_patterns``. A flag warns the buyer and goes to arbitration;
    it never stops the message.

    ``patterns`` defaults to the active ``SolicitationPattern`` rows, so a supervisor's edit
    applies to the next message; pass mappings with ``name``, ``pattern`` and ``intent`` (e.g.
    ``DEFAULT_PATTERNS``) to evaluate a set without a database.

    When no pattern flags the message, the committed classifier may (``matching.detect``): its
    flag is ``{"pattern": "classifier", "intent": "classifier", "score", "matched"}``; when a
    shipped pattern flags it, the classifier may overrule that flag. With the database's
    patterns, the supervisors' ``SolicitationClassifierSetting`` switches it off or changes its
    thresholds (the name veto's too); ``classifier=False`` asks the patterns alone.
    """
    threshold = veto = name_veto = None
    if patterns is None:
        patterns = SolicitationPattern.objects.filter(is_active=True).values("name", "pattern", "intent")
        if classifier:
            setting = SolicitationClassifierSetting.current()
            classifier = setting.is_active
            threshold = float(setting.threshold) if setting.threshold is not None else None
            veto = float(setting.veto_threshold) if setting.veto_threshold is not None else None
            if setting.name_veto_threshold is not None:
                name_veto = float(setting.name_veto_threshold)
    return detect(text, patterns, classifier=classifier, threshold=threshold, veto=veto, name_veto=name_veto)
