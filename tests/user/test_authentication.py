"""JWTAuthentication with `defer_user_row`: the same answers as simplejwt's, the user's row read
once or never (when the view read it with its own data and adopted it)."""
import pytest
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView
from rest_framework_simplejwt import authentication as simplejwt
from rest_framework_simplejwt.tokens import AccessToken

from apps.order.models import Order
from apps.user.authentication import JWTAuthentication
from apps.user.models import User
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class WhoAmI(APIView):
    """Answers the token's user id; the name too when asked (?name=1) or adopted (?adopt=1)."""

    defer_user_row = True
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

    authentication_classes = [simplejwt.JWTAuthentication]


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
    authenticated = JWTAuthentication().get_deferred_user(
        JWTAuthentication().get_validated_token(str(AccessToken.for_user(user)).encode()))
    with pytest.raises(ValueError):
        authenticated.adopt(other)


@pytest.mark.parametrize("whose", ["own", "another's", "no"])
def test_a_deactivated_student_polling_gets_401_first(make_order, whose):
    """The poll reads the owner's row with the order; a refused token still answers 401."""
    student, other = UserFactory(), UserFactory()
    order = make_order(student if whose == "own" else other)
    client = client_for(student)
    User.objects.filter(pk=student.pk).update(is_active=False)
    number = order.out_trade_no if whose != "no" else "2026000000000000000000000000"
    response = client.get("/api/order/success/", {"out_trade_no": number})
    assert response.status_code == 401, response.content


def test_a_deactivated_or_deleted_student_cannot_list_orders(make_order):
    student = UserFactory()
    make_order(student)
    client = client_for(student)
    assert client.get("/api/order/").status_code == 200
    User.objects.filter(pk=student.pk).update(is_active=False)
    assert client.get("/api/order/").status_code == 401


@pytest.mark.parametrize("body", [{"subject": "x"}, None], ids=["invalid", "valid"])
def test_a_deactivated_student_buying_gets_401_first(courses, body):
    student = UserFactory()
    client = client_for(student)
    User.objects.filter(pk=student.pk).update(is_active=False)
    body = body or {"subject": "课程", "pay_type": 1, "courses": [courses[0].pk],
                    "total_amount": f"{courses[0].price:.2f}"}
    response = client.post("/api/order/pay/", body, format="json")
    assert response.status_code == 401, response.content
    assert not Order.objects.exists()
