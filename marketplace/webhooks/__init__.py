"""Outbound webhooks (R-API-5): endpoints, deliveries, signing and sending.

- ``deliveries``: the deliveries of an event (written with it), and sending them: claim, POST,
  record, with exponential backoff and jitter for about three days.
- ``sending``: the HTTP side: the Standard Webhooks body and signature headers, short timeouts,
  and no connection to a private or loopback address unless a setting allows it (SSRF).
- ``services``: endpoints created, changed, enabled or disabled, secrets rotated, events replayed.
- ``admin``: the endpoints with their delivery log, for supervisors.

Events themselves are emitted by the services through ``marketplace.events``.
"""
