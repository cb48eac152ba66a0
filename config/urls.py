from django.contrib import admin
from django.urls import include, path

from statements.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("statements.api.urls")),
    path("", include("statements.urls")),
]

# A database outage noticed outside a view (in the session or authentication middleware) is a
# 503 too, not a 500 (statements/middleware.py).
handler500 = "statements.middleware.server_error"
