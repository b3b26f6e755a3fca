"""Command line: python -m lib.wx_pay.sandbox --data-dir DIR --mchid M --appid A ..."""
import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from . import identity
from .api import Api
from .faults import Faults
from .notifier import Notifier
from .server import SandboxServer
from .store import Store

log = logging.getLogger("wechat_sandbox")


def _scale(value: str) -> float:
    scale = float(value)
    if scale < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return scale


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lib.wx_pay.sandbox",
                                     description="Local stand-in for WeChat Pay API v3.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002, help="0 picks a free port")
    parser.add_argument("--data-dir", default="var/wechat-sandbox", type=Path,
                        help="platform keys, certificate and trades.sqlite3 live here")
    parser.add_argument("--mchid", required=True, help="the merchant number to accept")
    parser.add_argument("--appid", required=True, help="the merchant's appid")
    parser.add_argument("--merchant-public-key", required=True, type=Path,
                        help="PEM public key of the merchant API key; verifies Authorization")
    parser.add_argument("--apiv3-key-file", required=True, type=Path,
                        help="file holding the 32-character APIv3 key (encrypts notifies)")
    parser.add_argument("--notify-serial", choices=("public-key", "certificate"),
                        default="public-key",
                        help="which Wechatpay-Serial notifies carry (the merchant's mode)")
    parser.add_argument("--time-scale", default=1.0, type=_scale,
                        help="multiplies notify retry delays and the refund delay (e.g. 0.01)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        merchant_pem = args.merchant_public_key.read_bytes()
        apiv3_key = args.apiv3_key_file.read_text().strip()
        if len(apiv3_key.encode()) != 32:
            raise ValueError("the APIv3 key must be 32 bytes")
        args.data_dir.mkdir(parents=True, exist_ok=True)
        me, created = identity.load(args.data_dir, mchid=args.mchid,
                                    merchant_public_key_pem=merchant_pem, apiv3_key=apiv3_key)
    except (OSError, ValueError) as error:
        print(f"wechat sandbox: {error}", file=sys.stderr)
        return 2
    if created:
        log.info("created the platform key pair in %s", args.data_dir)

    store = Store(args.data_dir / "trades.sqlite3")
    faults = Faults()
    serial = me.public_key_id if args.notify_serial == "public-key" else me.cert_serial
    notifier = Notifier(store, faults, private_key=me.private_key, serial=serial,
                        apiv3_key=apiv3_key, time_scale=args.time_scale)
    api = Api(store, faults, notifier, mchid=args.mchid, appid=args.appid,
              time_scale=args.time_scale)
    try:
        server = SandboxServer((args.host, args.port), api=api, faults=faults, keys=me)
    except OSError as error:
        print(f"wechat sandbox: cannot listen on {args.host}:{args.port}: {error}",
              file=sys.stderr)
        return 1

    stop = threading.Event()
    # serve_forever runs in a thread: shutdown() from a signal handler in it would deadlock.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http",
                     daemon=True).start()
    notifier.start()
    print(f"wechat sandbox listening on {server.url}", flush=True)
    log.info("mchid=%s appid=%s public_key_id=%s cert_serial=%s time_scale=%s", args.mchid,
             args.appid, me.public_key_id, me.cert_serial, args.time_scale)
    while not stop.wait(1.0):
        pass
    server.shutdown()
    notifier.stop()
    server.server_close()
    store.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
