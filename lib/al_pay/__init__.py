"""Alipay integration: the SDK client wrapper (client.py) and the local sandbox gateway (sandbox/).

Nothing here imports Django at module level, so the sandbox can run as a plain process.
"""
