"""The request of a signed-in person, as the pages behind ``login_required`` receive it.

Django types ``request.user`` as ``User | AnonymousUser``; past ``login_required`` it is always
a ``User``. Annotating those views with ``AuthenticatedHttpRequest`` tells the type checker so
(django-stubs' documented way), without a check or a cast in every view.
"""

from __future__ import annotations

from django.http import HttpRequest

from marketplace.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
