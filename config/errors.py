"""The page a person sees when nothing else can work (R-OPS-5).

Django's own 500 page is a bare "Server Error (500)" in English. This one says, in the reader's
language (the locale middleware has chosen it by then), that nothing was lost and to try again.
When the cause is a service that does not answer (the database, Redis, the broker) the answer is
503 with ``Retry-After``, so proxies and clients know it is temporary.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisUnavailable
from redis.exceptions import TimeoutError as RedisTimeout

UNAVAILABLE = (OperationalError, InterfaceError, RedisUnavailable, RedisTimeout, BrokerUnavailable)
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    exception = sys.exc_info()[1]  # called from inside Django's exception handling
    unavailable = isinstance(exception, UNAVAILABLE)
    html = loader.get_template(template_name).render({"unavailable": unavailable})
    response = HttpResponseServerError(html)
    if unavailable:
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
