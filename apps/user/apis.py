"""User API: register, log in, refresh a token, log out, list my courses."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from apps.course.selectors import course_list_owned
from apps.course.serializers import OwnedCourseSerializer
from utils.response import APIResponse
from utils.schema import envelope, errors
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

    @extend_schema(request=RegisterSerializer, responses={
        201: envelope("RegisterResult", user=UserOutSerializer()), **errors(429)})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return APIResponse(msg="注册成功", user=UserOutSerializer(user).data,
                           http_status=status.HTTP_201_CREATED)


class LoginApi(APIView):
    """Exchange username and password for a JWT pair."""

    authentication_classes = []

    @extend_schema(request=LoginSerializer, responses={200: envelope(
        "LoginResult", token=serializers.CharField(), refresh=serializers.CharField(),
        username=serializers.CharField()), **errors(429)})
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Django's own request: django-axes marks a lock-out on it for AxesMiddleware to answer.
        tokens = services.user_login(request=request._request, **serializer.validated_data)
        return APIResponse(msg="登录成功", **tokens)


class TokenRefreshApi(APIView):
    """Exchange a refresh token for a new access token and a new refresh token (rotation)."""

    authentication_classes = []

    @extend_schema(request=TokenRefreshInSerializer, responses={200: envelope(
        "RefreshResult", token=serializers.CharField(), refresh=serializers.CharField()),
        **errors(401)})
    def post(self, request):
        serializer = TokenRefreshInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return APIResponse(**services.user_token_refresh(**serializer.validated_data))


class LogoutApi(APIView):
    """Log out: revoke the refresh token (the access token expires on its own)."""

    authentication_classes = []

    @extend_schema(request=TokenRefreshInSerializer,
                   responses={200: envelope("LogoutResult"), **errors(401)})
    def post(self, request):
        serializer = TokenRefreshInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_logout(**serializer.validated_data)
        return APIResponse(msg="已退出登录")


class UserCourseListApi(APIView):
    """The courses the logged-in student has paid for."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=envelope("MyCourses", results=OwnedCourseSerializer(many=True)))
    def get(self, request):
        owned = course_list_owned(user=request.user)
        return APIResponse(results=OwnedCourseSerializer(owned, many=True).data)
