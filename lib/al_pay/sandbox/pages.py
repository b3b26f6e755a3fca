"""HTML pages of the sandbox cashier; every value is HTML-escaped before it reaches a template."""
import html
import urllib.parse
from string import Template

CASHIER_TITLE = "支付宝 沙箱收银台"
WAP_CASHIER_TITLE = "支付宝 手机收银台（沙箱）"

# English next to Alipay's Chinese, so a failing browser test explains itself.
ENGLISH = {
    "isv.invalid-signature": "The request signature does not verify",
    "isv.invalid-app-id": "Unknown app_id",
    "isv.invalid-parameter": "Invalid parameter",
    "isv.missing-parameter": "Missing parameter",
    "isv.invalid-method": "Unknown method",
    "isv.invalid-timestamp": "Invalid timestamp",
    "isv.invalid-signature-type": "Only RSA2 signatures are accepted",
    "ACQ.TRADE_HAS_SUCCESS": "This trade has already been paid",
    "ACQ.TRADE_HAS_CLOSE": "This trade is closed or has expired",
    "ACQ.CONTEXT_INCONSISTENT": "The order differs from the one already opened",
    "ACQ.TRADE_NOT_EXIST": "No such trade",
}

_CSS = """
body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f6f9;color:#333}
header{background:#1677ff;color:#fff;padding:14px 24px;font-size:18px}
header .tag{font-size:12px;background:rgba(255,255,255,.2);border-radius:3px;padding:2px 6px;margin-left:8px}
main{max-width:520px;margin:40px auto;background:#fff;border-radius:8px;padding:28px 32px;
box-shadow:0 2px 8px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 18px}
dl{display:grid;grid-template-columns:110px 1fr;gap:10px 12px;margin:0 0 24px}
dt{color:#888}dd{margin:0;word-break:break-all}
.amount{font-size:28px;color:#ff5000;font-weight:600}
.actions{display:flex;gap:12px}.actions form{margin:0}
button{font-size:16px;padding:10px 26px;border-radius:4px;border:1px solid #1677ff;
background:#1677ff;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1677ff}
.error h1{color:#d4380d}.code{font-family:monospace;background:#fff2e8;padding:2px 6px;border-radius:3px}
a{color:#1677ff}footer{text-align:center;color:#aaa;font-size:12px}
"""

