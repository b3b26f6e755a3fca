"""Command line: python -m lib.al_pay.sandbox --data-dir DIR --app-id ID --app-public-key FILE ..."""
import argparse
import logging
import re
import signal
import sys
import threading
from pathlib import Path

from lib.al_pay.keys import ensure_key_pair

from . import signing
from .faults import Faults
from .gateway import Gateway
from .notifier import Notifier
from .server import SandboxServer
from .store import Store

log = logging.getLogger("sandbox")


def _seller_id(value: str) -> str:
    if not re.fullmatch(r"2088\d{12}", value):
        raise argparse.ArgumentTypeError("must be 16 digits starting with 2088")
    return value


def _scale(value: str) -> float:
    scale = float(value)
    if scale < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return scale


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lib.al_pay.sandbox",
                                     description="Local stand-in for Alipay's gateway.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    parser.add_argument("--data-dir", default="var/sandbox", type=Path,
                        help="key pair and trades.sqlite3 live here")
    parser.add_argument("--app-id", required=True, help="the merchant app id to accept")
    parser.add_argument("--app-public-key", required=True, type=Path,
                        help="PEM public key of the merchant app; verifies request signatures")
    parser.add_argument("--seller-id", default="2088000000000001", type=_seller_id)
    parser.add_argument("--time-scale", default=1.0, type=_scale,
                        help="multiplies the notify retry delays (e.g. 0.01)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        app_public_key = signing.load_public_key(args.app_public_key.read_bytes())
    except (OSError, ValueError) as error:
        print(f"sandbox: cannot load --app-public-key {args.app_public_key}: {error}",
              file=sys.stderr)
        return 2

    data_dir = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    private_path, public_path = data_dir / "alipay_private_key.pem", data_dir / "alipay_public_key.pem"
    if ensure_key_pair(private_path, public_path):
        log.info("created the sandbox key pair in %s", data_dir)
    private_key = signing.load_private_key(private_path.read_bytes())

    store = Store(data_dir / "trades.sqlite3")
    faults = Faults()
    notifier = Notifier(store, faults, private_key, time_scale=args.time_scale)
    gateway = Gateway(store=store, faults=faults, notifier=notifier, private_key=private_key,
                      app_id=args.app_id, app_public_key=app_public_key, seller_id=args.seller_id)
    try:
        server = SandboxServer((args.host, args.port), gateway=gateway, faults=faults, store=store,
                               public_key_pem=public_path.read_bytes())
    except OSError as error:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1

    stop = threading.Event()
    # serve_forever runs in a thread because shutdown() from a signal handler in the serving
    # thread would deadlock; the main thread only waits for a signal.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                               name="http", daemon=True)
    serving.start()
    notifier.start()
    print(f"sandbox listening on {server.url}", flush=True)
    log.info("app_id=%s seller_id=%s time_scale=%s data=%s", args.app_id, args.seller_id,
             args.time_scale, data_dir)
    while not stop.wait(1.0):
        pass
    log.info("stopping")
    server.shutdown()
    notifier.stop()
    server.server_close()
    store.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
