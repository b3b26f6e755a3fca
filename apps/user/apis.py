"""User API: register, log in, refresh a token, list my courses."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from apps.course.selectors import course_list_owned
from apps.course.serializers import OwnedCourseSerializer
from utils.exceptions import LuffyError
from utils.response import APIResponse
from utils.throttling import ClientScopedRateThrottle

from . import services
from .serializers import (
    LoginSerializer,
    RegisterSerializer,
    TokenRefreshInSerializer,
    UserOutSerializer,
)


class RegisterApi(APIView):
    """Create a student account."""

    authentication_classes = []
    throttle_classes = [ClientScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(request=RegisterSerializer, responses={201: UserOutSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return APIResponse(msg="注册成功", user=UserOutSerializer(user).data,
                           http_status=status.HTTP_201_CREATED)


class LoginApi(APIView):
    """Exchange username and password for a JWT pair."""

    authentication_classes = []

    @extend_schema(request=LoginSerializer, responses=inline_serializer("LoginResult", {
        "status": serializers.IntegerField(), "msg": serializers.CharField(),
        "token": serializers.CharField(), "refresh": serializers.CharField(),
        "username": serializers.CharField()}))
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Django's own request: django-axes marks a lock-out on it for AxesMiddleware to answer.
        tokens = services.user_login(request=request._request, **serializer.validated_data)
        return APIResponse(msg="登录成功", **tokens)


class TokenRefreshApi(APIView):
    """Exchange a refresh token for a new access token."""

    authentication_classes = []

    @extend_schema(request=TokenRefreshInSerializer, responses=inline_serializer("RefreshResult", {
        "status": serializers.IntegerField(), "msg": serializers.CharField(),
        "token": serializers.CharField()}))
    def post(self, request):
        serializer = TokenRefreshSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError:
            raise LuffyError("登录已过期，请重新登录", status_code=status.HTTP_401_UNAUTHORIZED,
                             code="token_not_valid") from None
        return APIResponse(token=serializer.validated_data["access"])


class UserCourseListApi(APIView):
    """The courses the logged-in student has paid for."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OwnedCourseSerializer(many=True))
    def get(self, request):
        owned = course_list_owned(user=request.user)
        return APIResponse(results=OwnedCourseSerializer(owned, many=True).data)
