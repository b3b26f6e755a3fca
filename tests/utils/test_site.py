"""Site-level behaviour: API paths with or without the slash, the SPA fallback, auth errors."""
import pytest

from tests.alipay_fake import signed_notify

pytestmark = pytest.mark.django_db


def test_an_api_path_without_its_slash_is_the_same_endpoint(api, order):
    from urllib.parse import urlencode
    response = api.generic("POST", "/api/order/success", urlencode(signed_notify(order)),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.content == b"success"
    assert api.get("/api/course").json()["status"] == 0


def test_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/nothing/here/")
    assert response.status_code == 404
    assert response.json()["status"] != 0


@pytest.mark.parametrize("path", ["/favicon.ico", "/assets/gone-0123abcd.js", "/robots.txt"])
def test_missing_files_are_404_not_the_app(client, path):
    response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/", "/courses", "/course/1", "/my/orders", "/course/paysuccess"])
def test_front_end_routes_get_the_app_shell(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_a_bad_token_gets_a_chinese_401(api):
    api.credentials(HTTP_AUTHORIZATION="JWT not-a-token")
    response = api.get("/api/order/")
    assert response.status_code == 401
    assert response.json()["msg"] == "登录状态无效或已过期，请重新登录"


def test_the_openapi_schema_documents_every_endpoint_without_warnings():
    from io import StringIO

    from django.core.management import call_command
    err = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO(), stderr=err)
    assert "Warning" not in err.getvalue() and "Error" not in err.getvalue()
