"""Middleware: /api/x and /api/x/ reach the same endpoint."""


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
