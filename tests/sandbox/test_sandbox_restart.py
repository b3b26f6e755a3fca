"""The data dir carries the key pair, the trades and pending notify deliveries across restarts."""
import pytest
from sandbox_helpers import APP_ID, Merchant, make_client, page_pay_url

from lib.al_pay.sandbox.testing import run_sandbox

pytestmark = pytest.mark.sandbox


def test_restart_keeps_key_trades_and_pending_notifies(tmp_path, merchant_keys):
    merchant = Merchant()
    merchant.mode = "fail"
    options = dict(data_dir=tmp_path / "data", app_id=APP_ID, app_public_key_file=merchant_keys[1],
                   time_scale=0.0005)
    try:
        with run_sandbox(**options) as first:
            client = make_client(first, merchant_keys[0])
            first.open(page_pay_url(client, first, "KEEP1", "12.00", notify_url=merchant.url))
            first.pay("KEEP1")
            first.wait_for(lambda: merchant.notifies("KEEP1"), message="first attempt")
            key = first.public_key_pem

        merchant.mode = "success"
        with run_sandbox(**options) as second:
            assert second.public_key_pem == key
            client = make_client(second, merchant_keys[0])
            answer = client.api_alipay_trade_query(out_trade_no="KEEP1")
            assert answer["trade_status"] == "TRADE_SUCCESS" and answer["total_amount"] == "12.00"
            # The delivery scheduled before the restart resumes by itself.
            second.wait_for(lambda: second.trade("KEEP1")["notifications"][0]["state"]
                            == "delivered", message="resumed delivery")
            assert len({n["notify_id"] for n in merchant.notifies("KEEP1")}) == 1
    finally:
        merchant.close()
