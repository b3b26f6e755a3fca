"""URLs under /api/user/."""
from django.urls import path

from . import apis

urlpatterns = [
    path("register/", apis.RegisterApi.as_view(), name="user-register"),
    path("login/", apis.LoginApi.as_view(), name="user-login"),
    path("token/refresh/", apis.TokenRefreshApi.as_view(), name="user-token-refresh"),
    path("logout/", apis.LogoutApi.as_view(), name="user-logout"),
    path("courses/", apis.UserCourseListApi.as_view(), name="user-courses"),
]
