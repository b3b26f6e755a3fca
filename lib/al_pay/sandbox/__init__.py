"""Local stand-in for Alipay's open gateway: page pay cashier, signed callbacks, query/close/refund.

Run it with ``python -m lib.al_pay.sandbox --help``; drive it from tests with ``testing.run_sandbox``.
Nothing in this package imports Django: it runs as its own plain process.
"""
