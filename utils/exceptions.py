"""LuffyError: the one business exception, turned into the envelope by the exception handler."""
from rest_framework import status
from rest_framework.exceptions import APIException


class LuffyError(APIException):
    """A business rule was broken; its message is shown to the user as it is."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "请求无法处理"
    default_code = "invalid"

    def __init__(self, msg=None, *, status_code=None, code=None, errors=None):
        super().__init__(detail=msg or self.default_detail, code=code or self.default_code)
        if status_code is not None:
            self.status_code = status_code
        # Per-field messages, shaped like a serializer's errors: {"courses": ["..."]}.
        self.errors = errors


class Conflict(LuffyError):
    """The request is valid but clashes with the current state (e.g. cancel a paid order)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "当前状态不允许该操作"
    default_code = "conflict"

