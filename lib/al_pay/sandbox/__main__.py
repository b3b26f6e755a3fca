"""Command line: python -m lib.al_pay.sandbox --data-dir DIR --app-id ID --app-public-key FILE ..."""
import argparse
import logging
import re
import sys
from pathlib import Path

from lib.al_pay.keys import ensure_key_pair
from lib.sandbox_kit import cli

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


def parse_args(argv=None):
    parser = cli.parser(prog="python -m lib.al_pay.sandbox",
                        description="Local stand-in for Alipay's gateway.", port=8001,
                        data_dir="var/sandbox", data_help="key pair and trades.sqlite3 live here")
    parser.add_argument("--app-id", required=True, help="the merchant app id to accept")
    parser.add_argument("--app-public-key", required=True, type=Path,
                        help="PEM public key of the merchant app; verifies request signatures")
    parser.add_argument("--seller-id", default="2088000000000001", type=_seller_id)
    cli.time_scale(parser, help="multiplies the notify retry delays (e.g. 0.01)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    cli.log_to_stderr()
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

    log.info("app_id=%s seller_id=%s time_scale=%s data=%s", args.app_id, args.seller_id,
             args.time_scale, data_dir)
    return cli.serve(server, notifier, store, name="sandbox", log=log)


if __name__ == "__main__":
    sys.exit(main())
