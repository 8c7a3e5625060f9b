"""The buyer's and seller's money pages: sign-in, language, receipt, protection extensions, refunds.

The order list, the order page and the dispute pages show disputes too, so they are
``arbitration.web`` (this app never imports ``arbitration``). Every page answers 404 to anyone
but the order's buyer and seller, never 403: existence is not disclosed (R-SEC-1).

``account`` (home, sign-in, language), ``orders`` (receipt, extensions, the refund page),
``access`` (which order a reader may open and act on, shared with ``arbitration.web``),
``forms``, ``urls``.
"""
