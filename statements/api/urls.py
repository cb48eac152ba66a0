"""URLs of the JSON API, mounted at /api/ by config/urls.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("remarks", views.RemarkViewSet, basename="remark")
router.register("briefings", views.BriefingViewSet, basename="briefing")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("spokespersons", views.SpokespersonViewSet, basename="spokesperson")
router.register("entities", views.EntityViewSet, basename="entity")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
