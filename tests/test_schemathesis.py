"""The OpenAPI schema tells the truth: schemathesis (`--checks all`) against the live API finds nothing.

A logged-in student with an order and courses on sale, so the generated requests reach the real
code paths, not only the 401s. Bounded in examples and time: this runs in every `make test`.
"""
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import client_for
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).parent / "schemathesis.toml"
TIME_BUDGET_SECONDS = 45


def test_schemathesis_finds_no_failure(live_server, make_order, tmp_path):
    for price in ("99.00", "199.00"):
        CourseFactory(price=Decimal(price))
    student = UserFactory(username="fuzzer")
    make_order(student)
    token = client_for(student)._credentials["HTTP_AUTHORIZATION"]

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
