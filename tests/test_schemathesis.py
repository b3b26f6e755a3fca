"""The OpenAPI schema tells the truth: schemathesis (`--checks all`) against the live API finds nothing.

A logged-in student with an order and courses on sale, so the generated requests reach the real
code paths, not only the 401s. Both pay methods are on, each with its sandbox (Alipay's and
WeChat Pay's, real signatures both ways), so buy-now is fuzzed with pay_type 1 and 2 and a
WeChat checkout really reaches WeChat. Bounded in examples and time: this runs in every
`make test`.
"""
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from apps.order.constants import PayChannel, PayType
from apps.order.models import Order
from apps.order.services import orders
from tests.conftest import client_for
from tests.factories import CourseFactory, UserFactory

# reset_sequences: buy-now's documented examples buy course 1 for "99.00" (one per pay method,
# apps.order.apis.PayApiSchema); the shop below makes them true, so schemathesis's examples
# phase places a real order with each method.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).parent / "schemathesis.toml"
TIME_BUDGET_SECONDS = 45


def _published_pay_types(base):
    schema = requests.get(f"{base}/api/schema/?format=json", timeout=10).json()
    components = schema["components"]["schemas"]
    pay_type = components["PayOrder"]["properties"]["pay_type"]
    if "$ref" in pay_type:
        pay_type = components[pay_type["$ref"].rsplit("/", 1)[1]]
    return pay_type["enum"]


def test_schemathesis_finds_no_failure(shop, wechat_shop, live_server, tmp_path):
    example_course, *others = [CourseFactory(price=Decimal(price))
                               for price in ("99.00", "199.00", "149.50", "10.00")]
    assert example_course.pk == 1
    student = UserFactory(username="fuzzer")
    orders.order_create(user=student, course_ids=[c.pk for c in others[:2]], subject="测试订单",
                        total_amount=others[0].price + others[1].price, pay_type=PayType.ALIPAY)
    token = client_for(student)._credentials["HTTP_AUTHORIZATION"]
    assert _published_pay_types(live_server.url) == [1, 2]

    command = [
        str(SCHEMATHESIS), "--config-file", str(CONFIG), "run",
        f"{live_server.url}/api/schema/?format=json",
        "--checks", "all", "--header", f"Authorization: {token}",
        "--max-examples", "12", "--max-time", str(TIME_BUDGET_SECONDS), "--seed", "8",
        "--workers", "1", "--request-timeout", "10", "--generation-database", "none",
        "--no-color", "--suppress-health-check", "all"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=TIME_BUDGET_SECONDS + 90)

    report = result.stdout[-12000:] + result.stderr[-3000:]
    assert result.returncode == 0, report
    assert "passed" in result.stdout and "Failures:" not in result.stdout, report
    # pay_type 2 was not only published but bought: WeChat's sandbox holds the prepay.
    wechat = Order.objects.filter(user=student, pay_type=PayType.WECHAT)
    assert wechat.exists(), report
    for order in wechat:
        assert order.channel in (PayChannel.NATIVE, PayChannel.H5)
        assert wechat_shop.trade(order.out_trade_no) is not None, order.out_trade_no
