"""The money pages: home, language, confirm receipt, protection extensions, the refund page.

The order list, order page and dispute pages are in ``arbitration.web.urls``. Every URL here is
in the access matrix (tests/web/test_access.py), which is generated from this list.
"""

from django.urls import path

from marketplace.web import account, orders

urlpatterns = [
    path("", account.home, name="home"),
    path("language/", account.language_set, name="language-set"),
    path("orders/<int:pk>/confirm-receipt/", orders.confirm_receipt, name="order-confirm-receipt"),
    path("orders/<int:pk>/extension/", orders.extension_request, name="extension-request"),
    path("orders/<int:pk>/extension/<int:request_pk>/grant/", orders.extension_grant, name="extension-grant"),
    path(
        "orders/<int:pk>/extension/<int:request_pk>/decline/",
        orders.extension_decline,
        name="extension-decline",
    ),
    path("orders/<int:pk>/refunds/<int:refund_pk>/", orders.refund_detail, name="refund-detail"),
]
