"""Middleware: /api/x and /api/x/ reach the same endpoint; API bodies have a size limit."""
from django.conf import settings

from .response import envelope_response


class ApiTrailingSlashMiddleware:
    """Add the trailing slash to API paths in place of CommonMiddleware's 301 redirect.

    A redirect would make clients drop a POST body (or Alipay drop its notify); the API has
    no path where the slash changes the meaning.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and not request.path_info.endswith("/"):
            request.path_info += "/"
            request.path += "/"
        return self.get_response(request)


class ApiBodyLimitMiddleware:
    """Refuse an API request body over its limit with 413 and the envelope, before anything reads it.

    The limit is API_MAX_BODY_BYTES, or a smaller one per path from API_BODY_LIMITS (Alipay's
    notify is 1-2 kB). Django reads a body only up to its Content-Length, so checking the header
    bounds the read; a body without a length (chunked) is refused with 411, since Django would
    silently read it as empty.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and request.method not in ("GET", "HEAD", "OPTIONS"):
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request):
        limit = settings.API_BODY_LIMITS.get(request.path_info, settings.API_MAX_BODY_BYTES)
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length.strip():
            if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
                return envelope_response(411, "请求必须带 Content-Length", "length_required")
            return None
        try:
            size = int(length)
        except ValueError:
            return envelope_response(400, "Content-Length 无效", "bad_content_length")
        if size > limit:
            return envelope_response(413, f"请求体过大（上限 {limit} 字节）", "body_too_large")
        return None
