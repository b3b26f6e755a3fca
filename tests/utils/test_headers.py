"""Every HTML answer refuses framing and carries the Content-Security-Policy; no `ACAO: *` on it."""
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

HTML_PATHS = ["/", "/index.html", "/courses", "/course/paysuccess", "/admin/login/", "/api/docs/"]


@pytest.fixture(autouse=True)
def built_spa():
    assert (settings.SPA_DIST_DIR / "index.html").is_file(), "run `make spa` (make test does)"


@pytest.mark.parametrize("path", HTML_PATHS)
def test_html_answers_refuse_framing_and_carry_the_policy(client, path):
    response = client.get(path)

    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("text/html")
    assert response["X-Frame-Options"] == "DENY"
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["object-src"] == "'none'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response.get("Access-Control-Allow-Origin") != "*"


def test_index_html_is_served_by_whitenoise_with_the_headers(client):
    response = client.get("/index.html")
    assert b'<div id="app">' in b"".join(response.streaming_content)
    assert "Access-Control-Allow-Origin" not in response


def test_api_answers_refuse_framing_too(client):
    response = client.get("/api/course/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
