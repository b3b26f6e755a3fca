"""Read-only hot-path querysets whose SQL is compiled once per database and shape, not per call.

Profiled under `make bench`: turning a queryset into SQL (Django's SQLCompiler) costs about ten
times running that SQL on SQLite — ~1 ms for an order joined to its lines and courses, against
~0.1 ms for the query. A PreparedQuery builds its queryset once with stand-in values, keeps the
SQL, and on each call binds the real values and turns the rows into model instances with
Django's own converters and populators (what QuerySet iteration does).

    order_with_lines = PreparedQuery(
        "order.lines", lambda no: OrderDetail.objects.select_related("order", "course")
        .filter(order__out_trade_no=no), no="")
    lines = order_with_lines(no="2026...")          # a list of OrderDetail

It is a narrow tool, and refuses what it cannot prove equal to the ORM:

- Reads only: no `select_for_update()` (row locks go through the ORM), no `values()`, no
  `prefetch_related()`, no set operations. Writes are never prepared.
- Each keyword is a string or an int, or a list (or tuple) of them for `__in`, declared by
  example (`no=""`, `ids=[0]`). Anything else (None, bool, a date or datetime, a float) is a
  TypeError. Values the SQL could not hold the way the ORM does — an empty list, None inside a
  list, an int outside 32 bits — are handed to the ORM itself (`list(build(**values))`).
- Every parameter of the SQL must be one of the declared values, passed through unchanged:
  the queryset is compiled twice with different stand-ins (strings holding `%`, `_` and `\\`)
  and must give the same SQL with the stand-ins in the same places. A constant, a setting or a
  `timezone.now()` computed by the builder, or a value the ORM escapes (`__iexact`,
  `__contains`, ...), is refused at compile time, not frozen.
- `fixed` names integer arguments that are part of the SQL text itself (a slice's OFFSET and
  LIMIT); each combination is its own plan. `constants` lists literals the query itself puts
  in its parameters (`Exists()` selects a parameter `1`), so that no other value passes.
- Plans are keyed by database alias, vendor, fixed values and list lengths.

Every PreparedQuery has a name in `PreparedQuery.registry`; tests/utils/test_prepared_equal.py
proves each one equal to `list(build(**values))` on generated databases and inputs (Hypothesis),
and fails for a prepared query it does not test. It uses Django's row-to-object machinery
(`get_related_populators`, the compiler's converters), which is not public API: Django is
pinned, and those tests are what a Django upgrade must pass.
"""
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.query import ModelIterable, get_related_populators

_INT_RANGE = range(-(2 ** 31), 2 ** 31)  # the smallest integer column's: beyond it, the ORM
_MAX_PLANS = 256                         # per query; more shapes than that start over
_MAX_LIST = 2 ** 20


class PreparedQuery:
    """A read-only queryset's SQL, compiled once per database and shape, run with new values."""

    registry: dict = {}

    def __init__(self, name, build, /, *, fixed=(), constants=(), **kinds):
        """`build(**values)` returns the queryset; `kinds` gives each value's type by example."""
        for key, kind in kinds.items():
            item = kind[0] if isinstance(kind, list) and len(kind) == 1 else kind
            if type(item) not in (str, int):
                raise TypeError(f"{key}: a prepared value is a str, an int or a list of one")
        if name in self.registry:
            raise ValueError(f"a prepared query is already called {name!r}")
        self.name, self._build, self._kinds, self._fixed = name, build, kinds, tuple(fixed)
        self._constants = {(type(value), value) for value in constants}
        self._plans = {}
        self._model = None
        self.registry[name] = self

    def __call__(self, **values):
        if set(values) != set(self._kinds) | set(self._fixed):
            raise TypeError(f"{self.name} takes {sorted([*self._kinds, *self._fixed])}, "
                            f"got {sorted(values)}")
        for name in self._fixed:
            if type(values[name]) is not int or values[name] < 0:
                raise TypeError(f"{name}={values[name]!r}: a fixed value is an int >= 0")
        bound, lengths = {}, []
        for name, kind in sorted(self._kinds.items()):
            value = _checked(name, kind, values[name])
            if value is None:  # the SQL cannot say it as the ORM does: let the ORM say it
                return list(self._build(**values))
            bound[name] = value
            lengths.append(len(value) if isinstance(kind, list) else None)
        if self._model is None:
            self._model = self._build(**_samples(self._kinds, lengths, 0, values)).model
        alias = router.db_for_read(self._model)
        fixed = tuple(values[name] for name in self._fixed)
        key = (alias, connections[alias].vendor, fixed, tuple(lengths))
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            plan = self._plans[key] = _Plan(self, alias, dict(zip(self._fixed, fixed,
                                                                  strict=True)), lengths)
        return plan.run(bound)


