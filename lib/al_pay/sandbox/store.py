"""SQLite store of sandbox trades, refunds and notify deliveries; every state change is one transaction."""
import secrets
import uuid
from decimal import Decimal

from lib.sandbox_kit.store import SqliteStore

from . import times

WAIT, SUCCESS, FINISHED, CLOSED = "WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_FINISHED", "TRADE_CLOSED"
PAID = (SUCCESS, FINISHED)

SCHEMA = """
CREATE TABLE IF NOT EXISTS trades (
    out_trade_no TEXT PRIMARY KEY,
    trade_no TEXT UNIQUE,
    app_id TEXT NOT NULL,
    seller_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    total_amount TEXT NOT NULL,
    status TEXT NOT NULL,
    refunded_amount TEXT NOT NULL DEFAULT '0.00',
    buyer_id TEXT,
    buyer_logon_id TEXT,
    notify_url TEXT,
    return_url TEXT,
    time_expire TEXT,
    gmt_create TEXT NOT NULL,
    gmt_payment TEXT,
    gmt_close TEXT
);
CREATE TABLE IF NOT EXISTS refunds (
    out_trade_no TEXT NOT NULL REFERENCES trades(out_trade_no),
    out_request_no TEXT NOT NULL,
    refund_amount TEXT NOT NULL,
    gmt_refund_pay TEXT NOT NULL,
    PRIMARY KEY (out_trade_no, out_request_no)
);
CREATE TABLE IF NOT EXISTS notifications (
    notify_id TEXT PRIMARY KEY,
    out_trade_no TEXT NOT NULL REFERENCES trades(out_trade_no),
    notify_url TEXT NOT NULL,
    state TEXT NOT NULL,            -- pending | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL,                   -- epoch seconds of the next attempt while pending
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications(state, next_at);
CREATE TABLE IF NOT EXISTS extra_trades (  -- paid trades the merchant never created (tests)
    trade_no TEXT PRIMARY KEY,
    out_trade_no TEXT NOT NULL,
    subject TEXT NOT NULL,
    total_amount TEXT NOT NULL,
    gmt_create TEXT NOT NULL,
    gmt_payment TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notify_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notify_id TEXT NOT NULL REFERENCES notifications(notify_id),
    attempt INTEGER NOT NULL,
    copy INTEGER NOT NULL DEFAULT 0,  -- >0 for the extra copies of the notify_duplicate fault
    at TEXT NOT NULL,
    http_status INTEGER,
    body TEXT,
    outcome TEXT NOT NULL           -- success | failure | error | dropped
);
"""


class TradeError(Exception):
    """A business failure answered as Alipay's 40004 with this sub_code."""

    def __init__(self, sub_code: str, sub_msg: str):
        super().__init__(sub_code)
        self.sub_code, self.sub_msg = sub_code, sub_msg


