"""The money core in the admin: people, orders, escrow, the ledger, refunds and payouts (R-REF-3).

Everything here is read-only: money rows change only through ``marketplace.services``. Finance
operators (``marketplace.manage_payouts``) get forms that call the payout services.

- ``base``: the pieces every admin list of both apps shares (fast lists without a full COUNT,
  no deleting, read-only rows).
- ``users``, ``orders``, ``refunds``, ``records`` (escrow, ledger, payouts, reconciliation,
  notifications): the registrations, imported by ``marketplace.admin``.
- ``forms``: what finance operators and the user admin fill in.

This package never imports ``arbitration`` (the apps depend one way); ``arbitration.backoffice``
builds on ``base`` and extends the user admin with the parties' dispute records.
"""
