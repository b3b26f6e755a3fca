"""The site's URLs plus the benchmark's reference endpoint (ROOT_URLCONF of settings.bench only)."""
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from luffyapi.urls import handler404, handler500
from luffyapi.urls import urlpatterns as site_urlpatterns
from utils.response import APIResponse


class ReferenceApi(APIView):
    """The yardstick: token check, the user's row, an envelope — and nothing else."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return APIResponse(username=request.user.username)


# After the site's own patterns, so resolving it costs what resolving an order endpoint costs.
urlpatterns = [*site_urlpatterns,
               path("api/bench/reference/", ReferenceApi.as_view(), name="bench-reference")]
__all__ = ["handler404", "handler500", "urlpatterns"]