def money(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


class Store(SqliteStore):
    SCHEMA = SCHEMA
    Refusal = TradeError

    def __init__(self, path):
        super().__init__(path)
        with self._lock:
            # Columns added later; a data dir from an older sandbox gets them on start.
            columns = {row["name"] for row in self._db.execute("PRAGMA table_info(trades)")}
            for column, ddl in (("method", "TEXT NOT NULL DEFAULT 'alipay.trade.page.pay'"),
                                ("quit_url", "TEXT")):
                if column not in columns:
                    self._db.execute(f"ALTER TABLE trades ADD COLUMN {column} {ddl}")

    # -- trades ---------------------------------------------------------------------------------

    def _load(self, c, out_trade_no=None, trade_no=None) -> dict | None:
        """Fetch a trade (trade_no wins, like Alipay), closing it first if its time_expire passed."""
        if trade_no:
            row = c.execute("SELECT * FROM trades WHERE trade_no = ?", (trade_no,)).fetchone()
            if row is not None and out_trade_no and row["out_trade_no"] != out_trade_no:
                row = None
        elif out_trade_no:
            row = c.execute("SELECT * FROM trades WHERE out_trade_no = ?", (out_trade_no,)).fetchone()
        else:
            row = None
        if row is None:
            return None
        trade = dict(row)
        if trade["status"] == WAIT and self.is_expired(trade):
            trade.update(status=CLOSED, gmt_close=trade["time_expire"])
            c.execute("UPDATE trades SET status = ?, gmt_close = ? WHERE out_trade_no = ?",
                      (CLOSED, trade["gmt_close"], trade["out_trade_no"]))
        return trade

    @staticmethod
    def is_expired(trade: dict) -> bool:
        expire = times.parse(trade.get("time_expire") or "")
        return expire is not None and expire <= times.now()

    def get_trade(self, out_trade_no=None, trade_no=None) -> dict | None:
        with self._tx() as c:
            return self._load(c, out_trade_no, trade_no)

    def require_trade(self, out_trade_no=None, trade_no=None) -> dict:
        trade = self.get_trade(out_trade_no, trade_no)
        if trade is None:
            raise TradeError("ACQ.TRADE_NOT_EXIST", "交易不存在")
        return trade

    def open_trade(self, *, out_trade_no, subject, total_amount: Decimal, app_id, seller_id,
                   notify_url, return_url, time_expire, method, quit_url=None) -> dict:
        """Create the trade when the buyer opens the cashier, or re-show an open one."""
        with self._tx() as c:
            trade = self._load(c, out_trade_no)
            if trade is None:
                c.execute(
                    "INSERT INTO trades (out_trade_no, app_id, seller_id, subject, total_amount,"
                    " status, notify_url, return_url, time_expire, gmt_create, method, quit_url)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (out_trade_no, app_id, seller_id, subject, money(total_amount), WAIT,
                     notify_url, return_url, time_expire, times.now_str(), method, quit_url))
                return self._load(c, out_trade_no)
            _require_open(trade)
            if Decimal(trade["total_amount"]) != total_amount or trade["subject"] != subject:
                raise TradeError("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
            # The latest opening wins, like a merchant re-signing the same order (or the buyer
            # moving from the desktop cashier to the phone's).
            c.execute("UPDATE trades SET notify_url = ?, return_url = ?, time_expire = ?,"
                      " method = ?, quit_url = ? WHERE out_trade_no = ?",
                      (notify_url, return_url, time_expire, method, quit_url, out_trade_no))
            return self._load(c, out_trade_no)

    def pay(self, out_trade_no) -> tuple[dict, str | None]:
        """The buyer pays: returns the paid trade and the id of the notification to deliver."""
        with self._tx() as c:
            trade = self._load(c, out_trade_no)
            if trade is None:
                raise TradeError("ACQ.TRADE_NOT_EXIST", "交易不存在")
            _require_open(trade)
            now = times.now()
            trade_no = self._new_trade_no(c, now)
            buyer_id = "2088" + "".join(str(secrets.randbelow(10)) for _ in range(12))
            c.execute(
                "UPDATE trades SET status = ?, trade_no = ?, gmt_payment = ?, buyer_id = ?,"
                " buyer_logon_id = ? WHERE out_trade_no = ?",
                (SUCCESS, trade_no, times.fmt(now), buyer_id, "sbx***@sandbox.com", out_trade_no))
            notify_id = None
            if trade["notify_url"]:
                notify_id = self._new_notification(c, out_trade_no, trade["notify_url"])
            return self._load(c, out_trade_no), notify_id

    @staticmethod
    def _new_trade_no(c, now) -> str:
        # Alipay style: Beijing yyyyMMdd + "2200" + 16 digits = 28 digits.
        while True:
            trade_no = now.strftime("%Y%m%d") + "2200" + f"{secrets.randbelow(10 ** 16):016d}"
            if c.execute("SELECT 1 FROM trades WHERE trade_no = ?", (trade_no,)).fetchone() is None:
                return trade_no

    def cancel(self, out_trade_no) -> dict:
        """The buyer leaves the cashier: the unpaid trade closes."""
        with self._tx() as c:
            trade = self._load(c, out_trade_no)
            if trade is None:
                raise TradeError("ACQ.TRADE_NOT_EXIST", "交易不存在")
            _require_open(trade)
            c.execute("UPDATE trades SET status = ?, gmt_close = ? WHERE out_trade_no = ?",
                      (CLOSED, times.now_str(), out_trade_no))
            return self._load(c, out_trade_no)

    def close(self, out_trade_no=None, trade_no=None) -> dict:
        """alipay.trade.close: closes an unpaid trade; closing a closed unpaid one is a no-op."""
        with self._tx() as c:
            trade = self._load(c, out_trade_no, trade_no)
            if trade is None:
                raise TradeError("ACQ.TRADE_NOT_EXIST", "交易不存在")
            if trade["status"] == WAIT:
                c.execute("UPDATE trades SET status = ?, gmt_close = ? WHERE out_trade_no = ?",
                          (CLOSED, times.now_str(), trade["out_trade_no"]))
                return self._load(c, trade["out_trade_no"])
            if trade["status"] == CLOSED and not trade["trade_no"]:
                return trade
            raise TradeError("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")

    def refund(self, *, out_trade_no, trade_no, amount: Decimal, out_request_no):
        """alipay.trade.refund: returns (trade, refund row, fund_change); one refund per request no."""
        with self._tx() as c:
            trade = self._load(c, out_trade_no, trade_no)
            if trade is None:
                raise TradeError("ACQ.TRADE_NOT_EXIST", "交易不存在")
            key = (trade["out_trade_no"], out_request_no or trade["out_trade_no"])
            done = c.execute("SELECT * FROM refunds WHERE out_trade_no = ? AND out_request_no = ?",
                             key).fetchone()
            if done is not None:
                # A retry of a refund already made: same answer, no money moves again.
                if Decimal(done["refund_amount"]) != amount:
                    raise TradeError("ACQ.CONTEXT_INCONSISTENT", "同一退款请求号的退款金额不一致")
                return trade, dict(done), "N"
            if trade["status"] != SUCCESS:
                raise TradeError("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            refunded = Decimal(trade["refunded_amount"]) + amount
            if refunded > Decimal(trade["total_amount"]):
                raise TradeError("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
            now = times.now_str()
            c.execute("INSERT INTO refunds (out_trade_no, out_request_no, refund_amount,"
                      " gmt_refund_pay) VALUES (?, ?, ?, ?)", key + (money(amount), now))
            fully = refunded == Decimal(trade["total_amount"])
            c.execute("UPDATE trades SET refunded_amount = ?, status = ?, gmt_close = ?"
                      " WHERE out_trade_no = ?",
                      (money(refunded), CLOSED if fully else trade["status"],
                       now if fully else trade["gmt_close"], key[0]))
            row = c.execute("SELECT * FROM refunds WHERE out_trade_no = ? AND out_request_no = ?",
                            key).fetchone()
            return self._load(c, key[0]), dict(row), "Y"

    # -- the daily statement ----------------------------------------------------------------------

    def add_extra_trade(self, *, out_trade_no, subject, total_amount: Decimal,
                        gmt_payment: str) -> dict:
        """A paid trade the merchant never created: it appears on the statement only."""
        with self._tx() as c:
            trade_no = self._new_trade_no(c, times.parse(gmt_payment))
            c.execute("INSERT INTO extra_trades (trade_no, out_trade_no, subject, total_amount,"
                      " gmt_create, gmt_payment) VALUES (?, ?, ?, ?, ?, ?)",
                      (trade_no, out_trade_no, subject, money(total_amount), gmt_payment,
                       gmt_payment))
            return dict(c.execute("SELECT * FROM extra_trades WHERE trade_no = ?",
                                  (trade_no,)).fetchone())

    def extra_trades(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._db.execute(
                "SELECT * FROM extra_trades ORDER BY gmt_payment, trade_no")]

    def clear_extra_trades(self) -> None:
        with self._tx() as c:
            c.execute("DELETE FROM extra_trades")

    def statement_rows(self, start: str, end: str) -> tuple[list[dict], list[dict]]:
        """(paid trades, refunds) completed in [start, end) (Beijing wall-clock strings).

        A trade counts on the day it was paid, a refund on the day its money went back.
        """
        with self._lock:
            trades = [dict(r) for r in self._db.execute(
                "SELECT trade_no, out_trade_no, subject, total_amount, gmt_create, gmt_payment"
                " FROM trades WHERE gmt_payment >= ? AND gmt_payment < ?"
                " UNION ALL SELECT trade_no, out_trade_no, subject, total_amount, gmt_create,"
                " gmt_payment FROM extra_trades WHERE gmt_payment >= ? AND gmt_payment < ?"
                " ORDER BY gmt_payment, trade_no", (start, end, start, end))]
            refunds = [dict(r) for r in self._db.execute(
                "SELECT t.trade_no, t.out_trade_no, t.subject, t.total_amount, t.gmt_create,"
                " r.out_request_no, r.refund_amount, r.gmt_refund_pay FROM refunds r"
                " JOIN trades t ON t.out_trade_no = r.out_trade_no"
                " WHERE r.gmt_refund_pay >= ? AND r.gmt_refund_pay < ?"
                " ORDER BY r.gmt_refund_pay, r.rowid", (start, end))]
        return trades, refunds

    def report(self, out_trade_no) -> dict | None:
        """Everything known about a trade, for the control API."""
        with self._tx() as c:
            trade = self._load(c, out_trade_no)
            if trade is None:
                return None
            trade["refunds"] = [dict(r) for r in c.execute(
                "SELECT out_request_no, refund_amount, gmt_refund_pay FROM refunds"
                " WHERE out_trade_no = ? ORDER BY gmt_refund_pay, rowid", (out_trade_no,))]
            trade["notifications"] = [dict(r) for r in c.execute(
                "SELECT notify_id, notify_url, state, attempts, next_at, created_at"
                " FROM notifications WHERE out_trade_no = ? ORDER BY rowid", (out_trade_no,))]
            trade["notify_attempts"] = [dict(r) for r in c.execute(
                "SELECT a.notify_id, a.attempt, a.copy, a.at, a.http_status, a.body, a.outcome"
                " FROM notify_attempts a JOIN notifications n ON n.notify_id = a.notify_id"
                " WHERE n.out_trade_no = ? ORDER BY a.id", (out_trade_no,))]
            return trade

    # -- notifications --------------------------------------------------------------------------

    @staticmethod
    def _new_notification(c, out_trade_no, notify_url) -> str:
        notify_id = uuid.uuid4().hex
        c.execute("INSERT INTO notifications (notify_id, out_trade_no, notify_url, state, attempts,"
                  " next_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)",
                  (notify_id, out_trade_no, notify_url, times.epoch(), times.now_str()))
        return notify_id

    def resend(self, out_trade_no) -> str:
        """Make the trade's latest notification due now (same notify_id), creating one if needed."""
        with self._tx() as c:
            trade = self._load(c, out_trade_no)
            if trade is None:
                raise TradeError("ACQ.TRADE_NOT_EXIST", "交易不存在")
            if not trade["trade_no"]:
                raise TradeError("ACQ.TRADE_STATUS_ERROR", "交易未支付，没有通知")
            row = c.execute("SELECT notify_id FROM notifications WHERE out_trade_no = ?"
                            " ORDER BY rowid DESC LIMIT 1", (out_trade_no,)).fetchone()
            if row is None:
                if not trade["notify_url"]:
                    raise TradeError("ACQ.INVALID_PARAMETER", "交易没有 notify_url")
                return self._new_notification(c, out_trade_no, trade["notify_url"])
            c.execute("UPDATE notifications SET state = 'pending', next_at = ? WHERE notify_id = ?",
                      (times.epoch(), row["notify_id"]))
            return row["notify_id"]

    def notification(self, notify_id) -> tuple[dict, dict] | None:
        """(notification, trade) for one delivery attempt."""
        with self._tx() as c:
            row = c.execute("SELECT * FROM notifications WHERE notify_id = ?", (notify_id,)).fetchone()
            if row is None:
                return None
            return dict(row), self._load(c, row["out_trade_no"])

    @staticmethod
    def _insert_attempt(c, notify_id, attempt, copy, result):
        # Alipay's rows keep the Beijing time each copy went out, and which copy it was.
        c.execute("INSERT INTO notify_attempts (notify_id, attempt, copy, at, http_status,"
                  " body, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (notify_id, attempt, copy, result["at"], result.get("http_status"),
                   result.get("body"), result["outcome"]))


def _require_open(trade: dict) -> None:
    if trade["status"] in PAID:
        raise TradeError("ACQ.TRADE_HAS_SUCCESS", "交易已支付")
    if trade["status"] == CLOSED:
        raise TradeError("ACQ.TRADE_HAS_CLOSE", "交易已关闭")
