"""utils.cache.RedisCache answers exactly as Django's RedisCache, sharing one client per pool.

Against a redis-server of the test's own (never the shared one): generated sequences of cache
operations give the same answers through both backends, and the shared client survives
threads, a fork and a server restart.
"""
import os
import shutil
import threading

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils.test_ops import _free_port, _start_redis
from utils.cache import RedisCache

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="needs redis-server")


@pytest.fixture(scope="module")
def redis_url():
    port = _free_port()
    process = _start_redis(port)
    yield f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait(10)


def _backends(redis_url, run):
    params = {"OPTIONS": {"socket_timeout": 2}}
    return (RedisCache(redis_url, {**params, "KEY_PREFIX": f"ours{run}"}),
            DjangoRedisCache(redis_url, {**params, "KEY_PREFIX": f"django{run}"}))


_keys = st.sampled_from(["a", "b", "ключ", "k:1"])
_values = st.integers(-5, 5) | st.text(max_size=5) | st.lists(st.integers(), max_size=3)
_operations = st.lists(st.one_of(
    st.tuples(st.just("set"), _keys, _values),
    st.tuples(st.just("add"), _keys, _values),
    st.tuples(st.just("get"), _keys),
    st.tuples(st.just("incr"), _keys, st.integers(-3, 3)),
    st.tuples(st.just("delete"), _keys),
    st.tuples(st.just("has_key"), _keys),
    st.tuples(st.just("touch"), _keys),
    st.tuples(st.just("get_many"), st.lists(_keys, max_size=3)),
    st.tuples(st.just("set_many"), st.dictionaries(_keys, _values, max_size=3)),
    st.tuples(st.just("delete_many"), st.lists(_keys, max_size=3)),
), max_size=25)


def _apply(cache, operation):
    name, *arguments = operation
    try:
        return ("ok", getattr(cache, name)(*arguments))
    except Exception as exc:  # noqa: BLE001 -- compared, not swallowed (incr of a missing key)
        return ("raised", type(exc).__name__)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=_operations, run=st.integers(0, 10 ** 9))
def test_every_operation_answers_as_djangos_backend(redis_url, operations, run):
    ours, django = _backends(redis_url, run)
    for operation in operations:
        assert _apply(ours, operation) == _apply(django, operation), operation
    ours.clear()


def test_one_client_per_pool_shared_by_threads(redis_url):
    cache, _ = _backends(redis_url, "threads")
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.set("n", 0)

    def bump():
        for _ in range(50):
            cache.incr("n")

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("n") == 400


def test_a_forked_child_talks_to_redis_on_its_own_connection(redis_url):
    cache, _ = _backends(redis_url, "fork")
    cache.set("n", 1)  # the parent's connection is open before the fork (gunicorn's preload)
    pid = os.fork()
    if pid == 0:  # the child: a worker
        try:
            code = 0 if cache.incr("n") == 2 and cache.get("n") == 2 else 1
        except Exception:  # noqa: BLE001 -- reported by the exit code
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.incr("n") == 3
