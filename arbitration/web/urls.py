"""The buyer's and seller's order and dispute pages. Every URL here is in the access matrix
(tests/web/test_access.py), which is generated from this list, so a new URL can't be missed."""

from django.urls import path

from arbitration.web import answers, claims, disputes, orders, returns

urlpatterns = [
    path("orders/", orders.order_list, name="order-list"),
    path("sales/", orders.sales, name="sales"),
    path("orders/<int:pk>/", orders.order_detail, name="order-detail"),
    path("orders/<int:pk>/dispute/", orders.dispute_open, name="dispute-open"),
    path("orders/<int:pk>/report-unsafe/", orders.safety_report_create, name="safety-report-create"),
    path("disputes/<int:pk>/", disputes.dispute_detail, name="dispute-detail"),
    path("disputes/<int:pk>/amend/", claims.AmendView.as_view(), name="dispute-amend"),
    path("disputes/<int:pk>/message/", claims.MessageView.as_view(), name="dispute-message"),
    path("disputes/<int:pk>/accept/", answers.AcceptClaimView.as_view(), name="dispute-accept-claim"),
    path("disputes/<int:pk>/offer/", answers.OfferView.as_view(), name="dispute-offer"),
    path("disputes/<int:pk>/reject/", answers.RejectView.as_view(), name="dispute-reject"),
    path("disputes/<int:pk>/offer/accept/", answers.AcceptOfferView.as_view(), name="dispute-offer-accept"),
    path(
        "disputes/<int:pk>/offer/decline/", answers.DeclineOfferView.as_view(), name="dispute-offer-decline"
    ),
    path("disputes/<int:pk>/escalate/", claims.EscalateView.as_view(), name="dispute-escalate"),
    path("disputes/<int:pk>/withdraw/", claims.WithdrawView.as_view(), name="dispute-withdraw"),
    path("disputes/<int:pk>/return/ship/", returns.ReturnShipView.as_view(), name="dispute-return-ship"),
    path(
        "disputes/<int:pk>/return/acknowledge/",
        returns.ReturnAcknowledgeView.as_view(),
        name="dispute-return-acknowledge",
    ),
    path("disputes/<int:pk>/complaint/", claims.ComplaintView.as_view(), name="dispute-complaint"),
]
