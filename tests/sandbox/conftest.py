"""Fixtures for the Alipay sandbox tests: merchant keys, a running sandbox, the real SDK, a notify endpoint.

No Django here: run with `python -m pytest tests/sandbox -p no:django` if a root config wants settings.
"""
import sys
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
# Explicit, so the tests also import under --import-mode=importlib.
for folder in (str(REPO_ROOT), str(HERE)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

from sandbox_helpers import APP_ID, SELLER_ID, TIME_SCALE, Merchant, make_client  # noqa: E402

from lib.al_pay.keys import ensure_key_pair  # noqa: E402
from lib.al_pay.sandbox.testing import run_sandbox  # noqa: E402


@pytest.fixture(scope="session")
def merchant_keys(tmp_path_factory):
    """(private key path, public key path) of the test merchant app, made for this run only."""
    folder = tmp_path_factory.mktemp("merchant")
    private, public = folder / "app_private_key.pem", folder / "app_public_key.pem"
    ensure_key_pair(private, public)
    return private, public


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory, merchant_keys):
    with run_sandbox(data_dir=tmp_path_factory.mktemp("sandbox"), app_id=APP_ID,
                     app_public_key_file=merchant_keys[1], seller_id=SELLER_ID,
                     time_scale=TIME_SCALE) as running:
        yield running


@pytest.fixture(scope="session")
def client(sandbox, merchant_keys):
    return make_client(sandbox, merchant_keys[0])


@pytest.fixture(autouse=True)
def _clean_faults(request):
    yield
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox").reset_faults()


@pytest.fixture
def merchant(sandbox):
    running = Merchant()
    yield running
    # Leave no notification of the shared sandbox retrying: a stale retry would eat the next
    # test's countdown faults (notify_drop).
    running.mode = "success"
    for out_trade_no in {p["out_trade_no"] for p in running.notifies()}:
        if _pending(sandbox, out_trade_no):
            sandbox.resend_notify(out_trade_no)
            sandbox.wait_for(lambda no=out_trade_no: not _pending(sandbox, no), timeout=5)
    running.close()


def _pending(sandbox, out_trade_no) -> bool:
    trade = sandbox.trade(out_trade_no)
    return bool(trade) and any(n["state"] == "pending" for n in trade["notifications"])


@pytest.fixture
def order_no():
    return "T" + uuid.uuid4().hex[:20]