_LAYOUT = Template("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title><style>$css</style></head>
<body><header>支付宝 Alipay<span class="tag">沙箱环境 Sandbox</span></header>
<main class="$kind">$content</main>
<footer>luffy Alipay sandbox · 模拟环境，不产生真实交易 · no real money moves</footer>
</body></html>
""")

_CASHIER = Template("""<h1>订单支付 Pay for your order</h1>
<dl>
<dt>商品 Subject</dt><dd id="subject">$subject</dd>
<dt>金额 Amount</dt><dd class="amount" id="amount">¥$amount</dd>
<dt>商户订单号 Order</dt><dd id="out-trade-no">$out_trade_no</dd>
<dt>支付截止 Expires</dt><dd>$time_expire</dd>
</dl>
<div class="actions">
<form method="post" action="/cashier/$path_no/pay"><button id="pay-button" type="submit">确认付款 Pay</button></form>
<form method="post" action="/cashier/$path_no/cancel"><button id="cancel-button" type="submit" class="secondary">取消支付 Cancel</button></form>
</div>""")

# The mobile-web cashier (alipay.trade.wap.pay): one column for a phone, big buttons, and a way
# back to the shop (quit_url) that leaves the trade open, as Alipay's does.
_WAP_CSS = """
main.wap{max-width:420px;margin:0 auto;border-radius:0;padding:20px 18px;box-shadow:none}
main.wap .amount{display:block;text-align:center;font-size:36px;margin:8px 0 4px}
main.wap .subject{text-align:center;color:#666;margin:0 0 20px}
main.wap dl{grid-template-columns:96px 1fr;font-size:14px}
main.wap .actions{flex-direction:column}main.wap .actions form,main.wap button{width:100%}
main.wap button{padding:14px 0;font-size:17px;border-radius:22px}
.quit{display:block;text-align:center;margin-top:18px}
"""

_WAP_CASHIER = Template("""<a class="quit-top" id="quit-link-top" href="$quit_url">‹ 返回商家 Back</a>
<p class="amount" id="amount">¥$amount</p>
<p class="subject" id="subject">$subject</p>
<dl>
<dt>商户订单号</dt><dd id="out-trade-no">$out_trade_no</dd>
<dt>支付截止</dt><dd>$time_expire</dd>
<dt>付款方式</dt><dd>余额（沙箱账户 sbx***@sandbox.com）</dd>
</dl>
<div class="actions">
<form method="post" action="/cashier/$path_no/pay"><button id="pay-button" type="submit">确认付款 Pay</button></form>
<form method="post" action="/cashier/$path_no/cancel"><button id="cancel-button" type="submit" class="secondary">取消支付 Cancel</button></form>
</div>
<a class="quit" id="quit-link" href="$quit_url">返回商家，稍后再付 Back to the shop</a>""")

_ERROR = Template("""<h1>抱歉，支付遇到问题 Sorry, the payment cannot proceed</h1>
<p>$message</p><p>$english</p>
<dl>
<dt>错误代码</dt><dd class="code" id="error-code">$short_code</dd>
<dt>Error code</dt><dd class="code">$code $sub_code</dd>
</dl>""")

_SUCCESS = Template("""<h1>支付成功 Payment successful</h1>
<dl>
<dt>商品 Subject</dt><dd>$subject</dd>
<dt>金额 Amount</dt><dd class="amount">¥$amount</dd>
<dt>商户订单号 Order</dt><dd>$out_trade_no</dd>
<dt>支付宝交易号 Trade no</dt><dd id="trade-no">$trade_no</dd>
</dl>""")

_CANCELLED = Template("""<h1>已取消支付 Payment cancelled</h1>
<p>订单 $out_trade_no 已关闭。The order has been closed.</p>$back""")


def _page(title, content, kind="", css="") -> bytes:
    return _LAYOUT.substitute(title=html.escape(title), css=_CSS + css, kind=kind,
                              content=content).encode("utf-8")


def _escaped(**values) -> dict:
    return {k: html.escape("" if v is None else str(v), quote=True) for k, v in values.items()}


def cashier(trade: dict) -> bytes:
    content = _CASHIER.substitute(_escaped(
        subject=trade["subject"], amount=trade["total_amount"], out_trade_no=trade["out_trade_no"],
        time_expire=trade["time_expire"] or "—",
        path_no=urllib.parse.quote(trade["out_trade_no"], safe="")))
    return _page(CASHIER_TITLE, content)


def wap_cashier(trade: dict) -> bytes:
    """The phone-sized cashier of alipay.trade.wap.pay; "back" goes to quit_url (or return_url)."""
    content = _WAP_CASHIER.substitute(_escaped(
        subject=trade["subject"], amount=trade["total_amount"], out_trade_no=trade["out_trade_no"],
        time_expire=trade["time_expire"] or "—", quit_url=trade["quit_url"] or trade["return_url"] or "/",
        path_no=urllib.parse.quote(trade["out_trade_no"], safe="")))
    return _page(WAP_CASHIER_TITLE, content, kind="wap", css=_WAP_CSS)


def error(code: str, sub_code: str, sub_msg: str, back_url: str | None = None) -> bytes:
    short = sub_code[4:] if sub_code.startswith("isv.") else sub_code
    content = _ERROR.substitute(_escaped(
        message=sub_msg, english=ENGLISH.get(sub_code, ""), short_code=short, code=code,
        sub_code=sub_code))
    content += _back_link(back_url)
    return _page(f"{CASHIER_TITLE} - 错误 Error", content, kind="error")


def success(trade: dict) -> bytes:
    content = _SUCCESS.substitute(_escaped(
        subject=trade["subject"], amount=trade["total_amount"],
        out_trade_no=trade["out_trade_no"], trade_no=trade["trade_no"]))
    return _page(f"{CASHIER_TITLE} - 支付成功", content)


def cancelled(trade: dict, back_url: str | None) -> bytes:
    content = _CANCELLED.substitute(out_trade_no=html.escape(trade["out_trade_no"]),
                                    back=_back_link(back_url))
    return _page(f"{CASHIER_TITLE} - 已取消支付", content)


def _back_link(back_url: str | None) -> str:
    if not back_url:
        return ""
    href = html.escape(back_url, quote=True)
    return f'<p><a id="back-link" href="{href}">返回商户 Back to the shop</a></p>'
