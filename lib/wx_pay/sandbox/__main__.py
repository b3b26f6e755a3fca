"""Command line: python -m lib.wx_pay.sandbox --data-dir DIR --mchid M --appid A ..."""
import logging
import sys
from pathlib import Path

from lib.sandbox_kit import cli
from lib.wx_pay.keys import ensure_dev_keys

from . import identity
from .api import Api
from .faults import Faults
from .notifier import Notifier
from .server import SandboxServer
from .store import Store

log = logging.getLogger("wechat_sandbox")


def parse_args(argv=None):
    parser = cli.parser(prog="python -m lib.wx_pay.sandbox",
                        description="Local stand-in for WeChat Pay API v3.", port=8002,
                        data_dir="var/wechat-sandbox",
                        data_help="platform keys, certificate and trades.sqlite3 live here")
    parser.add_argument("--mchid", required=True, help="the merchant number to accept")
    parser.add_argument("--appid", required=True, help="the merchant's appid")
    parser.add_argument("--merchant-public-key", type=Path,
                        help="PEM public key of the merchant API key; verifies Authorization")
    parser.add_argument("--apiv3-key-file", type=Path,
                        help="file holding the 32-character APIv3 key (encrypts notifies)")
    parser.add_argument("--dev-keys", type=Path, metavar="DIR",
                        help="instead of the two above: a laptop merchant's keys in DIR, "
                             "created on first use (lib.wx_pay.keys.ensure_dev_keys)")
    parser.add_argument("--notify-serial", choices=("public-key", "certificate"),
                        default="public-key",
                        help="which Wechatpay-Serial notifies carry (the merchant's mode)")
    cli.time_scale(parser,
                   help="multiplies notify retry delays and the refund delay (e.g. 0.01)")
    args = parser.parse_args(argv)
    if args.dev_keys is None and not (args.merchant_public_key and args.apiv3_key_file):
        parser.error("give --merchant-public-key and --apiv3-key-file, or --dev-keys DIR")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    cli.log_to_stderr()
    try:
        if args.dev_keys is not None:
            paths = ensure_dev_keys(args.dev_keys)
            args.merchant_public_key, args.apiv3_key_file = (paths["merchant_public_key"],
                                                             paths["apiv3_key"])
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

    log.info("mchid=%s appid=%s public_key_id=%s cert_serial=%s time_scale=%s", args.mchid,
             args.appid, me.public_key_id, me.cert_serial, args.time_scale)
    return cli.serve(server, notifier, store, name="wechat sandbox", log=log)


if __name__ == "__main__":
    sys.exit(main())