def _checked(name, kind, value):
    """The value as bound (a list deduplicated like the ORM's __in), or None for the ORM."""
    if not isinstance(kind, list):
        return _checked_item(name, type(kind), value)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name}={value!r}: a list or tuple of {type(kind[0]).__name__}")
    if not value or None in value or len(value) > _MAX_LIST:
        return None
    items = [_checked_item(name, type(kind[0]), item) for item in value]
    return None if None in items else list(dict.fromkeys(items))


def _checked_item(name, kind, value):
    if type(value) is not kind:  # exactly: bool is not an int here, nor a date a str
        raise TypeError(f"{name}={value!r}: a prepared value here is a {kind.__name__}")
    if kind is int and value not in _INT_RANGE:
        return None
    return value


def _samples(kinds, lengths, seed, values):
    """Stand-in values no real call uses, distinct per parameter, list item and seed.

    Strings carry `%`, `_` and `\\`, so a lookup that escapes or wraps its value (LIKE) is seen.
    Ints stay inside 32 bits (an out-of-range one would make the ORM drop the filter).
    """
    samples = {}
    for n, (name, length) in enumerate(zip(sorted(kinds), lengths, strict=True)):
        if type(kinds[name] if length is None else kinds[name][0]) is str:
            make = (lambda i, n=n: f"\x00%_\\{seed}.{n}.{i}\x00")
        else:
            make = (lambda i, n=n: 2 ** 30 + seed * 2 ** 28 + n * 2 ** 21 + i)
        samples[name] = make(0) if length is None else [make(i) for i in range(length)]
    return {**{k: v for k, v in values.items() if k not in kinds}, **samples}


class _Plan:
    """The compiled SQL of one shape, where each value goes in it, and how rows become objects."""

    def __init__(self, prepared, alias, fixed, lengths):
        self.alias, self.empty = alias, False
        compiled = [self._compile(prepared, seed, fixed, lengths) for seed in (0, 1)]
        if any(c is None for c in compiled):
            if not all(c is None for c in compiled):
                raise ValueError(f"{prepared.name}: whether it matches nothing depends on values")
            self.empty = True  # e.g. a zero-length slice: Django runs no query either
            return
        (sql, slots, compiler), (sql_again, slots_again, _) = compiled
        if sql != sql_again or slots != slots_again:
            raise ValueError(f"{prepared.name}: its SQL changes with something besides its "
                             "declared values (a clock, a setting?): that would be frozen here")
        self.sql, self.slots, self.compiler = sql, slots, compiler
        klass_info, select = compiler.klass_info, compiler.select
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.annotations = dict(compiler.annotation_col_map or {})
        self.converters = compiler.get_converters(
            [column[0] for column in select[0:compiler.col_count]])

    @staticmethod
    def _compile(prepared, seed, fixed, lengths):
        """(sql, slot of each parameter, compiler), or None where Django would run no query."""
        samples = _samples(prepared._kinds, lengths, seed, fixed)
        queryset = prepared._build(**samples)
        _refuse_unprovable(prepared.name, queryset)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()  # also fills compiler.select and klass_info
        except EmptyResultSet:
            return None
        where = {}
        for name, sample in samples.items():
            if name in fixed:
                continue
            for index, item in enumerate(sample if isinstance(sample, list) else [sample]):
                where[(type(item), item)] = (name, index if isinstance(sample, list) else None)
        slots = []
        for param in params:
            slot = where.get((type(param), param))
            if slot is None and (type(param), param) in prepared._constants:
                slot = (None, param)  # a literal of the query's own, declared as such
            if slot is None:
                raise ValueError(f"{prepared.name}: {param!r} reaches its SQL, and is not one of "
                                 "its declared values as given (a constant, or escaped)")
            slots.append(slot)
        if {slot[0] for slot in slots} - {None} != set(prepared._kinds):
            raise ValueError(f"{prepared.name}: a declared value does not reach its SQL as is")
        return sql, slots, compiler

    def run(self, values):
        if self.empty:
            return []
        params = [index if name is None else values[name] if index is None
                  else values[name][index] for name, index in self.slots]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:  # the fields' own conversions (decimals, aware datetimes, ...)
            rows = self.compiler.apply_converters(rows, self.converters)
        objects = []
        for row in rows:
            obj = self.model.from_db(self.alias, self.init_list, row[self.model_slice])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def _refuse_unprovable(name, queryset):
    """What this layer does not reproduce is refused, never silently dropped."""
    query = queryset.query
    refusals = {
        "select_for_update(): row locks go through the ORM": query.select_for_update,
        "values()/values_list()": queryset._iterable_class is not ModelIterable,
        "prefetch_related()": bool(queryset._prefetch_related_lookups),
        "union()/intersection()/difference()": bool(query.combinator),
        "a related manager's queryset": bool(queryset._known_related_objects),
        "extra()": bool(query.extra or query.extra_tables),
    }
    for what, present in refusals.items():
        if present:
            raise ValueError(f"{name}: a prepared query cannot use {what}")
