"""Row history written by the database, hash-chained, and checked (R-OPS-2).

- ``tracking.history()`` puts a model under django-pghistory: PostgreSQL triggers write an event
  row (the whole row, insert/update/delete) for every change, whether it comes from ``save()``,
  ``update()``, a bulk write or raw SQL, with the request's user or the job's name as context.
- Each event row stores ``pgh_hash`` = SHA-256 over its own content and the previous event of the
  same object (one chain per tracked row), computed by a database trigger at insert.
- ``verify.audit_verify()`` (the ``verify_audit`` job) recomputes every chain, compares each live
  row with its latest event, and reports the first broken link to staff.

On SQLite (the demo) the event tables exist but no trigger writes them: history is a
PostgreSQL feature, like the append-only ledger.
"""
