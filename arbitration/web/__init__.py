"""The buyer's and seller's pages (SPEC §1): orders, disputes, returns, complaints, safety reports.

The order pages live here, not in ``marketplace``, because they show each order's dispute and
``arbitration`` uses ``marketplace``, never the reverse. The money-only actions (confirm
receipt, protection extensions, the refund page) are ``marketplace.web``.

Every dispute action is a page (``actions.DisputeActionView``) that is offered only when
``available_actions`` lists it (R-DSP-10); the dispute page renders the same forms inline.
Posting an action that is not allowed is refused with a message, and the service refuses it
again under its row lock (a ``DomainError`` shown beside the form), so two tabs or a
scheduler job racing a person never end in a 500. Anyone but the dispute's buyer and seller
gets a 404, never a 403: existence is not disclosed (R-SEC-1).

- ``orders``: the order list, the sales desk, the order page, opening a dispute, a safety report;
- ``disputes``: the dispute page and the inline forms it offers;
- ``actions``: how any dispute action is offered, checked, posted and refused;
- ``answers``, ``claims``, ``returns``: the actions, grouped as their services are;
- ``forms``, ``urls``.

The queries the pages share are ``arbitration.selectors``; what is shown and how it reads
(labels, whose turn, next step, timeline, money) is ``arbitration.presentation`` and
``marketplace.presentation``.
"""
