"""People's free text made safe to show (without the invisible controls that reorder it), and
ids typed or sent as text read safely (``is_plain_number``).

Bidirectional-text spoofing: U+202E (RIGHT-TO-LEFT OVERRIDE) in a message makes
"Refund sent: 0001$ ‮04 deducted" read differently from what was written, and "gpj.exe" show
as "exe.jpg". The explicit embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
and the direction marks (U+200E, U+200F, U+061C) are removed when text is stored (the
arbitration services' ``_bounded``, ``User.save``; file names in ``evidence.names.safe_name``)
so every channel gets clean text: pages, emails, the admin, webhooks, exports. Pages also
isolate each piece of user text (``{{ text|isolated }}``: ``<bdi>``), so right-to-left text
without any control still cannot pull the words around it into its direction.

Removing rather than marking: these characters are invisible, and ordinary Arabic or Hebrew
text reads correctly without them (the Unicode bidirectional algorithm orders it; ``<bdi>``
keeps it apart from its neighbours). Imports nothing of the project: any layer may use it.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def without_bidi_controls(text: str) -> str:
    """``text`` without the characters that change the direction of what follows them."""
    return BIDI_CONTROLS.sub("", text)


def is_plain_number(text: str, *, max_digits: int = 18) -> bool:
    """``text`` is an id in ASCII digits that fits a 64-bit key. ``str.isdigit`` alone also says
    yes to "¹" or "٣" (which ``int`` refuses: a 500) and to 30 digits (which the database
    refuses: a 500 again); every id read from a URL, a form or a cursor goes through this."""
    return text.isascii() and text.isdigit() and len(text) <= max_digits
