"""URLs that serve evidence files, after a permission check (arbitration.evidence.views)."""

from django.urls import path

from arbitration.evidence import views as evidence_views

urlpatterns = [
    path("<int:pk>/", evidence_views.evidence_file, name="evidence-file"),
    path("<int:pk>/thumbnail/", evidence_views.evidence_thumbnail, name="evidence-thumbnail"),
    path("<int:pk>/original/", evidence_views.evidence_original, name="evidence-original"),
]
