"""URLs of the JSON API, mounted at /api/ by config/urls.py."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

# The split view serves Swagger UI's start-up script as a file of its own, which the
# Content-Security-Policy (no inline scripts) allows. Its page keeps one inline <style>
# (box-sizing and background), allowed on this page alone by its hash; tests/test_deploy.py
# recomputes it from the page, so a drf-spectacular upgrade cannot break it unnoticed.
SWAGGER_UI_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
swagger_ui = csp_update({"style-src": [SWAGGER_UI_STYLE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema")
)

router = DefaultRouter()
router.register("remarks", views.RemarkViewSet, basename="remark")
router.register("briefings", views.BriefingViewSet, basename="briefing")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("spokespersons", views.SpokespersonViewSet, basename="spokesperson")
router.register("entities", views.EntityViewSet, basename="entity")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", swagger_ui, name="docs"),
    *router.urls,
]
