"""The arbiter back office, in the Django admin (SPEC §5, §8, §9, §13).

- ``cases``: what disputes and complaints share (``CaseAdmin``): the queue's arbiter and due
  columns, take/release actions, and the take / release / reassign / decide pages — one set
  for any ``ArbitrationCase`` (R-ARB-1, R-ARB-2).
- ``disputes``: the arbitration queue and the case page (R-ARB-1, R-ARB-3, R-ARB-4, R-ARB-6).
- ``complaints`` (R-CMP-1), ``safety`` (R-SAF-1): their queues and pages.
- ``people``: the user admin with each party's dispute record (R-ARB-3, R-ARB-5).
- ``records``: the case files and the transition log, read-only (R-SEC-2); ``evidence``: the
  evidence list and the permission-checked links to the files (R-EVD-3).
- ``patterns``: solicitation patterns, edited by supervisors (R-DSP-8).
- ``dashboard`` and ``charts``: the figures on the admin index.
- ``filters``, ``forms``, ``base``: the queues' filters and search, the forms, the shared frame.

``arbitration.admin`` imports the modules that register. States change only through
``arbitration.services``; a ``DomainError`` becomes a message and nothing changes. Nobody
deletes disputes, evidence, messages, decisions or any money row from here.
"""
