"""The sandbox's notifies: WeChat's retry schedule until a 2xx, the drop fault, restarts."""
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from lib.wx_pay.client import WechatPayClient, download_platform_certificates
from lib.wx_pay.sandbox.notifier import MAX_ATTEMPTS, RETRY_DELAYS, Notifier
from lib.wx_pay.sandbox.testing import run_sandbox

from .conftest import public_key_config
from .helpers import APPID, MCHID

pytestmark = pytest.mark.sandbox


def test_retry_schedule_is_wechats():
    assert RETRY_DELAYS == (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800,
                            10800, 21600, 21600)
    assert MAX_ATTEMPTS == 16  # the first POST and 15 retries
    notifier = Notifier(None, None, private_key=None, serial="", apiv3_key="", time_scale=0.5)
    assert [notifier.delay_for(n) for n in (1, 2, 3, 15, 16)] == [7.5, 7.5, 15, 10800, None]


def _paid(client, sandbox) -> str:
    otn = "N" + uuid.uuid4().hex[:20]
    client.native(out_trade_no=otn, description="课程", total_fen=100,
                  time_expire=datetime.now(UTC) + timedelta(minutes=5))
    sandbox.pay(otn)
    return otn


def test_failed_notifies_are_retried_until_a_2xx(sandbox, receiver, pk_config):
    client = WechatPayClient(pk_config)
    receiver.status = 500
    try:
        otn = _paid(client, sandbox)
        sandbox.wait_for(lambda: len(sandbox.trade(otn)["notify_attempts"]) >= 3,
                         message="three failed attempts")
    finally:
        receiver.status = 204  # WeChat takes 200 or 204 as received
    attempts = sandbox.wait_for(
        lambda: (a := sandbox.trade(otn)["notify_attempts"]) and a[-1]["outcome"] == "success"
        and a, message="delivery")
    assert {a["http_status"] for a in attempts[:-1]} == {500}
    assert sandbox.trade(otn)["notifications"][0]["state"] == "delivered"
    receiver.status = 200


def test_dropped_notify_counts_as_an_attempt(sandbox, receiver, pk_config):
    client = WechatPayClient(pk_config)
    sandbox.set_faults(wechat_notify_drop=1)
    otn = _paid(client, sandbox)
    attempts = sandbox.wait_for(
        lambda: (a := sandbox.trade(otn)["notify_attempts"]) and a[-1]["outcome"] == "success"
        and a, message="delivery after a drop")
    assert [a["outcome"] for a in attempts] == ["dropped", "success"]
    assert len(receiver.notifies(pk_config, otn)) == 1


def test_restart_keeps_trades_and_identity(tmp_path, merchant_files, receiver):
    options = dict(data_dir=tmp_path / "wx", mchid=MCHID, appid=APPID,
                   merchant_public_key_file=merchant_files / "merchant_public_key.pem",
                   apiv3_key_file=merchant_files / "apiv3_key.txt")
    with run_sandbox(**options) as first:
        client = WechatPayClient(public_key_config(first, receiver.url))
        otn = _paid(client, first)
        key_id, key_pem = first.public_key_id, first.public_key_pem
    with run_sandbox(**options) as second:
        assert (second.public_key_id, second.public_key_pem) == (key_id, key_pem)
        client = WechatPayClient(public_key_config(second, receiver.url))
        assert client.query(otn).trade_state == "SUCCESS"


def test_certificate_mode_notifies(tmp_path, merchant_files, receiver, cert_config):
    """A sandbox started with --notify-serial certificate signs notifies for cert-mode shops."""
    with run_sandbox(data_dir=tmp_path / "wx", mchid=MCHID, appid=APPID,
                     merchant_public_key_file=merchant_files / "merchant_public_key.pem",
                     apiv3_key_file=merchant_files / "apiv3_key.txt",
                     notify_serial="certificate") as running:
        config = replace(cert_config, gateway=running.gateway, cert_dir=str(tmp_path / "certs"))
        download_platform_certificates(config)
        otn = _paid(WechatPayClient(config), running)
        notify = running.wait_for(lambda: receiver.notifies(config, otn), message="notify")[0]
        assert notify.out_trade_no == otn
