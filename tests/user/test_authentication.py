"""DeferredUserJWTAuthentication: the same answers as simplejwt's, the user's row read once or
never (when the view read it with its own data and adopted it)."""
import pytest
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import AccessToken

from apps.user.authentication import DeferredUserJWTAuthentication
from apps.user.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class WhoAmI(APIView):
    """Answers the token's user id; the name too when asked (?name=1) or adopted (?adopt=1)."""

    authentication_classes = [DeferredUserJWTAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        if request.query_params.get("adopt"):
            request.user.adopt(User.objects.get(pk=request.user.pk))  # "read with its data"
        answer = {"id": request.user.pk}
        if request.query_params.get("name") or request.query_params.get("adopt"):
            answer["username"] = request.user.username
        return Response(answer)


class WhoAmIEagerly(WhoAmI):
    """The same view with simplejwt's own authentication: the answers to match."""

    authentication_classes = [JWTAuthentication]


def call(user, view=WhoAmI, **query):
    request = APIRequestFactory().get("/", query,
                                      HTTP_AUTHORIZATION=f"JWT {AccessToken.for_user(user)}")
    response = view.as_view()(request)
    response.render()
    return response


def test_the_id_comes_from_the_token_without_reading_the_row(django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(0):
        response = call(user)
    assert response.status_code == 200 and response.data == {"id": user.pk}


def test_anything_else_reads_the_row_once(django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(1):
        assert call(user, name=1).data == {"id": user.pk, "username": user.username}


def test_an_adopted_row_is_not_read_again(django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(1):  # the view's own read only
        assert call(user, adopt=1).data == {"id": user.pk, "username": user.username}


@pytest.mark.parametrize("query", [{"name": 1}, {"adopt": 1}], ids=["read", "adopted"])
def test_an_inactive_user_is_refused_as_simplejwt_refuses_it(query):
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = call(user, **query)
    assert response.status_code == 401
    assert response.data == call(user, view=WhoAmIEagerly, name=1).data


def test_a_deleted_user_is_refused_when_the_row_is_needed():
    user = UserFactory()
    token_user = User(pk=user.pk, username=user.username)
    User.objects.filter(pk=user.pk).delete()
    response = call(token_user, name=1)
    assert response.status_code == 401
    assert response.data == call(token_user, view=WhoAmIEagerly).data


def test_adopting_another_users_row_is_a_bug():
    user, other = UserFactory(), UserFactory()
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"JWT {AccessToken.for_user(user)}")
    authenticated, _ = DeferredUserJWTAuthentication().authenticate(request)
    with pytest.raises(ValueError):
        authenticated.adopt(other)
