"""Site-level views: the SPA's index.html for every front-end route, JSON 404/500 for the API."""
from django.conf import settings
from django.http import FileResponse, HttpResponse

from .response import envelope_response


def spa_index(request, *args, **kwargs):
    """Serve the built SPA; vue-router (history mode) takes the path from there."""
    if "." in request.path.rsplit("/", 1)[-1]:
        # A file that is not there (favicon.ico, a stale asset): a 404, not the app's HTML.
        return HttpResponse("Not Found", status=404, content_type="text/plain")
    index = settings.SPA_DIST_DIR / "index.html"
    if index.is_file():
        response = FileResponse(index.open("rb"), content_type="text/html; charset=utf-8")
        # The shell names the hashed assets of the current build: always revalidate it.
        response["Cache-Control"] = "no-cache"
        return response
    return HttpResponse(
        "<h1>Luffy</h1><p>The SPA is not built yet (make run builds it). "
        'API docs: <a href="/api/docs/">/api/docs/</a>, admin: <a href="/admin/">/admin/</a>.</p>',
        content_type="text/html; charset=utf-8")


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return envelope_response(404, "接口不存在", "not_found")
    return HttpResponse("Not Found", status=404, content_type="text/plain")


def server_error(request):
    if request.path.startswith("/api/"):
        return envelope_response(500, "服务器内部错误", "server_error")
    return HttpResponse("Server Error", status=500, content_type="text/plain")
