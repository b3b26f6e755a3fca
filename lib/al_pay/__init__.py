"""Alipay integration: the SDK client wrapper (client.py) and the local sandbox gateway (sandbox/).

client.py is the only module that touches python-alipay-sdk (configured by an AlipayConfig the
app hands in: no Django, no utils/ here);
notify.py authenticates Alipay's notify and hands the app a typed TradeNotify. Neither knows
the app's models. The
sandbox imports nothing from Django or from client.py: it runs as a plain process, and a
protocol mistake on our side cannot be matched by the same mistake on its side.
"""
