"""Django's Redis cache backend, with one redis-py client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation (its
`get_client` says custom clients may do otherwise); building one costs more CPU than the
round trip it makes (make bench: about a sixth of buy-now's, whose throttle reads and writes
the cache). A `redis.Redis` over a pool is safe to share between threads, and its pool
notices a fork (gunicorn's preload) and opens its own connections in the child.
"""
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    """Django's client, handing out one redis.Redis per connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """django.core.cache.backends.redis.RedisCache with SharedClientRedisCacheClient."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
