"""The buyer's and seller's order and dispute pages. Every URL here is in the access matrix
(tests/web/test_access.py), which is generated from this list, so a new URL can't be missed."""

from django.urls import path

from arbitration import views

urlpatterns = [
    path("orders/", views.order_list, name="order-list"),
    path("sales/", views.sales, name="sales"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/dispute/", views.dispute_open, name="dispute-open"),
    path("orders/<int:pk>/report-unsafe/", views.safety_report_create, name="safety-report-create"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute-detail"),
    path("disputes/<int:pk>/amend/", views.AmendView.as_view(), name="dispute-amend"),
    path("disputes/<int:pk>/message/", views.MessageView.as_view(), name="dispute-message"),
    path("disputes/<int:pk>/accept/", views.AcceptClaimView.as_view(), name="dispute-accept-claim"),
    path("disputes/<int:pk>/offer/", views.OfferView.as_view(), name="dispute-offer"),
    path("disputes/<int:pk>/reject/", views.RejectView.as_view(), name="dispute-reject"),
    path("disputes/<int:pk>/offer/accept/", views.AcceptOfferView.as_view(), name="dispute-offer-accept"),
    path("disputes/<int:pk>/offer/decline/", views.DeclineOfferView.as_view(), name="dispute-offer-decline"),
    path("disputes/<int:pk>/escalate/", views.EscalateView.as_view(), name="dispute-escalate"),
    path("disputes/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="dispute-withdraw"),
    path("disputes/<int:pk>/return/ship/", views.ReturnShipView.as_view(), name="dispute-return-ship"),
    path(
        "disputes/<int:pk>/return/acknowledge/",
        views.ReturnAcknowledgeView.as_view(),
        name="dispute-return-acknowledge",
    ),
    path("disputes/<int:pk>/complaint/", views.ComplaintView.as_view(), name="dispute-complaint"),
]
