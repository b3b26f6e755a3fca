"""Top-level URLs: the API under /api/, the admin, and the SPA for everything else."""
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.dashboard.views import sales_dashboard_view
from utils.health import health
from utils.metrics import metrics_view
from utils.views import spa_index

urlpatterns = [
    # Before the admin's own URLs: a page of the admin (its login, its layout), not a model's.
    path("admin/dashboard/", admin.site.admin_view(sales_dashboard_view), name="sales-dashboard"),
    path("admin/", admin.site.urls),
    path("api/user/", include("apps.user.urls")),
    path("api/course/", include("apps.course.urls")),
    path("api/order/", include("apps.order.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's page has one inline <style> block; its script is a separate file (Split view).
    path("api/docs/", csp_update({"style-src": [UNSAFE_INLINE]})(
        SpectacularSwaggerSplitView.as_view(url_name="schema")), name="docs"),
    path("api/health/", health, name="health"),  # for load balancers
    path("metrics", metrics_view, name="metrics"),  # for Prometheus, operator only
    # Everything that is not the API, the admin or a static file is a front-end route.
    re_path(r"^(?!api/|admin/|static/|metrics$).*$", spa_index, name="spa"),
]

handler404 = "utils.views.not_found"
handler500 = "utils.views.server_error"
