"""One DRF exception handler: every error becomes the envelope with the right HTTP code."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from utils.logging import get_logger
from utils.response import APIResponse

from .exceptions import LuffyError

logger = get_logger("django.request")


def _first_message(detail):
    """The first human-readable message inside DRF's nested error detail.

    Field names stay out of it: `msg` is shown to people as it is; programs read `errors`.
    """
    if isinstance(detail, dict):
        for value in detail.values():
            message = _first_message(value)
            if message:
                return message
        return ""
    if isinstance(detail, (list, tuple)):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)  # also calls set_rollback() for APIException
    if response is None:
        # Unexpected: log the traceback, never show it.
        logger.exception("unhandled error in %s", context.get("view").__class__.__name__)
        set_rollback()
        return APIResponse(status=1, msg="服务器内部错误", code="server_error",
                           http_status=status.HTTP_500_INTERNAL_SERVER_ERROR)

    body = {"code": getattr(exc.detail, "code", None) or getattr(exc, "default_code", "error")}
    if isinstance(exc, exceptions.ValidationError):
        body["errors"] = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        msg = _first_message(exc.detail) or "输入有误"
    else:
        msg = _first_message(exc.detail)
    if isinstance(exc, LuffyError) and exc.errors:
        body["errors"] = exc.errors
    if isinstance(exc, exceptions.NotAuthenticated):
        msg = "请先登录"
    elif isinstance(exc, exceptions.AuthenticationFailed):  # simplejwt's texts are English
        msg = "登录状态无效或已过期，请重新登录"
    elif isinstance(exc, exceptions.Throttled):
        msg = f"操作过于频繁，请 {exc.wait or 1:.0f} 秒后再试"
    headers = {k: response[k] for k in ("WWW-Authenticate", "Retry-After") if k in response}
    return APIResponse(status=1, msg=msg, http_status=response.status_code, headers=headers, **body)
