"""The arbiter back office's admin registrations (Django autodiscovers this module); the back
office itself is the ``arbitration.backoffice`` package."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arbitration.backoffice import (  # noqa: F401 (they register)
    complaints,
    disputes,
    evidence,
    patterns,
    people,
    records,
    safety,
)

admin.site.site_header = _("Buyer Protection · back office")
admin.site.site_title = _("Back office")
admin.site.index_title = _("Today")
# The queue needs the width more than a second menu: the dashboard and breadcrumbs navigate.
admin.site.enable_nav_sidebar = False
